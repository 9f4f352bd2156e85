"""Fifty street approvals at the same moment against a reserve fund that can pay ten of them (PostgreSQL):
exactly ten are paid, the balance is never negative, and no update is lost. (SQLite serialises every write,
so the race can only be shown on PostgreSQL.)"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Region
from applications.tests.factories import FAST_HASHERS
from benefits.models import FundMovement, ReliefGrant, ReserveFund
from benefits.services import relief as services
from benefits.tests.factories import household, standard
from config.errors import ServiceError

pytestmark = [pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2018, 9, 10)
APPROVALS = 50
CAN_PAY = 10
AMOUNT = Decimal("100.00")


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): SQLite cannot run two writers at once")
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard(year=2018)


def run_together(calls, watch):
    """Run the calls in threads released at the same moment, while `watch` samples in another thread."""
    barrier = threading.Barrier(len(calls) + 1)
    results: list = [None] * len(calls)
    done = threading.Event()

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            results[i] = exc
        finally:
            connection.close()

    def observe():
        try:
            barrier.wait(timeout=30)
            while not done.is_set():
                watch()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    watcher = threading.Thread(target=observe)
    for t in [*threads, watcher]:
        t.start()
    for t in threads:
        t.join(timeout=120)
    done.set()
    watcher.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    return results


def test_fifty_simultaneous_approvals_pay_exactly_what_the_fund_holds(
    caseworker, street_officer, county_officer
):
    street = Region.objects.get(code="360102002000")
    services.reserve_fund_topup(street=street, amount=str(AMOUNT * CAN_PAY), acting_user=county_officer)
    grants = []
    for i in range(APPROVALS):
        family = household({"income": "900", "name": f"申请人{i}"})
        grants.append(
            services.relief_apply(
                acting_user=caseworker,
                household=family,
                person=family.members.get(),
                kind="expenditure",
                amount=str(AMOUNT),
                reason="突发困难",
                today=TODAY,
            )
        )
    seen: list[Decimal] = []

    def approve(grant):
        return lambda: services.relief_street_approve(
            grant=ReliefGrant.objects.get(pk=grant.pk), acting_user=street_officer, today=TODAY
        )

    results = run_together(
        [approve(g) for g in grants],
        watch=lambda: seen.append(ReserveFund.objects.get(street=street).balance),
    )

    paid = [r for r in results if isinstance(r, ReliefGrant)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(paid) == CAN_PAY and len(refused) == APPROVALS - CAN_PAY, [
        r for r in results if not isinstance(r, ReliefGrant | ServiceError)
    ]
    assert {r.code for r in refused} == {"insufficient_funds"}
    fund = ReserveFund.objects.get(street=street)
    assert fund.balance == Decimal("0.00")
    assert seen and min(seen) >= 0
    # no lost update: every disbursement saw the balance the one before it left
    ledger = list(
        FundMovement.objects.filter(fund=fund, kind="disbursement")
        .order_by("id")
        .values_list("amount", "balance_after")
    )
    assert [after for _, after in ledger] == [AMOUNT * (CAN_PAY - 1 - i) for i in range(CAN_PAY)]
    topped = sum(FundMovement.objects.filter(fund=fund, kind="topup").values_list("amount", flat=True))
    assert topped - sum(a for a, _ in ledger) == fund.balance
    assert ReliefGrant.objects.filter(status="paid").count() == CAN_PAY
    assert ReliefGrant.objects.filter(status="submitted").count() == APPROVALS - CAN_PAY
    assert ReliefGrant.objects.filter(status="paid", movement__isnull=True).count() == 0
