"""The extract list runs the same number of queries for 3 extracts as for 15 (one page)."""

from __future__ import annotations

import itertools

from django.urls import reverse

from conftest import assert_constant_queries
from ledgers.models import Extract

_names = itertools.count(1)


def _extracts(count: int, user) -> None:
    for kind in itertools.islice(itertools.cycle(["death", "vehicle", "business"]), count):
        n = next(_names)
        Extract.objects.create(
            kind=kind,
            period="2025H2",
            region_id="360102",
            uploaded_by=user,
            original_name=f"extract-{n}.csv",
            stored_name=f"q{n:08d}.csv",
            file_format="csv",
        )


def test_extract_list_queries_do_not_grow_with_the_extracts(
    client, county_officer, django_assert_num_queries
):
    _extracts(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("ledger_extracts"), lambda: _extracts(12, county_officer)
    )
    assert len(response.context["page"]) == 15
