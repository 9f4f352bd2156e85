from django.urls import include, path

urlpatterns = [
    path("eligibility/", include("eligibility.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("ledgers.api_urls")),
]
