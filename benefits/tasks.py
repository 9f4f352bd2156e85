"""Celery tasks of the benefits app: thin (ids in, one service call), idempotent (running one twice gives
the same result), queued with transaction.on_commit.

Daily (Celery beat; see README): `reviews_raise_daily`, `gradual_exits_close_daily`,
`changed_households_recompute_daily`.
"""

from __future__ import annotations

from celery import shared_task

from benefits.services import enrolments as enrolment_services
from benefits.services import reviews as review_services
from benefits.services import rolls as roll_services
from benefits.services import standards as standard_services


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def roll_generate(self, roll_id: int) -> dict:
    """Fill a generating roll; its progress is readable from the task's state (PROGRESS: stage, lines)."""

    def progress(stage: str, lines: int) -> None:
        if not self.request.called_directly and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"stage": stage, "lines": lines})

    roll = roll_services.roll_fill(roll_id=roll_id, progress=progress)
    return {"roll": roll.pk, "status": roll.status, "lines": roll.line_count}


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def standard_recompute(standard_id: int, user_id: int | None = None) -> dict:
    """A saved standard: one task per county it reaches."""
    from eligibility.models import Standard

    standard = Standard.objects.get(pk=standard_id)
    counties = standard_services.standard_counties(standard=standard)
    for county in counties:
        standard_recompute_county.delay(standard_id, county, user_id)
    return {"counties": counties}


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def standard_recompute_county(standard_id: int, county: str, user_id: int | None = None) -> dict:
    from accounts.models import User
    from eligibility.models import Standard

    user = User.objects.filter(pk=user_id).first() if user_id else None
    return standard_services.standard_recompute_county(
        standard=Standard.objects.get(pk=standard_id), county=county, acting_user=user
    )


@shared_task
def reviews_raise_daily() -> int:
    return review_services.reviews_raise()


@shared_task
def gradual_exits_close_daily() -> int:
    return enrolment_services.enrolments_close_gradual()


@shared_task
def changed_households_recompute_daily() -> dict:
    return enrolment_services.enrolments_recompute_changed()
