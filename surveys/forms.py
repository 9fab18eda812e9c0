"""Forms: the resident's questionnaire (built from a survey's questions), paper entry, field
visits and the results filters. The survey builder's forms are in surveys.builder_forms."""

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from shapely.geometry import Point

from fenglin.parsing import ModelMultipleIdChoiceField
from sites.boundaries import street
from sites.models import Area, ServiceType, Site
from siting.boundaries import read_polygon
from surveys import logic
from surveys.models import (
    FieldVisit,
    Question,
    QuestionKind,
    RespondentGroup,
    Survey,
)

HONEYPOT_FIELD = "website"

RATING_CHOICES = [
    (1, _("1 – very poor")),
    (2, _("2 – poor")),
    (3, _("3 – fair")),
    (4, _("4 – good")),
    (5, _("5 – very good")),
]

REQUIRED = _("Please answer this question.")


@dataclass
class Submission:
    """A validated questionnaire, ready for services.submit_response to store."""

    area_id: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    # (question id, choice id, number, text) per Answer row, a question's rows together.
    answers: list[tuple[int, int | None, Decimal | None, str]] = field(default_factory=list)
    groups: set[str] = field(default_factory=set)


@dataclass
class QuestionField:
    """What a template needs to render one question: the question and its bound field(s)."""

    question: Question
    field: forms.BoundField
    lat: forms.BoundField | None = None
    lng: forms.BoundField | None = None
    area: forms.BoundField | None = None
    # When the question is asked, in words: pages without script show every question.
    condition_hint: str = ""

    @property
    def is_fieldset(self) -> bool:
        return self.question.kind in {
            QuestionKind.SINGLE,
            QuestionKind.MULTIPLE,
            QuestionKind.RATING,
            QuestionKind.POINT,
        }

    @property
    def show_if(self) -> str:
        """The question's skip logic as JSON for survey-logic.js ("" when always asked)."""
        data = logic.as_data(self.question)
        return json.dumps(data) if data else ""

    @property
    def exclusive_ids(self) -> str:
        """Ids of the options that exclude the others, space-separated, for the browser."""
        return " ".join(str(c.pk) for c in self.question.active_choices if c.exclusive)

    @property
    def errors(self):
        errors = list(self.field.errors)
        for extra in (self.lat, self.lng, self.area):
            if extra is not None:
                errors.extend(e for e in extra.errors if e not in errors)
        return errors


def _plain(number: Decimal) -> str:
    """A limit as residents write it: 12, not 12.00; 2.5, not 2.50."""
    text = f"{number.normalize():f}"
    return text


def counts_things(question: Question) -> bool:
    """Whole numbers only (household sizes, visits a week: 2.5 is no answer), unless the planner
    unticked it; a limit with a fraction still allows decimals, since the model refuses that mix."""
    limits = (question.min_value, question.max_value)
    whole_limits = all(v is None or v == v.to_integral_value() for v in limits)
    return question.integer_only and whole_limits


def number_field(question: Question, *, required: bool) -> forms.Field:
    """A number question's field: an integer input (step 1) when it counts things, with its
    limits as min/max attributes, so browsers stop wrong values as they are typed, and every
    message in plain words."""
    low, high = question.min_value, question.max_value
    messages = {"required": REQUIRED}
    if low is not None:
        messages["min_value"] = _("Enter %(low)s or more.") % {"low": _plain(low)}
    if high is not None:
        messages["max_value"] = _("Enter %(high)s or less.") % {"high": _plain(high)}
    if counts_things(question):
        messages["invalid"] = _("Enter a whole number, such as 3.")
        return forms.IntegerField(
            min_value=None if low is None else int(low),
            max_value=None if high is None else int(high),
            required=required,
            error_messages=messages,
            widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}),
        )
    messages["invalid"] = _("Enter a number, such as 2.5.")
    messages["max_decimal_places"] = _("Use at most two decimals.")
    messages["max_digits"] = _("Enter a smaller number.")
    messages["max_whole_digits"] = _("Enter a smaller number.")
    field_ = forms.DecimalField(
        min_value=low,
        max_value=high,
        max_digits=12,
        decimal_places=2,
        required=required,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    for attr, value in (("min", low), ("max", high)):
        if value is not None:
            field_.widget.attrs[attr] = _plain(value)
    return field_


OUTSIDE_STREET = _(
    "This point is outside Fenglin street. Move the pin inside the street, "
    "or choose your neighbourhood from the list instead."
)


# A pin dropped on the outline's line, or a few metres over it, is still the resident's street.
STREET_MARGIN_DEGREES = 0.0005  # about 50 m


def within_street(lat: Decimal, lng: Decimal) -> bool:
    """Inside the street's recorded outline (with a small margin); True where none is recorded,
    since the coordinate fields already keep the pin in the street's box."""
    outline = street()
    polygon = read_polygon(outline.boundary) if outline is not None else None
    if polygon is None:
        return True
    return polygon.buffer(STREET_MARGIN_DEGREES).covers(Point(float(lng), float(lat)))


def coordinate_field(label: str, axis: str) -> forms.DecimalField:
    """Latitude or longitude of a map answer: the typed alternative to the map. A point outside
    the street's box is refused in plain words, not with "ensure this value is ≤ 31.24"."""
    region = settings.SITE_REGION
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=8 if axis == "lat" else 9,
        decimal_places=6,
        min_value=Decimal(str(region[f"min_{axis}"])),
        max_value=Decimal(str(region[f"max_{axis}"])),
        error_messages={
            "invalid": _("Enter the coordinate as a number, such as 31.19."),
            "min_value": OUTSIDE_STREET,
            "max_value": OUTSIDE_STREET,
            "max_decimal_places": _("Use at most six decimals."),
            "max_digits": OUTSIDE_STREET,
            "max_whole_digits": OUTSIDE_STREET,
        },
        widget=forms.NumberInput(
            attrs={"step": "0.000001", "inputmode": "decimal", "autocomplete": "off"}
        ),
    )


