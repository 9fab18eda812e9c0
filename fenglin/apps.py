import importlib

from django.apps import AppConfig, apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.db.models.signals import post_migrate
from django.urls import register_converter
from django.urls.converters import get_converters
from django.utils.module_loading import module_has_submodule

from fenglin.parsing import IdConverter


class FenglinConfig(AppConfig):
    default = True  # this module holds two AppConfigs; "fenglin" means this one
    name = "fenglin"
    verbose_name = "Fenglin"

    def ready(self) -> None:
        # After the last app migrates, so that every model's permissions exist.
        post_migrate.connect(_sync_after_last_app, dispatch_uid="fenglin.sync_role_groups")
        # Before any URLconf is read: the apps' URLs take ids as <id:pk>.
        if "id" not in get_converters():
            register_converter(IdConverter, "id")


def _sync_after_last_app(sender, app_config=None, **kwargs) -> None:
    from fenglin.roles import sync_role_groups

    last = list(apps.get_app_configs())[-1]
    if app_config is not None and app_config.label == last.label:
        sync_role_groups()


class FenglinAdminConfig(SimpleAdminConfig):
    """The admin, discovering every app's admin module except django-leaflet's.

    leaflet.admin imports GeoDjango, which needs GDAL; this project stores lat/lng as decimals
    and uses its own point-picker widget instead.
    """

    default_site = "fenglin.admin.FenglinAdminSite"
    skipped_admin_modules = {"leaflet"}

    def ready(self) -> None:
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name in self.skipped_admin_modules:
                continue
            if module_has_submodule(app_config.module, "admin"):
                importlib.import_module(f"{app_config.name}.admin")
