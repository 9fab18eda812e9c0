"""Seed the provision standards (shared STANDARDS.md): age band, per-1,000 ratios, the premises
that may host each service, and per number its source, clause and status.

GB 50180-2018 could not be read while seeding: clause references name the appendix and say
that the table number is still to be checked, and every number not read is status U.
"""

from django.db import migrations

GB = "GB 50180-2018 城市居住区规划设计标准"
LEVEL_5 = "附录B 五分钟生活圈居住区配套设施设置规定（表号待核）"
LEVEL_10_15 = "附录B 十五分钟、十分钟生活圈居住区配套设施设置规定（表号待核）"
SIZE = "附录C 配套设施规划建设控制要求（表号待核）"
SHANGHAI = "上海市15分钟社区生活圈规划导则（2016）"
STORY = "Fenglin street story"
RULE = "Planning rule of the street office (not a clause of a standard)"
RECHECK = (
    "Listed at 500 m, but a reading of GB 50180-2018 Appendix B places it in the 5-minute life "
    "circle, whose facilities have a 300 m service radius. Check the appendix's table, record "
    "the clause and correct the threshold before relying on it."
)

# Premises types where a service may be (empty: any).
GENERAL = [
    "shopfront",
    "committee_office",
    "community_centre",
    "office",
    "residential_ground",
    "other",
]
CARE = ["shopfront", "committee_office", "community_centre", "residential_ground", "other"]


def src(source, clause="", status="U", note=""):
    return {"source": source, "clause": clause, "status": status, "note": note}