def describe_condition(condition, by_id: dict[int, Question]) -> str:
    """A skip-logic condition in words: “Do you use the canteen?” is “Yes”."""
    source = by_id.get(condition.source_id)
    name = f"“{source.display_text}”" if source else _("a removed question")
    value = ""
    if condition.choice_id is not None:
        options = {c.pk: c for c in source.all_choices} if source else {}
        choice = options.get(condition.choice_id)
        value = f" “{choice.display_label}”" if choice else ""
    elif condition.number is not None:
        value = f" {_plain(condition.number)}"
    return f"{name} {condition.get_operator_display()}{value}"


def condition_hint(question: Question, by_id: dict[int, Question]) -> str:
    """When a question is asked, for residents and planners ("" when always)."""
    if not question.condition_list:
        return ""
    words = pgettext("list separator", "; ").join(
        describe_condition(c, by_id) for c in question.condition_list
    )
    if question.condition_join == "any" and len(question.condition_list) > 1:
        return _("Answer only if one of these holds: %(when)s.") % {"when": words}
    return _("Answer only if %(when)s.") % {"when": words}


def rating_choices(question: Question) -> list[tuple[int, str]]:
    """The five points of a rating, its ends labelled as the planner wrote them, if at all."""
    low, high = question.display_scale_min, question.display_scale_max
    if not (low or high):
        return RATING_CHOICES
    labels = {1: low, 5: high}
    return [(n, f"{n} – {labels[n]}" if labels.get(n) else str(n)) for n in range(1, 6)]


