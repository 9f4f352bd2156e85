"""Writes that follow a confirmed fact about a covered person (policy.md §8.3), and the county's 增发 (§8.1).

`fact_confirm` is called by whoever confirms a death, a move away or fraud — the reconciliation review
(ledgers.services.reviews), or a caseworker or county officer on the enrolment page — inside the caller's
transaction, so the confirmation and its consequences are one change:

* the person's part of every roll not yet locked stops at once: for fraud, a move of the whole household, or the
  enrolment's last covered member, the enrolment's lines from the month after the event are held (the enrolment is
  suspended until the county decides); otherwise the person's share (the unit's subsidy ÷ unit members, plus the
  person's own components) is taken off those lines and off the months to come;
* the county office gets an exit/adjustment task with its deadline (`FACT_TASK_DAYS`);
* where a locked roll paid for a month after the event, an overpayment task lists each month and amount, to be
  recovered from the household and addressed to a living member — never to a deceased person.

Payment stops after the month of the event (a person alive on the 10th is paid that month), as for an exit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.services import event_record
from applications.models import Category
from benefits import hooks
from benefits.compute import CENT, components_less, member_share
from benefits.models import (
    ConfirmedFact,
    CountyTask,
    Enrolment,
    EnrolmentMember,
    EnrolmentPeriod,
    PaymentLine,
    PaymentRoll,
    ShareReduction,
    Supplement,
)
from benefits.services import timeline
from common.dates import day_label, month_end, month_of, next_month
from common.dates import month_label as label
from config.errors import PermissionDenied, ServiceError
from eligibility.ages import WORKING_AGE_LABEL, age_on, is_working_age
from households.models import Household, Person

# The county office acts on a confirmed fact within 15 days (民政部《最低生活保障审核确认办法》: changes are
# handled promptly; the county's own rule of thumb is half a month).
FACT_TASK_DAYS = 15
FACT_CLAUSE = (
    "《社会救助暂行办法》第十三条、第六十八条：死亡、迁出、骗取救助经核实后，未锁定花名册立即暂缓发放，县级民政限期办理退出或变更；"
    "事件发生后仍发放的月份逐月列明并向家庭追回（死亡的，向在世家庭成员告知，不向死者发文）"
)
# Who is addressed first when the head cannot be: spouse, then children, then the others.
ADDRESSEE_ORDER = ("head", "spouse", "child", "parent", "sibling", "grandchild", "grandparent", "other")
F = ConfirmedFact.Kind


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def deceased_ids(household_ids) -> set[int]:
    """The persons of these households whose death is confirmed (one query)."""
    return set(
        ConfirmedFact.objects.filter(household_id__in=list(household_ids), kind=F.DEATH).values_list(
            "person_id", flat=True
        )
    )


def living_addressee(household: Household, *, also_dead: set[int] | None = None) -> Person | None:
    """Whom a notice to the household is addressed to: the head, or the closest living member; never a person
    whose death is confirmed. None when nobody in the household is alive."""
    dead = deceased_ids([household.pk]) | (also_dead or set())
    living = [p for p in household.members.all() if p.pk not in dead]
    order = {r: i for i, r in enumerate(ADDRESSEE_ORDER)}
    living.sort(key=lambda p: (order.get(p.relation, len(order)), p.pk))
    return living[0] if living else None


def _validate(kind: str, event_on: Any, today: dt.date, errors: list[dict[str, str]]) -> dt.date | None:
    if kind not in F.values:
        errors.append({"field": "kind", "message": "请选择核实的事实（死亡、迁出本地或骗取救助）"})
    day = _date(event_on)
    if day is None:
        errors.append({"field": "event_on", "message": "请填写发生日期（如 2018-08-15）"})
    elif day > today:
        errors.append({"field": "event_on", "message": "发生日期不能晚于今天"})
    return day


def fact_confirm(
    *,
    person: Person,
    kind: str,
    event_on: Any,
    acting_user,
    source: str,
    whole_household: bool = False,
    finding_id: int | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> ConfirmedFact:
    """Record a confirmed death, move away or fraud and, in the same transaction, stop the person's payments on
    every roll not yet locked, open the county's tasks and list the overpayment (module docstring)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        household = Household.objects.get(pk=person.household_id)
        if not permissions.can_recompute(acting_user, household.community_id):
            raise PermissionDenied("只有本社区的社区工作人员或县级民政部门可以登记核实的事实")
        errors: list[dict[str, str]] = []
        day = _validate(kind, event_on, today, errors)
        if not (source or "").strip():
            errors.append({"field": "source", "message": "请写明事实的来源（如比对核实、入户核查）"})
        if errors:
            raise ServiceError(errors=errors)
        assert day is not None
        timeline.lock_counties([household.community_id[:6]])
        if kind == F.DEATH:
            known = ConfirmedFact.objects.filter(person=person, kind=F.DEATH).first()
            if known is not None:  # confirmed before (another finding, a second run): nothing more to do
                return known
        whole = kind == F.FRAUD or (kind == F.MOVED and whole_household)
        fact = ConfirmedFact(
            person=person,
            household=household,
            kind=kind,
            event_on=day,
            whole_household=whole,
            source=source.strip()[:200],
            finding_id=finding_id,
            note=(note or "").strip(),
            confirmed_by=acting_user,
        )
        fact._history_user = acting_user
        fact.save()
        event_record(
            actor=acting_user,
            verb=f"核实{person.name}{fact.get_kind_display()}（{day_label(day)}）：{fact.source}",
            target=household,
            region_code=household.community_id,
            data={"fact": fact.pk, "person": person.pk, "kind": kind, "event_on": day.isoformat()},
        )
        enrolments = (
            Enrolment.objects.select_for_update(of=("self",))
            .filter(household=household, status__in=Enrolment.CURRENT)
            .select_related("household", "payee")
            .order_by("pk")
        )
        dead = {person.pk} if kind == F.DEATH else set()
        for enrolment in enrolments:
            _follow(fact, enrolment, person, whole, acting_user, today, dead)
        return fact


