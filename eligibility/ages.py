"""The one definition of the ages the policy counts with (policy.md §1 and §8.6), for every module.

劳动年龄 (working age) is 16 ≤ age < 60 everywhere: job help, 零就业家庭, refused work, the review schedule's
"has labour capacity" count, the linked-benefit lists. The able-supporter age of §4 is 18 ≤ age < 60. A person
is N on their Nth birthday; someone born on 29 February turns a year older on 28 February in other years.
Pure: plain dates in, plain values out (the rules and the query builders both use it).
"""

from __future__ import annotations

import datetime as dt

from common.dates import age_on, years_before

__all__ = ["age_on", "years_before"]  # the ages of the policy count with the one date arithmetic of common

WORKING_AGE_FROM = 16
WORKING_AGE_UNTIL = 60  # exclusive: 60 is no longer working age
WORKING_AGE = (WORKING_AGE_FROM, WORKING_AGE_UNTIL)
SUPPORTER_AGE_FROM = 18
WORKING_AGE_LABEL = f"劳动年龄（{WORKING_AGE_FROM}周岁以上、未满{WORKING_AGE_UNTIL}周岁）"


def is_working_age(age: int) -> bool:
    return WORKING_AGE_FROM <= age < WORKING_AGE_UNTIL


def is_supporter_age(age: int) -> bool:
    return SUPPORTER_AGE_FROM <= age < WORKING_AGE_UNTIL


def working_age_births(on: dt.date) -> tuple[dt.date, dt.date]:
    """(born after, born on or before): the birth dates of the people of working age on `on`, for a query
    `birth_date__gt=after, birth_date__lte=on_or_before`."""
    return years_before(on, WORKING_AGE_UNTIL), years_before(on, WORKING_AGE_FROM)
