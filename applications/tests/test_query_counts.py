"""The application list runs the same number of queries for 3 applications as for 15 (one page)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from conftest import HOME_COMMUNITY, assert_constant_queries
from households.tests.factories import household_make


def _applications(count: int, user) -> None:
    for i in range(count):
        household = household_make(community_id=HOME_COMMUNITY, members=2)
        Application.objects.create(
            household=household,
            category="dibao" if i % 2 else "tekun",
            reasons="因病致贫",
            status=Application.Status.INVESTIGATING,
            received_on=timezone.localdate() - dt.timedelta(days=i),
            created_by=user,
        )


def test_application_list_queries_do_not_grow_with_the_applications(
    client, caseworker, django_assert_num_queries
):
    _applications(3, caseworker)
    client.force_login(caseworker)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("application_list"), lambda: _applications(12, caseworker)
    )
    assert len(response.context["page"]) == 15
