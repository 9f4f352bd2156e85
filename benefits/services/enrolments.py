"""Writes to enrolments: creation at approval, recomputation after a change, 渐退, suspension, exit.

Every service runs in one transaction: it locks the county (see timeline.lock_counties) and then the
enrolment row, checks role, region, state and input before it writes, records the acting user in the
history and writes one domain event. A change of amount takes effect from the next month; it is written as
new periods (timeline.py) with the reason, and months already on a roll are settled there.
`today` is the business date (Asia/Shanghai); tests pass it to move the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import permissions
from accounts.services import event_record
from applications.models import Application, Category
from benefits.compute import (
    CENT,
    Outcome,
    StandardsInForce,
    category_share,
    components_less,
    evaluate_facts,
    household_facts,
    member_share,
    money_text,
    outcome_of,
)
from benefits.models import Enrolment, EnrolmentMember, EnrolmentPeriod, EnrolmentReview
from benefits.schedule import next_review, review_months
from benefits.services import timeline
from common.dates import day_label, month_end, month_label, month_of, next_month
from config.errors import PermissionDenied, ServiceError
from households.models import Household, Person

S = Enrolment.Status
P = EnrolmentPeriod.Status
FACT_LABELS = {
    "monthly_income": "月收入",
    "labor_capacity": "劳动能力",
    "disability_grade": "残疾等级",
    "self_care": "自理能力",
    "has_able_supporter": "赡养/抚养人",
    "disability_kind": "残疾类别",
    "supporter_unable_reason": "义务人无履行能力原因",
    "orphan": "孤儿",
    "newly_employed_since": "新就业日期",
}


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _lock(enrolment: Enrolment) -> Enrolment:
    """Lock the enrolment's county, then the enrolment row, and read it fresh."""
    community = Household.objects.values_list("community_id", flat=True).get(pk=enrolment.household_id)
    timeline.lock_counties([community[:6]])
    return Enrolment.objects.select_for_update(of=("self",)).select_related("household").get(pk=enrolment.pk)


def _save(enrolment: Enrolment, acting_user, fields: list[str]) -> None:
    enrolment.updated_at = timezone.now()
    enrolment._history_user = acting_user
    enrolment.save(update_fields=[*fields, "updated_at"])


def _event(enrolment: Enrolment, acting_user, verb: str, data: dict | None = None) -> None:
    event_record(
        actor=acting_user,
        verb=verb,
        target=enrolment,
        region_code=enrolment.household.community_id,
        data=data or {},
    )


def _require(value: str, field: str, message: str, errors: list[dict[str, str]]) -> str:
    value = (value or "").strip()
    if not value:
        errors.append({"field": field, "message": message})
    return value


def _raise(errors: list[dict[str, str]]) -> None:
    if errors:
        raise ServiceError(errors=errors)


def _payee(people: list[Person]) -> Person | None:
    heads = [p for p in people if p.relation == Person.Relation.HEAD]
    return heads[0] if heads else (min(people, key=lambda p: p.pk) if people else None)


def review_schedule(
    category: str, facts: dict[str, Any], covered_ids: set[str], start: dt.date
) -> tuple[int, dt.date]:
    """(months between reviews, first review date) of an enrolment of `category` starting at `start`."""
    covered = [m for m in facts.get("members", []) if m["id_number"] in covered_ids]
    months = review_months(category=category, covered=covered, as_of=start)
    return months, next_review(start, months)


# --------------------------------------------------------------------------------------------------
# Creation (called by applications.services.applications.application_county_approve)


