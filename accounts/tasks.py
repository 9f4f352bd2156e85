"""Celery tasks of the background list exports (accounts/export_jobs.py): thin (ids in, one service call),
idempotent, queued with transaction.on_commit; the one sweeper (common/background.py) sweeps them."""

from __future__ import annotations

from celery import shared_task

from accounts import export_jobs


@shared_task(name="accounts.export_job_run", acks_late=True)
def export_job_run(job_id: int) -> str | None:
    """Write a list export longer than EXPORT_MAX_ROWS for the user who asked."""
    job = export_jobs.export_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="accounts.export_jobs_sweep")
def export_jobs_sweep() -> dict:
    """Stuck exports queued again or failed; expired export files removed. Celery beat no longer schedules it (the
    one sweeper, imports.imports_sweep, sweeps exports with every other kind); kept for messages already queued."""
    return export_jobs.export_jobs_sweep()
