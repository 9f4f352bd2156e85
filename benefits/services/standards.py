"""A new (or corrected) yearly standard recomputes every enrolment it applies to, from its effective month.

The standard applies to the enrolments of households under its region for which it is the nearest standard of
its year (a county with its own standard is not touched by the province's). Each paying period from the
effective month until the next year's standard takes over is evaluated again, with the facts it was computed
from, under the new standard. Months already on a locked roll get the difference as arrears, which the next
roll of the county pays as separate, labelled lines (see timeline.py).

渐退 periods keep paying the previous amount (policy.md §5) and are not recomputed; if the new standard
finds such a household eligible again, or finds an enrolled household no longer eligible, a recheck task goes
to the caseworker. Work is done county by county, one transaction each, so a province-wide standard never
holds every county's lock at once; running it again changes nothing more (idempotent).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import Event, Region
from accounts.services import event_record
from benefits.compute import InForce, StandardsInForce, evaluate_facts, household_facts, outcome_of
from benefits.models import Enrolment, EnrolmentMember, EnrolmentPeriod, EnrolmentReview
from benefits.services import timeline
from common.dates import month_label, previous_month
from config.errors import ServiceError
from eligibility.models import Standard
from eligibility.standards import StandardsLookup

P = EnrolmentPeriod.Status


def effective_month(standard: Standard) -> dt.date:
    return (
        standard.effective_month.replace(day=1) if standard.effective_month else dt.date(standard.year, 1, 1)
    )


def _region_prefix(code: str) -> str:
    region = Region.objects.only("code", "level").get(code=code)
    return Region.prefix_of(region.code, region.level)


def _affected(standard: Standard):
    start = effective_month(standard)
    return Enrolment.objects.filter(
        household__community__code__startswith=_region_prefix(standard.region_id)
    ).filter(Q(status__in=Enrolment.CURRENT) | Q(ended_on__gte=start))


def standard_counties(*, standard: Standard) -> list[str]:
    """The counties that have enrolments the standard may change."""
    return sorted(
        set(
            _affected(standard)
            .annotate(county=Substr("household__community_id", 1, 6))
            .values_list("county", flat=True)
        )
    )


@transaction.atomic
def standard_recompute_county(
    *, standard: Standard, county: str, acting_user=None, today: dt.date | None = None
) -> dict[str, int]:
    """Recompute one county's enrolments under `standard`; returns counts (changed, arrears, rechecks…)."""
    today = today or timezone.localdate()
    start, year = effective_month(standard), standard.year
    timeline.lock_counties([county])
    standard = Standard.objects.get(pk=standard.pk)  # as committed, now that the county is ours
    in_force = StandardsInForce(StandardsLookup(preload=True))
    in_force.remember(standard)
    enrolments = list(
        _affected(standard)
        .filter(household__community__code__startswith=county)
        .select_related("household")
        .prefetch_related("household__members")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    ids = [e.pk for e in enrolments]
    periods: dict[int, list[EnrolmentPeriod]] = {i: [] for i in ids}
    for p in EnrolmentPeriod.objects.filter(enrolment_id__in=ids, superseded_at__isnull=True).order_by(
        "enrolment_id", "start_month", "id"
    ):
        periods[p.enrolment_id].append(p)
    rolled = timeline.RolledMonths(county=county, months_from=start, enrolment_ids=ids)
    why = f"{year}年度标准调整（{month_label(start)}起执行）"
    counts = {"enrolments": len(enrolments), "changed": 0, "arrears": 0, "rechecks": 0, "failed": 0}
    rewrites: list[timeline.Rewrite] = []
    settlement = timeline.Settlement()
    changed_enrolments: list[Enrolment] = []
    member_updates: list[EnrolmentMember] = []
    events: list[Event] = []
    rechecks: list[EnrolmentReview] = []

    for enrolment in enrolments:
        community = enrolment.household.community_id
        found = in_force.find(community, year)
        if found is None or found.region != standard.region_id:
            continue  # a region nearer the household has its own standard for the year
        std = InForce(found, False, start)
        stop = in_force.next_start(community, year)
        rewrite = timeline.Rewrite(before=periods[enrolment.pk])
        last_outcome = None
        for p in periods[enrolment.pk]:
            if p.status not in EnrolmentPeriod.PAYING or (p.end_month is not None and p.end_month < start):
                continue
            if stop is not None and p.start_month >= stop:
                continue
            seg_start = max(p.start_month, start)
            facts = p.facts or household_facts(enrolment.household)
            try:
                determination, _ = evaluate_facts(
                    region=community, facts=facts, month=seg_start, in_force=in_force, standards=std
                )
            except ServiceError:
                counts["failed"] += 1
                continue
            outcome = outcome_of(
                determination=determination,
                std=std,
                category=enrolment.category,
                previous_amount=p.monthly_amount,
                previous_components=p.components,
                previous_dibao_paid=enrolment.dibao_paid,
            )
            if p.status == P.GRADUAL:
                if outcome.kind == "eligible":
                    rechecks.append(
                        EnrolmentReview(
                            enrolment=enrolment,
                            kind=EnrolmentReview.Kind.RECHECK,
                            due_on=today,
                            raised_because=f"按{year}年度标准测算该家庭重新符合条件，请重新核定",
                        )
                    )
                continue
            if outcome.kind != "eligible":
                rechecks.append(
                    EnrolmentReview(
                        enrolment=enrolment,
                        kind=EnrolmentReview.Kind.RECHECK,
                        due_on=today,
                        raised_because=f"按{year}年度标准测算该家庭已不符合条件，请核实",
                    )
                )
                continue
            if (
                outcome.amount == p.monthly_amount
                and outcome.components == p.components
                and p.standard_year == year
                and p.standard_region == found.region
                and not p.provisional
            ):
                continue
            rewrite.superseded.append(p)
            if p.start_month < seg_start:
                rewrite.created.append(timeline.copy_period(p, end_month=previous_month(seg_start)))
            inside_end = p.end_month
            if stop is not None and (p.end_month is None or p.end_month >= stop):
                inside_end = previous_month(stop)
                rewrite.created.append(timeline.copy_period(p, start_month=stop))
            rewrite.created.append(
                timeline.copy_period(
                    p,
                    start_month=seg_start,
                    end_month=inside_end,
                    monthly_amount=outcome.amount,
                    components=outcome.components,
                    facts=facts,
                    standard_region=found.region,
                    standard_year=year,
                    provisional=False,
                    reason=why,
                    created_by=acting_user,
                )
            )
            last_outcome = outcome
        if not rewrite.changed:
            continue
        rewrites.append(rewrite)
        part = rolled.settle(
            enrolment=enrolment, rewrite=rewrite, reason=f"{year}年度标准调整", standard=standard
        )
        settlement.merge(part)
        latest = rewrite.after[-1]
        old_amount = enrolment.monthly_amount
        enrolment.monthly_amount, enrolment.components = latest.monthly_amount, latest.components
        enrolment.updated_at = timezone.now()
        changed_enrolments.append(enrolment)
        if last_outcome is not None and latest.monthly_amount == last_outcome.amount:
            amounts = {m["id_number"]: m["amounts"] for m in last_outcome.members}
            for row in enrolment.covered.select_related("person").filter(ended_on__isnull=True):
                if row.person.id_number in amounts and row.amounts != amounts[row.person.id_number]:
                    row.amounts = dict(amounts[row.person.id_number])
                    member_updates.append(row)
        counts["changed"] += 1
        counts["arrears"] += len(part.arrears)
        events.append(
            Event(
                actor=acting_user if getattr(acting_user, "pk", None) else None,
                verb=f"按{year}年度标准重新核定：月救助金{old_amount}元 → {enrolment.monthly_amount}元",
                target_type=Enrolment._meta.label_lower,
                target_id=str(enrolment.pk),
                region_code=community,
                data={
                    "standard": standard.pk,
                    "from": start.isoformat(),
                    # What the 变更救助通知书 (papers) states.
                    "old_amount": str(old_amount),
                    "new_amount": str(enrolment.monthly_amount),
                    "reason": f"{year}年度保障标准调整",
                    "arrears": [
                        {"month": a.month.isoformat(), "amount": str(a.amount)} for a in part.arrears
                    ],
                    "overpaid": part.overpaid,
                },
            )
        )

    timeline.write(rewrites)
    timeline.settle_write(settlement)
    if changed_enrolments:
        bulk_update_with_history(
            changed_enrolments,
            Enrolment,
            ["monthly_amount", "components", "updated_at"],
            default_user=acting_user if getattr(acting_user, "pk", None) else None,
            default_change_reason=why[:100],
        )
    if member_updates:
        EnrolmentMember.objects.bulk_update(member_updates, ["amounts"])
    Event.objects.bulk_create(events)
    made = EnrolmentReview.objects.bulk_create(rechecks, ignore_conflicts=True)
    counts["rechecks"] = len(made)
    return counts


def standard_recompute(
    *, standard: Standard, acting_user=None, today: dt.date | None = None
) -> dict[str, int]:
    """Every county the standard reaches, one transaction each, then one summary event on the standard."""
    total = {"counties": 0, "enrolments": 0, "changed": 0, "arrears": 0, "rechecks": 0, "failed": 0}
    for county in standard_counties(standard=standard):
        counts = standard_recompute_county(
            standard=standard, county=county, acting_user=acting_user, today=today
        )
        total["counties"] += 1
        for key, value in counts.items():
            total[key] += value
    if total["changed"] or total["rechecks"]:
        with transaction.atomic():
            event_record(
                actor=acting_user,
                verb=f"按{standard.year}年度标准重新核定救助金（{total['changed']}户）",
                target=standard,
                region_code=standard.region_id,
                data=total,
            )
    return total
