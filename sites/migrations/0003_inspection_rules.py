"""Default inspection rules: monthly self-checks and quarterly joint inspections."""

from django.db import migrations

FOOD_SERVICES = ["canteen", "life_box", "bakery", "elderly_day_care"]


def seed(apps, schema_editor):
    InspectionRule = apps.get_model("sites", "InspectionRule")
    ServiceType = apps.get_model("sites", "ServiceType")
    for kind in ("fire", "building"):
        InspectionRule.objects.get_or_create(
            service_type=None, kind=kind, mode="self", defaults={"interval_months": 1}
        )
        InspectionRule.objects.get_or_create(
            service_type=None, kind=kind, mode="joint", defaults={"interval_months": 3}
        )
    for service in ServiceType.objects.filter(code__in=FOOD_SERVICES):
        InspectionRule.objects.get_or_create(
            service_type=service, kind="food", mode="self", defaults={"interval_months": 1}
        )
        InspectionRule.objects.get_or_create(
            service_type=service, kind="food", mode="joint", defaults={"interval_months": 3}
        )


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_seed_catalogue")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
