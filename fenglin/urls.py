from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from fenglin import landing, views
from scenarios import review_urls
from sites import basemap
from sites import urls as sites_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", landing.start, name="start"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("map/base.json", basemap.base_layer_json, name="map_base"),
    # The planning reviews keep their /sites/safety/ addresses and "sites:" names; sites may not
    # import scenarios, so the two are joined here.
    path(
        "sites/",
        include((sites_urls.urlpatterns + review_urls.urlpatterns, sites_urls.app_name)),
    ),
    path("surveys/", include("surveys.urls")),
    path("s/", include("surveys.public_urls")),
    path("scenarios/", include("scenarios.urls")),
    path("", include("scenarios.public_urls")),
]

handler400 = "fenglin.views.bad_request"
handler403 = "fenglin.views.permission_denied"
handler404 = "fenglin.views.page_not_found"
handler500 = "fenglin.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static as serve_static

    urlpatterns += serve_static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