@transaction.atomic
def enrolment_create(
    *, application: Application, determination: dict[str, Any], acting_user, today: dt.date | None = None
) -> Enrolment:
    """The enrolment of an application the county approves, inside the approval's transaction.

    Category and monthly amount are those the street approved and the notice published; the components
    and covered members come from the rules' determination taken at the street review. If the amount was
    adjusted, the difference is the `adjustment` component, so the components always sum to the amount.
    Payment starts the month after approval: the first period runs from then, with the household's facts
    as they are now, and the first review is due 6 or 12 months later (benefits.schedule).
    """
    today = _today(today)
    category = application.proposed_category
    amount = application.proposed_amount
    if not category or amount is None:
        raise ServiceError("申请没有街道审核的类别和金额", code="no_proposal")
    share = category_share(determination=determination, category=category)
    household = application.household
    people = {p.id_number: p for p in household.members.all()}
    missing = [m["id_number"] for m in share["members"] if m["id_number"] not in people]
    if missing:
        raise ServiceError(
            f"街道审核后家庭成员已变动（{len(missing)}名保障成员已不在本户），须重新调查后再审批",
            code="members_changed",
        )
    if Enrolment.objects.filter(
        household=household, category=category, status__in=Enrolment.CURRENT
    ).exists():
        raise ServiceError(f"该家庭已是{Category(category).label}保障对象", code="already_enrolled")
    components = money_text(share["components"])
    adjustment = amount - share["amount"]
    if adjustment:
        components["adjustment"] = str(adjustment.quantize(CENT))
    start = next_month(today)
    covered = [people[m["id_number"]] for m in share["members"]]
    facts = household_facts(household)
    review, next_on = review_schedule(category, facts, {p.id_number for p in covered}, start)
    via = bool((determination.get("zhichu") or {}).get("dibao_via_expenditure"))
    enrolment = Enrolment(
        household=household,
        community_code=household.community_id,
        application=application,
        category=category,
        components=components,
        monthly_amount=amount,
        start_month=start,
        created_by=acting_user,
        payee=_payee(covered),
        dibao_paid=category == Category.DIBAO or (category == Category.ZHICHU and via),
        review_months=review,
        next_review_on=next_on,
    )
    enrolment._history_user = acting_user
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise ServiceError("该申请已生成救助对象，不能重复审批", code="already_enrolled") from None
    EnrolmentMember.objects.bulk_create(
        [
            EnrolmentMember(
                enrolment=enrolment,
                person=people[m["id_number"]],
                category=category,
                amounts=dict(m["amounts"]),
            )
            for m in share["members"]
        ]
    )
    standards = determination.get("standards") or {}
    EnrolmentPeriod.objects.create(
        enrolment=enrolment,
        start_month=start,
        status=P.ACTIVE,
        monthly_amount=amount,
        components=components,
        covered_count=len(covered),
        facts=facts,
        standard_region=standards.get("region", ""),
        standard_year=standards.get("year"),
        reason=f"县级审批纳入（申请#{application.pk}）",
        created_by=acting_user,
    )
    _event(
        enrolment,
        acting_user,
        f"纳入{Category(category).label}",
        {
            "application": application.pk,
            "monthly_amount": str(amount),
            "start_month": start.isoformat(),
            "review_months": review,
        },
    )
    return enrolment


# --------------------------------------------------------------------------------------------------
# Recomputation after a change of income or members


@dataclass(frozen=True)
class Recomputed:
    enrolment: Enrolment
    outcome: str  # "unchanged", "changed", "gradual", "ineligible"
    old_amount: Decimal
    new_amount: Decimal
    effective_month: dt.date
    message: str


def facts_changes(old: dict[str, Any], new: dict[str, Any], names: dict[str, str]) -> list[str]:
    """What differs between two fact snapshots, in words ("张三月收入 300.00 → 1500.00 元")."""
    if not old:
        return []
    out: list[str] = []
    before = {m["id_number"]: m for m in old.get("members", [])}
    after = {m["id_number"]: m for m in new.get("members", [])}
    for number in after.keys() - before.keys():
        out.append(f"新增成员{names.get(number, number[-4:])}")
    for number in before.keys() - after.keys():
        out.append(f"减少成员{names.get(number, number[-4:])}")
    for number in sorted(after.keys() & before.keys()):
        for key, text in FACT_LABELS.items():
            a, b = before[number].get(key), after[number].get(key)
            if a != b:
                if key == "monthly_income":
                    out.append(
                        f"{names.get(number, '')}{text} {Decimal(a or 0):.2f} → {Decimal(b or 0):.2f} 元"
                    )
                else:
                    out.append(
                        f"{names.get(number, '')}{text} {a if a not in (None, '') else '无'} → "
                        f"{b if b not in (None, '') else '无'}"
                    )
    for key, text in (
        ("property", "家庭财产"),
        ("monthly_rigid_expenditure", "刚性支出"),
        ("hardship_causes", "致困原因"),
    ):
        if old.get(key) != new.get(key):
            out.append(f"{text}变化")
    return out


