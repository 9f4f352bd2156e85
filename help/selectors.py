"""Reads for help beyond money (leads, pairings, job help, students, charity), always narrowed to the user's
region by accounts.scope. Lists run a constant number of queries whatever their length."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.scope import ALL, narrow_to_region, region_prefix, scope_filter
from applications.selectors import region_chain
from benefits.models import Enrolment
from common.dates import add_months, age_on
from config.listing import sort_order
from eligibility.ages import is_working_age, working_age_births
from help.models import (
    AidKind,
    AidMatch,
    AidNeed,
    AidOffer,
    EmploymentChange,
    JobSupport,
    Lead,
    LeadVisit,
    Pairing,
    PairingVisit,
    SchoolRecord,
    StudentAid,
)
from households.models import Household, Person
from workcalendar.calendar import work_calendar

HOUSEHOLD = "household__community__code"
PERSON = "person__household__community__code"
# A paired household is visited at least once a quarter; a pairing without a visit for longer shows up.
PAIRING_VISIT_DAYS = 90
EMPLOYED = (Person.Employment.EMPLOYED, Person.Employment.FLEXIBLE)


def _heads_on(path: str = "members") -> Prefetch:
    """The head of each household, as `heads` (a list of one) on the household."""
    return Prefetch(path, queryset=Person.objects.filter(relation=Person.Relation.HEAD), to_attr="heads")


def enrolled() -> Exists:
    """The household has an enrolment that is not exited (paying, in 渐退 or suspended)."""
    return Exists(Enrolment.objects.filter(household=OuterRef("pk")).exclude(status=Enrolment.Status.EXITED))


def head_of(household: Household) -> Person | None:
    heads = getattr(household, "heads", None)
    return heads[0] if heads else None


# --------------------------------------------------------------------------------------------------
# 主动发现


def lead_scope(*, user) -> QuerySet[Lead]:
    return scope_filter(Lead.objects.all(), user, "community__code")


# The columns the lead list sorts by (config.listing.sort_order).
LEAD_SORTS = {
    "id": "id",
    "community": "community_id",
    "reported_on": "reported_on",
    "visit_due_on": "visit_due_on",
}


def lead_list(
    *,
    user,
    status: str = "open",
    source: str = "",
    community: str = "",
    month: dt.date | None = None,
    deadline: str = "",
    today: dt.date | None = None,
    sort: str = "",
) -> QuerySet[Lead]:
    """Leads in scope, filtered by status, source, a county/street/community, the month reported and the first
    visit's deadline ("overdue", or "soon": within three days, not yet visited), sorted by one of LEAD_SORTS."""
    qs = narrow_to_region(lead_scope(user=user), community, "community__code")
    if month is not None:
        qs = qs.filter(reported_on__gte=month, reported_on__lt=add_months(month, 1))
    if deadline and today is not None:
        qs = qs.filter(status=Lead.Status.OPEN)
        if deadline == "overdue":
            qs = qs.filter(visit_due_on__lt=work_calendar().overdue_cutoff(today))
        elif deadline == "soon":
            qs = qs.filter(visit_due_on__gte=today, visit_due_on__lte=today + dt.timedelta(days=3))
    if status == "open":
        qs = qs.filter(status__in=Lead.OPEN_STATUSES)
    elif status in Lead.Status.values:
        qs = qs.filter(status=status)
    if source in Lead.Source.values:
        qs = qs.filter(source=source)
    return qs.select_related("community", "api_client").order_by(*sort_order(sort, LEAD_SORTS, "-id"))


def lead_overdue(*, user, today: dt.date) -> QuerySet[Lead]:
    """Leads not visited by their quick-response deadline, most overdue first."""
    qs = lead_scope(user=user).filter(
        status=Lead.Status.OPEN, visit_due_on__lt=work_calendar().overdue_cutoff(today)
    )
    return qs.select_related("community", "api_client").order_by("visit_due_on", "id")


def lead_counts(*, user, today: dt.date) -> dict[str, int]:
    return lead_scope(user=user).aggregate(
        open=Count("id", filter=Q(status__in=Lead.OPEN_STATUSES)),
        overdue=Count(
            "id",
            filter=Q(status=Lead.Status.OPEN, visit_due_on__lt=work_calendar().overdue_cutoff(today)),
        ),
        converted=Count("id", filter=Q(status=Lead.Status.CONVERTED)),
    )


def annotate_leads(leads: Iterable[Lead], today: dt.date) -> list[Lead]:
    """Attach `overdue_days` (working days past the first-visit deadline of an unvisited lead); no queries."""
    out, calendar = [], work_calendar()
    for lead in leads:
        lead.overdue_days = (
            calendar.working_days_after(lead.visit_due_on, today) if lead.status == Lead.Status.OPEN else 0
        )
        out.append(lead)
    return out


