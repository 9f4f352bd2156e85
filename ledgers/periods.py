"""Half-year periods (比对期): "2025H1" is January–June 2025, "2025H2" July–December.

The reconciliation that Celery beat starts on 1 January covers the half-year that just ended (the
previous year's H2); the one on 1 July covers H1. `default_period` gives that half-year for any day.
"""

from __future__ import annotations

import datetime as dt
import re

PATTERN = re.compile(r"^(\d{4})H([12])$")


class InvalidPeriod(ValueError):
    pass


def parse(value: str) -> tuple[int, int]:
    m = PATTERN.match((value or "").strip().upper())
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise InvalidPeriod("比对期格式应为 年份+H1/H2，如 2025H2")
    return int(m.group(1)), int(m.group(2))


def normalise(value: str) -> str:
    year, half = parse(value)
    return f"{year}H{half}"


def bounds(value: str) -> tuple[dt.date, dt.date]:
    year, half = parse(value)
    return (
        (dt.date(year, 1, 1), dt.date(year, 6, 30))
        if half == 1
        else (dt.date(year, 7, 1), dt.date(year, 12, 31))
    )


def label(value: str) -> str:
    try:
        year, half = parse(value)
    except InvalidPeriod:
        return value
    return f"{year}年{'上' if half == 1 else '下'}半年"


def of_day(day: dt.date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def previous(value: str) -> str:
    year, half = parse(value)
    return f"{year}H1" if half == 2 else f"{year - 1}H2"


def default_period(today: dt.date) -> str:
    """The half-year that ended most recently before `today`."""
    return previous(of_day(today))


def recent(today: dt.date, n: int = 6) -> list[str]:
    """The current half-year and the n-1 before it, newest first (choices for forms)."""
    out = [of_day(today)]
    while len(out) < n:
        out.append(previous(out[-1]))
    return out
