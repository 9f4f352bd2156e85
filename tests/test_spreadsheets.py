"""common/spreadsheets.py: the one workbook writer every export uses."""

from decimal import Decimal

from openpyxl import load_workbook

from common.spreadsheets import Sheet, workbook_response, write_workbook


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
    from common.spreadsheets import personal_export_response

    def broken(**kwargs):
        raise RuntimeError("日志库不可用")

    monkeypatch.setattr(services, "access_log_record", broken)
    request = rf.get("/households/export.xlsx")
    request.user = caseworker
    with pytest.raises(RuntimeError):
        personal_export_response(
            request, filename="名单.xlsx", what="导出名单", sheets=[Sheet("名单", ["姓名"], [("张三",)])]
        )
