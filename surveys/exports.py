"""Exports of a survey's responses: one row per response, one column per question, choices by
label. Rows are streamed from the database with iterator(), so memory stays flat at any size;
fenglin.tabular writes them, as every export of the project (clean text, no cell a spreadsheet
would run as a formula), and the view sends them with its csv_response or xlsx_response."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sites.models import Area
from surveys.demand import DemandRow
from surveys.models import Answer, Question, QuestionKind, Survey

CHUNK = 2000
FORMATS = ("csv", "xlsx")
SHEET_TITLE = gettext_lazy("Responses")


def header(questions: list[Question]) -> list[str]:
    return [
        _("response"),
        _("submitted"),
        _("channel"),
        _("area"),
        _("latitude"),
        _("longitude"),
        _("household with elderly"),
        _("household with children"),
        _("household with disabled member"),
        _("questionnaire number"),
        _("edition"),
        *[q.display_text for q in questions],
    ]


def rows(survey: Survey, questions: list[Question], responses: QuerySet) -> Iterator[list]:
    """Plain values per response; multiple choices joined with "; " in the choices' order."""
    labels = {c.pk: c.display_label for q in questions for c in q.all_choices}
    order = {c.pk: (c.order, c.pk) for q in questions for c in q.all_choices}
    areas = dict(Area.objects.values_list("pk", "name"))
    answers = Prefetch(
        "answers",
        queryset=Answer.objects.only("response_id", "question_id", "choice_id", "number", "text"),
    )
    responses = responses.order_by("pk").prefetch_related(answers)
    for response in responses.iterator(chunk_size=CHUNK):
        by_question: dict[int, list[Answer]] = {}
        for answer in response.answers.all():
            by_question.setdefault(answer.question_id, []).append(answer)
        area = areas.get(response.area_id, "")
        row = [
            response.pk,
            timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
            response.get_channel_display(),
            area,
            response.latitude,
            response.longitude,
            int(response.has_elderly),
            int(response.has_children),
            int(response.has_disabled),
            response.paper_reference,
            response.edition,
        ]
        for question in questions:
            given = by_question.get(question.pk, [])
            if question.kind == QuestionKind.AREA:
                row.append(area)
            elif question.kind == QuestionKind.POINT:
                point = response.latitude is not None
                row.append(f"{response.latitude},{response.longitude}" if point else "")
            elif question.has_choices:
                chosen = sorted((a.choice_id for a in given), key=lambda c: order.get(c, (0, c)))
                row.append("; ".join(labels.get(c, "") for c in chosen))
            elif question.kind in (QuestionKind.RATING, QuestionKind.NUMBER):
                number = given[0].number if given else None
                if number is not None and number == number.to_integral_value():
                    number = int(number)
                row.append(number)
            else:
                row.append(given[0].text if given else "")
        yield row


def export_filename(survey: Survey, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{survey.slug}-responses-{stamp}.{extension}"


# --- Demand per area and service -----------------------------------------------------------

DEMAND_TITLE = gettext_lazy("Demand")


def demand_header() -> list[str]:
    return [
        _("area code"),
        _("area"),
        _("service code"),
        _("service"),
        _("whose answers count"),
        _("respondents in the area (N)"),
        _("respondents who chose it (n)"),
        _("street-wide rate (R)"),
        _("prior strength (k)"),
        _("need rate r = (k·R + n) / (k + N)"),
        _("population"),
        _("population basis"),
        _("demand"),
        _("unit"),
        _("source"),
        _("question"),
        _("illustrative"),
    ]


def demand_rows(rows: list[DemandRow], k: float) -> Iterator[list]:
    """One line per area × service of `demand.demand_table`, with every input of its figure and
    the question it came from; rates as fractions, so a spreadsheet can redo the sum. A service
    nothing measured has an empty demand, not 0."""
    for row in rows:
        service = row.service_type
        measured = row.measured
        yield [
            row.area.code,
            row.area.name,
            service.code,
            service.name,
            row.group_label,
            row.respondents,
            row.choosers,
            round(row.street_rate, 6),
            k,
            round(row.rate, 6),
            None if row.population is None else round(row.population, 1),
            row.population_basis,
            None if measured is None else round(measured, 2),
            row.unit_label,
            row.source_label,
            "; ".join(row.questions),
            _("yes") if row.illustrative else "",
        ]


def demand_filename(survey: Survey, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{survey.slug}-demand-{stamp}.{extension}"
