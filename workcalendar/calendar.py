"""`work_calendar()`: the working calendar of the package plus the province's table, loaded once and kept.

The table changes once or twice a year, and a list page asks for the calendar on every row, so it is kept in
the process: a save or delete in this process drops it at once, other processes reload it within
`KEEP_SECONDS`."""

from __future__ import annotations

import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from common.dates import WorkCalendar
from workcalendar.models import CalendarDay, CalendarYear

KEEP_SECONDS = 300
_kept: tuple[float, WorkCalendar] | None = None


def load() -> WorkCalendar:
    """Read the table now (two queries)."""
    return WorkCalendar(
        days=dict(CalendarDay.objects.values_list("date", "is_working_day")),
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


def work_calendar() -> WorkCalendar:
    """The calendar deadlines are counted with (kept in the process; see the module docstring)."""
    global _kept
    now = time.monotonic()
    if _kept is None or now - _kept[0] > KEEP_SECONDS:
        _kept = (now, load())
    return _kept[1]


def forget() -> None:
    """Drop the kept calendar: the next `work_calendar()` reads the table again."""
    global _kept
    _kept = None


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _table_changed(**kwargs) -> None:
    forget()
