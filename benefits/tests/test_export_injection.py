"""Formula injection (issue 20 item 1) end to end: text planted as an attacker would (a department's lead through
the API, a household's address, a head's name, a bank name) comes back out of every export, CSV and XLSX, as
text with a leading apostrophe, never as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import ApiClient, Region
from accounts.services import api_client_save, api_key_issue
from benefits.services import rolls as roll_services
from benefits.tests.factories import enrol, household
from common.spreadsheets import FORMULA_START
from conftest import HOME_COMMUNITY
from help.models import Lead

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://ev.il","点击")'
ADDRESS = "+cmd|' /C calc'!A0"
BANK = "@SUM(1+1)*cmd|' /C calc'!A0"
LEAD = "-2+3+cmd|' /C calc'!A0"

XLSX_EXPORTS = [
    "household_export",
    "application_export",
    "lead_export",
    "pairing_export",
    "job_export",
    "student_export",
    "need_export",
    "match_export",
    "enrolment_export",
    "review_export",
    "relief_export",
    "relief_filed_export",
    "ledger_task_export",
]


@pytest.fixture
def planted(std2018, county_officer, client, make_user):
    row = household({"income": "300", "name": NAME})
    row.address, row.bank_name = ADDRESS, BANK
    row.save(update_fields=["address", "bank_name"])
    enrol(row, acting_user=county_officer, today=dt.date(2018, 6, 20))
    province = make_user("province", "360000")
    api_client = api_client_save(
        acting_user=province,
        values={
            "name": "attacker",
            "department": "医保",
            "scopes": ["findings"],
            "region": Region.objects.get(code="360102"),
            "rate_per_minute": 10000,
        },
    )
    key = api_key_issue(acting_user=province, client=api_client)[1]
    response = client.post(
        "/api/v1/leads",
        json.dumps({"community": HOME_COMMUNITY, "name": LEAD, "reason": "medical", "detail": "=1+1"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert response.status_code == 201, response.content
    assert Lead.objects.get().name == LEAD and ApiClient.objects.count() == 1
    return row


def _roll(county_officer, capture):
    with capture(execute=True):
        roll, _ = roll_services.roll_request(
            acting_user=county_officer,
            county="360102",
            month=dt.date(2018, 7, 1),
            program="dibao",
            today=dt.date(2018, 7, 2),
        )
    roll.refresh_from_db()
    roll_services.roll_lock(roll=roll, acting_user=county_officer)
    return roll


def _xlsx_cells(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_no_formula(cells) -> list[str]:
    texts = []
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not cell.value.startswith(FORMULA_START), (cell.coordinate, cell.value)
            texts.append(cell.value)
    return texts


def test_every_xlsx_list_export_writes_planted_formulas_as_text(planted, county_officer, client):
    client.force_login(county_officer)
    seen = set()
    for name in XLSX_EXPORTS:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        seen |= set(_assert_no_formula(_xlsx_cells(response)))
    assert {"'" + NAME, "'" + ADDRESS, "'" + LEAD} <= seen


def test_the_roll_csv_and_xlsx_write_planted_formulas_as_text(
    planted, county_officer, client, django_capture_on_commit_callbacks
):
    roll = _roll(county_officer, django_capture_on_commit_callbacks)
    client.force_login(county_officer)
    cells = _xlsx_cells(client.get(reverse("roll_export_xlsx", args=[roll.pk])))
    texts = _assert_no_formula(cells)
    assert "'" + NAME in texts and "'" + BANK in texts
    text = b"".join(client.get(reverse("roll_export_csv", args=[roll.pk])).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    line = rows[1]
    assert line[2] == "'" + NAME and line[4] == "'" + BANK
    for row in rows:
        for value in row:
            # a tab is only ever ours: in front of a long digit string, to keep it text
            assert not value.startswith(FORMULA_START) or value[1:].isdigit(), value
