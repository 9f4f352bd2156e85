"""Periodic reviews (动态管理): the daily job raises the tasks, the caseworker works them.

Completing a review recomputes the enrolment from the household's facts as the caseworker has updated them
(enrolments.enrolment_recompute's rules) and schedules the next review; an enrolment the rules no longer find
eligible is flagged for an exit, which the county decides with a written notice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.scope import can_write_region
from accounts.services import event_record
from benefits.models import Enrolment, EnrolmentReview
from benefits.schedule import next_review, review_months
from benefits.services import enrolments as enrolment_services
from benefits.services import timeline
from common.dates import day_label
from config.errors import PermissionDenied, ServiceError

HORIZON_DAYS = 30  # a scheduled review shows in the queue this long before it is due


def reviews_raise(*, today: dt.date | None = None, horizon_days: int = HORIZON_DAYS) -> int:
    """One open scheduled task per enrolment whose review falls due within the horizon. Set-based and
    idempotent: the (enrolment, kind, due date) constraint ignores what exists."""
    today = today or timezone.localdate()
    due = (
        Enrolment.objects.filter(
            status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.GRADUAL],
            next_review_on__lte=today + dt.timedelta(days=horizon_days),
        )
        .exclude(reviews__status=EnrolmentReview.Status.OPEN, reviews__kind=EnrolmentReview.Kind.SCHEDULED)
        .values_list("pk", "next_review_on", "review_months")
    )
    tasks = [
        EnrolmentReview(
            enrolment_id=pk,
            kind=EnrolmentReview.Kind.SCHEDULED,
            due_on=due_on,
            raised_because=f"每{months}个月复核一次",
        )
        for pk, due_on, months in due.iterator(chunk_size=2000)
    ]
    before = EnrolmentReview.objects.count()
    EnrolmentReview.objects.bulk_create(tasks, ignore_conflicts=True, batch_size=2000)
    return EnrolmentReview.objects.count() - before


@transaction.atomic
def review_complete(
    *,
    task: EnrolmentReview,
    acting_user,
    visited_on: dt.date | None,
    findings: str,
    today: dt.date | None = None,
) -> EnrolmentReview:
    """Record the review (home visit date and findings), recompute from the household's current facts, and
    schedule the next review. Refused — nothing changes — when the task is not the caseworker's or is done."""
    today = today or timezone.localdate()
    enrolment = Enrolment.objects.select_related("household").get(pk=task.enrolment_id)
    if not can_write_region(acting_user, enrolment.household.community_id):
        raise PermissionDenied("只有本社区的社区工作人员可以完成复核")
    enrolment = enrolment_services._lock(enrolment)
    task = EnrolmentReview.objects.select_for_update().get(pk=task.pk)
    errors: list[dict[str, str]] = []
    if task.status != EnrolmentReview.Status.OPEN:
        errors.append({"field": "__all__", "message": "该复核任务已完成"})
    if visited_on is None:
        errors.append({"field": "visited_on", "message": "请填写入户核查日期"})
    elif visited_on > today:
        errors.append({"field": "visited_on", "message": "入户核查日期不能晚于今天"})
    findings = (findings or "").strip()
    if not findings:
        errors.append({"field": "findings", "message": "请填写核查情况"})
    if errors:
        raise ServiceError(errors=errors)

    if enrolment.status == Enrolment.Status.EXITED:
        outcome = EnrolmentReview.Outcome.EXITED
    elif enrolment.status == Enrolment.Status.SUSPENDED:
        outcome = EnrolmentReview.Outcome.UNCHANGED
    else:
        result = enrolment_services._recompute(enrolment, acting_user, f"{task.get_kind_display()}", today)
        outcome = {
            "unchanged": EnrolmentReview.Outcome.UNCHANGED,
            "changed": EnrolmentReview.Outcome.CHANGED,
            "gradual": EnrolmentReview.Outcome.GRADUAL,
            "ineligible": EnrolmentReview.Outcome.INELIGIBLE,
        }[result.outcome]
        if outcome != EnrolmentReview.Outcome.INELIGIBLE:  # this review settles the rechecks raised before it
            (
                EnrolmentReview.objects.filter(
                    enrolment=enrolment, kind=EnrolmentReview.Kind.RECHECK, status=EnrolmentReview.Status.OPEN
                )
                .exclude(pk=task.pk)
                .update(
                    status=EnrolmentReview.Status.DONE,
                    outcome=outcome,
                    completed_by=acting_user,
                    completed_at=timezone.now(),
                    findings=f"随复核#{task.pk}一并核查",
                )
            )
    task.status, task.outcome = EnrolmentReview.Status.DONE, outcome
    task.visited_on, task.findings, task.completed_by, task.completed_at = (
        visited_on,
        findings,
        acting_user,
        timezone.now(),
    )
    task.save(update_fields=["status", "outcome", "visited_on", "findings", "completed_by", "completed_at"])
    if enrolment.status != Enrolment.Status.EXITED:
        periods = timeline.current_periods(enrolment)
        facts = periods[-1].facts if periods else {}
        covered = set(
            enrolment.covered.filter(ended_on__isnull=True).values_list("person__id_number", flat=True)
        )
        months = review_months(
            category=enrolment.category,
            covered=[m for m in facts.get("members", []) if m["id_number"] in covered],
            as_of=today,
        )
        enrolment.review_months, enrolment.next_review_on = months, next_review(today, months)
        enrolment_services._save(enrolment, acting_user, ["review_months", "next_review_on"])
    event_record(
        actor=acting_user,
        verb=f"完成{task.get_kind_display()}：{task.get_outcome_display()}",
        target=enrolment,
        region_code=enrolment.household.community_id,
        data={
            "task": task.pk,
            "visited_on": visited_on.isoformat(),
            "next_review_on": day_label(enrolment.next_review_on) if enrolment.next_review_on else None,
        },
    )
    return task
