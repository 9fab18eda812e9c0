"""Pages about suitable premises and provision: a planner's decision on offering a site for a
service, and provision against the standards per area."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from fenglin.access import staff_required
from scenarios import services
from scenarios.forms import DemandParametersForm, PremisesDecisionForm
from scenarios.inputs import today_inputs
from scenarios.models import PremisesOverride
from scenarios.provision import provision
from sites.models import ServiceType

DECIDE = "scenarios.add_premisesoverride"
VIEW = "scenarios.view_scenario"


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


@staff_required(DECIDE)
def premises_decision(request: HttpRequest) -> HttpResponse:
    """Offer a site to the optimiser for a service, or refuse it, with a reason."""
    next_url = _next_url(request)
    if request.method == "POST":
        form = PremisesDecisionForm(request.POST)
        if form.is_valid():
            services.decide_premises(
                site=form.cleaned_data["site"],
                service_type=form.cleaned_data["service_type"],
                allowed=form.allowed,
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
            messages.success(request, gettext("The decision was saved; the next run follows it."))
            return redirect(next_url or reverse("scenarios:premises_decision"))
    else:
        form = PremisesDecisionForm(
            initial={
                "site": request.GET.get("site"),
                "service_type": request.GET.get("service"),
                "decision": request.GET.get("decision"),
            }
        )
    history = PremisesOverride.history.select_related(
        "site", "service_type", "history_user"
    ).order_by("-history_date")[:50]
    return render(
        request,
        "scenarios/premises_decision.html",
        {"form": form, "next": next_url, "history": history},
    )


@staff_required(VIEW)
def provision_page(request: HttpRequest) -> HttpResponse:
    """Provision against the standards today: a summary per service, one service in detail."""
    form = DemandParametersForm(request.GET or None)
    params = form.parameters()
    service_types = list(ServiceType.objects.with_standard())
    inputs = today_inputs(params=params, service_types=service_types)
    services = provision(inputs)
    code = request.GET.get("service")
    chosen = next((s for s in services if s.service_type.code == code), None)
    return render(
        request,
        "scenarios/provision.html",
        {
            "form": form,
            "params": params,
            "surveys": inputs.surveys,
            "services": services,
            "chosen": chosen,
            "illustrative": any(s.illustrative for s in services),
        },
    )
