"""Issuing decision notices: which decisions of an application and its enrolment can have one, and
`notice_issue`, which gives a decision its notice and 文号 (one transaction, the sequence row locked, an event row).

The facts a notice states are read from the decision as it was taken (the application's decision, the enrolment
event's data) and kept on the notice, so a later change of the household does not rewrite a notice once issued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Event, Region
from accounts.permissions import is_county_officer_for, is_street_officer_for
from accounts.services import event_record
from applications.models import Application
from benefits.models import Enrolment
from config.errors import ServiceError
from papers.models import DecisionNotice, NoticeSequence

K = DecisionNotice.Kind
POLICY = "赣发〔2018〕7号"
# The clause each enrolment decision rests on: 六(三) 精准动态调整 (规范有序进出), and for an exit on income the
# category's own condition as well; refused work is the national rule (社会救助暂行办法 第四十五条).
CHANGE_CLAUSE = f"{POLICY} 六(三)"
EXIT_CLAUSES = {
    "income": f"{POLICY} 四(二)、六(三)",
    "refused_work": f"《社会救助暂行办法》第四十五条，{POLICY} 六(三)",
    "fraud": f"《社会救助暂行办法》第六十八条，{POLICY} 六(三)",
}


@dataclass(frozen=True)
class Decision:
    """A decision that can be notified: what kind, its key, when, why, on which clause, what it states."""

    kind: str
    key: str
    decided_on: dt.date
    reason: str
    clause: str
    facts: dict[str, Any] = field(default_factory=dict)
    enrolment_id: int | None = None
    event_id: int | None = None

    @property
    def label(self) -> str:
        return K(self.kind).label


def reference(county: Region, year: int, number: int) -> str:
    """东湖区, 2026, 15 → 东民救〔2026〕15号 (the county's first character, 民政 救助)."""
    return f"{county.name[:1]}民救〔{year}〕{number}号"


def _trace_clauses(determination: dict | None, passed: bool, category: str = "") -> str:
    """The clauses of the rules a decision rests on: for an approval the rules of the approved category (and the
    property limits) that passed; for a rejection the rules that failed."""
    clauses = []
    for step in (determination or {}).get("trace", []):
        rule = step.get("rule", "")
        if passed and category and not rule.startswith((f"{category}.", "property.", "unit.")):
            continue
        if bool(step.get("passed")) == passed and step.get("clause") and step["clause"] not in clauses:
            clauses.append(step["clause"])
    return f"{POLICY} " + "、".join(clauses[:4]) if clauses else POLICY


def _application_decision(application: Application) -> Decision | None:
    if application.from_ledger:
        return (
            None  # imported from an old ledger: the product did not decide it, so it issues no notice for it
        )
    if application.status == Application.Status.APPROVED:
        enrolment = getattr(application, "enrolment", None)
        facts: dict[str, Any] = {"category": application.get_category_display()}
        if enrolment is not None:
            facts.update(
                category=enrolment.get_category_display(),
                amount=str(enrolment.monthly_amount),
                start_month=enrolment.start_month.isoformat(),
                persons=enrolment.covered.count(),
            )
        reason = application.decision_reason or "经入户调查、民主评议、街道审核和公示，符合条件"
        return Decision(
            K.APPROVE,
            f"application:{application.pk}",
            application.decided_on or timezone.localdate(),
            reason,
            _trace_clauses(
                application.determination,
                passed=True,
                category=enrolment.category
                if enrolment
                else application.proposed_category or application.category,
            ),
            facts,
            enrolment.pk if enrolment else None,
        )
    if application.status in (Application.Status.REJECTED, Application.Status.STREET_REJECTED):
        street = application.status == Application.Status.STREET_REJECTED
        decided = application.decided_on or application.street_reviewed_on or timezone.localdate()
        return Decision(
            K.REJECT,
            f"application:{application.pk}",
            decided,
            application.decision_reason or "经审核不符合条件",
            _trace_clauses(application.determination, passed=False),
            {"category": application.get_category_display(), "by_street": street},
        )
    return None


def _event_decision(enrolment: Enrolment, event: Event) -> Decision | None:
    data = event.data or {}
    decided = timezone.localtime(event.at).date()
    if event.verb.startswith("暂停发放"):
        return Decision(
            K.SUSPEND,
            f"event:{event.pk}",
            decided,
            data.get("reason", ""),
            CHANGE_CLAUSE,
            {"month": data.get("month"), "amount": str(enrolment.monthly_amount)},
            enrolment.pk,
            event.pk,
        )
    if "ended_on" in data:
        reason = enrolment.exit_reason or "gradual_end"
        why = enrolment.exit_note or event.verb
        return Decision(
            K.EXIT,
            f"event:{event.pk}",
            enrolment.exit_decided_on or decided,
            why,
            EXIT_CLAUSES.get(reason, CHANGE_CLAUSE),
            {
                "ended_on": data["ended_on"],
                "exit_reason": Enrolment.ExitReason(reason).label,
                "death": reason == Enrolment.ExitReason.DEATH,
                "details": enrolment.exit_details,
            },
            enrolment.pk,
            event.pk,
        )
    if "old_amount" in data and "new_amount" in data and data["old_amount"] != data["new_amount"]:
        return Decision(
            K.CHANGE,
            f"event:{event.pk}",
            decided,
            data.get("reason", ""),
            CHANGE_CLAUSE,
            {
                "old_amount": data["old_amount"],
                "new_amount": data["new_amount"],
                "month": data.get("month") or data.get("from"),
                # A recomputation names its standard ("2018年度 东湖区"); a new year's standard gives its id only.
                "standard": data["standard"] if isinstance(data.get("standard"), str) else "",
            },
            enrolment.pk,
            event.pk,
        )
    return None


def decisions_of(application: Application) -> list[Decision]:
    """Every decision of the application and of its enrolment that a notice can be issued for, oldest first
    (two queries: the enrolment's events; the application and enrolment are loaded by the caller)."""
    out = []
    first = _application_decision(application)
    if first is not None:
        out.append(first)
    enrolment = getattr(application, "enrolment", None) if application.status == "approved" else None
    if enrolment is not None:
        events = Event.objects.filter(target_type="benefits.enrolment", target_id=str(enrolment.pk)).order_by(
            "at", "id"
        )
        out += [d for d in (_event_decision(enrolment, e) for e in events) if d is not None]
    return out


def can_issue(user, application: Application, decision: Decision) -> bool:
    """The county office issues every notice of its county; a street office its own 审核不予通过."""
    community = application.household.community_id
    if decision.kind == K.REJECT and decision.facts.get("by_street"):
        return is_street_officer_for(user, community) or is_county_officer_for(user, community)
    return is_county_officer_for(user, community)


def _next_number(county_code: str, year: int) -> int:
    """The next 文号 of a county's year, the sequence row locked until the caller's transaction ends, so two
    notices issued at once wait for each other and never share a number."""
    NoticeSequence.objects.bulk_create(
        [NoticeSequence(county_code=county_code, year=year, last_number=0)], ignore_conflicts=True
    )
    seq = NoticeSequence.objects.select_for_update().get(county_code=county_code, year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return seq.last_number


@transaction.atomic
def notice_issue(
    *, application: Application, decision_key: str, acting_user, today: dt.date | None = None
) -> DecisionNotice:
    """Issue the notice of one decision of the application (or of its enrolment), numbered with the county's
    next 文号 of the year. Issuing a decision's notice again returns the one already issued, same number."""
    today = today or timezone.localdate()
    # The application row first, then the county's sequence row: two clicks on one decision wait for each other
    # (the second finds the first's notice), and every issuer takes the locks in the same order.
    Application.objects.select_for_update().filter(pk=application.pk).first()
    existing = DecisionNotice.objects.filter(decision=decision_key).first()
    if existing is not None:
        return existing
    decision = next((d for d in decisions_of(application) if d.key == decision_key), None)
    if decision is None:
        raise ServiceError("没有这项决定，或该决定不需要出具通知书", code="not_found")
    if not can_issue(acting_user, application, decision):
        raise PermissionDenied("只有作出决定的民政部门可以出具通知书")
    if not decision.reason.strip():
        raise ServiceError("该决定没有写明事实和理由，不能出具通知书", code="no_reason")
    community = application.household.community_id
    county = Region.objects.get(code=community[:6])
    year = decision.decided_on.year
    number = _next_number(county.code, year)
    notice = DecisionNotice.objects.create(
        kind=decision.kind,
        decision=decision.key,
        application=application,
        enrolment_id=decision.enrolment_id,
        community_code=community,
        county_code=county.code,
        year=year,
        number=number,
        reference=reference(county, year, number),
        decided_on=decision.decided_on,
        reason=decision.reason,
        clause=decision.clause,
        facts=decision.facts,
        issued_on=today,
        issued_by=acting_user,
    )
    event_record(
        actor=acting_user,
        verb=f"出具{notice.get_kind_display()}（{notice.reference}）",
        target=application,
        region_code=community,
        data={"notice": notice.pk, "reference": notice.reference, "decision": decision.key},
    )
    return notice
