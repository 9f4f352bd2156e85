"""The one way a list page reads its query string: the sort (only the columns the page offers, else its default,
so a hand-typed `?sort=password` never reaches the database), the filters (a value the page does not offer is
dropped, with a Chinese note when the user typed something wrong, never a 500), and the page (`?page=abc` or a
page past the end shows a page that exists). Templates: `_pager.html` (paging that keeps the filters, through
the `query_with` tag of accounts/templatetags/listing.py), `_filter_notes.html`, `_region_select.html` (the
县→街道→社区 picker of static/js/region-picker.js)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.paginator import Page, Paginator

from common.dates import parse_month

PAGE_SIZE = 20
_REGION_CODE = re.compile(r"^\d{6}(?:\d{6})?$")
_TEXT_MAX = 100


def sort_order(value: str | None, allowed: dict[str, str], default: str) -> list[str]:
    """`allowed` maps a public column key to its model field path; `-key` sorts descending. The primary key
    breaks ties so paging is stable."""
    value = (value or default).strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in allowed:
        return sort_order(default, allowed, default) if value != default else ["-id"]
    field = allowed[key]
    return [f"-{field}" if descending else field, "-id" if descending else "id"]


def list_page(request, qs, size: int = PAGE_SIZE, param: str = "page") -> Page:
    """The page the query string asks for; anything that is not a page number shows the first page, a number
    past the end the last (Django's get_page)."""
    return Paginator(qs, size).get_page(request.GET.get(param))


class ListQuery:
    """A list page's filters read from `request.GET`. Each reader returns a value the page offers or "" /
    None (no filter); a value typed wrong leaves a Chinese note in `notes` for the page to show."""

    def __init__(self, get):
        self.get = get
        self.notes: list[str] = []

    def text(self, name: str) -> str:
        return (self.get.get(name) or "").strip()[:_TEXT_MAX]

    def sort(self, allowed: dict[str, str], name: str = "sort") -> str:
        """A sort the page offers (a key of `allowed`, `-key` descending) or "" (the page's own order); a column
        the page does not sort by leaves a note instead of being dropped silently."""
        value = self.text(name)
        if value and value.removeprefix("-") not in allowed:
            self.notes.append(f"不能按“{value}”排序，已按默认顺序排列")
            return ""
        return value

    def choice(
        self, name: str, choices, label: str, *, default: str = "", extra: tuple[str, ...] = ()
    ) -> str:
        """One of `choices` ((value, label) pairs or values) or `extra` (like "open", "all"); else `default`."""
        value = self.text(name)
        if not value:
            return default
        allowed = {c[0] if isinstance(c, (tuple, list)) else c for c in choices} | set(extra)
        if value in allowed:
            return value
        self.notes.append(f"没有“{value}”这种{label}，已忽略该筛选条件")
        return default

    def month(self, name: str = "month", label: str = "月份") -> dt.date | None:
        value = self.text(name)
        if not value:
            return None
        month = parse_month(value)
        if month is None or not 1900 <= month.year <= 2999:
            self.notes.append(f"{label}“{value}”不是有效的月份（应为 2026-05 这样的年月），已忽略该筛选条件")
            return None
        return month

    def region(self, name: str = "community") -> str:
        """A region code (6 or 12 digits); narrowing to it is accounts.scope.narrow_to_region's job."""
        value = self.text(name)
        if value and not _REGION_CODE.match(value):
            self.notes.append(f"地区“{value}”不是有效的区划，已忽略该筛选条件")
            return ""
        return value
