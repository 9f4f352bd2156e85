"""REST routes of applications (read-only), under /api/v1/ (config/api_urls.py)."""

from django.urls import path

from applications import api

urlpatterns = [
    path("applications", api.ApplicationList.as_view(), name="api_application_list"),
    path("applications/<int:pk>", api.ApplicationDetail.as_view(), name="api_application_detail"),
    path("applications/<int:pk>/events", api.ApplicationEvents.as_view(), name="api_application_events"),
]
