"""Celery tasks of the household import and of the one sweeper of stuck work: thin (ids in, one service call),
idempotent, queued with transaction.on_commit. The tasks keep the names they had (the import's from before the
import had its own app), so messages queued before a deploy still find them."""

from __future__ import annotations

from celery import shared_task

from common import background
from imports import services


@shared_task(name="cases.import_process", acks_late=True)
def import_process(batch_id: int) -> str:
    """Check an uploaded household workbook, or import a confirmed one (all or nothing)."""
    return services.import_process(batch_id=batch_id).status


@shared_task(name="imports.imports_sweep")
def imports_sweep() -> dict:
    """Every few minutes (Celery beat): stuck work of every kind (imports, extracts, reconciliations, payment
    rolls, the economic check) re-queued or failed, unconfirmed uploads removed (common/background.py)."""
    return background.sweep()
