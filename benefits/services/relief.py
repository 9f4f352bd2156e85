"""Temporary relief and the street reserve funds (policy.md §6, 五(七)), and 特别救助 (§6 [v2]): a county-only
grant for a major rigid expenditure still far beyond the household after every deduction
(`relief_special_apply`, then `relief_county_approve` or `relief_reject` by the county).

Lock order, the same in every service, so concurrent approvals can neither overdraw a fund nor deadlock:
the person (their yearly limits), then the reserve fund (its balance), then the grant (its state). The fund's
balance changes only under its row lock, together with its ledger row; the database refuses a negative
balance whatever happens.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts import permissions
from accounts.models import Region
from accounts.services import event_record
from benefits.compute import StandardsInForce
from benefits.models import Enrolment, EnrolmentMember, FundMovement, ReliefGrant, ReserveFund
from benefits.relief_rules import COUNTY, DEDUCTIONS, STREET, ReliefCheck, relief_check, special_check
from benefits.selectors import relief_prior_grants
from common import money
from common.dates import month_of
from config.errors import PermissionDenied, ServiceError
from households.models import Household, Person

G = ReliefGrant.Status
F = ReliefGrant.Filing
CENT = Decimal("0.01")
RELIEF_MAX = Decimal("999999999.99")  # a grant above this is a typing error


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def street_of(community_code: str) -> str:
    return community_code[:9] + "000"


def parse_amount(value: Any, field: str, errors: list[dict[str, str]]) -> Decimal | None:
    """A relief amount: money as common.money reads it, and more than zero."""
    amount = money.collect(value, field, errors, required=True, max_value=RELIEF_MAX)
    if amount is not None and amount <= 0:
        errors.append({"field": field, "message": "金额须大于0"})
        return None
    return amount


def _save(grant: ReliefGrant, acting_user, fields: list[str]) -> None:
    grant.updated_at = timezone.now()
    grant._history_user = acting_user
    grant.save(update_fields=[*fields, "updated_at"])


def _event(grant: ReliefGrant, acting_user, verb: str, data: dict | None = None) -> None:
    event_record(
        actor=acting_user, verb=verb, target=grant, region_code=grant.household.community_id, data=data or {}
    )


# --------------------------------------------------------------------------------------------------
# Reserve funds


@transaction.atomic
def reserve_fund_topup(*, street: Region, amount, acting_user, note: str = "") -> FundMovement:
    """The county tops up a street's reserve fund (the fund is opened on its first top-up)."""
    if street.level != Region.Level.STREET or not permissions.is_county_officer_for(acting_user, street.code):
        raise PermissionDenied("只有本县（区）民政部门可以向街道拨付备用金")
    errors: list[dict[str, str]] = []
    value = parse_amount(amount, "amount", errors)
    if errors:
        raise ServiceError(errors=errors)
    ReserveFund.objects.get_or_create(street=street)
    fund = ReserveFund.objects.select_for_update().get(street=street)
    fund.balance += value
    fund.updated_at = timezone.now()
    fund.save(update_fields=["balance", "updated_at"])
    movement = FundMovement.objects.create(
        fund=fund,
        kind=FundMovement.Kind.TOPUP,
        amount=value,
        balance_after=fund.balance,
        note=(note or "县级拨付")[:200],
        actor=acting_user,
    )
    event_record(
        actor=acting_user,
        verb=f"拨付临时救助备用金 {value} 元",
        target=fund,
        region_code=street.code,
        data={"amount": str(value), "balance": str(fund.balance)},
    )
    return movement


# --------------------------------------------------------------------------------------------------
# Limits


def person_in_categories(person: Person) -> bool:
    """In any of the three categories: covered by a current 特困/低保/支出型 enrolment."""
    return EnrolmentMember.objects.filter(
        person=person, ended_on__isnull=True, enrolment__status__in=Enrolment.CURRENT
    ).exists()


