from django.urls import include, path

urlpatterns = [
    path("eligibility/", include("eligibility.api_urls")),
    path("", include("applications.api_urls")),
    path("", include("benefits.api_urls")),
    path("", include("help.api_urls")),
    path("", include("ledgers.api_urls")),
]