def _follow(
    fact: ConfirmedFact,
    enrolment: Enrolment,
    person: Person,
    whole: bool,
    acting_user,
    today: dt.date,
    dead: set[int],
) -> None:
    covered = list(enrolment.covered.filter(ended_on__isnull=True).select_related("person"))
    mine = next((row for row in covered if row.person_id == person.pk), None)
    if mine is None and not whole:
        return  # the person is not covered by this enrolment: its payments are not theirs
    periods = timeline.current_periods(enrolment)
    if not periods:
        return
    start = max(next_month(fact.event_on), periods[0].start_month)
    others = [row for row in covered if row.person_id != person.pk and row.person_id not in dead]
    held_all = whole or not others
    why = f"{person.name}{fact.get_kind_display()}（{day_label(fact.event_on)}，已核实）"
    if held_all:
        current = timeline.period_at(periods, start) or periods[-1]
        new = [
            timeline.copy_period(
                current,
                start_month=start,
                end_month=None,
                status=EnrolmentPeriod.Status.SUSPENDED,
                reason=f"暂停发放：{why}，待县级办理退出"[:300],
                created_by=acting_user,
            )
        ]
        taken = "全部"
    else:
        new = []
        for p in periods:
            if p.end_month is not None and p.end_month < start:
                continue
            share = member_share(
                components=p.components, covered_count=p.covered_count, own=mine.amounts if mine else None
            )
            cut = sum(share.values(), Decimal("0"))
            new.append(
                timeline.copy_period(
                    p,
                    start_month=max(p.start_month, start),
                    monthly_amount=max(p.monthly_amount - cut, Decimal("0")).quantize(CENT),
                    components=components_less(p.components, share),
                    covered_count=max(p.covered_count - 1, 0),
                    reason=f"停发{why}的份额，待县级重新核定"[:300],
                    created_by=acting_user,
                )
            )
        taken = f"{person.name}的份额"
    rewrite = timeline.replace_from(periods, start, new)
    timeline.write([rewrite])
    rolled = timeline.RolledMonths(
        county=enrolment.county_code, months_from=start, enrolment_ids=[enrolment.pk]
    )
    settlement = rolled.settle(enrolment=enrolment, rewrite=rewrite, reason=why)
    timeline.settle_write(settlement)

    fields = ["updated_at"]
    if mine is not None and fact.kind in (F.DEATH, F.MOVED):
        mine.ended_on = month_end(fact.event_on)
        mine.save(update_fields=["ended_on"])
    if held_all:
        if enrolment.status != Enrolment.Status.SUSPENDED:
            enrolment.status, enrolment.gradual_until = Enrolment.Status.SUSPENDED, None
            fields += ["status", "gradual_until"]
    else:
        enrolment.monthly_amount = new[0].monthly_amount
        enrolment.components = new[0].components
        fields += ["monthly_amount", "components"]
        if enrolment.payee_id == person.pk:
            enrolment.payee = _new_payee(others)
            fields.append("payee")
            _lines_follow_payee(enrolment, start)
    enrolment.updated_at = timezone.now()
    enrolment._history_user = acting_user
    enrolment.save(update_fields=fields)

    due = today + dt.timedelta(days=FACT_TASK_DAYS)
    CountyTask.objects.create(
        fact=fact,
        kind=CountyTask.Kind.EXIT,
        enrolment=enrolment,
        county_code=enrolment.county_code,
        due_on=due,
    )
    overpaid = sorted(settlement.overpaid, key=lambda item: (item["month"], item.get("line", "")))
    if overpaid:
        household = enrolment.household
        CountyTask.objects.create(
            fact=fact,
            kind=CountyTask.Kind.OVERPAYMENT,
            enrolment=enrolment,
            county_code=enrolment.county_code,
            due_on=due,
            items=overpaid,
            total=sum((Decimal(i["amount"]) for i in overpaid), Decimal("0")),
            addressed_to=living_addressee(household, also_dead=dead),
        )
    event_record(
        actor=acting_user,
        verb=f"{why}：自{label(start)}起停发{taken}，未锁定花名册同步暂缓；已转县级办理"
        + (f"，多发{len(overpaid)}笔待追回" if overpaid else ""),
        target=enrolment,
        region_code=enrolment.household.community_id,
        data={"fact": fact.pk, "from": start.isoformat(), "overpaid": overpaid, "whole": held_all},
    )


