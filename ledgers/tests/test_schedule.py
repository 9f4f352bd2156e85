"""Celery beat starts the province-wide run on 1 January and 1 July (configurable), once per period."""

from __future__ import annotations

import datetime as dt
import importlib
import os

import pytest
from django.conf import settings

from accounts.models import Region
from ledgers import periods
from ledgers.models import ReconciliationRun
from ledgers.services import run_scheduled, run_start

pytestmark = pytest.mark.django_db


def test_beat_schedule_is_1_january_and_1_july_at_two():
    entry = settings.CELERY_BEAT_SCHEDULE["semiannual-reconciliation"]
    assert entry["task"] == "ledgers.reconcile_scheduled"
    cron = entry["schedule"]
    assert (cron.month_of_year, cron.day_of_month, cron.hour, cron.minute) == ({1, 7}, {1}, {2}, {0})


def test_months_come_from_the_environment(monkeypatch):
    import config.settings as module

    monkeypatch.setenv("RECONCILE_CRON_MONTHS", "3,9")
    monkeypatch.setenv("RECONCILE_CRON_HOUR", "4")
    try:
        reloaded = importlib.reload(module)
        cron = reloaded.CELERY_BEAT_SCHEDULE["semiannual-reconciliation"]["schedule"]
        assert (cron.month_of_year, cron.hour) == ({3, 9}, {4})
    finally:
        monkeypatch.delenv("RECONCILE_CRON_MONTHS")
        monkeypatch.delenv("RECONCILE_CRON_HOUR")
        importlib.reload(module)
    assert "RECONCILE_CRON_MONTHS" not in os.environ


@pytest.mark.parametrize(
    "today,period",
    [
        (dt.date(2026, 1, 1), "2025H2"),
        (dt.date(2026, 7, 1), "2026H1"),
        (dt.date(2026, 3, 15), "2025H2"),
    ],
)
def test_the_scheduled_run_covers_the_half_year_that_ended(today, period):
    assert periods.default_period(today) == period
    run = run_scheduled(today=today)
    assert (run.region_id, run.period, run.trigger, run.requested_by) == ("360000", period, "schedule", None)
    assert run_scheduled(today=today) is None  # a second beat delivery starts nothing
    assert ReconciliationRun.objects.count() == 1


def test_the_scheduled_task_retries_while_a_county_run_is_going(county_officer):
    from celery.exceptions import Retry

    from ledgers.tasks import reconcile_scheduled

    run_start(acting_user=county_officer, region=Region.objects.get(code="360102"), period="2025H2")
    with pytest.raises(Retry):
        reconcile_scheduled.apply(throw=True)
    assert ReconciliationRun.objects.count() == 1
