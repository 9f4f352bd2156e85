"""The enrolment list runs the same number of queries for 3 enrolments as for 15 (one page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from applications.models import Application
from benefits.models import Enrolment, EnrolmentMember
from conftest import HOME_COMMUNITY, assert_constant_queries
from households.tests.factories import household_make


def _enrolments(count: int, user) -> None:
    for _ in range(count):
        household = household_make(community_id=HOME_COMMUNITY, members=2)
        application = Application.objects.create(
            household=household,
            category="dibao",
            reasons="困难",
            status=Application.Status.APPROVED,
            received_on=dt.date(2018, 6, 1),
            created_by=user,
        )
        enrolment = Enrolment.objects.create(
            household=household,
            community_code=household.community_id,
            application=application,
            category="dibao",
            monthly_amount=Decimal("500"),
            start_month=dt.date(2018, 7, 1),
            created_by=user,
        )
        for person in household.members.all():
            EnrolmentMember.objects.create(enrolment=enrolment, person=person, category="dibao")


def test_enrolment_list_queries_do_not_grow_with_the_enrolments(
    client, county_officer, django_assert_num_queries
):
    _enrolments(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("enrolment_list"), lambda: _enrolments(12, county_officer)
    )
    assert len(response.context["page"]) == 15
