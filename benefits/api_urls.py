"""REST routes of coverage: the person lookup and the linked-benefit lists, under /api/v1/."""

from django.urls import path

from benefits.api import LinkedListView
from benefits.api_persons import PersonLookupView

urlpatterns = [
    path("persons/<str:id_number>", PersonLookupView.as_view(), name="api_person_lookup"),
    path("lists/benefits/<str:code>", LinkedListView.as_view(), name="api_linked_list"),
]
