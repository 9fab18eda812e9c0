"""Demo data of the surveys app: the Tianlong life box needs survey with synthetic responses.

Responses are synthetic and plausibly skewed: households with elderly members ask more for a
canteen, day care and a health station; young families for a nursery and after-school care.
Points are illustrative (area centre plus noise). Need is read from the question "which services
does your household need near home"; "which services should the Tianlong life box offer" is a
preference about that one site (Question.measures), not need across the street. Loading is
idempotent: response i always has the same idempotency key for a seed, and only the missing ones
are created (bulk_create).
"""

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sites.models import Area, ServiceType
from surveys.models import (
    Answer,
    Channel,
    Choice,
    FieldVisit,
    Question,
    QuestionKind,
    QuestionMeasures,
    RespondentGroup,
    Response,
    Survey,
    SurveyStatus,
)
from surveys.services import answer_rows, bump_results_version

SLUG = "tianlong-life-box"
TITLE = "天龙生活盒子功能需求调查"
KEY_NAMESPACE = uuid.UUID("6f1c8a52-4d0e-4a8e-9a43-6b7f0a2c9e11")
FIRST_DAY = datetime(2026, 3, 2, 9, 0)  # five rounds of fieldwork from March 2026
BATCH = 2000

SERVICE_CHOICES = [
    ("社区食堂 / 长者食堂", "Community canteen", "canteen", ""),
    ("老年人日间照料", "Elderly day care", "elderly_day_care", ""),
    ("社区卫生服务站", "Health station", "health_station", ""),
    ("托育服务（0–3岁）", "Nursery (0–3)", "nursery", ""),
    ("课后看护", "After-school care", "after_school", ""),
    ("生鲜超市", "Fresh food market", "market", ""),
    ("洗衣", "Laundry", "laundry", ""),
    ("烘焙", "Bakery", "bakery", ""),
    ("理发", "Barber", "barber", ""),
    ("修补维修", "Repairs", "repair", ""),
    ("足疗", "Foot spa", "foot_spa", ""),
    ("文化活动站", "Culture station", "culture_station", ""),
    ("健身场地", "Fitness", "fitness", ""),
    ("自习室", "Study room", "study_room", ""),
]
TIANLONG_EN = "Which services should the Tianlong life box offer?"

# kind, zh, en, required, extra fields, choices [(zh, en, service code, group)]
QUESTIONS = [
    (QuestionKind.AREA, "您住在哪个居委会？", "Which neighbourhood do you live in?", True, {}, []),
    (
        QuestionKind.MULTIPLE,
        "您家里有以下成员吗？",
        "Does your household include:",
        True,
        {},
        [
            ("60岁及以上老人", "Someone aged 60 or over", None, RespondentGroup.ELDERLY),
            ("0–6岁儿童", "A child aged 0–6", None, RespondentGroup.CHILDREN),
            ("7–14岁儿童", "A child aged 7–14", None, RespondentGroup.CHILDREN),
            ("残疾人", "A disabled person", None, RespondentGroup.DISABLED),
            ("以上都没有", "None of these", None, ""),
        ],
    ),
    (
        QuestionKind.SINGLE,
        "您的年龄段",
        "Your age",
        True,
        {},
        [
            ("18–34岁", "18–34", None, ""),
            ("35–59岁", "35–59", None, ""),
            ("60–74岁", "60–74", None, ""),
            ("75岁及以上", "75 or over", None, ""),
        ],
    ),
    (
        QuestionKind.MULTIPLE,
        "您家需要在步行15分钟内有哪些服务？",
        "Which services does your household need within a 15-minute walk of home?",
        True,
        {"measures": QuestionMeasures.NEED},
        SERVICE_CHOICES,
    ),
    (
        QuestionKind.MULTIPLE,
        "您希望天龙生活盒子提供哪些服务？",
        TIANLONG_EN,
        True,
        {"max_choices": 5, "measures": QuestionMeasures.SITE},
        SERVICE_CHOICES,
    ),
    (
        QuestionKind.RATING,
        "您对家附近现有社区服务的满意度",
        "How satisfied are you with the community services near your home?",
        True,
        {},
        [],
    ),
    (
        QuestionKind.NUMBER,
        "您每周大约去几次社区服务点？",
        "About how many times a week do you visit a community service point?",
        False,
        {"min_value": Decimal(0), "max_value": Decimal(21)},
        [],
    ),
    (
        QuestionKind.POINT,
        "在地图上标出您家附近的位置（可选）",
        "Mark a place near your home on the map (optional)",
        False,
        {},
        [],
    ),
    (
        QuestionKind.TEXT,
        "您还有什么建议？",
        "Anything else you would like to tell us?",
        False,
        {"max_length": 500},
        [],
    ),
]

