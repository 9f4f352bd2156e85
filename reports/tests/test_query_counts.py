"""Every oversight report (quarterly, half-year, yearly, a custom range) and its Excel export runs the same
number of queries before and after more households, enrolments, roll lines, events and findings arrive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import assert_constant_queries
from households.tests.factories import household_make
from ledgers.models import ReconciliationRun
from reports.tests.test_reports import A1, TZ, B, C, D, _enrol, _events, _finding, data  # noqa: F401

URLS = [
    ("/ledgers/reports/quarterly/", {"period": "2025Q3"}),
    ("/ledgers/reports/half-year/", {"period": "2025H2"}),
    ("/ledgers/reports/yearly/", {"period": "2025"}),
    ("/ledgers/reports/", {"from": "2025-01", "to": "2025-12"}),
    ("/ledgers/reports/export.xlsx", {"from": "2025-01", "to": "2025-12"}),
    ("/ledgers/reports/yearly/export.xlsx", {"period": "2025"}),
]


@pytest.mark.parametrize(("url", "params"), URLS)
def test_report_queries_do_not_grow_with_the_data(
    client, request, make_user, url, params, django_assert_num_queries
):
    user = request.getfixturevalue("data")  # the reports' own world (reports/tests/test_reports.py)
    client.force_login(make_user("city", "360100"))

    def grow():
        for i in range(6):
            h = household_make(community_id=C if i % 2 else A1, members=2)
            e = _enrol(
                h,
                "dibao",
                D(2025, 2, 1),
                covered=2,
                amount=Decimal("123"),
                component="dibao_subsidy",
                user=user,
            )
            _events(e.application, user, [("intake", D(2025, 2, 1)), ("county_approve", D(2025, 3, 1))])
        run = ReconciliationRun.objects.create(region_id="360000", period="2025H2", status="done")
        for i in range(5):
            _finding(run, B, "income_over", dt.datetime(2025, 8, 1 + i, tzinfo=TZ))

    assert_constant_queries(client, django_assert_num_queries, url, grow, params)
