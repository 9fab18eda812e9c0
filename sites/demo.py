"""Demo data of the sites register: Fenglin's neighbourhood areas, the sites of the story and
enough other candidate and operating sites to make the maps and planning pages meaningful.

Every coordinate and population figure here is approximate and marked illustrative. Loading is
idempotent: records are found by their code and only saved when something differs. A site's
status is set when the demo creates it, through the same save path as the staff pages (which
records its first status); later loads leave it to the lifecycle (Site.move_to), so they never
undo a step staff took. Hazard flags follow inspection findings: the safety demo raises them.
"""

from decimal import Decimal

from django.db import models

from sites import boundary_demo, residential_demo, services
from sites.models import (
    Area,
    Ownership,
    PremisesType,
    ServiceStatus,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
)
from sites.selectors import area_for_point

DEMO_NOTE = "示意数据 / Illustrative demo data"

# code, name; laid out on a 5 x 5 grid over the street from south-west to north-east.
AREA_NAMES = [
    ("wannan-1", "宛南一村"),
    ("wannan-2", "宛南二村"),
    ("zhongshan", "中山南二路"),
    ("xietu-s", "斜土南"),
    ("xiaomuqiao-s", "小木桥南"),
    ("wanping", "宛平"),
    ("lingling-w", "零陵西"),
    ("tianlong", "天龙"),
    ("fenglin-1", "枫林一村"),
    ("xiaomuqiao", "小木桥"),
    ("dongan-1", "东安一村"),
    ("dongan-2", "东安二村"),
    ("lingling", "零陵"),
    ("fenglin-2", "枫林二村"),
    ("yixueyuan", "医学院路"),
    ("dongan-3", "东安三村"),
    ("shuangfeng", "双峰"),
    ("mingyuan", "明园"),
    ("ximu", "西木"),
    ("xietu-n", "斜土北"),
    ("longshan", "龙山新村"),
    ("jinzhai", "谨斋"),
    ("damuqiao", "大木桥"),
    ("xuhuiyuan", "徐汇苑"),
    ("siji", "四季苑"),
]
# English names of the areas (pinyin), shown on English pages.
AREA_NAMES_EN = {
    "wannan-1": "Wannan Village 1",
    "wannan-2": "Wannan Village 2",
    "zhongshan": "Zhongshan South 2nd Road",
    "xietu-s": "Xietu South",
    "xiaomuqiao-s": "Xiaomuqiao South",
    "wanping": "Wanping",
    "lingling-w": "Lingling West",
    "tianlong": "Tianlong",
    "fenglin-1": "Fenglin Village 1",
    "xiaomuqiao": "Xiaomuqiao",
    "dongan-1": "Dong'an Village 1",
    "dongan-2": "Dong'an Village 2",
    "lingling": "Lingling",
    "fenglin-2": "Fenglin Village 2",
    "yixueyuan": "Yixueyuan Road",
    "dongan-3": "Dong'an Village 3",
    "shuangfeng": "Shuangfeng",
    "mingyuan": "Mingyuan",
    "ximu": "Ximu",
    "xietu-n": "Xietu North",
    "longshan": "Longshan New Village",
    "jinzhai": "Jinzhai",
    "damuqiao": "Damuqiao",
    "xuhuiyuan": "Xuhui Garden",
    "siji": "Four Seasons Garden",
}
AREA_TOTALS = [
    4200, 3900, 5100, 3600, 4400,
    4800, 3700, 5600, 4900, 4100,
    5300, 4600, 4300, 5000, 3800,
    4700, 3500, 4500, 3900, 4200,
    5200, 3600, 4000, 4800, 3400,
]  # fmt: skip

