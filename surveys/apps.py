from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Resident surveys")

    def ready(self) -> None:
        # The area page (sites) shows field visits and survey counts beside the area's facts;
        # sites does not import surveys, so surveys registers its panel there.
        from sites.views import register_area_panel

        register_area_panel(_area_panel)


def _area_panel(request, area) -> dict:
    return {"template": "surveys/_area_panel_hook.html"}
