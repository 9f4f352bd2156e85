"""The bank XLSX of a payment roll with its line rows written by PostgreSQL (common.spreadsheets
write_workbook_sql_rows): one `COPY (SELECT …) TO STDOUT` streams the sheet's <row> elements into the workbook.

The same cells as the openpyxl path (benefits.exports.xlsx_sheet, the embedded mode's; a test compares them on
one roll): 序号 as a number, every text cell neutralised like common.spreadsheets does (formula-looking text gets
an apostrophe; long digit strings have the text format), ID numbers masked exactly as common.idnumber.mask unless
the caller may see them in full (the SQL of benefits.roll_csv), the month as a date with the yyyy-mm format, the
amount components and the amount as numbers with the 0.00 format, no cell where the Python path writes none (empty
text, no component, no covered count). The workbook around the rows — title, header, widths fitted to the first
lines, frozen header, auto-filter, print setup, the totals row and the footer — is openpyxl's, written as before.

Memory stays flat: COPY hands the rows over one at a time and they go into the zip's sheet part in 1 MB pieces. A
roll is exported only once locked, and a locked roll's lines never change.
"""

from __future__ import annotations

import itertools

from django.db import connection
from openpyxl.utils import get_column_letter

from benefits import exports
from benefits.exports import COMPONENTS
from benefits.models import PaymentLine, PaymentRoll
from benefits.roll_csv import BATCH, kind_label_sql, masked_sql, plan
from common.spreadsheets import (
    MONEY_FORMAT,
    MONTH_FORMAT,
    TEXT_FORMAT,
    WIDTH_SAMPLE_ROWS,
    copy_sheet_rows,
    workbook_sql_rows_response,
    xlsx_date_sql,
    xlsx_money_sql,
    xlsx_number_cell_sql,
    xlsx_row_sql,
    xlsx_text_cell_sql,
    xlsx_text_sql,
)

TEXT_COLUMNS = ("community_code", "name", "id_number", "bank_name", "bank_account")


def lines_query(*, full_ids: bool, roll_id: int, first_row: int, styles: dict[str, int]) -> tuple[str, list]:
    """The SELECT of the sheet rows (one text column, in line order) of the paid lines of roll `roll_id`, the first
    on sheet row `first_row`. The inner level reads each line once (number, cleaned text, masked ID, kind label);
    the outer one writes the cells, in the columns of exports.HEADER."""
    table = PaymentLine._meta.db_table
    number = xlsx_text_sql("l.id_number")  # cleaned, then masked: the mask shows the cleaned number's ends
    number = number if full_ids else masked_sql(f"({number})")
    # the labels are fixed texts; only a kind without a label is shown as it is stored, cleaned
    kind, kind_params = kind_label_sql(other=xlsx_text_sql("l.kind"))
    letter = [get_column_letter(i) for i in range(1, len(exports.HEADER) + 1)]  # the columns of HEADER
    row, text_style = "s.r", styles[TEXT_FORMAT]
    money = styles[MONEY_FORMAT]
    cells = [
        xlsx_number_cell_sql("s.n", letter[0], row),
        *(
            xlsx_text_cell_sql(f"s.{name}", letter[i], row, text_style)
            for i, name in enumerate(TEXT_COLUMNS, 1)
        ),
        xlsx_number_cell_sql("NULLIF(s.covered_count, 0)", letter[6], row),
        xlsx_number_cell_sql(xlsx_date_sql("s.month"), letter[7], row, styles[MONTH_FORMAT]),
        xlsx_text_cell_sql("s.kind", letter[8], row, text_style),
        xlsx_text_cell_sql("s.label", letter[9], row, text_style),
        *(
            xlsx_number_cell_sql(xlsx_money_sql("s.components ->> %s"), letter[10 + i], row, money)
            for i, _ in enumerate(COMPONENTS)
        ),
        xlsx_number_cell_sql(xlsx_money_sql("s.amount"), letter[-1], row, money),
    ]
    texts = ", ".join(
        f"{xlsx_text_sql(f'l.{name}')} AS {name}" for name in TEXT_COLUMNS if name != "id_number"
    )
    query = f"""
        SELECT {xlsx_row_sql(row, cells)}
        FROM (SELECT l.id, row_number() OVER w AS n, (row_number() OVER w + %s)::text AS r, {texts},
                     {number} AS id_number, {kind} AS kind,
                     {xlsx_text_sql("l.label")} AS label, l.covered_count, l.month, l.components, l.amount
              FROM {table} l
              WHERE l.roll_id = %s AND NOT l.held
              WINDOW w AS (ORDER BY l.id)
              ORDER BY l.id) s
        ORDER BY s.id"""
    # parameters in the order they appear in the text
    return query, [*COMPONENTS, first_row - 1, *kind_params, roll_id]


def response(roll: PaymentRoll, *, full_ids: bool):
    """The roll's XLSX as an attachment (written to a temporary file, then streamed)."""
    count, total, _ = plan(roll, BATCH)  # (the CSV's statements; here one COPY streams every line)
    lines = exports.rows(roll, full_ids=full_ids)
    next(lines)  # the header
    sample = [row for row in itertools.islice(lines, WIDTH_SAMPLE_ROWS) if row[0] != "合计"]  # for the widths
    lines.close()
    sheet = exports.roll_sheet(roll, sample, [exports.totals_row(roll, count, total)])

    def write_rows(styles: dict[str, int], first_row: int, part) -> None:
        query, params = lines_query(full_ids=full_ids, roll_id=roll.pk, first_row=first_row, styles=styles)
        with connection.cursor() as cur:
            copy_sheet_rows(cur, query, params, part)

    return workbook_sql_rows_response(
        exports.filename(roll, "xlsx"), sheet, count=count, write_rows=write_rows
    )
