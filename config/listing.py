"""The one way a list page reads its sort parameter: only the columns the page offers, else its default, so a
hand-typed `?sort=password` never reaches the database."""

from __future__ import annotations


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