# code: fields to set, and sources keyed by the field name of each number.
STANDARDS = {
    "life_box": {
        "allowed_premises": GENERAL,
        "sources": {
            "threshold_m": src(SHANGHAI, "15-minute life circle", "R2"),
            "min_floor_area_m2": src(SHANGHAI, '"1+N" hub (draft)', "R2"),
            "allowed_premises": src(RULE),
        },
    },
    "service_station": {
        "confirmed": False,
        "allowed_premises": ["committee_office", "community_centre", "shopfront", "office"],
        "sources": {
            "threshold_m": src(GB, LEVEL_5, "U", RECHECK),
            "min_floor_area_m2": src(GB, SIZE, "R"),
            "allowed_premises": src(RULE),
        },
    },
    "canteen": {
        "age_band": "60+",
        "allowed_premises": GENERAL,
        "sources": {
            "threshold_m": src(GB, LEVEL_5, "U"),
            "min_floor_area_m2": src(
                GB, "", "U", "No minimum floor area in the standard: the pool screens by type only."
            ),
            "allowed_premises": src(RULE, "", "U", "Not in a park or a kindergarten."),
        },
    },
    "elderly_day_care": {
        "age_band": "60+",
        "per_thousand_m2": 50,
        "allowed_premises": CARE,
        "sources": {
            "threshold_m": src(GB, LEVEL_5, "U"),
            "min_floor_area_m2": src(GB, SIZE, "R"),
            "max_floor_area_m2": src(GB, SIZE, "U"),
            "per_thousand_m2": src(
                "Shanghai elderly-care plan, quoted in a secondary source",
                "50 m² per 1,000 residents citywide by 2025",
                "R2",
                "All community elderly-care floor space, not day care alone.",
            ),
            "allowed_premises": src(RULE),
        },
    },
    "elderly_service_centre": {
        "age_band": "60+",
        "allowed_premises": CARE,
        "sources": {"threshold_m": src(SHANGHAI, "15-minute life circle", "R")},
    },
    "health_station": {
        "allowed_premises": [
            "shopfront",
            "committee_office",
            "community_centre",
            "health_station",
            "office",
            "residential_ground",
            "other",
        ],
        "sources": {
            "threshold_m": src(GB, LEVEL_5, "U"),
            "min_floor_area_m2": src(GB, SIZE, "R"),
            "max_floor_area_m2": src(GB, SIZE, "U"),
            "allowed_premises": src(RULE),
        },
    },
    "health_centre": {
        "allowed_premises": ["health_station", "community_centre", "office", "other"],
        "sources": {
            "threshold_m": src(GB, LEVEL_10_15, "U"),
            "min_floor_area_m2": src(GB, SIZE, "U"),
            "max_floor_area_m2": src(GB, SIZE, "U"),
        },
    },
    "nursery": {
        "confirmed": False,
        "age_band": "0-3",
        "per_thousand_places": 4.5,
        "allowed_premises": [
            "kindergarten",
            "community_centre",
            "residential_ground",
            "shopfront",
            "committee_office",
            "other",
        ],
        "needs_ground_floor": True,
        "needs_outdoor_space": True,
        "sources": {
            "threshold_m": src(GB, LEVEL_5, "U", RECHECK),
            "min_floor_area_m2": src(GB, SIZE, "R"),
            "per_thousand_places": src(
                "十四五规划纲要 (national 14th five-year plan)",
                "每千人口拥有3岁以下婴幼儿托位数 4.5 by 2025",
                "U",
                "Not read in the official text here.",
            ),
            "allowed_premises": src(
                RULE, "", "U", "Ground floor with outdoor play space, as nurseries need."
            ),
        },
    },
    "kindergarten": {
        "age_band": "3-6",
        "allowed_premises": ["kindergarten"],
        "needs_outdoor_space": True,
        "sources": {
            "threshold_m": src(GB, LEVEL_5, "U"),
            "min_floor_area_m2": src(GB, SIZE, "R"),
            "allowed_premises": src(RULE, "", "U", "A kindergarten has its own building."),
        },
    },
    "primary_school": {
        "age_band": "6-12",
        "allowed_premises": ["kindergarten"],
        "needs_outdoor_space": True,
        "sources": {"threshold_m": src(GB, LEVEL_10_15, "U")},
    },
    "market": {
        "allowed_premises": ["shopfront", "community_centre", "other"],
        "sources": {
            "threshold_m": src(GB, LEVEL_10_15, "U"),
            "min_floor_area_m2": src(GB, SIZE, "U"),
            "max_floor_area_m2": src(GB, SIZE, "U"),
        },
    },
    "supermarket": {
        "allowed_premises": ["shopfront", "community_centre", "other"],
        "sources": {
            "threshold_m": src(GB, LEVEL_10_15, "U"),
            "min_floor_area_m2": src(GB, SIZE, "R"),
        },
    },
    "culture_station": {
        "allowed_premises": GENERAL,
        "sources": {
            "threshold_m": src(
                GB,
                LEVEL_5,
                "U",
                "Listed at 500 m in the 5-minute life circle, whose facilities have a 300 m "
                "service radius: check the level and the radius in the standard.",
            ),
            "min_floor_area_m2": src(GB, SIZE, "U"),
            "max_floor_area_m2": src(GB, SIZE, "U"),
        },
    },
    "culture_centre": {
        "allowed_premises": ["community_centre", "office", "other"],
        "sources": {
            "threshold_m": src(GB, LEVEL_10_15, "U"),
            "min_floor_area_m2": src(GB, SIZE, "U"),
            "max_floor_area_m2": src(GB, SIZE, "U"),
        },
    },
    "fitness": {
        "allowed_premises": ["park", "community_centre", "other"],
        "needs_outdoor_space": True,
        "sources": {"threshold_m": src(GB, LEVEL_5, "R2")},
    },
    "committee_office": {
        "allowed_premises": ["committee_office", "shopfront", "community_centre", "office"],
        "sources": {"threshold_m": src(STORY, "", "story")},
    },
    "disability_centre": {
        "age_band": "disabled",
        "allowed_premises": CARE,
        "sources": {"threshold_m": src(STORY, "", "story")},
    },
    "after_school": {"age_band": "6-12"},
}


def seed(apps, schema_editor):
    ServiceType = apps.get_model("sites", "ServiceType")
    for code, values in STANDARDS.items():
        ServiceType.objects.filter(code=code).update(**values)


class Migration(migrations.Migration):
    dependencies = [("sites", "0012_servicetype_standards_premises")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
