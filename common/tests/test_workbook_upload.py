"""common/workbook_upload.py: limits checked before reading (zip bomb, rows with empty ones, columns, cell
length), and the same rows from .xlsx, .xls and .ods."""

from __future__ import annotations

import time
import zipfile

import pytest
from openpyxl import Workbook

from common import workbook_upload
from common.workbook_upload import Limits, NumericCell, WorkbookRefused, WorkbookRows, check_limits

LIMITS = Limits(uncompressed_bytes=50 * 2**20, rows=1000, columns=40, cell_chars=200)


def _never_read(monkeypatch):
    import python_calamine

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was opened although a limit was passed")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)


def _xlsx(path, rows):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("家庭成员")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b" " * 2**24
            for _ in range(128):  # 2 GB of spaces: about 2 MB compressed
                part.write(block)
    assert bomb.stat().st_size < 3 * 2**20
    _never_read(monkeypatch)
    began = time.monotonic()
    with pytest.raises(WorkbookRefused) as exc:
        WorkbookRows(str(bomb), "xlsx", limits=LIMITS)
    assert str(exc.value).startswith("文件解压后有2048 MB，超过50 MB的上限")
    assert time.monotonic() - began < 1


def test_a_zip_that_lies_about_its_sizes_is_refused_as_damaged(tmp_path, monkeypatch):
    path = tmp_path / "lie.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * 2**20 + b"</worksheet>")
    raw = bytearray(path.read_bytes())
    # the directory's uncompressed size of the part (offset 24 of the central directory entry) set to 100 bytes
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    _never_read(monkeypatch)
    with pytest.raises(WorkbookRefused) as exc:
        WorkbookRows(str(path), "xlsx", limits=LIMITS)
    assert "文件已损坏" in str(exc.value)


def test_empty_rows_count_toward_the_row_limit(tmp_path, monkeypatch):
    path = _xlsx(tmp_path / "rows.xlsx", [["户编号"], *([[]] * 1200)])
    _never_read(monkeypatch)
    with pytest.raises(WorkbookRefused) as exc:
        WorkbookRows(path, "xlsx", limits=LIMITS)
    assert str(exc.value) == "工作表超过1000行的上限（空行也计算在内），请删除多余的空行或分成几个文件导入"


def test_one_row_far_down_passes_the_row_limit(tmp_path):
    path = tmp_path / "far.xlsx"
    book = Workbook()
    book.active["A1"], book.active["A5000"] = "户编号", "x"
    book.save(path)
    with pytest.raises(WorkbookRefused, match="超过1000行的上限"):
        check_limits(str(path), "xlsx", LIMITS)


def test_columns_and_cell_length_are_limited(tmp_path):
    with pytest.raises(WorkbookRefused) as exc:
        check_limits(_xlsx(tmp_path / "wide.xlsx", [["x"] * 41]), "xlsx", LIMITS)
    assert str(exc.value) == "工作表超过40列的上限，请删除多余的列后重新上传"
    with pytest.raises(WorkbookRefused) as exc:
        check_limits(_xlsx(tmp_path / "long.xlsx", [["张" * 201]]), "xlsx", LIMITS)
    assert str(exc.value) == "有单元格超过200个字符的上限，请检查后重新上传"
    check_limits(_xlsx(tmp_path / "ok.xlsx", [["x"] * 40, ["张" * 200]]), "xlsx", LIMITS)


def test_the_limits_come_from_settings(settings, tmp_path):
    settings.WORKBOOK_MAX_ROWS = 3
    path = _xlsx(tmp_path / "r.xlsx", [["a"], [], [], []])
    with pytest.raises(WorkbookRefused, match="超过3行的上限"):
        WorkbookRows(path, "xlsx")


def _ods(path, rows_xml: str) -> str:
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        f'xmlns:table="{table}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="家庭成员">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", content)
    return str(path)


def test_ods_repeated_rows_count_but_a_trailing_empty_area_does_not(tmp_path):
    cell = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    empty = '<table:table-row table:number-rows-repeated="{n}"><table:table-cell/></table:table-row>'
    full = f"<table:table-row>{cell}</table:table-row>"
    check_limits(_ods(tmp_path / "a.ods", full + empty.format(n=1048575)), "ods", LIMITS)
    with pytest.raises(WorkbookRefused, match="超过1000行的上限"):
        check_limits(_ods(tmp_path / "b.ods", full + empty.format(n=5000) + full), "ods", LIMITS)
    wide = f'<table:table-row><table:table-cell table:number-columns-repeated="50"/>{cell}</table:table-row>'
    with pytest.raises(WorkbookRefused, match="超过40列的上限"):
        check_limits(_ods(tmp_path / "c.ods", wide), "ods", LIMITS)


def test_rows_with_line_numbers_and_numeric_cells(tmp_path):
    path = tmp_path / "r.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "家庭成员"
    sheet["B2"], sheet["C2"], sheet["B4"], sheet["C4"] = "户编号", "身份证号码", 12, "360102198001010012"
    book.save(path)
    rows = WorkbookRows(str(path), "xlsx", "家庭成员", limits=LIMITS)
    seen = [(rows.line_num, values) for values in rows]
    rows.close()
    assert seen == [
        (1, []),
        (2, ["", "户编号", "身份证号码"]),
        (3, []),
        (4, ["", "12", "360102198001010012"]),
    ]
    assert isinstance(seen[3][1][1], NumericCell) and not isinstance(seen[3][1][2], NumericCell)


def test_file_format_from_the_name():
    assert [workbook_upload.file_format(n) for n in ("a.XLSX", "b.xls", "c.ods", "d.csv", "e")] == [
        "xlsx",
        "xls",
        "ods",
        None,
        None,
    ]
