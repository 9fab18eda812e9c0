"""Forms of the planning pages: parameters (GET), scenarios, additions, comparison, optimisation."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fenglin.parsing import ModelMultipleIdChoiceField
from fenglin.versioning import VersionedModelForm
from scenarios.inputs import Parameters
from scenarios.models import (
    DEFAULT_ELDERLY_SPEED,
    DEFAULT_K,
    DEFAULT_SPEED,
    Scenario,
    ScenarioAddition,
    SitingModel,
    SolveMethod,
)
from sites.models import LifeCircleLevel, ServiceType, Site, SiteService, SiteStatus, TargetGroup
from surveys.models import Survey


def _shown(default) -> str:
    """A default as a help text shows it: no trailing zeros, no exponent."""
    return f"{float(default):g}"


class SurveyChoiceField(ModelMultipleIdChoiceField):
    def label_from_instance(self, obj: Survey) -> str:
        return f"{obj.display_title} ({obj.get_status_display()})"


class SiteChoiceField(ModelMultipleIdChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        label = f"{obj.display_name} · {obj.address}"
        if obj.has_hazard:
            label += " · " + str(_("hazard"))
        return label


class DemandParametersForm(forms.Form):
    """The demand parameters, read from the query string; empty fields take the defaults."""

    k = forms.DecimalField(
        label=_("Prior strength k"),
        required=False,
        min_value=0,
        max_value=10000,
        decimal_places=2,
        help_text=format_lazy(_("Default {value}."), value=_shown(DEFAULT_K)),
    )
    surveys = SurveyChoiceField(
        label=_("Surveys used"),
        queryset=Survey.objects.order_by("-created_at"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every survey that is not a draft."),
    )

    def parameters(self) -> Parameters:
        """The parameters given, or the defaults where a field is empty or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        surveys = data.get("surveys")
        return Parameters(
            speed=float(data.get("speed") or DEFAULT_SPEED),
            elderly_speed=float(data.get("elderly_speed") or DEFAULT_ELDERLY_SPEED),
            k=float(DEFAULT_K if data.get("k") is None else data["k"]),
            survey_ids=tuple(sorted(s.pk for s in surveys)) if surveys else None,
        )


class CoverageParametersForm(DemandParametersForm):
    speed = forms.IntegerField(
        label=_("Walking speed (m/min)"),
        required=False,
        min_value=20,
        max_value=150,
        help_text=format_lazy(_("Default {value}."), value=_shown(DEFAULT_SPEED)),
    )
    elderly_speed = forms.IntegerField(
        label=_("Walking speed of the elderly (m/min)"),
        required=False,
        min_value=10,
        max_value=150,
        help_text=format_lazy(
            _("Default {value}; used for services for the elderly and disabled people."),
            value=_shown(DEFAULT_ELDERLY_SPEED),
        ),
    )

    field_order = ["speed", "elderly_speed", "k", "surveys"]


class GapFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Life-circle level"),
        required=False,
        choices=[("", _("All levels")), *LifeCircleLevel.choices],
    )
    group = forms.ChoiceField(
        label=_("Target group"),
        required=False,
        choices=[("", _("All groups")), *TargetGroup.choices],
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)