class ResponseForm(forms.Form):
    """A resident's answers to a survey: one field per active question, named q<question id>.

    Area and map-point questions answer the response itself. A point question always has the
    text alternative of choosing the area: from the survey's area question, or its own select.
    """

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        survey: Survey,
        questions: list[Question],
        areas: list[tuple[int, str]],
        fixed_area: Area | None = None,
        honeypot: bool = True,
        **kwargs,
    ) -> None:
        kwargs.setdefault("auto_id", "id_%s")
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = questions
        self.fixed_area = fixed_area
        self.area_choices = list(areas)
        if fixed_area is not None:
            self.area_choices = [(fixed_area.pk, fixed_area.name)]
        self.has_area_question = any(q.kind == QuestionKind.AREA for q in questions)
        self.point_question = next((q for q in questions if q.kind == QuestionKind.POINT), None)
        if not self.is_bound or not self.data.get("idempotency_key"):
            self.initial.setdefault("idempotency_key", uuid.uuid4())
        if honeypot:
            self.fields[HONEYPOT_FIELD] = forms.CharField(
                label=_("Leave this field empty"),
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            )
        for question in questions:
            self._add_fields(question)

    # --- building --------------------------------------------------------------------------

    def _area_field(self, *, required: bool, label: str) -> forms.Field:
        field_ = forms.TypedChoiceField(
            label=label,
            choices=[("", _("— choose your neighbourhood —")), *self.area_choices],
            coerce=int,
            required=required,
            error_messages={
                "required": REQUIRED,
                "invalid_choice": _("Choose a neighbourhood from the list."),
            },
        )
        if self.fixed_area is not None:
            field_.initial = self.fixed_area.pk
            field_.disabled = True
        return field_

    def _add_fields(self, question: Question) -> None:
        name = question.field_name
        label = question.display_text
        help_text = question.display_help
        required = question.required
        kind = question.kind
        choices = [(c.pk, c.display_label) for c in question.active_choices]
        errors = {"required": REQUIRED, "invalid_choice": _("Choose one of the options.")}
        if kind == QuestionKind.SINGLE:
            field_ = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                required=required,
                error_messages=errors,
            )
        elif kind == QuestionKind.MULTIPLE:
            limit = {"data-max-choices": question.max_choices} if question.max_choices else {}
            field_ = forms.TypedMultipleChoiceField(
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple(attrs=limit),
                required=required,
                error_messages=errors,
            )
        elif kind == QuestionKind.RATING:
            field_ = forms.TypedChoiceField(
                choices=rating_choices(question),
                coerce=int,
                widget=forms.RadioSelect,
                required=required,
                error_messages=errors,
            )
        elif kind == QuestionKind.NUMBER:
            field_ = number_field(question, required=required)
        elif kind == QuestionKind.TEXT:
            limit = question.text_max_length
            field_ = forms.CharField(
                max_length=limit,
                required=required,
                error_messages={"required": REQUIRED},
                widget=forms.Textarea(attrs={"rows": 3 if limit > 200 else 2}),
            )
        elif kind == QuestionKind.AREA:
            field_ = self._area_field(required=required, label=label)
        else:  # POINT: optional pin, validated together with the area alternative in clean()
            field_ = forms.CharField(required=False, widget=forms.HiddenInput)
            self.fields[f"{name}_lat"] = coordinate_field(_("Latitude"), "lat")
            self.fields[f"{name}_lng"] = coordinate_field(_("Longitude"), "lng")
            if not self.has_area_question:
                self.fields[f"{name}_area"] = self._area_field(
                    required=False, label=_("Or choose your neighbourhood")
                )
        if question.constraint_message and kind == QuestionKind.NUMBER:
            for key in ("min_value", "max_value"):
                field_.error_messages[key] = question.display_constraint_message
        field_.label = label
        field_.help_text = help_text
        self.fields[name] = field_

    def question_fields(self) -> list[QuestionField]:
        """The questions in order with their bound fields, for the templates."""
        items = []
        by_id = {q.pk: q for q in self.questions}
        for question in self.questions:
            name = question.field_name
            item = QuestionField(
                question=question, field=self[name], condition_hint=condition_hint(question, by_id)
            )
            if question.kind == QuestionKind.POINT:
                item.lat = self[f"{name}_lat"]
                item.lng = self[f"{name}_lng"]
                if f"{name}_area" in self.fields:
                    item.area = self[f"{name}_area"]
            items.append(item)
        return items

    @property
    def honeypot_field(self):
        return self[HONEYPOT_FIELD] if HONEYPOT_FIELD in self.fields else None

    def honeypot_filled(self) -> bool:
        """True when a bot filled the hidden field (checked on the raw data)."""
        return HONEYPOT_FIELD in self.fields and bool(self.data.get(HONEYPOT_FIELD, "").strip())

    # --- validating ------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        area_answered = False
        for question in self.questions:
            name = question.field_name
            if question.kind == QuestionKind.MULTIPLE and question.max_choices:
                chosen = cleaned.get(name) or []
                if len(chosen) > question.max_choices:
                    self.add_error(
                        name,
                        question.display_constraint_message
                        or _("Choose at most %(n)d options.") % {"n": question.max_choices},
                    )
            if question.kind == QuestionKind.MULTIPLE and len(cleaned.get(name) or []) > 1:
                exclusive = [c for c in question.active_choices if c.exclusive]
                picked = [c for c in exclusive if c.pk in cleaned[name]]
                if picked:
                    self.add_error(
                        name,
                        _("“%(option)s” cannot be combined with other options.")
                        % {"option": picked[0].display_label},
                    )
            if question.kind == QuestionKind.AREA and cleaned.get(name) not in (None, ""):
                area_answered = True
        for question in self.questions:
            if question.kind != QuestionKind.POINT:
                continue
            name = question.field_name
            lat, lng = cleaned.get(f"{name}_lat"), cleaned.get(f"{name}_lng")
            if (lat is None) != (lng is None):
                missing = f"{name}_lng" if lng is None else f"{name}_lat"
                if missing not in self.errors:
                    self.add_error(missing, _("Give both latitude and longitude, or neither."))
                continue
            if lat is not None and not within_street(lat, lng):
                self.add_error(f"{name}_lat", OUTSIDE_STREET)
                continue
            own_area = cleaned.get(f"{name}_area") not in (None, "")
            if question.required and lat is None and not (area_answered or own_area):
                if f"{name}_lat" in self.errors or f"{name}_lng" in self.errors:
                    continue
                self.add_error(
                    name, _("Drop a pin on the map or choose your neighbourhood from the list.")
                )
        self._skip_hidden(cleaned)
        return cleaned

    def _skip_hidden(self, cleaned: dict) -> None:
        """Questions the skip logic hides (surveys.logic) are not required and store nothing,
        whatever was posted for them."""
        answers = {}
        for question in self.questions:
            name = question.field_name
            if question.kind == QuestionKind.POINT:
                answers[question.pk] = cleaned.get(f"{name}_lat")
            else:
                answers[question.pk] = cleaned.get(name)
        self.visible = logic.visible_questions(self.questions, answers)
        for question in self.questions:
            if question.pk in self.visible:
                continue
            name = question.field_name
            for key in (name, f"{name}_lat", f"{name}_lng", f"{name}_area"):
                cleaned.pop(key, None)
                self._errors.pop(key, None)

    def submission(self) -> Submission:
        """The valid answers as rows to store (call after is_valid())."""
        data = self.cleaned_data
        result = Submission()
        choice_groups = {
            c.pk: c.respondent_group
            for q in self.questions
            for c in q.active_choices
            if c.respondent_group
        }
        for question in self.questions:
            name = question.field_name
            value = data.get(name)
            kind = question.kind
            if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                chosen = value if isinstance(value, list) else [value]
                for choice_id in dict.fromkeys(chosen):  # a repeated value counts once
                    if choice_id in (None, ""):
                        continue
                    result.answers.append((question.pk, choice_id, None, ""))
                    if choice_id in choice_groups:
                        result.groups.add(choice_groups[choice_id])
            elif kind in (QuestionKind.RATING, QuestionKind.NUMBER):
                if value not in (None, ""):
                    result.answers.append((question.pk, None, Decimal(value), ""))
            elif kind == QuestionKind.TEXT:
                if value and value.strip():
                    result.answers.append((question.pk, None, None, value.strip()))
            elif kind == QuestionKind.AREA:
                if value not in (None, ""):
                    result.area_id = int(value)
            elif kind == QuestionKind.POINT:
                lat, lng = data.get(f"{name}_lat"), data.get(f"{name}_lng")
                if lat is not None and lng is not None:
                    result.latitude, result.longitude = lat, lng
                fallback = data.get(f"{name}_area")
                if result.area_id is None and fallback not in (None, ""):
                    result.area_id = int(fallback)
        if self.fixed_area is not None:
            result.area_id = self.fixed_area.pk
        return result


