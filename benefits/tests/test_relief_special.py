"""特别救助 (五(七), policy.md §6 [v2]): only the county approves it, never the street nor from its reserve fund;
it may exceed the per-event cap and lies outside the yearly cap and count; it never exceeds the net burden
(gross major rigid expenditure − insurance reimbursements − other relief − social help); bad input names its field
and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Region
from benefits.models import FundMovement, ReliefGrant, ReserveFund
from benefits.relief_rules import special_check
from benefits.services import relief as services
from benefits.tests.factories import household
from config.errors import PermissionDenied, ServiceError

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 9, 10)
STREET = "360102002000"
# 重大刚性支出 60,000; 医保报销 30,000, 医疗救助 8,000, 慈善 2,000: net burden 20,000.00
DEDUCTIONS = {"deduction_insurance": "30000", "deduction_relief": "8000", "deduction_charity": "2000"}


def state() -> dict:
    return {
        "grants": list(ReliefGrant.objects.order_by("pk").values()),
        "funds": list(ReserveFund.objects.order_by("pk").values()),
        "movements": list(FundMovement.objects.order_by("pk").values()),
    }


@pytest.fixture
def family(std2018):
    return household({"income": "900", "name": "王五"}, {"birth": "20100101", "income": "900"})


def special(user, family, amount, gross="60000", deductions=None, reason="户主突发白血病，住院治疗"):
    return services.relief_special_apply(
        acting_user=user,
        household=family,
        person=family.members.first(),
        amount=amount,
        reason=reason,
        gross_expenditure=gross,
        deductions=DEDUCTIONS if deductions is None else deductions,
        today=TODAY,
    )


def ordinary(user, family, amount):
    return services.relief_apply(
        acting_user=user,
        household=family,
        person=family.members.first(),
        kind="expenditure",
        amount=amount,
        reason="医疗费用负担重",
        today=TODAY,
    )


# --- the pure rule, both sides of each limit ---------------------------------------------------------


@pytest.mark.parametrize(
    "amount,field",
    [("20000.00", None), ("20000.01", "amount"), ("0.01", None)],
)
def test_the_grant_never_exceeds_the_net_burden(amount, field):
    check = special_check(
        amount=Decimal(amount),
        gross=Decimal("60000"),
        deductions={k: Decimal(v) for k, v in DEDUCTIONS.items()},
    )
    assert check.route == "county" and check.per_event_limit == Decimal("20000")
    assert [e["field"] for e in check.errors] == ([field] if field else [])
    assert check.trace[0] == (
        "重大刚性支出 60000 元 − 各类社会保障（医保等保险报销） 30000 元 − 其他社会救助 8000 元"
        " − 社会帮扶、慈善 2000 元 = 实际负担 20000 元"
    )


@pytest.mark.parametrize("gross,ok", [("40000.01", True), ("40000", False), ("39000", False)])
def test_nothing_left_after_the_deductions_is_no_special_grant(gross, ok):
    check = special_check(
        amount=Decimal("0.01"),
        gross=Decimal(gross),
        deductions={k: Decimal(v) for k, v in DEDUCTIONS.items()},
    )
    assert (not check.errors) is ok
    if not ok:
        assert check.errors[0]["field"] == "gross_expenditure"
        assert "已无剩余负担" in check.errors[0]["message"]


# --- the service ---------------------------------------------------------------------------------------


def test_a_special_grant_goes_to_the_county_above_the_per_event_cap(family, caseworker):
    grant = special(caseworker, family, "20000")  # per_event_cap 1000, annual_cap 3000 in the test settings
    assert (grant.kind, grant.route, grant.status) == ("special", "county", "county_review")
    assert (grant.gross_expenditure, grant.deductions_total, grant.net_burden) == (
        Decimal("60000.00"),
        Decimal("40000.00"),
        Decimal("20000.00"),
    )
    assert grant.limits["per_event_limit"] == "20000.00"


def test_a_special_grant_lies_outside_the_yearly_cap_and_count(family, caseworker, county_officer):
    # the ordinary grants use up the year: 2 grants, 1000 + 1000 of annual_cap 3000
    ordinary(caseworker, family, "1000")
    ordinary(caseworker, family, "1000")
    with pytest.raises(ServiceError, match="已达年度次数上限 2 次"):
        ordinary(caseworker, family, "100")
    grant = special(caseworker, family, "5000")  # still allowed: outside the yearly cap and count
    services.relief_county_approve(
        grant=grant,
        acting_user=county_officer,
        duplicate_reason="已扣除的其他社会救助含此前两次临时救助",  # the same need is never relieved twice
        today=TODAY,
    )
    # and it uses up nothing of them: the check of an ordinary grant does not count it
    check = services.limits_check(
        person=family.members.first(), household=family, amount=Decimal("100"), kind="expenditure", on=TODAY
    )
    assert check.annual_left == Decimal("1000.00")


def test_the_county_approves_and_pays_it_not_the_street_fund(
    family, caseworker, street_officer, county_officer
):
    services.reserve_fund_topup(
        street=Region.objects.get(code=STREET), amount="50000", acting_user=county_officer
    )
    grant = special(caseworker, family, "20000")
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.relief_street_approve(grant=grant, acting_user=street_officer, today=TODAY)
    assert exc.value.message == "特别救助只能由县级民政部门审批，不由街道审批，也不从街道备用金支出"
    for user in (caseworker, street_officer):
        with pytest.raises(PermissionDenied):
            services.relief_county_approve(grant=grant, acting_user=user, today=TODAY)
    assert state() == before
    services.relief_county_approve(grant=grant, acting_user=county_officer, note="同意", today=TODAY)
    grant.refresh_from_db()
    assert (grant.status, grant.fund, grant.filing, grant.decided_by) == ("paid", None, "", county_officer)
    assert ReserveFund.objects.get().balance == Decimal("50000.00") and FundMovement.objects.count() == 1


@pytest.mark.parametrize(
    "amount,gross,deductions,field,message",
    [
        ("20000.01", "60000", None, "amount", "特别救助金额 20000.01 元超过扣除后的实际负担 20000.00 元"),
        ("100", "40000", None, "gross_expenditure", "已无剩余负担"),
        ("100", "", None, "gross_expenditure", "请填写金额"),
        ("100", "60000", {"deduction_insurance": "-1"}, "deduction_insurance", "金额不能为负数"),
        ("100", "60000", {"deduction_charity": "abc"}, "deduction_charity", "金额应为数字"),
        ("0", "60000", None, "amount", "金额须大于0"),
    ],
)
def test_bad_special_applications_name_the_field_and_change_nothing(
    family, caseworker, amount, gross, deductions, field, message
):
    before = state()
    with pytest.raises(ServiceError) as exc:
        special(caseworker, family, amount, gross=gross, deductions=deductions)
    assert any(e["field"] == field and message in e["message"] for e in exc.value.errors), exc.value.errors
    assert state() == before


def test_no_special_grant_through_the_ordinary_form_nor_from_another_community(family, make_user):
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.relief_apply(
            acting_user=make_user("caseworker", family.community_id),
            household=family,
            person=family.members.first(),
            kind="special",
            amount="100",
            reason="困难",
            today=TODAY,
        )
    assert exc.value.errors[0]["field"] == "kind"
    with pytest.raises(PermissionDenied):
        special(make_user("caseworker", "360102004001"), family, "100")
    assert state() == before


def test_the_database_refuses_a_special_grant_above_the_net_burden(family, caseworker):
    grant = special(caseworker, family, "20000")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReliefGrant.objects.filter(pk=grant.pk).update(amount=Decimal("20000.01"))
    assert ReliefGrant.objects.get(pk=grant.pk).amount == Decimal("20000.00")


# --- the pages -----------------------------------------------------------------------------------------


def test_the_special_pages(client, family, caseworker, street_officer, county_officer):
    url = reverse("relief_special_apply", args=[family.pk])
    client.force_login(caseworker)
    page = client.get(url).content.decode()
    assert "重大刚性支出仍远远超出家庭或个人承受能力" in page and "policy.md" not in page
    person = str(family.members.first().pk)
    form = {
        "person": person,
        "gross_expenditure": "60,000",
        "amount": "20000.01",
        "reason": "重病",
        **DEDUCTIONS,
    }
    before = state()
    refused = client.post(url, form).content.decode()
    assert "特别救助金额 20000.01 元超过扣除后的实际负担 20000.00 元" in refused
    assert state() == before
    response = client.post(url, {**form, "amount": "20000"})
    grant = ReliefGrant.objects.get()
    assert response.status_code == 302 and response.url == reverse("relief_detail", args=[grant.pk])
    detail = reverse("relief_detail", args=[grant.pk])
    page = client.get(detail).content.decode()
    assert 'id="special"' in page and "20000.00" in page and "特别救助由县级民政部门审批" in page
    assert "decision-form" not in page
    client.force_login(street_officer)
    assert "decision-form" not in client.get(detail).content.decode()
    assert client.post(detail, {"action": "county_decide", "decision": "approve"}).status_code == 403
    client.force_login(county_officer)
    page = client.get(detail).content.decode()
    assert "县级审批特别救助" in page
    response = client.post(detail, {"action": "county_decide", "decision": "approve", "note": "同意"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == "paid" and grant.fund is None


def test_the_relief_export_has_the_special_kind(client, family, caseworker, county_officer):
    from openpyxl import load_workbook

    special(caseworker, family, "20000")
    ordinary(caseworker, family, "100")
    client.force_login(county_officer)
    response = client.get(reverse("relief_export"))
    import io

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "类型" in r)
    kinds = [r[header.index("类型")] for r in rows[rows.index(header) + 1 :] if r[0] is not None]
    assert sorted(kinds) == ["支出型", "特别救助"]
