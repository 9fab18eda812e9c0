"""The resident's side: answer a survey at /s/<slug>/ without an account, then a thank-you page.

Abuse resistance: rate limits per address and per survey (surveys.ratelimit), checked before
storing and counting only stored responses, so junk posts cannot lock residents out; a honeypot
field (a bot that fills it is thanked and nothing is stored), addresses kept only as salted hashes,
an optional one-response-per-device cookie, and an idempotency key so that a double tap, a
retry or a concurrent duplicate is stored once and answered with the same thank-you page.
"""

import secrets
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from fenglin.client import client_address
from surveys import ratelimit
from surveys.forms import ResponseForm
from surveys.models import Channel, Response, Survey
from surveys.places import map_places
from surveys.selectors import areas_for_form, form_questions
from surveys.services import AlreadyAnswered, SurveyNotAccepting, submit_response

DEVICE_COOKIE = "fenglin_device"
DEVICE_SALT = "surveys.device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600


def _device_token(request: HttpRequest) -> str:
    token = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    return token if isinstance(token, str) else ""


def _set_device_cookie(response: HttpResponse, token: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        token,
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    context = {"survey": survey, "not_yet": survey.not_yet_open()}
    return render(request, "surveys/survey_closed.html", context)


def _already(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, "surveys/response_already.html", {"survey": survey})


def _posted_key(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None


def _thanks_for(survey: Survey, key: uuid.UUID) -> HttpResponse:
    url = reverse("public_surveys:survey_thanks", args=[survey.slug])
    return redirect(f"{url}?{urlencode({'key': str(key)})}")


def _form_page(request: HttpRequest, survey: Survey, form: ResponseForm) -> HttpResponse:
    places = map_places() if form.point_question else []
    context = {"survey": survey, "form": form, "places": places}
    return render(request, "surveys/response_form.html", context)


@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.published(), slug=slug)
    if request.method == "POST":
        # Sent again (Back and submit, or an offline queue resending): the stored response's
        # thank-you page, before the rate limits or the closing time could refuse it.
        key = _posted_key(request)
        if key is not None and Response.objects.filter(survey=survey, idempotency_key=key).exists():
            return _thanks_for(survey, key)
    if not survey.is_accepting(timezone.now()):
        return _closed(request, survey)
    device_token = _device_token(request)
    device_hash = ratelimit.salted_hash(device_token, "device") if device_token else ""
    questions = form_questions(survey)
    form_kwargs = {"survey": survey, "questions": questions, "areas": areas_for_form()}

    if request.method == "GET":
        if (
            survey.one_response_per_device
            and device_hash
            and Response.objects.filter(survey=survey, device_hash=device_hash).exists()
        ):
            return _already(request, survey)
        return _form_page(request, survey, ResponseForm(**form_kwargs))

    client_hash = ratelimit.salted_hash(client_address(request), "address")
    verdict = ratelimit.check_submission(survey_id=survey.pk, client_hash=client_hash)
    if not verdict.allowed:
        minutes = max(1, (verdict.retry_after + 59) // 60)
        page = render(
            request,
            "surveys/response_limited.html",
            {"survey": survey, "minutes": minutes},
            status=429,
        )
        page["Retry-After"] = str(verdict.retry_after)
        return page

    form = ResponseForm(request.POST, **form_kwargs)
    if form.honeypot_filled():
        # Look exactly like success, so the bot learns nothing; store nothing.
        return redirect("public_surveys:survey_thanks", slug=survey.slug)
    if not form.is_valid():
        return _form_page(request, survey, form)

    new_token = ""
    if survey.one_response_per_device and not device_token:
        new_token = secrets.token_urlsafe(24)
        device_hash = ratelimit.salted_hash(new_token, "device")
    try:
        stored = submit_response(
            survey=survey,
            submission=form.submission(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            channel=Channel.ONLINE,
            client_hash=client_hash,
            device_hash=device_hash,
        )
    except SurveyNotAccepting:
        return _closed(request, survey)
    except AlreadyAnswered:
        return _already(request, survey)
    if stored.created:
        ratelimit.record_submission(survey_id=survey.pk, client_hash=client_hash)
    page = _thanks_for(survey, stored.response.idempotency_key)
    if new_token:
        _set_device_cookie(page, new_token)
    return page


@require_GET
def survey_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The thank-you page; with the key of a stored response it says when that one arrived, so a
    resident who sends again sees the answers were already received."""
    survey = get_object_or_404(Survey.objects.published(), slug=slug)
    stored = None
    try:
        key = uuid.UUID(request.GET.get("key", ""))
    except ValueError:
        key = None
    if key is not None:
        stored = (
            Response.objects.filter(survey=survey, idempotency_key=key)
            .only("submitted_at", "idempotency_key")
            .first()
        )
    context = {"survey": survey, "stored": stored}
    return render(request, "surveys/response_thanks.html", context)


def signed_device_cookie(token: str) -> str:
    """The cookie value a browser would hold for a device token (for tests and the bench)."""
    return signing.get_cookie_signer(salt=DEVICE_COOKIE + DEVICE_SALT).sign(token)
