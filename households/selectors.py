"""Reads of households and persons, always narrowed to the user's region by accounts.scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.scope import narrow_to_region, scope_filter
from common import idnumber
from common.dates import add_months
from config.listing import sort_order
from households.models import Household, Person


def household_scope(*, user) -> QuerySet[Household]:
    return scope_filter(Household.objects.all(), user, "community__code")


def person_scope(*, user) -> QuerySet[Person]:
    return scope_filter(Person.objects.all(), user, "household__community__code")


# The columns the household list sorts by (config.listing.sort_order).
HOUSEHOLD_SORTS = {
    "id": "id",
    "community": "community_id",
    "members": "member_count",
    "created_at": "created_at",
}


def household_list(
    *,
    user,
    query: str = "",
    community: str = "",
    month: dt.date | None = None,
    housing: str = "",
    sort: str = "",
) -> QuerySet[Household]:
    """Households in scope, each with its head and member count in a constant number of queries. `query`
    matches a member's name (part) or a full ID number; `community` narrows to a county, street or community;
    `month` to the households filed (建档) that month; sorted by one of HOUSEHOLD_SORTS (newest first)."""
    qs = narrow_to_region(household_scope(user=user), community, "community__code")
    if month is not None:
        qs = qs.filter(created_at__date__gte=month, created_at__date__lt=add_months(month, 1))
    if housing in Household.Housing.values:
        qs = qs.filter(housing=housing)
    query = (query or "").strip()
    if query:
        if len(query) == 18 and idnumber.is_valid(query.upper()):
            match = Person.objects.filter(household=OuterRef("pk"), id_number=query.upper())
        else:
            match = Person.objects.filter(household=OuterRef("pk"), name__contains=query)
        qs = qs.filter(Exists(match))
    heads = Person.objects.filter(relation=Person.Relation.HEAD)
    return (
        qs.select_related("community")
        .annotate(member_count=Count("members"))
        .prefetch_related(Prefetch("members", queryset=heads, to_attr="heads"))
        .order_by(*sort_order(sort, HOUSEHOLD_SORTS, "-id"))
    )


def household_get(*, user, pk: int) -> Household:
    """One household in scope with its members, or 404 (out of scope looks like not found)."""
    qs = (
        household_scope(user=user)
        .select_related("community__parent__parent")
        .prefetch_related(Prefetch("members", queryset=Person.objects.order_by("id")))
    )
    return get_object_or_404(qs, pk=pk)


def household_history(*, household: Household) -> list[dict]:
    """The household's and its members' recorded changes, newest first, with field diffs."""
    entries = []
    h_hist = list(household.history.select_related("history_user").order_by("history_date"))
    p_hist = list(
        Person.history.filter(household_id=household.pk)
        .select_related("history_user")
        .order_by("history_date")
    )
    for records, label in ((h_hist, "家庭"), (p_hist, "成员")):
        previous: dict = {}
        for rec in records:
            key = getattr(rec, "id", None)
            prev = previous.get(key)
            changes = []
            if prev is not None:
                delta = rec.diff_against(prev)
                for change in delta.changes:
                    field = rec.instance._meta.get_field(change.field)
                    changes.append({"field": str(field.verbose_name), "old": change.old, "new": change.new})
            previous[key] = rec
            entries.append(
                {
                    "at": rec.history_date,
                    "user": rec.history_user,
                    "kind": {"+": "新建", "~": "修改", "-": "删除"}[rec.history_type],
                    "what": label if label == "家庭" else f"成员 {rec.name}",
                    "changes": changes,
                }
            )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries


def household_summary(*, user) -> dict:
    qs = household_scope(user=user)
    return {"households": qs.count(), "persons": person_scope(user=user).count()}
