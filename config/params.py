"""Whole numbers from query strings and form values, for ids and counts.

ASCII digits only ("²".isdigit() is true, and int() refuses it) and within a database key's range (a longer number
would overflow the column): anything else is None, which a view treats as "not given" or a field error.
"""

from __future__ import annotations

MAX_KEY = 2**63 - 1


def positive_int(value) -> int | None:
    if (
        not isinstance(value, str)
        or not value
        or not (value.isascii() and value.isdigit())
        or len(value) > 19
    ):
        return None
    number = int(value)
    return number if 0 < number <= MAX_KEY else None