def _new_payee(others: list[EnrolmentMember]) -> Person | None:
    order = {r: i for i, r in enumerate(ADDRESSEE_ORDER)}
    people = sorted((row.person for row in others), key=lambda p: (order.get(p.relation, 99), p.pk))
    return people[0] if people else None


def _lines_follow_payee(enrolment: Enrolment, start: dt.date) -> None:
    """Lines of unlocked rolls for months from `start` name the new payee (the bank pays a living person)."""
    if enrolment.payee is None:
        return
    PaymentLine.objects.filter(enrolment=enrolment, month__gte=start, roll__locked_at__isnull=True).update(
        name=enrolment.payee.name, id_number=enrolment.payee.id_number
    )


def county_task_close(*, task: CountyTask, acting_user, note: str) -> CountyTask:
    """The county records how it dealt with a task (the exit decided, the money recovered or written off)."""
    with transaction.atomic():
        task = CountyTask.objects.select_for_update().select_related("enrolment__household").get(pk=task.pk)
        if not permissions.can_decide_enrolment(acting_user, task.enrolment.household.community_id):
            raise PermissionDenied("只有县级民政部门可以办结该待办")
        note = (note or "").strip()
        if len(note) < 4:
            raise ServiceError("请写明办理情况（至少4个字）", field="note")
        if task.status != CountyTask.Status.OPEN:
            raise ServiceError("该待办已办结", code="closed")
        task.status, task.closing_note = CountyTask.Status.DONE, note
        task.closed_by, task.closed_at = acting_user, timezone.now()
        task._history_user = acting_user
        task.save(update_fields=["status", "closing_note", "closed_by", "closed_at"])
        event_record(
            actor=acting_user,
            verb=f"办结：{task.get_kind_display()}",
            target=task.enrolment,
            region_code=task.enrolment.household.community_id,
            data={"task": task.pk, "note": note},
        )
    return task


# --------------------------------------------------------------------------------------------------
# 增发 (policy.md §8.1)

SUPPLEMENT_CLAUSE = "赣发〔2018〕7号 五(一)1：对…困难家庭，通过增发低保金等方式，提高保障水平"


