"""Months and working days."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import dates
from common.dates import CHINA, WorkCalendar

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 5, 1), 24, D(2028, 5, 1)),
        (D(2026, 5, 1), 0, D(2026, 5, 1)),
    ],
)
def test_add_months(start, n, expected):
    assert dates.add_months(start, n) == expected


# The machine the suite runs on is shared: generation speed is not what these tests are about.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 1, 1)), st.integers(-600, 600))
def test_add_months_on_the_first_is_reversible(day, n):
    first = dates.month_of(day)
    assert dates.add_months(dates.add_months(first, n), -n) == first
    assert dates.month_count(first, dates.add_months(first, n)) == n + 1


def test_month_helpers():
    assert dates.month_of(D(2026, 2, 17)) == D(2026, 2, 1)
    assert dates.next_month(D(2026, 12, 31)) == D(2027, 1, 1)
    assert dates.previous_month(D(2026, 1, 31)) == D(2025, 12, 1)
    assert dates.month_end(D(2028, 2, 3)) == D(2028, 2, 29)
    assert dates.months_between(D(2026, 11, 20), None, limit=D(2027, 2, 1)) == [
        D(2026, 11, 1),
        D(2026, 12, 1),
        D(2027, 1, 1),
    ]
    assert dates.months_between(D(2026, 11, 1), D(2026, 12, 1), limit=D(2027, 2, 1)) == [D(2026, 11, 1)]
    assert dates.month_label(D(2026, 3, 1)) == "2026年3月"
    assert dates.day_label(D(2026, 3, 9)) == "2026年3月9日"
    assert dates.calendar_days_end(D(2026, 3, 1), 7) == D(2026, 3, 7)


def test_national_day_week_and_its_make_up_working_saturday():
    # 2026: 1–7 October are holidays; Sunday 27 September and Saturday 10 October are working days (调休).
    assert not CHINA.is_working_day(D(2026, 10, 1))
    assert not CHINA.is_working_day(D(2026, 10, 7))
    assert CHINA.is_working_day(D(2026, 10, 10))
    assert CHINA.is_working_day(D(2026, 9, 28))
    # Three working days after Wednesday 30 September: Thursday 8, Friday 9, Saturday 10 October.
    assert CHINA.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    # Monday to Friday alone would have said Monday 5 October.
    assert WorkCalendar(years=frozenset()).add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)


def test_spring_festival_2026():
    # 15–23 February 2026 are rest days; 14 February (Saturday) and 28 February (Saturday) are working days.
    assert CHINA.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CHINA.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert CHINA.working_days_after(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert CHINA.working_days_after(D(2026, 2, 24), D(2026, 2, 24)) == 0
    assert CHINA.working_days_after(D(2026, 2, 25), D(2026, 2, 24)) == 0
    # A deadline on Saturday 14 February (a working day) is not overdue during the holiday after it.
    assert CHINA.overdue_cutoff(D(2026, 2, 20)) == D(2026, 2, 14)


def test_a_year_the_package_does_not_know_counts_monday_to_friday_and_says_so():
    assert not CHINA.knows(2027)
    assert CHINA.knows(2026)
    assert CHINA.unknown_years(D(2026, 12, 20), D(2027, 1, 10)) == [2027]
    assert CHINA.unknown_years(D(2026, 12, 1), D(2026, 12, 20)) == []
    # 1 January 2027 is a Friday: Monday to Friday counts it as a working day.
    assert CHINA.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)


def test_the_provinces_table_wins_and_makes_its_year_known():
    cal = WorkCalendar(
        days={D(2027, 1, 1): False, D(2027, 1, 4): False, D(2027, 1, 9): True, D(2026, 10, 9): False},
        years=frozenset({2027}),
    )
    assert cal.knows(2027) and cal.unknown_years(D(2026, 12, 31), D(2027, 1, 31)) == []
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 5)
    assert cal.add_working_days(D(2027, 1, 8), 1) == D(2027, 1, 9)  # the make-up Saturday
    assert not cal.is_working_day(D(2026, 10, 9))  # the table wins over the package too
    assert cal.is_working_day(D(2027, 1, 6))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 1)), st.integers(0, 40))
def test_the_deadline_is_a_working_day_exactly_n_working_days_later(start, n):
    due = CHINA.add_working_days(start, n)
    assert CHINA.working_days_after(start, due) == n
    if n:
        assert CHINA.is_working_day(due)


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("2026-03", D(2026, 3, 1)),
        ("2026-3", D(2026, 3, 1)),
        (" 2026-12 ", D(2026, 12, 1)),
        ("2026-03-31", D(2026, 3, 1)),
        (D(2026, 3, 17), D(2026, 3, 1)),
        (dt.datetime(2026, 3, 17, 9, 30), D(2026, 3, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-02-30", None),
        ("202603", None),
        ("", None),
        (None, None),
        ("三月", None),
    ],
)
def test_parse_month(value, month):
    assert dates.parse_month(value) == month


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (D(1958, 6, 1), D(2018, 6, 1), 60),  # the birthday itself counts
        (D(1958, 6, 2), D(2018, 6, 1), 59),
        (D(2000, 2, 29), D(2018, 2, 28), 17),
        (D(2000, 2, 29), D(2018, 3, 1), 18),
    ],
)
def test_age_on(birth, on, age):
    assert dates.age_on(birth, on) == age


def test_years_before():
    assert dates.years_before(D(2026, 12, 6), 60) == D(1966, 12, 6)
    assert dates.years_before(D(2024, 2, 29), 1) == D(2023, 2, 28)


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)), st.integers(0, 100))
def test_born_after_years_before_is_younger(on, years):
    cut = dates.years_before(on, years)
    assert dates.age_on(cut, on) >= years
    assert dates.age_on(cut + dt.timedelta(days=1), on) < years or years == 0
