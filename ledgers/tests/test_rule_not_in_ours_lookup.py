"""`not_in_ours` on PostgreSQL looks its persons up row by row (LATERAL) instead of joining every person and
household: it must write exactly the findings the plain join writes — every column, for a known person and for
an ID number nobody has."""

from __future__ import annotations

import pytest
from django.db import connection

from ledgers.models import Finding
from ledgers.rules import BY_CODE, Dialect
from ledgers.services import run_start
from ledgers.services import runs as run_services
from ledgers.tests.factories import PERIOD
from ledgers.tests.scenario import build_world, county

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the LATERAL lookup is PostgreSQL's"),
]

LATERAL = """LEFT JOIN LATERAL (SELECT p.id, p.household_id, p.name, h.community_id FROM cases_person p
  LEFT JOIN cases_household h ON h.id = p.household_id WHERE p.id_number = x.id_number OFFSET 0) p ON TRUE"""
PLAIN = """LEFT JOIN cases_person p ON p.id_number = x.id_number
LEFT JOIN cases_household h ON h.id = p.household_id"""
COLUMNS = ("rule", "id_number", "source", "extract_id", "household_id", "region_id", "name", "detail")


def _findings(run) -> list[tuple]:
    return sorted(Finding.objects.filter(run=run, rule="not_in_ours").values_list(*COLUMNS))


def test_the_lateral_lookup_writes_what_the_plain_join_writes(
    county_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        build_world(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run.refresh_from_db()
    assert run.status == "done", run.error
    lateral = _findings(run)
    assert len(lateral) == 2 and {f[2] for f in lateral} == {"medical_premium", "union_hardship"}
    assert any(f[4] is None for f in lateral) and any(f[4] is not None for f in lateral)  # unknown and known

    run = type(run).objects.select_related("region").get(pk=run.pk)
    run_services._snapshot(run)  # the working tables again (the run emptied them when it closed)
    ctx = run_services._context(run)
    sql = BY_CODE["not_in_ours"].sql(Dialect("postgresql"), ctx)
    assert LATERAL in sql and "p.community_id" in sql
    plain = sql.replace(LATERAL, PLAIN).replace("p.community_id", "h.community_id")
    Finding.objects.filter(run=run, rule="not_in_ours").delete()
    with connection.cursor() as cursor:
        cursor.execute(plain, ctx.params)
    assert _findings(run) == lateral
