"""Reviews on a schedule: yearly for stable households, every six months for the others; the daily job raises
the caseworker's tasks (idempotently); completing one recomputes and schedules the next."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from benefits.models import Enrolment, EnrolmentReview
from benefits.schedule import review_months
from benefits.services import reviews as services
from benefits.tests.factories import enrol, household
from config.errors import PermissionDenied, ServiceError
from eligibility.tests.factories import id_number

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)


@pytest.mark.parametrize(
    "category,members,months",
    [
        ("tekun", [("19500101", "full")], 12),
        ("dibao", [("19500101", "full"), ("19520101", "none")], 12),  # both over 60
        ("dibao", [("19800101", "none"), ("20100101", "full")], 12),  # no labour capacity, a child
        ("dibao", [("19800101", "partial")], 6),  # working age with partial capacity
        ("dibao", [("19500101", "none"), ("19900101", "full")], 6),
    ],
)
def test_review_interval(category, members, months):
    covered = [
        {"id_number": id_number(dt.date.fromisoformat(f"{b[:4]}-{b[4:6]}-{b[6:]}")), "labor_capacity": cap}
        for b, cap in members
    ]
    assert review_months(category=category, covered=covered, as_of=dt.date(2018, 7, 1)) == months


@pytest.fixture
def enrolment(std2018, county_officer):
    return enrol(
        household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0"}),
        acting_user=county_officer,
        today=APPROVED,
    )


def test_tasks_are_raised_once_within_a_month_of_the_due_date(enrolment):
    assert enrolment.next_review_on == dt.date(2019, 1, 1)
    assert services.reviews_raise(today=dt.date(2018, 11, 30)) == 0
    assert services.reviews_raise(today=dt.date(2018, 12, 2)) == 1
    assert services.reviews_raise(today=dt.date(2018, 12, 3)) == 0
    task = EnrolmentReview.objects.get()
    assert (task.kind, task.due_on, task.status) == ("scheduled", dt.date(2019, 1, 1), "open")


def test_completing_a_review_recomputes_and_schedules_the_next(enrolment, caseworker):
    services.reviews_raise(today=dt.date(2018, 12, 2))
    task = EnrolmentReview.objects.get()
    head = enrolment.household.members.get(name="张三")
    head.income_wage = Decimal("500")
    head.save()
    services.review_complete(
        task=task,
        acting_user=caseworker,
        visited_on=dt.date(2018, 12, 20),
        findings="户主收入增加到500元",
        today=dt.date(2018, 12, 21),
    )
    task.refresh_from_db()
    enrolment.refresh_from_db()
    assert (task.status, task.outcome, task.completed_by) == ("done", "changed", caseworker)
    assert enrolment.monthly_amount == Decimal("660.00")  # 580 × 2 − 500, from January 2019
    assert enrolment.next_review_on == dt.date(2019, 6, 21)
    assert services.reviews_raise(today=dt.date(2018, 12, 22)) == 0


@pytest.mark.parametrize(
    "visited_on,findings,field",
    [
        (None, "正常", "visited_on"),
        (dt.date(2018, 12, 30), "正常", "visited_on"),
        (dt.date(2018, 12, 20), " ", "findings"),
    ],
)
def test_an_incomplete_review_is_refused_and_changes_nothing(
    enrolment, caseworker, visited_on, findings, field
):
    services.reviews_raise(today=dt.date(2018, 12, 2))
    task = EnrolmentReview.objects.get()
    before = (list(EnrolmentReview.objects.values()), list(Enrolment.objects.values()))
    with pytest.raises(ServiceError) as exc:
        services.review_complete(
            task=task,
            acting_user=caseworker,
            visited_on=visited_on,
            findings=findings,
            today=dt.date(2018, 12, 21),
        )
    assert exc.value.errors[0]["field"] == field
    assert (list(EnrolmentReview.objects.values()), list(Enrolment.objects.values())) == before


def test_only_the_community_caseworker_completes_reviews(
    enrolment, street_officer, county_officer, make_user
):
    services.reviews_raise(today=dt.date(2018, 12, 2))
    task = EnrolmentReview.objects.get()
    for user in (street_officer, county_officer, make_user("caseworker", "360102002002")):
        with pytest.raises(PermissionDenied):
            services.review_complete(
                task=task,
                acting_user=user,
                visited_on=dt.date(2018, 12, 20),
                findings="正常",
                today=dt.date(2018, 12, 21),
            )
    assert EnrolmentReview.objects.get().status == "open"


def test_exited_enrolments_get_no_tasks_and_their_open_tasks_close(enrolment, county_officer):
    from benefits.services import enrolments

    services.reviews_raise(today=dt.date(2018, 12, 2))
    enrolments.enrolment_exit(
        enrolment=enrolment,
        acting_user=county_officer,
        reason="moved",
        note="迁往外省",
        details={"moved_to": "浙江省杭州市"},
        today=dt.date(2018, 12, 5),
    )
    assert EnrolmentReview.objects.get().outcome == "exited"
    assert services.reviews_raise(today=dt.date(2019, 6, 1)) == 0


def test_the_review_page_lists_the_facts_to_complete(enrolment, caseworker, client):
    """Policy v2: a member with a disability grade but no kind (a record from before version 2) is 待补充,
    and the next review asks for it."""
    services.reviews_raise(today=dt.date(2018, 12, 2))
    task = EnrolmentReview.objects.get()
    child = enrolment.household.members.exclude(name="张三").get()
    type(child).objects.filter(pk=child.pk).update(disability_grade=3)  # as the migration leaves it: no kind
    client.force_login(caseworker)
    page = client.get(f"/benefits/reviews/{task.pk}/").content.decode()
    assert "本次复核须补充" in page and f"{child.name}：残疾类别（待补充）" in page
    type(child).objects.filter(pk=child.pk).update(disability_kind="hearing")
    page = client.get(f"/benefits/reviews/{task.pk}/").content.decode()
    assert "本次复核须补充" not in page
