"""When an enrolment is reviewed (动态管理): yearly for stable households, every six months for the others.

Operational definition **[national: 民发〔2012〕220号, 分类复核]**: a household is stable when the enrolment is
特困 (people supported on their own, with no labour capacity by definition), or when none of its covered members
is of working age (eligibility.ages: 16 ≤ age < 60) with full or partial labour capacity, so its income is not expected to change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from common import idnumber
from common.dates import add_months, age_on
from eligibility.ages import is_working_age

STABLE_MONTHS = 12
OTHER_MONTHS = 6


def review_months(*, category: str, covered: list[dict[str, Any]], as_of: dt.date) -> int:
    """12 for a stable household, 6 otherwise; `covered` are the covered members' §7 facts."""
    if category == "tekun":
        return STABLE_MONTHS
    for member in covered:
        try:
            age = age_on(idnumber.parse(member["id_number"]).birth_date, as_of)
        except (idnumber.InvalidIdNumber, KeyError):
            return OTHER_MONTHS
        if is_working_age(age) and member.get("labor_capacity", "full") in (
            "full",
            "partial",
        ):
            return OTHER_MONTHS
    return STABLE_MONTHS


def next_review(start: dt.date, months: int) -> dt.date:
    return add_months(start, months)
