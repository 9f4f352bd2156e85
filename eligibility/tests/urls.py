"""Only the eligibility API, at its real path, so these tests do not depend on other apps' pages."""

from django.urls import include, path

urlpatterns = [path("api/v1/eligibility/", include("eligibility.api_urls"))]