class PaperResponseForm(ResponseForm):
    """The same questionnaire keyed in by staff from paper, without the honeypot."""

    paper_reference = forms.CharField(
        label=_("Questionnaire number"),
        max_length=40,
        required=False,
        help_text=_("The number written on the paper form, if any."),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs["honeypot"] = False
        super().__init__(*args, **kwargs)


class FieldVisitForm(forms.ModelForm):
    class Meta:
        model = FieldVisit
        fields = ["date", "area", "site", "residents_count", "notes", "needs"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "needs": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"needs": ModelMultipleIdChoiceField}

    def __init__(self, *args, fixed_area: Area | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_area = fixed_area
        self.fields["needs"].queryset = ServiceType.objects.active()
        sites = Site.objects.only("name")
        if fixed_area is not None:
            self.fields["area"].queryset = Area.objects.filter(pk=fixed_area.pk)
            self.fields["area"].initial = fixed_area.pk
            self.fields["area"].disabled = True
            sites = sites.filter(area=fixed_area)
        self.fields["site"].queryset = sites

    def clean(self):
        cleaned = super().clean()
        if self.fixed_area is not None:
            cleaned["area"] = self.fixed_area
        site, area = cleaned.get("site"), cleaned.get("area")
        if site is None and area is None:
            raise forms.ValidationError(_("Say which area or site was visited."))
        if site is not None and area is not None and site.area_id not in (None, area.pk):
            self.add_error("site", _("This site lies in another area."))
        return cleaned


class ResultsFilterForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.all(), required=False, empty_label=_("All areas")
    )
    group = forms.ChoiceField(
        label=_("Respondents"),
        choices=[("", _("Everyone")), *RespondentGroup.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("Online and paper")), ("online", _("Online")), ("paper", _("Paper"))],
        required=False,
    )

    def __init__(self, *args, fixed_area: Area | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if fixed_area is not None:
            self.fields["area"].queryset = Area.objects.filter(pk=fixed_area.pk)
            self.fields["area"].empty_label = None
            self.fields["area"].initial = fixed_area.pk
            self.fields["area"].disabled = True
