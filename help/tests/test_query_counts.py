"""The lead list runs the same number of queries for 3 leads as for 15 (one page)."""

from __future__ import annotations

from django.urls import reverse

from conftest import assert_constant_queries
from help.tests.factories import lead_make


def test_lead_list_queries_do_not_grow_with_the_leads(client, caseworker, django_assert_num_queries):
    for i in range(3):
        lead_make(caseworker=caseworker, name=f"张{i}")
    client.force_login(caseworker)

    def grow():
        for i in range(12):
            lead_make(caseworker=caseworker, name=f"李{i}")

    response = assert_constant_queries(client, django_assert_num_queries, reverse("lead_list"), grow)
    assert len(response.context["page"]) == 15
