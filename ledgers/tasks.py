"""Celery tasks: thin, take ids, call a service, idempotent (running one twice gives the same result).

They are queued with `transaction.on_commit` by the services. `acks_late` (settings) means a task whose
worker dies is delivered again; the services make a second delivery harmless.
"""

from __future__ import annotations

from celery import shared_task

from config.errors import ServiceError
from ledgers import services


@shared_task(name="ledgers.extract_process")
def extract_process(extract_id: int) -> str:
    """Validate an uploaded extract and, as its mode or its uploader says, load it."""
    return services.extract_process(extract_id=extract_id).status


@shared_task(name="ledgers.reconcile_run")
def reconcile_run(run_id: int) -> None:
    """Start or continue a run: snapshot, then one `reconcile_rule` task per pending rule."""
    services.run_execute(run_id=run_id)


@shared_task(name="ledgers.reconcile_rule")
def reconcile_rule(run_id: int, rule: str) -> None:
    """One rule of a run; the last one to finish closes the run."""
    services.run_rule_execute(run_id=run_id, code=rule)


@shared_task(name="ledgers.reconcile_scheduled", bind=True, max_retries=48)
def reconcile_scheduled(self) -> int | None:
    """Celery beat, 1 January and 1 July (RECONCILE_CRON_MONTHS): the province-wide run of the half-year
    that ended. If a county's run is still going, try again in half an hour."""
    try:
        run = services.run_scheduled()
    except ServiceError as exc:
        if exc.code == "overlap":
            raise self.retry(countdown=1800) from exc
        raise
    return run.pk if run else None