# Services offered inside life boxes in the story that the seeded catalogue does not name.
LIFE_BOX_EXTRAS = [
    ("tailoring", "缝补", "Tailoring", "daily"),
    ("key_cutting", "配钥匙", "Key cutting", "daily"),
    ("parcel_station", "快递驿站", "Parcel station", "daily"),
    ("tea_room", "茶室", "Tea room", "food"),
    ("coffee", "咖啡", "Coffee corner", "food"),
    ("calligraphy_room", "书画室", "Calligraphy room", "culture"),
    ("music_room", "音乐室", "Music room", "culture"),
    ("shared_kitchen", "共享厨房", "Shared kitchen", "food"),
    ("pharmacy", "便民药房", "Pharmacy", "health"),
    ("elderly_university", "老年大学", "Elderly university", "elderly"),
    ("play_room", "儿童游戏室", "Children's play room", "children"),
    ("volunteer_station", "志愿者服务站", "Volunteer station", "civic"),
    ("legal_aid", "法律咨询", "Legal advice", "civic"),
]

OP, PL = ServiceStatus.OPERATING, ServiceStatus.PLANNED
HOURS_DAY = "08:00–20:00"

# code, name, address, lat, lng, floor m², ownership, status, closed reason, visitors per
# month, notes, services [(code, m², daily capacity, status)]. Hazards come from the open
# findings of the safety demo (sites.safety.demo), as hazard flags follow findings only.
# fmt: off
SITES = [
    # --- The sites of the story ---
    ("tianlong-life-box", "天龙生活盒子", "天钥桥路 / 零陵路口",
     "31.190600", "121.452400", "1376", Ownership.STREET, SiteStatus.OPERATING, "",
     9000, "1,376 m² and 25 services under one roof (\"addition\").",
     [("life_box", None, 1200, OP), ("canteen", 180, 400, OP), ("health_station", 120, 150, OP),
      ("elderly_day_care", 180, 40, OP), ("after_school", 70, 40, OP),
      ("study_room", 60, 60, OP), ("culture_station", 100, 100, OP), ("laundry", 30, 60, OP),
      ("bakery", 40, 200, OP), ("foot_spa", 40, 30, OP), ("repair", 25, 30, OP),
      ("barber", 25, 40, OP), ("tailoring", 15, 20, OP), ("key_cutting", 10, 30, OP),
      ("parcel_station", 30, 300, OP), ("tea_room", 50, 60, OP), ("coffee", 40, 150, OP),
      ("calligraphy_room", 40, 30, OP), ("music_room", 40, 30, OP),
      ("shared_kitchen", 50, 30, OP), ("pharmacy", 40, 150, OP),
      ("elderly_university", 80, 60, OP), ("play_room", 60, 40, OP),
      ("volunteer_station", 20, 20, OP), ("legal_aid", 15, 10, OP)]),
    ("ximu-life-box", "西木生活盒子", "医学院路 / 东安路口",
     "31.198200", "121.453600", "620", Ownership.STREET, SiteStatus.OPERATING, "",
     5200, "Eat, drink, play, enjoy, learn, nurture.",
     [("life_box", None, 600, OP), ("canteen", 150, 300, OP), ("coffee", 40, 120, OP),
      ("play_room", 60, 40, OP), ("culture_station", 120, 80, OP), ("study_room", 50, 40, OP),
      ("nursery", 150, 25, OP)]),
    ("zhongshan-s2-930", "中山南二路930号", "中山南二路930号",
     "31.186900", "121.456200", "650", Ownership.STATE, SiteStatus.CANDIDATE, "",
     None, "Candidate premises chosen for a balanced spread.",
     [("elderly_day_care", 380, 40, PL), ("canteen", 150, 250, PL)]),
    ("lingling-231", "零陵路231号", "零陵路231号",
     "31.193800", "121.449600", "520", Ownership.STREET, SiteStatus.OPERATING, "",
     3100, "One-stop complex: committee office, elderly day care and health station together.",
     [("committee_office", 120, None, OP), ("elderly_day_care", 260, 35, OP),
      ("health_station", 120, 120, OP)]),
    ("lingling-404", "零陵路404号", "零陵路404号",
     "31.192900", "121.446300", "320", Ownership.LEASED, SiteStatus.SELECTED, "",
     None, "Candidate premises selected for a nursery.",
     [("nursery", 220, 30, PL)]),
    ("xiaomuqiao-440-22a", "小木桥路440弄22号甲", "小木桥路440弄22号甲",
     "31.195600", "121.462100", "240", Ownership.COLLECTIVE, SiteStatus.BUILDING, "",
     None, "Being fitted out as a canteen with a small activity room.",
     [("canteen", 140, 200, PL), ("culture_station", 80, 40, PL)]),
    ("wanping-theatre", "宛平剧院", "中山南二路宛平南路口",
     "31.186100", "121.447300", "3600", Ownership.STATE, SiteStatus.OPERATING, "",
     12000, "", [("culture_centre", 3200, 1200, OP)]),
    ("dongan-park", "东安公园", "东安路 / 零陵路",
     "31.191700", "121.455900", None, Ownership.STATE, SiteStatus.OPERATING, "",
     20000, "", [("fitness", None, None, OP)]),
    ("clock-museum", "钟表博物馆", "宛平南路",
     "31.197100", "121.446900", "900", Ownership.PRIVATE, SiteStatus.OPERATING, "",
     1500, "A stop on the curated walking route.", [("culture_station", 250, 200, OP)]),
    ("industrial-park", "枫林科创园", "斜土路",
     "31.201200", "121.458800", "1500", Ownership.COLLECTIVE, SiteStatus.CANDIDATE, "",
     None, "Ground floor offered for a workers' canteen and a service station.",
     [("canteen", 300, 500, PL), ("service_station", 800, None, PL)]),
    # --- Operating services elsewhere ---
    ("fenglin-health-centre", "枫林街道社区卫生服务中心", "枫林路",
     "31.195200", "121.455400", "1900", Ownership.STATE, SiteStatus.OPERATING, "",
     15000, "", [("health_centre", 1800, 800, OP)]),
    ("wannan-health-station", "宛南卫生服务站", "宛平南路",
     "31.185200", "121.449200", "150", Ownership.STATE, SiteStatus.OPERATING, "",
     2400, "", [("health_station", 140, 100, OP)]),
    ("dongan-health-station", "东安卫生服务站", "东安路",
     "31.199400", "121.449300", "140", Ownership.STATE, SiteStatus.OPERATING, "",
     2100, "", [("health_station", 130, 90, OP)]),
    ("fenglin-elderly-centre", "枫林综合为老服务中心", "枫林路",
     "31.194700", "121.458100", "900", Ownership.STREET, SiteStatus.OPERATING, "",
     4000, "", [("elderly_service_centre", 500, 150, OP), ("elderly_day_care", 380, 45, OP)]),
    ("fenglin-canteen", "枫林长者食堂", "枫林路",
     "31.193300", "121.459800", "260", Ownership.STREET, SiteStatus.OPERATING, "",
     6000, "Kitchen ventilation to be rectified.", [("canteen", 240, 350, OP)]),
    ("shuangfeng-canteen", "双峰长者食堂", "双峰路",
     "31.197800", "121.444900", "200", Ownership.LEASED, SiteStatus.OPERATING, "",
     4200, "", [("canteen", 180, 250, OP)]),
    ("xiaomuqiao-day-care", "小木桥日间照料中心", "小木桥路",
     "31.190100", "121.464200", "420", Ownership.STREET, SiteStatus.OPERATING, "",
     1800, "", [("elderly_day_care", 400, 40, OP)]),
    ("sunshine-home", "阳光之家", "医学院路",
     "31.200300", "121.451100", "300", Ownership.STREET, SiteStatus.OPERATING, "",
     600, "", [("disability_centre", 280, 30, OP)]),
    ("service-station-central", "枫林社区综合服务站", "零陵路",
     "31.192300", "121.452800", "860", Ownership.STREET, SiteStatus.OPERATING, "",
     5000, "", [("service_station", 820, None, OP)]),
    ("dongan-baby-house", "东安宝宝屋", "东安路",
     "31.196300", "121.452100", "220", Ownership.STREET, SiteStatus.OPERATING, "",
     900, "", [("nursery", 200, 25, OP)]),
    ("fenglin-kindergarten", "枫林幼儿园", "枫林路",
     "31.189200", "121.458900", "2400", Ownership.STATE, SiteStatus.OPERATING, "",
     None, "", [("kindergarten", 2300, 240, OP)]),
    ("xietu-kindergarten", "斜土路幼儿园", "斜土路",
     "31.200800", "121.464700", "2300", Ownership.STATE, SiteStatus.OPERATING, "",
     None, "", [("kindergarten", 2250, 210, OP)]),
    ("fenglin-primary", "枫林路小学", "枫林路",
     "31.197600", "121.459600", "6000", Ownership.STATE, SiteStatus.OPERATING, "",
     None, "", [("primary_school", None, 900, OP), ("after_school", 120, 60, OP)]),
    ("dongan-market", "东安菜市场", "东安路",
     "31.194300", "121.453300", "1100", Ownership.COLLECTIVE, SiteStatus.OPERATING, "",
     30000, "", [("market", 1000, None, OP)]),
    ("lingling-market", "零陵菜场", "零陵路",
     "31.191200", "121.445900", "800", Ownership.COLLECTIVE, SiteStatus.OPERATING, "",
     18000, "Roof structure under review.", [("market", 780, None, OP)]),
    ("xiaomuqiao-supermarket", "小木桥生鲜超市", "小木桥路",
     "31.198700", "121.462800", "450", Ownership.PRIVATE, SiteStatus.OPERATING, "",
     16000, "", [("supermarket", 420, None, OP)]),
    ("wanping-culture-station", "宛平文化活动站", "宛平南路",
     "31.189600", "121.444600", "300", Ownership.STREET, SiteStatus.OPERATING, "",
     2500, "", [("culture_station", 280, 120, OP)]),
    ("shuangfeng-fitness", "双峰健身点", "双峰路",
     "31.201600", "121.446100", None, Ownership.STREET, SiteStatus.OPERATING, "",
     3000, "", [("fitness", None, None, OP)]),
    ("yixueyuan-fitness", "医学院路健身苑", "医学院路",
     "31.187300", "121.462900", None, Ownership.STREET, SiteStatus.OPERATING, "",
     2600, "", [("fitness", None, None, OP)]),
    ("old-activity-room", "东安老年活动室（旧仓库）", "东安路",
     "31.199900", "121.456300", "180", Ownership.COLLECTIVE, SiteStatus.OPERATING, "",
     300, "Old warehouse: blocked exits; a candidate for \"subtraction\".",
     [("culture_station", 160, 40, OP)]),
    # --- Closed ("subtraction") ---
    ("dongan-snack-canteen", "东安路小食堂", "东安路",
     "31.193900", "121.456900", "90", Ownership.LEASED, SiteStatus.CLOSED,
     "Fire hazard and one narrow user group; merged into 零陵路231号.",
     None, "", [("canteen", 80, 80, ServiceStatus.CLOSED)]),
    # --- Further candidates ---
    ("yixueyuan-factory", "医学院路闲置厂房", "医学院路",
     "31.188800", "121.461300", "1100", Ownership.STATE, SiteStatus.CANDIDATE, "",
     None, "Structural survey pending.", []),
    ("xietu-shopfront", "斜土路沿街商铺", "斜土路",
     "31.202100", "121.452300", "260", Ownership.LEASED, SiteStatus.CANDIDATE, "",
     None, "", [("health_station", 130, 90, PL)]),
    ("fenglin-garage-roof", "枫林路车库上盖", "枫林路",
     "31.184600", "121.459700", "700", Ownership.STREET, SiteStatus.CANDIDATE, "",
     None, "", [("elderly_day_care", 400, 40, PL), ("canteen", 160, 200, PL)]),
    ("wanping-south-shop", "宛平南路底商", "宛平南路",
     "31.199200", "121.444300", "380", Ownership.PRIVATE, SiteStatus.CANDIDATE, "",
     None, "", [("nursery", 200, 25, PL)]),
    ("zhongshan-s2-office", "中山南二路办公楼底层", "中山南二路",
     "31.184100", "121.451600", "900", Ownership.STATE, SiteStatus.SELECTED, "",
     None, "", [("life_box", None, 600, PL), ("canteen", 180, 300, PL),
                ("health_station", 120, 100, PL)]),
    ("damuqiao-depot", "大木桥路仓储点", "大木桥路",
     "31.202500", "121.461500", "500", Ownership.COLLECTIVE, SiteStatus.CANDIDATE, "",
     None, "Fire exits insufficient.", []),
]
# fmt: on

