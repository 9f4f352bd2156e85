"""Celery tasks of the cases app: thin (ids in, one service call), idempotent, queued with transaction.on_commit."""

from __future__ import annotations

from celery import shared_task

from cases.services import economic, imports


@shared_task(name="cases.import_process", acks_late=True)
def import_process(batch_id: int) -> str:
    """Check an uploaded household workbook, or import a confirmed one (all or nothing)."""
    return imports.import_process(batch_id=batch_id).status


@shared_task(name="cases.economic_check_auto")
def economic_check_auto(application_id: int) -> int | None:
    """The economic check after intake (queued on commit); a second delivery finds the check and stops."""
    check = economic.economic_check_auto(application_id=application_id)
    return check.pk if check else None


@shared_task(name="cases.imports_sweep")
def imports_sweep() -> dict:
    """Every few minutes (Celery beat): stuck imports re-queued or failed, unconfirmed ones removed."""
    return imports.imports_sweep()