def _evaluate_now(
    enrolment: Enrolment,
    household: Household,
    month: dt.date,
    in_force: StandardsInForce,
    current: EnrolmentPeriod | None,
) -> tuple[dict[str, Any], Outcome]:
    facts = household_facts(household)
    try:
        determination, std = evaluate_facts(
            region=household.community_id, facts=facts, month=month, in_force=in_force
        )
    except ServiceError as exc:
        raise ServiceError(
            errors=[{"field": "__all__", "message": f"无法按规则测算：{e['message']}"} for e in exc.errors],
            code="no_determination",
        ) from None
    previous_amount = current.monthly_amount if current is not None else enrolment.monthly_amount
    previous_components = current.components if current is not None else enrolment.components
    return facts, outcome_of(
        determination=determination,
        std=std,
        category=enrolment.category,
        previous_amount=previous_amount,
        previous_components=previous_components,
        previous_dibao_paid=enrolment.dibao_paid,
    )


def _covered_update(
    enrolment: Enrolment, household: Household, outcome: Outcome, month: dt.date
) -> list[str]:
    """Make the covered members those the rules now put in the category; returns what changed, in words."""
    people = {p.id_number: p for p in household.members.all()}
    wanted = {m["id_number"]: m for m in outcome.members if m["id_number"] in people}
    rows = {row.person.id_number: row for row in enrolment.covered.select_related("person")}
    said: list[str] = []
    for number, row in rows.items():
        if number in wanted:
            changed = row.ended_on is not None or row.amounts != wanted[number]["amounts"]
            if row.ended_on is not None:
                said.append(f"{row.person.name}恢复保障")
            row.ended_on, row.amounts = None, dict(wanted[number]["amounts"])
            if changed:
                row.save(update_fields=["ended_on", "amounts"])
        elif row.ended_on is None:
            row.ended_on = month - dt.timedelta(days=1)
            row.save(update_fields=["ended_on"])
            said.append(f"{row.person.name}不再保障")
    new_rows = [
        EnrolmentMember(
            enrolment=enrolment, person=people[n], category=enrolment.category, amounts=dict(m["amounts"])
        )
        for n, m in wanted.items()
        if n not in rows
    ]
    EnrolmentMember.objects.bulk_create(new_rows)
    said += [f"{row.person.name}纳入保障" for row in new_rows]
    covered = [people[n] for n in wanted]
    payee = people.get(enrolment.payee.id_number) if enrolment.payee_id else None
    if payee is None or payee.id_number not in wanted:
        enrolment.payee = _payee(covered) or enrolment.payee
    return said


def _recheck_task(enrolment: Enrolment, today: dt.date, because: str) -> None:
    EnrolmentReview.objects.get_or_create(
        enrolment=enrolment,
        kind=EnrolmentReview.Kind.RECHECK,
        due_on=today,
        defaults={"raised_because": because[:300]},
    )


