"""`{{ due|unknown_year_note }}`: beside a deadline counted in working days, says when its year's holidays are
not known, so the date is an estimate (Monday to Friday)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html

from workcalendar.calendar import work_calendar

register = template.Library()


def note(day: dt.date | None) -> str:
    if day is None or work_calendar().knows(day.year):
        return ""
    return f"{day.year}年节假日安排尚未录入，此时限按周一至周五估算"


@register.filter
def unknown_year_note(day: dt.date | None) -> str:
    text = note(day)
    return format_html(' <span class="hint unknown-year">（{}）</span>', text) if text else ""
