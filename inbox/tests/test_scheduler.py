"""The daily jobs: the same Celery tasks beat runs, run in-process in the embedded mode; only the serving
process of `runserver` with eager Celery starts the thread."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inbox import scheduler


def test_the_beat_schedule_is_built_from_the_one_list(settings):
    daily = {e["task"] for k, e in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("daily-")}
    assert daily == set(settings.DAILY_JOBS)
    assert "inbox.digest_send_daily" in settings.DAILY_JOBS


@pytest.mark.parametrize(
    "argv,environ,eager,expected",
    [
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, True, True),
        (["manage.py", "runserver", "--noreload"], {}, True, True),
        (["manage.py", "runserver"], {}, True, False),  # the autoreloader's watcher
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, False, False),  # production: beat does it
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, True, False),
        (["pytest"], {}, True, False),
    ],
)
def test_only_the_embedded_server_starts_the_thread(settings, argv, environ, eager, expected):
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    assert scheduler.is_embedded_server(argv, environ) is expected


def test_the_next_run_is_at_the_configured_hour(settings):
    settings.DAILY_JOBS_HOUR = 1
    now = timezone.make_aware(dt.datetime(2018, 6, 4, 0, 30))
    assert scheduler.seconds_until_next_run(now) == 30 * 60
    now = timezone.make_aware(dt.datetime(2018, 6, 4, 1, 0))
    assert scheduler.seconds_until_next_run(now) == 24 * 3600


@pytest.mark.django_db
def test_run_daily_jobs_runs_every_job_and_survives_a_failing_one(settings, monkeypatch):
    from config.celery import app

    app.loader.import_default_modules()
    calls = []
    monkeypatch.setattr(
        app.tasks["benefits.tasks.reviews_raise_daily"], "run", lambda: calls.append("reviews") or 3
    )

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(app.tasks["benefits.tasks.gradual_exits_close_daily"], "run", broken)
    results = scheduler.run_daily_jobs()
    assert list(results) == settings.DAILY_JOBS
    assert results["benefits.tasks.reviews_raise_daily"] == 3 and calls == ["reviews"]
    assert results["benefits.tasks.gradual_exits_close_daily"] == "failed"
    assert results["inbox.digest_send_daily"] == 0
