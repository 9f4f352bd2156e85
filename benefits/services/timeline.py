"""The payment timeline of an enrolment: its current periods, how a change replaces them from a month, and
what a change means for months already on a roll.

A change never edits a period: the periods it replaces are marked superseded and new ones are written
(a period cut short is written again with its new end). For a month already on a roll, the difference goes:
- to the roll's line, when the roll is not locked yet (the draft follows the enrolment);
- when the roll is locked: a rise becomes an arrears item that the next roll pays as its own labelled
  line; a fall is recorded as overpaid (the event names the months and amounts) and never clawed back
  by the system.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Region
from benefits.models import Arrear, Enrolment, EnrolmentPeriod, PaymentLine, PaymentRoll, PaymentRollTotal
from benefits.models.rolls import TOTAL_COMPONENTS
from common.dates import month_label, previous_month
from common.money import round_half_up

ZERO = Decimal("0.00")


def lock_counties(codes) -> None:
    """Lock the counties' region rows, in code order. Roll generation and every change of an enrolment of a
    county take this lock, so a roll never reads a half-applied change and a change never misses a roll."""
    list(
        Region.objects.select_for_update()
        .filter(code__in=sorted(set(codes)))
        .order_by("code")
        .values_list("code", flat=True)
    )


def current_periods(enrolment: Enrolment) -> list[EnrolmentPeriod]:
    return list(
        EnrolmentPeriod.objects.filter(enrolment=enrolment, superseded_at__isnull=True).order_by(
            "start_month", "id"
        )
    )


def period_at(periods: list[EnrolmentPeriod], month: dt.date) -> EnrolmentPeriod | None:
    for p in periods:
        if p.covers(month):
            return p
    return None


def due_at(periods: list[EnrolmentPeriod], month: dt.date) -> tuple[Decimal, dict, bool]:
    """(amount, components, paying) for a month under a timeline."""
    p = period_at(periods, month)
    if p is None or p.status not in EnrolmentPeriod.PAYING:
        return ZERO, {}, False
    return p.monthly_amount, p.components, True


def copy_period(p: EnrolmentPeriod, **changes) -> EnrolmentPeriod:
    values = {
        f.attname: getattr(p, f.attname)
        for f in EnrolmentPeriod._meta.concrete_fields
        if f.attname not in ("id", "superseded_at", "created_at")
    }
    values.update(changes)
    return EnrolmentPeriod(**values)


@dataclass
class Rewrite:
    """Periods to supersede and periods to write; `after` is the timeline once applied."""

    before: list[EnrolmentPeriod]
    superseded: list[EnrolmentPeriod] = field(default_factory=list)
    created: list[EnrolmentPeriod] = field(default_factory=list)

    @property
    def after(self) -> list[EnrolmentPeriod]:
        gone = {id(p) for p in self.superseded}
        return sorted(
            [p for p in self.before if id(p) not in gone] + self.created, key=lambda p: p.start_month
        )

    @property
    def changed(self) -> bool:
        return bool(self.superseded or self.created)


def replace_from(periods: list[EnrolmentPeriod], month: dt.date, new: list[EnrolmentPeriod]) -> Rewrite:
    """Every period reaching `month` or later is replaced: the part before `month` is kept, and `new`
    follows (nothing when the enrolment stops)."""
    rewrite = Rewrite(before=list(periods))
    for p in periods:
        if p.end_month is not None and p.end_month < month:
            continue
        rewrite.superseded.append(p)
        if p.start_month < month:
            rewrite.created.append(
                copy_period(
                    p,
                    end_month=previous_month(month),
                    created_by=new[0].created_by if new else p.created_by,
                    reason=p.reason,
                )
            )
    rewrite.created.extend(new)
    return rewrite


def write(rewrites: list[Rewrite]) -> None:
    """Apply rewrites: two statements however many there are."""
    now = timezone.now()
    ids = [p.pk for r in rewrites for p in r.superseded]
    if ids:
        EnrolmentPeriod.objects.filter(pk__in=ids).update(superseded_at=now)
    created = [p for r in rewrites for p in r.created]
    for p in created:
        p.created_at = now
    EnrolmentPeriod.objects.bulk_create(created)


# --------------------------------------------------------------------------------------------------
# Months already on a roll


@dataclass
class Settlement:
    arrears: list[Arrear] = field(default_factory=list)
    overpaid: list[dict] = field(default_factory=list)
    lines: list[PaymentLine] = field(default_factory=list)
    rolls: set[int] = field(default_factory=set)

    def merge(self, other: Settlement) -> None:
        self.arrears += other.arrears
        self.overpaid += other.overpaid
        self.lines += other.lines
        self.rolls |= other.rolls


class RolledMonths:
    """The county's generated rolls (ready or locked) for some months, and the lines of the unlocked ones,
    read once for a batch of enrolments of that county."""

    def __init__(self, *, county: str, months_from: dt.date, enrolment_ids: list[int]) -> None:
        rolls = PaymentRoll.objects.filter(
            county_id=county,
            month__gte=months_from,
            status__in=[PaymentRoll.Status.READY, PaymentRoll.Status.LOCKED],
        )
        self.rolls = {(r.program, r.month): r for r in rolls}
        ready = [r.pk for r in self.rolls.values() if not r.is_locked]
        self.lines: dict[tuple[int, int, dt.date], PaymentLine] = {}
        # 增发 lines (policy.md §8.1) of every generated roll: they follow the enrolment's paying or not.
        self.supplements: dict[tuple[int, int], list[PaymentLine]] = {}
        if self.rolls and enrolment_ids:
            for line in PaymentLine.objects.filter(
                roll_id__in=[r.pk for r in self.rolls.values()],
                enrolment_id__in=enrolment_ids,
                kind__in=[PaymentLine.Kind.REGULAR, PaymentLine.Kind.SUPPLEMENT],
            ).order_by("pk"):
                if line.kind == PaymentLine.Kind.SUPPLEMENT:
                    self.supplements.setdefault((line.roll_id, line.enrolment_id), []).append(line)
                elif line.roll_id in ready:
                    self.lines[(line.roll_id, line.enrolment_id, line.month)] = line

    def months(self, program: str) -> list[dt.date]:
        return sorted(m for (p, m) in self.rolls if p == program)

    def settle(self, *, enrolment: Enrolment, rewrite: Rewrite, reason: str, standard=None) -> Settlement:
        out = Settlement()
        if not rewrite.changed:
            return out
        after = rewrite.after
        for month in self.months(enrolment.category):
            old_amount, _, _ = due_at(rewrite.before, month)
            new_amount, components, paying = due_at(after, month)
            roll = self.rolls[(enrolment.category, month)]
            line = None if roll.is_locked else self.lines.get((roll.pk, enrolment.pk, month))
            extras = self.supplements.get((roll.pk, enrolment.pk), [])
            if line is not None:
                if paying:
                    line.amount, line.components = new_amount, components
                for held in [line, *extras]:
                    if paying and held.held and held.hold_reason.startswith("已停发"):
                        held.held, held.hold_reason = False, ""
                    elif not paying:
                        held.held, held.hold_reason = True, f"已停发：{reason}"[:200]
                out.lines += [line, *extras]
                out.rolls.add(roll.pk)
                continue
            diff = new_amount - old_amount
            if roll.is_locked and not paying and due_at(rewrite.before, month)[2]:
                # The enrolment stops for a month already paid: its 增发 that month was paid too.
                for extra in extras:
                    if not extra.held:
                        out.overpaid.append(
                            {
                                "month": month.isoformat(),
                                "amount": str(extra.amount),
                                "roll": roll.pk,
                                "line": "增发",
                            }
                        )
            if diff > 0:
                out.arrears.append(
                    Arrear(
                        enrolment=enrolment,
                        month=month,
                        amount=diff,
                        standard=standard,
                        label=f"补发{month_label(month)}差额：{reason}"[:200],
                    )
                )
            elif diff < 0:
                out.overpaid.append(
                    {"month": month.isoformat(), "amount": str(-diff), "roll": roll.pk, "line": "正常发放"}
                )
        return out


def settle_write(settlement: Settlement) -> None:
    if settlement.arrears:
        Arrear.objects.bulk_create(settlement.arrears)
    if settlement.lines:
        PaymentLine.objects.bulk_update(settlement.lines, ["amount", "components", "held", "hold_reason"])
    for roll in PaymentRoll.objects.filter(pk__in=settlement.rolls).order_by("pk"):
        roll_totals_refresh(roll)


def roll_totals_refresh(roll: PaymentRoll) -> PaymentRoll:
    """Recount a roll's totals from its lines in one statement (held lines are not paid)."""
    paid, arrears = Q(held=False), Q(held=False, kind=PaymentLine.Kind.ARREARS)
    agg = roll.lines.aggregate(
        n=Count("id", filter=paid),
        total=Sum("amount", filter=paid),
        an=Count("id", filter=arrears),
        at=Sum("amount", filter=arrears),
        held=Count("id", filter=Q(held=True)),
    )
    roll.line_count, roll.total_amount = agg["n"], agg["total"] or ZERO
    roll.arrears_count, roll.arrears_amount = agg["an"], agg["at"] or ZERO
    roll.held_count = agg["held"]
    roll.save(update_fields=["line_count", "total_amount", "arrears_count", "arrears_amount", "held_count"])
    return roll


