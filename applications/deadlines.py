"""Working-day arithmetic for application deadlines (民发〔2012〕220号 counts most limits in working days).

The calendar is `is_working_day` alone: Monday to Friday. Statutory holidays and their make-up working
days (调休) are published each year by the State Council; when they are needed, this one function reads
them (e.g. from a small table) and everything else follows. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def is_working_day(day: dt.date) -> bool:
    """Monday–Friday. Holidays and make-up days are not modelled yet (see the module docstring)."""
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (`start` itself is not counted): the last day allowed."""
    day = start
    remaining = days
    while remaining > 0:
        day += ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_after(due: dt.date, today: dt.date) -> int:
    """How many working days `today` is past `due` (0 when not past): the days a step is overdue."""
    if today <= due:
        return 0
    count, day = 0, due
    while day < today:
        day += ONE_DAY
        if is_working_day(day):
            count += 1
    return count


def overdue_cutoff(today: dt.date) -> dt.date:
    """A deadline before this date is overdue on `today`: the latest working day on or before `today`
    (so a deadline on Friday is not yet overdue on Saturday or Sunday)."""
    day = today
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def calendar_days_end(start: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` calendar days that begins on `start` (7 days from the 1st end on the 7th)."""
    return start + dt.timedelta(days=days - 1)


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
