"""The benefits pages: each role sees what it may and is refused the rest (nothing changes); forms show the
services' field errors in Chinese; lists run a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region
from benefits.models import Enrolment, FundMovement, PaymentRoll, ReliefGrant, ReserveFund
from benefits.services import relief as relief_services
from benefits.services import reviews as review_services
from benefits.tests.factories import enrol, household

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)


@pytest.fixture
def enrolment(std2018, county_officer):
    return enrol(
        household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0"}),
        acting_user=county_officer,
        today=APPROVED,
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name", ["enrolment_list", "review_queue", "roll_list", "fund_list", "relief_list", "relief_filed"]
)
@pytest.mark.parametrize("role", ["caseworker", "street", "county", "city", "auditor"])
def test_every_list_page_opens_for_every_role(client, make_user, enrolment, name, role):
    region = {
        "caseworker": "360102002001",
        "street": "360102002000",
        "county": "360102",
        "city": "360100",
        "auditor": "360000",
    }[role]
    client.force_login(make_user(role, region))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "救助对象" in response.content.decode()  # the nav


def test_enrolment_pages(client, enrolment, county_officer, caseworker, street_officer):
    url = reverse("enrolment_detail", args=[enrolment.pk])
    client.force_login(county_officer)
    body = client.get(url).content.decode()
    assert "860.00" in body and "办理退出" in body and "重新核定" in body and "发放期间" in body
    client.force_login(street_officer)
    body = client.get(url).content.decode()
    assert "办理退出" not in body and "重新核定" not in body
    for name in ("enrolment_exit", "enrolment_suspend"):
        assert client.get(reverse(name, args=[enrolment.pk])).status_code == 403
    client.force_login(caseworker)
    assert client.get(reverse("enrolment_recompute", args=[enrolment.pk])).status_code == 200
    assert client.get(reverse("enrolment_exit", args=[enrolment.pk])).status_code == 403


def test_exit_form_shows_field_errors_then_exits_and_prints_the_notice(
    client, enrolment, county_officer, clock
):
    clock(dt.date(2018, 9, 12))
    client.force_login(county_officer)
    url = reverse("enrolment_exit", args=[enrolment.pk])
    # refused work is no reason to end the household's benefit (policy.md §8.2): not offered, refused if posted
    assert 'value="refused_work"' not in client.get(url).content.decode()
    response = client.post(url, {"reason": "refused_work", "note": "三次拒绝"})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert Enrolment.objects.get().status == "active"
    response = client.post(url, {"reason": "income", "note": "户主已就业，人均收入超过低保标准"})
    assert response.status_code == 302
    notice = client.get(reverse("enrolment_notice", args=[enrolment.pk])).content.decode()
    assert "终止城镇最低生活保障（低保）告知书" in notice and "家庭人均收入超过保障标准" in notice
    assert "2018年9月30日" in notice and "行政复议" in notice


def test_recompute_page(client, enrolment, caseworker, clock):
    clock(dt.date(2018, 8, 10))
    head = enrolment.household.members.get(name="张三")
    head.income_wage = Decimal("700")
    head.save()
    client.force_login(caseworker)
    url = reverse("enrolment_recompute", args=[enrolment.pk])
    response = client.post(url, {"reason": ""})
    assert "请写明重新核定的原因" in " ".join(response.context["form"].errors["reason"])
    assert client.post(url, {"reason": "收入变化"}).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.monthly_amount == Decimal("460.00")


def test_review_page(client, enrolment, caseworker, street_officer, clock):
    clock(dt.date(2018, 12, 20))
    review_services.reviews_raise(today=dt.date(2018, 12, 20))
    task = enrolment.reviews.get()
    client.force_login(street_officer)
    assert client.get(reverse("review_complete", args=[task.pk])).status_code == 403
    client.force_login(caseworker)
    assert "张三" in client.get(reverse("review_queue")).content.decode()
    response = client.post(
        reverse("review_complete", args=[task.pk]), {"visited_on": "2018-12-20", "findings": ""}
    )
    assert "请填写核查情况" in " ".join(response.context["form"].errors["findings"])
    response = client.post(
        reverse("review_complete", args=[task.pk]), {"visited_on": "2018-12-20", "findings": "情况无变化"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "unchanged"


def test_roll_pages_generate_lock_and_refuse_others(
    client, enrolment, county_officer, street_officer, city_officer, clock, django_capture_on_commit_callbacks
):
    clock(dt.date(2018, 7, 2))
    client.force_login(street_officer)
    assert client.post(reverse("roll_list"), {"month": "2018-07", "program": "dibao"}).status_code == 403
    client.force_login(county_officer)
    response = client.post(reverse("roll_list"), {"month": "", "program": "dibao"})
    assert "请选择发放月份" in " ".join(response.context["form"].errors["month"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roll_list"), {"month": "2018-07", "program": "dibao"})
    roll = PaymentRoll.objects.get()
    assert response.url == reverse("roll_detail", args=[roll.pk])
    body = client.get(response.url).content.decode()
    assert "860.00" in body and "确认锁定" in body
    client.force_login(city_officer)
    assert client.post(reverse("roll_lock", args=[roll.pk])).status_code == 403
    client.force_login(county_officer)
    client.post(reverse("roll_lock", args=[roll.pk]))
    roll.refresh_from_db()
    assert roll.is_locked
    line = roll.lines.get()
    client.post(reverse("roll_line_hold", args=[roll.pk, line.pk]), {"reason": "改"})
    line.refresh_from_db()
    assert not line.held


def test_fund_and_relief_pages(client, enrolment, county_officer, street_officer, caseworker, clock):
    clock(dt.date(2018, 9, 10))
    street = Region.objects.get(code="360102002000")
    client.force_login(street_officer)
    assert client.post(reverse("fund_detail", args=[street.code]), {"amount": "1000"}).status_code == 403
    client.force_login(county_officer)
    response = client.post(reverse("fund_detail", args=[street.code]), {"amount": "-5"})
    assert "金额不能为负数" in " ".join(response.context["form"].errors["amount"])
    response = client.post(reverse("fund_detail", args=[street.code]), {"amount": "0"})
    assert "金额须大于0" in " ".join(response.context["form"].errors["amount"])
    assert (
        client.post(
            reverse("fund_detail", args=[street.code]), {"amount": "1000", "note": "拨付"}
        ).status_code
        == 302
    )
    client.force_login(caseworker)
    household_pk = enrolment.household_id
    person = enrolment.household.members.get(name="张三")
    url = reverse("relief_apply", args=[household_pk])
    response = client.post(
        url, {"person": person.pk, "kind": "expenditure", "amount": "1600", "reason": "大病"}
    )
    assert "超过上限 1500.00 元" in " ".join(response.context["form"].errors["amount"])
    response = client.post(
        url, {"person": person.pk, "kind": "expenditure", "amount": "300", "reason": "大病"}
    )
    grant = ReliefGrant.objects.get()
    assert response.url == reverse("relief_detail", args=[grant.pk])
    client.force_login(street_officer)
    detail = reverse("relief_detail", args=[grant.pk])
    assert "街道审批" in client.get(detail).content.decode()
    client.post(detail, {"action": "street_decide", "decision": "approve", "note": "同意"})
    client.post(detail, {"action": "file", "note": "材料齐全"})
    grant.refresh_from_db()
    assert grant.status == "paid" and grant.filing == "filed"
    assert ReserveFund.objects.get().balance == Decimal("700.00")
    client.force_login(county_officer)
    assert f"#{grant.pk}" in client.get(reverse("relief_filed")).content.decode()
    assert client.post(detail, {"action": "answer", "answer": "x"}).status_code == 403
    client.post(detail, {"action": "query", "question": "请补充票据"})
    assert "余额" in client.get(reverse("fund_detail", args=[street.code])).content.decode()
    grant.refresh_from_db()
    assert grant.filing == "queried" and FundMovement.objects.count() == 2


@pytest.mark.parametrize("name", ["enrolment_list", "review_queue", "relief_list", "roll_list"])
def test_lists_run_a_constant_number_of_queries(client, std2018, county_officer, caseworker, name):
    user = caseworker if name == "review_queue" else county_officer

    def add(n):
        for _ in range(n):
            e = enrol(household({"income": "300"}), acting_user=county_officer, today=APPROVED)
            relief_services.relief_apply(
                acting_user=caseworker,
                household=e.household,
                person=e.household.members.get(),
                kind="urgent",
                amount="100",
                reason="急",
                today=dt.date(2018, 9, 1),
            )
        review_services.reviews_raise(today=dt.date(2018, 12, 20))

    client.force_login(user)
    add(2)
    small = _queries(client, reverse(name))
    add(25)
    assert _queries(client, reverse(name)) == small


def test_enrolment_list_searches_by_name_and_id_number(client, std2018, county_officer):
    first = enrol(
        household({"income": "300", "name": "钱七"}, {"birth": "20100101", "income": "0", "name": "钱小"}),
        acting_user=county_officer,
        today=APPROVED,
    )
    enrol(household({"income": "300", "name": "孙八"}), acting_user=county_officer, today=APPROVED)
    client.force_login(county_officer)
    page = client.get(reverse("enrolment_list"), {"q": "钱"}).context["page"]
    assert [(e.pk, e.covered_now) for e in page] == [(first.pk, 2)]
    number = first.household.members.get(name="钱小").id_number
    assert [e.pk for e in client.get(reverse("enrolment_list"), {"q": number}).context["page"]] == [first.pk]
    assert list(client.get(reverse("enrolment_list"), {"q": "查无此人"}).context["page"]) == []


def test_the_enrolment_list_filters_by_community_month_and_review_sorts_and_keeps_filters_in_paging(
    client, std2018, county_officer, monkeypatch
):
    from benefits.tests.factories import enrol, household

    a = enrol(
        household({"income": "300", "name": "甲"}), acting_user=county_officer, today=dt.date(2018, 6, 20)
    )
    b = enrol(
        household({"income": "300", "name": "乙"}, community="360102002002"),
        acting_user=county_officer,
        today=dt.date(2018, 8, 20),
    )
    client.force_login(county_officer)
    url = reverse("enrolment_list")

    def listed(**params):
        page = client.get(url, params).content.decode()
        return [pk for pk in (a.pk, b.pk) if f'href="/benefits/enrolments/{pk}/"' in page]

    assert listed() == [a.pk, b.pk]
    assert listed(community="360102002002") == [b.pk]
    assert listed(community="360102002000") == [a.pk, b.pk]  # the street
    assert listed(month=f"{a.start_month:%Y-%m}") == [a.pk]
    assert listed(month="not-a-month") == []
    monkeypatch.setattr("benefits.views.enrolments.PAGE_SIZE", 1)
    page = client.get(url, {"category": "dibao", "sort": "amount"}).content.decode()
    assert 'href="?category=dibao&amp;sort=amount&amp;page=2" id="next-page"' in page
