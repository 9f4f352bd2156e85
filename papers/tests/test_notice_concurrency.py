"""Notices issued at the same moment (PostgreSQL, real threads): two notices never share a 文号, no number is
skipped, and two clicks on one decision make one notice. (SQLite serialises every write, so the race can only be
shown on PostgreSQL.)"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from applications.tests.factories import FAST_HASHERS, application_at
from benefits.tests.factories import household, standard
from papers import services
from papers.models import DecisionNotice, NoticeSequence

pytestmark = [pytest.mark.django_db(transaction=True)]

AT_ONCE = 6


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): SQLite cannot run two writers at once")
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard(year=2018)


def together(calls):
    """Run the calls in threads released at the same moment; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_notices_issued_at_once_never_share_a_number(caseworker, street_officer, county_officer):
    applications = [
        application_at(
            "approved",
            household=household({"income": "300"}),
            caseworker=caseworker,
            street=street_officer,
            county=county_officer,
        )
        for _ in range(AT_ONCE)
    ]
    results = together(
        [
            lambda a=a: (
                services.notice_issue(
                    application=a, decision_key=f"application:{a.pk}", acting_user=county_officer
                ).number
            )
            for a in applications
        ]
    )
    assert sorted(results) == list(range(1, AT_ONCE + 1)), results
    assert sorted(DecisionNotice.objects.values_list("reference", flat=True)) == sorted(
        f"东民救〔2018〕{n}号" for n in range(1, AT_ONCE + 1)
    )
    assert NoticeSequence.objects.get(county_code="360102", year=2018).last_number == AT_ONCE


def test_two_clicks_on_one_decision_make_one_notice(caseworker, street_officer, county_officer):
    application = application_at(
        "approved",
        household=household({"income": "300"}),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )
    key = f"application:{application.pk}"
    results = together(
        [
            lambda: (
                services.notice_issue(
                    application=application, decision_key=key, acting_user=county_officer
                ).pk
            )
            for _ in range(3)
        ]
    )
    assert len(set(results)) == 1 and all(isinstance(r, int) for r in results), results
    assert DecisionNotice.objects.count() == 1
    assert NoticeSequence.objects.get().last_number == 1
