"""Staff pages around a survey's results: the text answers (searched, paged, exported), the demand
export per area × service, and the QR poster of the public link. The results page itself is
views.survey_results; `results_extras` adds its charts, text answers and map data."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fenglin import tabular
from fenglin.access import Scope, scope_for, staff_required
from fenglin.parsing import parse_id
from surveys import charts, exports
from surveys.demand import DEFAULT_K, demand_table
from surveys.models import Question, QuestionKind, Survey, SurveyStatus
from surveys.qr import qr_svg
from surveys.results import newest_text_answers, text_answers
from surveys.selectors import AreaRow, questions_for

TEXT_PAGE_SIZE = 50
# Longest search text: enough for a phrase, short enough to keep LIKE cheap.
MAX_QUERY = 100


def _survey_for(request: HttpRequest, pk: int) -> Survey:
    survey = get_object_or_404(Survey, pk=pk)
    if survey.status == SurveyStatus.DRAFT and scope_for(request.user).limited:
        raise Http404
    return survey


def results_extras(
    survey: Survey, results: dict, *, scope: Scope, area_id: int | None, group: str, channel: str
) -> dict:
    """What the results page shows beside the aggregate: an SVG chart on each rating and number
    question (its table is the text alternative), the newest text answers, and the map data."""
    filters = {"area_id": area_id, "group": group, "channel": channel}
    questions = [r.question for r in results["questions"]]
    for result in results["questions"]:
        question = result.question
        if question.kind == QuestionKind.RATING:
            bars = [charts.Bar(str(value), count) for value, count, _percent in result.ratings]
        elif question.kind == QuestionKind.NUMBER:
            bars = charts.number_bins(result.values)
        else:
            continue
        result.bars = bars
        result.chart = charts.bar_chart(
            bars,
            title=question.display_text,
            description=_("Answers per value: %(values)s.")
            % {"values": ", ".join(f"{b.label}: {b.count}" for b in bars)},
            chart_id=f"chart-{question.pk}",
        )
    texts = newest_text_answers(questions, scope=scope, **filters)
    for result in results["questions"]:
        result.texts = texts.get(result.question.pk, [])
    return {"map_data": map_data(results["areas"], results["pins"])}


def map_data(rows: list[AreaRow], pins: list) -> dict:
    """Responses per 1,000 residents per area: the boundary filled by that rate where the area
    has one, a circle sized by the count at its centre where it has not."""
    areas = []
    for row in rows:
        area = row.area
        if area is None or not row.responses:
            continue
        rate = row.per_thousand
        label = (
            _("%(n)s responses, %(rate)s per 1,000 residents") % {"n": row.responses, "rate": rate}
            if rate is not None
            else _("%(n)s responses (population unknown)") % {"n": row.responses}
        )
        item = {"name": area.name, "value": row.responses, "rate": rate, "label": label}
        if area.boundary:
            item["boundary"] = area.boundary
        if area.centroid_lat is not None and area.centroid_lng is not None:
            item["lat"], item["lng"] = float(area.centroid_lat), float(area.centroid_lng)
        if "boundary" in item or "lat" in item:
            areas.append(item)
    return {"areas": areas, "pins": pins}


def _text_questions(survey: Survey) -> list[Question]:
    return [q for q in questions_for(survey, include_archived=True) if q.kind == QuestionKind.TEXT]


def _chosen(request: HttpRequest, questions: list[Question]) -> Question | None:
    """The text question asked for by ?question=, else the first one."""
    wanted = parse_id(request.GET.get("question"))
    return next((q for q in questions if q.pk == wanted), questions[0] if questions else None)


def _query(request: HttpRequest) -> str:
    return (request.GET.get("q") or "").strip()[:MAX_QUERY]


@require_GET
@staff_required("surveys.view_survey", "surveys.view_response")
def text_answer_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The answers to a text question, newest first, 50 a page, filtered by ?q=."""
    survey = _survey_for(request, pk)
    questions = _text_questions(survey)
    question = _chosen(request, questions)
    query = _query(request)
    page = None
    if question is not None:
        answers = text_answers(question, scope=scope_for(request.user), query=query)
        page = Paginator(answers, TEXT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "survey": survey,
        "questions": questions,
        "question": question,
        "page": page,
        "query": query,
    }
    return render(request, "surveys/text_answers.html", context)


@require_GET
@staff_required("surveys.view_survey", "surveys.view_response")
def text_answer_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The answers of the list above (same question and search) as CSV."""
    survey = _survey_for(request, pk)
    question = _chosen(request, _text_questions(survey))
    if question is None:
        raise Http404
    answers = text_answers(question, scope=scope_for(request.user), query=_query(request))
    header = [_("response"), _("submitted"), _("area"), question.display_text]
    rows = (
        [
            a.response_id,
            timezone.localtime(a.response.submitted_at).strftime("%Y-%m-%d %H:%M"),
            a.response.area.name if a.response.area else "",
            a.text,
        ]
        for a in answers.iterator(chunk_size=exports.CHUNK)
    )
    filename = f"{survey.slug}-q{question.pk}-{timezone.localtime():%Y%m%d-%H%M}.csv"
    return tabular.csv_response(filename, header, rows, streaming=True)


@require_GET
@staff_required("surveys.view_survey", "surveys.view_response")
def demand_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Demand per area × service from this survey's answers (surveys.demand), with every input
    of each figure; committee staff get their own area's rows."""
    survey = _survey_for(request, pk)
    if fmt not in exports.FORMATS:
        raise Http404
    scope = scope_for(request.user)
    areas = [scope.area] if scope.limited and scope.area else ([] if scope.limited else None)
    questions = questions_for(survey, include_archived=True)
    # The services this survey asked about: others would be rows of nothing but the prior.
    asked = {c.service_type_id for q in questions for c in q.all_choices if c.service_type_id}
    rows = demand_table(
        survey_ids=[survey.pk], areas=areas, k=DEFAULT_K, service_types=sorted(asked)
    )
    header, lines = exports.demand_header(), exports.demand_rows(rows, DEFAULT_K)
    filename = exports.demand_filename(survey, fmt)
    if fmt == "csv":
        return tabular.csv_response(filename, header, lines)
    title = str(exports.DEMAND_TITLE)
    return tabular.xlsx_response(filename, header, lines, title=title)


@require_GET
@staff_required("surveys.view_survey")
def qr_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """An A4 poster for a residents' committee notice board: title, a large QR code of the
    public link, the link written out, and "scan to answer"."""
    survey = _survey_for(request, pk)
    url = request.build_absolute_uri(survey.get_public_url())
    code = qr_svg(url, title=_("QR code of the survey's link"), description=url)
    return render(request, "surveys/survey_poster.html", {"survey": survey, "url": url, "qr": code})
