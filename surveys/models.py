"""What residents need: surveys, questions, choices, responses, answers and field visits.

A survey's definition (survey, questions, choices) keeps its change history. Once a survey has
responses its questions and choices are archived, never deleted: every answer keeps its
question and choice (`on_delete=PROTECT`).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fenglin.i18n import in_active_language
from fenglin.versioning import VersionedModel


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyQuerySet(models.QuerySet):
    def published(self):
        """Surveys the public may see at their address: all but drafts (a closed survey says
        it is closed; a draft answers as an unknown address does)."""
        return self.exclude(status=SurveyStatus.DRAFT)

    def accepting(self, now=None):
        """Surveys residents can answer at `now`: open, and inside their dates if any."""
        now = now or timezone.now()
        return self.filter(
            Q(opens_at__isnull=True) | Q(opens_at__lte=now),
            Q(closes_at__isnull=True) | Q(closes_at__gt=now),
            status=SurveyStatus.OPEN,
        )


class Survey(VersionedModel):
    """A questionnaire. Open by hand (status) and, optionally, only between two dates.

    Versioned: an edit form saved over someone else's newer save is refused (fenglin.versioning);
    new responses bump `results_version` with an update, which leaves `version` alone.
    """

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    slug = models.SlugField(
        _("web address"),
        max_length=80,
        unique=True,
        help_text=_("Residents answer at /s/<web address>/."),
    )
    description = models.TextField(_("introduction"), blank=True)
    description_en = models.TextField(_("English introduction"), blank=True)
    thanks_text = models.TextField(_("thank-you text"), blank=True)
    thanks_text_en = models.TextField(_("English thank-you text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus, default=SurveyStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    illustrative = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("Demo or test responses: every figure built on them is marked illustrative."),
    )
    one_response_per_device = models.BooleanField(
        _("one response per device"),
        default=False,
        help_text=_(
            "A phone or computer that has answered once is told so and cannot answer again."
        ),
    )
    # Bumped in the same transaction as every new or deleted response; cached results are keyed
    # with it, so no server ever shows stale figures. Never written by a form or history.
    results_version = models.PositiveBigIntegerField(default=0, editable=False)
    # The edition residents answer: moved on (with a SurveyEdition row) when the questions of a
    # published survey change. Not the `version` of the lost-update checks, which counts saves.
    edition = models.PositiveIntegerField(_("edition"), default=1, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["results_version", "edition"])
    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(opens_at__lt=models.F("closes_at")),
                name="survey_opens_before_closes",
                violation_error_message=_("The survey must open before it closes."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def save(self, *args, **kwargs) -> None:
        # A staff edit must not write back a results_version or edition it read before new
        # responses or question edits moved them: leave both out of every ordinary update.
        if not self._state.adding and kwargs.get("update_fields") is None and self.pk:
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in ("results_version", "edition")
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("The survey must open before it closes.")})

    @property
    def display_title(self) -> str:
        return in_active_language(self.title, self.title_en)

    @property
    def display_description(self) -> str:
        return in_active_language(self.description, self.description_en)

    @property
    def display_thanks(self) -> str:
        return in_active_language(self.thanks_text, self.thanks_text_en)

    def is_accepting(self, now=None) -> bool:
        """True while residents can answer: open by hand and inside its dates, if any."""
        now = now or timezone.now()
        if self.status != SurveyStatus.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def not_yet_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == SurveyStatus.DRAFT or bool(
            self.status == SurveyStatus.OPEN and self.opens_at and now < self.opens_at
        )

    def get_public_url(self) -> str:
        return reverse("public_surveys:survey_form", args=[self.slug])


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating 1–5")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Short text")
    AREA = "area", _("Neighbourhood (area)")
    POINT = "point", _("Map point")


CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
# Kinds answered on the response itself (area, point), not in Answer rows.
RESPONSE_KINDS = {QuestionKind.AREA, QuestionKind.POINT}


class QuestionMeasures(models.TextChoices):
    """What a choice question's service choices say: that residents need the service near home,
    or which services one site should offer (a preference, not a measure of need)."""

    NEED = "need", _("Need for services near home")
    SITE = "site", _("Preference about one site")


class ConditionJoin(models.TextChoices):
    ALL = "all", _("all conditions are met")
    ANY = "any", _("any condition is met")


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)


class Question(models.Model):
    """One question of a survey. Archived questions are no longer asked but keep their answers."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind)
    text = models.CharField(_("question"), max_length=300)
    text_en = models.CharField(_("English question"), max_length=300, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    help_text_en = models.CharField(_("English help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    max_choices = models.PositiveSmallIntegerField(
        _("at most this many choices"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Multiple choice only; empty for no limit."),
    )
    min_value = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(
        _("maximum length"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text=_("Text only: characters; empty for 1,000."),
    )
    integer_only = models.BooleanField(
        _("whole numbers only"),
        default=True,
        help_text=_("Number only: untick for answers such as 2.5."),
    )
    constraint_message = models.CharField(
        _("message when a limit is not met"),
        max_length=200,
        blank=True,
        help_text=_("Shown to the resident instead of the standard message; empty for that."),
    )
    constraint_message_en = models.CharField(
        _("English message when a limit is not met"), max_length=200, blank=True
    )
    scale_min_label = models.CharField(
        _("label of 1"), max_length=60, blank=True, help_text=_("Rating only, e.g. very poor.")
    )
    scale_min_label_en = models.CharField(_("English label of 1"), max_length=60, blank=True)
    scale_max_label = models.CharField(
        _("label of 5"), max_length=60, blank=True, help_text=_("Rating only, e.g. very good.")
    )
    scale_max_label_en = models.CharField(_("English label of 5"), max_length=60, blank=True)
    measures = models.CharField(
        _("its service choices measure"),
        max_length=10,
        choices=QuestionMeasures,
        default=QuestionMeasures.NEED,
        help_text=_(
            "Choice questions: only answers to need questions count as demand; a question such as "
            "“which services should this site offer” is a preference about one site."
        ),
    )
    condition_join = models.CharField(
        _("show when"),
        max_length=3,
        choices=ConditionJoin,
        default=ConditionJoin.ALL,
        help_text=_("With several conditions: all of them, or any one."),
    )
    archived = models.BooleanField(
        _("archived"), default=False, help_text=_("No longer asked; its answers are kept.")
    )

    history = HistoricalRecords()
    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="question_min_not_above_max",
                violation_error_message=_("The smallest number is larger than the largest."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return in_active_language(self.text, self.text_en)

    @property
    def display_help(self) -> str:
        return in_active_language(self.help_text, self.help_text_en)

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def field_name(self) -> str:
        """The stable form field name (and id suffix) of this question."""
        return f"q{self.pk}"

    @property
    def text_max_length(self) -> int:
        return self.max_length or 1000

    @property
    def display_constraint_message(self) -> str:
        return in_active_language(self.constraint_message, self.constraint_message_en)

    @property
    def display_scale_min(self) -> str:
        return in_active_language(self.scale_min_label, self.scale_min_label_en)

    @property
    def display_scale_max(self) -> str:
        return in_active_language(self.scale_max_label, self.scale_max_label_en)

    def clean(self) -> None:
        super().clean()
        errors = {}
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and low > high:
            errors["max_value"] = _("The largest number must not be below the smallest.")
        if self.max_choices and self.kind != QuestionKind.MULTIPLE:
            errors["max_choices"] = _("Only multiple-choice questions take a maximum of choices.")
        fractional = [v for v in (low, high) if v is not None and v != v.to_integral_value()]
        if self.kind == QuestionKind.NUMBER and self.integer_only and fractional:
            errors["integer_only"] = _(
                "A limit has decimals: untick whole numbers only, or make the limits whole."
            )
        if errors:
            raise ValidationError(errors)


class RespondentGroup(models.TextChoices):
    ELDERLY = "elderly", _("Household with elderly members (60+)")
    CHILDREN = "children", _("Household with children")
    DISABLED = "disabled", _("Household with a disabled member")


class ChoiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)


class Choice(models.Model):
    """An option of a choice question. It may express a need (service type) or rate a site."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    service_type = models.ForeignKey(
        "sites.ServiceType",
        verbose_name=_("expresses a need for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_choices",
    )
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("rates the site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_choices",
    )
    respondent_group = models.CharField(
        _("marks the respondent as"),
        max_length=20,
        choices=RespondentGroup,
        blank=True,
        help_text=_("Choosing this puts the response in a group for the breakdowns."),
    )
    exclusive = models.BooleanField(
        _("excludes the others"),
        default=False,
        help_text=_("Multiple choice: an answer such as “none of these” that cannot be combined."),
    )
    archived = models.BooleanField(_("archived"), default=False)

    history = HistoricalRecords()
    objects = ChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return in_active_language(self.label, self.label_en)


class ConditionOperator(models.TextChoices):
    EQUALS = "equals", _("is")
    NOT_EQUALS = "not_equals", _("is not")
    INCLUDES = "includes", _("includes")
    GREATER_THAN = "greater_than", _("is greater than")
    LESS_THAN = "less_than", _("is less than")
    ANSWERED = "answered", _("is answered")


# Which operators make sense on which kind of earlier question.
OPERATORS_BY_KIND = {
    QuestionKind.SINGLE: {"equals", "not_equals", "answered"},
    QuestionKind.MULTIPLE: {"includes", "equals", "not_equals", "answered"},
    QuestionKind.RATING: {"equals", "not_equals", "greater_than", "less_than", "answered"},
    QuestionKind.NUMBER: {"equals", "not_equals", "greater_than", "less_than", "answered"},
    QuestionKind.TEXT: {"answered"},
    QuestionKind.AREA: {"answered"},
    QuestionKind.POINT: {"answered"},
}


class QuestionCondition(models.Model):
    """Skip logic: `question` is asked only when an earlier question's answer matches.

    Evaluated by surveys.logic on the server and by static/js/survey-logic.js in the browser;
    a question hidden by its conditions is not required and stores nothing.
    """

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="conditions",
    )
    source = models.ForeignKey(
        Question,
        verbose_name=_("earlier question"),
        on_delete=models.CASCADE,
        related_name="dependent_conditions",
    )
    operator = models.CharField(_("operator"), max_length=15, choices=ConditionOperator)
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("option"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.DecimalField(
        _("number"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "pk"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(question=models.F("source")),
                name="condition_not_on_itself",
                violation_error_message=_("A question cannot depend on itself."),
            ),
        ]

    def __str__(self) -> str:
        value = self.choice or ("" if self.number is None else self.number)
        return f"{self.source} {self.get_operator_display()} {value}".strip()


class SurveyEdition(models.Model):
    """An edition of a published survey's questions, recorded when they change, so every
    response says which wording and options it answered (Response.edition)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="editions"
    )
    number = models.PositiveIntegerField(_("edition"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The questions, options and conditions as residents saw them (surveys.editions.snapshot).
    questions = models.JSONField(_("questions"), default=list)

    class Meta:
        ordering = ["survey", "-number"]
        verbose_name = _("survey edition")
        verbose_name_plural = _("survey editions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="edition_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.number}"


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


class Response(models.Model):
    """One resident's completed questionnaire, online or keyed in from paper."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.ONLINE)
    area = models.ForeignKey(
        "sites.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_survey_responses",
    )
    paper_reference = models.CharField(
        _("questionnaire number"), max_length=40, blank=True, help_text=_("Paper only.")
    )
    # A salted hash of the client's address, for abuse checks only; never the address itself.
    client_hash = models.CharField(max_length=64, blank=True, editable=False)
    # A hash of the device cookie, kept only for surveys with one response per device.
    device_hash = models.CharField(max_length=64, blank=True, editable=False)
    has_elderly = models.BooleanField(_("household with elderly"), default=False)
    has_children = models.BooleanField(_("household with children"), default=False)
    has_disabled = models.BooleanField(_("household with disabled member"), default=False)
    edition = models.PositiveIntegerField(
        _("edition"), default=1, help_text=_("The edition of the questions it answered.")
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        permissions = [("add_paper_response", _("Can key in paper questionnaires"))]
        indexes = [
            models.Index(fields=["survey", "submitted_at"]),
            models.Index(fields=["survey", "area"]),
            models.Index(fields=["survey", "client_hash"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "idempotency_key"], name="response_unique_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["survey", "device_hash"],
                condition=~Q(device_hash=""),
                name="response_unique_device",
            ),
            # A paper questionnaire is keyed in once: its number identifies it in the survey.
            models.UniqueConstraint(
                fields=["survey", "paper_reference"],
                condition=~Q(paper_reference=""),
                name="response_unique_paper_reference",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="response_point_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response_detail", args=[self.survey_id, self.pk])


class Answer(models.Model):
    """One answer: a chosen choice (one row per choice), a number or a text.

    Area and map-point questions are answered on the response itself (area, latitude/longitude).
    """

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("choice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
    )
    number = models.DecimalField(
        _("number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("text"), blank=True)
    # 0 on the first row of a question's answer in a response, 1, 2 ... on further chosen
    # choices: counting position 0 counts respondents without a costly COUNT(DISTINCT).
    position = models.PositiveSmallIntegerField(default=0, editable=False)
    # The response's respondent groups, copied when the answer is stored (a response is never
    # edited): the results aggregate the answers table alone, without a join per request.
    has_elderly = models.BooleanField(default=False, editable=False)
    has_children = models.BooleanField(default=False, editable=False)
    has_disabled = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "choice"])]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "choice"],
                condition=Q(choice__isnull=False),
                name="answer_choice_once",
            ),
        ]

    def __str__(self) -> str:
        if self.choice_id:
            return str(self.choice)
        if self.number is not None:
            return str(self.number)
        return self.text


class FieldVisit(models.Model):
    """A visit or meeting with residents: where, when, how many came, which needs they raised."""

    date = models.DateField(_("date"))
    area = models.ForeignKey(
        "sites.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_visits",
    )
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_visits",
    )
    residents_count = models.PositiveIntegerField(_("residents met"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    needs = models.ManyToManyField(
        "sites.ServiceType",
        verbose_name=_("needs raised"),
        blank=True,
        related_name="field_visits",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(site__isnull=False),
                name="fieldvisit_area_or_site",
                violation_error_message=_("Say which area or site was visited."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} · {self.area or self.site}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:fieldvisit_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.area_id is None and self.site_id is None:
            raise ValidationError(_("Say which area or site was visited."))


@receiver(post_save, sender=Question, dispatch_uid="surveys.question_saved")
@receiver(post_delete, sender=Question, dispatch_uid="surveys.question_deleted")
@receiver(post_save, sender=Choice, dispatch_uid="surveys.choice_saved")
@receiver(post_delete, sender=Choice, dispatch_uid="surveys.choice_deleted")
@receiver(post_save, sender=QuestionCondition, dispatch_uid="surveys.condition_saved")
@receiver(post_delete, sender=QuestionCondition, dispatch_uid="surveys.condition_deleted")
def _definition_changed(sender, instance, **kwargs) -> None:
    # The survey's updated_at versions its definition: forms cached under it are rebuilt.
    survey_id = instance.survey_id if sender is Question else None
    if survey_id is None:
        survey_id = Question.objects.filter(pk=instance.question_id).values("survey_id")[:1]
    Survey.objects.filter(pk=survey_id).update(updated_at=timezone.now())


@receiver(post_delete, sender=Response, dispatch_uid="surveys.response_deleted")
def _response_deleted(sender, instance: Response, **kwargs) -> None:
    # Cached results are keyed with the version: a deleted response must invalidate them too.
    Survey.objects.filter(pk=instance.survey_id).update(
        results_version=models.F("results_version") + 1
    )
