"""Bank exports of a locked roll: CSV streamed row by row, XLSX written by openpyxl in write-only mode (rows
go to a temporary file as they come, strings inline) and then streamed from that file. Memory stays flat
whatever the roll's size: lines are read from a server-side cursor in chunks.

Columns: 序号, 社区, 姓名, 身份证号码, 开户银行, 银行账号, 保障人数, 所属月份, 类型, 说明, one column per amount
component, 金额; the last row is the total (number of lines and amount). Held lines are not paid and not
exported. ID numbers are masked unless the caller may see them in full (benefits.permissions.sees_full_ids).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from benefits.compute import COMPONENT_LABELS
from benefits.models import PaymentLine, PaymentRoll
from cases import idnumber

COMPONENTS = tuple(COMPONENT_LABELS)
HEADER = ("序号", "社区代码", "姓名", "身份证号码", "开户银行", "银行账号", "保障人数", "所属月份", "类型", "说明",
          *(f"{COMPONENT_LABELS[c]}（元）" for c in COMPONENTS), "金额（元）")
KIND_LABELS = dict(PaymentLine.Kind.choices)
CHUNK = 5000


def filename(roll: PaymentRoll, ext: str) -> str:
    return f"发放花名册_{roll.county_id}_{roll.month:%Y%m}_{roll.program}.{ext}"


def rows(roll: PaymentRoll, *, full_ids: bool) -> Iterator[tuple]:
    """The header, one tuple per paid line (in line order), and the totals row."""
    yield HEADER
    count, total = 0, Decimal("0.00")
    lines = (roll.lines.filter(held=False).order_by("id")
             .values_list("community_code", "name", "id_number", "bank_name", "bank_account", "covered_count",
                          "month", "kind", "label", "components", "amount"))
    for community, name, number, bank, account, covered, month, kind, text, components, amount in \
            lines.iterator(chunk_size=CHUNK):
        count += 1
        total += amount
        parts = tuple(Decimal(components[c]) if c in components else None for c in COMPONENTS)
        yield (count, community, name, number if full_ids else idnumber.mask(number), bank, account,
               covered or None, f"{month:%Y-%m}", KIND_LABELS[kind], text, *parts, amount)
    yield ("合计", "", f"共{count}笔", "", "", "", None, f"{roll.month:%Y-%m}", "", "",
           *(None for _ in COMPONENTS), total)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(roll: PaymentRoll, *, full_ids: bool) -> Iterator[str]:
    """CSV text in chunks of rows (UTF-8 with BOM, so spreadsheet software reads the Chinese correctly)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"
    batch: list[str] = []
    for row in rows(roll, full_ids=full_ids):
        batch.append(writer.writerow(["" if v is None else v for v in row]))
        if len(batch) >= 1000:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def xlsx_file(roll: PaymentRoll, *, full_ids: bool, directory: str | None = None) -> str:
    """Write the roll to a temporary .xlsx file and return its path (the caller streams and removes it)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"{roll.month:%Y年%m月}")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for n, row in enumerate(rows(roll, full_ids=full_ids)):
        if n == 0 or row[0] == "合计":
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append(row)
    handle, path = tempfile.mkstemp(suffix=".xlsx", dir=directory)
    os.close(handle)
    try:
        workbook.save(path)
    except BaseException:
        os.unlink(path)
        raise
    return path