def limits_check(
    *,
    person: Person,
    household: Household,
    amount: Decimal,
    kind: str,
    on: dt.date,
    exclude: ReliefGrant | None = None,
) -> ReliefCheck:
    """The §6 limits for one more grant to `person` in the calendar year of `on` (ServiceError on the field
    of a needed local setting that is empty)."""
    # 特别救助 lies outside the yearly cap and count: it neither uses them up nor is limited by them.
    others = ReliefGrant.objects.filter(
        person=person, received_on__year=on.year, status__in=ReliefGrant.COUNTED
    ).exclude(kind=ReliefGrant.Kind.SPECIAL)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    agg = others.aggregate(total=Sum("amount"), n=Count("id"))
    std = StandardsInForce().for_month(household.community_id, month_of(on))
    return relief_check(
        amount=amount,
        kind=kind,
        in_categories=person_in_categories(person),
        year_total=agg["total"] or Decimal("0"),
        year_count=agg["n"],
        standards=std.standards,
    )


def _raise_check(check: ReliefCheck) -> None:
    if check.errors:
        raise ServiceError(errors=check.errors, code="limits")


# --------------------------------------------------------------------------------------------------
# Application and decisions


def _applicant_checked(household: Household, person, reason: str, missing_reason: str, errors: list) -> str:
    """The checks every relief application shares (a reason, a member of this household), added to `errors`;
    raises them all at once with the caller's own. Returns the reason stripped."""
    reason = (reason or "").strip()
    if not reason:
        errors.append({"field": "reason", "message": missing_reason})
    if person is None or person.household_id != household.pk:
        errors.append({"field": "person", "message": "请选择本家庭的成员"})
    if errors:
        raise ServiceError(errors=errors)
    return reason


def _received(
    acting_user, *, household, person, amount, reason, today, check: ReliefCheck, **fields
) -> ReliefGrant:
    """Save a received application (ordinary or 特别救助) with its history user and the limits seen."""
    grant = ReliefGrant(
        household=household,
        person=person,
        amount=amount,
        reason=reason,
        received_on=today,
        in_categories=person_in_categories(person),
        limits=check.as_json(),
        created_by=acting_user,
        **fields,
    )
    grant._history_user = acting_user
    grant.save()
    return grant


@transaction.atomic
def relief_apply(
    *,
    acting_user,
    household: Household,
    person: Person,
    kind: str,
    amount,
    reason: str,
    today: dt.date | None = None,
) -> ReliefGrant:
    """Receive an application for temporary relief; the route (street or county) follows from the kind and
    the amount, and every limit is checked now and again at the decision."""
    today = _today(today)
    if not permissions.can_apply_relief(acting_user, household.community_id):
        raise PermissionDenied("只有本社区的社区工作人员或本街道的民政专干可以受理临时救助申请")
    errors: list[dict[str, str]] = []
    if kind == ReliefGrant.Kind.SPECIAL:
        errors.append(
            {"field": "kind", "message": "特别救助须填写重大刚性支出和各项扣除，请使用“特别救助申请”"}
        )
    elif kind not in ReliefGrant.ORDINARY:
        errors.append({"field": "kind", "message": "请选择救助类型（急难型或支出型）"})
    value = parse_amount(amount, "amount", errors)
    reason = _applicant_checked(household, person, reason, "请写明遭遇的困难和救助理由", errors)
    person = Person.objects.select_for_update().get(pk=person.pk)
    check = limits_check(person=person, household=household, amount=value, kind=kind, on=today)
    _raise_check(check)
    grant = _received(
        acting_user,
        household=household,
        person=person,
        amount=value,
        reason=reason,
        today=today,
        check=check,
        kind=kind,
        route=check.route,
        status=G.SUBMITTED if check.route == STREET else G.COUNTY_REVIEW,
    )
    _event(
        grant,
        acting_user,
        f"受理临时救助申请（{grant.get_kind_display()} {value} 元，{grant.get_route_display()}）",
        {"amount": str(value), "route": check.route},
    )
    return grant


def _special_values(
    *, amount, gross_expenditure, deductions: dict[str, Any], errors: list[dict[str, str]]
) -> tuple[Decimal | None, Decimal | None, dict[str, Decimal]]:
    """The amounts of a 特别救助: the grant and the gross (required, above zero), each deduction (empty = 0)."""
    value = parse_amount(amount, "amount", errors)
    gross = parse_amount(gross_expenditure, "gross_expenditure", errors)
    taken: dict[str, Decimal] = {}
    for name, _ in DEDUCTIONS:
        raw = deductions.get(name)
        parsed = money.collect(raw, name, errors, required=False, max_value=RELIEF_MAX)
        taken[name] = parsed if parsed is not None else Decimal("0")
    return value, gross, taken


