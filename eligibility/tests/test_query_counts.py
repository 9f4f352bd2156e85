"""The standards list runs the same number of queries for 3 yearly standards as for 12."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from conftest import assert_constant_queries
from eligibility.models import Standard


def _years(first: int, count: int) -> None:
    for year in range(first, first + count):
        Standard.objects.create(
            region_id="360102",
            year=year,
            dibao=Decimal("600") + year - 2019,
            tekun=Decimal("800") + year - 2019,
        )


def test_standard_list_queries_do_not_grow_with_the_standards(
    client, county_officer, django_assert_num_queries
):
    _years(2019, 3)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("standard_list"), lambda: _years(2022, 9)
    )
    assert len(response.context["rows"]) == Standard.objects.count() >= 12
