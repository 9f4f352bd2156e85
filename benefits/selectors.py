"""Reads of the benefits app, always narrowed to the user's region by accounts.scope."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.models import Event, Region
from accounts.scope import narrow_to_region, region_prefix, scope_filter
from applications.models import Category
from benefits.models import (
    CountyTask,
    Enrolment,
    EnrolmentMember,
    EnrolmentPeriod,
    EnrolmentReview,
    FundMovement,
    PaymentCorrection,
    PaymentLine,
    PaymentRoll,
    ReliefGrant,
    ReserveFund,
)
from common import idnumber
from common.dates import add_months, month_end
from config.listing import sort_order
from households.models import Person

ENROLMENT_SCOPE = "household__community__code"

# Enrolments that pay now (渐退 keeps paying until its end date).
COVERED_STATUSES = (Enrolment.Status.ACTIVE.value, Enrolment.Status.GRADUAL.value)

_COVERAGE = (
    "SELECT m.category, e.start_month, e.community_code FROM cases_person p "
    "JOIN benefits_enrolmentmember m ON m.person_id = p.id "
    "JOIN benefits_enrolment e ON e.id = m.enrolment_id "
    "WHERE p.id_number = %s AND e.status IN (%s, %s) AND e.community_code LIKE %s "
    "ORDER BY e.start_month, e.id LIMIT 1"
)


def person_coverage(*, user, id_number: str) -> tuple[str, dt.date, str] | None:
    """(category, since, community) of the person's earliest paying enrolment in the user's scope, or None.

    The department person lookup runs this on every request, so it is one statement written out (the person by
    its unique ID number, the enrolment by its indexed community code, scoped by accounts.scope.region_prefix)
    rather than a queryset compiled anew each time."""
    prefix = region_prefix(user)
    if prefix is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_COVERAGE, [id_number, *COVERED_STATUSES, prefix + "%"])
        row = cursor.fetchone()
    if row is None:
        return None
    category, since, community = row
    if isinstance(since, str):  # SQLite hands dates back as text
        since = dt.date.fromisoformat(since)
    return category, since, community


# --------------------------------------------------------------------------------------------------
# Enrolments


def household_enrolments(*, household) -> list[Enrolment]:
    """The household's enrolments, current first, with their covered members (two queries)."""
    covered = EnrolmentMember.objects.select_related("person").order_by("id")
    return list(
        Enrolment.objects.filter(household=household)
        .prefetch_related(Prefetch("covered", queryset=covered))
        .order_by("status", "-id")
    )


def enrolment_scope(*, user) -> QuerySet[Enrolment]:
    return scope_filter(Enrolment.objects.all(), user, ENROLMENT_SCOPE)


# The columns the enrolment list sorts by (config.listing.sort_order).
ENROLMENT_SORTS = {
    "id": "id",
    "community": "household__community_id",
    "amount": "monthly_amount",
    "start_month": "start_month",
    "next_review_on": "next_review_on",
}


def enrolment_list(
    *,
    user,
    status: str = "",
    category: str = "",
    query: str = "",
    community: str = "",
    month: str = "",
    review: str = "",
    today: dt.date | None = None,
    sort: str = "",
) -> QuerySet[Enrolment]:
    """Enrolments in scope, filtered by status, category, a name or ID number, a community or street, the start
    month ("2026-05"), the review deadline ("overdue", or "month": due by the end of this month), and sorted by
    one of ENROLMENT_SORTS (newest first by default)."""
    qs = narrow_to_region(enrolment_scope(user=user), community, ENROLMENT_SCOPE)
    if month:
        try:
            start = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            return qs.none()
        qs = qs.filter(start_month=start)
    if review and today is not None:
        if review == "overdue":
            qs = qs.filter(next_review_on__lt=today)
        elif review == "month":
            qs = qs.filter(next_review_on__lte=month_end(today))
    if status == "current":
        qs = qs.filter(status__in=Enrolment.CURRENT)
    elif status in Enrolment.Status.values:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    query = (query or "").strip()
    if query:
        if len(query) == 18 and idnumber.is_valid(query.upper()):
            match = Person.objects.filter(household=OuterRef("household"), id_number=query.upper())
        else:
            match = Person.objects.filter(household=OuterRef("household"), name__contains=query)
        qs = qs.filter(Exists(match))
    heads = Person.objects.filter(relation=Person.Relation.HEAD)
    return (
        qs.select_related("household__community")
        .prefetch_related(Prefetch("household__members", queryset=heads, to_attr="heads"))
        .annotate(covered_now=Count("covered", filter=Q(covered__ended_on__isnull=True)))
        .order_by(*sort_order(sort, ENROLMENT_SORTS, "-id"))
    )