def supplement_grant(
    *,
    enrolment: Enrolment,
    acting_user,
    amount: Any,
    reason: str,
    start_month: Any,
    end_month: Any,
    today: dt.date | None = None,
) -> Supplement:
    """The county approves a monthly 增发 on a dibao enrolment, from a month (not before next month, a roll
    may already be out for this one) to an end month. Its own roll line; no recomputation touches it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        community = Household.objects.values_list("community_id", flat=True).get(pk=enrolment.household_id)
        if not permissions.can_decide_enrolment(acting_user, community):
            raise PermissionDenied("只有县级民政部门可以批准增发")
        timeline.lock_counties([community[:6]])
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("household", "payee")
            .get(pk=enrolment.pk)
        )
        errors: list[dict[str, str]] = []
        if not enrolment.dibao_paid and enrolment.category != Category.DIBAO:
            errors.append({"field": "__all__", "message": "增发只适用于低保（含支出型纳入低保）救助对象"})
        if enrolment.status not in (Enrolment.Status.ACTIVE, Enrolment.Status.GRADUAL):
            errors.append(
                {"field": "__all__", "message": f"救助对象当前为“{enrolment.get_status_display()}”，不能增发"}
            )
        try:
            money = Decimal(str(amount).strip().replace(",", "").replace("，", ""))
            if not money.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            money = None
        if money is None:
            errors.append({"field": "amount", "message": "请填写增发金额（元/月），如 100 或 100.50"})
        elif money <= 0 or money != money.quantize(CENT):
            errors.append({"field": "amount", "message": "增发金额须大于0，最多两位小数"})
        elif money > enrolment.monthly_amount and money > Decimal("5000"):
            errors.append({"field": "amount", "message": "增发金额过大，请核对"})
        reason = (reason or "").strip()
        if len(reason) < 4:
            errors.append(
                {"field": "reason", "message": "请写明增发理由（至少4个字，如“重病患者医疗支出大”）"}
            )
        elif len(reason) > 190:
            errors.append({"field": "reason", "message": "增发理由最多190个字"})
        first, last = (
            _date(f"{start_month}-01" if len(str(start_month)) == 7 else start_month),
            _date(f"{end_month}-01" if len(str(end_month)) == 7 else end_month),
        )
        if first is None:
            errors.append({"field": "start_month", "message": "请选择增发起始月份"})
        elif month_of(first) < next_month(today):
            errors.append(
                {"field": "start_month", "message": f"增发最早从下月（{label(next_month(today))}）起"}
            )
        if last is None:
            errors.append({"field": "end_month", "message": "请选择增发截止月份"})
        elif first is not None and month_of(last) < month_of(first):
            errors.append({"field": "end_month", "message": "截止月份不能早于起始月份"})
        if errors:
            raise ServiceError(errors=errors)
        assert first is not None and last is not None and money is not None
        supplement = Supplement(
            enrolment=enrolment,
            amount=money,
            reason=reason,
            start_month=month_of(first),
            end_month=month_of(last),
            approved_by=acting_user,
        )
        supplement._history_user = acting_user
        supplement.save()
        _supplement_into_ready_rolls(supplement, enrolment)
        event_record(
            actor=acting_user,
            verb=f"批准增发：每月{money}元（{label(supplement.start_month)}至{label(supplement.end_month)}）",
            target=enrolment,
            region_code=community,
            data={"supplement": supplement.pk, "reason": reason, "clause": SUPPLEMENT_CLAUSE},
        )
    return supplement


def _supplement_into_ready_rolls(supplement: Supplement, enrolment: Enrolment) -> None:
    """A roll already generated (not locked) for a month of the 增发 gets its line now; a locked one cannot."""
    rolls = PaymentRoll.objects.filter(
        county_id=enrolment.county_code,
        program=enrolment.category,
        month__gte=supplement.start_month,
        month__lte=supplement.end_month,
        status__in=[PaymentRoll.Status.READY, PaymentRoll.Status.LOCKED],
    ).order_by("month")
    periods = timeline.current_periods(enrolment)
    payee = enrolment.payee
    household = enrolment.household
    for roll in rolls:
        if roll.is_locked:
            raise ServiceError(
                f"{label(roll.month)}花名册已确认锁定，增发请从之后的月份开始", field="start_month"
            )
        if not timeline.due_at(periods, roll.month)[2] or payee is None:
            continue
        PaymentLine.objects.create(
            roll=roll,
            enrolment=enrolment,
            kind=PaymentLine.Kind.SUPPLEMENT,
            month=roll.month,
            label=f"增发：{supplement.reason}",
            community_code=household.community_id,
            name=payee.name,
            id_number=payee.id_number,
            bank_name=household.bank_name,
            bank_account=household.bank_account,
            covered_count=0,
            amount=supplement.amount,
            components={},
            held=not household.bank_account,
            hold_reason="" if household.bank_account else "未登记银行账号",
        )
        timeline.roll_totals_refresh(roll)


def supplement_end(
    *, supplement: Supplement, acting_user, note: str, today: dt.date | None = None
) -> Supplement:
    """A county decision ends a 增发 early: paid up to this month (rolls from next month leave it out)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        community = Household.objects.values_list("community_id", flat=True).get(
            pk=supplement.enrolment.household_id
        )
        if not permissions.can_decide_enrolment(acting_user, community):
            raise PermissionDenied("只有县级民政部门可以终止增发")
        timeline.lock_counties([community[:6]])
        supplement = Supplement.objects.select_for_update().get(pk=supplement.pk)
        note = (note or "").strip()
        errors: list[dict[str, str]] = []
        if len(note) < 4:
            errors.append({"field": "note", "message": "请写明终止增发的理由（至少4个字）"})
        last = month_of(today)
        if supplement.cancelled or supplement.end_month <= last:
            errors.append({"field": "__all__", "message": "该增发已到期或已终止"})
        if errors:
            raise ServiceError(errors=errors)
        if supplement.start_month > last:
            supplement.cancelled = True
        else:
            supplement.end_month = last
        supplement.ended_by, supplement.ended_note = acting_user, note[:200]
        supplement._history_user = acting_user
        supplement.save(update_fields=["cancelled", "end_month", "ended_by", "ended_note"])
        # Lines of unlocked rolls after the new end are not paid.
        lines = PaymentLine.objects.filter(
            enrolment_id=supplement.enrolment_id,
            kind=PaymentLine.Kind.SUPPLEMENT,
            roll__locked_at__isnull=True,
            label=f"增发：{supplement.reason}",
            held=False,
        )
        if not supplement.cancelled:
            lines = lines.filter(month__gt=last)
        rolls = set(lines.values_list("roll_id", flat=True))
        lines.update(held=True, hold_reason=f"已停发：增发已终止（{note}）"[:200])
        for roll in PaymentRoll.objects.filter(pk__in=rolls).order_by("pk"):
            timeline.roll_totals_refresh(roll)
        event_record(
            actor=acting_user,
            verb=f"终止增发：每月{supplement.amount}元"
            + ("（未发放即撤销）" if supplement.cancelled else f"，发放至{label(last)}"),
            target=supplement.enrolment,
            region_code=community,
            data={"supplement": supplement.pk, "note": note},
        )
    return supplement


