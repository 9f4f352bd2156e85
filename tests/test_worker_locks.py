"""A worker's lock keeps the sweeper off its work (common.locks): an extract being validated or an import being
checked longer than its stuck-after setting is not queued a second time while a live worker holds it, and is
queued as soon as that worker's database session ends. PostgreSQL only (advisory locks; the embedded SQLite mode
runs tasks eagerly, with nothing to sweep)."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from common import background, locks
from imports import services as imports
from imports.models import ImportBatch
from ledgers.models import Extract
from ledgers.services import extracts, stuck
from ledgers.tests.factories import PERIOD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="advisory locks are PostgreSQL's"),
]


def other_session():
    """A second database session, as a worker process would have."""
    s = connection.settings_dict
    return psycopg2.connect(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        password=s["PASSWORD"],
    )


def hold(session, lock_class: int, key: int) -> None:
    with session.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock_shared(%s, %s)", [lock_class, key])


@pytest.fixture
def queued(monkeypatch):
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(extracts, "_queue_process", lambda pk: sent.append(("extract", pk)))
    monkeypatch.setattr(imports, "_queue", lambda pk: sent.append(("import", pk)))
    monkeypatch.setattr(stuck.transaction, "on_commit", lambda fn, *a, **k: fn())
    monkeypatch.setattr(imports.transaction, "on_commit", lambda fn, *a, **k: fn())
    return sent


def test_held_is_true_only_while_another_session_holds_the_lock():
    assert locks.held(locks.EXTRACT_LIVE, 7) is False
    worker = other_session()
    hold(worker, locks.EXTRACT_LIVE, 7)
    assert locks.held(locks.EXTRACT_LIVE, 7) is True
    assert locks.held(locks.EXTRACT_LIVE, 8) is False  # another key
    assert locks.held(locks.IMPORT_LIVE, 7) is False  # another kind
    worker.close()  # the worker dies: the database lets go
    assert locks.held(locks.EXTRACT_LIVE, 7) is False


def test_a_long_validation_held_by_a_live_worker_is_not_requeued(county_officer, queued, settings):
    settings.EXTRACT_STALE_MINUTES = 30
    extract = Extract.objects.create(
        kind="death",
        period=PERIOD,
        region_id=county_officer.region_id,
        uploaded_by=county_officer,
        original_name="death.csv",
        stored_name="held.csv",
        file_format="csv",
        status=Extract.Status.VALIDATING,
        created_at=timezone.now() - dt.timedelta(minutes=45),
    )
    worker = other_session()
    hold(worker, locks.EXTRACT_LIVE, extract.pk)
    assert background.sweep(keys=["extract"])["extract"] == {"requeued": 0, "failed": 0, "removed": 0}
    assert queued == []
    extract.refresh_from_db()
    assert extract.status == Extract.Status.VALIDATING
    worker.close()
    assert background.sweep(keys=["extract"])["extract"]["requeued"] == 1
    assert queued == [("extract", extract.pk)]


def test_a_long_import_check_held_by_a_live_worker_is_not_requeued(county_officer, queued, settings):
    settings.IMPORT_STALE_MINUTES = 30
    at = timezone.now() - dt.timedelta(minutes=45)
    batch = ImportBatch.objects.create(
        region_id=county_officer.region_id,
        uploaded_by=county_officer,
        original_name="台账.xlsx",
        stored_name="held.xlsx",
        sha256="0" * 64,
        status=ImportBatch.Status.VALIDATING,
        created_at=at,
    )
    worker = other_session()
    hold(worker, locks.IMPORT_LIVE, batch.pk)
    assert imports.imports_sweep() == {"requeued": 0, "failed": 0, "removed": 0}
    assert queued == []
    worker.close()
    assert imports.imports_sweep()["requeued"] == 1
    assert queued == [("import", batch.pk)]


def test_the_tasks_hold_their_work_while_they_run(monkeypatch):
    """The task bodies take the lock: seen from another session, the work is held while they run and free after."""
    seen = {}

    def probe(kind_class, key):
        session = other_session()
        with session.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [kind_class, key])
            seen[kind_class] = not cur.fetchone()[0]
        session.close()

    monkeypatch.setattr(extracts, "_extract_process", lambda pk: probe(locks.EXTRACT_LIVE, pk) or "done")
    assert extracts.extract_process(extract_id=41) == "done"
    monkeypatch.setattr(
        imports.ImportBatch.objects, "get", lambda pk: probe(locks.IMPORT_LIVE, pk) or batch_stub
    )
    batch_stub = type("Batch", (), {"status": "done"})()
    assert imports.import_process(batch_id=42) is batch_stub
    assert seen == {locks.EXTRACT_LIVE: True, locks.IMPORT_LIVE: True}
    assert not locks.held(locks.EXTRACT_LIVE, 41) and not locks.held(locks.IMPORT_LIVE, 42)
