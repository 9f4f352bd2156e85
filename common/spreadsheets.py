"""The one writer of every spreadsheet the product hands out: XLSX workbooks and CSV files.

Every export (lists, reports, the payment roll for the bank, the import template and the import's error report)
gives its sheets here as (title, header, rows) with rows an iterator; nothing else in the tree writes a
spreadsheet. What this module guarantees, so no caller has to remember it:

- **No formula ever leaves the product** (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, and text is always written as a string
  cell, never as a formula (`neutralise`).
- **Values keep their type**: dates are real dates (``yyyy-mm-dd``), `Month` values show as ``yyyy-mm``,
  datetimes as ``yyyy-mm-dd hh:mm`` (local time), `Decimal` money as a number with a ``0.00`` format; ID
  numbers, bank accounts and codes are text and long digit strings are formatted as text (``@``), so Excel
  and WPS never turn them into 3.60102E+17.
- **Sheets open ready to read**: a bold, frozen header row with an auto-filter, column widths that fit Chinese
  text (a CJK character counts two), and optional print settings (`PrintSetup`: landscape A4, the header row
  repeated on every page, one page wide, a page header and a footer with page numbers, which may be computed
  after the rows, e.g. the roll's totals).
- **Memory stays flat**: openpyxl's write-only mode streams rows to a temporary file (one library for
  reading and writing XLSX; its write-only mode does everything above, xlsxwriter would add a second
  library for the same job); CSV is streamed in chunks, UTF-8 with a BOM so Excel on Chinese Windows reads it.
- **Large CSV written by PostgreSQL** (`csv_text_sql`, `copy_csv`): the same cell rules as SQL expressions, for a
  `COPY (SELECT …) TO STDOUT WITH CSV` whose bytes equal what `csv_chunks` writes for the same values (records
  ended by CRLF, empty text as an empty field), so a caller may stream a long export from the database and keep
  the Python path where there is no PostgreSQL (the embedded SQLite mode).

Callers decide masking and the access log (`personal_export_response` logs a personal-data export with the
number of rows it actually wrote).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Excel's limits: 31 characters in a sheet title and none of these characters.
_BAD_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})
# What a spreadsheet program may read as the start of a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Digit strings this long lose digits as numbers (Excel keeps 15 significant digits; 11+ shows as 1.38E+10).
_LONG_DIGITS = re.compile(r"^\d{11,}[\dXx]?$")
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "0.00"
TEXT_FORMAT = "@"
WIDTH_SAMPLE_ROWS = 200  # rows read ahead to size the columns (write-only: widths go before the first row)
MIN_WIDTH, MAX_WIDTH = 6, 60


class Month(dt.date):
    """A month (its first day) that spreadsheets show as yyyy-mm, not as a date."""

    @classmethod
    def of(cls, value: dt.date | None) -> Month | None:
        return None if value is None else cls(value.year, value.month, 1)


def neutralise(text: str) -> str:
    """Text a spreadsheet program will show as text: a leading apostrophe when it could start a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def display_width(text: str) -> int:
    """Columns a text takes in Excel's default font: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass
class PrintSetup:
    """How a sheet prints. `header` and `footer` are the centre of the page header/footer (Excel codes such as
    &P and &N allowed); `footer` may be a callable read after the rows are written (totals)."""

    header: str = ""
    footer: str | Callable[[], str] = ""
    landscape: bool = True
    one_page_wide: bool = True


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    # Lines written above the header (a title, the region and period, the source of the figures).
    caption: Sequence[str] = field(default_factory=list)
    # Rows written in bold after the data (totals).
    footer: Sequence[Sequence[Any]] = field(default_factory=list)
    # Column widths; by default fitted to the header and the first rows.
    widths: Sequence[int] = field(default_factory=list)
    # Header labels of columns typed in as text by whoever fills the sheet (the template's ID/account columns).
    text_columns: Sequence[str] = field(default_factory=list)
    # (header label, allowed values): a dropdown on that column for the rows below the header.
    dropdowns: Sequence[tuple[str, Sequence[str]]] = field(default_factory=list)
    # Rows below the header that the dropdowns and text formats cover when the sheet is a form to fill.
    form_rows: int = 0
    printing: PrintSetup | None = None


# --- one value, typed ---------------------------------------------------------------------------


def _plain(value: Any) -> tuple[Any, str | None]:
    """(the value to store, its number format or None) for one cell."""
    if value is None:
        return None, None
    if isinstance(value, str):
        text = neutralise(value)
        return text, TEXT_FORMAT if _LONG_DIGITS.match(text) else None
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, Decimal):
        return value, MONEY_FORMAT
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None, microsecond=0), DATETIME_FORMAT
    if isinstance(value, Month):
        return dt.date(value.year, value.month, 1), MONTH_FORMAT
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    if isinstance(value, int | float):
        return value, None
    return neutralise(str(value)), None


def csv_text(value: Any) -> str:
    """One cell as CSV text: neutralised, long digit strings after a tab (Excel and WPS keep them as text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = neutralise(value)
        return "\t" + text if _LONG_DIGITS.match(text) else text
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%Y-%m-%d %H:%M}"
    if isinstance(value, Month):
        return f"{value:%Y-%m}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


