"""Monthly payment rolls: one per county, month and program, from the periods paying in the month; idempotent;
locked rolls never change; bank exports with totals, full ID numbers only for the county."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AccessLog, Event
from benefits.models import PaymentLine, PaymentRoll
from benefits.services import enrolments as enrolment_services
from benefits.services import rolls as services
from benefits.tests.factories import enrol, household
from common import idnumber
from config.errors import PermissionDenied, ServiceError

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)
JULY = dt.date(2018, 7, 1)


def make_roll(user, month=JULY, program="dibao", today=dt.date(2018, 7, 2), capture=None):
    with capture(execute=True):
        roll, created = services.roll_request(
            acting_user=user, county="360102", month=month, program=program, today=today
        )
    roll.refresh_from_db()
    return roll, created


def roll_state(roll) -> dict:
    return {
        "roll": PaymentRoll.objects.filter(pk=roll.pk).values().get(),
        "lines": list(PaymentLine.objects.filter(roll=roll).order_by("pk").values()),
        "history": PaymentRoll.history.filter(id=roll.pk).count(),
    }


@pytest.fixture
def enrolled(std2018, county_officer, other_community):
    """Two 低保 households in 东湖区 (860.00 and 560.00) and one elsewhere (not on 东湖区's roll)."""
    a = household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0"})
    b = household({"income": "300", "name": "李四"}, {"birth": "20100101", "income": "300"})
    from benefits.tests.factories import standard

    standard(year=2018, region_id=other_community.code[:6])
    elsewhere = household({"income": "300", "name": "外县"}, community=other_community.code)
    other_officer = type(county_officer).objects.create_user(
        username="co9", role="county", region_id=other_community.code[:6]
    )
    return [
        enrol(a, acting_user=county_officer, today=APPROVED),
        enrol(b, acting_user=county_officer, today=APPROVED),
        enrol(elsewhere, acting_user=other_officer, today=APPROVED),
    ]


def test_a_roll_has_one_line_per_enrolment_paying_in_the_month(
    enrolled, county_officer, django_capture_on_commit_callbacks
):
    roll, created = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    assert created and roll.status == "ready"
    lines = list(
        roll.lines.order_by("id").values_list("name", "amount", "kind", "month", "covered_count", "held")
    )
    assert lines == [
        ("张三", Decimal("860.00"), "regular", JULY, 2, False),
        ("李四", Decimal("560.00"), "regular", JULY, 2, False),
    ]
    assert (roll.line_count, roll.total_amount, roll.arrears_count, roll.held_count) == (
        2,
        Decimal("1420.00"),
        0,
        0,
    )
    line = roll.lines.get(name="张三")
    assert line.components["dibao_subsidy"] == "860.00" and line.bank_account == "6217000012345678"
    assert len(line.id_number) == 18 and line.community_code == "360102002001"


def test_nothing_before_the_start_month(enrolled, county_officer, django_capture_on_commit_callbacks):
    roll, _ = make_roll(county_officer, month=dt.date(2018, 6, 1), capture=django_capture_on_commit_callbacks)
    assert roll.line_count == 0 and roll.total_amount == Decimal("0.00")


def test_asking_again_returns_the_same_roll(enrolled, county_officer, django_capture_on_commit_callbacks):
    roll, created = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    again, created_again = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    assert created and not created_again and again.pk == roll.pk
    assert PaymentRoll.objects.count() == 1 and PaymentLine.objects.count() == 2
    services.roll_fill(roll_id=roll.pk)  # the task running twice
    assert PaymentLine.objects.count() == 2


def test_a_household_without_an_account_is_held(std2018, county_officer, django_capture_on_commit_callbacks):
    enrol(household({"income": "300"}, bank_account=""), acting_user=county_officer, today=APPROVED)
    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    line = roll.lines.get()
    assert line.held and line.hold_reason == "未登记银行账号"
    assert (roll.line_count, roll.total_amount, roll.held_count) == (0, Decimal("0.00"), 1)


def test_lock_then_every_change_is_refused_and_changes_nothing(
    enrolled, county_officer, django_capture_on_commit_callbacks
):
    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    line = roll.lines.first()
    services.roll_line_hold(line=line, acting_user=county_officer, reason="账号有误")
    services.roll_line_release(line=line, acting_user=county_officer)
    locked = services.roll_lock(roll=roll, acting_user=county_officer)
    assert locked.locked_at is not None and locked.status == "locked" and locked.locked_by == county_officer
    before = roll_state(roll)
    for attempt in (
        lambda: services.roll_lock(roll=roll, acting_user=county_officer),
        lambda: services.roll_line_hold(line=line, acting_user=county_officer, reason="改"),
        lambda: services.roll_line_release(line=line, acting_user=county_officer),
    ):
        with pytest.raises(ServiceError) as exc:
            attempt()
        assert exc.value.code == "locked" and "已于" in exc.value.message
    assert services.roll_fill(roll_id=roll.pk).pk == roll.pk
    again, created = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    assert not created and again.pk == roll.pk
    assert roll_state(roll) == before


def test_a_change_after_lock_goes_to_arrears_not_into_the_locked_roll(
    enrolled, county_officer, caseworker, django_capture_on_commit_callbacks
):
    august, _ = make_roll(
        county_officer,
        month=dt.date(2018, 8, 1),
        today=dt.date(2018, 7, 25),
        capture=django_capture_on_commit_callbacks,
    )
    services.roll_lock(roll=august, acting_user=county_officer)
    before = roll_state(august)
    enrolment = enrolled[0]
    enrolment_services.enrolment_exit(
        enrolment=enrolment,
        acting_user=county_officer,
        reason="income",
        note="收入超标",
        today=dt.date(2018, 7, 26),
    )
    assert roll_state(august) == before
    event = Event.objects.filter(target_id=str(enrolment.pk), verb__startswith="退出").get()
    assert event.data["overpaid"] == [
        {"month": "2018-08-01", "amount": "860.00", "roll": august.pk, "line": "正常发放"}
    ]


def test_an_unlocked_roll_follows_the_enrolment(enrolled, county_officer, django_capture_on_commit_callbacks):
    august, _ = make_roll(
        county_officer,
        month=dt.date(2018, 8, 1),
        today=dt.date(2018, 7, 25),
        capture=django_capture_on_commit_callbacks,
    )
    enrolment_services.enrolment_exit(
        enrolment=enrolled[0],
        acting_user=county_officer,
        reason="income",
        note="收入超标",
        today=dt.date(2018, 7, 26),
    )
    august.refresh_from_db()
    line = august.lines.get(enrolment=enrolled[0])
    assert line.held and line.hold_reason.startswith("已停发")
    assert (august.line_count, august.total_amount, august.held_count) == (1, Decimal("560.00"), 1)


@pytest.mark.parametrize("who", ["caseworker", "street", "city", "other_county"])
def test_only_the_county_makes_its_rolls(
    enrolled,
    county_officer,
    caseworker,
    street_officer,
    city_officer,
    other_county_officer,
    who,
    django_capture_on_commit_callbacks,
):
    user = {
        "caseworker": caseworker,
        "street": street_officer,
        "city": city_officer,
        "other_county": other_county_officer,
    }[who]
    with pytest.raises(PermissionDenied):
        make_roll(user, capture=django_capture_on_commit_callbacks)
    assert PaymentRoll.objects.count() == 0


@pytest.mark.parametrize(
    "month,program,field,message",
    [
        ("", "dibao", "month", "请选择发放月份"),
        ("2018-09", "dibao", "month", "最多提前生成下月"),
        ("2018-07", "", "program", "请选择救助项目"),
    ],
)
def test_bad_roll_requests_name_the_field(county_officer, month, program, field, message):
    with pytest.raises(ServiceError) as exc:
        services.roll_request(
            acting_user=county_officer,
            county="360102",
            month=month,
            program=program,
            today=dt.date(2018, 7, 2),
        )
    assert any(e["field"] == field and message in e["message"] for e in exc.value.errors)
    assert PaymentRoll.objects.count() == 0


# --------------------------------------------------------------------------------------------------
# Exports


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_has_every_line_and_a_totals_row_with_full_ids_for_the_county(
    enrolled, county_officer, client, django_capture_on_commit_callbacks
):
    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    client.force_login(county_officer)
    url = reverse("roll_export_csv", args=[roll.pk])
    assert client.get(url).status_code == 302  # not before the roll is locked
    services.roll_lock(roll=roll, acting_user=county_officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:4] == ["序号", "社区代码", "姓名", "身份证号码"] and rows[0][-1] == "金额（元）"
    numbers = {line.name: line.id_number for line in roll.lines.all()}
    assert [(r[2], r[3], r[-1]) for r in rows[1:-1]] == [
        ("张三", "\t" + numbers["张三"], "860.00"),  # a tab keeps Excel and WPS reading the ID as text
        ("李四", "\t" + numbers["李四"], "560.00"),
    ]
    assert rows[1][rows[0].index("低保补差（元）")] == "860.00"
    assert rows[-1][0] == "合计" and rows[-1][2] == "共2笔" and rows[-1][-1] == "1420.00"
    log = AccessLog.objects.get()
    assert log.user == county_officer and log.count == 2 and "完整身份证号" in log.what


def test_others_in_scope_export_masked_ids(
    enrolled, county_officer, city_officer, client, django_capture_on_commit_callbacks
):
    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    services.roll_lock(roll=roll, acting_user=county_officer)
    client.force_login(city_officer)
    rows = _csv(client.get(reverse("roll_export_csv", args=[roll.pk])))
    numbers = [line.id_number for line in roll.lines.order_by("id")]
    assert [r[3] for r in rows[1:-1]] == [idnumber.mask(n) for n in numbers]
    body = client.get(reverse("roll_detail", args=[roll.pk])).content.decode()
    assert all(n not in body for n in numbers) and idnumber.mask(numbers[0]) in body


def test_xlsx_export_matches_the_csv(enrolled, county_officer, client, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    services.roll_lock(roll=roll, acting_user=county_officer)
    client.force_login(county_officer)
    response = client.get(reverse("roll_export_xlsx", args=[roll.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    csv_rows = _csv(client.get(reverse("roll_export_csv", args=[roll.pk])))
    assert len(values) == len(csv_rows) == 4
    assert "\t" + values[1][3] == csv_rows[1][3] and Decimal(str(values[1][-1])) == Decimal("860.00")
    assert values[-1][0] == "合计" and Decimal(str(values[-1][-1])) == Decimal("1420.00")


def test_roll_page_runs_a_constant_number_of_queries(
    std2018, county_officer, client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        enrol(household({"income": "300"}), acting_user=county_officer, today=APPROVED)
    small, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    for _ in range(40):
        enrol(household({"income": "300"}), acting_user=county_officer, today=APPROVED)
    large, _ = make_roll(
        county_officer, month=dt.date(2018, 8, 1), capture=django_capture_on_commit_callbacks
    )
    assert large.line_count == 43
    client.force_login(county_officer)
    counts = []
    for roll in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("roll_detail", args=[roll.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_roll_workbook_prints_on_a4_landscape_with_office_month_totals_and_page_numbers(
    enrolled, county_officer, client, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    services.roll_lock(roll=roll, acting_user=county_officer)
    client.force_login(county_officer)
    response = client.get(reverse("roll_export_xlsx", args=[roll.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.center.text == "东湖区民政局 2018年07月 城镇最低生活保障（低保）发放花名册"
    assert sheet.oddFooter.left.text == "合计：共2笔，金额1420.00元"
    assert sheet.oddFooter.right.text == "第 &P 页，共 &N 页"
    assert (
        sheet.freeze_panes == "A2"
        and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}3"
    )
    # ID numbers and accounts as text, the month as a month, money as numbers with two decimals
    id_cell, account, month, amount = sheet["D2"], sheet["F2"], sheet["H2"], sheet.cell(2, sheet.max_column)
    assert (id_cell.data_type, id_cell.number_format, account.data_type) == ("s", "@", "s")
    assert (month.value, month.number_format) == (dt.datetime(2018, 7, 1), "yyyy-mm")
    assert (amount.value, amount.number_format) == (860, "0.00")
