"""The lead, pairing, job-help and charity-need lists run the same number of queries for 3 rows as for 15 (one page)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from benefits.tests.test_query_counts import _enrolments
from conftest import assert_constant_queries
from help.models import AidKind, AidNeed
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


def test_pairing_list_queries_do_not_grow_with_the_unpaired_households(
    client, caseworker, county_officer, django_assert_num_queries
):
    _enrolments(3, county_officer)
    client.force_login(caseworker)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("pairing_list"), lambda: _enrolments(12, county_officer)
    )
    assert len(response.context["unpaired"]) == 15


def test_job_list_queries_do_not_grow_with_the_able_members(
    client, caseworker, county_officer, django_assert_num_queries
):
    _enrolments(2, county_officer)  # two members each, both of working age
    client.force_login(caseworker)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("job_list"), lambda: _enrolments(5, county_officer)
    )
    assert len(response.context["page"]) == 14


def _needs(count: int, user) -> None:
    for enrolment in _enrolments(count, user):
        AidNeed.objects.create(
            household=enrolment.household,
            kind=AidKind.EDUCATION,
            description="子女上学需要助学金",
            consent_on=dt.date(2019, 3, 1),
            status=AidNeed.Status.PUBLISHED,
            published_on=dt.date(2019, 3, 2),
            published_by=user,
        )


def test_need_list_queries_do_not_grow_with_the_needs(
    client, caseworker, county_officer, django_assert_num_queries
):
    _needs(3, county_officer)
    client.force_login(caseworker)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("need_list"), lambda: _needs(12, county_officer)
    )
    assert len(response.context["page"]) == 15
