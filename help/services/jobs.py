"""Writes for job help (五(二)): a member starts work, loses work, or receives training, a referral or
start-up support.

A start in an enrolled household begins the 渐退 of policy.md §5 (`gradual_exit_begin`); a start that gives
a 零就业家庭 its first worker clears the flag, a loss that leaves an enrolled household without one sets it
(the flag itself is computed, see selectors_help.zero_employment); a loss in a household that is not enrolled
raises a lead (主动发现) for the caseworker.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.checks import (
    Errors,
    choice,
    d,
    date_check,
    raise_errors,
    require_caseworker,
    text,
    today_or,
)
from accounts.services import event_record
from benefits.models import Enrolment
from common import money
from config.errors import ServiceError
from help.models import EmploymentChange, JobSupport, Lead, SchoolRecord, WorkRefusal
from help.selectors import EMPLOYED, zero_employment
from help.services.leads import lead_raise
from households.models import Household, Person

E = Person.Employment


def _lock_person(person: Person) -> Person:
    return Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)


def _current_enrolments(household: Household) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(household=household).exclude(status=Enrolment.Status.EXITED).order_by("pk")
    )


def _is_zero(household: Household, today: dt.date) -> bool:
    members = list(household.members.all())
    in_school = set(
        SchoolRecord.objects.filter(
            person__household=household, status=SchoolRecord.Status.IN_SCHOOL
        ).values_list("person_id", flat=True)
    )
    return zero_employment(members, today, in_school)


def _household_changed(household: Household, acting_user) -> None:
    """The household's facts changed (a member's income or employment): benefits recomputes enrolments whose
    household changed after their amount was computed."""
    household.updated_at = timezone.now()
    household._history_user = acting_user
    household.save(update_fields=["updated_at"])


def _benefits_recompute():
    """benefits' service that re-evaluates an enrolment from the household's facts and, when a member's new job
    takes the unit over the line, puts it in 渐退 (policy.md §5). None while benefits does not provide it."""
    try:
        from benefits.services import enrolment_recompute
    except ImportError:
        try:
            from benefits.services.enrolments import enrolment_recompute
        except ImportError:
            return None
    return enrolment_recompute


def gradual_exit_begin(
    *,
    acting_user,
    household: Household,
    person: Person,
    started_on: dt.date,
    enrolments: list[Enrolment],
    today: dt.date,
) -> dict[str, Any]:
    """HOOK between job help and benefits: a member of an enrolled household started work on `started_on`.

    The rules (eligibility, policy.md §5) give `gradual_exit_until` from the members' newly_employed_since: set
    when the unit is no longer dibao-eligible, null when it still is. This records, on each current enrolment,
    the event "渐退开始" with that date (or why there is none), then asks benefits to recompute the enrolment
    (`enrolment_recompute`), which moves it into 渐退 and keeps paying the previous amount until that date. If
    benefits cannot recompute now (no standard for next month, the enrolment suspended, the service not there
    yet), the enrolment is left as it is: the household's `updated_at` has moved, so benefits' daily job
    (`enrolments_recompute_changed`) picks it up."""
    from eligibility.services import determine_household

    fresh = Household.objects.prefetch_related("members").get(pk=household.pk)
    until: dt.date | None = None
    error = ""
    try:
        found = determine_household(household=fresh, as_of=today).get("gradual_exit_until")
        until = dt.date.fromisoformat(found) if found else None
    except ServiceError as exc:
        error = exc.message
    if until is not None:
        verb = f"渐退开始：{person.name}就业，渐退至{d(until)}"
    elif error:
        verb = f"渐退待核定：{person.name}就业，暂无法按规则测算"
    else:
        verb = f"{person.name}就业，按规则测算家庭仍符合救助条件，不启动渐退"
    data = {
        "person": person.pk,
        "newly_employed_since": started_on.isoformat(),
        "gradual_exit_until": until.isoformat() if until else None,
        "error": error,
        "rule": "赣发〔2018〕7号 五(一)1",
    }
    for enrolment in enrolments:
        event_record(
            actor=acting_user, verb=verb, target=enrolment, region_code=household.community_id, data=data
        )
    recompute = _benefits_recompute()
    if recompute is not None:
        for enrolment in enrolments:
            try:
                with transaction.atomic():
                    recompute(
                        enrolment=enrolment,
                        acting_user=acting_user,
                        today=today,
                        reason=f"{person.name}于{d(started_on)}就业",
                    )
            except ServiceError:
                continue
    return {"gradual_exit_until": until, "error": error}


@transaction.atomic
def job_start_record(
    *,
    acting_user,
    person: Person,
    started_on: dt.date | None,
    employer: str,
    flexible: bool = False,
    monthly_wage: Decimal | str | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> EmploymentChange:
    """A member starts work: employment and newly_employed_since (and the wage, when given) are recorded on the
    member; in an enrolled household the 渐退 begins, and a 零就业家庭 has its first worker."""
    today = today_or(today)
    person = _lock_person(person)
    household = person.household
    require_caseworker(acting_user, household.community_id, "登记成员就业")
    errors: Errors = []
    date_check(started_on, "started_on", "就业日期", errors, today=today)
    employer = text(
        employer, "employer", "请填写就业单位或就业形式", errors, max_length=100, label="就业单位"
    )
    wage = money.collect(monthly_wage, "monthly_wage", errors, label="月工资")
    if person.employment in EMPLOYED:
        errors.append(
            {
                "field": "__all__",
                "message": f"{person.name}已登记为{person.get_employment_display()}，如更换工作请先登记失业",
            }
        )
    raise_errors(errors)

    enrolments = _current_enrolments(household)
    was_zero = _is_zero(household, today)
    before = person.employment
    person.employment = E.FLEXIBLE if flexible else E.EMPLOYED
    person.newly_employed_since = started_on
    fields = ["employment", "newly_employed_since"]
    if wage is not None:
        person.income_wage = wage
        fields.append("income_wage")
    person._history_user = acting_user
    person.save(update_fields=fields)
    _household_changed(household, acting_user)
    change = EmploymentChange.objects.create(
        person=person,
        kind=EmploymentChange.Kind.START,
        on_date=started_on,
        from_status=before,
        to_status=person.employment,
        employer=employer,
        monthly_wage=wage,
        note=(note or "").strip(),
        recorded_by=acting_user,
    )
    event_record(
        actor=acting_user,
        verb="成员就业",
        target=person,
        region_code=household.community_id,
        data={
            "change": change.pk,
            "started_on": started_on.isoformat(),
            "employer": employer,
            "monthly_wage": str(wage) if wage is not None else None,
        },
    )
    if enrolments and was_zero:
        event_record(
            actor=acting_user,
            verb="零就业家庭已有成员就业，解除零就业家庭标识",
            target=household,
            region_code=household.community_id,
            data={"person": person.pk},
        )
    if enrolments:
        gradual_exit_begin(
            acting_user=acting_user,
            household=household,
            person=person,
            started_on=started_on,
            enrolments=enrolments,
            today=today,
        )
    return change


@transaction.atomic
def job_end_record(
    *, acting_user, person: Person, ended_on: dt.date | None, reason: str, today: dt.date | None = None
) -> EmploymentChange:
    """A member loses work: unemployed, no wage, no longer newly employed. An enrolled household left without
    a worker becomes a 零就业家庭; a household not enrolled gets a lead (主动发现) to visit."""
    today = today_or(today)
    person = _lock_person(person)
    household = person.household
    require_caseworker(acting_user, household.community_id, "登记成员失业")
    errors: Errors = []
    date_check(
        ended_on,
        "ended_on",
        "失业日期",
        errors,
        today=today,
        not_before=person.newly_employed_since,
        not_before_label="就业日期",
    )
    reason = text(reason, "reason", "请填写失业原因", errors)
    if person.employment not in EMPLOYED:
        errors.append({"field": "__all__", "message": f"{person.name}未登记为就业"})
    raise_errors(errors)

    enrolments = _current_enrolments(household)
    before, wage = person.employment, person.income_wage
    person.employment, person.newly_employed_since, person.income_wage = E.UNEMPLOYED, None, Decimal("0")
    person._history_user = acting_user
    person.save(update_fields=["employment", "newly_employed_since", "income_wage"])
    _household_changed(household, acting_user)
    change = EmploymentChange.objects.create(
        person=person,
        kind=EmploymentChange.Kind.END,
        on_date=ended_on,
        from_status=before,
        to_status=E.UNEMPLOYED,
        monthly_wage=wage,
        note=reason,
        recorded_by=acting_user,
    )
    event_record(
        actor=acting_user,
        verb="成员失业",
        target=person,
        region_code=household.community_id,
        data={"change": change.pk, "ended_on": ended_on.isoformat(), "reason": reason},
    )
    if enrolments and _is_zero(household, today):
        event_record(
            actor=acting_user,
            verb="认定为零就业家庭",
            target=household,
            region_code=household.community_id,
            data={"person": person.pk},
        )
    if not enrolments:
        lead_raise(
            person=person,
            reason=Lead.Reason.JOB_LOSS,
            today=today,
            detail=f"家庭成员于{d(ended_on)}失业（{reason}），请走访了解家庭生活情况",
            signal=f"job_loss:{person.pk}:{ended_on.isoformat()}",
        )
    return change


@transaction.atomic
def job_support_record(
    *,
    acting_user,
    person: Person,
    kind: str,
    on_date: dt.date | None,
    provider: str,
    detail: str,
    amount: Decimal | str | None = None,
    today: dt.date | None = None,
) -> JobSupport:
    """Training, a job referral, guidance, a public-welfare post or start-up support given to a member."""
    today = today_or(today)
    person = _lock_person(person)
    household = person.household
    require_caseworker(acting_user, household.community_id, "登记就业帮扶")
    errors: Errors = []
    choice(kind, JobSupport.Kind, "kind", "请选择帮扶方式", errors)
    date_check(on_date, "on_date", "帮扶日期", errors, today=today)
    provider = text(provider, "provider", "请填写提供单位", errors, max_length=100, label="提供单位")
    detail = text(detail, "detail", "请填写帮扶内容", errors)
    value = money.collect(amount, "amount", errors, label="金额")
    raise_errors(errors)
    support = JobSupport(
        person=person,
        kind=kind,
        on_date=on_date,
        provider=provider,
        detail=detail,
        amount=value,
        recorded_by=acting_user,
    )
    support._history_user = acting_user
    support.save()
    event_record(
        actor=acting_user,
        verb=f"就业帮扶：{support.get_kind_display()}",
        target=person,
        region_code=household.community_id,
        data={
            "support": support.pk,
            "kind": kind,
            "on_date": on_date.isoformat(),
            "amount": str(value) if value is not None else None,
        },
    )
    return support


# --------------------------------------------------------------------------------------------------
# Refused work (policy.md §8.2; 社会救助暂行办法 第四十五条)

REFUSAL_CLAUSE = (
    "社会救助暂行办法 第四十五条：无正当理由连续3次拒绝介绍的与其健康状况、劳动能力等相适应的工作"
)


@transaction.atomic
def work_refusal_record(
    *,
    acting_user,
    person: Person,
    offered_on: dt.date | None,
    offer: str,
    offered_by: str,
    reason_given: str = "",
    justified: bool = False,
    today: dt.date | None = None,
) -> WorkRefusal:
    """The caseworker records a refused job offer, the reason the member gave and whether it is a good one."""
    today = today_or(today)
    person = _lock_person(person)
    household = person.household
    require_caseworker(acting_user, household.community_id, "登记拒绝介绍工作")
    errors: Errors = []
    date_check(offered_on, "offered_on", "介绍日期", errors, today=today)
    offer = text(offer, "offer", "请填写介绍的工作（岗位、单位）", errors, max_length=100, label="介绍的工作")
    offered_by = text(
        offered_by,
        "offered_by",
        "请填写介绍单位（如街道劳动保障所）",
        errors,
        max_length=100,
        label="介绍单位",
    )
    reason_given = (reason_given or "").strip()
    if len(reason_given) > 200:
        errors.append({"field": "reason_given", "message": "本人陈述的理由最多200个字"})
    if justified and not reason_given:
        errors.append({"field": "reason_given", "message": "认定理由正当的，请写明本人陈述的理由"})
    raise_errors(errors)
    refusal = WorkRefusal(
        person=person,
        offered_on=offered_on,
        offer=offer,
        offered_by=offered_by,
        reason_given=reason_given,
        justified=bool(justified),
        recorded_by=acting_user,
    )
    refusal._history_user = acting_user
    refusal.save()
    in_a_row = len(WorkRefusal.unjustified_in_a_row(person))
    event_record(
        actor=acting_user,
        verb=f"登记拒绝介绍工作：{offer}（{'理由正当' if justified else f'无正当理由，连续第{in_a_row}次'}）",
        target=person,
        region_code=household.community_id,
        data={"refusal": refusal.pk, "justified": bool(justified), "in_a_row": in_a_row},
    )
    return refusal