def lead_get(*, user, pk: int) -> Lead:
    qs = lead_scope(user=user).select_related(
        "community__parent", "household", "person", "application", "api_client", "created_by"
    )
    qs = qs.prefetch_related(Prefetch("visits", queryset=LeadVisit.objects.select_related("recorded_by")))
    return get_object_or_404(qs, pk=pk)


def lead_history(*, lead: Lead) -> list:
    return list(lead.history.select_related("history_user").order_by("-history_date", "-history_id"))


# --------------------------------------------------------------------------------------------------
# 结对帮扶


def pairing_scope(*, user) -> QuerySet[Pairing]:
    return scope_filter(Pairing.objects.all(), user, HOUSEHOLD)


def _pairing_rows(qs: QuerySet[Pairing]) -> QuerySet[Pairing]:
    return (
        qs.select_related("household__community")
        .prefetch_related(_heads_on("household__members"))
        .annotate(last_visit=Max("visits__visited_on"), visit_count=Count("visits"))
    )


def pairing_list(*, user, status: str = "active") -> QuerySet[Pairing]:
    qs = pairing_scope(user=user)
    if status in Pairing.Status.values:
        qs = qs.filter(status=status)
    return _pairing_rows(qs).order_by("-id")


def pairing_cutoff(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=PAIRING_VISIT_DAYS)


def pairings_without_recent_visit(*, user, today: dt.date) -> QuerySet[Pairing]:
    """Active pairings whose last visit (or, without one, the pairing itself) is older than PAIRING_VISIT_DAYS."""
    qs = _pairing_rows(pairing_scope(user=user).filter(status=Pairing.Status.ACTIVE))
    return (
        qs.annotate(since=Coalesce(Max("visits__visited_on"), "started_on"))
        .filter(since__lt=pairing_cutoff(today))
        .order_by("since", "id")
    )


def households_without_pairing(*, user) -> QuerySet[Household]:
    """Enrolled households of the user's area that no one is paired with."""
    active = Pairing.objects.filter(household=OuterRef("pk"), status=Pairing.Status.ACTIVE)
    qs = scope_filter(Household.objects.all(), user, "community__code")
    return (
        qs.filter(enrolled())
        .exclude(Exists(active))
        .select_related("community")
        .prefetch_related(_heads_on())
        .order_by("id")
    )


def pairing_counts(*, user, today: dt.date) -> dict[str, int]:
    return {
        "active": pairing_scope(user=user).filter(status=Pairing.Status.ACTIVE).count(),
        "stale": pairings_without_recent_visit(user=user, today=today).count(),
        "unpaired": households_without_pairing(user=user).count(),
    }


def pairing_get(*, user, pk: int) -> Pairing:
    qs = (
        pairing_scope(user=user)
        .select_related("household__community", "created_by")
        .prefetch_related(
            _heads_on("household__members"),
            Prefetch(
                "visits",
                queryset=PairingVisit.objects.select_related("recorded_by").order_by("-visited_on", "-id"),
            ),
        )
    )
    return get_object_or_404(qs, pk=pk)


# --------------------------------------------------------------------------------------------------
# 就业帮扶


def able_to_work(person: Person, today: dt.date, in_school: bool = False) -> bool:
    """Of working age, with (partial) labour capacity, not a student or retired, not in school."""
    if in_school or person.labor_capacity == Person.Labor.NONE:
        return False
    if person.employment in (Person.Employment.STUDENT, Person.Employment.RETIRED):
        return False
    return is_working_age(age_on(person.birth_date, today))


def able_q(today: dt.date, prefix: str = "") -> Q:
    """`able_to_work` as a query on Person (prefix it to use it from another model)."""
    p = prefix
    born_after, born_by = working_age_births(today)
    return (
        Q(**{f"{p}labor_capacity__in": [Person.Labor.FULL, Person.Labor.PARTIAL]})
        & ~Q(**{f"{p}employment__in": [Person.Employment.STUDENT, Person.Employment.RETIRED]})
        & Q(**{f"{p}birth_date__gt": born_after, f"{p}birth_date__lte": born_by})
        & ~Q(**{f"{p}school_record__status": SchoolRecord.Status.IN_SCHOOL})
    )


def zero_employment(members: Iterable[Person], today: dt.date, in_school_ids: Iterable[int] = ()) -> bool:
    """零就业家庭: someone could work, and no one does."""
    members, in_school = list(members), set(in_school_ids)
    return any(able_to_work(m, today, m.pk in in_school) for m in members) and not any(
        m.employment in EMPLOYED for m in members
    )