# --------------------------------------------------------------------------------------------------
# Refused work (policy.md §8.2)

REFUSAL_CLAUSE = "社会救助暂行办法 第四十五条"


def member_share_reduce(
    *,
    enrolment: Enrolment,
    person: Person,
    acting_user,
    action: str,
    note: str,
    amount: Any = None,
    today: dt.date | None = None,
) -> ShareReduction:
    """The county reduces (by `amount` a month) or stops the member's own share — the unit's subsidy ÷ unit
    members, rounded half-up — from next month, after three unjustified refusals of work in a row by a member of
    working age with labour capacity. The rest of the household keeps its benefit."""

    today = today or timezone.localdate()
    with transaction.atomic():
        community = Household.objects.values_list("community_id", flat=True).get(pk=enrolment.household_id)
        if not permissions.can_decide_enrolment(acting_user, community):
            raise PermissionDenied("只有县级民政部门可以决定减发或停发")
        timeline.lock_counties([community[:6]])
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",)).select_related("household").get(pk=enrolment.pk)
        )
        person = Person.objects.get(pk=person.pk)
        errors: list[dict[str, str]] = []
        month = next_month(today)
        periods = timeline.current_periods(enrolment)
        current = timeline.period_at(periods, month)
        row = enrolment.covered.filter(person=person, ended_on__isnull=True).first()
        if (
            not (enrolment.dibao_paid or enrolment.category == Category.DIBAO)
            or enrolment.status != Enrolment.Status.ACTIVE
        ):
            errors.append({"field": "__all__", "message": "只有正常发放中的低保家庭可以减发或停发成员份额"})
        elif row is None or current is None:
            errors.append({"field": "person", "message": f"{person.name}不是该救助对象的保障成员"})
        age = age_on(person.birth_date, today)
        if not is_working_age(age) or person.labor_capacity == Person.Labor.NONE:
            errors.append(
                {
                    "field": "person",
                    "message": f"{person.name}（{age}岁）不是有劳动能力的{WORKING_AGE_LABEL}成员",
                }
            )
        refusals = hooks.call("refusals_in_a_row", person)
        if len(refusals) < 3:
            errors.append(
                {
                    "field": "person",
                    "message": f"须有连续三次无正当理由拒绝介绍工作的记录，{person.name}现有连续{len(refusals)}次",
                }
            )
        if action not in ShareReduction.Action.values:
            errors.append({"field": "action", "message": "请选择减发或停发"})
        note = (note or "").strip()
        if len(note) < 4:
            errors.append({"field": "note", "message": "请写明决定理由（至少4个字，将写入告知书）"})
        share = (
            member_share(components=current.components, covered_count=current.covered_count)
            if current is not None
            else {}
        )
        whole = sum(share.values(), Decimal("0"))
        money = None
        if action == ShareReduction.Action.REDUCE:
            try:
                money = Decimal(str(amount or "").strip())
                if not money.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.append({"field": "amount", "message": "请填写每月减发金额（元），如 100"})
            else:
                if money <= 0 or money != money.quantize(CENT):
                    errors.append({"field": "amount", "message": "减发金额须大于0，最多两位小数"})
                elif money > whole:
                    errors.append(
                        {
                            "field": "amount",
                            "message": f"减发金额不能超过该成员的份额{whole}元（补差÷保障人数）",
                        }
                    )
        if errors:
            raise ServiceError(errors=errors)
        assert current is not None
        reduction = ShareReduction(
            enrolment=enrolment,
            person=person,
            action=action,
            amount=money,
            from_month=month,
            refusals=[{"id": r.pk, "on": r.offered_on.isoformat(), "offer": r.offer} for r in refusals[-3:]],
            note=note,
            decided_by=acting_user,
        )
        reduction._history_user = acting_user
        reduction.save()
        cut = share if action == ShareReduction.Action.STOP else {k: min(v, money) for k, v in share.items()}
        total_cut = sum(cut.values(), Decimal("0"))
        new = [
            timeline.copy_period(
                p,
                start_month=max(p.start_month, month),
                monthly_amount=max(p.monthly_amount - total_cut, Decimal("0")).quantize(CENT),
                components=components_less(p.components, cut),
                reason=f"{reduction.get_action_display()}：{person.name}连续三次无正当理由拒绝介绍的工作"[
                    :300
                ],
                created_by=acting_user,
            )
            for p in periods
            if p.end_month is None or p.end_month >= month
        ]
        rewrite = timeline.replace_from(periods, month, new)
        timeline.write([rewrite])
        rolled = timeline.RolledMonths(county=community[:6], months_from=month, enrolment_ids=[enrolment.pk])
        timeline.settle_write(
            rolled.settle(enrolment=enrolment, rewrite=rewrite, reason=reduction.get_action_display())
        )
        enrolment.monthly_amount, enrolment.components = new[0].monthly_amount, new[0].components
        enrolment.updated_at = timezone.now()
        enrolment._history_user = acting_user
        enrolment.save(update_fields=["monthly_amount", "components", "updated_at"])
        event_record(
            actor=acting_user,
            verb=f"{reduction.get_action_display()}：{person.name}每月{total_cut}元（{label(month)}起，{REFUSAL_CLAUSE}）",
            target=enrolment,
            region_code=community,
            data={"reduction": reduction.pk, "cut": str(total_cut), "refusals": reduction.refusals},
        )
    return reduction
