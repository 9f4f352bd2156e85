"""Eligibility for the rest of the product: evaluate a stored household with the §7 contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from eligibility.io import evaluate_request
from eligibility.standards import StandardsLookup


def _plain(value: Any) -> Any:
    """Overrides as a JSON client would send them (Decimal → text, dates → ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def household_request(
    *, household, as_of: dt.date, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The §7 request for a cases.models.Household (members from household.members.all())."""
    members = [
        {
            "id_number": p.id_number,
            "relation": p.relation,
            "monthly_income": str(p.monthly_income),
            "labor_capacity": p.labor_capacity,
            "disability_grade": p.disability_grade,
            "self_care": p.self_care,
            "has_able_supporter": p.has_able_supporter,
            "orphan": p.orphan or None,
            "newly_employed_since": p.newly_employed_since.isoformat() if p.newly_employed_since else None,
        }
        for p in household.members.all()
    ]
    return {
        "region": household.community_id,
        "as_of": as_of.isoformat(),
        "standards": {k: _plain(v) for k, v in (overrides or {}).items()},
        "household": {
            "members": members,
            "property": {
                "financial_assets": str(household.financial_assets),
                "vehicles": household.vehicles,
                "houses": household.houses,
                "business": household.business,
            },
            "monthly_rigid_expenditure": str(household.monthly_rigid_expenditure),
            "hardship_causes": list(household.hardship_causes or []),
        },
    }


def determine_household(
    *,
    household,
    as_of: dt.date,
    overrides: dict[str, Any] | None = None,
    lookup: StandardsLookup | None = None,
) -> dict[str, Any]:
    """Categories, amounts and trace for a stored household on `as_of` (same dict as evaluate_request).

    The standards are those of the household's community, walking up to the province. Raises ServiceError
    with field errors (e.g. "standards": no standard for the year; "standards.min_wage": unknown but needed).
    """
    return evaluate_request(
        household_request(household=household, as_of=as_of, overrides=overrides), lookup=lookup
    )
