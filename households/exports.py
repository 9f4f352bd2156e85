"""Excel rows of the household list, and the pieces every case-list export shares: the head of household as
subqueries, the masked search term, dates as text, choice labels.

Each export takes the very queryset its list page shows (same selector, same scope, same filters), reshapes it
into one streamed `values_list` query (heads and counts come as subqueries, never as a query per row), masks ID
numbers as the lists do, and hands the rows to common/spreadsheets.py. Views log the read (common.spreadsheets
.personal_export_response)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery

from households.idnumber import mask
from households.models import Person

CHUNK = 2000


def head_subqueries(household_ref: str = "pk") -> dict:
    """The household head's name and ID number as subquery annotations (the first head by id)."""
    heads = Person.objects.filter(household=OuterRef(household_ref), relation=Person.Relation.HEAD).order_by(
        "id"
    )
    return {
        "x_head_name": Subquery(heads.values("name")[:1]),
        "x_head_id": Subquery(heads.values("id_number")[:1]),
    }


HOUSEHOLD_HEADER = ("编号", "户主", "身份证号码", "人数", "社区代码", "社区", "住址")


def household_rows(households: QuerySet) -> Iterator[tuple]:
    rows = (
        households.prefetch_related(None)
        .annotate(**head_subqueries())
        .values_list(
            "pk", "x_head_name", "x_head_id", "member_count", "community_id", "community__name", "address"
        )
    )
    for pk, name, number, members, code, community, address in rows.iterator(chunk_size=CHUNK):
        yield (pk, name or "（未登记户主）", mask(number), members, code, community, address)


def query_label(query: str) -> str:
    """A search term as it may appear in a workbook or the access log: a full ID number masked."""
    from households import idnumber

    query = (query or "").strip()
    return mask(query.upper()) if len(query) == 18 and idnumber.is_valid(query.upper()) else query


def day(value):
    """A date for the writer (a real date cell); None stays an empty cell."""
    return value or None


def choice_label(choices, value: str, extra: dict | None = None) -> str:
    return {**(extra or {}), **dict(choices)}.get(value, "")
