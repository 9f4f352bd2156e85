"""Celery task of the inbox: the daily digest (scheduled by beat; in the embedded mode by inbox/scheduler.py)."""

from __future__ import annotations

from celery import shared_task

from inbox import services


@shared_task(name="inbox.digest_send_daily")
def digest_send_daily() -> int:
    return services.digest_send_daily()
