"""Resolving a review task: the caseworker (or, for a person we do not know, the officer) records whether
the finding is true.

* confirmed → the decision and the follow-up the rule calls for. A death or a move away is a fact about the
  person: benefits.services.followups.fact_confirm, in the same transaction, stops their payments on the rolls
  not yet locked and opens the county's exit and overpayment tasks (policy.md §8.3). The follow-up is also
  recorded as a to-do event on the household ("待办：退出/变更…", with the finding's evidence).
* false alarm → a reason is required.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.permissions import can_review
from accounts.services import event_record
from benefits.services.followups import fact_confirm
from config.errors import PermissionDenied, ServiceError
from households.models import Person
from ledgers.models import ReviewTask
from ledgers.rules import BY_CODE

# The exit reason (benefits Enrolment.ExitReason) a confirmed finding points to, with the details an exit asks
# for; the county decides the exit itself (benefits.services.enrolment_exit is the county's).
EXIT_REASONS = {
    "deceased_paid": ("death", "died_on"),
    "moved_away": ("moved", "to_region"),
    "income_over": ("income", None),
}

# The confirmed findings that are a fact about a person (benefits.services.followups.fact_confirm), with the
# detail that holds its date.
FACTS = {"deceased_paid": ("death", "died_on"), "moved_away": ("moved", "moved_on")}

DECISIONS = {ReviewTask.Status.CONFIRMED: "核实属实", ReviewTask.Status.FALSE_ALARM: "核实误报"}


def review_resolve(*, task: ReviewTask, acting_user, decision: str, note: str = "") -> ReviewTask:
    if not can_review(acting_user, task):
        raise PermissionDenied("只有疑点所在社区的工作人员可以核实（本地没有档案的人员由县级民政核实）")
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise ServiceError("请选择核实结论", field="decision")
    if decision == ReviewTask.Status.FALSE_ALARM and len(note) < 4:
        raise ServiceError("核实为误报的，须写明理由（至少4个字）", field="note")
    with transaction.atomic():
        task = ReviewTask.objects.select_for_update().select_related("finding", "region").get(pk=task.pk)
        if not task.is_open:
            raise ServiceError(f"该核实任务已办结（{task.get_status_display()}）", code="closed")
        finding = task.finding
        rule = BY_CODE.get(finding.rule)
        follow_up = ""
        if decision == ReviewTask.Status.CONFIRMED and rule is not None:
            follow_up = rule.follow_up
        task.status = decision
        task.note = note
        task.follow_up = follow_up
        task.resolved_by = acting_user
        task.resolved_at = timezone.now()
        task._history_user = acting_user
        task.save(update_fields=["status", "note", "follow_up", "resolved_by", "resolved_at"])
        label = rule.label if rule else finding.rule
        event_record(
            actor=acting_user,
            verb=f"比对疑点{DECISIONS[decision]}：{label}",
            target=task,
            region_code=task.region_id,
            data={
                "finding": finding.pk,
                "run": finding.run_id,
                "rule": finding.rule,
                "note": note,
                "follow_up": follow_up,
            },
        )
        fact = FACTS.get(finding.rule) if decision == ReviewTask.Status.CONFIRMED else None
        if fact is not None and finding.household_id:
            # policy.md §8.3: the confirmation stops the person's payments in this same transaction.
            person = Person.objects.filter(
                id_number=finding.id_number, household_id=finding.household_id
            ).first()
            if person is not None:
                kind, date_key = fact
                fact_confirm(
                    person=person,
                    kind=kind,
                    event_on=(finding.detail or {}).get(date_key),
                    acting_user=acting_user,
                    source=f"比对核实：{label}（比对批次#{finding.run_id}）",
                    finding_id=finding.pk,
                    note=note,
                )
        if follow_up and finding.household_id:
            # The to-do the exit/change flow works from, on the household's own record.
            from households.models import Household

            household = Household.objects.filter(pk=finding.household_id).first()
            if household is not None:
                reason, detail_key = EXIT_REASONS.get(finding.rule, (None, None))
                event_record(
                    actor=acting_user,
                    verb=f"{follow_up}——比对核实：{label}",
                    target=household,
                    region_code=household.community_id,
                    data={
                        "finding": finding.pk,
                        "task": task.pk,
                        "rule": finding.rule,
                        "detail": finding.detail,
                        "suggested_exit_reason": reason,
                        "exit_detail": (finding.detail or {}).get(detail_key) if detail_key else None,
                    },
                )
    return task