class ScenarioForm(VersionedModelForm):
    surveys = SurveyChoiceField(
        label=_("Surveys used"),
        queryset=Survey.objects.order_by("-created_at"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every survey that is not a draft."),
    )
    closed_sites = SiteChoiceField(
        label=_("Sites closed"),
        queryset=Site.objects.operating().order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Operating sites this scenario closes (all their services)."),
    )

    class Meta:
        model = Scenario
        fields = [
            "name",
            "name_en",
            "description",
            "speed_m_per_min",
            "elderly_speed_m_per_min",
            "prior_strength",
            "surveys",
            "closed_sites",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AdditionForm(forms.ModelForm):
    """A service added at a site; checked against today's services and the floor area."""

    class Meta:
        model = ScenarioAddition
        fields = ["site", "service_type", "floor_area_m2", "daily_capacity"]

    def __init__(self, *args, scenario: Scenario, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scenario = scenario
        self.instance.scenario = scenario
        self.fields["site"].queryset = (
            Site.objects.filter(status__in=["candidate", "selected", "building", "operating"])
            .exclude(pk__in=scenario.closed_sites.all())
            .order_by("name")
        )
        self.fields["service_type"].queryset = ServiceType.objects.active()

    def clean(self) -> dict:
        data = super().clean()
        site, service = data.get("site"), data.get("service_type")
        if site is None or service is None:
            return data
        if SiteService.objects.operating().filter(site=site, service_type=service).exists():
            self.add_error("service_type", _("This site already offers this service today."))
        floor = data.get("floor_area_m2")
        if floor is not None and site.floor_area_m2 is not None:
            used_today = site.services_floor_area()
            planned = sum(
                (a.floor_area_m2 or Decimal(0))
                for a in self.scenario.additions.filter(site=site).exclude(pk=self.instance.pk)
            )
            total = used_today + planned + floor
            if total > site.floor_area_m2:
                self.add_error(
                    "floor_area_m2",
                    _(
                        "The site has %(site)s m²; its services would use %(total)s m² "
                        "(%(over)s m² too much)."
                    )
                    % {
                        "site": site.floor_area_m2,
                        "total": total,
                        "over": total - site.floor_area_m2,
                    },
                )
        return data


class CompareForm(forms.Form):
    scenarios = ModelMultipleIdChoiceField(
        label=_("Scenarios to compare"),
        queryset=Scenario.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose two to four."),
    )

    def clean_scenarios(self):
        chosen = self.cleaned_data["scenarios"]
        if not 2 <= len(chosen) <= 4:
            raise forms.ValidationError(_("Choose between two and four scenarios."))
        return chosen


class SolverFields(forms.Form):
    """How hard to try: the method and the time limit of one optimisation run."""

    method = forms.ChoiceField(label=_("Method"), choices=SolveMethod.choices, initial="auto")
    time_limit_s = forms.IntegerField(
        label=_("Time limit (seconds)"),
        initial=30,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )


class OptimiseForm(SolverFields):
    """An optimisation of one service in a scenario; locked and excluded sites by default."""

    model = forms.ChoiceField(
        label=_("Model"),
        choices=[c for c in SitingModel.choices if c[0] != SitingModel.SHARED],
    )
    new_sites = forms.IntegerField(
        label=_("New sites to open (p)"),
        required=False,
        min_value=1,
        max_value=500,
        help_text=_(
            "Maximal coverage and p-median: how many sites to choose besides the locked ones."
        ),
    )
    target_share = forms.DecimalField(
        label=_("Target share of demand"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("1"),
        decimal_places=3,
        help_text=_("Fewest sites: the share of demand to reach, e.g. 0.9."),
    )
    locked = SiteChoiceField(
        label=_("Locked sites (always kept)"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excluded = SiteChoiceField(
        label=_("Excluded candidates (never chosen)"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sites with a recorded hazard are excluded by default."),
    )
    field_order = ["model", "new_sites", "target_share", "locked", "excluded"]

    def __init__(self, *args, providers: list[Site], others: list[Site], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.providers, self.others = providers, others
        self.fields["locked"].queryset = Site.objects.filter(pk__in=[s.pk for s in providers])
        self.fields["excluded"].queryset = Site.objects.filter(pk__in=[s.pk for s in others])
        if not self.is_bound:
            self.initial.setdefault("locked", [s.pk for s in providers])
            self.initial.setdefault("excluded", [s.pk for s in others if s.has_hazard])

    def clean(self) -> dict:
        data = super().clean()
        model = data.get("model")
        excluded = data.get("excluded") or []
        locked = data.get("locked") or []
        # Sites that may be chosen besides the locked ones (unlocked providers may be dropped).
        free = len(self.others) - len(excluded) + len(self.providers) - len(locked)
        if model == SitingModel.LSCP:
            if data.get("target_share") is None:
                self.add_error("target_share", _("Give the share of demand to reach."))
        elif model:
            new_sites = data.get("new_sites")
            if not new_sites:
                self.add_error("new_sites", _("Give the number of new sites to open."))
            elif new_sites > free:
                self.add_error(
                    "new_sites",
                    _("Only %(free)s sites can be chosen besides the locked ones.")
                    % {"free": free},
                )
        return data


class ServiceTypeChoiceField(ModelMultipleIdChoiceField):
    def label_from_instance(self, obj: ServiceType) -> str:
        area = f" · {obj.min_floor_area_m2} m²" if obj.min_floor_area_m2 else ""
        return f"{obj.name} (≤ {obj.threshold_m} m{area})"


class SharedPlanForm(SolverFields):
    """Several services placed at once into buildings whose floor area they share."""

    services = ServiceTypeChoiceField(
        label=_("Services to place"),
        queryset=ServiceType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each takes the minimum floor area of its standard; where a service is already "
            "offered, it keeps its building."
        ),
    )
    new_sites = forms.IntegerField(
        label=_("New buildings to open at most"),
        min_value=1,
        max_value=500,
        help_text=_("Buildings that host none of these services today."),
    )
    excluded = SiteChoiceField(
        label=_("Excluded buildings (never used)"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sites with a recorded hazard are excluded by default."),
    )
    field_order = ["services", "new_sites", "excluded"]

    def __init__(self, *args, buildings: list[Site], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = ServiceType.objects.with_standard()
        self.fields["excluded"].queryset = Site.objects.filter(pk__in=[s.pk for s in buildings])
        if not self.is_bound:
            self.initial.setdefault("excluded", [s.pk for s in buildings if s.has_hazard])

    def clean_services(self):
        chosen = self.cleaned_data["services"]
        if len(chosen) < 2:
            raise forms.ValidationError(_("Choose at least two services."))
        return chosen


class PremisesDecisionForm(forms.Form):
    """A planner's decision on offering one site for one service, whatever the screen says."""

    ALLOW, REFUSE, CLEAR = "allow", "refuse", "clear"

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    service_type = forms.ModelChoiceField(label=_("Service"), queryset=ServiceType.objects.none())
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (ALLOW, _("Offer it to the optimiser")),
            (REFUSE, _("Never offer it")),
            (CLEAR, _("Follow the standards again")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the history with your name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.exclude(status=SiteStatus.CLOSED).order_by(
            "name"
        )
        self.fields["service_type"].queryset = ServiceType.objects.active()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") in (self.ALLOW, self.REFUSE)
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Say why: the reason is kept with the decision."))
        return cleaned

    @property
    def allowed(self) -> bool | None:
        return {self.ALLOW: True, self.REFUSE: False}.get(self.cleaned_data["decision"])
