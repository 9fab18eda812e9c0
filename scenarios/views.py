"""Planning pages: demand, coverage, standards gaps, scenarios, comparison and optimisation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fenglin import tabular
from fenglin.access import staff_required
from fenglin.archive import ArchiveView, RestoreView, just_archived
from fenglin.sorting import sorted_page
from fenglin.versioning import EditConflict
from scenarios import runs, selectors, services
from scenarios.forms import (
    AdditionForm,
    CompareForm,
    CoverageParametersForm,
    DemandParametersForm,
    GapFilterForm,
    OptimiseForm,
    ScenarioForm,
    SharedPlanForm,
)
from scenarios.gaps import gap_table
from scenarios.inputs import Parameters, measured_demand, optimisation_pool, shared_pool
from scenarios.models import (
    OptimisationRun,
    RunStatus,
    Scenario,
    ScenarioAddition,
    SitingModel,
)
from sites.illustrative import export_note
from sites.models import ServiceType, TargetGroup

VIEW = "scenarios.view_scenario"
ADD = "scenarios.add_scenario"
CHANGE = "scenarios.change_scenario"


# --- Planning home -----------------------------------------------------------------------------


@staff_required(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    runs.expire_runs()  # so the list never shows a run as running whose worker died
    show_archived = request.GET.get("archived") == "on"
    listed = sorted_page(
        request,
        selectors.scenario_list(archived=show_archived),
        fields={"name": ["name"], "created": ["created_at"]},
        default="-created",
    )
    return render(
        request,
        "scenarios/index.html",
        {
            **listed,
            "scenarios": listed["rows"],
            "show_archived": show_archived,
            "just_archived": just_archived(
                request, Scenario.objects.exclude(archived_at=None), "scenarios:scenario_restore"
            ),
            "runs": selectors.recent_runs(),
            "overview": selectors.planning_overview(),
        },
    )


class ScenarioArchiveView(ArchiveView):
    permission_required = CHANGE
    list_url_name = "scenarios:index"
    queryset = Scenario.objects.filter(archived_at=None)

    def archive(self, record: Scenario) -> None:
        services.archive_scenario(scenario=record, user=self.request.user)


class ScenarioRestoreView(RestoreView):
    permission_required = CHANGE
    queryset = Scenario.objects.exclude(archived_at=None)

    def restore(self, record: Scenario) -> None:
        services.restore_scenario(scenario=record, user=self.request.user)


# --- Demand -----------------------------------------------------------------------------------


@staff_required(VIEW)
def demand_list(request: HttpRequest) -> HttpResponse:
    form = DemandParametersForm(request.GET or None)
    params = form.parameters()
    summaries, surveys = selectors.demand_overview(params)
    return render(
        request,
        "scenarios/demand_list.html",
        {
            "form": form,
            "params": params,
            "summaries": summaries,
            "surveys": surveys,
            "illustrative": any(s.illustrative for s in summaries),
        },
    )


@staff_required(VIEW)
def demand_detail(request: HttpRequest, code: str) -> HttpResponse:
    service_type = get_object_or_404(ServiceType.objects.active(), code=code)
    form = DemandParametersForm(request.GET or None)
    params = form.parameters()
    rows, surveys = selectors.demand_detail(params, service_type)
    return render(
        request,
        "scenarios/demand_detail.html",
        {
            "form": form,
            "params": params,
            "service_type": service_type,
            "rows": rows,
            "summary": selectors.summarise(rows) if rows else None,
            "surveys": surveys,
            "map_items": selectors.demand_map_items(rows),
            "query": request.GET.urlencode(),
        },
    )


# --- Coverage ----------------------------------------------------------------------------------


@staff_required(VIEW)
def coverage_list(request: HttpRequest) -> HttpResponse:
    form = CoverageParametersForm(request.GET or None)
    params = form.parameters()
    inputs, items = selectors.coverage_overview(params)
    return render(
        request,
        "scenarios/coverage_list.html",
        {
            "form": form,
            "params": params,
            "surveys": inputs.surveys,
            "items": items,
            "query": request.GET.urlencode(),
        },
    )


@staff_required(VIEW)
def coverage_detail(request: HttpRequest, code: str) -> HttpResponse:
    service_type = get_object_or_404(ServiceType.objects.with_standard(), code=code)
    form = CoverageParametersForm(request.GET or None)
    params = form.parameters()
    inputs, metrics = selectors.coverage_detail(params, service_type)
    return _render_coverage(request, form=form, inputs=inputs, metrics=metrics, st=service_type)


def _render_coverage(request, *, form, inputs, metrics, st, scenario=None, closed=()):
    return render(
        request,
        "scenarios/coverage_detail.html",
        {
            "form": form,
            "params": inputs.params,
            "surveys": inputs.surveys,
            "service_type": st,
            "metrics": metrics,
            "groups": _group_rows(metrics),
            "areas": selectors.area_rows(inputs, metrics),
            "map_data": selectors.coverage_map_data(inputs, metrics, closed),
            "scenario": scenario,
        },
    )


def _group_rows(metrics: dict) -> list[dict]:
    labels = dict(TargetGroup.choices)
    return [
        {
            "label": labels.get(group, group),
            "population": metrics["group_population"].get(group),
            "share": share,
            "minutes": metrics["group_mean_minutes"].get(group),
        }
        for group, share in metrics["group_share"].items()
    ]


# --- Standards gaps ----------------------------------------------------------------------------


@staff_required(VIEW)
def gaps(request: HttpRequest) -> HttpResponse:
    form = GapFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    params = Parameters()
    matrix = selectors.gaps(
        params,
        level=data.get("level", ""),
        group=data.get("group", ""),
        sort=data.get("sort", ""),
    )
    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        return _export_gaps(matrix, export)
    filters = request.GET.copy()
    for key in ("sort", "format"):
        filters.pop(key, None)
    return render(
        request,
        "scenarios/gaps.html",
        {
            "form": form,
            "params": params,
            "matrix": matrix,
            "sort": data.get("sort", ""),
            "filters": filters.urlencode(),
        },
    )


def _export_gaps(matrix: dict, kind: str) -> HttpResponse:
    header, *rows = gap_table(matrix["rows"], matrix["service_types"])
    note = export_note()
    if note:  # a column, not a line above the header: the file stays one table
        header, rows = [*header, gettext("Illustrative data")], [[*row, note] for row in rows]
    if kind == "csv":
        return tabular.csv_response("standards-gaps.csv", header, rows)
    return tabular.xlsx_response("standards-gaps.xlsx", header, rows, title="gaps")


# --- Scenarios ---------------------------------------------------------------------------------


@staff_required(ADD)
def scenario_create(request: HttpRequest) -> HttpResponse:
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scenario = services.create_scenario(
            name=data["name"],
            description=data["description"],
            user=request.user,
            surveys=data["surveys"],
            closed_sites=data["closed_sites"],
            speed_m_per_min=data["speed_m_per_min"],
            elderly_speed_m_per_min=data["elderly_speed_m_per_min"],
            prior_strength=data["prior_strength"],
        )
        messages.success(request, gettext("Scenario created from today's operating sites."))
        return redirect(scenario)
    return render(request, "scenarios/scenario_form.html", {"form": form, "scenario": None})


@staff_required(CHANGE)
def scenario_update(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    form = ScenarioForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_scenario(
                scenario=form.instance,
                surveys=form.cleaned_data["surveys"],
                closed_sites=form.cleaned_data["closed_sites"],
                loaded=form.loaded(),
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            messages.success(request, gettext("Scenario saved."))
            return redirect(scenario)
    return render(request, "scenarios/scenario_form.html", {"form": form, "scenario": scenario})


@staff_required(VIEW)
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario.objects.select_related("created_by"), pk=pk)
    runs.expire_runs(pks=scenario.optimisation_runs.values_list("pk", flat=True))
    data = selectors.scenario_detail(scenario)
    return render(
        request,
        "scenarios/scenario_detail.html",
        {
            "scenario": scenario,
            "results": data["results"],
            "summary": data["summary"],
            "additions": scenario.additions.select_related("site", "service_type"),
            "map_sites": selectors.scenario_map_sites(scenario, data["results"]),
            "runs": scenario.optimisation_runs.select_related("service_type")[:10],
            "produced_by": scenario.produced_by_runs.first(),
        },
    )


@staff_required(VIEW)
def scenario_service(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    service_type = get_object_or_404(ServiceType.objects.with_standard(), code=code)
    inputs, metrics = selectors.scenario_service(scenario, service_type)
    return _render_coverage(
        request,
        form=None,
        inputs=inputs,
        metrics=metrics,
        st=service_type,
        scenario=scenario,
        closed=list(scenario.closed_sites.all()),
    )


@staff_required(CHANGE)
@require_POST
def scenario_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    services.evaluate_scenario(scenario=scenario, force=True)
    messages.success(request, gettext("Scenario evaluated."))
    return redirect(scenario)


@staff_required(CHANGE)
def addition_create(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    form = AdditionForm(request.POST or None, scenario=scenario)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _addition, created = services.add_to_scenario(
                scenario=scenario,
                site=data["site"],
                service_type=data["service_type"],
                floor_area_m2=data["floor_area_m2"],
                daily_capacity=data["daily_capacity"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, gettext("Site and service added to the scenario."))
            else:
                messages.info(request, gettext("This site and service were already added."))
            return redirect(scenario)
    return render(request, "scenarios/addition_form.html", {"form": form, "scenario": scenario})


@staff_required(CHANGE)
@require_POST
def addition_delete(request: HttpRequest, pk: int, addition_pk: int) -> HttpResponse:
    addition = get_object_or_404(ScenarioAddition, pk=addition_pk, scenario_id=pk)
    services.remove_from_scenario(addition=addition)
    messages.success(request, gettext("Removed from the scenario."))
    return redirect("scenarios:scenario_detail", pk=pk)


@staff_required(VIEW)
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None)
    data = None
    if form.is_valid():
        data = selectors.comparison(list(form.cleaned_data["scenarios"].order_by("pk")))
    only_differences = request.GET.get("only") == "differences"
    return render(
        request,
        "scenarios/scenario_compare.html",
        {"form": form, "data": data, "only_differences": only_differences},
    )


# --- Optimisation ------------------------------------------------------------------------------


@staff_required(ADD, CHANGE)
def scenario_optimise(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    choices = list(ServiceType.objects.with_standard())
    code = request.POST.get("service") or request.GET.get("service")
    service_type = next((t for t in choices if t.code == code), None)
    if service_type is None:
        return render(
            request,
            "scenarios/scenario_optimise.html",
            {"scenario": scenario, "service_types": choices, "service_type": None},
        )
    providers, others = optimisation_pool(scenario, service_type)
    form = OptimiseForm(request.POST or None, providers=providers, others=others)
    if request.method == "POST" and form.is_valid() and not measured_demand(scenario, service_type):
        # Every plan would cover nobody: refuse rather than report 0 as "optimal".
        form.add_error(
            None,
            gettext(
                "No demand is measured for %(service)s: no survey of this scenario asked about "
                "it, so every plan would cover 0 residents. Add a survey question about this "
                "service, or choose another service."
            )
            % {"service": service_type.name},
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = runs.start_optimisation(
            scenario=scenario,
            user=request.user,
            model=data["model"],
            service_type=service_type,
            new_sites=data.get("new_sites"),
            target_share=data.get("target_share"),
            locked=data["locked"],
            excluded=data["excluded"],
            method=data["method"],
            time_limit_s=data["time_limit_s"],
        )
        return redirect(run)
    return render(
        request,
        "scenarios/scenario_optimise.html",
        {
            "scenario": scenario,
            "service_types": choices,
            "service_type": service_type,
            "form": form,
            "providers": providers,
            "others": others,
        },
    )


@staff_required(ADD, CHANGE)
def scenario_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Several services placed at once into buildings whose floor area they share."""
    scenario = get_object_or_404(Scenario, pk=pk)
    buildings = shared_pool(scenario)
    form = SharedPlanForm(request.POST or None, buildings=buildings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = runs.start_optimisation(
            scenario=scenario,
            user=request.user,
            model=SitingModel.SHARED,
            service_type=None,
            shared_service_types=list(data["services"]),
            new_sites=data["new_sites"],
            target_share=None,
            locked=[],
            excluded=data["excluded"],
            method=data["method"],
            time_limit_s=data["time_limit_s"],
        )
        return redirect(run)
    with_area = sum(1 for s in buildings if s.floor_area_m2)
    return render(
        request,
        "scenarios/scenario_share.html",
        {"scenario": scenario, "form": form, "buildings": buildings, "with_area": with_area},
    )


def _run_status(run: OptimisationRun) -> dict:
    return {
        "status": run.status,
        "status_label": run.get_status_display(),
        "stage": gettext(run.stage) if run.stage else "",
        "progress": run.progress,
        "finished": run.is_finished,
        "cancel_requested": run.cancel_requested,
        "error": run.failure_message,
    }


@staff_required(VIEW)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    runs.expire_runs(pks=[pk])
    run = get_object_or_404(
        OptimisationRun.objects.select_related("scenario", "service_type", "result_scenario"),
        pk=pk,
    )
    return render(
        request,
        "scenarios/run_detail.html",
        {
            "run": run,
            "status": _run_status(run),
            "status_url": reverse("scenarios:run_status", args=[run.pk]),
            "chosen_map": run.summary.get("chosen", []),
            "gains": selectors.run_gains(run),
            "solver": selectors.solver_words(run.summary.get("solution", {})),
        },
    )


@staff_required(VIEW)
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    runs.expire_runs(pks=[pk])  # the polling page learns of a dead worker
    run = get_object_or_404(OptimisationRun, pk=pk)
    return JsonResponse(_run_status(run))


@staff_required(CHANGE)
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(OptimisationRun, pk=pk)
    run = runs.request_cancel(run=run)
    if run.status == RunStatus.CANCELLED:
        messages.success(request, gettext("The run is cancelled."))
    elif not run.is_finished:
        messages.success(request, gettext("Cancelling: the run stops after its current stage."))
    else:
        messages.error(request, gettext("The run had already finished."))
    return redirect(run)