def special_check_grant(grant: ReliefGrant) -> ReliefCheck:
    return special_check(
        amount=grant.amount,
        gross=grant.gross_expenditure or Decimal("0"),
        deductions={name: getattr(grant, name) for name, _ in DEDUCTIONS},
    )


@transaction.atomic
def relief_special_apply(
    *,
    acting_user,
    household: Household,
    person: Person,
    amount,
    reason: str,
    gross_expenditure,
    deductions: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> ReliefGrant:
    """Receive an application for 特别救助 (policy.md §6 [v2]): the caseworker records the major rigid
    expenditure and each deduction (`deductions`: deduction_insurance, deduction_relief, deduction_charity);
    the grant never exceeds the net burden. It always goes to the county (route county, never the reserve fund);
    the per-event cap and the yearly cap and count do not apply."""
    today = _today(today)
    if not permissions.can_apply_relief(acting_user, household.community_id):
        raise PermissionDenied("只有本社区的社区工作人员或本街道的民政专干可以受理特别救助申请")
    errors: list[dict[str, str]] = []
    value, gross, taken = _special_values(
        amount=amount, gross_expenditure=gross_expenditure, deductions=deductions or {}, errors=errors
    )
    reason = _applicant_checked(
        household, person, reason, "请写明遭遇的特别重大困难和重大刚性支出的情况", errors
    )
    assert value is not None and gross is not None
    check = special_check(amount=value, gross=gross, deductions=taken)
    _raise_check(check)
    person = Person.objects.select_for_update().get(pk=person.pk)
    grant = _received(
        acting_user,
        household=household,
        person=person,
        amount=value,
        reason=reason,
        today=today,
        check=check,
        kind=ReliefGrant.Kind.SPECIAL,
        route=COUNTY,
        status=G.COUNTY_REVIEW,
        gross_expenditure=gross,
        **taken,
    )
    _event(
        grant,
        acting_user,
        f"受理特别救助申请（{value} 元，实际负担 {grant.net_burden} 元，报县级审批）",
        {
            "amount": str(value),
            "gross_expenditure": str(gross),
            **{name: str(v) for name, v in taken.items()},
            "net_burden": str(grant.net_burden),
        },
    )
    return grant


def _lock_grant(grant: ReliefGrant, *, with_fund: bool) -> tuple[ReliefGrant, ReserveFund | None]:
    """Person, then fund, then grant (the one lock order)."""
    fresh = ReliefGrant.objects.select_related("household").get(pk=grant.pk)
    Person.objects.select_for_update().get(pk=fresh.person_id)
    fund = None
    if with_fund:
        fund = (
            ReserveFund.objects.select_for_update()
            .filter(street_id=street_of(fresh.household.community_id))
            .first()
        )
    grant = (
        ReliefGrant.objects.select_for_update(of=("self",))
        .select_related("household", "person")
        .get(pk=grant.pk)
    )
    return grant, fund


def _confirm_no_duplicate(grant: ReliefGrant, duplicate_reason: str) -> list[str]:
    """Before any approval: the person's grants of the last 12 months anywhere in the province. With any, the
    approver must give a reason to go on; the grants seen and the reason are kept on the grant. Returns the
    fields to save."""
    prior = relief_prior_grants(grant=grant)
    reason = (duplicate_reason or "").strip()
    if prior and not reason:
        raise ServiceError(
            f"{grant.person.name}近12个月已获临时救助{len(prior)}次，同一困难不得重复救助；"
            "请核对后写明继续审批的理由",
            field="duplicate_reason",
            code="duplicate_unconfirmed",
        )
    grant.prior_grants = prior
    grant.duplicate_reason = reason if prior else ""
    return ["prior_grants", "duplicate_reason"]


def _duplicate_data(grant: ReliefGrant) -> dict:
    if not grant.prior_grants:
        return {}
    return {"prior_grants": [g["id"] for g in grant.prior_grants], "duplicate_reason": grant.duplicate_reason}


@transaction.atomic
def relief_street_approve(
    *,
    grant: ReliefGrant,
    acting_user,
    note: str = "",
    duplicate_reason: str = "",
    today: dt.date | None = None,
) -> ReliefGrant:
    """The street approves and pays from its reserve fund, in one step; refused — and nothing changes — when
    the fund cannot pay it or a limit would be broken."""
    today = _today(today)
    grant, fund = _lock_grant(grant, with_fund=True)
    if not permissions.is_street_officer_for(acting_user, grant.household.community_id):
        raise PermissionDenied("只有本街道的民政专干可以审批发放")
    if grant.kind == ReliefGrant.Kind.SPECIAL:
        raise ServiceError(
            "特别救助只能由县级民政部门审批，不由街道审批，也不从街道备用金支出", code="wrong_state"
        )
    if grant.route != STREET or grant.status != G.SUBMITTED:
        raise ServiceError(
            f"该申请当前为“{grant.get_status_display()}”（{grant.get_route_display()}），不能由街道审批发放",
            code="wrong_state",
        )
    _raise_check(
        limits_check(
            person=grant.person,
            household=grant.household,
            amount=grant.amount,
            kind=grant.kind,
            on=grant.received_on,
            exclude=grant,
        )
    )
    duplicate_fields = _confirm_no_duplicate(grant, duplicate_reason)
    if fund is None:
        raise ServiceError("本街道尚未建立临时救助备用金，请联系县级民政部门拨付", code="no_fund")
    if fund.balance < grant.amount:
        raise ServiceError(
            f"备用金余额不足：余额 {fund.balance} 元，本次需支出 {grant.amount} 元",
            field="amount",
            code="insufficient_funds",
        )
    fund.balance -= grant.amount
    fund.updated_at = timezone.now()
    fund.save(update_fields=["balance", "updated_at"])
    FundMovement.objects.create(
        fund=fund,
        kind=FundMovement.Kind.DISBURSEMENT,
        amount=grant.amount,
        balance_after=fund.balance,
        grant=grant,
        actor=acting_user,
        note=f"临时救助#{grant.pk} {grant.person.name}"[:200],
    )
    grant.status, grant.decided_by, grant.decided_on = G.PAID, acting_user, today
    grant.decision_note, grant.paid_at, grant.fund, grant.filing = (
        (note or "").strip(),
        timezone.now(),
        fund,
        F.PENDING,
    )
    _save(
        grant,
        acting_user,
        [
            "status",
            "decided_by",
            "decided_on",
            "decision_note",
            "paid_at",
            "fund",
            "filing",
            *duplicate_fields,
        ],
    )
    _event(
        grant,
        acting_user,
        f"街道审批并从备用金发放临时救助 {grant.amount} 元",
        {"fund_balance": str(fund.balance), **_duplicate_data(grant)},
    )
    return grant


@transaction.atomic
def relief_county_approve(
    *,
    grant: ReliefGrant,
    acting_user,
    note: str = "",
    duplicate_reason: str = "",
    today: dt.date | None = None,
) -> ReliefGrant:
    """The county approves a larger amount; it is paid by the county (not from the street's reserve fund)."""
    today = _today(today)
    grant, _ = _lock_grant(grant, with_fund=False)
    if not permissions.is_county_officer_for(acting_user, grant.household.community_id):
        raise PermissionDenied("只有本县（区）民政部门可以审批")
    if grant.status != G.COUNTY_REVIEW:
        raise ServiceError(f"该申请当前为“{grant.get_status_display()}”，不能县级审批", code="wrong_state")
    if grant.kind == ReliefGrant.Kind.SPECIAL:
        _raise_check(special_check_grant(grant))
    else:
        _raise_check(
            limits_check(
                person=grant.person,
                household=grant.household,
                amount=grant.amount,
                kind=grant.kind,
                on=grant.received_on,
                exclude=grant,
            )
        )
    duplicate_fields = _confirm_no_duplicate(grant, duplicate_reason)
    grant.status, grant.decided_by, grant.decided_on = G.PAID, acting_user, today
    grant.decision_note, grant.paid_at = (note or "").strip(), timezone.now()
    _save(
        grant,
        acting_user,
        ["status", "decided_by", "decided_on", "decision_note", "paid_at", *duplicate_fields],
    )
    what = "特别救助" if grant.kind == ReliefGrant.Kind.SPECIAL else "临时救助"
    _event(grant, acting_user, f"县级审批发放{what} {grant.amount} 元", _duplicate_data(grant))
    return grant


@transaction.atomic
def relief_reject(
    *, grant: ReliefGrant, acting_user, reason: str, today: dt.date | None = None
) -> ReliefGrant:
    """Refuse, with the reason: the street for its own route, the county for the county's."""
    today = _today(today)
    grant, _ = _lock_grant(grant, with_fund=False)
    community = grant.household.community_id
    allowed = (
        permissions.is_street_officer_for(acting_user, community)
        if grant.status == G.SUBMITTED
        else permissions.is_county_officer_for(acting_user, community)
        if grant.status == G.COUNTY_REVIEW
        else False
    )
    if grant.status not in (G.SUBMITTED, G.COUNTY_REVIEW):
        raise ServiceError(f"该申请当前为“{grant.get_status_display()}”，不能再作决定", code="wrong_state")
    if not allowed:
        raise PermissionDenied("无权审批此申请")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("不予救助须写明理由", field="reason")
    grant.status, grant.decided_by, grant.decided_on, grant.decision_note = (
        G.REJECTED,
        acting_user,
        today,
        reason,
    )
    _save(grant, acting_user, ["status", "decided_by", "decided_on", "decision_note"])
    _event(grant, acting_user, "不予临时救助", {"reason": reason})
    return grant


# --------------------------------------------------------------------------------------------------
# 备案 with the county


@transaction.atomic
def relief_file(*, grant: ReliefGrant, acting_user, note: str = "") -> ReliefGrant:
    """The street files a grant it paid with the county (报县级民政部门备案)."""
    grant, _ = _lock_grant(grant, with_fund=False)
    if not permissions.is_street_officer_for(acting_user, grant.household.community_id):
        raise PermissionDenied("只有本街道的民政专干可以报备")
    if grant.filing != F.PENDING:
        raise ServiceError(f"该笔备案状态为“{grant.get_filing_display()}”，不需要报备", code="wrong_state")
    grant.filing, grant.filed_at, grant.filing_note = F.FILED, timezone.now(), (note or "").strip()
    _save(grant, acting_user, ["filing", "filed_at", "filing_note"])
    _event(grant, acting_user, "临时救助报县级备案")
    return grant


@transaction.atomic
def relief_query(*, grant: ReliefGrant, acting_user, question: str) -> ReliefGrant:
    """The county queries a filed item; the street answers."""
    grant, _ = _lock_grant(grant, with_fund=False)
    if not permissions.is_county_officer_for(acting_user, grant.household.community_id):
        raise PermissionDenied("只有本县（区）民政部门可以质询备案事项")
    if grant.filing not in (F.FILED, F.ANSWERED):
        raise ServiceError(
            f"该笔备案状态为“{grant.get_filing_display() or '未备案'}”，不能质询", code="wrong_state"
        )
    question = (question or "").strip()
    if not question:
        raise ServiceError("请填写质询内容", field="question")
    grant.filing, grant.query, grant.queried_by, grant.queried_at = (
        F.QUERIED,
        question,
        acting_user,
        timezone.now(),
    )
    grant.answer, grant.answered_at = "", None
    _save(grant, acting_user, ["filing", "query", "queried_by", "queried_at", "answer", "answered_at"])
    _event(grant, acting_user, "县级质询备案事项", {"question": question})
    return grant


@transaction.atomic
def relief_answer(*, grant: ReliefGrant, acting_user, answer: str) -> ReliefGrant:
    grant, _ = _lock_grant(grant, with_fund=False)
    if not permissions.is_street_officer_for(acting_user, grant.household.community_id):
        raise PermissionDenied("只有本街道的民政专干可以答复质询")
    if grant.filing != F.QUERIED:
        raise ServiceError("该笔没有待答复的质询", code="wrong_state")
    answer = (answer or "").strip()
    if not answer:
        raise ServiceError("请填写答复内容", field="answer")
    grant.filing, grant.answer, grant.answered_at = F.ANSWERED, answer, timezone.now()
    _save(grant, acting_user, ["filing", "answer", "answered_at"])
    _event(grant, acting_user, "答复县级质询", {"answer": answer})
    return grant


ROUTES = {STREET: "街道审批（备用金）", COUNTY: "县级审批"}
