"""Demo safety inspections: a year of monthly self-checks and quarterly joint inspections of
the operating demo sites, with a few checks overdue, a site never inspected and a few open
findings.

Runs after `sites.demo`. Idempotent: nothing is added once demo inspections exist. The open
findings are the demo's hazards: recording them raises the sites' hazard flags (which follow
open findings only), at the operating sites of the "subtraction" story and at two candidate
premises (a structural survey pending, fire exits too narrow). Like every demo record, the
inspections are illustrative.
"""

import random
from datetime import date, timedelta

from sites.demo import DEMO_NOTE
from sites.models import Site, SiteStatus
from sites.safety import schedules
from sites.safety.models import Finding, Inspection, InspectionResult
from sites.safety.services import NewFinding, record_inspection

INSPECTORS = [
    "王伟、李娜（站点自查）",
    "张敏（站点自查）",
    "街道安全办 刘洋、陈静",
    "街道安全办 赵磊；区消防救援支队 孙强",
    "市场监管所 周慧；街道安全办 刘洋",
]
ROUTINE_FINDINGS = {
    "fire": "灭火器压力不足，已更换 / Extinguisher pressure low, replaced",
    "building": "楼梯扶手松动 / Loose stair handrail",
    "food": "留样记录缺一天 / One day of food samples not logged",
}
# site code, kind, days since found, days given to rectify, finding
OPEN_FINDINGS = [
    ("fenglin-canteen", "food", 12, 30, "厨房排烟罩油污积聚 / Grease in the kitchen hood"),
    ("lingling-market", "building", 40, 90, "屋架出现裂缝，已委托结构检测 / Roof truss cracks"),
    ("old-activity-room", "fire", 75, 30, "三个出口有两个被杂物堵塞 / Two of three exits blocked"),
    ("old-activity-room", "building", 200, 60, "外墙渗水、混凝土剥落 / Damp and spalling wall"),
    ("yixueyuan-factory", "building", 20, 120, "楼板开裂，待结构检测 / Cracked floor slabs"),
    ("damuqiao-depot", "fire", 25, 60, "消防疏散通道宽度不足 / Fire exits too narrow"),
]
NEVER_INSPECTED = {"yixueyuan-fitness"}


def load(*, stdout, responses: int = 0, seed: int = 0) -> None:
    """Load the demo inspections (idempotent). `responses` is for other apps."""
    if Inspection.objects.filter(notes=DEMO_NOTE).exists():
        stdout.write("Safety: demo inspections already loaded.")
        return
    sites = Site.objects.operating().filter(code__isnull=False)
    by_id = {site.pk: site for site in sites}
    if not by_id:
        stdout.write("Safety: no operating demo sites; load sites.demo first.")
        return
    today = schedules.shanghai_today()
    rng = random.Random(seed)
    flagged = {code for code, *_rest in OPEN_FINDINGS}
    ordinary = sorted(s.code for s in by_id.values() if s.code not in flagged | NEVER_INSPECTED)
    late = rng.sample(ordinary, 4)
    late_self = set(late[:3])  # fire self-checks missed for the last two months
    late_joint = late[3]  # the last quarter's joint building inspection missed

    # A year: the periods starting on or after the first of this month last year.
    year_ago = schedules.period_start(schedules.period_index(today, 1) - 12, 1)
    records: list[Inspection] = []
    checks = schedules.required_checks(sites, by_id)
    for (site_id, kind, mode), months in sorted(checks.items()):
        site = by_id[site_id]
        if site.code in NEVER_INSPECTED:
            continue
        current = schedules.period_index(today, months)
        for index in range(current - 12 // months, current + 1):
            back = current - index
            if schedules.period_start(index, months) < year_ago:
                continue
            if site.code in late_self and (kind, mode) == ("fire", "self") and back <= 2:
                continue
            if site.code == late_joint and (kind, mode) == ("building", "joint") and back <= 1:
                continue
            if back == 0 and rng.random() < 0.5:
                continue  # not everyone has done this period's check yet
            start = schedules.period_start(index, months)
            end = min(schedules.period_end(index, months), today)
            day = start + timedelta(days=rng.randrange((end - start).days + 1))
            # Now and then a small problem, found and put right within weeks.
            rectified = back >= 2 and rng.random() < 0.06
            records.append(
                Inspection(
                    site=site,
                    kind=kind,
                    mode=mode,
                    date=day,
                    inspectors=rng.choice(INSPECTORS),
                    result=InspectionResult.RECTIFY if rectified else InspectionResult.PASS,
                    notes=DEMO_NOTE,
                )
            )
    Inspection.objects.bulk_create(records)
    saved = Inspection.objects.filter(notes=DEMO_NOTE, result=InspectionResult.RECTIFY)
    Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            description=ROUTINE_FINDINGS[inspection.kind],
            rectify_by=inspection.date + timedelta(days=14),
            closed_on=_closed(inspection.date, rng, today),
            closure_notes="已整改 / Rectified",
        )
        for inspection in saved
    )

    opened = 0
    by_code = Site.objects.exclude(status=SiteStatus.CLOSED).in_bulk(
        [code for code, *_rest in OPEN_FINDINGS], field_name="code"
    )
    for code, kind, age, allowed, text in OPEN_FINDINGS:
        site = by_code.get(code)
        if site is None:
            continue
        found = today - timedelta(days=age)
        record_inspection(
            site=site,
            kind=kind,
            mode="joint",
            date=found,
            inspectors=INSPECTORS[3],
            result=InspectionResult.RECTIFY,
            notes=DEMO_NOTE,
            findings=[NewFinding(text, found + timedelta(days=allowed))],
            today=today,
        )
        opened += 1
    overdue = len(schedules.overdue(schedules.schedule(today=today)))
    stdout.write(
        f"Safety: {len(records) + opened} demo inspections over a year, {opened} open findings, "
        f"{overdue} checks overdue (illustrative)."
    )


def _closed(found: date, rng: random.Random, today: date) -> date:
    return min(found + timedelta(days=rng.randint(3, 14)), today)
