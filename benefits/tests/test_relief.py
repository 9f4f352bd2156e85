"""Temporary relief through the services: route, payment from the street reserve fund with its ledger, the
county's decision, filing and queries; refused actions change nothing; the fund never goes below zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Region
from benefits.models import FundMovement, ReliefGrant, ReserveFund
from benefits.services import relief as services
from benefits.tests.factories import enrol, household
from config.errors import PermissionDenied, ServiceError

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 9, 10)
STREET = "360102002000"


def state() -> dict:
    return {
        "grants": list(ReliefGrant.objects.order_by("pk").values()),
        "funds": list(ReserveFund.objects.order_by("pk").values()),
        "movements": list(FundMovement.objects.order_by("pk").values()),
    }


@pytest.fixture
def street():
    return Region.objects.get(code=STREET)


@pytest.fixture
def family(std2018):
    return household(
        {"income": "900", "name": "王五"}, {"birth": "20100101", "income": "900"}
    )  # not enrolled


def apply(user, family, amount, kind="expenditure", who=None):
    return services.relief_apply(
        acting_user=user,
        household=family,
        person=who or family.members.first(),
        kind=kind,
        amount=amount,
        reason="突发重病，医疗费用负担重",
        today=TODAY,
    )


def test_a_small_grant_is_approved_and_paid_by_the_street_from_its_fund(
    family, street, caseworker, street_officer, county_officer
):
    services.reserve_fund_topup(
        street=street, amount="1000", acting_user=county_officer, note="2018年第三季度"
    )
    grant = apply(caseworker, family, "300")
    assert (grant.route, grant.status, grant.in_categories) == ("street", "submitted", False)
    services.relief_street_approve(grant=grant, acting_user=street_officer, today=TODAY)
    grant.refresh_from_db()
    assert grant.status == "paid" and grant.filing == "pending" and grant.fund.street_id == STREET
    assert ReserveFund.objects.get().balance == Decimal("700.00")
    assert list(FundMovement.objects.order_by("id").values_list("kind", "amount", "balance_after")) == [
        ("topup", Decimal("1000.00"), Decimal("1000.00")),
        ("disbursement", Decimal("300.00"), Decimal("700.00")),
    ]
    # filed with the county, which queries it; the street answers
    services.relief_file(grant=grant, acting_user=street_officer, note="材料已补齐")
    services.relief_query(grant=grant, acting_user=county_officer, question="请说明医疗费用票据金额")
    services.relief_answer(grant=grant, acting_user=street_officer, answer="票据合计 8,650 元，已扫描存档")
    grant.refresh_from_db()
    assert grant.filing == "answered" and grant.query and grant.answer


def test_an_urgent_grant_goes_to_the_street_whatever_the_amount(family, caseworker):
    assert apply(caseworker, family, "900", kind="urgent").route == "street"


def test_a_larger_amount_goes_to_the_county_and_is_not_paid_from_the_fund(
    family, street, caseworker, street_officer, county_officer
):
    services.reserve_fund_topup(street=street, amount="5000", acting_user=county_officer)
    grant = apply(caseworker, family, "800")
    assert (grant.route, grant.status) == ("county", "county_review")
    with pytest.raises(ServiceError) as exc:
        services.relief_street_approve(grant=grant, acting_user=street_officer, today=TODAY)
    assert exc.value.code == "wrong_state"
    services.relief_county_approve(grant=grant, acting_user=county_officer, today=TODAY)
    grant.refresh_from_db()
    assert grant.status == "paid" and grant.fund is None and grant.filing == ""
    assert ReserveFund.objects.get().balance == Decimal("5000.00") and FundMovement.objects.count() == 1


def test_a_fund_that_cannot_pay_refuses_and_nothing_changes(
    family, street, caseworker, street_officer, county_officer
):
    services.reserve_fund_topup(street=street, amount="200", acting_user=county_officer)
    grant = apply(caseworker, family, "300")
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.relief_street_approve(grant=grant, acting_user=street_officer, today=TODAY)
    assert exc.value.code == "insufficient_funds"
    assert exc.value.message == "备用金余额不足：余额 200.00 元，本次需支出 300.00 元"
    assert state() == before


def test_the_database_refuses_a_negative_balance(street, county_officer):
    services.reserve_fund_topup(street=street, amount="10", acting_user=county_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveFund.objects.update(balance=Decimal("-0.01"))
    assert ReserveFund.objects.get().balance == Decimal("10.00")


def test_three_categories_get_the_uplift_and_an_extra_grant(
    std2018, street, caseworker, street_officer, county_officer
):
    poor = household({"income": "300", "name": "赵六"})
    enrol(poor, acting_user=county_officer, today=dt.date(2018, 6, 20))
    person = poor.members.get()
    grant = apply(caseworker, poor, "1500", who=person)  # 1000 × 1.5
    assert grant.in_categories and grant.route == "county" and grant.limits["per_event_limit"] == "1500.00"
    with pytest.raises(ServiceError):
        apply(caseworker, poor, "1500.01", who=person)
    apply(caseworker, poor, "100", who=person)
    apply(caseworker, poor, "100", who=person)  # the third grant of the year: 2 + 1
    with pytest.raises(ServiceError) as exc:
        apply(caseworker, poor, "100", who=person)
    assert exc.value.message == "本年度已救助 3 次，已达年度次数上限 3 次"


def test_pending_grants_count_against_the_year(family, caseworker):
    apply(caseworker, family, "1000")
    apply(caseworker, family, "1000")
    with pytest.raises(ServiceError) as exc:
        apply(caseworker, family, "100")
    assert "已达年度次数上限 2 次" in exc.value.message


def test_a_rejected_grant_does_not_count(family, caseworker, street_officer):
    grant = apply(caseworker, family, "400")
    services.relief_reject(grant=grant, acting_user=street_officer, reason="经核实已获其他救助", today=TODAY)
    apply(caseworker, family, "400")
    apply(caseworker, family, "400")


@pytest.mark.parametrize(
    "values,field,message",
    [
        ({"amount": "abc"}, "amount", "金额应为数字，如 1000 或 1,000.50"),
        ({"amount": "1e3"}, "amount", "金额应为数字，如 1000 或 1,000.50"),
        ({"amount": "NaN"}, "amount", "金额应为数字，如 1000 或 1,000.50"),
        ({"amount": "-5"}, "amount", "金额不能为负数"),
        ({"amount": "1000000000"}, "amount", "金额超出合理范围（不能超过 999,999,999.99 元）"),
        ({"amount": "0"}, "amount", "金额须大于0"),
        ({"amount": "1.234"}, "amount", "金额最多保留两位小数（到分）"),
        ({"kind": "other"}, "kind", "请选择救助类型"),
        ({"reason": " "}, "reason", "请写明遭遇的困难和救助理由"),
    ],
)
def test_bad_applications_name_the_field_and_change_nothing(family, caseworker, values, field, message):
    args = {"kind": "expenditure", "amount": "100", "reason": "困难", **values}
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.relief_apply(
            acting_user=caseworker, household=family, person=family.members.first(), today=TODAY, **args
        )
    assert any(e["field"] == field and message in e["message"] for e in exc.value.errors)
    assert state() == before


def test_a_person_of_another_household_is_refused(family, caseworker):
    other = household({"income": "900"})
    with pytest.raises(ServiceError) as exc:
        apply(caseworker, family, "100", who=other.members.get())
    assert exc.value.errors[0]["field"] == "person"


def test_only_the_county_tops_up_and_only_its_own_streets(
    street, street_officer, caseworker, other_county_officer, auditor
):
    for user in (street_officer, caseworker, other_county_officer, auditor):
        with pytest.raises(PermissionDenied):
            services.reserve_fund_topup(street=street, amount="100", acting_user=user)
    assert not ReserveFund.objects.exists() and not FundMovement.objects.exists()


def test_the_street_of_another_area_cannot_approve(family, street, caseworker, county_officer, make_user):
    services.reserve_fund_topup(street=street, amount="1000", acting_user=county_officer)
    grant = apply(caseworker, family, "300")
    elsewhere = make_user("street", "360102004000")
    before = state()
    with pytest.raises(PermissionDenied):
        services.relief_street_approve(grant=grant, acting_user=elsewhere, today=TODAY)
    assert state() == before
