"""The enrolment, review, county-task, payment-roll, reserve-fund and temporary-relief lists run the same number of queries for 3 rows
as for 15 (one page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from accounts.models import Region
from applications.models import Application
from benefits.models import Enrolment, EnrolmentMember, EnrolmentReview, PaymentRoll, ReliefGrant
from benefits.models.followups import ConfirmedFact, CountyTask
from benefits.models.relief import ReserveFund
from conftest import HOME_COMMUNITY, assert_constant_queries
from households.tests.factories import household_make


def _enrolments(count: int, user) -> list[Enrolment]:
    made = []
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
        made.append(enrolment)
    return made


def test_enrolment_list_queries_do_not_grow_with_the_enrolments(
    client, county_officer, django_assert_num_queries
):
    _enrolments(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("enrolment_list"), lambda: _enrolments(12, county_officer)
    )
    assert len(response.context["page"]) == 15


def _reviews(count: int, user) -> None:
    for i, enrolment in enumerate(_enrolments(count, user)):
        EnrolmentReview.objects.create(enrolment=enrolment, due_on=dt.date(2019, 1, 1) + dt.timedelta(days=i))


def test_review_queue_queries_do_not_grow_with_the_reviews(client, county_officer, django_assert_num_queries):
    _reviews(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("review_queue"), lambda: _reviews(12, county_officer)
    )
    assert len(response.context["page"]) == 15


_months = iter(range(10_000))


def _rolls(count: int, user) -> None:
    for _ in range(count):
        n = next(_months)
        PaymentRoll.objects.create(
            county_id="360102",
            month=dt.date(2019 + n // 12, n % 12 + 1, 1),
            program="dibao",
            created_by=user,
            locked_by=user if n % 2 else None,
        )


def test_roll_list_queries_do_not_grow_with_the_rolls(client, county_officer, django_assert_num_queries):
    _rolls(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("roll_list"), lambda: _rolls(12, county_officer)
    )
    assert len(response.context["page"]) == 15


def _grants(count: int, user) -> None:
    for i in range(count):
        household = household_make(community_id=HOME_COMMUNITY, members=1)
        ReliefGrant.objects.create(
            household=household,
            person=household.members.get(),
            kind=ReliefGrant.Kind.URGENT,
            amount=Decimal("300"),
            reason="突发疾病",
            received_on=dt.date(2019, 3, 1),
            route=ReliefGrant.Route.COUNTY,
            status=ReliefGrant.Status.COUNTY_REVIEW if i % 2 else ReliefGrant.Status.SUBMITTED,
            created_by=user,
        )


def test_relief_list_queries_do_not_grow_with_the_grants(client, county_officer, django_assert_num_queries):
    _grants(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("relief_list"), lambda: _grants(12, county_officer)
    )
    assert len(response.context["page"]) == 15


def _county_tasks(count: int, user) -> None:
    for i, enrolment in enumerate(_enrolments(count, user)):
        person, survivor = enrolment.household.members.order_by("id")
        fact = ConfirmedFact.objects.create(
            person=person,
            household=enrolment.household,
            kind=ConfirmedFact.Kind.DEATH,
            event_on=dt.date(2019, 1, 1),
            source="户籍死亡注销",
            confirmed_by=user,
        )
        CountyTask.objects.create(
            fact=fact,
            kind=CountyTask.Kind.EXIT,
            enrolment=enrolment,
            county_code="360102",
            due_on=dt.date(2019, 2, 1) + dt.timedelta(days=i),
            addressed_to=survivor,
        )


def test_county_task_list_queries_do_not_grow_with_the_tasks(
    client, county_officer, django_assert_num_queries
):
    _county_tasks(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client,
        django_assert_num_queries,
        reverse("county_task_list"),
        lambda: _county_tasks(12, county_officer),
    )
    assert len(response.context["page"]) == 15


def test_fund_list_queries_do_not_grow_with_the_funds(client, county_officer, django_assert_num_queries):
    streets = list(Region.objects.filter(parent_id="360102").order_by("code").values_list("code", flat=True))
    assert len(streets) >= 6

    def fund(codes) -> None:
        for code in codes:
            ReserveFund.objects.create(street_id=code, balance=Decimal("10000"))

    fund(streets[:1])
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("fund_list"), lambda: fund(streets[1:])
    )
    assert sum(1 for row in response.context["rows"] if row["fund"] is not None) == min(len(streets), 30)
