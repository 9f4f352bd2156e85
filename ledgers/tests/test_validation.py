"""The streaming validator: every row checked, bad rows reported with their line, good rows in COPY format."""

from __future__ import annotations

import io

import pytest

from conftest import make_id
from ledgers.validation import ExtractFileError, read_good_rows, unescape_copy, validate_file


def run(tmp_path, kind, text: str | bytes, *, name="x.csv", fmt="csv", regions=frozenset(), limit=1000):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    out = io.StringIO()
    result = validate_file(
        path=str(path), file_format=fmt, kind=kind, extract_id=7, out=out, regions=regions, error_limit=limit
    )
    return result, out.getvalue()


def test_bad_rows_are_listed_with_their_line_and_good_rows_written(tmp_path):
    good1, good2 = make_id(), make_id()
    bad_check = good1[:17] + ("0" if good1[17] != "0" else "1")
    text = (
        "身份证号码,姓名,死亡日期\n"
        f"{good1},张三,2025-08-01\n"
        f"{bad_check},李四,2025-08-01\n"
        f"{good2},王五,2025/9/3\n"
        f"{make_id()},赵六,2025-02-30\n"
        ",钱七,2025-01-01\n"
        f"{make_id()[:17]},孙八,\n"
    )
    result, out = run(tmp_path, "death", text)
    assert (result.rows_total, result.rows_good, result.rows_bad) == (6, 2, 4)
    assert [(e.line, e.field, e.message) for e in result.errors] == [
        (3, "身份证号码", "身份证号码校验位错误"),
        (5, "死亡日期", "日期格式应为 YYYY-MM-DD 且为有效日期"),
        (6, "身份证号码", "必填"),
        (7, "身份证号码", "身份证号码应为18位，实为17位"),
        (7, "死亡日期", "必填"),
    ]
    assert result.columns == ["extract_id", "line", "id_number", "name", "on_date"]
    assert out == f"7\t2\t{good1}\t张三\t2025-08-01\n7\t4\t{good2}\t王五\t2025-09-03\n"


def test_headers_in_any_order_aliases_and_extra_columns(tmp_path):
    number = make_id()
    text = f'备注,月收入,公民身份号码\n无关,"1,234.50",{number}\n'
    result, out = run(tmp_path, "tax_income", text)
    assert result.rows_bad == 0
    assert out == f"7\t2\t{number}\t1234.50\n"


def test_amounts_must_be_plain_non_negative_with_two_decimals(tmp_path):
    rows = ["-5", "12.345", "abc", "¥88", "100", "1e3", '"1,000.50"', "NaN"]
    text = "身份证号码,余额（元）\n" + "".join(f"{make_id()},{v}\n" for v in rows)
    result, _ = run(tmp_path, "financial", text)
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "不能为负数"),
        (3, "最多保留两位小数（到分）"),
        (4, "应为数字，如 1000 或 1,000.50"),
        (7, "应为数字，如 1000 或 1,000.50"),
        (9, "应为数字，如 1000 或 1,000.50"),
    ]
    assert result.rows_good == 3


def test_a_missing_required_column_rejects_the_whole_file(tmp_path):
    with pytest.raises(ExtractFileError, match="缺少必填列：号牌号码"):
        run(tmp_path, "vehicle", f"身份证号码,姓名\n{make_id()},张三\n")
    with pytest.raises(ExtractFileError, match="空"):
        run(tmp_path, "vehicle", "")


def test_gb18030_csv_and_lowercase_x(tmp_path):
    number = next(n for n in (make_id() for _ in range(200)) if n.endswith("X"))
    text = f"身份证号码,姓名,号牌号码\n{number.lower()},张三,赣A00001\n"
    result, out = run(tmp_path, "vehicle", text.encode("gb18030"))
    assert result.rows_bad == 0
    assert out.split("\t")[2] == number and "张三" in out


def test_region_column_must_be_a_known_region(tmp_path):
    number = make_id()
    text = f"身份证号码,区划代码\n{number},360102\n{make_id()},999999\n{make_id()},360102000000\n"
    result, out = run(tmp_path, "benefit", text, regions=frozenset({"360102"}))
    assert [(e.line, e.message) for e in result.errors] == [(3, "区划代码不在本省区划表中")]
    assert out.splitlines()[1].endswith("\t360102")


def test_special_characters_survive_the_copy_format(tmp_path):
    number = make_id()
    text = f'身份证号码,姓名,号牌号码\n{number},"a\\b",赣A\t1\n'
    result, out = run(tmp_path, "vehicle", text)
    assert result.rows_good == 1
    path = tmp_path / "good"
    path.write_text(out, encoding="utf-8")
    assert list(read_good_rows(str(path), result.columns)) == [("7", "2", number, "a\\b", "赣A\t1")]
    assert unescape_copy(r"\N") is None


def test_error_list_is_capped_but_every_bad_row_counted(tmp_path):
    text = "身份证号码,死亡日期\n" + "123,2025-01-01\n" * 50
    result, _ = run(tmp_path, "death", text, limit=10)
    assert result.rows_bad == 50 and len(result.errors) == 10


def test_xlsx_with_dates_and_an_id_stored_as_a_number(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    number = make_id()
    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号码", "姓名", "死亡日期"])
    sheet.append([number, "张三", dt.datetime(2025, 8, 1)])
    sheet.append([360102198001011234, "李四", "2025-08-01"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    result, out = run(tmp_path, "death", path.read_bytes(), name="x.xlsx", fmt="xlsx")
    assert out == f"7\t2\t{number}\t张三\t2025-08-01\n"
    assert result.errors[0].line == 3 and "数字" in result.errors[0].message


def test_an_xlsx_extract_that_unpacks_past_the_limit_is_refused_unread(tmp_path, settings, monkeypatch):
    import zipfile

    import openpyxl

    settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES = 2**20
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/worksheets/sheet1.xml", b" " * (4 * 2**20))

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook over the limit")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(ExtractFileError, match="文件解压后有4 MB，超过1 MB的上限"):
        run(tmp_path, "death", path.read_bytes(), name="bomb.xlsx", fmt="xlsx")