def enrolment_counts(*, user) -> dict:
    qs = enrolment_scope(user=user)
    rows = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    money = qs.filter(status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.GRADUAL]).aggregate(
        s=Sum("monthly_amount")
    )
    return {**{s: rows.get(s, 0) for s in Enrolment.Status.values}, "monthly": money["s"] or 0}


def enrolment_get(*, user, pk: int) -> Enrolment:
    covered = EnrolmentMember.objects.select_related("person").order_by("id")
    qs = (
        enrolment_scope(user=user)
        .select_related("household__community__parent__parent", "payee", "application", "exited_by")
        .prefetch_related(Prefetch("covered", queryset=covered), "household__members")
    )
    return get_object_or_404(qs, pk=pk)


def enrolment_periods(*, enrolment: Enrolment, include_superseded: bool = False) -> list[EnrolmentPeriod]:
    qs = enrolment.periods.select_related("created_by")
    if not include_superseded:
        qs = qs.filter(superseded_at__isnull=True)
    return list(qs.order_by("start_month", "id"))


def enrolment_events(*, enrolment: Enrolment) -> list[Event]:
    return list(
        Event.objects.filter(target_type=Enrolment._meta.label_lower, target_id=str(enrolment.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )


def payment_line_get(*, user, pk: int) -> PaymentLine:
    """A payment line of an enrolment in the user's scope, or 404."""
    qs = PaymentLine.objects.filter(enrolment__in=enrolment_scope(user=user)).select_related("roll")
    return get_object_or_404(qs, pk=pk)


def enrolment_lines(*, enrolment: Enrolment, limit: int = 24) -> list[PaymentLine]:
    return list(enrolment.payment_lines.select_related("roll").order_by("-month", "-id")[:limit])


# --------------------------------------------------------------------------------------------------
# Reviews


# The columns the review list sorts by (config.listing.sort_order).
REVIEW_SORTS = {
    "id": "id",
    "community": "enrolment__household__community_id",
    "due_on": "due_on",
    "completed_at": "completed_at",
}


def review_queue(
    *,
    user,
    today: dt.date,
    status: str = "open",
    kind: str = "",
    community: str = "",
    deadline: str = "",
    sort: str = "",
) -> QuerySet[EnrolmentReview]:
    """Reviews in scope: open, done or all; of one kind; in a county/street/community; due ("overdue", or
    "month": by the end of this month); sorted by one of REVIEW_SORTS (open: soonest due first; done: latest)."""
    qs = scope_filter(EnrolmentReview.objects.all(), user, f"enrolment__{ENROLMENT_SCOPE}")
    qs = narrow_to_region(qs, community, f"enrolment__{ENROLMENT_SCOPE}")
    if status == "open":
        qs = qs.filter(status=EnrolmentReview.Status.OPEN)
    elif status == "done":
        qs = qs.filter(status=EnrolmentReview.Status.DONE)
    if kind in EnrolmentReview.Kind.values:
        qs = qs.filter(kind=kind)
    if deadline == "overdue":
        qs = qs.filter(status=EnrolmentReview.Status.OPEN, due_on__lt=today)
    elif deadline == "month":
        qs = qs.filter(status=EnrolmentReview.Status.OPEN, due_on__lte=month_end(today))
    heads = Person.objects.filter(relation=Person.Relation.HEAD)
    default = "due_on" if status == "open" else "-completed_at"
    return (
        qs.select_related("enrolment__household__community", "completed_by")
        .prefetch_related(Prefetch("enrolment__household__members", queryset=heads, to_attr="heads"))
        .order_by(*sort_order(sort, REVIEW_SORTS, default))
    )


def review_get(*, user, pk: int) -> EnrolmentReview:
    qs = scope_filter(EnrolmentReview.objects.all(), user, f"enrolment__{ENROLMENT_SCOPE}")
    return get_object_or_404(qs.select_related("enrolment__household__community"), pk=pk)


# --------------------------------------------------------------------------------------------------
# Rolls


def roll_scope(*, user) -> QuerySet[PaymentRoll]:
    """Rolls of the counties in the user's scope (county officers and above; streets and communities have none)."""
    return scope_filter(PaymentRoll.objects.all(), user, "county__code")


# The columns the roll list sorts by (config.listing.sort_order).
ROLL_SORTS = {"month": "month", "county": "county_id", "program": "program", "status": "status"}


def roll_list(
    *,
    user,
    status: str = "",
    program: str = "",
    month: dt.date | None = None,
    county: str = "",
    sort: str = "",
) -> QuerySet[PaymentRoll]:
    """Rolls in scope, filtered by status, program, month and county, newest month first."""
    qs = roll_scope(user=user)
    if status in PaymentRoll.Status.values:
        qs = qs.filter(status=status)
    if program in Category.values:
        qs = qs.filter(program=program)
    if month is not None:
        qs = qs.filter(month=month)
    if county:
        qs = qs.filter(county_id=county)
    order = sort_order(sort, ROLL_SORTS, "-month")
    return qs.select_related("county", "locked_by").order_by(order[0], "county_id", "program", order[1])


def roll_get(*, user, pk: int) -> PaymentRoll:
    return get_object_or_404(roll_scope(user=user).select_related("county", "created_by", "locked_by"), pk=pk)


def roll_lines(*, roll: PaymentRoll, held: bool | None = None, query: str = "") -> QuerySet[PaymentLine]:
    qs = roll.lines.all()
    if held is not None:
        qs = qs.filter(held=held)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(id_number=query.upper()))
    return qs.order_by("id")


def counties_for(*, user) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(level=Region.Level.COUNTY), user, "code")


