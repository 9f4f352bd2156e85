"""The roll's bank CSV written by PostgreSQL (benefits/roll_csv.py, COPY … TO STDOUT) equals, byte for byte, the
Python writer's (the embedded mode's path) on the same roll: planted formulas, quotes, commas and line breaks,
empty fields, long digit strings, short ID numbers, 冲正/更正 lines with negative amounts, held lines left out,
masked and full ID numbers, and statement batches that cut the roll anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from benefits import exports
from benefits.models import PaymentLine
from benefits.services import rolls as services
from benefits.tests.test_rolls import enrolled, make_roll  # noqa: F401 — the fixture is used by name

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL"),
]

PLANTED = [
    # (kind, name, id_number, bank, account, covered, label, components, amount, held)
    (
        "reversal",
        '=HYPERLINK("http://ev.il","点")',
        "360102198001010011",
        "+银行",
        "6222021234567890123",
        2,
        "冲正：2018年06月 原发放有误",
        {"dibao_subsidy": "-860.00"},
        "-860.00",
        False,
    ),
    (
        "correct",
        "王,五",
        "360102198001010011",
        "",
        "",
        0,
        "更正：2018年06月",
        {"dibao_subsidy": 560},
        "560.00",
        False,
    ),
    ("arrears", '赵"六"', "12345678", "@行", "-12", 1, "补发\n第二行", {}, "0.50", False),
    (
        "supplement",
        "\t孙七",
        "1234",
        "工行\r",
        "00012345678901",
        3,
        "增发：重病",
        {"dibao_subsidy": "10.5", "care": "1.25"},
        "11.75",
        False,
    ),
    ("regular", "暂缓者", "360102198001010099", "银行", "6222", 1, "", {}, "999.00", True),
    ("regular", "周八", "36010219800101001x", "中国银行", "123456789012345678X", 1, "-", {}, "300.00", False),
    ("regular", "吴九", "1234567890X", "农行", "12345678901x", 1, "12345678901X1", {}, "1.00", False),
]


@pytest.fixture
def roll(enrolled, county_officer, django_capture_on_commit_callbacks):  # noqa: F811
    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    enrolment = enrolled[0]
    PaymentLine.objects.bulk_create(
        PaymentLine(
            roll=roll,
            enrolment=enrolment,
            kind=kind,
            month=dt.date(2018, 6, 1),
            label=label,
            community_code=enrolment.community_code,
            name=name,
            id_number=number,
            bank_name=bank,
            bank_account=account,
            covered_count=covered,
            components=components,
            amount=Decimal(amount),
            held=held,
        )
        for kind, name, number, bank, account, covered, label, components, amount, held in PLANTED
    )
    services.roll_lock(roll=roll, acting_user=county_officer)
    return roll


def _bytes(chunks) -> bytes:
    return b"".join(c.encode() if isinstance(c, str) else c for c in chunks)


@pytest.mark.parametrize("full_ids", [True, False])
@pytest.mark.parametrize("batch", [3, 8, 50_000])  # 8 = every paid line in one full batch, nothing after it
def test_copy_and_python_paths_write_the_same_bytes(roll, full_ids, batch):
    from benefits import roll_csv

    python = _bytes(exports.python_csv_chunks(roll, full_ids=full_ids))
    copied = _bytes(roll_csv.chunks(roll, full_ids=full_ids, batch=batch))
    assert copied == python
    rows = list(csv.reader(io.StringIO(copied.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 + 8 + 1  # header, 2 enrolled + 6 paid planted lines, totals
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4", "5", "6", "7", "8", "合计"]
    reversal = rows[3]
    assert (
        reversal[2] == "'" + PLANTED[0][1]
        and reversal[4] == "'+银行"
        and reversal[5] == "\t6222021234567890123"
    )
    assert reversal[8] == "冲正" and reversal[-1] == "-860.00"
    assert reversal[3] == ("\t360102198001010011" if full_ids else "3601**********0011")
    assert rows[4][2] == "王,五" and rows[4][4] == "" and rows[4][6] == "" and rows[4][8] == "更正"
    assert rows[5][2] == '赵"六"' and rows[5][5] == "'-12" and rows[5][9] == "补发\n第二行"
    assert rows[5][3] == ("12345678" if full_ids else "********")
    assert rows[6][2] == "'\t孙七" and rows[6][4] == "工行\r" and rows[6][5] == "\t00012345678901"
    assert rows[7][9] == "'-" and rows[7][5] == "\t123456789012345678X"
    assert "暂缓者" not in copied.decode()
    # 10 digits and an X is not a long digit string; 11 digits and an x is; a digit after the X is not
    assert rows[8][3] == ("1234567890X" if full_ids else "1234***890X")
    assert rows[8][5] == "\t12345678901x" and rows[8][9] == "12345678901X1"
    assert (
        rows[-1][2] == "共8笔" and rows[-1][-1] == "1433.25"
    )  # 860 + 560 − 860 + 560 + 0.50 + 11.75 + 300 + 1
    assert copied.count(b"\r\n") == 10 and b"\n\xe7\xac\xac" in copied  # the label's own LF stays an LF


def test_the_page_streams_the_copy_path(roll, county_officer, client):
    client.force_login(county_officer)
    response = client.get(reverse("roll_export_csv", args=[roll.pk]))
    assert response.status_code == 200
    assert _bytes(response.streaming_content) == _bytes(exports.python_csv_chunks(roll, full_ids=True))


@pytest.mark.parametrize("batch", [1, 2, 3, 8, 50_000])
def test_the_plan_cuts_the_paid_lines_into_statements_of_at_most_a_batch(roll, batch):
    from benefits import roll_csv

    count, total, statements = roll_csv.plan(roll, batch)
    assert (count, total) == (8, Decimal("1433.25"))
    paid = roll.lines.filter(held=False)
    seen = 0
    for before, after, last in statements:
        assert before == seen and after < last
        lines = paid.filter(id__gt=after, id__lte=last).count()
        assert 1 <= lines <= batch
        seen += lines
    assert seen == count and paid.filter(id__gt=statements[-1][2]).count() == 0
    if batch >= count:  # one statement over the paid lines' id range
        ids = list(paid.order_by("id").values_list("id", flat=True))
        assert statements == [(0, ids[0] - 1, ids[-1])]