def _recompute(
    enrolment: Enrolment, acting_user, reason: str, today: dt.date, in_force: StandardsInForce | None = None
) -> Recomputed:
    """The body of a recomputation, on a locked enrolment, inside the caller's transaction."""
    household = Household.objects.prefetch_related("members").get(pk=enrolment.household_id)
    month = next_month(today)
    periods = timeline.current_periods(enrolment)
    current = timeline.period_at(periods, month) or (periods[-1] if periods else None)
    facts, outcome = _evaluate_now(enrolment, household, month, in_force or StandardsInForce(), current)
    if outcome.kind == "eligible":
        outcome = reductions_apply(enrolment, outcome, month)
    names = {p.id_number: p.name for p in household.members.all()}
    said = facts_changes(current.facts if current else {}, facts, names)
    why = reason + (f"（{'；'.join(said)}）" if said else "")
    old_amount = enrolment.monthly_amount
    std = outcome.standards

    if outcome.kind == "ineligible":
        because = (
            f"按{std.label}测算，该家庭自{month_label(month)}起已不符合{Category(enrolment.category).label}条件"
            f"，请核实后办理退出"
        )
        _recheck_task(enrolment, today, because)
        enrolment.computed_at = timezone.now()
        _save(enrolment, acting_user, ["computed_at"])
        _event(enrolment, acting_user, "重新核定：不再符合条件", {"reason": why, "month": month.isoformat()})
        return Recomputed(enrolment, "ineligible", old_amount, old_amount, month, because)

    if outcome.kind == "gradual":
        status, end = P.GRADUAL, month_of(outcome.gradual_until)
        if enrolment.status == S.GRADUAL and enrolment.gradual_until == outcome.gradual_until:
            enrolment.computed_at = timezone.now()
            _save(enrolment, acting_user, ["computed_at"])
            return Recomputed(
                enrolment,
                "unchanged",
                old_amount,
                old_amount,
                month,
                f"仍在渐退期，渐退至{day_label(outcome.gradual_until)}",
            )
    else:
        status, end = P.ACTIVE, None
    said_members: list[str] = []
    if outcome.kind == "eligible":
        said_members = _covered_update(enrolment, household, outcome, month)
    covered_count = enrolment.covered.filter(ended_on__isnull=True).count()
    same_money = (
        current is not None
        and current.status == status
        and current.monthly_amount == outcome.amount
        and current.components == outcome.components
        and current.end_month == end
        and current.covered_count == covered_count
    )
    if (
        same_money
        and current.facts == facts
        and current.standard_year == std.standards.year
        and current.provisional == std.provisional
    ):
        enrolment.computed_at = timezone.now()
        _save(enrolment, acting_user, ["computed_at"])
        _event(enrolment, acting_user, "重新核定：金额不变", {"reason": why})
        return Recomputed(
            enrolment, "unchanged", old_amount, old_amount, month, f"重新核定后月救助金仍为{old_amount}元"
        )

    new = EnrolmentPeriod(
        enrolment=enrolment,
        start_month=month,
        end_month=end,
        status=status,
        monthly_amount=outcome.amount,
        components=outcome.components,
        covered_count=covered_count,
        facts=facts,
        standard_region=std.standards.region,
        standard_year=std.standards.year,
        provisional=std.provisional,
        reason=why[:300],
        created_by=acting_user,
    )
    rewrite = timeline.replace_from(periods, month, [new])
    timeline.write([rewrite])
    rolled = timeline.RolledMonths(
        county=household.community_id[:6], months_from=month, enrolment_ids=[enrolment.pk]
    )
    settlement = rolled.settle(enrolment=enrolment, rewrite=rewrite, reason=reason)
    timeline.settle_write(settlement)

    was_suspended = enrolment.status == S.SUSPENDED
    enrolment.monthly_amount, enrolment.components = outcome.amount, outcome.components
    enrolment.dibao_paid = outcome.dibao_paid
    enrolment.status = S.GRADUAL if status == P.GRADUAL else S.ACTIVE
    enrolment.gradual_until = outcome.gradual_until if status == P.GRADUAL else None
    enrolment.computed_at = timezone.now()
    _save(
        enrolment,
        acting_user,
        ["monthly_amount", "components", "dibao_paid", "status", "gradual_until", "computed_at", "payee"],
    )
    if status == P.GRADUAL:
        verb = f"转入渐退：自{month_label(month)}起按原标准{outcome.amount}元发放至{day_label(outcome.gradual_until)}"
        kind = "gradual"
    elif same_money and not was_suspended:
        verb = f"重新核定：月救助金仍为{outcome.amount}元（依据已更新）"
        kind = "unchanged"
    else:
        prefix = "恢复发放" if was_suspended else "重新核定"
        verb = f"{prefix}：月救助金{old_amount}元 → {outcome.amount}元（{month_label(month)}起）"
        kind = "changed"
    _event(
        enrolment,
        acting_user,
        verb,
        {
            "reason": why,
            "month": month.isoformat(),
            "old_amount": str(old_amount),
            "new_amount": str(outcome.amount),
            "standard": std.label,
            "members": said_members,
            "overpaid": settlement.overpaid,
            "arrears": [str(a.amount) for a in settlement.arrears],
        },
    )
    return Recomputed(enrolment, kind, old_amount, outcome.amount, month, verb)


