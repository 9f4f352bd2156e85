"""The daily jobs in the embedded mode, where there is no Celery beat.

Production: Celery beat queues every task named in settings.DAILY_JOBS at its hour (config/settings.py builds
the beat schedule from that list). Embedded mode (tasks eager, `manage.py runserver`): a daemon thread runs the
same tasks when the server starts and then every day at DAILY_JOBS_HOUR, so the demo shows the reviews due, the
overdue steps and the digest. Each task is idempotent, so a restart that runs them again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import threading

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)
_started = threading.Event()


def run_daily_jobs() -> dict[str, object]:
    """Run every daily job once, in order, in this process; a failing job is logged and the others still run."""
    from config.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them at start
    results: dict[str, object] = {}
    for name in settings.DAILY_JOBS:
        try:
            results[name] = app.tasks[name].apply(throw=True).result
        except Exception:  # one broken job must not stop the others, nor the server
            log.exception("daily job %s failed", name)
            results[name] = "failed"
    return results


def seconds_until_next_run(now: dt.datetime) -> float:
    local = timezone.localtime(now)
    run = local.replace(hour=settings.DAILY_JOBS_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run += dt.timedelta(days=1)
    return (run - local).total_seconds()


def _loop() -> None:
    while True:
        results = run_daily_jobs()
        log.info("embedded daily jobs done: %s", results)
        threading.Event().wait(seconds_until_next_run(timezone.now()))


def is_embedded_server(argv: list[str] | None = None, environ: dict | None = None) -> bool:
    """The process that serves requests under `runserver` with Celery eager (the autoreloader's parent only
    watches files, so it does not run the jobs)."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if not settings.CELERY_TASK_ALWAYS_EAGER or not settings.EMBEDDED_DAILY_JOBS:
        return False
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def start_if_embedded_server() -> bool:
    if _started.is_set() or not is_embedded_server():
        return False
    _started.set()
    threading.Thread(target=_loop, name="jiekun-daily-jobs", daemon=True).start()
    return True
