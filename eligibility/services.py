"""Eligibility for the rest of the product: evaluate a stored household with the §7 contract.

The household goes into the rules through the typed boundary (`eligibility.facts.household_from_models`),
not through hand-built JSON; the answer is the same §7 response object the command and the API give.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from config.errors import ServiceError
from eligibility import io
from eligibility.facts import StoredHousehold, household_from_models, household_to_json
from eligibility.standards import StandardsLookup


def _plain(value: Any) -> Any:
    """Overrides as a JSON client would send them (Decimal → text, dates → ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def household_request(
    *, household: Any, as_of: dt.date, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The §7 request for a cases.models.Household (members from household.members.all()), for callers
    that keep or send the JSON (snapshots, exports); built from the typed household."""
    return {
        "region": household.community_id,
        "as_of": as_of.isoformat(),
        "standards": {k: _plain(v) for k, v in (overrides or {}).items()},
        "household": household_to_json(household_from_models(household)),
    }


def determine_household(
    *,
    household: Any,
    as_of: dt.date,
    overrides: dict[str, Any] | None = None,
    lookup: StandardsLookup | None = None,
) -> dict[str, Any]:
    """Categories, amounts and trace for a stored household on `as_of` (same dict as evaluate_request).

    The standards are those of the household's community, field by field up to the province. Raises
    ServiceError with field errors (e.g. "standards": no standard for the year; "standards.min_wage":
    unknown but needed; "household.members[1].has_able_supporter": the supporter check).
    """
    stored: StoredHousehold = household
    people = list(household.members.all())
    request = io.parse_request(
        {
            "region": household.community_id,
            "as_of": as_of.isoformat(),
            "standards": {k: _plain(v) for k, v in (overrides or {}).items()},
        },
        lookup=lookup,
        household=household_from_models(stored, people),
    )
    try:
        return io.result_to_dict(io.evaluate_parsed(request))
    except ServiceError as exc:
        raise ServiceError(errors=_named(exc.errors, people), code=exc.code) from None


def _named(errors: list[dict[str, str]], people: list[Any]) -> list[dict[str, str]]:
    """An error on household.members[i] starts with that member's name (a stored household has names)."""
    out = []
    for error in errors:
        field = error["field"]
        if field.startswith("household.members[") and "]" in field:
            index = int(field[len("household.members[") : field.index("]")])
            if index < len(people):
                error = {**error, "message": f"{people[index].name}：{error['message']}"}
        out.append(error)
    return out