# --- XLSX -------------------------------------------------------------------------------------------


class _CellMaker:
    """Cells for a write-only sheet. A plain value is appended as it is (fast); a value that needs a number
    format, or a bold row, becomes a WriteOnlyCell whose style is copied from one made once per kind.
    Text is safe either way: after `neutralise` no text starts with "=", the only start openpyxl reads as a
    formula, and a styled text cell is typed as a string explicitly."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.styles: dict[tuple[str | None, bool], Any] = {}

    def _style(self, number_format: str | None, bold: bool):
        key = (number_format, bold)
        if key not in self.styles:
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font

            model = WriteOnlyCell(self.sheet)
            if number_format:
                model.number_format = number_format
            if bold:
                model.font = Font(bold=True)
            self.styles[key] = model._style
        return self.styles[key]

    def cell(self, value: Any, bold: bool = False):
        stored, number_format = _plain(value)
        if number_format is None and not bold:
            return stored
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=stored)
        if isinstance(stored, str):
            cell.data_type = "s"  # never a formula, whatever the text
        cell._style = copy(self._style(number_format, bold))
        return cell

    def row(self, values: Sequence[Any], bold: bool = False) -> list:
        return [self.cell(v, bold) for v in values]


def _fitted_widths(header: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[int]:
    widths = [display_width(str(h)) for h in header]
    for row in sample:
        for i, value in enumerate(row):
            text = csv_text(value).lstrip("\t")
            if i < len(widths):
                widths[i] = max(widths[i], display_width(text))
            else:
                widths.append(display_width(text))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widths]


def _set_columns(sheet, spec: Sheet, sample: Sequence[Sequence[Any]]) -> None:
    from openpyxl.utils import get_column_letter

    widths = list(spec.widths) or _fitted_widths(spec.header, sample)
    text = {i for i, label in enumerate(spec.header) if label in spec.text_columns}
    for i, width in enumerate(widths):
        dimension = sheet.column_dimensions[get_column_letter(i + 1)]
        dimension.width = width
        if i in text:
            dimension.number_format = TEXT_FORMAT


def _set_printing(sheet, spec: Sheet, header_row: int) -> None:
    if spec.printing is None:
        return
    setup = spec.printing
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    if setup.one_page_wide:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True


def _finish_printing(sheet, spec: Sheet) -> None:
    if spec.printing is None:
        return
    footer = spec.printing.footer() if callable(spec.printing.footer) else spec.printing.footer
    sheet.oddHeader.center.text = spec.printing.header
    sheet.oddFooter.left.text = footer
    sheet.oddFooter.right.text = "第 &P 页，共 &N 页"
    sheet.evenHeader.center.text = spec.printing.header
    sheet.evenFooter.left.text = footer
    sheet.evenFooter.right.text = "第 &P 页，共 &N 页"


def _add_dropdowns(sheet, spec: Sheet, first: int, last: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    positions = {label: i for i, label in enumerate(spec.header)}
    for label, values in spec.dropdowns:
        letter = get_column_letter(positions[label] + 1)
        # A list given inline is limited to 255 characters in Excel; every list here is far shorter.
        choices = '"' + ",".join(values) + '"'
        validation = DataValidation(
            type="list",
            formula1=choices,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",  # other accepted spellings ("城市低保") may still be kept
            errorTitle="请从下拉列表中选择",
            error=f"「{label}」应为：{'、'.join(values)}",
        )
        validation.add(f"{letter}{first}:{letter}{last}")
        sheet.data_validations.append(validation)  # write-only: no add_data_validation


def _write_sheet(book, spec: Sheet) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=(spec.title.translate(_BAD_TITLE) or "Sheet")[:31])
    rows = iter(spec.rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    header_row = len(spec.caption) + 1
    _set_columns(sheet, spec, sample)
    _set_printing(sheet, spec, header_row)
    sheet.freeze_panes = f"A{header_row + 1}"  # write-only: views go before the first row
    cells = _CellMaker(sheet)
    for line in spec.caption:
        sheet.append([cells.cell(line, bold=True)])
    sheet.append(cells.row(list(spec.header), bold=True))
    last = header_row
    for row in itertools.chain(sample, rows):
        sheet.append(cells.row(row))
        last += 1
    for row in spec.footer:
        sheet.append(cells.row(list(row), bold=True))
    width = max(len(spec.header), 1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(width)}{max(last, header_row)}"
    if spec.dropdowns and spec.form_rows:
        _add_dropdowns(sheet, spec, header_row + 1, header_row + spec.form_rows)
    _finish_printing(sheet, spec)


def write_workbook(sheets: Iterable[Sheet], out) -> None:
    """Write the sheets into `out` (a path or a binary file object)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book, spec)
    book.save(out)