# English names of the demo sites, shown on English pages (the Chinese name is the site's own).
SITE_NAMES_EN = {
    "tianlong-life-box": "Tianlong Life Box",
    "ximu-life-box": "Ximu Life Box",
    "zhongshan-s2-930": "930 Zhongshan South 2nd Road",
    "lingling-231": "231 Lingling Road",
    "lingling-404": "404 Lingling Road",
    "xiaomuqiao-440-22a": "22A, Lane 440, Xiaomuqiao Road",
    "wanping-theatre": "Wanping Theatre",
    "dongan-park": "Dong'an Park",
    "clock-museum": "Clock Museum",
    "industrial-park": "Fenglin Innovation Park",
    "fenglin-health-centre": "Fenglin Community Health Service Centre",
    "wannan-health-station": "Wannan Health Station",
    "dongan-health-station": "Dong'an Health Station",
    "fenglin-elderly-centre": "Fenglin Elderly Service Centre",
    "fenglin-canteen": "Fenglin Seniors' Canteen",
    "shuangfeng-canteen": "Shuangfeng Seniors' Canteen",
    "xiaomuqiao-day-care": "Xiaomuqiao Day Care Centre",
    "sunshine-home": "Sunshine Home",
    "service-station-central": "Fenglin Community Service Station",
    "dongan-baby-house": "Dong'an Baby House",
    "fenglin-kindergarten": "Fenglin Kindergarten",
    "xietu-kindergarten": "Xietu Road Kindergarten",
    "fenglin-primary": "Fenglin Road Primary School",
    "dongan-market": "Dong'an Market",
    "lingling-market": "Lingling Market",
    "xiaomuqiao-supermarket": "Xiaomuqiao Fresh Supermarket",
    "wanping-culture-station": "Wanping Culture Station",
    "shuangfeng-fitness": "Shuangfeng Fitness Point",
    "yixueyuan-fitness": "Yixueyuan Road Fitness Garden",
    "old-activity-room": "Dong'an Seniors' Activity Room (old warehouse)",
    "dongan-snack-canteen": "Dong'an Road Snack Canteen",
    "yixueyuan-factory": "Vacant factory, Yixueyuan Road",
    "xietu-shopfront": "Xietu Road shopfront",
    "fenglin-garage-roof": "Fenglin Road garage roof",
    "wanping-south-shop": "Wanping South Road ground-floor shop",
    "zhongshan-s2-office": "Zhongshan South 2nd Road office, ground floor",
    "damuqiao-depot": "Damuqiao Road depot",
}