def zero_employment_households(*, user, today: dt.date) -> QuerySet[Household]:
    """Enrolled households of the user's area with a member able to work and no one at work."""
    members = Person.objects.filter(household=OuterRef("pk"))
    qs = scope_filter(Household.objects.all(), user, "community__code")
    return (
        qs.filter(enrolled(), Exists(members.filter(able_q(today))))
        .exclude(Exists(members.filter(employment__in=EMPLOYED)))
        .select_related("community")
        .prefetch_related(_heads_on())
        .order_by("id")
    )


def able_members(*, user, today: dt.date, employment: str = "") -> QuerySet[Person]:
    """Members able to work in enrolled households of the user's area, with their job status and help."""
    qs = scope_filter(Person.objects.all(), user, "household__community__code")
    enrolled_household = Exists(
        Enrolment.objects.filter(household=OuterRef("household_id")).exclude(status=Enrolment.Status.EXITED)
    )
    qs = qs.filter(able_q(today), enrolled_household)
    if employment in Person.Employment.values:
        qs = qs.filter(employment=employment)
    return (
        qs.select_related("household__community")
        .annotate(
            support_count=Count("job_supports", distinct=True), last_support=Max("job_supports__on_date")
        )
        .order_by("household_id", "id")
    )


def job_counts(*, user, today: dt.date) -> dict[str, int]:
    return {
        "zero": zero_employment_households(user=user, today=today).count(),
        "able": able_members(user=user, today=today).count(),
        "unemployed": able_members(user=user, today=today).exclude(employment__in=EMPLOYED).count(),
    }


def person_get(*, user, pk: int) -> Person:
    qs = scope_filter(Person.objects.all(), user, "household__community__code")
    qs = qs.select_related("household__community").prefetch_related(
        Prefetch(
            "employment_changes",
            queryset=EmploymentChange.objects.select_related("recorded_by").order_by("-on_date", "-id"),
        ),
        Prefetch("job_supports", queryset=JobSupport.objects.select_related("recorded_by")),
        Prefetch("household__members", queryset=Person.objects.order_by("id")),
    )
    return get_object_or_404(qs, pk=pk)


# --------------------------------------------------------------------------------------------------
# 在校学生


def student_scope(*, user) -> QuerySet[SchoolRecord]:
    return scope_filter(SchoolRecord.objects.all(), user, PERSON)


def student_list(*, user, status: str = SchoolRecord.Status.IN_SCHOOL) -> QuerySet[SchoolRecord]:
    qs = student_scope(user=user)
    if status in SchoolRecord.Status.values:
        qs = qs.filter(status=status)
    return (
        qs.select_related("person__household__community")
        .annotate(
            enrolled=Exists(
                Enrolment.objects.filter(household=OuterRef("person__household_id")).exclude(
                    status=Enrolment.Status.EXITED
                )
            )
        )
        .prefetch_related(Prefetch("aids", queryset=StudentAid.objects.order_by("school_year", "id")))
        .order_by("-updated_at", "-id")
    )


def student_get(*, user, pk: int) -> SchoolRecord:
    qs = (
        student_scope(user=user)
        .select_related("person__household__community", "recorded_by")
        .prefetch_related(
            Prefetch(
                "aids",
                queryset=StudentAid.objects.select_related("recorded_by").order_by("-school_year", "id"),
            )
        )
    )
    return get_object_or_404(qs, pk=pk)


def students_for_department(*, principal, changed_since: dt.datetime | None = None) -> QuerySet[SchoolRecord]:
    """The education department's list (五(四)): students of households that are or were enrolled, in the
    client's region; `covered` says whether the household is enrolled now. With `changed_since`, only the
    students whose record, aid or household coverage changed since then."""
    ever = Enrolment.objects.filter(household=OuterRef("person__household_id"))
    current = ever.exclude(status=Enrolment.Status.EXITED)
    qs = scope_filter(SchoolRecord.objects.all(), principal, PERSON).filter(Exists(ever))
    if changed_since is not None:
        coverage_changed = Enrolment.history.filter(
            household_id=OuterRef("person__household_id"), history_date__gte=changed_since
        )
        qs = qs.filter(Q(updated_at__gte=changed_since) | Exists(coverage_changed))
    category = current.order_by("pk").values("category")[:1]
    return (
        qs.annotate(covered=Exists(current), category=Subquery(category))
        .select_related("person__household__community")
        .prefetch_related(Prefetch("aids", queryset=StudentAid.objects.order_by("school_year", "id")))
    )


# --------------------------------------------------------------------------------------------------
# 社会力量帮扶


def offer_scope(*, user) -> QuerySet[AidOffer]:
    """Offers registered in the user's area (accounts.scope), and those of the regions above it, whose offers
    cover the area too: a caseworker matches the county's offers. Offers hold no personal data."""
    prefix = region_prefix(user)
    if prefix is None:
        return AidOffer.objects.none()
    if prefix == ALL:
        return AidOffer.objects.all()
    above = region_chain(user.region_id) if getattr(user, "region_id", None) else []
    return AidOffer.objects.filter(Q(region__code__startswith=prefix) | Q(region_id__in=above))


