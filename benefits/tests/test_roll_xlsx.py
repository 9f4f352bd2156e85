"""The roll's XLSX with its rows written by PostgreSQL (benefits/roll_xlsx.py) has the same cells as the openpyxl
path (the embedded mode's) on the same roll — values, types, number formats, bold, the sheet's widths, frozen
header, auto-filter, print setup and footer — read by openpyxl and by python-calamine; planted formulas stay text;
characters XML forbids are removed instead of breaking the export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from benefits import exports, roll_xlsx
from benefits.models import PaymentLine
from benefits.tests.test_roll_csv import PLANTED, roll  # noqa: F401 — the fixture is used by name
from benefits.tests.test_rolls import enrolled  # noqa: F401 — the fixture is used by name
from common.spreadsheets import workbook_response

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL"),
]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _python_xlsx(of_roll, full_ids: bool) -> bytes:
    return _body(workbook_response("x.xlsx", [exports.xlsx_sheet(of_roll, full_ids=full_ids)]))


def _cells(body: bytes) -> list[list[tuple]]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [
        [
            (c.coordinate, c.value, c.data_type, c.number_format, bool(c.font.b))
            for c in row
            if c.value is not None
        ]
        for row in sheet.iter_rows()
    ]


def _sheet_setup(body: bytes) -> tuple:
    sheet = load_workbook(io.BytesIO(body)).active
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    setup = sheet.page_setup
    return (
        sheet.title,
        sheet.freeze_panes,
        sheet.auto_filter.ref,
        sheet.print_title_rows,
        (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight),
        sheet.oddHeader.center.text,
        sheet.oddFooter.left.text,
        sheet.oddFooter.right.text,
        widths,
    )


@pytest.mark.parametrize("full_ids", [True, False])
def test_the_sql_rows_give_the_cells_of_the_openpyxl_path(roll, full_ids):  # noqa: F811
    sql = _body(roll_xlsx.response(roll, full_ids=full_ids))
    python = _python_xlsx(roll, full_ids)
    assert _cells(sql) == _cells(python)
    assert _sheet_setup(sql) == _sheet_setup(python)
    rows = _cells(sql)
    assert len(rows) == 1 + 8 + 1  # header, 2 enrolled + 6 paid planted lines, totals
    reversal = {c[0][0]: c for c in rows[3]}
    assert reversal["C"][1:3] == ("'" + PLANTED[0][1], "s") and reversal["E"][1] == "'+银行"
    assert reversal["F"][1:4] == ("6222021234567890123", "s", "@")  # a long digit string: text format
    assert reversal["D"][1] == ("360102198001010011" if full_ids else "3601**********0011")
    assert reversal["H"][1:4] == (dt.datetime(2018, 6, 1), "d", "yyyy-mm")
    assert reversal["S"][1:4] == (-860, "n", "0.00") and reversal["K"][1] == -860
    supplement = {c[0][0]: c for c in rows[6]}
    assert supplement["C"][1] == "'\t孙七" and supplement["E"][1] == "工行\r"  # the CR survives the XML
    assert supplement["K"][1] == 10.5 and supplement["O"][1] == 1.25 and "L" not in supplement
    assert {c[0][0]: c for c in rows[5]}["J"][1] == "补发\n第二行"
    assert rows[-1][0][1:] == ("合计", "s", "General", True) and rows[-1][-1][1:] == (
        1433.25,
        "n",
        "0.00",
        True,
    )


def test_calamine_reads_the_same_values_from_both(roll):  # noqa: F811
    from python_calamine import CalamineWorkbook

    def values(body: bytes) -> list[list]:
        return CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()

    sql = values(_body(roll_xlsx.response(roll, full_ids=True)))
    assert sql == values(_python_xlsx(roll, True))
    assert sql[1][0] == 1 and sql[-1][-1] == 1433.25 and len(sql) == 10


def test_the_page_writes_the_sql_path_and_forbidden_characters_are_removed(roll, county_officer, client):  # noqa: F811
    line = PaymentLine.objects.filter(roll=roll, kind="correct").get()
    # the Python path refuses these (openpyxl: IllegalCharacterError); a leading one must not hide a formula
    PaymentLine.objects.filter(pk=line.pk).update(
        name="\x01=1+1", bank_name="A\x02B\x0bC\ufffe", label="x&<y>]]>z"
    )
    client.force_login(county_officer)
    response = client.get(reverse("roll_export_xlsx", args=[roll.pk]))
    assert response.status_code == 200
    row = {c[0][0]: c for c in _cells(_body(response))[4]}
    assert row["C"][1] == "'=1+1" and row["E"][1] == "ABC" and row["J"][1] == "x&<y>]]>z"


def test_an_empty_roll_has_the_header_and_the_totals(roll):  # noqa: F811
    PaymentLine.objects.filter(roll=roll).update(held=True)
    sql = _body(roll_xlsx.response(roll, full_ids=True))
    assert _cells(sql) == _cells(_python_xlsx(roll, True))
    assert [r[0][1] for r in _cells(sql)] == ["序号", "合计"]
    assert (
        _cells(sql)[-1][-1][1] == Decimal("0")
        and load_workbook(io.BytesIO(sql)).active.auto_filter.ref == "A1:S1"
    )
