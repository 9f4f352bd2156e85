from django.urls import include, path

from benefits.api import LinkedListView

urlpatterns = [
    path("eligibility/", include("eligibility.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("ledgers.api_urls")),
    path("lists/benefits/<str:code>", LinkedListView.as_view(), name="api_linked_list"),
]
