"""Calendar months as the first day of the month (the form every month is stored in)."""

from __future__ import annotations

import calendar
import datetime as dt

from eligibility.rules import add_months


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return add_months(month_of(day), 1)


def previous_month(day: dt.date) -> dt.date:
    return add_months(month_of(day), -1)


def month_end(day: dt.date) -> dt.date:
    """The last day of the month `day` is in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months(start: dt.date, stop: dt.date | None, *, limit: dt.date) -> list[dt.date]:
    """The months from `start` up to, not including, `stop` (or `limit` when `stop` is None or later)."""
    end = limit if stop is None or stop > limit else stop
    out, cur = [], month_of(start)
    while cur < end:
        out.append(cur)
        cur = add_months(cur, 1)
    return out


def label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def day_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
