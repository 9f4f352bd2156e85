"""Months and working days, once.

Months are stored as the first day of the month; `add_months` clamps a day past the end of the target month
to its last day (31 January + 1 month = 28/29 February).

Working days (民发〔2012〕220号 counts most limits in working days) follow China's official calendar: the
`chinese-calendar` package knows each year's statutory holidays and the adjusted working weekends (调休) that
the State Council publishes, up to the last year it was released for. A `WorkCalendar` adds the province's own
table (kept in the `workcalendar` app, edited in the admin), which wins over the package on the days it lists
and makes a year it has entered known. For a year neither knows, Monday to Friday is used and the calendar
says the year is unknown, so a page can say that a deadline in it is an estimate.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------------------------------------------
# Months


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar-month addition; a day past the end of the target month clamps to its last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def month_of(day: dt.date) -> dt.date:
    """The month `day` is in, as its first day."""
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after the one `day` is in."""
    return add_months(month_of(day), 1)


def previous_month(day: dt.date) -> dt.date:
    return add_months(month_of(day), -1)


def month_end(day: dt.date) -> dt.date:
    """The last day of the month `day` is in."""
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def months_between(start: dt.date, stop: dt.date | None, *, limit: dt.date) -> list[dt.date]:
    """The months from `start` up to, not including, `stop` (or `limit` when `stop` is None or later)."""
    end = limit if stop is None or stop > limit else stop
    out, cur = [], month_of(start)
    while cur < end:
        out.append(cur)
        cur = add_months(cur, 1)
    return out


_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def parse_month(value: object) -> dt.date | None:
    """A month as its first day, from a date or from "2026-03", "2026-3" or "2026-03-15"; None when it is not
    one (a date that does not exist, "2026-13", text)."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    m = _MONTH_TEXT.match(str(value or "").strip())
    if m is None:
        return None
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None
    return day.replace(day=1)


def month_count(first: dt.date, last: dt.date) -> int:
    """How many months from `first`'s month to `last`'s month, both counted (Jan–Mar = 3)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years on `on`; the birthday itself counts (a person is 60 on their 60th birthday)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (29 February falls back to the 28th): a person born after it is younger
    than `years` on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def day_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def calendar_days_end(start: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` calendar days that begins on `start` (7 days from the 1st end on the 7th)."""
    return start + dt.timedelta(days=days - 1)


# ---------------------------------------------------------------------------------------------------
# Working days


def _package_years() -> frozenset[int]:
    return frozenset(day.year for day in chinese_calendar.holidays)


PACKAGE_YEARS = _package_years()


@dataclass(frozen=True)
class WorkCalendar:
    """China's working days: the package's calendar, then the province's table on top.

    `days` maps a date to True (a working day, e.g. an adjusted working Sunday) or False (a rest day, e.g.
    a holiday); `years` are the years the province has entered completely."""

    days: Mapping[dt.date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def knows(self, year: int) -> bool:
        """Whether the holidays of `year` are known (to the package or from the province's table)."""
        return year in self.years or year in PACKAGE_YEARS

    def unknown_years(self, start: dt.date, end: dt.date) -> list[int]:
        """The years from `start` to `end` whose holidays are not known: a deadline counted through them is an
        estimate (Monday to Friday)."""
        return [y for y in range(min(start, end).year, max(start, end).year + 1) if not self.knows(y)]

    def is_working_day(self, day: dt.date) -> bool:
        listed = self.days.get(day)
        if listed is not None:
            return listed
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (`start` itself is not counted): the last day allowed."""
        day, remaining = start, days
        while remaining > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_after(self, due: dt.date, today: dt.date) -> int:
        """How many working days `today` is past `due` (0 when not past): the days a step is overdue."""
        count, day = 0, due
        while day < today:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def overdue_cutoff(self, today: dt.date) -> dt.date:
        """A deadline before this date is overdue on `today`: the latest working day on or before `today` (a
        deadline on Friday is not yet overdue on Saturday or Sunday, nor during a holiday after it)."""
        day = today
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day


# The package's calendar alone: for code with no database at hand (tests, pure functions). Pages and
# services use `workcalendar.calendar.work_calendar()`, which adds the province's table.
CHINA = WorkCalendar()