# Base wish rates, and the rates for households with elderly members / young children.
NEED_RATES = {
    "canteen": (0.30, 0.72, 0.30),
    "elderly_day_care": (0.12, 0.55, 0.10),
    "health_station": (0.25, 0.45, 0.30),
    "nursery": (0.06, 0.05, 0.62),
    "after_school": (0.08, 0.06, 0.55),
    "market": (0.30, 0.30, 0.30),
    "laundry": (0.18, 0.15, 0.20),
    "bakery": (0.15, 0.08, 0.22),
    "barber": (0.22, 0.30, 0.12),
    "repair": (0.20, 0.25, 0.12),
    "foot_spa": (0.10, 0.15, 0.05),
    "culture_station": (0.22, 0.30, 0.18),
    "fitness": (0.25, 0.15, 0.25),
    "study_room": (0.10, 0.03, 0.25),
}
SUGGESTIONS = [
    "希望食堂价格实惠，有适合老人的软食。",
    "周末也希望开放托育服务。",
    "希望营业时间延长到晚上八点。",
    "希望有无障碍通道和电梯。",
    "希望增加儿童游戏空间。",
    "Please add English signs.",
]


def _ensure_survey() -> tuple[Survey, list[Question]]:
    survey = Survey.objects.filter(slug=SLUG).first()
    if survey is None:
        survey = Survey.objects.create(
            slug=SLUG,
            title=TITLE,
            title_en="Tianlong life box: what should it offer?",
            description=(
                "枫林街道正在规划天龙生活盒子。请告诉我们您和家人最需要哪些服务，约需3分钟。"
                "（示例数据 / illustrative demo）"
            ),
            description_en=(
                "Fenglin street office is planning the Tianlong life box. Tell us which services "
                "you and your family need most; it takes about 3 minutes. (Illustrative demo.)"
            ),
            thanks_text="感谢您的参与！您的意见将用于社区服务规划。",
            thanks_text_en="Thank you! Your answers will help plan the community's services.",
            status=SurveyStatus.OPEN,
            illustrative=True,
        )
    questions = list(survey.questions.order_by("order", "pk"))
    if questions:
        # A demo loaded before questions said what they measure: its Tianlong question is a
        # preference about that site (reload the demo into a fresh database for the need one).
        Survey.objects.filter(pk=survey.pk).update(illustrative=True)
        survey.questions.filter(text_en=TIANLONG_EN).update(measures=QuestionMeasures.SITE)
        return survey, questions
    services = {s.code: s for s in ServiceType.objects.all()}
    for order, (kind, zh, en, required, extra, choices) in enumerate(QUESTIONS):
        question = Question.objects.create(
            survey=survey, kind=kind, text=zh, text_en=en, required=required, order=order, **extra
        )
        for position, (label, label_en, code, group) in enumerate(choices):
            Choice.objects.create(
                question=question,
                label=label,
                label_en=label_en,
                order=position,
                service_type=services.get(code) if code else None,
                respondent_group=group,
            )
        questions.append(question)
    return survey, questions


def _key(seed: int, index: int) -> uuid.UUID:
    return uuid.uuid5(KEY_NAMESPACE, f"{seed}:{index}")


def _synthesise(index: int, seed: int, areas: list[Area], weights: list[float], qs: dict) -> tuple:
    """One synthetic response and its answers, the same for the same (seed, index)."""
    rng = random.Random(f"fenglin-demo:{seed}:{index}")
    area = rng.choices(areas, weights=weights)[0]
    elderly_share = (area.population_elderly or 0) / (area.population_total or 1)
    elderly = rng.random() < 0.15 + elderly_share  # elderly households answer more
    young = rng.random() < 0.14
    school = rng.random() < 0.16
    disabled = rng.random() < 0.05
    channel = Channel.PAPER if rng.random() < (0.55 if elderly else 0.25) else Channel.ONLINE
    when = FIRST_DAY + timedelta(
        days=28 * rng.randrange(5) + rng.randrange(14), minutes=rng.randrange(10 * 60)
    )
    response = Response(
        survey_id=qs["survey"].pk,
        channel=channel,
        area=area,
        submitted_at=timezone.make_aware(when),
        idempotency_key=_key(seed, index),
        paper_reference=f"P{index + 1:05d}" if channel == Channel.PAPER else "",
        has_elderly=elderly,
        has_children=young or school,
        has_disabled=disabled,
    )
    if channel == Channel.ONLINE and rng.random() < 0.6:
        response.latitude = Decimal(f"{float(area.centroid_lat) + rng.gauss(0, 0.0012):.6f}")
        response.longitude = Decimal(f"{float(area.centroid_lng) + rng.gauss(0, 0.0015):.6f}")
    answers: list[tuple] = []
    household = qs["household"]
    members = [elderly, young, school, disabled]
    chosen = [c for c, flag in zip(household, members, strict=False) if flag] or [household[-1]]
    answers += [(qs["q_household"], c, None, "") for c in chosen]
    ages = qs["ages"]
    if elderly and rng.random() < 0.6:
        age = ages[2] if rng.random() < 0.65 else ages[3]
    else:
        age = ages[0] if (young or rng.random() < 0.35) else ages[1]
    answers.append((qs["q_age"], age, None, ""))
    column = 1 if elderly else 2 if (young or school) else 0
    wishes = [(need, box) for need, box, rate in qs["needs"] if rng.random() < rate[column]]
    rng.shuffle(wishes)
    first = qs["needs"][0][:2]
    if qs["q_box"] is not None:
        answers += [(qs["q_needs"], need, None, "") for need, _box in wishes or [first]]
    answers += [
        (qs["q_box"] or qs["q_needs"], box, None, "") for _need, box in wishes[:5] or [first]
    ]
    rating = rng.choices([1, 2, 3, 4, 5], weights=[4, 10, 34, 36, 16])[0]
    answers.append((qs["q_rating"], None, Decimal(rating), ""))
    if rng.random() < 0.8:
        visits = min(21, int(rng.expovariate(0.45 if elderly else 0.9)))
        answers.append((qs["q_visits"], None, Decimal(visits), ""))
    if rng.random() < 0.1:
        answers.append((qs["q_text"], None, None, rng.choice(SUGGESTIONS)))
    return response, answers