def reductions_apply(enrolment: Enrolment, outcome: Outcome, month: dt.date) -> Outcome:
    """A county's reduction of a member's share (policy.md §8.2, ShareReduction) applies to every recomputed
    amount from its month: a new standard or a change of income never undoes it."""
    reductions = [r for r in enrolment.share_reductions.select_related("person") if r.from_month <= month]
    if not reductions:
        return outcome
    covered = {m["id_number"] for m in outcome.members}
    components = dict(outcome.components)
    for r in reductions:
        if r.person.id_number not in covered:
            continue
        share = member_share(components=outcome.components, covered_count=len(outcome.members))
        cut = {k: (v if r.action == "stop" else min(v, r.amount or Decimal("0"))) for k, v in share.items()}
        components = components_less(components, cut)
    amount = sum((Decimal(v) for v in components.values()), Decimal("0"))
    return dataclasses.replace(outcome, amount=amount.quantize(CENT), components=components)


@transaction.atomic
def enrolment_recompute(
    *, enrolment: Enrolment, acting_user, reason: str, today: dt.date | None = None, system: bool = False
) -> Recomputed:
    """Recompute the amount from the household's facts as they are now, from the next month, with the reason.

    Eligible: the category's share under the standard in force next month (new members covered, members the
    rules no longer put in the category stop being covered). Not eligible but in 渐退 (a unit member found
    work, policy.md §5): the previous amount goes on until the 渐退 date, then the enrolment ends. Not eligible
    otherwise: nothing changes and a recheck task asks the caseworker to verify (an exit needs a decision and a
    written notice). `system=True` is the daily job (no acting user)."""
    today = _today(today)
    enrolment = _lock(enrolment)
    if not system and not permissions.can_recompute(acting_user, enrolment.household.community_id):
        raise PermissionDenied("只有本社区的社区工作人员或县级民政部门可以重新核定")
    errors: list[dict[str, str]] = []
    reason = _require(reason, "reason", "请写明重新核定的原因（如收入变化、人口变化）", errors)
    if enrolment.status == S.EXITED:
        errors.append({"field": "__all__", "message": "已退出的救助对象不能重新核定"})
    elif enrolment.status == S.SUSPENDED:
        errors.append({"field": "__all__", "message": "暂停发放期间不重新核定，恢复发放时将按规则重新核定"})
    _raise(errors)
    return _recompute(enrolment, None if system else acting_user, reason, today)


# --------------------------------------------------------------------------------------------------
# Suspension, resumption


@transaction.atomic
def enrolment_suspend(
    *, enrolment: Enrolment, acting_user, reason: str, today: dt.date | None = None
) -> Enrolment:
    """Stop paying from the next month until resumed (e.g. the household cannot be reached for a review)."""
    today = _today(today)
    enrolment = _lock(enrolment)
    if not permissions.can_decide_enrolment(acting_user, enrolment.household.community_id):
        raise PermissionDenied("只有县级民政部门可以暂停发放")
    errors: list[dict[str, str]] = []
    reason = _require(reason, "reason", "请写明暂停发放的原因", errors)
    if enrolment.status != S.ACTIVE:
        errors.append(
            {"field": "__all__", "message": f"救助对象当前为“{enrolment.get_status_display()}”，不能暂停发放"}
        )
    _raise(errors)
    month = next_month(today)
    periods = timeline.current_periods(enrolment)
    current = timeline.period_at(periods, month) or periods[-1]
    new = timeline.copy_period(
        current,
        start_month=month,
        end_month=None,
        status=P.SUSPENDED,
        reason=f"暂停发放：{reason}"[:300],
        created_by=acting_user,
    )
    rewrite = timeline.replace_from(periods, month, [new])
    timeline.write([rewrite])
    rolled = timeline.RolledMonths(
        county=enrolment.county_code, months_from=month, enrolment_ids=[enrolment.pk]
    )
    settlement = rolled.settle(enrolment=enrolment, rewrite=rewrite, reason=f"暂停发放：{reason}")
    timeline.settle_write(settlement)
    enrolment.status = S.SUSPENDED
    _save(enrolment, acting_user, ["status"])
    _event(
        enrolment,
        acting_user,
        f"暂停发放（{month_label(month)}起）",
        {"reason": reason, "month": month.isoformat(), "overpaid": settlement.overpaid},
    )
    return enrolment


