"""增发 (policy.md §8.1): a county-approved monthly addition is its own roll line and survives every
recomputation of the basic amount; only its end month or a county decision ends it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Region
from benefits.models import PaymentLine, Supplement
from benefits.services import enrolments as enrolment_services
from benefits.services import rolls as roll_services
from benefits.services.followups import supplement_end, supplement_grant
from benefits.tests.factories import enrol, household
from config.errors import PermissionDenied, ServiceError
from reports import figures as reports

pytestmark = pytest.mark.django_db
APPROVED = dt.date(2018, 6, 20)


def roll(user, month, capture):
    with capture(execute=True):
        made, _ = roll_services.roll_request(
            acting_user=user, county="360102", month=month, program="dibao", today=month
        )
    made.refresh_from_db()
    return made


@pytest.fixture
def enrolment(std2018, county_officer):
    return enrol(household({"income": "300", "name": "张三"}), acting_user=county_officer, today=APPROVED)


def test_a_supplement_is_its_own_line_and_survives_a_recomputation(
    enrolment, county_officer, caseworker, django_capture_on_commit_callbacks
):
    supplement_grant(
        enrolment=enrolment,
        acting_user=county_officer,
        amount="150",
        reason="重病患者医疗支出大",
        start_month="2018-08",
        end_month="2018-09",
        today=dt.date(2018, 7, 2),
    )
    # his income rises: the basic amount is recomputed from August (580 − 400 = 180.00)
    head = enrolment.household.members.get()
    head.income_wage = Decimal("400")
    head.save()
    enrolment_services.enrolment_recompute(
        enrolment=enrolment, acting_user=caseworker, reason="收入变化", today=dt.date(2018, 7, 5)
    )
    august = roll(county_officer, dt.date(2018, 8, 1), django_capture_on_commit_callbacks)
    assert list(august.lines.order_by("pk").values_list("kind", "amount", "label")) == [
        ("regular", Decimal("180.00"), ""),
        ("supplement", Decimal("150.00"), "增发：重病患者医疗支出大"),
    ]
    assert august.total_amount == Decimal("330.00")
    roll_services.roll_lock(roll=august, acting_user=county_officer)
    total = august.community_totals.get()
    assert (total.amount, total.supplement, total.arrears, total.dibao_subsidy) == (
        Decimal("330.00"),
        Decimal("150.00"),
        Decimal("0.00"),
        Decimal("180.00"),
    )
    # the oversight report shows it in its own column (policy.md §8.1)
    report = reports.report_build(
        region=Region.objects.get(code="360102"),
        period=reports.period_from_months("2018-08", "2018-08"),
        today=dt.date(2018, 9, 1),
        sections=("money",),
    )
    money = next(t for t in report.tables if t.key == "money")
    total = dict(zip(money.header[1:], money.footer[0][1:], strict=True))
    assert (total["发放总额（元）"], total["增发"], total["补发"]) == (
        Decimal("330.00"),
        Decimal("150.00"),
        Decimal("0.00"),
    )
    # after its end month it is not paid
    october = roll(county_officer, dt.date(2018, 10, 1), django_capture_on_commit_callbacks)
    assert list(october.lines.values_list("kind", flat=True)) == ["regular"]


def test_a_county_decision_ends_it_early_and_the_ready_roll_follows(
    enrolment, county_officer, django_capture_on_commit_callbacks
):
    august = roll(county_officer, dt.date(2018, 8, 1), django_capture_on_commit_callbacks)
    supplement = supplement_grant(
        enrolment=enrolment,
        acting_user=county_officer,
        amount="100.50",
        reason="子女就学支出大",
        start_month="2018-08",
        end_month="2018-12",
        today=dt.date(2018, 7, 20),
    )
    august.refresh_from_db()
    assert august.total_amount == Decimal("380.50")  # the roll already made gets the line
    supplement_end(
        supplement=supplement, acting_user=county_officer, note="子女已毕业就业", today=dt.date(2018, 7, 25)
    )
    supplement.refresh_from_db()
    assert supplement.cancelled
    august.refresh_from_db()
    assert august.total_amount == Decimal("280.00")
    assert PaymentLine.objects.get(kind="supplement").hold_reason.startswith("已停发：增发已终止")


def test_bad_input_and_the_wrong_user_write_nothing(enrolment, county_officer, caseworker):
    with pytest.raises(ServiceError) as exc:
        supplement_grant(
            enrolment=enrolment,
            acting_user=county_officer,
            amount="abc",
            reason="短",
            start_month="2018-07",
            end_month="2018-06",
            today=dt.date(2018, 7, 2),
        )
    assert {e["field"] for e in exc.value.errors} == {"amount", "reason", "start_month", "end_month"}
    assert "增发金额" in exc.value.errors[0]["message"]
    with pytest.raises(PermissionDenied):
        supplement_grant(
            enrolment=enrolment,
            acting_user=caseworker,
            amount="100",
            reason="重病患者医疗支出大",
            start_month="2018-08",
            end_month="2018-09",
            today=dt.date(2018, 7, 2),
        )
    assert not Supplement.objects.exists()