# What kind of building each demo site is (illustrative): type, ground floor, outdoor space.
# Street-facing committee offices are ("committee_office", True, False).
PT = PremisesType
PREMISES = {
    "tianlong-life-box": (PT.COMMUNITY_CENTRE, True, False),
    "ximu-life-box": (PT.COMMUNITY_CENTRE, True, True),
    "zhongshan-s2-930": (PT.SHOPFRONT, True, False),
    "lingling-231": (PT.COMMITTEE_OFFICE, True, False),
    "lingling-404": (PT.SHOPFRONT, True, True),
    "xiaomuqiao-440-22a": (PT.RESIDENTIAL_GROUND, True, False),
    "wanping-theatre": (PT.OTHER, True, False),
    "dongan-park": (PT.PARK, True, True),
    "clock-museum": (PT.OTHER, True, False),
    "industrial-park": (PT.OFFICE, True, False),
    "fenglin-health-centre": (PT.HEALTH_STATION, True, False),
    "wannan-health-station": (PT.HEALTH_STATION, True, False),
    "dongan-health-station": (PT.HEALTH_STATION, True, False),
    "fenglin-elderly-centre": (PT.COMMUNITY_CENTRE, True, True),
    "fenglin-canteen": (PT.SHOPFRONT, True, False),
    "shuangfeng-canteen": (PT.SHOPFRONT, True, False),
    "xiaomuqiao-day-care": (PT.COMMUNITY_CENTRE, True, True),
    "sunshine-home": (PT.COMMUNITY_CENTRE, True, False),
    "service-station-central": (PT.COMMUNITY_CENTRE, True, False),
    "dongan-baby-house": (PT.RESIDENTIAL_GROUND, True, True),
    "fenglin-kindergarten": (PT.KINDERGARTEN, True, True),
    "xietu-kindergarten": (PT.KINDERGARTEN, True, True),
    "fenglin-primary": (PT.KINDERGARTEN, True, True),
    "dongan-market": (PT.SHOPFRONT, True, False),
    "lingling-market": (PT.SHOPFRONT, True, False),
    "xiaomuqiao-supermarket": (PT.SHOPFRONT, True, False),
    "wanping-culture-station": (PT.COMMUNITY_CENTRE, True, False),
    "shuangfeng-fitness": (PT.PARK, True, True),
    "yixueyuan-fitness": (PT.PARK, True, True),
    "old-activity-room": (PT.OTHER, True, False),
    "dongan-snack-canteen": (PT.SHOPFRONT, True, False),
    "yixueyuan-factory": (PT.OTHER, True, True),
    "xietu-shopfront": (PT.SHOPFRONT, True, False),
    "fenglin-garage-roof": (PT.OTHER, False, True),
    "wanping-south-shop": (PT.SHOPFRONT, True, False),
    "zhongshan-s2-office": (PT.OFFICE, True, False),
    "damuqiao-depot": (PT.OTHER, True, True),
}

