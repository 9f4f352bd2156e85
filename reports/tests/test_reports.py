"""Oversight reports against a small data set built by hand: every figure below is computed on paper from the
rows made in `data` (see the comments there), including the sub-region breakdown and the period boundaries."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Region
from applications.models import Application, ApplicationEvent
from applications.services.application_times import application_times_refresh
from benefits.models import Enrolment, EnrolmentPeriod, PaymentLine, PaymentRoll
from benefits.services import timeline
from eligibility.models import Standard
from households.tests.factories import household_make
from ledgers.models import Finding, ReconciliationRun, ReviewTask
from reports import figures as reports

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
A1, A2 = "360102002001", "360102002002"  # 东湖区 滕王阁街道
B = "360102004001"  # 东湖区 百花洲街道
C = "360103001001"  # 西湖区
X = "360302001001"  # 萍乡市 (another city)
TODAY = dt.date(2025, 7, 1)
Q2 = reports.period_from_key("2025Q2")
D = dt.date


def _app(household, category, *, status=Application.Status.APPROVED, due_on=None, user):
    return Application.objects.create(
        household=household,
        category=category,
        reasons="困难",
        status=status,
        received_on=D(2025, 1, 1),
        due_on=due_on,
        created_by=user,
    )


def _enrol(
    household,
    category,
    start,
    *,
    covered,
    amount,
    component,
    user,
    end=None,
    ended_on=None,
    status="active",
    period_status="active",
):
    app = _app(household, category, user=user)
    e = Enrolment.objects.create(
        household=household,
        community_code=household.community_id,
        application=app,
        category=category,
        components={component: str(amount)},
        monthly_amount=amount,
        start_month=start,
        status=status,
        created_by=user,
        ended_on=ended_on,
        exit_reason="income" if ended_on else "",
    )
    EnrolmentPeriod.objects.create(
        enrolment=e,
        start_month=start,
        end_month=end,
        status=period_status,
        monthly_amount=amount,
        components={component: str(amount)},
        covered_count=covered,
        reason="纳入",
    )
    return e


def _roll(county, month, program, lines, *, user, locked=True):
    roll = PaymentRoll.objects.create(
        county_id=county, month=month, program=program, status="ready", created_by=user
    )
    for enrolment, kind, amount, covered, components, held in lines:
        PaymentLine.objects.create(
            roll=roll,
            enrolment=enrolment,
            kind=kind,
            month=month,
            community_code=enrolment.household.community_id,
            name="某",
            id_number="x",
            covered_count=covered,
            amount=amount,
            components=components,
            held=held,
        )
    timeline.roll_totals_refresh(roll)
    if locked:  # as roll_lock does
        timeline.roll_community_totals_refresh(roll)
        roll.status, roll.locked_at = "locked", timezone.now()
        roll.save()
    return roll


def _events(app, user, steps):
    for step, day in steps:
        ApplicationEvent.objects.create(
            application=app,
            step=step,
            verb=step,
            to_status="approved",
            actor=user,
            on_date=day,
            region_code=app.household.community_id,
        )
    application_times_refresh(
        application_ids=[app.pk]
    )  # what the services' event writer does after each event


_FINDING_SEQ = itertools.count(1)


def _finding(run, code, rule, created, *, status="open", resolved=None):
    f = Finding.objects.create(
        run=run,
        rule=rule,
        id_number=f"36010219800101{next(_FINDING_SEQ):04d}",
        source="ledger",
        region_id=code,
        detail={},
        created_at=created,
    )
    ReviewTask.objects.create(finding=f, region_id=code, status=status, resolved_at=resolved)
    return f


@pytest.fixture
def data(make_user):
    user = make_user("county", "360102")
    h1 = household_make(community_id=A1, members=2)
    h2 = household_make(community_id=A2, members=3)
    h3 = household_make(community_id=B, members=1)
    h4 = household_make(community_id=C, members=2)
    h5 = household_make(community_id=X, members=4)
    h6 = household_make(community_id=A1, members=1)
    h7 = household_make(community_id=A1, members=1)
    h8 = household_make(community_id=A2, members=1)
    e1 = _enrol(
        h1, "dibao", D(2025, 1, 1), covered=2, amount=Decimal("400"), component="dibao_subsidy", user=user
    )
    # A superseded period of e1 (5 persons) is history, never counted.
    EnrolmentPeriod.objects.create(
        enrolment=e1,
        start_month=D(2025, 1, 1),
        monthly_amount=Decimal("900"),
        covered_count=5,
        reason="旧",
        superseded_at=timezone.now(),
    )
    e2 = _enrol(
        h2, "dibao", D(2025, 4, 1), covered=2, amount=Decimal("600"), component="dibao_subsidy", user=user
    )
    e2t = _enrol(
        h2, "tekun", D(2025, 5, 1), covered=1, amount=Decimal("800"), component="tekun_basic", user=user
    )
    # e3: paid to May, exited 31 May (inside Q2).
    e3 = _enrol(
        h3,
        "dibao",
        D(2024, 10, 1),
        covered=1,
        amount=Decimal("200"),
        component="dibao_subsidy",
        user=user,
        end=D(2025, 5, 1),
        ended_on=D(2025, 5, 31),
        status="exited",
    )
    e4 = _enrol(
        h4, "zhichu", D(2025, 6, 1), covered=2, amount=Decimal("300"), component="zhichu_subsidy", user=user
    )
    _enrol(h5, "dibao", D(2025, 1, 1), covered=4, amount=Decimal("500"), component="dibao_subsidy", user=user)
    # Boundaries: e6 starts in July (after Q2); e7 ended 31 March (before Q2); e8 is suspended (not paying).
    _enrol(h6, "dibao", D(2025, 7, 1), covered=1, amount=Decimal("100"), component="dibao_subsidy", user=user)
    _enrol(
        h7,
        "dibao",
        D(2024, 1, 1),
        covered=1,
        amount=Decimal("100"),
        component="dibao_subsidy",
        user=user,
        end=D(2025, 3, 1),
        ended_on=D(2025, 3, 31),
        status="exited",
    )
    _enrol(
        h8,
        "dibao",
        D(2025, 1, 1),
        covered=1,
        amount=Decimal("100"),
        component="dibao_subsidy",
        user=user,
        status="suspended",
        period_status="suspended",
    )

    # Rolls: April dibao (locked; one held line not paid, one arrears line), May dibao (not locked: not counted),
    # June tekun (locked), July dibao (locked, after Q2), June zhichu in 西湖区 (locked).
    dib = {"dibao_subsidy": "400.00"}
    _roll(
        "360102",
        D(2025, 4, 1),
        "dibao",
        [
            (e1, "regular", Decimal("400"), 2, dib, False),
            (e1, "arrears", Decimal("50"), 0, {}, False),
            (e2, "regular", Decimal("600"), 2, {"dibao_subsidy": "600.00"}, False),
            (e2, "regular", Decimal("999"), 2, {"dibao_subsidy": "999.00"}, True),
            (e3, "regular", Decimal("200"), 1, {"dibao_subsidy": "200.00"}, False),
        ],
        user=user,
    )
    _roll(
        "360102",
        D(2025, 5, 1),
        "dibao",
        [(e1, "regular", Decimal("1000"), 2, dib, False)],
        user=user,
        locked=False,
    )
    _roll(
        "360102",
        D(2025, 6, 1),
        "tekun",
        [(e2t, "regular", Decimal("800"), 1, {"tekun_basic": "800.00"}, False)],
        user=user,
    )
    _roll("360102", D(2025, 7, 1), "dibao", [(e1, "regular", Decimal("400"), 2, dib, False)], user=user)
    _roll(
        "360103",
        D(2025, 6, 1),
        "zhichu",
        [(e4, "regular", Decimal("300"), 2, {"zhichu_subsidy": "300.00"}, False)],
        user=user,
    )

    # Standards for 2025: the province's, and 东湖区's own (its tekun below 1.3 × dibao = 1430).
    Standard.objects.create(
        region_id="360000",
        year=2025,
        dibao=Decimal("1000"),
        subsidy_target=Decimal("700"),
        tekun=Decimal("1300"),
    )
    Standard.objects.create(
        region_id="360102",
        year=2025,
        dibao=Decimal("1100"),
        subsidy_target=Decimal("650"),
        tekun=Decimal("1400"),
    )

    # Timeliness. e1's application decided 2 April: 5, 4, 10, 1, 12 days, 32 in all.
    _events(
        e1.application,
        user,
        [
            ("intake", D(2025, 3, 1)),
            ("visit", D(2025, 3, 6)),
            ("review", D(2025, 3, 10)),
            ("street_approve", D(2025, 3, 20)),
            ("notice_start", D(2025, 3, 21)),
            ("county_approve", D(2025, 4, 2)),
        ],
    )
    # e2's: visited twice (the last visit counts): 10, 4, 5, 1, 7 days, 27 in all.
    _events(
        e2.application,
        user,
        [
            ("intake", D(2025, 4, 1)),
            ("visit", D(2025, 4, 3)),
            ("visit", D(2025, 4, 11)),
            ("review", D(2025, 4, 15)),
            ("street_approve", D(2025, 4, 20)),
            ("notice_start", D(2025, 4, 21)),
            ("county_approve", D(2025, 4, 28)),
        ],
    )
    # e3's decided 31 March: before Q2, not counted.
    _events(e3.application, user, [("intake", D(2025, 3, 1)), ("county_approve", D(2025, 3, 31))])
    # e4's (西湖区) rejected 30 June: intake 1 April, 90 days.
    _events(e4.application, user, [("intake", D(2025, 4, 1)), ("county_reject", D(2025, 6, 30))])
    # Open applications: one in 百花洲 past its due date, one in 滕王阁 not yet due.
    _app(
        household_make(community_id=B, members=1),
        "dibao",
        status="investigating",
        due_on=D(2025, 6, 1),
        user=user,
    )
    _app(
        household_make(community_id=A1, members=1),
        "dibao",
        status="investigating",
        due_on=D(2025, 8, 1),
        user=user,
    )

    # Findings: f1 (滕王阁, April, confirmed in May), f2 (百花洲, 30 June 23:30, open), f3 (滕王阁, 1 July 00:10
    # Shanghai = 30 June 16:10 UTC: after Q2), f4 (滕王阁, March, false alarm resolved in April), f5 (萍乡).
    run = ReconciliationRun.objects.create(region_id="360000", period="2025H1", status="done")
    _finding(
        run,
        A1,
        "deceased_paid",
        dt.datetime(2025, 4, 10, 9, 0, tzinfo=TZ),
        status="confirmed",
        resolved=dt.datetime(2025, 5, 1, 9, 0, tzinfo=TZ),
    )
    _finding(run, B, "income_over", dt.datetime(2025, 6, 30, 23, 30, tzinfo=TZ))
    _finding(
        run,
        A2,
        "income_over",
        dt.datetime(2025, 7, 1, 0, 10, tzinfo=TZ),
        status="false_alarm",
        resolved=dt.datetime(2025, 7, 5, tzinfo=TZ),
    )
    _finding(
        run,
        A1,
        "income_over",
        dt.datetime(2025, 3, 1, tzinfo=TZ),
        status="false_alarm",
        resolved=dt.datetime(2025, 4, 15, tzinfo=TZ),
    )
    _finding(run, X, "income_over", dt.datetime(2025, 5, 1, tzinfo=TZ))
    return user


def _build(code, period=Q2, kind="custom"):
    return reports.report_build(region=Region.objects.get(code=code), period=period, kind=kind, today=TODAY)


def _table(report, key):
    table = next(t for t in report.tables if t.key == key)
    return {row[0]: row[1:] for row in table.rows + table.footer}, table


TENGWANG, BAIHUA = "滕王阁街道（360102002）", "百花洲街道（360102004）"


def test_beneficiaries_at_the_last_month_by_street(data):
    rows, table = _table(_build("360102"), "beneficiaries")
    assert table.header[:5] == ["区划", "合计户数", "合计人数", "低保户数", "低保人数"]
    # 滕王阁: h1 dibao 2 persons, h2 dibao 2 + tekun 1 → 2 households (h2 counted once), 5 persons.
    assert rows[TENGWANG] == [2, 5, 2, 4, 1, 1, 0, 0]
    assert rows[BAIHUA] == [0] * 8  # h3 exited in May
    assert rows["合计"] == [2, 5, 2, 4, 1, 1, 0, 0]
    assert (
        len(table.rows) == Region.objects.filter(parent_id="360102").count()
    )  # every street, zeros included


def test_beneficiaries_city_sees_its_counties_side_by_side(data):
    rows, table = _table(_build("360100"), "beneficiaries")
    assert rows["东湖区（360102）"] == [2, 5, 2, 4, 1, 1, 0, 0]
    assert rows["西湖区（360103）"] == [1, 2, 0, 0, 0, 0, 1, 2]
    assert rows["合计"] == [3, 7, 2, 4, 1, 1, 1, 2]
    assert not any("萍乡" in label or "安源" in label for label in rows)
    province, _ = _table(_build("360000"), "beneficiaries")
    assert province["合计"] == [4, 11, 3, 8, 1, 1, 1, 2]  # + h5 in 萍乡 (4 persons)


def test_monthly_trend(data):
    report = _build("360102")
    rows, _ = _table(report, "trend")
    # April: e1, e2, e3 (5 persons); May: + e2 tekun (6); June: e3 gone (5).
    assert rows == {"2025-04": [3, 5], "2025-05": [4, 6], "2025-06": [3, 5]}
    assert report.charts["trend"]["series"][0]["values"] == [5, 6, 5]


def test_entries_and_exits_with_boundaries(data):
    rows, table = _table(_build("360102"), "flows")
    assert table.header == [
        "区划",
        "新增合计",
        "新增低保",
        "新增特困",
        "新增支出型",
        "退出合计",
        "退出低保",
        "退出特困",
        "退出支出型",
        "净增",
    ]
    assert rows[TENGWANG] == [2, 1, 1, 0, 0, 0, 0, 0, 2]  # e2 in April, e2 tekun in May; e6 (July) not
    assert rows[BAIHUA] == [0, 0, 0, 0, 1, 1, 0, 0, -1]  # e3 ended 31 May; e7 (31 March) not
    assert rows["合计"] == [2, 1, 1, 0, 1, 1, 0, 0, 1]
    reasons, _ = _table(_build("360102"), "exit_reasons")
    assert reasons["合计"][0] == 1  # 家庭人均收入超过保障标准


def test_money_by_component_from_locked_rolls(data):
    report = _build("360102")
    rows, table = _table(report, "money")
    assert table.header[:4] == ["区划", "发放总额（元）", "发放笔数", "低保补差"]
    col = {h: i - 1 for i, h in enumerate(table.header)}
    # 滕王阁: April 400 + 50 arrears + 600 (the held 999 not paid), June tekun 800; May's roll is not locked.
    assert rows[TENGWANG][col["发放总额（元）"]] == Decimal("1850.00")
    assert rows[TENGWANG][col["发放笔数"]] == 4
    assert rows[TENGWANG][col["低保补差"]] == Decimal("1000.00")
    assert rows[TENGWANG][col["特困基本生活费"]] == Decimal("800.00")
    assert rows[TENGWANG][col["补发"]] == Decimal("50.00")
    assert rows[BAIHUA][col["发放总额（元）"]] == Decimal("200.00")
    assert rows["合计"][col["发放总额（元）"]] == Decimal("2050.00")
    assert rows["合计"][col["发放笔数"]] == 5
    months, _ = _table(report, "money_months")
    assert months == {
        "2025-04": [Decimal("1250.00")],
        "2025-05": [Decimal("0.00")],
        "2025-06": [Decimal("800.00")],
    }
    city, _ = _table(_build("360100"), "money")
    assert city["西湖区（360103）"][col["支出型纳入低保补差"]] == Decimal("300.00")
    assert city["合计"][col["发放总额（元）"]] == Decimal("2350.00")


def test_average_subsidy_against_target_and_guidance(data):
    rows, table = _table(_build("360102"), "subsidy")
    assert table.header[6] == "2025年省指导"
    # 滕王阁: (400 + 600) / (2 + 2) persons = 250.00; 百花洲: 200 / 1 = 200.00; all: 1200 / 5 = 240.00.
    # Target: 东湖区's own 650; guidance 380 × 1.09^7 = 694.65.
    assert rows[TENGWANG] == [
        Decimal("1000.00"),
        4,
        Decimal("250.00"),
        Decimal("650"),
        Decimal("-61.5"),
        Decimal("694.65"),
        Decimal("-64.0"),
    ]
    assert rows[BAIHUA][2] == Decimal("200.00")
    assert rows["合计"] == [
        Decimal("1200.00"),
        5,
        Decimal("240.00"),
        Decimal("650"),
        Decimal("-63.1"),
        Decimal("694.65"),
        Decimal("-65.5"),
    ]
    city, _ = _table(_build("360100"), "subsidy")
    assert city["西湖区（360103）"][:5] == [
        Decimal("300.00"),
        2,
        Decimal("150.00"),
        Decimal("700"),
        Decimal("-78.6"),
    ]


def test_standards_against_the_provincial_guidance(data):
    rows, table = _table(_build("360100"), "standards")
    assert "低保 1130.26" in table.title and "人均补差 694.65" in table.title  # 580 × 1.1^7, 380 × 1.09^7
    assert rows["东湖区（360102）"] == [
        "本级",
        Decimal("1100"),
        Decimal("-2.7"),
        Decimal("650"),
        Decimal("-6.4"),
        Decimal("1400"),
        Decimal("1430.00"),
        "否",
    ]
    assert rows["西湖区（360103）"] == [
        "沿用 360000",
        Decimal("1000"),
        Decimal("-11.5"),
        Decimal("700"),
        Decimal("0.8"),
        Decimal("1300"),
        Decimal("1300.00"),
        "是",
    ]
    nothing = reports.report_build(
        region=Region.objects.get(code="360100"),
        period=reports.period_from_key("2030"),
        today=TODAY,
        sections=("standards",),
    )
    assert nothing.tables[0].rows[0][1] == "未录入"


def test_timeliness_days_per_step_and_overdue(data):
    rows, table = _table(_build("360102"), "timeliness")
    assert table.header[1:8] == [
        "审批办结（件）",
        "受理→入户调查（平均天数）",
        "调查→民主评议（平均天数）",
        "评议→街道审核（平均天数）",
        "审核→公示（平均天数）",
        "公示→县级审批（平均天数）",
        "受理→审批（合计）（平均天数）",
    ]
    D1 = Decimal
    # (5 + 10) / 2, (4 + 4) / 2, (10 + 5) / 2, 1, (12 + 7) / 2, (32 + 27) / 2; buckets ≤30: 1, 31–45: 1.
    assert rows[TENGWANG] == [
        2,
        D1("7.5"),
        D1("4.0"),
        D1("7.5"),
        D1("1.0"),
        D1("9.5"),
        D1("29.5"),
        1,
        1,
        0,
        0,
        1,
        0,
    ]
    assert rows[BAIHUA] == [0, None, None, None, None, None, None, 0, 0, 0, 0, 1, 1]
    assert rows["合计"] == [
        2,
        D1("7.5"),
        D1("4.0"),
        D1("7.5"),
        D1("1.0"),
        D1("9.5"),
        D1("29.5"),
        1,
        1,
        0,
        0,
        2,
        1,
    ]
    city, _ = _table(_build("360100"), "timeliness")
    # 西湖区: rejected after 90 days (intake → decision only).
    assert city["西湖区（360103）"] == [1, None, None, None, None, None, D1("90.0"), 0, 0, 0, 1, 0, 0]


def test_findings_raised_and_resolved_with_timezone_boundary(data):
    report = _build("360102")
    rows, table = _table(report, "findings")
    assert table.header == ["区划", "发现疑点", "核实属实", "核实误报", "本期疑点仍待核实"]
    assert rows[TENGWANG] == [1, 1, 1, 0]  # f1 raised + confirmed; f4 (March) resolved in April; f3 is July
    assert rows[BAIHUA] == [1, 0, 0, 1]  # f2 at 23:30 on 30 June, Shanghai time
    assert rows["合计"] == [2, 1, 1, 1]
    by_rule, _ = _table(report, "findings_rules")
    labels = [r.label for r in reports.RULES]
    assert by_rule["合计"][labels.index("死亡仍在保")] == 1
    assert by_rule["合计"][labels.index("收入超标")] == 1


def test_period_parsing_and_boundaries():
    assert (Q2.start, Q2.end, Q2.last_day, Q2.label) == (
        D(2025, 4, 1),
        D(2025, 6, 1),
        D(2025, 6, 30),
        "2025年第2季度",
    )
    h2 = reports.period_from_key("2025h2")
    assert (h2.start, h2.last_day, h2.label) == (D(2025, 7, 1), D(2025, 12, 31), "2025年下半年")
    assert reports.period_from_key("2024").last_day == D(2024, 12, 31)
    feb = reports.period_from_months("2024-02", "2024-02")
    assert feb.last_day == D(2024, 2, 29) and feb.label == "2024年2月"
    assert reports.latest_complete("quarterly", D(2026, 1, 15)).key == "2025Q4"
    assert reports.latest_complete("half", D(2026, 7, 1)).key == "2026H1"
    assert reports.latest_complete("yearly", D(2026, 3, 1)).key == "2025"
    from config.errors import ServiceError

    for bad in ("2025Q5", "2025H3", "25", "abc"):
        with pytest.raises(ServiceError):
            reports.period_from_key(bad)
    with pytest.raises(ServiceError):
        reports.period_from_months("2025-06", "2025-01")
    with pytest.raises(ServiceError):
        reports.period_from_months("2025-13", "2025-12")
    with pytest.raises(ServiceError):
        reports.period_from_months("2020-01", "2025-12")  # longer than 36 months


# --- pages, scope, export, query count -------------------------------------------------------------


def test_county_officer_cannot_report_on_another_county_or_the_city(client, data, make_user):
    client.force_login(make_user("county", "360102"))
    assert client.get("/ledgers/reports/?region=360102").status_code == 200
    assert client.get("/ledgers/reports/?region=360102004000").status_code == 200  # a street inside
    for code in ("360103", "360100", "360000", "360302", "360103001000", "nonsense"):
        assert client.get(f"/ledgers/reports/?region={code}").status_code == 404, code
        assert client.get(f"/ledgers/reports/export.xlsx?region={code}").status_code == 404, code
        assert client.get(f"/ledgers/reports/yearly/?region={code}").status_code == 404, code


def test_city_sees_its_counties_only(client, data, make_user):
    client.force_login(make_user("city", "360100"))
    page = client.get("/ledgers/reports/quarterly/?period=2025Q2").content.decode()
    assert "东湖区（360102）" in page and "西湖区（360103）" in page
    assert "萍乡" not in page.split('id="report-form"')[1].split("</form>")[1]
    assert client.get("/ledgers/reports/?region=360300").status_code == 404
    assert client.get("/ledgers/reports/?region=360102").status_code == 200


def test_street_officer_and_caseworker_are_refused(client, data, street_officer, caseworker):
    for user in (street_officer, caseworker):
        client.force_login(user)
        assert client.get("/ledgers/reports/").status_code == 403
        assert client.get("/ledgers/reports/half-year/export.xlsx").status_code == 403


def test_auditor_reads_any_region(client, data, auditor):
    client.force_login(auditor)
    page = client.get("/ledgers/reports/half-year/?period=2025H1&region=360302")
    assert page.status_code == 200
    assert "萍乡" in page.content.decode() or "安源" in page.content.decode()


def test_bad_period_shows_an_error_and_the_default(client, data, make_user):
    client.force_login(make_user("county", "360102"))
    page = client.get("/ledgers/reports/quarterly/?period=2025H1").content.decode()
    assert "每季一调度的统计期应为季度" in page
    page = client.get("/ledgers/reports/?from=2025-07&to=2025-01").content.decode()
    assert "截止月份不能早于起始月份" in page


def test_ready_made_views_combine_their_sections(client, data, make_user):
    client.force_login(make_user("city", "360100"))
    quarterly = client.get("/ledgers/reports/quarterly/?period=2025Q2").content.decode()
    yearly = client.get("/ledgers/reports/yearly/?period=2025").content.decode()
    assert 'id="table-beneficiaries"' in quarterly and 'id="table-standards"' not in quarterly
    assert 'id="table-standards"' in yearly and 'id="table-subsidy"' in yearly
    assert "南昌市2025年全年一考核" in yearly
    assert 'data-chart="chart-trend"' in yearly and "js/chart.js" in yearly


def test_export_has_every_table_as_a_sheet(client, data, make_user):
    from openpyxl import load_workbook

    client.force_login(make_user("county", "360102"))
    response = client.get("/ledgers/reports/export.xlsx?from=2025-04&to=2025-06")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    report = _build("360102")
    figures = reports.chart_figures(report)
    assert len(book.sheetnames) == len(report.tables) + len(figures) and len(figures) >= 5
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert rows[0][0] == "东湖区2025年4月至2025年6月统计报表"
    total = next(r for r in rows if r[0] == "合计")
    assert list(total[:3]) == ["合计", 2, 5]
    # Each chart's numbers are a sheet of their own: the trend drawn on the page, month by month.
    assert book.sheetnames[len(report.tables)] == "图表 逐月在保人数、户次"
    trend = list(book["图表 逐月在保人数、户次"].iter_rows(values_only=True))
    header = trend.index(("月份", "在保人数", "在保户次"))
    assert trend[header + 1 : header + 4] == [("2025-04", 5, 3), ("2025-05", 6, 4), ("2025-06", 5, 3)]


def test_every_chart_has_its_numbers_as_a_table_beside_it(client, data, make_user):
    client.force_login(make_user("county", "360102"))
    page = client.get("/ledgers/reports/?from=2025-04&to=2025-06").content.decode()
    report = _build("360102")
    for figure in reports.chart_figures(report):
        chart = page.split(f'id="figure-{figure.key}"')[1].split("</figure>")[0]
        assert f'data-chart="chart-{figure.key}"' in chart and f'id="chart-{figure.key}-table"' in chart
    trend = page.split('id="chart-trend-table"')[1].split("</table>")[0]
    assert '<th scope="row">2025-05</th><td class="num">6</td>' in trend


def test_home_links_the_reports(client, make_user, caseworker):
    for role, region in (
        ("county", "360102"),
        ("city", "360100"),
        ("province", "360000"),
        ("auditor", "360000"),
    ):
        client.force_login(make_user(role, region))
        assert 'id="home-reports"' in client.get("/").content.decode(), role
    client.force_login(caseworker)
    assert 'id="home-reports"' not in client.get("/").content.decode()


def test_constant_number_of_queries(client, data, make_user):
    client.force_login(make_user("city", "360100"))
    url = "/ledgers/reports/yearly/?period=2025"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    before = count()
    user = data
    for i in range(6):  # more households, enrolments, roll lines, events and findings
        h = household_make(community_id=C if i % 2 else A1, members=2)
        e = _enrol(
            h, "dibao", D(2025, 2, 1), covered=2, amount=Decimal("123"), component="dibao_subsidy", user=user
        )
        _events(e.application, user, [("intake", D(2025, 2, 1)), ("county_approve", D(2025, 3, 1))])
    run = ReconciliationRun.objects.create(region_id="360000", period="2025H2", status="done")
    for i in range(5):
        _finding(run, B, "income_over", dt.datetime(2025, 8, 1 + i, tzinfo=TZ))
    assert count() == before
