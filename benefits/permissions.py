"""Who may do what in benefits. Scope itself is decided only by accounts.scope; these add the role.

Full ID numbers in rolls and their bank exports: county officers of the roll's county (they send the roll to
the bank, which needs the full number) and superusers. Everyone else who may read a roll (city and province
officers, auditors) sees masked numbers (3601**********123X): they oversee totals, not payees.
"""

from __future__ import annotations

from accounts.models import User
from accounts.scope import can_write_region, in_scope


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_county_officer_for(user, code: str | None) -> bool:
    return _active(user) and user.role == User.Role.COUNTY and in_scope(user, code)


def is_street_officer_for(user, code: str | None) -> bool:
    return _active(user) and user.role == User.Role.STREET and in_scope(user, code)


def can_recompute(user, community_code: str) -> bool:
    """The caseworker of the community (who records the change) or the county officer."""
    return can_write_region(user, community_code) or is_county_officer_for(user, community_code)


def can_decide_enrolment(user, community_code: str) -> bool:
    """Exit, suspend, resume: the county office that approves enrolments decides their end too."""
    return is_county_officer_for(user, community_code)


def can_manage_roll(user, county_code: str) -> bool:
    return _active(user) and user.role == User.Role.COUNTY and user.region_id == county_code


def sees_full_ids(user, county_code: str) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or is_county_officer_for(user, county_code)


def can_apply_relief(user, community_code: str) -> bool:
    """The community caseworker, or the street office's unified window (统一受理窗口)."""
    return can_write_region(user, community_code) or is_street_officer_for(user, community_code)
