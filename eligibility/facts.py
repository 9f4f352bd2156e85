"""The typed boundary into the rules from stored records (issue 19 item 5).

`household_from_models` is the ONE function that turns a stored household and its members into the
frozen `rules.Household` the rules read; `eligibility.io.parse_request` is the one that does it from the
§7 JSON. `household_to_json` writes a typed household back as the §7 `household` object (the snapshot
benefits keeps with each period and re-evaluates later), so both directions go through the same types.

The stored objects are read by attribute only (a `cases.models.Household` with `members`, or a row about
to be written that has the same attributes), so this module imports no model.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from common import idnumber
from eligibility import rules


class _Members(Protocol):
    def all(self) -> Iterable[Any]: ...


class StoredHousehold(Protocol):
    """What is read of a stored household."""

    financial_assets: Decimal
    vehicles: int
    houses: int
    business: bool
    monthly_rigid_expenditure: Decimal
    hardship_causes: list[str] | None
    members: _Members


def _member(person: Any) -> rules.Member:
    kind = person.disability_kind or None
    return rules.Member(
        id_number=person.id_number,
        birth_date=person.birth_date,
        sex=getattr(person, "sex", None) or idnumber.parse(person.id_number).sex,
        monthly_income=Decimal(person.monthly_income),
        relation=person.relation or None,
        labor_capacity=person.labor_capacity,
        disability_grade=int(person.disability_grade),
        disability_kind=kind if person.disability_grade else None,
        self_care=person.self_care,
        has_able_supporter=bool(person.has_able_supporter),
        supporter_unable_reason=(person.supporter_unable_reason or "").strip() or None,
        orphan=person.orphan or None,
        newly_employed_since=person.newly_employed_since,
    )


def household_from_models(
    household: StoredHousehold, members: Iterable[Any] | None = None
) -> rules.Household:
    """The rules' household for a stored one; `members` defaults to `household.members.all()` (prefetch
    them for a batch). Empty stored values are unknown (None), never guessed."""
    people = household.members.all() if members is None else members
    return rules.Household(
        members=tuple(_member(p) for p in people),
        property=rules.Property(
            financial_assets=Decimal(household.financial_assets),
            vehicles=int(household.vehicles),
            houses=int(household.houses),
            business=bool(household.business),
        ),
        monthly_rigid_expenditure=Decimal(household.monthly_rigid_expenditure),
        hardship_causes=tuple(household.hardship_causes or ()),
    )


def _money(value: Decimal) -> str:
    """An amount as the database holds it (two decimals), so a snapshot compares equal read back or not."""
    return str(value.quantize(rules.CENT))


def household_to_json(household: rules.Household) -> dict[str, Any]:
    """The §7 `household` object for a typed household. The version-2 member fields are written only when
    set (the contract's default for an omitted one is null), so a snapshot taken before version 2 still
    compares equal for a member who has none of them."""
    members = []
    for m in household.members:
        out: dict[str, Any] = {
            "id_number": m.id_number,
            "relation": m.relation,
            "monthly_income": _money(m.monthly_income),
            "labor_capacity": m.labor_capacity,
            "disability_grade": m.disability_grade,
            "self_care": m.self_care,
            "has_able_supporter": m.has_able_supporter,
            "orphan": m.orphan,
            "newly_employed_since": m.newly_employed_since.isoformat() if m.newly_employed_since else None,
        }
        if m.disability_kind is not None:
            out["disability_kind"] = m.disability_kind
        if m.supporter_unable_reason is not None:
            out["supporter_unable_reason"] = m.supporter_unable_reason
        members.append(out)
    prop = household.property
    return {
        "members": members,
        "property": {
            "financial_assets": _money(prop.financial_assets),
            "vehicles": prop.vehicles,
            "houses": prop.houses,
            "business": prop.business,
        },
        "monthly_rigid_expenditure": _money(household.monthly_rigid_expenditure),
        "hardship_causes": list(household.hardship_causes),
    }
