"""Excel exports of the benefits lists (enrolments, review tasks, temporary relief, the county's filed relief):
exact rows, masking, scope, filters, the access log, a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AccessLog, Region
from benefits.models import EnrolmentReview
from benefits.services import relief as relief_services
from benefits.services import reviews as review_services
from benefits.tests.factories import enrol, household
from common.idnumber import mask
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, export_sheets, query_count

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)
STREET = "360102002000"


def data_rows(response, title):
    rows = export_sheets(response)[title]
    assert rows[0][0].startswith(title)  # the caption
    return rows[1], rows[2:]


@pytest.fixture
def enrolments(std2018, county_officer):
    a = enrol(
        household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0"}),
        acting_user=county_officer,
        today=APPROVED,
    )
    b = enrol(
        household({"income": "0", "name": "李四", "birth": "19400101"}),
        category="tekun",
        acting_user=county_officer,
        today=APPROVED,
    )
    c = enrol(
        household({"income": "300", "name": "王五"}, community=HOME_COMMUNITY_2),
        acting_user=county_officer,
        today=APPROVED,
    )
    return a, b, c


def enrolment_row(e, status="享受中"):
    head = e.household.members.get(relation="head")
    return (
        e.pk,
        head.name,
        mask(head.id_number),
        e.household.community_id,
        e.household.community.name,
        e.get_category_display(),
        status,
        None,
        None,
        e.covered.count(),
        e.monthly_amount,
        dt.datetime(2018, 7, 1),
        dt.datetime.combine(e.next_review_on, dt.time()),
    )


def as_decimal(rows, column):
    return [r[:column] + (Decimal(str(r[column])).quantize(Decimal("0.01")),) + r[column + 1 :] for r in rows]


def test_enrolment_export_rows(client, county_officer, enrolments):
    a, b, c = enrolments
    client.force_login(county_officer)
    header, rows = data_rows(client.get(reverse("enrolment_export")), "救助对象")
    assert header == (
        "编号",
        "户主",
        "身份证号码",
        "社区代码",
        "社区",
        "类别",
        "状态",
        "渐退至",
        "终止日期",
        "保障人数",
        "月救助金（元）",
        "起始月份",
        "下次复核",
    )
    assert as_decimal(rows, 10) == [enrolment_row(c), enrolment_row(b), enrolment_row(a)]
    assert a.monthly_amount > 0 and a.next_review_on == dt.date(2019, 1, 1) and b.category == "tekun"
    log = AccessLog.objects.get()
    assert (log.user, log.count, log.what) == (
        county_officer,
        3,
        "导出救助对象（状态：在保（含渐退、暂停））",
    )


def test_enrolment_export_filters_and_scope(client, make_user, county_officer, enrolments):
    a, b, c = enrolments
    client.force_login(county_officer)
    _, rows = data_rows(client.get(reverse("enrolment_export"), {"category": "tekun"}), "救助对象")
    assert [r[0] for r in rows] == [b.pk]
    _, rows = data_rows(client.get(reverse("enrolment_export"), {"q": "王五"}), "救助对象")
    assert [r[0] for r in rows] == [c.pk]
    _, rows = data_rows(client.get(reverse("enrolment_export"), {"status": "exited"}), "救助对象")
    assert rows == []
    client.force_login(make_user("caseworker", HOME_COMMUNITY))
    _, rows = data_rows(client.get(reverse("enrolment_export")), "救助对象")
    assert [r[0] for r in rows] == [b.pk, a.pk]
    far = make_user("county", "360103")
    client.force_login(far)
    _, rows = data_rows(client.get(reverse("enrolment_export")), "救助对象")
    assert rows == [] and not AccessLog.objects.filter(user=far).exists()  # nothing read, nothing to log


def test_enrolment_export_query_count_is_constant(client, county_officer, std2018):
    enrol(household({"income": "300"}), acting_user=county_officer, today=APPROVED)
    client.force_login(county_officer)
    small = query_count(client, reverse("enrolment_export"))
    for _ in range(8):
        enrol(household({"income": "300"}, {"birth": "20100101"}), acting_user=county_officer, today=APPROVED)
    assert query_count(client, reverse("enrolment_export")) == small


def test_review_export_rows_scope_and_filter(client, make_user, county_officer, caseworker, enrolments):
    a, b, c = enrolments
    assert (
        review_services.reviews_raise(today=dt.date(2018, 12, 2)) == 2
    )  # the 特困 household is reviewed yearly
    task = EnrolmentReview.objects.get(enrolment=a)
    client.force_login(county_officer)
    header, rows = data_rows(client.get(reverse("review_export")), "复核任务")
    assert header[:6] == ("任务编号", "类型", "救助对象编号", "类别", "户主", "身份证号码")
    head = a.household.members.get(relation="head")
    by_enrolment = {r[2]: r for r in rows}
    assert by_enrolment[a.pk] == (
        task.pk,
        "定期复核",
        a.pk,
        "城镇最低生活保障（低保）",
        "张三",
        mask(head.id_number),
        a.household.community.name,
        task.raised_because,
        dt.datetime(2019, 1, 1),
        "待复核",
        None,
        None,
        None,
    )
    assert (
        sorted(by_enrolment) == sorted([a.pk, c.pk]) and len(rows) == 2 and AccessLog.objects.get().count == 2
    )
    _, rows = data_rows(client.get(reverse("review_export"), {"status": "done"}), "复核任务")
    assert rows == []
    client.force_login(make_user("caseworker", HOME_COMMUNITY_2))
    _, rows = data_rows(client.get(reverse("review_export")), "复核任务")
    assert [r[2] for r in rows] == [c.pk]


def test_review_export_query_count_is_constant(client, county_officer, std2018):
    enrol(household({"income": "300"}), acting_user=county_officer, today=APPROVED)
    review_services.reviews_raise(today=dt.date(2018, 12, 2))
    client.force_login(county_officer)
    small = query_count(client, reverse("review_export"))
    for _ in range(6):
        enrol(household({"income": "300"}), acting_user=county_officer, today=APPROVED)
    review_services.reviews_raise(today=dt.date(2018, 12, 2))
    assert EnrolmentReview.objects.count() == 7
    assert query_count(client, reverse("review_export")) == small


@pytest.fixture
def grants(std2018, caseworker, make_user, street_officer, county_officer):
    street = Region.objects.get(code=STREET)
    relief_services.reserve_fund_topup(street=street, amount="2000", acting_user=county_officer, note="")
    today = dt.date(2018, 9, 10)
    mine = household({"income": "900", "name": "赵六"})
    paid = relief_services.relief_apply(
        acting_user=caseworker,
        household=mine,
        person=mine.members.first(),
        kind="expenditure",
        amount="300",
        reason="突发重病",
        today=today,
    )
    relief_services.relief_street_approve(grant=paid, acting_user=street_officer, today=today)
    relief_services.relief_file(grant=paid, acting_user=street_officer, note="材料齐全")
    theirs = household({"income": "900", "name": "钱七"}, community=HOME_COMMUNITY_2)
    waiting = relief_services.relief_apply(
        acting_user=make_user("caseworker", HOME_COMMUNITY_2),
        household=theirs,
        person=theirs.members.first(),
        kind="urgent",
        amount="200",
        reason="火灾",
        today=today,
    )
    paid.refresh_from_db()
    return paid, waiting


def test_relief_export_rows_scope_and_filter(client, make_user, county_officer, grants):
    paid, waiting = grants
    client.force_login(county_officer)
    header, rows = data_rows(client.get(reverse("relief_export")), "临时救助")
    assert header == (
        "编号",
        "救助对象",
        "身份证号码",
        "三类对象",
        "社区代码",
        "社区",
        "类型",
        "金额（元）",
        "审批层级",
        "状态",
        "备案",
        "受理日期",
    )
    number = paid.person.id_number
    assert as_decimal(rows, 7) == [
        (
            waiting.pk,
            "钱七",
            mask(waiting.person.id_number),
            "否",
            HOME_COMMUNITY_2,
            waiting.household.community.name,
            waiting.get_kind_display(),
            Decimal("200.00"),
            waiting.get_route_display(),
            waiting.get_status_display(),
            waiting.get_filing_display() or None,
            dt.datetime(2018, 9, 10),
        ),
        (
            paid.pk,
            "赵六",
            mask(number),
            "否",
            HOME_COMMUNITY,
            paid.household.community.name,
            "支出型",
            Decimal("300.00"),
            paid.get_route_display(),
            paid.get_status_display(),
            "已报县级备案",
            dt.datetime(2018, 9, 10),
        ),
    ]
    assert number not in repr(rows)
    _, rows = data_rows(client.get(reverse("relief_export"), {"status": paid.status}), "临时救助")
    assert [r[0] for r in rows] == [paid.pk]
    client.force_login(make_user("caseworker", HOME_COMMUNITY))
    _, rows = data_rows(client.get(reverse("relief_export")), "临时救助")
    assert [r[0] for r in rows] == [paid.pk]
    assert list(AccessLog.objects.order_by("id").values_list("count", flat=True)) == [2, 1, 1]


def test_relief_filed_export(client, make_user, county_officer, street_officer, grants):
    paid, _ = grants
    client.force_login(county_officer)
    header, rows = data_rows(client.get(reverse("relief_filed_export")), "临时救助备案")
    assert header[:4] == ("编号", "街道", "救助对象", "身份证号码")
    assert rows[0][:6] == (paid.pk, "滕王阁街道", "赵六", mask(paid.person.id_number), "支出型", 300)
    assert (
        rows[0][6:8] == (str(street_officer), dt.datetime(2018, 9, 10))
        and rows[0][9] == "已报县级备案"
        and len(rows) == 1
    )
    _, rows = data_rows(client.get(reverse("relief_filed_export"), {"filing": "queried"}), "临时救助备案")
    assert rows == []
    client.force_login(make_user("county", "360103"))
    _, rows = data_rows(client.get(reverse("relief_filed_export")), "临时救助备案")
    assert rows == []


def test_relief_export_query_count_is_constant(client, county_officer, caseworker, std2018):
    client.force_login(county_officer)
    counts = []
    for n in (1, 6):
        for _ in range(n):
            h = household({"income": "900"})
            relief_services.relief_apply(
                acting_user=caseworker,
                household=h,
                person=h.members.first(),
                kind="urgent",
                amount="100",
                reason="急难",
                today=dt.date(2018, 9, 10),
            )
        counts.append(query_count(client, reverse("relief_export")))
    assert counts[0] == counts[1]
