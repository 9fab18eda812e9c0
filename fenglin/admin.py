from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class FenglinAdminSite(admin.AdminSite):
    site_header = _("Fenglin life-circle planner — administration")
    site_title = _("Fenglin admin")
    index_title = _("Data administration")
