"""The staging table's partitions (ledgers/staging.py): on PostgreSQL each loaded extract's rows sit in a partition
of their own, indexed like the parent and attached to it; a rejected load leaves no partition; the DEFAULT
partition stays empty; a second load of the same extract is refused."""

from __future__ import annotations

import pytest
from django.db import connection

from ledgers.models import ExtractRow
from ledgers.services import extracts as extract_services
from ledgers.staging import has_rows, partition_name
from ledgers.tests.test_extract_streamed_load import rows, upload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions are PostgreSQL's"),
]


def _one(sql: str, params: list) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_a_loaded_extract_is_its_own_indexed_attached_partition(
    county_officer, django_capture_on_commit_callbacks
):
    e = upload(county_officer, rows(), "lenient", django_capture_on_commit_callbacks)
    e = extract_services.extract_check_and_load(extract_id=e.pk)
    name = partition_name(e.pk)
    assert e.status == "loaded" and e.rows_loaded == 7
    assert _one(
        "SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = %s::regclass", [name]
    ) == ("ledgers_extractrow")
    assert _one("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = %s::regclass", [name]) == (
        f"FOR VALUES IN ('{e.pk}')"
    )
    assert sorted(_one("SELECT array_agg(indexname::text) FROM pg_indexes WHERE tablename = %s", [name])) == [
        f"{name}_person",
        f"{name}_pkey",
    ]
    assert _one(f"SELECT COUNT(*) FROM {name}", []) == 7
    assert ExtractRow.objects.filter(extract=e).count() == 7
    assert _one("SELECT COUNT(*) FROM ledgers_extractrow_default", []) == 0
    assert has_rows(e.pk)
    assert _one("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [name]) == 7  # analysed at load


def test_a_rejected_load_leaves_no_partition(county_officer, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows(), "strict", django_capture_on_commit_callbacks)
    e = extract_services.extract_check_and_load(extract_id=e.pk)
    assert e.status == "rejected"
    assert _one("SELECT to_regclass(%s) IS NULL", [partition_name(e.pk)]) is True
    assert not has_rows(e.pk)


def test_a_second_load_of_the_same_rows_is_refused(county_officer, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows(), "check", django_capture_on_commit_callbacks)
    e = extract_services.extract_validate(extract_id=e.pk)
    e = extract_services.extract_load(extract_id=e.pk)
    assert e.status == "loaded" and has_rows(e.pk)
    type(e).objects.filter(pk=e.pk).update(status="checked")
    with pytest.raises(extract_services.ServiceError, match="不能重复导入"):
        extract_services.extract_load(extract_id=e.pk)
    assert ExtractRow.objects.filter(extract=e).count() == 7
