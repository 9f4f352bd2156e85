"""Builders for eligibility tests: valid ID numbers, members, households, standards and §7 requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from common.idnumber import check_char
from eligibility import rules

AS_OF = dt.date(2018, 6, 1)

# The 2018 Jiangxi figures (seed) plus the local values the seed leaves open, filled for tests.
JX2018 = rules.Standards(
    region="360000",
    year=2018,
    dibao=Decimal("580"),
    subsidy_target=Decimal("380"),
    tekun=Decimal("755"),
    care_ratio_full=Decimal("0.80"),
    care_ratio_semi=Decimal("0.20"),
    min_wage=Decimal("1680"),
    orphan_scattered=Decimal("800"),
    orphan_institutional=Decimal("1200"),
    disability_living=Decimal("60"),
    disability_care=Decimal("70"),
    zhichu_multiplier=Decimal("1.5"),
    extension_months=12,
    extension_months_disabled=24,
    property_months=Decimal("6"),
    property_vehicles=0,
    property_houses=1,
    property_business_allowed=False,
)

_serial = iter(range(1, 10**6))


def id_number(birth: dt.date, *, seq: int | None = None, region: str = "360102") -> str:
    first17 = f"{region}{birth:%Y%m%d}{(next(_serial) if seq is None else seq) % 1000:03d}"
    return first17 + check_char(first17)


def member(*, birth: dt.date = dt.date(1980, 1, 1), income: str | Decimal = "0", **kw: Any) -> rules.Member:
    return rules.Member(
        id_number=kw.pop("id_number", None) or id_number(birth),
        birth_date=birth,
        monthly_income=Decimal(income),
        **kw,
    )


def elder(**kw: Any) -> rules.Member:
    """An elderly person who meets every tekun condition unless told otherwise."""
    kw.setdefault("birth", dt.date(1950, 1, 1))
    kw.setdefault("labor_capacity", "none")
    kw.setdefault("has_able_supporter", False)
    return member(**kw)


def household(
    *members: rules.Member,
    financial_assets: str = "0",
    vehicles: int = 0,
    houses: int = 0,
    business: bool = False,
    rigid: str = "0",
    causes: tuple[str, ...] = (),
) -> rules.Household:
    return rules.Household(
        members=tuple(members),
        property=rules.Property(
            financial_assets=Decimal(financial_assets), vehicles=vehicles, houses=houses, business=business
        ),
        monthly_rigid_expenditure=Decimal(rigid),
        hardship_causes=causes,
    )


def request(
    *members: dict[str, Any],
    region: str = "360102",
    as_of: str = "2018-06-01",
    standards: dict[str, Any] | None = None,
    **household_fields: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"region": region, "as_of": as_of}
    if standards is not None:
        body["standards"] = standards
    body["household"] = {"members": list(members), **household_fields}
    return body


def member_json(*, birth: dt.date = dt.date(1980, 1, 1), income: str = "0", **kw: Any) -> dict[str, Any]:
    return {"id_number": kw.pop("id_number", None) or id_number(birth), "monthly_income": income, **kw}
