"""The household list (one page) and the overview page run the same number of queries for 3 households as
for 15."""

from __future__ import annotations

from django.urls import reverse

from conftest import HOME_COMMUNITY, assert_constant_queries
from households.tests.factories import household_make


def test_household_list_queries_do_not_grow_with_the_households(
    client, caseworker, django_assert_num_queries
):
    for _ in range(3):
        household_make(community_id=HOME_COMMUNITY, members=1)
    client.force_login(caseworker)

    def grow():
        for _ in range(12):
            household_make(community_id=HOME_COMMUNITY, members=3)

    response = assert_constant_queries(client, django_assert_num_queries, reverse("household_list"), grow)
    assert len(response.context["page"]) == 15


def test_overview_queries_do_not_grow_with_the_households(client, county_officer, django_assert_num_queries):
    for _ in range(3):
        household_make(community_id=HOME_COMMUNITY, members=2)
    client.force_login(county_officer)

    def grow():
        for _ in range(12):
            household_make(community_id=HOME_COMMUNITY, members=2)

    response = assert_constant_queries(client, django_assert_num_queries, reverse("overview"), grow)
    summary = response.context["summary"]
    assert (summary["households"], summary["persons"]) == (15, 30)
