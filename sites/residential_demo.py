"""Demo housing estates (小区): two to four in each demo area, where plans put its demand.

Names are invented in the style of Xuhui's estates, positions lie near their area's centre
(inside its boundary where one is drawn, and always in the area the one rule places them in),
and each area's population of every group is split over its estates by random weights drawn
with a fixed seed, so the estates add up to the area's figures. Every estate is marked
illustrative. Loading is idempotent: estates are found by their code and only saved when a value
differs.
"""

import math
import random
from collections.abc import Sequence
from decimal import Decimal

from sites import residential_services
from sites.models import Area, ResidentialPoint
from sites.residential import ResidentialKind
from sites.selectors import area_for_point

NOTE = "示意数据 / Illustrative demo data"
SEED = 17
MAX_OFFSET_M = 250.0
PEOPLE_PER_HOUSEHOLD = 2.6
_M_PER_DEG_LAT = 111_195.0

# The place name each demo area's estates are named after (Chinese, pinyin).
STEMS = {
    "wannan-1": ("宛南", "Wannan"),
    "wannan-2": ("宛南", "Wannan"),
    "zhongshan": ("中山", "Zhongshan"),
    "xietu-s": ("斜土", "Xietu"),
    "xiaomuqiao-s": ("小木桥", "Xiaomuqiao"),
    "wanping": ("宛平", "Wanping"),
    "lingling-w": ("零陵", "Lingling"),
    "tianlong": ("天钥", "Tianyue"),
    "fenglin-1": ("枫林", "Fenglin"),
    "xiaomuqiao": ("小木桥", "Xiaomuqiao"),
    "dongan-1": ("东安", "Dong'an"),
    "dongan-2": ("东安", "Dong'an"),
    "lingling": ("零陵", "Lingling"),
    "fenglin-2": ("枫林", "Fenglin"),
    "yixueyuan": ("医学院路", "Yixueyuan Lu"),
    "dongan-3": ("东安", "Dong'an"),
    "shuangfeng": ("双峰", "Shuangfeng"),
    "mingyuan": ("明园", "Mingyuan"),
    "ximu": ("西木", "Ximu"),
    "xietu-n": ("斜土", "Xietu"),
    "longshan": ("龙山", "Longshan"),
    "jinzhai": ("谨斋", "Jinzhai"),
    "damuqiao": ("大木桥", "Damuqiao"),
    "xuhuiyuan": ("徐汇", "Xuhui"),
    "siji": ("四季", "Siji"),
}
# Suffixes, used in turn for each place name so that no two estates share a name.
SUFFIXES = [
    ("小区", "Xiaoqu", ResidentialKind.ESTATE),
    ("新村", "Xincun", ResidentialKind.ESTATE),
    ("一村", "Yicun", ResidentialKind.ESTATE),
    ("二村", "Ercun", ResidentialKind.ESTATE),
    ("公寓", "Gongyu", ResidentialKind.BUILDING),
    ("花苑", "Huayuan", ResidentialKind.ESTATE),
    ("三村", "Sancun", ResidentialKind.ESTATE),
    ("东苑", "Dongyuan", ResidentialKind.ESTATE),
    ("西苑", "Xiyuan", ResidentialKind.ESTATE),
    ("大楼", "Dalou", ResidentialKind.BUILDING),
    ("南苑", "Nanyuan", ResidentialKind.ESTATE),
    ("北苑", "Beiyuan", ResidentialKind.ESTATE),
]
GROUP_FIELDS = [
    "population_total",
    "population_elderly",
    "population_children_0_6",
    "population_children_7_14",
    "population_disabled",
]


def load(*, stdout, areas: Sequence[Area] | None = None) -> None:
    """Load the demo estates of the demo areas (idempotent)."""
    areas = list(Area.objects.all()) if areas is None else list(areas)
    rng = random.Random(SEED)
    used: dict[str, int] = {}
    existing = ResidentialPoint.objects.in_bulk(field_name="code")
    count = saved = 0
    for area in sorted(areas, key=lambda a: a.code):
        if area.code not in STEMS:
            continue
        zh, en = STEMS[area.code]
        n = rng.randint(2, 4)
        splits = _split(area, n, rng)
        for j in range(n):
            suffix_zh, suffix_en, kind = SUFFIXES[used.get(zh, 0) % len(SUFFIXES)]
            used[zh] = used.get(zh, 0) + 1
            lat, lng = _position(area, areas, rng)
            values = {
                "name": zh + suffix_zh,
                "name_en": f"{en} {suffix_en}",
                "kind": kind,
                "latitude": lat,
                "longitude": lng,
                "area_id": area.pk,
                **{field: splits[field][j] for field in GROUP_FIELDS},
                "illustrative": True,
                "notes": NOTE,
            }
            values["households"] = round(values["population_total"] / PEOPLE_PER_HOUSEHOLD)
            code = f"home-{area.code}-{j + 1}"
            saved += _upsert(existing.get(code) or ResidentialPoint(code=code), values)
            count += 1
    stdout.write(
        f"Residential points: {count} housing estates ({saved} saved), positions and "
        "populations illustrative."
    )


def _split(area: Area, n: int, rng: random.Random) -> dict[str, list[int | None]]:
    """Each group's figure of the area over n estates, by weights that differ from group to
    group (an estate may hold more of the elderly than of the residents), summing exactly."""
    base = [rng.uniform(0.5, 1.5) for _ in range(n)]
    splits = {}
    for field in GROUP_FIELDS:
        weights = base if field == "population_total" else [w * rng.uniform(0.7, 1.3) for w in base]
        total = getattr(area, field)
        splits[field] = [None] * n if total is None else _apportion(total, weights)
    return splits


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers in proportion to the weights that add up to total (largest remainder)."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _position(area: Area, areas: Sequence[Area], rng: random.Random) -> tuple[Decimal, Decimal]:
    """A point within MAX_OFFSET_M of the area's centre that the one rule places in the area
    (inside its boundary where drawn); the centre itself if none is found in a few tries."""
    lat0, lng0 = float(area.centroid_lat), float(area.centroid_lng)
    for _ in range(30):
        distance, bearing = MAX_OFFSET_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        dlat = distance * math.cos(bearing) / _M_PER_DEG_LAT
        dlng = distance * math.sin(bearing) / (_M_PER_DEG_LAT * math.cos(math.radians(lat0)))
        lat, lng = Decimal(f"{lat0 + dlat:.6f}"), Decimal(f"{lng0 + dlng:.6f}")
        if area_for_point(lat, lng, areas) == area:
            return lat, lng
    return area.centroid_lat, area.centroid_lng


def _upsert(point: ResidentialPoint, values: dict) -> bool:
    """Save the point when it is new or a value differs; True when saved."""
    changed = [name for name, value in values.items() if getattr(point, name) != value]
    if point.pk is not None and not changed:
        return False
    for name in changed:
        setattr(point, name, values[name])
    point.full_clean()
    residential_services.save_residential_point(point=point)
    return True
