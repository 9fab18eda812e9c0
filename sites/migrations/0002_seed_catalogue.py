"""Seed the service catalogue from the planning standards (shared STANDARDS.md).

Numbers marked U there are seeded with confirmed=False; staff can edit every one.
"""

from django.db import migrations

# code, zh, en, category, target, level, threshold m, min m², max m², standard, status
CATALOGUE = [
    ("life_box", "生活盒子", "Community life box", "hub", "all", "15min", 1000, 800, None,
     "Shanghai 15-minute life circle guide, \"1+N\" hub (draft)", "R2"),
    ("service_station", "社区综合服务站", "Community service station", "civic", "all", "10min",
     500, 800, None, "GB 50180-2018", "R"),
    ("canteen", "社区食堂 / 长者食堂", "Community canteen", "food", "elderly", "5min", 300,
     None, None, "", "U"),
    ("elderly_day_care", "老年人日间照料中心", "Elderly day care", "elderly", "elderly", "5min",
     300, 350, 750, "GB 50180-2018 (≥350 m²)", "R"),
    ("elderly_service_centre", "综合为老服务中心", "Elderly service centre", "elderly",
     "elderly", "15min", 1000, None, None, "Shanghai guide (level)", "R"),
    ("health_station", "社区卫生服务站", "Health station", "health", "all", "5min", 300, 120,
     270, "GB 50180-2018 (≥120 m²)", "R"),
    ("health_centre", "社区卫生服务中心", "Health service centre", "health", "all", "15min",
     1000, 1700, 2000, "GB 50180-2018", "U"),
    ("nursery", "托育 / 托儿所", "Nursery (0–3)", "children", "children", "10min", 500, 200,
     None, "GB 50180-2018", "R"),
    ("kindergarten", "幼儿园", "Kindergarten", "children", "children", "5min", 300, 2200, None,
     "GB 50180-2018 (size)", "R"),
    ("primary_school", "小学", "Primary school", "children", "children", "10min", 500, None,
     None, "", "U"),
    ("market", "菜市场 / 生鲜超市", "Wet market", "food", "all", "10min", 500, 750, 1500, "",
     "U"),
    ("supermarket", "综合超市", "Supermarket", "food", "all", "10min", 500, 300, None,
     "GB 50180-2018 (size)", "R"),
    ("culture_station", "文化活动站", "Culture station", "culture", "all", "5min", 500, 250,
     1200, "", "U"),
    ("culture_centre", "文化活动中心", "Culture centre", "culture", "all", "15min", 1000, 3000,
     6000, "", "U"),
    ("fitness", "室外健身场地", "Outdoor fitness", "culture", "all", "5min", 300, None, None,
     "GB 50180-2018 (level)", "R2"),
    ("committee_office", "居委会（临街）", "Neighbourhood committee office", "civic", "all",
     "block", 300, None, None, "Fenglin story", "story"),
    ("disability_centre", "阳光之家 / 阳光心园", "Disability services", "elderly", "disabled",
     "15min", 1000, None, None, "Fenglin story", "story"),
    # Services inside a life box: the story's "scenarios", with no standard of their own.
    ("laundry", "洗衣", "Laundry", "daily", "all", "none", None, None, None, "Fenglin story",
     "story"),
    ("bakery", "烘焙", "Bakery", "food", "all", "none", None, None, None, "Fenglin story",
     "story"),
    ("foot_spa", "足浴", "Foot spa", "daily", "all", "none", None, None, None, "Fenglin story",
     "story"),
    ("repair", "便民维修", "Household repairs", "daily", "all", "none", None, None, None,
     "Fenglin story", "story"),
    ("barber", "理发", "Barber", "daily", "all", "none", None, None, None, "Fenglin story",
     "story"),
    ("after_school", "课后托管", "After-school care", "children", "children", "none", None,
     None, None, "Fenglin story", "story"),
    ("study_room", "学习室 / 共享书房", "Study room", "culture", "all", "none", None, None,
     None, "Fenglin story", "story"),
]


def seed(apps, schema_editor):
    ServiceType = apps.get_model("sites", "ServiceType")
    for order, row in enumerate(CATALOGUE, start=1):
        code, zh, en, category, target, level, threshold, min_area, max_area, std, status = row
        ServiceType.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "category": category,
                "target_group": target,
                "level": level,
                "threshold_m": threshold,
                "min_floor_area_m2": min_area,
                "max_floor_area_m2": max_area,
                "standard": std,
                "standard_status": status,
                # Only numbers read in the official text count as confirmed.
                "confirmed": status == "R",
                "order": order * 10,
            },
        )


def unseed(apps, schema_editor):
    ServiceType = apps.get_model("sites", "ServiceType")
    ServiceType.objects.filter(code__in=[row[0] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