# --------------------------------------------------------------------------------------------------
# Reserve funds and temporary relief


def street_scope(*, user) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(level=Region.Level.STREET), user, "code")


def fund_list(*, user) -> QuerySet[ReserveFund]:
    return (
        scope_filter(ReserveFund.objects.all(), user, "street__code")
        .select_related("street")
        .order_by("street_id")
    )


def fund_street_get(*, user, code: str) -> Region:
    return get_object_or_404(street_scope(user=user), code=code)


def fund_ledger(*, street: Region) -> QuerySet[FundMovement]:
    return (
        FundMovement.objects.filter(fund__street=street)
        .select_related("actor", "grant__person")
        .order_by("-id")
    )


def relief_scope(*, user) -> QuerySet[ReliefGrant]:
    return scope_filter(ReliefGrant.objects.all(), user, "household__community__code")


# The columns the relief list sorts by (config.listing.sort_order).
RELIEF_SORTS = {
    "id": "id",
    "community": "household__community_id",
    "amount": "amount",
    "received_on": "received_on",
}


def relief_list(
    *,
    user,
    status: str = "",
    kind: str = "",
    community: str = "",
    month: dt.date | None = None,
    sort: str = "",
) -> QuerySet[ReliefGrant]:
    """Temporary relief in scope, filtered by status, kind, a county/street/community and the month received,
    sorted by one of RELIEF_SORTS (newest first)."""
    qs = narrow_to_region(relief_scope(user=user), community, "household__community__code")
    if status in ReliefGrant.Status.values:
        qs = qs.filter(status=status)
    if kind in ReliefGrant.Kind.values:
        qs = qs.filter(kind=kind)
    if month is not None:
        qs = qs.filter(received_on__gte=month, received_on__lt=add_months(month, 1))
    return qs.select_related("household__community", "person").order_by(
        *sort_order(sort, RELIEF_SORTS, "-id")
    )


