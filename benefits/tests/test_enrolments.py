"""Enrolments: creation, recomputation after a change of income or members (from the next month, with the
reason), 渐退 and its end, suspension, exit — exact amounts from the rules of policy.md §5."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Event
from benefits.models import Enrolment, EnrolmentMember, EnrolmentPeriod, EnrolmentReview
from benefits.services import enrolments as services
from benefits.tests.factories import enrol, household, person
from config.errors import PermissionDenied, ServiceError

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)  # paid from July 2018


def state() -> dict:
    """Everything an enrolment service could change."""
    return {
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "history": Enrolment.history.count(),
        "members": list(EnrolmentMember.objects.order_by("pk").values()),
        "periods": list(EnrolmentPeriod.objects.order_by("pk").values()),
        "reviews": list(EnrolmentReview.objects.order_by("pk").values()),
        "events": Event.objects.count(),
    }


def periods(enrolment) -> list[tuple]:
    return [
        (p.start_month, p.end_month, p.status, p.monthly_amount)
        for p in EnrolmentPeriod.objects.filter(enrolment=enrolment, superseded_at__isnull=True).order_by(
            "start_month"
        )
    ]


@pytest.fixture
def family(std2018):
    """Head born 1980 earning 300, a child born 2010 earning nothing: 低保 (580 × 2 − 300) = 860.00."""
    return household(
        {"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0", "name": "张小妹"}
    )


def test_an_approved_application_becomes_an_enrolment_paid_from_the_next_month(family, county_officer):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    assert enrolment.monthly_amount == Decimal("860.00")
    assert enrolment.components["dibao_subsidy"] == "860.00"
    assert enrolment.start_month == dt.date(2018, 7, 1) and enrolment.status == "active"
    assert enrolment.payee.name == "张三" and enrolment.dibao_paid
    assert periods(enrolment) == [(dt.date(2018, 7, 1), None, "active", Decimal("860.00"))]
    period = enrolment.periods.get()
    assert period.standard_year == 2018 and not period.provisional
    assert [m["monthly_income"] for m in period.facts["members"]] == ["300.00", "0.00"]
    # the head is of working age with labour capacity: reviewed every six months
    assert enrolment.review_months == 6 and enrolment.next_review_on == dt.date(2019, 1, 1)
    assert Event.objects.filter(target_id=str(enrolment.pk), verb__startswith="纳入").count() == 1


def test_a_stable_household_is_reviewed_yearly(std2018, county_officer):
    elderly = household(
        {"birth": "19400101", "income": "200", "labor_capacity": "none"},
        {"birth": "19420101", "income": "100", "labor_capacity": "none", "relation": "spouse"},
    )
    enrolment = enrol(elderly, acting_user=county_officer, today=APPROVED)
    assert enrolment.monthly_amount == Decimal("860.00")  # 580 × 2 − 300
    assert enrolment.review_months == 12 and enrolment.next_review_on == dt.date(2019, 7, 1)


def test_an_income_change_recomputes_from_the_next_month_with_the_reason(family, county_officer, caseworker):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    head = family.members.get(name="张三")
    head.income_wage = Decimal("700")
    head.save()
    result = services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="收入变化", today=dt.date(2018, 8, 10)
    )
    assert (result.outcome, result.old_amount, result.new_amount) == (
        "changed",
        Decimal("860.00"),
        Decimal("460.00"),
    )
    assert result.effective_month == dt.date(2018, 9, 1)
    assert periods(enrolment) == [
        (dt.date(2018, 7, 1), dt.date(2018, 8, 1), "active", Decimal("860.00")),
        (dt.date(2018, 9, 1), None, "active", Decimal("460.00")),  # 580 × 2 − 700
    ]
    latest = enrolment.periods.get(start_month=dt.date(2018, 9, 1), superseded_at__isnull=True)
    assert latest.reason == "收入变化（张三月收入 300.00 → 700.00 元）"
    assert EnrolmentPeriod.objects.filter(enrolment=enrolment, superseded_at__isnull=False).count() == 1
    enrolment.refresh_from_db()
    assert enrolment.monthly_amount == Decimal("460.00") and enrolment.updated_at > enrolment.created_at
    event = Event.objects.filter(target_id=str(enrolment.pk)).order_by("-id").first()
    assert event.verb == "重新核定：月救助金860.00元 → 460.00元（2018年9月起）" and event.actor == caseworker
    assert enrolment.history.first().history_user == caseworker


def test_a_new_member_is_covered_and_the_amount_recomputed(family, county_officer, caseworker):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    person(family, birth="20180301", income="0", relation="child", name="张宝宝")
    result = services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="新生儿落户", today=dt.date(2018, 8, 10)
    )
    assert result.new_amount == Decimal("1440.00")  # 580 × 3 − 300
    assert {m.person.name for m in enrolment.covered.filter(ended_on__isnull=True)} == {
        "张三",
        "张小妹",
        "张宝宝",
    }
    assert (
        enrolment.periods.get(superseded_at__isnull=True, start_month=dt.date(2018, 9, 1)).covered_count == 3
    )
    assert (
        "新增成员张宝宝"
        in enrolment.periods.get(superseded_at__isnull=True, start_month=dt.date(2018, 9, 1)).reason
    )


def test_recomputing_without_a_change_keeps_the_amount(family, county_officer, caseworker):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    result = services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="核查", today=dt.date(2018, 8, 10)
    )
    assert result.outcome == "unchanged" and result.new_amount == Decimal("860.00")
    assert periods(enrolment) == [(dt.date(2018, 7, 1), None, "active", Decimal("860.00"))]


@pytest.mark.parametrize(
    "who,reason,error",
    [
        ("caseworker", "", "请写明重新核定的原因"),
        ("street", "收入变化", "只有本社区的社区工作人员或县级民政部门可以重新核定"),
        ("other_county", "收入变化", "只有本社区的社区工作人员或县级民政部门可以重新核定"),
    ],
)
def test_a_refused_recompute_changes_nothing(
    family, county_officer, caseworker, street_officer, other_county_officer, who, reason, error
):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    head = family.members.get(name="张三")
    head.income_wage = Decimal("700")
    head.save()
    user = {"caseworker": caseworker, "street": street_officer, "other_county": other_county_officer}[who]
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.enrolment_recompute(
            enrolment=enrolment, acting_user=user, reason=reason, today=dt.date(2018, 8, 10)
        )
    assert error in exc.value.message
    assert state() == before


def test_no_longer_eligible_raises_a_recheck_and_keeps_paying(family, county_officer, caseworker):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    head = family.members.get(name="张三")
    head.income_wage = Decimal("3000")  # no 新就业 date: not 渐退
    head.save()
    result = services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="收入变化", today=dt.date(2018, 8, 10)
    )
    assert result.outcome == "ineligible"
    assert periods(enrolment) == [(dt.date(2018, 7, 1), None, "active", Decimal("860.00"))]
    task = EnrolmentReview.objects.get(enrolment=enrolment, kind="recheck")
    assert task.status == "open" and "已不符合" in task.raised_because


# --------------------------------------------------------------------------------------------------
# 渐退 (五(一)1, policy.md §5)


def test_a_member_finding_work_starts_gradual_exit_at_the_previous_amount(family, county_officer, caseworker):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    head = family.members.get(name="张三")
    head.income_wage, head.employment, head.newly_employed_since = (
        Decimal("2000"),
        "employed",
        dt.date(2018, 8, 15),
    )
    head.save()
    result = services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="就业", today=dt.date(2018, 8, 20)
    )
    assert result.outcome == "gradual"
    enrolment.refresh_from_db()
    # 2018-08-15 + 12 months; the previous 860.00 goes on through August 2019
    assert enrolment.status == "gradual" and enrolment.gradual_until == dt.date(2019, 8, 15)
    assert enrolment.monthly_amount == Decimal("860.00")
    assert periods(enrolment) == [
        (dt.date(2018, 7, 1), dt.date(2018, 8, 1), "active", Decimal("860.00")),
        (dt.date(2018, 9, 1), dt.date(2019, 8, 1), "gradual", Decimal("860.00")),
    ]


def test_gradual_exit_is_24_months_when_the_unit_has_a_disabled_member(std2018, county_officer, caseworker):
    row = household(
        {"income": "300", "name": "李四"},
        {"birth": "20100101", "income": "0", "disability_grade": 3, "name": "李小"},
    )
    enrolment = enrol(row, acting_user=county_officer, today=APPROVED)
    assert enrolment.monthly_amount == Decimal("920.00")  # 580 × 2 − 300 + 困难残疾人生活补贴 60
    head = row.members.get(name="李四")
    head.income_wage, head.newly_employed_since = Decimal("2000"), dt.date(2018, 8, 15)
    head.save()
    services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="就业", today=dt.date(2018, 8, 20)
    )
    enrolment.refresh_from_db()
    assert enrolment.gradual_until == dt.date(2020, 8, 15) and enrolment.monthly_amount == Decimal("920.00")


def test_gradual_exit_ends_after_the_month_it_falls_in(family, county_officer, caseworker):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    head = family.members.get(name="张三")
    head.income_wage, head.newly_employed_since = Decimal("2000"), dt.date(2018, 8, 15)
    head.save()
    services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="就业", today=dt.date(2018, 8, 20)
    )
    assert services.enrolments_close_gradual(today=dt.date(2019, 8, 31)) == 0  # still August 2019: paid
    assert services.enrolments_close_gradual(today=dt.date(2019, 9, 1)) == 1
    assert services.enrolments_close_gradual(today=dt.date(2019, 9, 2)) == 0  # once only
    enrolment.refresh_from_db()
    assert enrolment.status == "exited" and enrolment.exit_reason == "gradual_end"
    assert enrolment.ended_on == dt.date(2019, 8, 15)
    assert list(enrolment.covered.values_list("ended_on", flat=True)) == [dt.date(2019, 8, 15)] * 2


# --------------------------------------------------------------------------------------------------
# Suspension and exit


def test_suspend_and_resume(family, county_officer):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    services.enrolment_suspend(
        enrolment=enrolment, acting_user=county_officer, reason="联系不上，待核实", today=dt.date(2018, 8, 5)
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "suspended"
    assert periods(enrolment)[-1] == (dt.date(2018, 9, 1), None, "suspended", Decimal("860.00"))
    result = services.enrolment_resume(
        enrolment=enrolment, acting_user=county_officer, reason="已核实", today=dt.date(2018, 10, 8)
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and result.new_amount == Decimal("860.00")
    assert periods(enrolment) == [
        (dt.date(2018, 7, 1), dt.date(2018, 8, 1), "active", Decimal("860.00")),
        (dt.date(2018, 9, 1), dt.date(2018, 10, 1), "suspended", Decimal("860.00")),
        (dt.date(2018, 11, 1), None, "active", Decimal("860.00")),
    ]


def test_resume_is_refused_when_no_longer_eligible_and_nothing_changes(family, county_officer):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    services.enrolment_suspend(
        enrolment=enrolment, acting_user=county_officer, reason="待核实", today=dt.date(2018, 8, 5)
    )
    head = family.members.get(name="张三")
    head.income_wage = Decimal("3000")
    head.save()
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.enrolment_resume(
            enrolment=enrolment, acting_user=county_officer, reason="已核实", today=dt.date(2018, 10, 8)
        )
    assert "不能恢复发放" in exc.value.message
    assert state() == before


def test_exit_with_reason_stops_after_this_month(family, county_officer):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    services.enrolment_exit(
        enrolment=enrolment,
        acting_user=county_officer,
        reason="income",
        note="户主已稳定就业，家庭人均收入超过低保标准",
        today=dt.date(2018, 9, 12),
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "exited" and enrolment.ended_on == dt.date(2018, 9, 30)
    assert enrolment.exit_reason == "income" and enrolment.exited_by == county_officer
    assert periods(enrolment) == [(dt.date(2018, 7, 1), dt.date(2018, 9, 1), "active", Decimal("860.00"))]
    assert not enrolment.covered.filter(ended_on__isnull=True).exists()


def test_exit_for_death_stops_after_the_month_of_death(family, county_officer):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    services.enrolment_exit(
        enrolment=enrolment,
        acting_user=county_officer,
        reason="death",
        note="户主死亡，家庭无其他成员需保障",
        details={"died_on": "2018-08-03"},
        today=dt.date(2018, 9, 12),
    )
    enrolment.refresh_from_db()
    assert enrolment.ended_on == dt.date(2018, 8, 31)
    assert periods(enrolment) == [(dt.date(2018, 7, 1), dt.date(2018, 8, 1), "active", Decimal("860.00"))]


@pytest.mark.parametrize(
    "reason,details,field,message",
    [
        # policy.md §8.2: refused work never ends the household's benefit, however many refusals
        (
            "refused_work",
            {"refusals": ["2018-08-01", "2018-08-20", "2018-09-03"]},
            "reason",
            "拒绝介绍工作不能终止全户救助",
        ),
        ("death", {}, "died_on", "请填写死亡日期"),
        ("death", {"died_on": "2018-10-01"}, "died_on", "死亡日期不能晚于今天"),
        ("moved", {}, "moved_to", "请填写迁往地"),
        ("", {}, "reason", "请选择退出原因"),
        ("gradual_end", {}, "reason", "请选择退出原因"),
    ],
)
def test_a_refused_exit_names_the_field_and_changes_nothing(
    family, county_officer, reason, details, field, message
):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.enrolment_exit(
            enrolment=enrolment,
            acting_user=county_officer,
            reason=reason,
            note="依据",
            details=details,
            today=dt.date(2018, 9, 12),
        )
    assert any(e["field"] == field and message in e["message"] for e in exc.value.errors), exc.value.errors
    assert state() == before


@pytest.mark.parametrize("who", ["caseworker", "street", "other_county", "auditor"])
def test_only_the_county_decides_an_exit(
    family, county_officer, caseworker, street_officer, other_county_officer, auditor, who
):
    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    user = {
        "caseworker": caseworker,
        "street": street_officer,
        "other_county": other_county_officer,
        "auditor": auditor,
    }[who]
    before = state()
    with pytest.raises(PermissionDenied):
        services.enrolment_exit(
            enrolment=enrolment, acting_user=user, reason="income", note="超标", today=dt.date(2018, 9, 12)
        )
    assert state() == before


def test_the_daily_job_recomputes_households_changed_since_their_last_computation(family, county_officer):
    from django.utils import timezone

    enrolment = enrol(family, acting_user=county_officer, today=APPROVED)
    assert services.enrolments_recompute_changed(today=dt.date(2018, 8, 10)) == {
        "checked": 0,
        "changed": 0,
        "failed": 0,
    }
    head = family.members.get(name="张三")
    head.income_wage = Decimal("700")
    head.save()
    family.updated_at = timezone.now()  # as household_save does
    family.save()
    assert services.enrolments_recompute_changed(today=dt.date(2018, 8, 10)) == {
        "checked": 1,
        "changed": 1,
        "failed": 0,
    }
    enrolment.refresh_from_db()
    assert enrolment.monthly_amount == Decimal("460.00")
    assert Event.objects.filter(
        target_id=str(enrolment.pk), actor__isnull=True, verb__startswith="重新核定"
    ).exists()
    assert services.enrolments_recompute_changed(today=dt.date(2018, 8, 11))["checked"] == 0
