"""Celery tasks of the cases app: thin, take ids, call a service, idempotent."""

from __future__ import annotations

from celery import shared_task

from cases.services import economic


@shared_task(name="cases.economic_check_auto")
def economic_check_auto(application_id: int) -> int | None:
    """The economic check after intake (queued on commit); a second delivery finds the check and stops."""
    check = economic.economic_check_auto(application_id=application_id)
    return check.pk if check else None
