"""The oversight reports count paid temporary relief by kind, 特别救助 on its own columns (policy.md §6 [v2]):
exact counts and amounts per sub-region, the period's boundaries, the page and the workbook."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Region
from benefits.models import ReliefGrant
from households.tests.factories import household_make
from reports import figures as reports

pytestmark = pytest.mark.django_db

A1, B, C = "360102002001", "360102004001", "360103001001"
Q2 = reports.period_from_key("2025Q2")
TODAY = dt.date(2025, 7, 1)
D = dt.date


def grant(user, community, kind, amount, decided, status="paid", **special):
    household = household_make(community_id=community, members=1)
    return ReliefGrant.objects.create(
        household=household,
        person=household.members.get(),
        kind=kind,
        amount=Decimal(amount),
        reason="困难",
        received_on=decided,
        route="county" if kind == "special" else "street",
        status=status,
        decided_on=decided,
        paid_at=timezone.now() if status == "paid" else None,
        created_by=user,
        **special,
    )


@pytest.fixture
def data(county_officer):
    u = county_officer
    big = {"gross_expenditure": Decimal("60000"), "deduction_insurance": Decimal("30000")}
    grant(u, A1, "urgent", "500", D(2025, 4, 1))
    grant(u, A1, "expenditure", "1200", D(2025, 6, 30))
    grant(u, A1, "special", "20000", D(2025, 5, 10), **big)
    grant(u, B, "special", "8000.50", D(2025, 4, 2), **big)
    grant(u, C, "special", "9999", D(2025, 5, 1), **big)  # 西湖区: another county
    grant(u, A1, "urgent", "300", D(2025, 3, 31))  # before the period
    grant(u, A1, "expenditure", "700", D(2025, 7, 1))  # after it
    grant(u, A1, "special", "5000", D(2025, 5, 1), status="county_review", **big)  # not paid (yet)
    return u


def test_paid_relief_by_kind_with_special_relief_on_its_own_columns(data):
    report = reports.report_build(
        region=Region.objects.get(code="360102"), period=Q2, today=TODAY, sections=("relief",)
    )
    table = report.tables[0]
    assert table.header == [
        "区划",
        "急难型（件）",
        "急难型（元）",
        "支出型（件）",
        "支出型（元）",
        "特别救助（件）",
        "特别救助（元）",
        "合计（件）",
        "合计（元）",
    ]
    rows = {row[0]: row[1:] for row in table.rows + table.footer}
    D2 = Decimal
    assert rows["滕王阁街道（360102002）"] == [
        1,
        D2("500.00"),
        1,
        D2("1200.00"),
        1,
        D2("20000.00"),
        3,
        D2("21700.00"),
    ]
    assert rows["百花洲街道（360102004）"] == [
        0,
        D2("0.00"),
        0,
        D2("0.00"),
        1,
        D2("8000.50"),
        1,
        D2("8000.50"),
    ]
    assert rows["合计"] == [1, D2("500.00"), 1, D2("1200.00"), 2, D2("28000.50"), 4, D2("29700.50")]
    assert "特别救助（五(七)）单列" in table.note


def test_the_ready_made_reports_and_the_workbook_show_it(client, data, make_user):
    from openpyxl import load_workbook

    client.force_login(make_user("city", "360100"))
    page = client.get("/ledgers/reports/quarterly/?period=2025Q2").content.decode()
    assert 'id="table-relief"' in page and "特别救助（件）" in page
    response = client.get("/ledgers/reports/export.xlsx?from=2025-04&to=2025-06")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = next(name for name in book.sheetnames if name.startswith("临时救助"))
    rows = list(book[sheet].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "区划")
    total = next(r for r in rows if r and r[0] == "合计")
    assert total[header.index("特别救助（件）")] == 3  # 东湖区 2 + 西湖区 1, the city's counties side by side
    assert total[header.index("特别救助（元）")] == 37999.5
