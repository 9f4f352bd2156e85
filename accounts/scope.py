"""The one place that decides which records a user may see and change.

Every selector, page, export and API endpoint narrows its querysets through `scope_filter`, and every
write checks `can_write_region`. Scope follows the division code: a user sees exactly the records whose
community code starts with their region's prefix.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import PROVINCE_CODE, Region, User

ALL = ""  # the prefix every code starts with


def region_prefix(user) -> str | None:
    """The code prefix a user may read, ALL for everything, or None for nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser or user.role == User.Role.AUDITOR:
        return ALL
    if user.role == "department":  # a department API client: its region limit, else the province
        region = user.client.region
        return Region.prefix_of(region.code, region.level) if region else Region.prefix_of(PROVINCE_CODE, 1)
    if not user.role or user.region_id is None:
        return None
    level = User.ROLE_LEVEL.get(user.role)
    if level is None:
        return None
    return Region.prefix_of(user.region_id, level)


def scope_filter(qs: QuerySet, user, field: str = "community__code") -> QuerySet:
    """Narrow `qs` to the records in the user's scope. `field` is a lookup path ending in a region
    code ("community__code", "household__community__code", "region__code"); a foreign key to Region
    must be followed to its `code`, since startswith is not a lookup on the key itself."""
    prefix = region_prefix(user)
    if prefix is None:
        return qs.none()
    if prefix == ALL:
        return qs
    if field.endswith("_id"):  # "community_id" → "community__code": same column, no join
        field = field[: -len("_id")] + "__code"
    return qs.filter(**{f"{field}__startswith": prefix})


def in_scope(user, code: str | None) -> bool:
    prefix = region_prefix(user)
    return prefix is not None and code is not None and code.startswith(prefix)


def can_write_region(user, community_code: str | None) -> bool:
    """Case data is written only by caseworkers in their own community (auditors never write)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role != User.Role.CASEWORKER:
        return False
    return in_scope(user, community_code)


def communities_for(user) -> QuerySet:
    """The communities a user may file records in."""
    qs = Region.objects.filter(level=Region.Level.COMMUNITY)
    if user.role != User.Role.CASEWORKER:
        return qs.none()
    return scope_filter(qs, user, "code")


def filter_communities(user) -> QuerySet:
    """The communities a list page offers in its region filter (县→街道→社区 picker): those in the user's scope,
    with their street and county for the picker's first two boxes (one query)."""
    return (
        scope_filter(Region.objects.filter(level=Region.Level.COMMUNITY), user, "code")
        .select_related("parent__parent")
        .order_by("code")
    )


def narrow_to_region(qs: QuerySet, code: str | None, field: str = "community__code") -> QuerySet:
    """A list's region filter (a county, street or community the user picked), applied on top of scope_filter:
    it can only narrow what the user already sees. An unknown code matches nothing."""
    if not code:
        return qs
    prefix = Region.objects.filter(code=code).values_list("prefix", flat=True).first()
    if prefix is None:
        return qs.none()
    return qs.filter(**{f"{field}__startswith": prefix})
