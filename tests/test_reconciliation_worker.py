"""A real `celery -A config worker` against Redis and the test PostgreSQL database: it validates and loads the
extracts and runs a reconciliation, one task per rule; killed (SIGKILL) in the middle of a run and started
again, the run ends with exactly the findings of an uninterrupted one.

Skipped unless REDIS_URL is set and the database is PostgreSQL (CI sets both). Transactional, so the
worker sees what the test commits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
    ),
]
ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2025H2"


class Worker:
    """A worker process group: started, waited for, stopped or killed outright."""

    def __init__(self, env: dict, log: Path):
        self.name = f"ledgers-test-{uuid.uuid4().hex[:8]}@%h"
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "--pool=prefork",
                    "-n",
                    self.name,
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"worker did not start:\n{self.tail()}")
            time.sleep(0.2)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(20)


@pytest.fixture
def workers(settings, tmp_path):
    """Start workers with `start()`; every one is stopped at the end, before the database is flushed."""
    import redis

    from config.celery import app

    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.RECONCILE_STALE_SECONDS = 0  # a killed run may be restarted at once
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "worker-test",
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "0",
        "RECONCILE_STALE_SECONDS": "0",
    }
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])

    def clean_broker() -> None:
        app.control.purge()
        broker.delete("unacked", "unacked_index", "unacked_mutex")

    clean_broker()
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(env, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    _end_other_sessions()
    clean_broker()
    app.conf.task_always_eager = eager


def _end_other_sessions(timeout: float = 30) -> None:
    """Wait for the database sessions of dead workers to end (they notice their client is gone once they try
    to answer it), so nothing holds a lock when the test database is flushed."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0 or time.monotonic() > deadline:
                return
            time.sleep(0.2)


def wait_for(predicate, what: str, worker: Worker, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{worker.tail()}")


def findings(run) -> list[tuple]:
    from ledgers.models import Finding

    return sorted(
        (
            f.rule,
            f.id_number,
            f.source,
            f.extract_id,
            f.household_id,
            f.region_id,
            repr(sorted(f.detail.items())),
        )
        for f in Finding.objects.filter(run=run)
    )


def loaded_world(worker):
    from accounts.models import User
    from ledgers.models import Extract
    from ledgers.tests.scenario import build_world

    officer = User.objects.create_user(
        username="worker-co", password="pass-Word-123", role="county", region_id="360102"
    )
    world = build_world(officer)
    wait_for(
        lambda: Extract.objects.filter(status="loaded").count() == len(world.extracts),
        "extracts loaded",
        worker,
    )
    return officer, world


def test_a_worker_loads_extracts_and_runs_a_reconciliation(workers):
    from ledgers.models import ReconciliationRun, ReviewTask, RunStep
    from ledgers.rules import RULES
    from ledgers.services import run_start
    from ledgers.tests.scenario import county

    worker = workers()
    officer, world = loaded_world(worker)
    run = run_start(acting_user=officer, region=county(), period=PERIOD)
    run = wait_for(
        lambda: ReconciliationRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
        "the run to end",
        worker,
    )
    assert run.status == "done", run.error
    assert {(r, i, s) for r, i, s, *_ in findings(run)} == world.expected
    assert RunStep.objects.filter(run=run).count() == len(RULES) + 2
    assert ReviewTask.objects.filter(finding__run=run).count() == len(world.expected)
    log = worker.tail()
    assert "ledgers.reconcile_rule" in log and "ledgers.extract_process" in log


def test_a_run_killed_midway_and_started_again_ends_with_the_same_findings(workers):
    import psycopg2

    from ledgers.models import Finding, ReconciliationRun, RunStep
    from ledgers.rules import RULES
    from ledgers.services import run_restart, run_start
    from ledgers.tests.scenario import county

    worker = workers()
    officer, world = loaded_world(worker)
    reference = run_start(acting_user=officer, region=county(), period=PERIOD)
    wait_for(
        lambda: ReconciliationRun.objects.filter(pk=reference.pk, status="done").exists(),
        "reference run",
        worker,
    )
    worker.stop()

    run = run_start(acting_user=officer, region=county(), period=PERIOD)  # queued; no worker yet
    # Another session holds, uncommitted, the findings two rules are about to write: their INSERT … ON CONFLICT
    # waits for it, so both worker processes are stuck inside a rule's transaction when the worker is killed.
    blocked = [e for e in sorted(world.expected) if e[0] in ("vehicles_over", "houses_over")]
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            for rule, id_number, source in blocked:
                cursor.execute(
                    "INSERT INTO ledgers_finding (run_id, rule, id_number, source, region_id, name, detail, "
                    "created_at) VALUES (%s, %s, %s, %s, '360102', '', '{}', now())",
                    [run.pk, rule, id_number, source],
                )
        worker = workers()
        with connection.cursor() as cursor:

            def both_stuck():
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                return cursor.fetchone()[0] == 2

            wait_for(both_stuck, "two rules waiting", worker)
        done_before = {s.step: s.finished_at for s in RunStep.objects.filter(run=run)}
        run.refresh_from_db()
        assert run.status == "running" and 1 <= len(done_before) <= len(RULES) - 1
        assert 0 < run.progress < 100
        worker.kill()  # SIGKILL: no clean-up of any kind
    finally:
        other.rollback()
        other.close()
    _end_other_sessions()
    run.refresh_from_db()
    assert run.status == "running"  # nobody said otherwise: the worker died
    assert {s.step for s in RunStep.objects.filter(run=run)} == set(done_before)

    run_restart(acting_user=officer, run=run)  # RECONCILE_STALE_SECONDS=0 here and in the worker env
    worker = workers()
    run = wait_for(
        lambda: ReconciliationRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
        "the restarted run to end",
        worker,
    )
    assert run.status == "done", run.error
    assert run.attempts == 2
    assert findings(run) == findings(reference)
    assert Finding.objects.filter(run=run).count() == len(world.expected)
    after = {s.step: s.finished_at for s in RunStep.objects.filter(run=run)}
    assert all(after[step] == at for step, at in done_before.items())