@transaction.atomic
def enrolment_resume(
    *, enrolment: Enrolment, acting_user, reason: str, today: dt.date | None = None
) -> Recomputed:
    """Pay again from the next month, at the amount the rules give now; refused (nothing changes) when the
    rules no longer find the household eligible: then it is an exit."""
    today = _today(today)
    enrolment = _lock(enrolment)
    if not permissions.can_decide_enrolment(acting_user, enrolment.household.community_id):
        raise PermissionDenied("只有县级民政部门可以恢复发放")
    errors: list[dict[str, str]] = []
    reason = _require(reason, "reason", "请写明恢复发放的原因", errors)
    if enrolment.status != S.SUSPENDED:
        errors.append(
            {
                "field": "__all__",
                "message": f"救助对象当前为“{enrolment.get_status_display()}”，不需要恢复发放",
            }
        )
    _raise(errors)
    sid = transaction.savepoint()
    result = _recompute(enrolment, acting_user, f"恢复发放：{reason}", today)
    if result.outcome == "ineligible":
        transaction.savepoint_rollback(sid)
        raise ServiceError(f"不能恢复发放：{result.message}", code="ineligible")
    transaction.savepoint_commit(sid)
    return result


# --------------------------------------------------------------------------------------------------
# Exit


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _exit_details(
    reason: str, details: dict[str, Any], today: dt.date, errors: list[dict[str, str]]
) -> dict[str, Any]:
    details = details or {}
    if reason == Enrolment.ExitReason.DEATH:
        died = _parse_date(details.get("died_on"))
        if died is None:
            errors.append({"field": "died_on", "message": "请填写死亡日期"})
        elif died > today:
            errors.append({"field": "died_on", "message": "死亡日期不能晚于今天"})
        out: dict[str, Any] = {"died_on": died.isoformat()} if died else {}
        who = details.get("person")
        if who not in (None, ""):
            # The member who died (policy.md §8.3: the notice goes to a living member); checked by the caller.
            try:
                out["person"] = int(who)
            except (TypeError, ValueError):
                errors.append({"field": "person", "message": "请选择死亡的成员"})
        return out
    if reason == Enrolment.ExitReason.MOVED:
        where = (details.get("moved_to") or "").strip()
        if not where:
            errors.append({"field": "moved_to", "message": "请填写迁往地"})
        return {"moved_to": where}
    if reason == Enrolment.ExitReason.REFUSED_WORK:
        days = sorted({d for d in (_parse_date(v) for v in details.get("refusals") or []) if d is not None})
        if len(days) < 3:
            errors.append(
                {
                    "field": "refusals",
                    "message": f"须有三次无正当理由拒绝介绍工作的记录（日期各不相同），现有{len(days)}次",
                }
            )
        elif days[-1] > today:
            errors.append({"field": "refusals", "message": "拒绝工作的日期不能晚于今天"})
        return {"refusals": [d.isoformat() for d in days]}
    return {}


