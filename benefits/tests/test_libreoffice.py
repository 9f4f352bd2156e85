"""A real spreadsheet program reads our files (issue 17 item 2): every export and the import template are
converted by LibreOffice (Debian's libreoffice-calc, headless) and the converted cells are checked: ID numbers
and bank accounts intact (never 3.60102E+17), dates as dates, months as months, money with two decimals, a
planted formula still text. Required in CI (CI=true); skipped locally only when soffice is absent."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from benefits.services import rolls as roll_services
from benefits.tests.factories import enrol, household
from benefits.tests.test_export_injection import XLSX_EXPORTS
from help.models import Lead

pytestmark = pytest.mark.django_db
# CSV out of LibreOffice: comma, quote, UTF-8, from line 1, every sheet to its own file, cells as shown.
AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
CSV_IN = "Text - txt - csv (StarCalc):44,34,76,1"
PLANTED = "=1+1"


@pytest.fixture
def world(std2018, county_officer, django_capture_on_commit_callbacks):
    row = household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0"})
    enrolment = enrol(row, acting_user=county_officer, today=dt.date(2018, 6, 20))
    Lead.objects.create(
        community_id=row.community_id,
        name=PLANTED,
        reason="medical",
        detail="x",
        reported_on=dt.date(2018, 7, 2),
        visit_due_on=dt.date(2018, 7, 5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        roll, _ = roll_services.roll_request(
            acting_user=county_officer,
            county="360102",
            month=dt.date(2018, 7, 1),
            program="dibao",
            today=dt.date(2018, 7, 2),
        )
    roll.refresh_from_db()
    roll_services.roll_lock(roll=roll, acting_user=county_officer)
    return {"household": row, "enrolment": enrolment, "roll": roll}


def _body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _converted(out, stem: str) -> dict[str, list[list[str]]]:
    """{sheet title: rows} of the CSV files LibreOffice wrote for one workbook."""
    sheets = {}
    for path in sorted(out.glob(f"{stem}*.csv")):
        title = path.stem[len(stem) + 1 :] if path.stem != stem else ""
        sheets[title] = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return sheets


def test_libreoffice_reads_every_export_and_the_template(world, county_officer, client, soffice, tmp_path):
    client.force_login(county_officer)
    roll, head = world["roll"], world["household"].members.get(relation="head")
    files = {name: _body(client.get(reverse(name))) for name in XLSX_EXPORTS}
    files["roll"] = _body(client.get(reverse("roll_export_xlsx", args=[roll.pk])))
    files["template"] = _body(client.get(reverse("import_template")))
    paths = []
    for name, body in files.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(body)
        paths.append(path)
    out = soffice(paths, AS_SHOWN)
    for name in files:
        assert _converted(out, name), f"LibreOffice could not read the {name} export"

    (rows,) = _converted(out, "roll").values()
    line = rows[1]
    assert line[3] == head.id_number and line[5] == world["household"].bank_account  # full digits, as text
    assert line[7] == "2018-07" and line[-1] == f"{roll.total_amount:.2f}"
    assert rows[-1][0] == "合计" and rows[-1][-1] == f"{roll.total_amount:.2f}"

    (enrolments,) = _converted(out, "enrolment_export").values()
    data = enrolments[2]  # caption, header, the row
    enrolment = world["enrolment"]
    assert data[10] == f"{enrolment.monthly_amount:.2f}" and data[11] == "2018-07"
    assert data[12] == f"{enrolment.next_review_on:%Y-%m-%d}"

    (leads,) = _converted(out, "lead_export").values()
    assert leads[2][1] == "'" + PLANTED and leads[2][8] == "2018-07-02"  # the planted formula stayed text

    template = _converted(out, "template")
    example = template["填写示例"]
    assert example[2][13] == "360102198001010012" and example[2][6] == "6228480000000000000"
    assert template["家庭成员"][0][:2] == ["户编号", "社区区划代码"]


def test_libreoffice_reads_the_roll_csv_with_ids_as_text(world, county_officer, client, soffice, tmp_path):
    client.force_login(county_officer)
    roll, head = world["roll"], world["household"].members.get(relation="head")
    path = tmp_path / "roll.csv"
    path.write_bytes(_body(client.get(reverse("roll_export_csv", args=[roll.pk]))))
    out = soffice([path], "xlsx", infilter=CSV_IN)
    sheet = load_workbook(out / "roll.xlsx").active
    id_cell, account_cell = sheet.cell(2, 4), sheet.cell(2, 6)
    assert id_cell.data_type == "s" and id_cell.value.strip() == head.id_number
    assert account_cell.data_type == "s" and account_cell.value.strip() == world["household"].bank_account
    assert sheet.cell(1, 1).value == "序号"  # the BOM was read as UTF-8, not as text of the first cell
