"""Uploading extracts: strict and lenient bad-row handling, check-then-decide, all-or-nothing loads."""

from __future__ import annotations

import pytest

from accounts.models import Event
from config.errors import PermissionDenied, ServiceError
from conftest import make_id
from ledgers.models import Extract, ExtractError, ExtractRow
from ledgers.services import extract_discard, extract_request_load, extract_upload
from ledgers.services import extracts as extract_services
from ledgers.tests.factories import PERIOD, csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db
HEADER = ["身份证号码", "姓名", "死亡日期"]


def rows_with_two_bad():
    good = [[make_id(), f"人{i}", "2025-08-01"] for i in range(5)]
    return good[:2] + [["123", "坏", "2025-08-01"]] + good[2:] + [[make_id(), "坏日期", "2025-13-01"]]


def upload(officer, rows, mode, capture, **kw):
    with capture(execute=True):
        e = extract_upload(
            principal=officer,
            file=csv_upload(HEADER, rows),
            original_name="death.csv",
            kind="death",
            period=PERIOD,
            mode=mode,
            **kw,
        )
    e.refresh_from_db()
    return e


def test_strict_loads_nothing_when_any_row_is_bad(county_officer, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows_with_two_bad(), "strict", django_capture_on_commit_callbacks)
    assert e.status == "rejected"
    assert (e.rows_total, e.rows_good, e.rows_bad, e.rows_loaded) == (7, 5, 2, 0)
    assert list(ExtractError.objects.filter(extract=e).values_list("line", "field")) == [
        (4, "身份证号码"),
        (8, "死亡日期"),
    ]
    assert not ExtractRow.objects.filter(extract=e).exists()


def test_strict_loads_everything_when_all_rows_are_good(county_officer, django_capture_on_commit_callbacks):
    rows = [[make_id(), "甲", "2025-08-01"] for _ in range(3)]
    e = upload(county_officer, rows, "strict", django_capture_on_commit_callbacks)
    assert (e.status, e.rows_loaded) == ("loaded", 3)
    assert sorted(ExtractRow.objects.filter(extract=e).values_list("line", flat=True)) == [2, 3, 4]
    assert set(ExtractRow.objects.filter(extract=e).values_list("id_number", flat=True)) == {
        r[0] for r in rows
    }


def test_lenient_loads_the_good_rows_and_lists_the_bad(county_officer, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows_with_two_bad(), "lenient", django_capture_on_commit_callbacks)
    assert (e.status, e.rows_loaded, e.rows_bad) == ("loaded", 5, 2)
    assert sorted(ExtractRow.objects.filter(extract=e).values_list("line", flat=True)) == [2, 3, 5, 6, 7]
    assert ExtractError.objects.filter(extract=e).count() == 2


def test_check_then_load_good_rows(county_officer, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows_with_two_bad(), "check", django_capture_on_commit_callbacks)
    assert e.status == "checked" and not ExtractRow.objects.filter(extract=e).exists()
    with django_capture_on_commit_callbacks(execute=True):
        extract_request_load(principal=county_officer, extract=e)
    e.refresh_from_db()
    assert (e.status, e.rows_loaded, e.decided_by) == ("loaded", 5, county_officer)
    assert ExtractRow.objects.filter(extract=e).count() == 5
    with pytest.raises(ServiceError, match="不能导入"):
        extract_request_load(principal=county_officer, extract=e)
    assert ExtractRow.objects.filter(extract=e).count() == 5


def test_check_then_discard_loads_nothing(county_officer, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows_with_two_bad(), "check", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        extract_discard(principal=county_officer, extract=e)
    e.refresh_from_db()
    assert e.status == "discarded" and not ExtractRow.objects.filter(extract=e).exists()
    assert not list((extract_services.storage_dir()).iterdir())  # files removed


def test_a_load_that_fails_midway_leaves_nothing(
    county_officer, django_capture_on_commit_callbacks, monkeypatch
):
    e = upload(county_officer, rows_with_two_bad(), "check", django_capture_on_commit_callbacks)
    real = extract_services.read_good_rows

    def breaks_after_two(path, columns):
        for i, row in enumerate(real(path, columns)):
            if i == 2:
                raise OSError("磁盘读错误")
            yield row

    monkeypatch.setattr(extract_services, "read_good_rows", breaks_after_two)
    monkeypatch.setattr(extract_services, "SQLITE_CHUNK", 1)
    monkeypatch.setattr(extract_services.connection, "vendor", "sqlite")  # the chunked path on any database
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        extract_request_load(principal=county_officer, extract=e)
    e.refresh_from_db()
    assert e.status == "checked" and e.rows_loaded == 0
    assert not ExtractRow.objects.filter(extract=e).exists()
    monkeypatch.undo()
    extract_services.extract_load(extract_id=e.pk)  # a retry loads it fully
    assert ExtractRow.objects.filter(extract=e).count() == 5


def test_unreadable_file_fails_with_the_reason(county_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        e = extract_upload(
            principal=county_officer,
            file=csv_upload(["姓名"], [["张三"]]),
            original_name="a.csv",
            kind="death",
            period=PERIOD,
        )
    e.refresh_from_db()
    assert e.status == "failed" and "缺少必填列：身份证号码、死亡日期" in e.error


def test_xlsx_upload(county_officer, django_capture_on_commit_callbacks):
    rows = [[make_id(), "甲", "赣A1"], [make_id(), "乙", "赣A2"]]
    with django_capture_on_commit_callbacks(execute=True):
        e = extract_upload(
            principal=county_officer,
            file=xlsx_upload(["身份证号码", "姓名", "号牌号码"], rows),
            original_name="v.xlsx",
            kind="vehicle",
            period=PERIOD,
        )
    e.refresh_from_db()
    assert (e.status, e.rows_loaded, e.file_format) == ("loaded", 2, "xlsx")


def test_field_errors_and_permissions(county_officer, caseworker, auditor, make_user):
    f = csv_upload(HEADER, [])
    with pytest.raises(ServiceError) as exc:
        extract_upload(
            principal=county_officer,
            file=f,
            original_name="a.pdf",
            kind="nope",
            period="2025H3",
            mode="maybe",
        )
    assert {e["field"] for e in exc.value.errors} == {"kind", "period", "mode", "file"}
    with pytest.raises(ServiceError, match="待遇项目"):
        extract_upload(principal=county_officer, file=f, original_name="a.csv", kind="benefit", period=PERIOD)
    for user in (caseworker, auditor):
        with pytest.raises(PermissionDenied):
            extract_upload(principal=user, file=f, original_name="a.csv", kind="death", period=PERIOD)
    from accounts.models import Region

    other = Region.objects.get(code="360402")  # 九江 濂溪区: not the officer's county
    with pytest.raises(PermissionDenied):
        extract_upload(
            principal=county_officer, file=f, original_name="a.csv", kind="death", period=PERIOD, region=other
        )
    assert not Extract.objects.exists()


def test_only_the_uploading_side_decides(county_officer, make_user, django_capture_on_commit_callbacks):
    e = upload(county_officer, rows_with_two_bad(), "check", django_capture_on_commit_callbacks)
    stranger = make_user("county", "360103")
    with pytest.raises(PermissionDenied):
        extract_request_load(principal=stranger, extract=e)
    with pytest.raises(PermissionDenied):
        extract_discard(principal=stranger, extract=e)
    e.refresh_from_db()
    assert e.status == "checked"
    assert Event.objects.filter(target_type="ledgers.extract", target_id=str(e.pk)).count() == 2
