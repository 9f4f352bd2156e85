"""PostgreSQL advisory locks that say a live worker holds a piece of background work.

A task holds its work's lock (shared) for as long as it works on it; the one sweeper (common/background.py) asks
`held` before it calls the work stuck, so a long validation or import is never queued a second time while its
worker is still on it. A session lock is released by the database when the worker's connection ends, so a
worker that dies lets go at once. Every lock class is named here, so no two kinds collide. Off PostgreSQL (the
embedded SQLite mode, where tasks run eagerly) every lock is taken and nothing is ever held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

RUN_START = 0x4A4B4C01  # serialises reconciliation run starts and restarts (the overlap check)
RUN_LIVE = 0x4A4B4C02  # shared: held by every task working on a reconciliation run
RUN_ORCHESTRATE = 0x4A4B4C03  # exclusive: the orchestrator of a run
EXTRACT_LIVE = 0x4A4B4C04  # shared: held by the task validating or loading an extract
IMPORT_LIVE = 0x4A4B4C05  # shared: held by the task checking or writing a household import


def _pg() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def advisory(lock_class: int, key: int, *, shared: bool = False) -> Iterator[bool]:
    """A session-level advisory lock, tried without waiting; yields whether it was taken (always True off
    PostgreSQL). Released on exit, or by the database when the worker's connection ends."""
    if not _pg():
        yield True
        return
    suffix = "_shared" if shared else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock{suffix}(%s, %s)", [lock_class, key])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT pg_advisory_unlock{suffix}(%s, %s)", [lock_class, key])


@contextmanager
def working_on(lock_class: int, key: int) -> Iterator[None]:
    """Hold `key` of `lock_class` (shared: two deliveries of one task may both hold it) while the block runs."""
    with advisory(lock_class, key, shared=True):
        yield


def held(lock_class: int, key: int) -> bool:
    """Whether a worker (another database session) holds `key` of `lock_class` now; False off PostgreSQL."""
    if not _pg():
        return False
    with advisory(lock_class, key) as got:
        return not got
