"""Staff pages: build surveys, key in paper questionnaires, read results, export, field visits.

Committee staff (fenglin.access.scope_for) see and enter data of their own area only.
"""

from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fenglin import tabular
from fenglin.access import scope_for, staff_required
from fenglin.archive import ArchiveView, RestoreView, just_archived
from fenglin.parsing import parse_id
from fenglin.sorting import sorted_page
from fenglin.versioning import EditConflict
from surveys import exports, selectors, services
from surveys.builder_forms import SurveyForm
from surveys.builder_views import builder_context
from surveys.forms import FieldVisitForm, PaperResponseForm, ResponseForm, ResultsFilterForm
from surveys.models import Channel, Choice, Question, Response, Survey, SurveyStatus
from surveys.qr import qr_svg
from surveys.results_views import results_extras
from surveys.selectors import areas_for_form, field_visits, questions_for, responses_for

# --- Surveys -------------------------------------------------------------------------------


@require_GET
@staff_required("surveys.view_survey")
def survey_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    show_archived = request.GET.get("archived") == "on"
    surveys = Survey.objects.all() if show_archived else Survey.objects.filter(archived_at=None)
    if scope.limited:
        surveys = surveys.exclude(status=SurveyStatus.DRAFT).annotate(
            n=Count("responses", filter=scope.q("responses__area"))
        )
    else:
        surveys = surveys.annotate(n=Count("responses"))
    listed = sorted_page(
        request,
        surveys,
        fields={"title": ["title"], "status": ["status"], "created": ["created_at"], "n": ["n"]},
        default="-created",
    )
    context = {
        **listed,
        "surveys": listed["rows"],
        "show_archived": show_archived,
        "just_archived": just_archived(
            request, Survey.objects.exclude(archived_at=None), "surveys:survey_restore"
        ),
    }
    return render(request, "surveys/survey_list.html", context)


class SurveyArchiveView(ArchiveView):
    permission_required = "surveys.change_survey"
    list_url_name = "surveys:survey_list"
    queryset = Survey.objects.filter(archived_at=None)
    explanation = _lazy("Its questions and responses are kept, and its figures stay in plans.")

    def archive(self, record: Survey) -> None:
        services.archive_survey(survey=record, user=self.request.user)


class SurveyRestoreView(RestoreView):
    permission_required = "surveys.change_survey"
    queryset = Survey.objects.exclude(archived_at=None)

    def restore(self, record: Survey) -> None:
        services.restore_survey(survey=record, user=self.request.user)


def _survey_for(request: HttpRequest, pk: int) -> Survey:
    survey = get_object_or_404(Survey, pk=pk)
    if survey.status == SurveyStatus.DRAFT and scope_for(request.user).limited:
        raise Http404
    return survey


@require_http_methods(["GET", "POST"])
@staff_required("surveys.add_survey")
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = services.save_survey(form=form)
        messages.success(request, _("Survey created. Now add its questions."))
        return redirect(survey)
    return render(request, "surveys/survey_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@staff_required("surveys.change_survey")
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_survey(form=form)
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            messages.success(request, _("Survey saved."))
            return redirect(survey)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey})


def _history(survey: Survey, questions: list[Question], limit: int = 20) -> list:
    """The latest changes to the survey's definition: survey, questions and choices."""
    question_ids = [q.pk for q in questions]
    survey_history = survey.history.select_related("history_user")[:limit]
    question_history = Question.history.filter(survey_id=survey.pk).select_related("history_user")[
        :limit
    ]
    choice_history = Choice.history.filter(question_id__in=question_ids).select_related(
        "history_user"
    )[:limit]
    entries = sorted(
        chain(survey_history, question_history, choice_history),
        key=lambda h: h.history_date,
        reverse=True,
    )[:limit]
    return [
        {
            "date": h.history_date,
            "user": h.history_user,
            "what": h.instance_type._meta.verbose_name,
            "label": getattr(h, "title", None) or getattr(h, "text", None) or h.label,
            "change": h.get_history_type_display(),
        }
        for h in entries
    ]


@require_GET
@staff_required("surveys.view_survey")
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    questions = questions_for(survey, include_archived=True)
    scope = scope_for(request.user)
    responses = scope.filter(survey.responses.all())
    public_url = request.build_absolute_uri(survey.get_public_url())
    context = {
        "survey": survey,
        "questions": questions,
        "response_count": responses.count(),
        "has_responses": survey.responses.exists(),
        "history": _history(survey, questions) if not scope.limited else [],
        **builder_context(request, survey, questions),
        "public_url": public_url,
        "qr": qr_svg(public_url, title=_("QR code of the survey's link"))
        if survey.status != SurveyStatus.DRAFT
        else "",
        "statuses": SurveyStatus,
    }
    return render(request, "surveys/survey_detail.html", context)


@require_POST
@staff_required("surveys.change_survey")
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    status = request.POST.get("status", "")
    if status not in SurveyStatus.values:
        messages.error(request, _("Unknown status."))
        return redirect(survey)
    try:
        services.set_survey_status(survey=survey, status=status)
    except services.DefinitionLocked as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The survey is now: %(s)s.") % {"s": survey.get_status_display()}
        )
    return redirect(survey)


@require_http_methods(["GET", "POST"])
@staff_required("surveys.view_survey")
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident's form as it stands; a submission is validated but never stored."""
    survey = _survey_for(request, pk)
    kwargs = {"survey": survey, "questions": questions_for(survey), "areas": areas_for_form()}
    form = ResponseForm(request.POST or None, honeypot=False, **kwargs)
    checked = request.method == "POST" and form.is_valid()
    return render(
        request,
        "surveys/response_form.html",
        {"survey": survey, "form": form, "preview": True, "checked": checked},
    )


