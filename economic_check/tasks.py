"""Celery task of the economic check: thin (ids in, one service call), idempotent, queued with
transaction.on_commit. The task keeps the name it had before the check had its own app, so messages queued
before a deploy still find it."""

from __future__ import annotations

from celery import shared_task

from economic_check import services


@shared_task(name="cases.economic_check_auto")
def economic_check_auto(application_id: int) -> int | None:
    """The economic check after intake (queued on commit); a second delivery finds the check and stops."""
    check = services.economic_check_auto(application_id=application_id)
    return check.pk if check else None
