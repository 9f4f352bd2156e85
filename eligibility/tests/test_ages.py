"""One working age (policy.md §1, §8.6): 16 ≤ age < 60 for everyone, used by every module that counts it."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

from eligibility.ages import age_on, is_supporter_age, is_working_age, working_age_births, years_before

D = dt.date


def test_working_age_is_16_up_to_but_not_60_on_both_sides_of_each_boundary():
    assert [is_working_age(a) for a in (15, 16, 59, 60)] == [False, True, True, False]
    assert [is_supporter_age(a) for a in (17, 18, 59, 60)] == [False, True, True, False]


def test_age_counts_the_birthday_itself_and_29_february():
    assert age_on(D(1958, 6, 5), D(2018, 6, 4)) == 59
    assert age_on(D(1958, 6, 5), D(2018, 6, 5)) == 60
    assert years_before(D(2020, 2, 29), 1) == D(2019, 2, 28)


def test_the_birth_range_matches_the_age_test():
    on = D(2018, 6, 5)
    after, by = working_age_births(on)
    assert (after, by) == (D(1958, 6, 5), D(2002, 6, 5))
    for birth in (D(1958, 6, 5), D(1958, 6, 6), D(2002, 6, 5), D(2002, 6, 6)):
        assert (after < birth <= by) == is_working_age(age_on(birth, on))


def test_no_module_keeps_its_own_working_age_constant():
    """Version 1 had 16–59 in reviews and linked lists and 16–54 for women in job help, each its own constant."""
    root = pathlib.Path(__file__).resolve().parents[2]
    own = re.compile(r"RETIREMENT_AGE|WORKING_AGE\s*=|_years_ago\(today, (16|60)\)|\{\"M\": 60, \"F\": 55\}")
    offenders = [
        str(path.relative_to(root))
        for app in (
            "benefits",
            "cases",
            "ledgers",
            "accounts",
            "eligibility",
            "help",
            "households",
            "reports",
        )
        if (root / app).is_dir()
        for path in (root / app).rglob("*.py")
        if "tests" not in path.parts
        and path.name != "ages.py"
        and own.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
