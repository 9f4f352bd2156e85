"""An extract never waits in 校验中 forever (issue 20 item 4): UTF-16 (Excel's "Unicode text") is read, a file with
NUL characters or one the check cannot finish ends FAILED with a Chinese reason the uploader sees."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_id
from ledgers import validation
from ledgers.models import Extract
from ledgers.services import extract_upload
from ledgers.tests.factories import PERIOD

pytestmark = pytest.mark.django_db


def check(tmp_path, data: bytes):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    return validation.validate_file(
        path=str(path), file_format="csv", kind="death", extract_id=1, out=io.StringIO()
    )


def test_utf16_with_bom_is_read(tmp_path):
    text = f"身份证号码\t姓名\t死亡日期\r\n{make_id()}\t张三\t2025-08-01\r\n"
    result = check(tmp_path, text.encode("utf-16"))
    assert (result.rows_total, result.rows_bad) == (1, 0)


def test_utf16_without_bom_fails_with_a_reason(tmp_path):
    text = f"身份证号码,姓名,死亡日期\n{make_id()},张三,2025-08-01\n"
    with pytest.raises(validation.ExtractFileError, match="空字符（NUL）"):
        check(tmp_path, text.encode("utf-16-le"))


def test_a_nul_character_in_a_row_fails_with_its_line(tmp_path):
    # past the first 256 KB the encoding check reads: the row reader finds it
    head = ("身份证号码,姓名,死亡日期\n" + f"{make_id()},张三,2025-08-01\n" * 9000).encode()
    assert len(head) > 256 * 1024
    with pytest.raises(validation.ExtractFileError, match="第9002行含有空字符"):
        check(tmp_path, head + f"{make_id()},李\x00四,2025-08-01\n".encode())


def _upload(officer, data: bytes, capture):
    with capture(execute=True):
        extract = extract_upload(
            principal=officer,
            file=SimpleUploadedFile("death.csv", data),
            original_name="death.csv",
            kind="death",
            period=PERIOD,
            mode="strict",
        )
    extract.refresh_from_db()
    return extract


def test_an_unexpected_error_in_the_check_ends_failed_not_validating(
    county_officer, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("invalid byte sequence for encoding UTF8: 0x00")

    # The check's preparation, which the two-step and the streamed (strict/lenient on PostgreSQL) paths share.
    monkeypatch.setattr("ledgers.validation._prepare", broken)
    extract = _upload(
        county_officer,
        f"身份证号码,姓名,死亡日期\n{make_id()},张三,2025-08-01\n".encode(),
        django_capture_on_commit_callbacks,
    )
    assert extract.status == Extract.Status.FAILED
    assert extract.error == "校验时发生意外错误，已停止，未导入；请检查文件（编码、格式）后重新上传"


def test_a_nul_file_uploaded_ends_failed(county_officer, django_capture_on_commit_callbacks):
    data = f"身份证号码,姓名,死亡日期\n{make_id()},张三,2025-08-01\n".encode("utf-16-le")
    extract = _upload(county_officer, data, django_capture_on_commit_callbacks)
    assert extract.status == Extract.Status.FAILED
    assert "空字符（NUL）" in extract.error