def offer_list(*, user, status: str = AidOffer.Status.OPEN) -> QuerySet[AidOffer]:
    qs = offer_scope(user=user)
    if status in AidOffer.Status.values:
        qs = qs.filter(status=status)
    taken = Count("matches", filter=~Q(matches__status=AidMatch.Status.CANCELLED))
    return qs.select_related("region").annotate(taken=taken).order_by("-id")


def offer_get(*, user, pk: int) -> AidOffer:
    taken = Count("matches", filter=~Q(matches__status=AidMatch.Status.CANCELLED))
    qs = offer_scope(user=user).select_related("region", "registered_by").annotate(taken=taken)
    return get_object_or_404(qs, pk=pk)


def offer_matches(*, user, offer: AidOffer) -> QuerySet[AidMatch]:
    """The offer's matches with households the user may see (a county offer is matched across communities)."""
    return (
        match_scope(user=user)
        .filter(offer=offer)
        .select_related("household__community", "need", "matched_by")
        .prefetch_related(_heads_on("household__members"))
        .order_by("-id")
    )


def need_scope(*, user) -> QuerySet[AidNeed]:
    return scope_filter(AidNeed.objects.all(), user, HOUSEHOLD)


def need_list(*, user, status: str = AidNeed.Status.PUBLISHED) -> QuerySet[AidNeed]:
    qs = need_scope(user=user)
    if status in AidNeed.Status.values:
        qs = qs.filter(status=status)
    return (
        qs.select_related("household__community")
        .prefetch_related(_heads_on("household__members"))
        .order_by("-id")
    )


def need_get(*, user, pk: int) -> AidNeed:
    return get_object_or_404(need_scope(user=user).select_related("household__community"), pk=pk)


def public_needs(*, kind: str = "") -> QuerySet:
    """The published needs for the public page: only what may be shown (no household, person or address)."""
    qs = AidNeed.objects.filter(status=AidNeed.Status.PUBLISHED)
    if kind in AidKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_on", "-id").values(
        "pk",
        "kind",
        "description",
        "amount_needed",
        "published_on",
        "household__community__name",
        "household__community__parent__name",
    )


def match_scope(*, user) -> QuerySet[AidMatch]:
    return scope_filter(AidMatch.objects.all(), user, HOUSEHOLD)


def match_list(*, user, status: str = AidMatch.Status.MATCHED) -> QuerySet[AidMatch]:
    qs = match_scope(user=user)
    if status in AidMatch.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("household__community", "offer").order_by("-id")


def match_get(*, user, pk: int) -> AidMatch:
    qs = match_scope(user=user).select_related("household__community", "offer__region", "need", "matched_by")
    return get_object_or_404(qs, pk=pk)


def charity_counts(*, user) -> dict[str, int]:
    return {
        "offers": offer_scope(user=user).filter(status=AidOffer.Status.OPEN).count(),
        "needs": need_scope(user=user).filter(status=AidNeed.Status.PUBLISHED).count(),
        "pending": match_scope(user=user).filter(status=AidMatch.Status.MATCHED).count(),
    }


# --------------------------------------------------------------------------------------------------
# The household page


def household_help(*, household: Household, today: dt.date) -> dict:
    """What the household page shows of help beyond money (the caller has checked scope on the household)."""
    members = list(household.members.all())
    in_school = (
        SchoolRecord.objects.filter(person__household=household)
        .select_related("person")
        .prefetch_related(Prefetch("aids", queryset=StudentAid.objects.order_by("-school_year", "id")))
    )
    schools = list(in_school)
    is_enrolled = (
        Enrolment.objects.filter(household=household).exclude(status=Enrolment.Status.EXITED).exists()
    )
    in_school_ids = {s.person_id for s in schools if s.status == SchoolRecord.Status.IN_SCHOOL}
    pairings = list(household.pairings.annotate(last_visit=Max("visits__visited_on")).order_by("-id"))
    return {
        "leads": list(Lead.objects.filter(household=household).order_by("-id")),
        "pairings": pairings,
        "active_pairing": next((p for p in pairings if p.status == Pairing.Status.ACTIVE), None),
        "changes": list(
            EmploymentChange.objects.filter(person__household=household)
            .select_related("person")
            .order_by("-on_date", "-id")
        ),
        "supports": list(JobSupport.objects.filter(person__household=household).select_related("person")),
        "schools": schools,
        "needs": list(household.aid_needs.order_by("-id")),
        "matches": list(household.aid_matches.select_related("offer").order_by("-id")),
        "enrolled": is_enrolled,
        "zero_employment": is_enrolled and zero_employment(members, today, in_school_ids),
        "able_ids": {m.pk for m in members if able_to_work(m, today, m.pk in in_school_ids)},
    }
