"""The extract, reconciliation-run and review-task lists run the same number of queries for 3 rows as for 15 (one page)."""

from __future__ import annotations

import itertools

from django.urls import reverse

from conftest import assert_constant_queries
from households.tests.factories import household_make
from ledgers.models import Extract, Finding, ReconciliationRun, ReviewTask

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


def _runs(count: int, user) -> None:
    for i in range(count):
        ReconciliationRun.objects.create(
            region_id="360102", period=f"{2000 + i}H{1 + i % 2}", status="done", requested_by=user
        )


def test_run_list_queries_do_not_grow_with_the_runs(client, county_officer, django_assert_num_queries):
    _runs(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("ledger_runs"), lambda: _runs(12, county_officer)
    )
    assert len(response.context["page"]) == 15


_ids = itertools.count(1)


def _tasks(count: int) -> None:
    run = ReconciliationRun.objects.create(region_id="360102", period="2025H2", status="done")
    for rule in itertools.islice(itertools.cycle(["deceased_paid", "income_over"]), count):
        household = household_make(community_id="360102002001", members=1)
        finding = Finding.objects.create(
            run=run,
            rule=rule,
            id_number=household.members.get().id_number,
            source="ledger",
            household=household,
            region_id="360102002001",
            name=f"户{next(_ids)}",
            detail={},
        )
        ReviewTask.objects.create(finding=finding, region_id="360102002001")


def test_task_list_queries_do_not_grow_with_the_tasks(client, caseworker, django_assert_num_queries):
    _tasks(3)
    client.force_login(caseworker)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("ledger_tasks"), lambda: _tasks(12)
    )
    assert len(response.context["rows"]) == 15
