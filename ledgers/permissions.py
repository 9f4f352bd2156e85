"""Who may do what with extracts, runs and review tasks. Scope itself comes from `accounts.scope`.

* County, city and province officers upload extracts for their region (or a county/city inside it),
  decide whether to load them, and start or restart runs for their region or a county/city inside it.
* Street officers and above, and auditors, read run reports within their scope.
* Caseworkers resolve the review tasks of their community; a task that is not tied to a community (a
  person a department lists whom we do not know) is resolved by the officers whose scope holds its
  region (the county office, or the province for a province-wide list without regions).
* Department API clients upload and decide on their own extracts only (see `ledgers.api`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.api_auth import DepartmentPrincipal
from accounts.models import Region, User
from accounts.scope import in_scope, scope_filter

OFFICERS = (User.Role.COUNTY, User.Role.CITY, User.Role.PROVINCE)
READERS = (User.Role.STREET, User.Role.COUNTY, User.Role.CITY, User.Role.PROVINCE, User.Role.AUDITOR)


def _staff(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and not isinstance(user, DepartmentPrincipal)
    )


def is_officer(user) -> bool:
    return _staff(user) and user.role in OFFICERS


def officer_regions(user) -> QuerySet[Region]:
    """Counties, cities or the province an officer may upload for and reconcile: their own region and
    those of level county or above inside it."""
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    if not is_officer(user):
        return qs.none()
    return scope_filter(qs, user, "code")


def can_act_for_region(user, region: Region | None) -> bool:
    return (
        region is not None
        and is_officer(user)
        and region.level <= Region.Level.COUNTY
        and in_scope(user, region.code)
    )


def can_read_reports(user) -> bool:
    return _staff(user) and (user.role in READERS or user.is_superuser)


def can_decide_extract(principal, extract) -> bool:
    """The side that uploaded: the same department client, or an officer whose scope holds the region."""
    if isinstance(principal, DepartmentPrincipal):
        return extract.client_id == principal.client.pk
    return is_officer(principal) and in_scope(principal, extract.region_id)


def can_review(user, task) -> bool:
    if not _staff(user):
        return False
    code = task.region_id
    community = len(code) == 12 and not code.endswith("000")
    if user.role == User.Role.CASEWORKER:
        return community and in_scope(user, code)
    if user.role in OFFICERS:
        return not community and in_scope(user, code)
    return False