def relief_queue(*, user) -> QuerySet[ReliefGrant]:
    """What waits for this user: the street's applications and answers, the county's decisions."""
    qs = relief_scope(user=user)
    desk = permissions.relief_desk(user)
    if desk == "street":
        qs = qs.filter(
            Q(status=ReliefGrant.Status.SUBMITTED)
            | Q(filing__in=[ReliefGrant.Filing.PENDING, ReliefGrant.Filing.QUERIED])
        )
    elif desk == "county":
        qs = qs.filter(status=ReliefGrant.Status.COUNTY_REVIEW)
    else:
        return qs.none()
    return qs.select_related("household__community", "person").order_by("id")


def relief_filed(*, user, filing: str = "") -> QuerySet[ReliefGrant]:
    """The filed (备案) list the county sees: grants its streets paid from their reserve funds."""
    qs = relief_scope(user=user).exclude(filing__in=["", ReliefGrant.Filing.PENDING])
    if filing in ReliefGrant.Filing.values and filing:
        qs = qs.filter(filing=filing)
    return qs.select_related("household__community__parent", "person", "decided_by").order_by(
        "-filed_at", "-id"
    )


def relief_get(*, user, pk: int) -> ReliefGrant:
    qs = relief_scope(user=user).select_related(
        "household__community__parent", "person", "decided_by", "fund", "created_by", "queried_by"
    )
    return get_object_or_404(qs, pk=pk)


def household_relief(*, household) -> list[ReliefGrant]:
    """The household's temporary relief, newest first (one query; the caller got the household in scope)."""
    return list(ReliefGrant.objects.filter(household=household).select_related("person").order_by("-id")[:50])


def county_tasks(*, user, status: str = "open", kind: str = "", community: str = "") -> QuerySet:
    """The county's tasks after confirmed facts (policy.md §8.3), in the user's scope, with what the page shows
    in a fixed number of queries."""
    qs = scope_filter(CountyTask.objects.all(), user, f"enrolment__{ENROLMENT_SCOPE}")
    qs = narrow_to_region(qs, community, f"enrolment__{ENROLMENT_SCOPE}")
    qs = qs.filter(status=CountyTask.Status.DONE if status == "done" else CountyTask.Status.OPEN)
    if kind in CountyTask.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.select_related("fact__person", "enrolment__household__community", "addressed_to").order_by(
        "due_on", "id"
    )


def relief_prior_grants(*, grant: ReliefGrant) -> list[dict]:
    """The same person's other temporary relief of the 12 months before this grant, across ALL streets and
    counties (the national rule forbids relieving the same need twice), oldest first.

    Deliberately not narrowed by accounts.scope: the approver must see grants made elsewhere. It returns only
    what the decision needs (when, where, how much, what became of it), never the other household's file.
    The person is matched by ID number, since another street files them under another household."""
    since = add_months(grant.received_on, -12)
    rows = (
        ReliefGrant.objects.filter(
            person__id_number=grant.person.id_number,
            received_on__gt=since,
            received_on__lte=grant.received_on,
            status__in=ReliefGrant.COUNTED,
        )
        .exclude(pk=grant.pk)
        .select_related("household__community__parent")
        .order_by("received_on", "id")
    )
    return [
        {
            "id": g.pk,
            "received_on": g.received_on.isoformat(),
            "street": g.household.community.parent.name if g.household.community.parent else "",
            "community": g.household.community.name,
            "kind": g.get_kind_display(),
            "amount": str(g.amount),
            "status": g.get_status_display(),
            "reason": g.reason[:60],
        }
        for g in rows
    ]


def correction_list(*, user, status: str = "", community: str = "") -> QuerySet[PaymentCorrection]:
    """Corrections of locked rolls in the user's scope (the wrong line's community), newest first."""
    qs = scope_filter(PaymentCorrection.objects.all(), user, "line__community_code")
    qs = narrow_to_region(qs, community, "line__community_code")
    if status in PaymentCorrection.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("line__roll", "requested_by", "decided_by", "roll").order_by("-id")


def correction_get(*, user, pk: int) -> PaymentCorrection:
    return get_object_or_404(correction_list(user=user), pk=pk)