# Street-facing committee offices: most areas have one (22 in the story); the one of the
# "lingling" area sits in the 零陵路231号 complex above.
COMMITTEE_OFFICE_AREAS = [code for code, _name in AREA_NAMES][:22]


def _area_rows() -> list[dict]:
    rows = []
    for i, ((code, name), total) in enumerate(zip(AREA_NAMES, AREA_TOTALS, strict=True)):
        row, column = divmod(i, 5)
        # A small fixed jitter so the grid does not look like a grid.
        jitter_lat = ((i * 37) % 11 - 5) * 0.00012
        jitter_lng = ((i * 53) % 13 - 6) * 0.00012
        elderly_share = 0.30 + ((i * 7) % 13) / 100
        rows.append(
            {
                "code": code,
                "name": name,
                "name_en": AREA_NAMES_EN[code],
                "centroid_lat": Decimal(f"{31.1855 + row * 0.00375 + jitter_lat:.6f}"),
                "centroid_lng": Decimal(f"{121.4460 + column * 0.0049 + jitter_lng:.6f}"),
                "population_total": total,
                "population_elderly": round(total * elderly_share),
                "population_children_0_6": round(total * (0.030 + (i % 4) * 0.003)),
                "population_children_7_14": round(total * (0.050 + (i % 5) * 0.003)),
                "population_disabled": round(total * 0.021),
                "households": round(total / 2.45),
                "illustrative": True,
                "notes": DEMO_NOTE,
            }
        )
    return rows


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, bool]:
    """Create, or update only when a value differs: a second load writes nothing (and so
    adds no history records)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True
    _update(obj, values)
    return obj, False


def _update(obj: models.Model, values: dict) -> None:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()


def load(*, stdout, responses: int = 0, seed: int = 0) -> None:
    """Load the sites demo data (idempotent). `responses` and `seed` are for other apps."""
    areas = [_upsert(Area, {"code": row.pop("code")}, row)[0] for row in _area_rows()]
    areas = boundary_demo.load(stdout=stdout, areas=areas)  # before the sites: placed by them

    for order, (code, zh, en, category) in enumerate(LIFE_BOX_EXTRAS, start=1):
        _upsert(
            ServiceType,
            {"code": code},
            {
                "name_zh": zh,
                "name_en": en,
                "category": category,
                "target_group": "all",
                "level": "none",
                "threshold_m": None,
                "standard": "Fenglin story (demo)",
                "standard_status": "story",
                "confirmed": False,
                "description": "Demo: a service inside a life box, with no standard of its own.",
                "order": 500 + order,
            },
        )
    service_types = {s.code: s for s in ServiceType.objects.all()}

    specs = list(SITES)
    names_en = dict(SITE_NAMES_EN)
    by_code = {a.code: a for a in areas}
    for i, code in enumerate(COMMITTEE_OFFICE_AREAS):
        if code == "lingling":
            continue
        area = by_code[code]
        # Beside the area's centre, on the street front.
        lat = f"{float(area.centroid_lat) + 0.0004 * (1 if i % 2 else -1):.6f}"
        lng = f"{float(area.centroid_lng) + 0.0005 * (1 if i % 3 else -1):.6f}"
        names_en[f"committee-{code}"] = f"{area.name_en} Residents' Committee"
        specs.append(
            (f"committee-{code}", f"{area.name}居委会", f"{area.name}（临街）", lat, lng, "120",
             Ownership.STREET, SiteStatus.OPERATING, "", 400, "",
             [("committee_office", 80, None, OP)] + ([("culture_station", None, 30, OP)]
                                                     if i % 4 == 0 else []))
        )  # fmt: skip

    created = 0
    for spec in specs:
        (code, name, address, lat, lng, floor, ownership, status, closed_reason, visitors, notes,
         offers) = spec  # fmt: skip
        premises = PREMISES.get(code, (PremisesType.COMMITTEE_OFFICE, True, False))
        values = {
            "name": name,
            "name_en": names_en[code],
            "address": address,
            "latitude": Decimal(lat),
            "longitude": Decimal(lng),
            "area": area_for_point(lat, lng, areas),
            "floor_area_m2": Decimal(floor) if floor is not None else None,
            "ownership": ownership,
            "premises_type": premises[0],
            "ground_floor": premises[1],
            "outdoor_space": premises[2],
            "visitors_per_month": visitors,
            "illustrative": True,
            "notes": f"{notes} {DEMO_NOTE}".strip(),
        }
        site = Site.objects.filter(code=code).first()
        if site is None:
            site = Site(code=code, status=status, closed_reason=closed_reason, **values)
            site.full_clean()
            site = services.create_site(site=site, user=None, reason="Demo data")
            created += 1
        else:
            _update(site, values)
        for service_code, area_m2, capacity, service_status in offers:
            _upsert(
                SiteService,
                {"site": site, "service_type": service_types[service_code]},
                {
                    "floor_area_m2": Decimal(area_m2) if area_m2 is not None else None,
                    "daily_capacity": capacity,
                    "opening_hours": HOURS_DAY if service_status == OP else "",
                    "operator": "",
                    "status": service_status,
                },
            )
    stdout.write(
        f"Sites: {len(areas)} areas, {len(specs)} sites ({created} new), coordinates illustrative."
    )
    residential_demo.load(stdout=stdout, areas=areas)
