"""Forms of the survey builder: the survey, a question by its kind (each kind shows only its
own settings), its options (added, removed and reordered inline) and its skip logic."""

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from fenglin.versioning import VersionedModelForm
from sites.models import ServiceType, Site
from surveys.models import (
    OPERATORS_BY_KIND,
    Choice,
    Question,
    QuestionCondition,
    QuestionKind,
    Survey,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SLUG_WORDS_MAX = 40


def suggested_slug(title_en: str) -> str:
    """A short, readable, unused web address: the English title's first words, else the date
    (pinyin is not available), with -2, -3 ... when taken."""
    base = slugify(title_en)[:SLUG_WORDS_MAX]
    if "-" in base and len(slugify(title_en)) > SLUG_WORDS_MAX:
        base = base.rsplit("-", 1)[0]  # end on a whole word
    base = base.strip("-") or f"survey-{timezone.localdate():%Y%m%d}"
    taken = set(Survey.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


class SurveyForm(VersionedModelForm):
    class Meta:
        model = Survey
        fields = [
            "title",
            "title_en",
            "slug",
            "description",
            "description_en",
            "thanks_text",
            "thanks_text_en",
            "opens_at",
            "closes_at",
            "one_response_per_device",
        ]
        widgets = {
            "opens_at": DATETIME_WIDGET,
            "closes_at": DATETIME_WIDGET,
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "thanks_text": forms.Textarea(attrs={"rows": 2}),
            "thanks_text_en": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        slug = self.fields["slug"]
        slug.required = False
        slug.help_text = _(
            "Residents answer at /s/<web address>/. Leave it empty to make one from the "
            "English title. Changing it breaks links already shared."
        )

    def clean_slug(self) -> str:
        return self.cleaned_data.get("slug") or ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and "slug" not in self.errors:
            cleaned["slug"] = suggested_slug(cleaned.get("title_en") or "")
        return cleaned


COMMON_FIELDS = ["text", "text_en", "help_text", "help_text_en", "required"]
# The settings each kind of question shows; the others are reset when the kind changes.
KIND_FIELDS = {
    QuestionKind.SINGLE: [],
    QuestionKind.MULTIPLE: ["max_choices", "constraint_message", "constraint_message_en"],
    QuestionKind.RATING: [
        "scale_min_label",
        "scale_min_label_en",
        "scale_max_label",
        "scale_max_label_en",
    ],
    QuestionKind.NUMBER: [
        "min_value",
        "max_value",
        "integer_only",
        "constraint_message",
        "constraint_message_en",
    ],
    QuestionKind.TEXT: ["max_length"],
    QuestionKind.AREA: [],
    QuestionKind.POINT: [],
}
SETTINGS = sorted({name for names in KIND_FIELDS.values() for name in names})
KIND_HELP = {
    QuestionKind.SINGLE: _("One answer from a list of options."),
    QuestionKind.MULTIPLE: _("Several answers from a list, with an optional limit."),
    QuestionKind.RATING: _("A score from 1 to 5, its ends labelled as you like."),
    QuestionKind.NUMBER: _("A number within limits, whole or with decimals."),
    QuestionKind.TEXT: _("A few words in the resident's own hand."),
    QuestionKind.AREA: _("The neighbourhood committee area, from the list of areas."),
    QuestionKind.POINT: _("A point on the map of the street, or the area instead."),
}


class QuestionForm(forms.ModelForm):
    """A question of one kind (set on the instance by the view): only that kind's settings."""

    class Meta:
        model = Question
        fields = [*COMMON_FIELDS, *SETTINGS, "condition_join"]
        widgets = {"condition_join": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        shown = {*COMMON_FIELDS, *KIND_FIELDS[kind], "condition_join"}
        defaults = Question()
        for name in SETTINGS:
            if name not in shown:
                del self.fields[name]
                # Settings of another kind would no longer mean anything.
                setattr(self.instance, name, getattr(defaults, name))
        # Posted only where the conditions are shown (not for a survey's first question).
        self.fields["condition_join"].required = False
        if "constraint_message" in self.fields:
            self.fields["constraint_message"].help_text = (
                _("Shown when the number is outside the limits.")
                if kind == QuestionKind.NUMBER
                else _("Shown when too many options are chosen.")
            )

    def clean_condition_join(self) -> str:
        return self.cleaned_data.get("condition_join") or self.instance.condition_join

    @property
    def kind_settings(self) -> list[forms.BoundField]:
        return [self[name] for name in KIND_FIELDS[self.instance.kind]]

    @property
    def common_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in COMMON_FIELDS]

    def clean(self):
        cleaned = super().clean()
        kind = self.instance.kind
        survey = self.instance.survey if self.instance.survey_id else None
        if survey is not None and kind in (QuestionKind.AREA, QuestionKind.POINT):
            others = survey.questions.active().filter(kind=kind).exclude(pk=self.instance.pk)
            if others.exists():
                raise forms.ValidationError(_("A survey can have only one question of this kind."))
        return cleaned


class ChoiceForm(forms.ModelForm):
    class Meta:
        model = Choice
        fields = ["label", "label_en", "service_type", "site", "respondent_group", "exclusive"]

    def __init__(self, *args, kind: str = QuestionKind.SINGLE, lists=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.active()
        self.fields["site"].queryset = Site.objects.only("name")
        for name, choices in (lists or {}).items():
            self.fields[name].choices = choices  # read once per formset, not once per row
        if kind != QuestionKind.MULTIPLE:
            del self.fields["exclusive"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("service_type") and cleaned.get("site"):
            self.add_error("site", _("A choice expresses a need or rates a site, not both."))
        return cleaned


class BaseChoiceFormSet(forms.BaseInlineFormSet):
    @cached_property
    def _lists(self) -> dict[str, list]:
        blank = [("", "---------")]
        return {
            "service_type": blank + [(o.pk, str(o)) for o in ServiceType.objects.active()],
            "site": blank + [(o.pk, str(o)) for o in Site.objects.only("name")],
        }

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "lists": self._lists}

    def get_ordering_widget(self):
        return forms.NumberInput(attrs={"min": "1", "class": "order-input"})


# One blank row per page: the page's script adds as many as needed, without it a save adds the
# next. absolute_max bounds the work a forged TOTAL_FORMS can cause.
ChoiceFormSet = forms.inlineformset_factory(
    Question,
    Choice,
    form=ChoiceForm,
    formset=BaseChoiceFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=500,
    absolute_max=500,
    validate_max=True,
)


class TaggedSelect(forms.Select):
    """A select whose options carry data- attributes, for the page's script."""

    def __init__(self, *args, tags: dict[str, dict] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tags = tags or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"].update(self.tags.get(str(value), {}))
        return option


class ConditionForm(forms.ModelForm):
    """One condition: an earlier question, how its answer is tested, and the option or number."""

    class Meta:
        model = QuestionCondition
        fields = ["source", "operator", "choice", "number"]

    def __init__(self, *args, sources=(), earlier=frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.earlier = earlier
        ids = [q.pk for q in sources]
        # The querysets validate; the lists shown come from the questions already loaded, the
        # options grouped under their question.
        self.fields["source"].queryset = Question.objects.filter(pk__in=ids)
        self.fields["choice"].queryset = Choice.objects.active().filter(question_id__in=ids)
        blank = [("", "---------")]
        # Each question says its kind and each option its question: the script shows only
        # the tests and options that fit the chosen question.
        self.fields["source"].widget = TaggedSelect(
            tags={str(q.pk): {"data-kind": q.kind} for q in sources}
        )
        self.fields["choice"].widget = TaggedSelect(
            tags={str(c.pk): {"data-source": str(q.pk)} for q in sources for c in q.active_choices}
        )
        self.fields["source"].choices = blank + [(q.pk, q.display_text) for q in sources]
        self.fields["choice"].choices = blank + [
            (q.display_text, [(c.pk, c.display_label) for c in q.active_choices])
            for q in sources
            if q.has_choices and q.active_choices
        ]
        self.fields["choice"].required = False
        self.fields["choice"].help_text = _("For a choice question.")
        self.fields["number"].help_text = _("For a number or a rating.")

    def clean(self):
        cleaned = super().clean()
        source, operator = cleaned.get("source"), cleaned.get("operator")
        choice, number = cleaned.get("choice"), cleaned.get("number")
        if source is None or not operator or cleaned.get("DELETE"):
            return cleaned
        if source.pk not in self.earlier:
            self.add_error(
                "source", _("Only an earlier question can decide whether this one is asked.")
            )
        elif operator not in OPERATORS_BY_KIND[source.kind]:
            self.add_error("operator", _("This test does not apply to that question."))
        elif operator == "answered":
            cleaned["choice"], cleaned["number"] = None, None
        elif source.has_choices:
            if choice is None or choice.question_id != source.pk:
                self.add_error("choice", _("Choose an option of that question."))
            cleaned["number"] = None
        else:
            if number is None:
                self.add_error("number", _("Give the number to compare with."))
            cleaned["choice"] = None
        return cleaned


ConditionFormSet = forms.inlineformset_factory(
    Question,
    QuestionCondition,
    form=ConditionForm,
    fk_name="question",
    extra=1,
    can_delete=True,
    max_num=20,
    absolute_max=20,
    validate_max=True,
)