# --- Paper entry ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required("surveys.add_paper_response")
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Key in paper questionnaires one after another, from the keyboard alone."""
    survey = _survey_for(request, pk)
    scope = scope_for(request.user)
    if scope.nothing:
        raise PermissionDenied
    if survey.status == SurveyStatus.DRAFT:
        messages.error(request, _("Open the survey before keying in questionnaires."))
        return redirect(survey)
    kwargs = {
        "survey": survey,
        "questions": questions_for(survey),
        "areas": areas_for_form(),
        "fixed_area": scope.fixed_area,
    }
    form = PaperResponseForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            stored = services.submit_response(
                survey=survey,
                submission=form.submission(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                channel=Channel.PAPER,
                entered_by=request.user,
                paper_reference=form.cleaned_data["paper_reference"],
            )
        except services.SurveyNotAccepting:
            messages.error(request, _("The survey is not accepting questionnaires."))
            return redirect(survey)
        except services.DuplicatePaperReference as duplicate:
            form.add_error(
                "paper_reference",
                _(
                    "Questionnaire number %(number)s is already stored as response %(n)s. "
                    "Check the number on the paper."
                )
                % {"number": duplicate.stored.paper_reference, "n": duplicate.stored.pk},
            )
        else:
            if stored.created:
                messages.success(
                    request,
                    _("Questionnaire saved as response %(n)s. Enter the next one.")
                    % {"n": stored.response.pk},
                )
            else:
                messages.info(request, _("This questionnaire was already saved."))
            return redirect("surveys:paper_entry", pk=survey.pk)
    entered = survey.responses.filter(channel=Channel.PAPER, entered_by=request.user).count()
    return render(
        request,
        "surveys/response_paper.html",
        {"survey": survey, "form": form, "entered": entered, "fixed_area": kwargs["fixed_area"]},
    )


# --- Results and exports -------------------------------------------------------------------


@require_GET
@staff_required("surveys.view_survey", "surveys.view_response")
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    scope = scope_for(request.user)
    filters = ResultsFilterForm(request.GET or None, fixed_area=scope.fixed_area)
    area_id, group, channel = None, "", ""
    if filters.is_valid():
        area = filters.cleaned_data.get("area")
        area_id = area.pk if area else None
        group = filters.cleaned_data.get("group") or ""
        channel = filters.cleaned_data.get("channel") or ""
    if scope.limited:
        area_id = scope.area.pk if scope.area else 0  # 0 matches no area: nothing to show
    results = selectors.survey_results(survey, area_id=area_id, group=group, channel=channel)
    extras = results_extras(
        survey, results, scope=scope, area_id=area_id, group=group, channel=channel
    )
    context = {
        "survey": survey,
        "filters": filters,
        "results": results,
        "map_data": extras["map_data"],
        "query": request.GET.urlencode(),
    }
    return render(request, "surveys/survey_results.html", context)


def _export_responses(request: HttpRequest, survey: Survey):
    scope = scope_for(request.user)
    return scope.filter(Response.objects.filter(survey=survey))


@require_GET
@staff_required("surveys.view_survey", "surveys.view_response")
def survey_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey = _survey_for(request, pk)
    questions = questions_for(survey, include_archived=True)
    responses = _export_responses(request, survey)
    if fmt not in exports.FORMATS:
        raise Http404
    filename = exports.export_filename(survey, fmt)
    header, rows = exports.header(questions), exports.rows(survey, questions, responses)
    if fmt == "csv":
        return tabular.csv_response(filename, header, rows, streaming=True)
    return tabular.xlsx_response(
        filename, header, rows, title=str(exports.SHEET_TITLE), streaming=True
    )


# --- Responses -----------------------------------------------------------------------------


@require_GET
@staff_required("surveys.view_survey", "surveys.view_response")
def response_list(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    scope = scope_for(request.user)
    responses = responses_for(survey, scope=scope)
    page = Paginator(responses, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/response_list.html", {"survey": survey, "page": page})


@require_GET
@staff_required("surveys.view_survey", "surveys.view_response")
def response_detail(request: HttpRequest, survey_pk: int, pk: int) -> HttpResponse:
    survey = _survey_for(request, survey_pk)
    scope = scope_for(request.user)
    responses = responses_for(survey, scope=scope)
    response = get_object_or_404(responses, pk=pk)
    answers = response.answers.select_related("question", "choice").order_by(
        "question__order", "question_id", "choice__order"
    )
    return render(
        request,
        "surveys/response_detail.html",
        {"survey": survey, "response": response, "answers": answers},
    )


# --- Field visits --------------------------------------------------------------------------


@require_GET
@staff_required("surveys.view_fieldvisit")
def fieldvisit_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    visits = field_visits(scope=scope)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/fieldvisit_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@staff_required("surveys.add_fieldvisit")
def fieldvisit_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if scope.nothing:
        raise PermissionDenied
    initial = {}
    area_id = parse_id(request.GET.get("area"))
    if not scope.limited and area_id is not None:
        initial["area"] = area_id
    form = FieldVisitForm(
        request.POST or None,
        initial=initial,
        fixed_area=scope.fixed_area,
    )
    if request.method == "POST" and form.is_valid():
        visit = services.record_field_visit(form=form, user=request.user)
        messages.success(request, _("Field visit recorded."))
        return redirect(visit)
    return render(request, "surveys/fieldvisit_form.html", {"form": form})


@require_GET
@staff_required("surveys.view_fieldvisit")
def fieldvisit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    visits = field_visits(scope=scope)
    visit = get_object_or_404(visits, pk=pk)
    return render(request, "surveys/fieldvisit_detail.html", {"visit": visit})
