"""The streamed load (strict and lenient extracts on PostgreSQL: the check's good rows straight into COPY) ends
exactly where the two-step path (extract_validate, then extract_load) ends: the same rows, errors, counts,
status and events; a rejected or unreadable file loads nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Event
from conftest import make_id
from ledgers.models import Extract, ExtractError, ExtractRow
from ledgers.services import extract_upload
from ledgers.services import extracts as extract_services
from ledgers.tests.factories import PERIOD, csv_upload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the streamed load is PostgreSQL's"),
]
HEADER = ["身份证号码", "姓名", "迁出日期", "迁入地区划代码"]


def rows():
    good = [[make_id(), f"人{i}", "2025-08-01", "360103"] for i in range(6)]
    bad = [
        ["123", "坏号码", "2025-08-01", "360103"],
        [make_id(), "坏日期", "2025-13-01", "360103"],
        [make_id(), "坏区划", "2025-08-01", "12"],
        [make_id(), "制表\t符", "2025-08-01", "360103"],  # a good row with a character COPY escapes
    ]
    return good[:2] + bad[:2] + good[2:4] + bad[2:] + good[4:]


def upload(officer, data, mode, capture) -> Extract:
    with capture(execute=False):  # queued, not run: the test runs each path itself
        e = extract_upload(
            principal=officer,
            file=csv_upload(HEADER, data),
            original_name="move.csv",
            kind="move",
            period=PERIOD,
            mode=mode,
        )
    return e


def outcome(e: Extract) -> dict:
    e.refresh_from_db()
    return {
        "extract": (
            e.status,
            e.rows_checked,
            e.rows_total,
            e.rows_good,
            e.rows_bad,
            e.rows_loaded,
            e.columns,
        ),
        "rows": sorted(
            ExtractRow.objects.filter(extract=e).values_list("line", "id_number", "name", "on_date", "code")
        ),
        "errors": sorted(
            ExtractError.objects.filter(extract=e).values_list("line", "field", "message", "value")
        ),
        "events": list(
            Event.objects.filter(target_type="ledgers.extract", target_id=str(e.pk))
            .order_by("id")
            .values_list("verb", flat=True)
        ),
    }


def two_step(e: Extract) -> None:
    extract_services.extract_validate(extract_id=e.pk)
    extract_services.extract_load(extract_id=e.pk)


@pytest.mark.parametrize("mode", ["lenient", "strict"])
@pytest.mark.parametrize("all_good", [False, True])
def test_streamed_load_equals_the_two_step_path(
    county_officer, django_capture_on_commit_callbacks, mode, all_good
):
    data = rows()
    if all_good:
        data = [r for r in data if r[1].startswith("人") or r[1] == "制表\t符"]
    streamed = upload(county_officer, data, mode, django_capture_on_commit_callbacks)
    stepped = upload(county_officer, data, mode, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        extract_services.extract_check_and_load(extract_id=streamed.pk)
    with django_capture_on_commit_callbacks(execute=True):
        two_step(stepped)
    a, b = outcome(streamed), outcome(stepped)
    assert a == b
    expected = "loaded" if all_good or mode == "lenient" else "rejected"
    assert a["extract"][0] == expected
    assert len(a["rows"]) == (7 if expected == "loaded" else 0)
    assert ("制表\t符" in {r[2] for r in a["rows"]}) == (expected == "loaded")
    assert len(a["errors"]) == (0 if all_good else 3)
    assert not list(extract_services.storage_dir().iterdir())  # the uploaded files are gone either way


def test_the_task_streams_strict_and_lenient_and_leaves_check_to_the_uploader(
    county_officer, django_capture_on_commit_callbacks, monkeypatch
):
    called = []
    real = extract_services.extract_check_and_load
    monkeypatch.setattr(
        extract_services, "extract_check_and_load", lambda **kw: called.append(kw) or real(**kw)
    )
    for mode in ("lenient", "check"):
        e = upload(county_officer, rows(), mode, django_capture_on_commit_callbacks)
        extract_services.extract_process(extract_id=e.pk)
        e.refresh_from_db()
        assert e.status == ("loaded" if mode == "lenient" else "checked")
    assert len(called) == 1


def test_a_file_that_stops_the_check_loads_nothing_and_fails(
    county_officer, django_capture_on_commit_callbacks, monkeypatch
):
    e = upload(county_officer, rows(), "lenient", django_capture_on_commit_callbacks)
    monkeypatch.setattr(extract_services.CheckedRows, "chunks", _breaks_on_first_read)
    with django_capture_on_commit_callbacks(execute=True):
        extract_services.extract_check_and_load(extract_id=e.pk)
    e.refresh_from_db()
    assert (e.status, e.rows_loaded, e.rows_total) == ("failed", 0, 0)
    assert e.error == "上传的文件已不存在或无法读取，请重新上传"
    assert not ExtractRow.objects.filter(extract=e).exists()
    assert not ExtractError.objects.filter(extract=e).exists()
    assert connection.in_atomic_block  # the test's transaction is still usable


def _breaks_on_first_read(self):
    raise OSError("磁盘读错误")
    yield ""  # a generator, as the real one


def test_a_second_delivery_does_nothing(county_officer, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows(), "lenient", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        extract_services.extract_check_and_load(extract_id=e.pk)
    before = outcome(e)
    with django_capture_on_commit_callbacks(execute=True):
        extract_services.extract_check_and_load(extract_id=e.pk)
    assert outcome(e) == before


def test_the_page_says_the_check_and_the_load_were_one_pass(
    client, county_officer, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    e = upload(county_officer, rows(), "lenient", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        extract_services.extract_check_and_load(extract_id=e.pk)
    e.refresh_from_db()
    assert e.load_seconds is None and e.validate_seconds is not None
    client.force_login(county_officer)
    page = client.get(reverse("ledger_extract_detail", args=[e.pk])).content.decode()
    assert "校验并导入（同一遍）" in page
    assert "导入 — 秒" not in page
