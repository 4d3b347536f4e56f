"""The project's URLs: the API under /api/v1/, staff login, the workbench, the portal, admin."""

from django.contrib import admin
from django.urls import include, path

from tongban.channels.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.web.urls")),
]