@transaction.atomic
def enrolment_exit(
    *,
    enrolment: Enrolment,
    acting_user,
    reason: str,
    note: str,
    details: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> Enrolment:
    """Exit (退出) with a reason and a written notice (the printable 终止救助通知书 shows it).

    Payment stops after the month of the decision, or after the month of death for a death; months already on
    a locked roll after that are recorded as overpaid in the event, lines in unlocked rolls are held. Open
    review tasks are closed; the linked benefits that continue for a time after exit are listed on the
    household (benefits.linked)."""
    today = _today(today)
    enrolment = _lock(enrolment)
    if not permissions.can_decide_enrolment(acting_user, enrolment.household.community_id):
        raise PermissionDenied("只有县级民政部门可以决定退出")
    errors: list[dict[str, str]] = []
    # Refused work stops the member's own share only (policy.md §8.2: followups.member_share_reduce), never
    # the household's benefit.
    choices = [
        c
        for c in Enrolment.ExitReason.values
        if c not in (Enrolment.ExitReason.GRADUAL_END, Enrolment.ExitReason.REFUSED_WORK)
    ]
    if reason == Enrolment.ExitReason.REFUSED_WORK:
        errors.append(
            {
                "field": "reason",
                "message": "拒绝介绍工作不能终止全户救助：请在该成员名下“减发/停发成员份额”（社会救助暂行办法第四十五条）",
            }
        )
    elif reason not in choices:
        errors.append({"field": "reason", "message": "请选择退出原因"})
    note = _require(note, "note", "请写明退出的事实和依据（将写入告知书）", errors)
    if enrolment.status == S.EXITED:
        errors.append({"field": "__all__", "message": "该救助对象已退出"})
    checked = _exit_details(reason, details or {}, today, errors) if reason in choices else {}
    if "person" in checked and not enrolment.household.members.filter(pk=checked["person"]).exists():
        errors.append({"field": "person", "message": "请选择本户的成员"})
    _raise(errors)
    last_day = month_end(today)
    if reason == Enrolment.ExitReason.DEATH:
        last_day = month_end(dt.date.fromisoformat(checked["died_on"]))
    _close(enrolment, acting_user, last_day, f"退出：{Enrolment.ExitReason(reason).label}", today)
    enrolment.exit_reason, enrolment.exit_details, enrolment.exit_note = reason, checked, note
    enrolment.exit_decided_on, enrolment.exited_by = today, acting_user
    _save(
        enrolment, acting_user, ["exit_reason", "exit_details", "exit_note", "exit_decided_on", "exited_by"]
    )
    return enrolment


def _close(enrolment: Enrolment, acting_user, last_day: dt.date, why: str, today: dt.date) -> None:
    month = next_month(last_day)
    periods = timeline.current_periods(enrolment)
    rewrite = timeline.replace_from(periods, month, [])
    for p in rewrite.created:
        p.created_by = acting_user
    timeline.write([rewrite])
    rolled = timeline.RolledMonths(
        county=enrolment.county_code, months_from=month, enrolment_ids=[enrolment.pk]
    )
    settlement = rolled.settle(enrolment=enrolment, rewrite=rewrite, reason=why)
    timeline.settle_write(settlement)
    enrolment.covered.filter(ended_on__isnull=True).update(ended_on=last_day)
    EnrolmentReview.objects.filter(enrolment=enrolment, status=EnrolmentReview.Status.OPEN).update(
        status=EnrolmentReview.Status.DONE,
        outcome=EnrolmentReview.Outcome.EXITED,
        completed_at=timezone.now(),
        completed_by=acting_user,
    )
    enrolment.status, enrolment.ended_on = S.EXITED, last_day
    _save(enrolment, acting_user, ["status", "ended_on"])
    _event(
        enrolment,
        acting_user,
        f"{why}（发放至{month_label(last_day)}）",
        {"ended_on": last_day.isoformat(), "overpaid": settlement.overpaid},
    )


def enrolments_close_gradual(*, today: dt.date | None = None) -> int:
    """Exit the enrolments whose 渐退 has ended (the daily job; running it again does nothing more).
    The last month paid is the month the 渐退 date falls in; they exit once the next month has begun."""
    today = _today(today)
    done = 0
    due = (
        Enrolment.objects.filter(status=S.GRADUAL, gradual_until__lt=month_of(today))
        .select_related("household")
        .order_by("pk")
    )
    for enrolment in due:
        with transaction.atomic():
            enrolment = _lock(enrolment)
            if enrolment.status != S.GRADUAL or enrolment.gradual_until >= month_of(today):
                continue
            until = enrolment.gradual_until
            _close(enrolment, None, until, "就业渐退期满退出", today)
            enrolment.exit_reason = Enrolment.ExitReason.GRADUAL_END
            enrolment.exit_note = f"家庭成员就业后渐退期至{day_label(until)}届满"
            enrolment.exit_decided_on = today
            _save(enrolment, None, ["exit_reason", "exit_note", "exit_decided_on"])
            done += 1
    return done


def enrolments_recompute_changed(*, today: dt.date | None = None) -> dict[str, int]:
    """Recompute the enrolments whose household record changed since their amount was last computed (the daily
    job). Each in its own transaction; one that cannot be computed (no standard) is left for the next run."""
    from django.db.models import F

    today = _today(today)
    counts = {"checked": 0, "changed": 0, "failed": 0}
    due = (
        Enrolment.objects.filter(status__in=[S.ACTIVE, S.GRADUAL], household__updated_at__gt=F("computed_at"))
        .select_related("household")
        .order_by("pk")
    )
    for enrolment in due.iterator(chunk_size=500):
        counts["checked"] += 1
        try:
            result = enrolment_recompute(
                enrolment=enrolment, acting_user=None, reason="家庭档案变更", today=today, system=True
            )
        except ServiceError:
            counts["failed"] += 1
            continue
        counts["changed"] += result.outcome in ("changed", "gradual")
    return counts
