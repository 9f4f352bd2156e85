"""Refused work (policy.md §8.2; 社会救助暂行办法 第四十五条): job help records each refused offer; after three
unjustified refusals in a row the county reduces or stops that member's own share only — the household keeps
the rest, and a recomputation does not undo the decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from benefits.models import EnrolmentPeriod, ShareReduction
from benefits.services import enrolments as enrolment_services
from benefits.services.followups import member_share_reduce
from benefits.tests.factories import enrol, household
from config.errors import PermissionDenied, ServiceError
from help.models import WorkRefusal
from help.services.jobs import work_refusal_record

pytestmark = pytest.mark.django_db
APPROVED = dt.date(2018, 6, 20)
DECIDED = dt.date(2018, 9, 12)


@pytest.fixture
def family(std2018, county_officer):
    """王五 (38, able) and his child: 低保 (580 − 150) × 2 = 860.00 a month."""
    row = household({"income": "300", "name": "王五"}, {"birth": "20100101", "income": "0", "name": "小王"})
    return enrol(row, acting_user=county_officer, today=APPROVED)


def refuse(caseworker, person, day, justified=False, reason=""):
    return work_refusal_record(
        acting_user=caseworker,
        person=person,
        offered_on=day,
        offer="东湖区环卫所 保洁员",
        offered_by="滕王阁街道劳动保障所",
        reason_given=reason,
        justified=justified,
        today=DECIDED,
    )


def amounts(enrolment):
    return [
        (p.start_month, p.monthly_amount)
        for p in EnrolmentPeriod.objects.filter(enrolment=enrolment, superseded_at__isnull=True).order_by(
            "start_month"
        )
    ]


def test_three_unjustified_refusals_stop_his_share_only_and_a_recompute_keeps_it(
    family, caseworker, county_officer
):
    head = family.household.members.get(relation="head")
    refuse(caseworker, head, dt.date(2018, 7, 10))
    refuse(caseworker, head, dt.date(2018, 8, 1), justified=True, reason="当天住院")  # breaks the row
    for day in (dt.date(2018, 8, 10), dt.date(2018, 8, 20), dt.date(2018, 9, 3)):
        refuse(caseworker, head, day)
    assert len(WorkRefusal.unjustified_in_a_row(head)) == 3

    member_share_reduce(
        enrolment=family,
        person=head,
        acting_user=county_officer,
        action="stop",
        note="三次无正当理由拒绝",
        today=DECIDED,
    )
    # his share is 860.00 ÷ 2 = 430.00; the child's 430.00 goes on
    assert amounts(family) == [
        (dt.date(2018, 7, 1), Decimal("860.00")),
        (dt.date(2018, 10, 1), Decimal("430.00")),
    ]
    family.refresh_from_db()
    assert (family.status, family.monthly_amount) == ("active", Decimal("430.00"))

    # a change of income is recomputed: the rules give (580 − 100) × 2 = 960.00; his share stays stopped
    head.income_wage = Decimal("200")
    head.save()
    enrolment_services.enrolment_recompute(
        enrolment=family, acting_user=caseworker, reason="收入变化", today=dt.date(2018, 10, 8)
    )
    assert amounts(family)[-1] == (dt.date(2018, 11, 1), Decimal("480.00"))


def test_a_reduction_is_at_most_his_share(family, caseworker, county_officer):
    head = family.household.members.get(relation="head")
    for day in (dt.date(2018, 8, 10), dt.date(2018, 8, 20), dt.date(2018, 9, 3)):
        refuse(caseworker, head, day)
    with pytest.raises(ServiceError) as exc:
        member_share_reduce(
            enrolment=family,
            person=head,
            acting_user=county_officer,
            action="reduce",
            amount="500",
            note="三次拒绝工作",
            today=DECIDED,
        )
    assert exc.value.errors == [
        {"field": "amount", "message": "减发金额不能超过该成员的份额430.00元（补差÷保障人数）"}
    ]
    member_share_reduce(
        enrolment=family,
        person=head,
        acting_user=county_officer,
        action="reduce",
        amount="100",
        note="三次拒绝工作",
        today=DECIDED,
    )
    assert amounts(family)[-1] == (dt.date(2018, 10, 1), Decimal("760.00"))


def test_fewer_than_three_in_a_row_a_child_or_the_wrong_user_change_nothing(
    family, caseworker, county_officer
):
    head = family.household.members.get(relation="head")
    child = family.household.members.get(relation="child")
    refuse(caseworker, head, dt.date(2018, 8, 10))
    refuse(caseworker, head, dt.date(2018, 8, 20))
    before = amounts(family)
    with pytest.raises(ServiceError) as exc:
        member_share_reduce(
            enrolment=family,
            person=head,
            acting_user=county_officer,
            action="stop",
            note="三次拒绝工作",
            today=DECIDED,
        )
    assert exc.value.errors[0] == {
        "field": "person",
        "message": "须有连续三次无正当理由拒绝介绍工作的记录，王五现有连续2次",
    }
    with pytest.raises(ServiceError) as exc:
        member_share_reduce(
            enrolment=family,
            person=child,
            acting_user=county_officer,
            action="stop",
            note="三次拒绝工作",
            today=DECIDED,
        )
    assert "不是有劳动能力的劳动年龄" in exc.value.errors[0]["message"]
    with pytest.raises(PermissionDenied):
        member_share_reduce(
            enrolment=family,
            person=head,
            acting_user=caseworker,
            action="stop",
            note="三次拒绝工作",
            today=DECIDED,
        )
    with pytest.raises(ServiceError) as exc:
        refuse(caseworker, head, dt.date(2018, 9, 1), justified=True)
    assert exc.value.errors == [{"field": "reason_given", "message": "认定理由正当的，请写明本人陈述的理由"}]
    assert amounts(family) == before
    assert not ShareReduction.objects.exists() and WorkRefusal.objects.count() == 2
