"""Resolving a review task: the caseworker (or, for a person we do not know, the officer) records whether
the finding is true.

* confirmed → the decision and the follow-up the rule calls for. A death or a move away is a fact about the
  person: benefits.services.followups.fact_confirm, in the same transaction, stops their payments on the rolls
  not yet locked and opens the county's exit and overpayment tasks (policy.md §8.3). The follow-up is also
  recorded as a to-do event on the household ("待办：退出/变更…", with the finding's evidence).
* confirmed as fraud (骗取救助, policy.md §8.3) → for a finding about a covered household (hidden vehicles,
  houses, a business, assets, income, a second enrolment), the reviewer may also find that the household obtained
  its benefit by fraud, from a date: the same `fact_confirm` (kind fraud: the whole household's unlocked lines
  held, the county's task, the overpayment since that date), in the same transaction. Death and move findings
  are followed as death and move (their overpayment is already recovered from the event date), never twice.
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

# Findings that say nothing a covered household could have hidden: no fraud is confirmed from them.
NOT_FRAUD = frozenset({*FACTS, "not_in_ours", "missing_theirs"})
FRAUD_FOLLOW_UP = "待办：暂停整户发放，办理退出并追回骗取的救助金（骗取救助）"


def fraud_possible(finding) -> bool:
    """Whether a confirmation of this finding may also confirm fraud (a covered household's hidden facts)."""
    return bool(finding.household_id) and finding.rule not in NOT_FRAUD


def _fraud_person(finding) -> Person | None:
    """The person the fraud is recorded on: the finding's person in the household, else its head."""
    members = Person.objects.filter(household_id=finding.household_id)
    return (
        members.filter(id_number=finding.id_number).first()
        or members.filter(relation="head").order_by("pk").first()
        or members.order_by("pk").first()
    )


def review_resolve(
    *,
    task: ReviewTask,
    acting_user,
    decision: str,
    note: str = "",
    fraud: bool = False,
    fraud_on=None,
) -> ReviewTask:
    """Record the reviewer's decision (module docstring). `fraud` with `fraud_on` (the date from which the
    household obtained benefits by fraud): confirmed as 骗取救助, followed by fact_confirm in this transaction."""
    if not can_review(acting_user, task):
        raise PermissionDenied("只有疑点所在社区的工作人员可以核实（本地没有档案的人员由县级民政核实）")
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise ServiceError("请选择核实结论", field="decision")
    if decision == ReviewTask.Status.FALSE_ALARM and len(note) < 4:
        raise ServiceError("核实为误报的，须写明理由（至少4个字）", field="note")
    if fraud and decision != ReviewTask.Status.CONFIRMED:
        raise ServiceError("认定骗取救助须先核实属实", field="fraud")
    with transaction.atomic():
        task = ReviewTask.objects.select_for_update().select_related("finding", "region").get(pk=task.pk)
        if not task.is_open:
            raise ServiceError(f"该核实任务已办结（{task.get_status_display()}）", code="closed")
        finding = task.finding
        if fraud and not fraud_possible(finding):
            raise ServiceError(
                "此类疑点不能认定骗取救助（死亡、迁出按死亡、迁出办理并追回多发款项；本地无档案的人员无从认定）",
                field="fraud",
            )
        rule = BY_CODE.get(finding.rule)
        follow_up = ""
        if decision == ReviewTask.Status.CONFIRMED and rule is not None:
            follow_up = FRAUD_FOLLOW_UP if fraud else rule.follow_up
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
                "fraud": fraud,
            },
        )
        if fraud:
            person = _fraud_person(finding)
            if person is None:
                raise ServiceError("该家庭没有成员，无法登记骗取救助", field="fraud")
            try:
                fact_confirm(
                    person=person,
                    kind="fraud",
                    event_on=fraud_on,
                    acting_user=acting_user,
                    source=f"比对核实骗取救助：{rule.label if rule else finding.rule}（比对批次#{finding.run_id}）",
                    finding_id=finding.pk,
                    note=note,
                )
            except PermissionDenied:
                raise
            except ServiceError as exc:
                # the date is asked as fraud_on on the review form
                raise ServiceError(
                    code=exc.code,
                    errors=[
                        {**e, "field": "fraud_on" if e.get("field") == "event_on" else e.get("field")}
                        for e in exc.errors
                    ],
                ) from exc
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
