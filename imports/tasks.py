"""Celery task of the household import: thin (ids in, one service call), idempotent, queued with
transaction.on_commit. The task keeps the name it had before the import had its own app, so messages queued
before a deploy still find it."""

from __future__ import annotations

from celery import shared_task

from imports import services


@shared_task(name="cases.import_process", acks_late=True)
def import_process(batch_id: int) -> str:
    """Check an uploaded household workbook, or import a confirmed one (all or nothing)."""
    return services.import_process(batch_id=batch_id).status


@shared_task(name="imports.imports_sweep")
def imports_sweep() -> dict:
    """Every few minutes (Celery beat): stuck imports re-queued or failed, unconfirmed ones removed."""
    return services.imports_sweep()