def roll_community_totals_refresh(roll: PaymentRoll) -> None:
    """Rewrite the roll's per-community totals (PaymentRollTotal) from its paid lines: one grouped query, one
    delete, one insert of a row per community. Components come from regular lines; arrears lines are their own sum."""
    regular = Q(kind=PaymentLine.Kind.REGULAR)
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        roll.lines.filter(held=False)
        .values("community_code")
        .order_by("community_code")
        .annotate(
            n=Count("id"),
            persons=Sum("covered_count", filter=regular),
            total=Sum("amount"),
            arrears=Sum("amount", filter=Q(kind=PaymentLine.Kind.ARREARS)),
            supplement=Sum("amount", filter=Q(kind=PaymentLine.Kind.SUPPLEMENT)),
            **{
                f"c_{name}": Sum(Cast(KT(f"components__{name}"), money), filter=regular)
                for name in TOTAL_COMPONENTS
            },
        )
    )

    def yuan(value) -> Decimal:
        return round_half_up(Decimal(value or 0))

    PaymentRollTotal.objects.filter(roll=roll).delete()
    PaymentRollTotal.objects.bulk_create(
        [
            PaymentRollTotal(
                roll=roll,
                month=roll.month,
                program=roll.program,
                community_code=r["community_code"],
                lines=r["n"],
                persons=r["persons"] or 0,
                amount=yuan(r["total"]),
                arrears=yuan(r["arrears"]),
                supplement=yuan(r["supplement"]),
                **{name: yuan(r[f"c_{name}"]) for name in TOTAL_COMPONENTS},
            )
            for r in rows
        ]
    )
