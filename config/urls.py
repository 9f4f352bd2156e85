from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("households/", include("cases.urls")),
    path("standards/", include("eligibility.urls")),
    path("api/v1/", include("config.api_urls")),
]