def workbook_response(filename: str, sheets: Iterable[Sheet]) -> FileResponse:
    """An attachment response streaming the workbook from a temporary file (removed when closed)."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_workbook(sheets, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)


# --- CSV --------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 1000) -> Iterator[str]:
    """CSV text in chunks of rows: a BOM, the header, the rows (every cell through `csv_text`)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"
    lines: list[str] = [writer.writerow([csv_text(v) for v in header])]
    for row in rows:
        lines.append(writer.writerow([csv_text(v) for v in row]))
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """An attachment response streaming the CSV as it is written."""
    return csv_stream_response(filename, csv_chunks(header, rows))


def csv_stream_response(filename: str, chunks: Iterable[str | bytes]) -> StreamingHttpResponse:
    """An attachment response streaming CSV already written in pieces (csv_chunks, or COPY through copy_csv)."""
    from urllib.parse import quote

    response = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.csv\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text, exactly as `csv_chunks` writes them (no BOM, no header)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    return "".join(writer.writerow([csv_text(v) for v in row]) for row in rows)


# --- CSV written by PostgreSQL ----------------------------------------------------------------------


# `csv_text` of a str, in SQL, cheap per cell (a regular expression per cell doubled the export's time): the first
# character's code point decides (ascii() of '' is 0); _LONG_DIGITS is "11 or more ASCII digits, then at most one
# X": what is left once the leading digits are trimmed is '', 'X' or 'x'. ASCII digits where Python's \d also takes
# other scripts' digits: stored ID numbers and accounts are ASCII (common.idnumber normalises full-width input); a
# name of 11 Arabic-Indic digits would only miss its protecting tab.
_SQL_FORMULA_START = ", ".join(str(ord(c)) for c in FORMULA_START)


def csv_text_sql(column: str) -> str:
    """SQL giving `csv_text` of the text `column` (a plain column name: it is repeated) for a COPY … WITH CSV:
    a formula-looking start gets an apostrophe, a long digit string a tab in front, and '' becomes NULL (COPY
    writes NULL as an empty field but '' as a quoted "", which csv_chunks never writes)."""
    return (
        f"CASE WHEN ascii({column}) IN ({_SQL_FORMULA_START}) THEN chr(39) || {column}"
        f" WHEN ascii({column}) BETWEEN 48 AND 57 AND length({column}) >= 11"
        f" AND (ltrim({column}, '0123456789') = ''"
        f" OR (ltrim({column}, '0123456789') IN ('X', 'x') AND length({column}) >= 12)) THEN chr(9) || {column}"
        f" ELSE NULLIF({column}, '') END"
    )


def money_sql(expression: str) -> str:
    """SQL giving `csv_text` of a money value: two decimals (NULL stays an empty field)."""
    return f"round(({expression})::numeric, 2)"


def _crlf(data: bytes) -> bytes:
    """COPY ends records with LF, csv_chunks with CRLF. Only an LF outside quotes ends a record (an LF inside a
    quoted text stays, as the csv module writes it); in UTF-8 no character's bytes contain '"' or LF."""
    if b'"' not in data:
        return data.replace(b"\n", b"\r\n")
    parts = data.split(b'"')
    parts[0::2] = [part.replace(b"\n", b"\r\n") for part in parts[0::2]]
    return b'"'.join(parts)


def copy_csv(cursor, query: str, params: Sequence[Any] = ()) -> bytes:
    """The CSV PostgreSQL writes for `query` (a SELECT whose text columns went through csv_text_sql), with
    csv_chunks' record ends. `cursor`: a psycopg2 cursor (Django's wraps one). One statement's output is held in
    memory: callers cut a long export into statements of a bounded number of rows."""
    import io

    buffer = io.BytesIO()
    statement = cursor.mogrify(query, params).decode()
    cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", buffer)
    return _crlf(buffer.getvalue())


# --- list exports -----------------------------------------------------------------------------------


def counted_rows(rows: Iterable[Sequence[Any]], counter: list[int]):
    for row in rows:
        counter[0] += 1
        yield row