def _load_responses(survey: Survey, questions: list[Question], responses: int, seed: int) -> int:
    areas = list(Area.objects.order_by("code"))
    if not areas or responses <= 0:
        return 0
    by_kind = {q.kind: q for q in questions if q.kind not in (QuestionKind.MULTIPLE,)}
    multiples = [q for q in questions if q.kind == QuestionKind.MULTIPLE]
    q_household, q_needs = multiples[0], multiples[1]
    # A demo survey loaded before the need question existed has the Tianlong question only.
    q_box = multiples[2] if len(multiples) > 2 else None
    need_choices = list(q_needs.choices.order_by("order").select_related("service_type"))
    box_choices = list(q_box.choices.order_by("order")) if q_box else need_choices
    needs = [
        (c, box, NEED_RATES.get(c.service_type.code if c.service_type else "", (0.1, 0.1, 0.1)))
        for c, box in zip(need_choices, box_choices, strict=True)
    ]
    qs = {
        "survey": survey,
        "q_household": q_household,
        "household": list(q_household.choices.order_by("order")),
        "q_age": by_kind[QuestionKind.SINGLE],
        "ages": list(by_kind[QuestionKind.SINGLE].choices.order_by("order")),
        "q_needs": q_needs,
        "q_box": q_box,
        "needs": needs,
        "q_rating": by_kind[QuestionKind.RATING],
        "q_visits": by_kind[QuestionKind.NUMBER],
        "q_text": by_kind[QuestionKind.TEXT],
    }
    weights = [float(a.population_total or 1000) for a in areas]
    existing = set(survey.responses.values_list("idempotency_key", flat=True))
    missing = [i for i in range(responses) if _key(seed, i) not in existing]
    for start in range(0, len(missing), BATCH):
        built = [_synthesise(i, seed, areas, weights, qs) for i in missing[start : start + BATCH]]
        stored = Response.objects.bulk_create([response for response, _answers in built])
        Answer.objects.bulk_create(
            [
                row
                for response, (_unsaved, answers) in zip(stored, built, strict=True)
                for row in answer_rows(response, answers)
            ],
            batch_size=BATCH,
        )
    if missing:
        bump_results_version(survey.pk)
    return len(missing)


VISITS = [
    # days after FIRST_DAY, area code, residents, notes, needs
    (0, "tianlong", 24, "第一轮走访：天龙居委会居民座谈（示例）", ["canteen", "elderly_day_care"]),
    (28, "lingling", 18, "第二轮：零陵路231号综合体意见征集（示例）", ["health_station"]),
    (56, "fenglin-1", 31, "第三轮：年轻家庭座谈（示例）", ["nursery", "after_school"]),
    (84, "dongan-1", 15, "第四轮：残障人士家庭走访（示例）", ["disability_centre"]),
    (112, "xiaomuqiao", 27, "第五轮：方案反馈会（示例）", ["canteen", "laundry", "bakery"]),
]


def _load_visits() -> int:
    areas = {a.code: a for a in Area.objects.all()}
    services = {s.code: s for s in ServiceType.objects.all()}
    created = 0
    for days, code, residents, notes, needs in VISITS:
        area = areas.get(code)
        if area is None:
            continue
        visit, was_created = FieldVisit.objects.get_or_create(
            date=(FIRST_DAY + timedelta(days=days)).date(),
            area=area,
            notes=notes,
            defaults={"residents_count": residents},
        )
        if was_created:
            visit.needs.set([services[c] for c in needs if c in services])
            created += 1
    return created


@transaction.atomic
def load(*, stdout, responses: int = 1000, seed: int = 2026) -> None:
    """Load the demo survey, `responses` synthetic responses and the field visits (idempotent)."""
    survey, questions = _ensure_survey()
    added = _load_responses(survey, questions, responses, seed)
    visits = _load_visits()
    stdout.write(
        f"Surveys: '{survey.title}' with {survey.responses.count()} responses "
        f"({added} new), {visits} new field visits (illustrative)."
    )
