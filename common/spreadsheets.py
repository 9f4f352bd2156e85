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
- **Large XLSX whose rows PostgreSQL writes** (`write_workbook_sql_rows`, `copy_sheet_rows` and the `xlsx_*_sql`
  cell expressions): the workbook's frame from openpyxl as above, the data rows' sheet XML from one COPY with the
  same cells `_CellMaker` gives openpyxl, for sheets where openpyxl's ~15 µs a cell is the cost.

Callers decide masking and the access log (`personal_export_response` logs a personal-data export with the
number of rows it actually wrote).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
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


# The cell type openpyxl writes for a value carrying each number format (`_plain` gives text the text format only).
_FORMAT_TYPES = {
    TEXT_FORMAT: "s",
    MONEY_FORMAT: "n",
    DATE_FORMAT: "d",
    MONTH_FORMAT: "d",
    DATETIME_FORMAT: "d",
}


@functools.cache
def _styled_cell_class():
    from openpyxl.cell.cell import Cell

    class StyledCell(Cell):
        """A data cell with a number format, made once per (column, format) and handed each row's value:
        openpyxl's write-only sheet writes the cells `append` receives before it takes the next row, so one
        cell per column can carry every row's value (columns never share one). Its style id is looked up once
        (openpyxl hashes the style for every styled cell) and its repr is constant (openpyxl formats the repr
        of every cell object it is handed, for an error message it then drops)."""

        __slots__ = ("style_id",)

        def __init__(self, sheet, column: int, style, data_type: str):
            super().__init__(sheet, row=1, column=column, style_array=copy(style))
            self.data_type = data_type  # type: ignore[misc]  # a slot of Cell; never "f": text is a string cell
            self.style_id = sheet.parent._cell_styles.add(self._style)

        @property
        def has_style(self) -> bool:
            return True

        def __repr__(self) -> str:
            return "<StyledCell>"

    return StyledCell


class _CellMaker:
    """Cells for a write-only sheet. A plain value is appended as it is (openpyxl's own reused cell types it; an empty text, like None, is no cell);
    a data value that needs a number format goes into the one styled cell of its (column, format), made once
    with its style and its cell type and given each row's value, bound here without openpyxl's type
    inference (the value's type is known: long digit text, Decimal, date); a bold row (caption, header,
    totals) gets fresh cells whose style is copied from one made once per kind.
    Text is safe either way: after `neutralise` no text starts with "=", the only start openpyxl reads as a
    formula, and a styled text cell is typed as a string explicitly."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.styles: dict[tuple[str | None, bool], Any] = {}
        self.reused: dict[tuple[int, str], Any] = {}

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
        """A fresh cell (or the plain value): for bold rows, which are few."""
        stored, number_format = _plain(value)
        if number_format is None and not bold:
            return stored
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=stored)
        if isinstance(stored, str):
            cell.data_type = "s"  # never a formula, whatever the text
        cell._style = copy(self._style(number_format, bold))
        return cell

    def style_id(self, number_format: str) -> int:
        """The workbook's style index of a plain data cell with `number_format` (registered if new)."""
        return self.sheet.parent._cell_styles.add(self._style(number_format, False))

    def _reused(self, column: int, number_format: str):
        cell = _styled_cell_class()(
            self.sheet, column, self._style(number_format, False), _FORMAT_TYPES[number_format]
        )
        self.reused[(column, number_format)] = cell
        return cell

    def row(self, values: Sequence[Any], bold: bool = False) -> list:
        """One row for `sheet.append`, which must be called with it before the next `row` (cells are reused)."""
        if bold:
            return [self.cell(v, True) for v in values]
        out: list = []
        reused = self.reused
        for column, value in enumerate(values, 1):
            kind = type(value)
            if kind is str:  # _plain's text rule, inline: most cells are text
                if not value:  # an empty text is an empty cell (no cell written, as for None)
                    out.append(None)
                    continue
                stored = "'" + value if value.startswith(FORMULA_START) else value
                if len(stored) < 11 or not _LONG_DIGITS.match(stored):
                    out.append(stored)
                    continue
                number_format = TEXT_FORMAT
            elif kind is int or value is None:
                out.append(value)
                continue
            else:
                stored, plain_format = _plain(value)
                if plain_format is None:
                    out.append(stored)
                    continue
                number_format = plain_format
            cell = reused.get((column, number_format)) or self._reused(column, number_format)
            cell._value = stored
            out.append(cell)
        return out


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


def _write_sheet(book, spec: Sheet, spliced: int = 0) -> _CellMaker:
    """Write one sheet; `spliced` rows will be put between the data rows and the footer afterwards
    (`write_workbook_sql_rows`): the auto-filter covers them."""
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
    last += spliced
    width = max(len(spec.header), 1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(width)}{max(last, header_row)}"
    if spec.dropdowns and spec.form_rows:
        _add_dropdowns(sheet, spec, header_row + 1, header_row + spec.form_rows)
    _finish_printing(sheet, spec)
    return cells


def write_workbook(sheets: Iterable[Sheet], out) -> None:
    """Write the sheets into `out` (a path or a binary file object)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book, spec)
    book.save(out)


def workbook_response(filename: str, sheets: Iterable[Sheet]) -> FileResponse:
    """An attachment response streaming the workbook from a temporary file (removed when closed)."""
    return _file_response(filename, lambda out: write_workbook(sheets, out))


def _file_response(filename: str, write: Callable[[Any], None]) -> FileResponse:
    out = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write(out)
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
# X": what is left once the leading digits are trimmed is '', 'X' or 'x'. The trimming is done on the text's bytes
# (textsend): ltrim of a text compares every character with every character of the set in the database's
# multibyte encoding, about 2 µs for an 18-digit number, five times the byte-wise ltrim of a bytea; all-ASCII text
# has as many bytes as characters, so octet_length stands for length. ASCII digits where Python's \d also takes
# other scripts' digits: stored ID numbers and accounts are ASCII (common.idnumber normalises full-width input); a
# name of 11 Arabic-Indic digits would only miss its protecting tab.
_SQL_FORMULA_START = ", ".join(str(ord(c)) for c in FORMULA_START)
_SQL_DIGITS = "'\\x30313233343536373839'::bytea"


def _long_digits_sql(column: str) -> str:
    """SQL: the text `column`, known to start with an ASCII digit, matches _LONG_DIGITS."""
    rest = f"ltrim(textsend({column}), {_SQL_DIGITS})"
    return (
        f"octet_length({column}) >= 11 AND ({rest} = '\\x'::bytea"
        f" OR ({rest} IN ('\\x58'::bytea, '\\x78'::bytea) AND octet_length({column}) >= 12))"
    )


def csv_text_sql(column: str) -> str:
    """SQL giving `csv_text` of the text `column` (a plain column name: it is repeated) for a COPY … WITH CSV:
    a formula-looking start gets an apostrophe, a long digit string a tab in front, and '' becomes NULL (COPY
    writes NULL as an empty field but '' as a quoted "", which csv_chunks never writes). One CASE on the first
    character's code point (computed once), a branch per formula start and per digit."""
    formula = " ".join(f"WHEN {ord(c)} THEN chr(39) || {column}" for c in FORMULA_START)
    digits = f"CASE WHEN {_long_digits_sql(column)} THEN chr(9) || {column} ELSE {column} END"
    number = " ".join(f"WHEN {code} THEN {digits}" for code in range(48, 58))
    return f"CASE ascii({column}) {formula} {number} ELSE NULLIF({column}, '') END"


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


# --- XLSX rows written by PostgreSQL --------------------------------------------------------------
#
# For a sheet too long for openpyxl's per-cell work (about 15 µs a cell on the 2-core machine: a cell object, a
# coordinate and four lxml elements per value), PostgreSQL writes the data rows' XML, <row r="n"><c …>…</c></row>,
# with the same cells as _CellMaker gives openpyxl: text as inline strings, neutralised, long digit strings with the
# text format, xml:space="preserve" where openpyxl sets it, numbers as numbers, money and months with their number
# formats. The workbook around them (styles, widths, frozen header, auto-filter, printing, the footer rows) is
# still openpyxl's: `write_workbook_sql_rows` writes it without the data rows, then copies it into the final
# file with the rows streamed into the sheet's part by COPY (memory flat, no Python per cell). Characters XML
# forbids (control characters other than tab, LF and CR; U+FFFE, U+FFFF) are removed from the output by
# `_sheet_xml` (openpyxl would refuse the whole export); a text starting with one is cleaned before it is
# neutralised (`xlsx_text_sql`), so what a formula-looking start becomes does not depend on a hidden character.

_XML_ILLEGAL = "".join(chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32))) + "\ufffe\uffff"
_SQL_XML_ILLEGAL = "E'" + "".join(f"\\u{ord(c):04x}" for c in _XML_ILLEGAL) + "'"
# Python's str.isspace: openpyxl's writer marks a text with white space at either end xml:space="preserve".
_SQL_SPACE = ", ".join(str(c) for c in range(0x3001) if chr(c).isspace())
_SQL_SPACE_NOT_FORMULA = ", ".join(
    str(c) for c in range(0x3001) if chr(c).isspace() and chr(c) not in FORMULA_START
)
# COPY … TO STDOUT (text format) writes a row per line and escapes backslash, \b \f \n \r \t \v in the data; other
# control characters come out as they are. In the sheet: the record ends dropped, the escapes undone (a CR as a
# character reference, so no XML parser turns it into a LF; \b \f \v removed), forbidden bytes removed.
_COPY_ESCAPE = re.compile(rb"\\(.)", re.S)
_COPY_UNESCAPED = {b"\\": b"\\", b"n": b"\n", b"t": b"\t", b"r": b"&#13;", b"b": b"", b"f": b"", b"v": b""}
_FORBIDDEN_BYTES = bytes((*range(1, 9), 11, 12, *range(14, 32)))  # never part of a multi-byte UTF-8 character
_FORBIDDEN_UTF8 = ("\ufffe".encode(), "\uffff".encode())


def xlsx_text_sql(column: str) -> str:
    """SQL: the text `column` ready for `xlsx_text_cell_sql` — a text starting with a character XML forbids is
    cleaned of them (rare; every other forbidden character is removed from the output). Select it once (an
    inner query) and pass its name to xlsx_text_cell_sql, which repeats it."""
    return f"CASE WHEN ascii({column}) BETWEEN 1 AND 31 THEN translate({column}, {_SQL_XML_ILLEGAL}, '') ELSE {column} END"


def xlsx_text_cell_sql(column: str, letter: str, row: str, text_style: int) -> str:
    """SQL: the inline-string cell <c> of the text `column` (a plain name, repeated: see xlsx_text_sql) in column
    `letter` of row `row` (a text expression), as _CellMaker.row writes it through openpyxl: neutralised; a long
    digit string with the text number format (style index `text_style`); xml:space="preserve" when the stored text
    starts or ends with white space; "&", "<" and ">" escaped; NULL (no cell) for an empty text."""
    c = column
    stored = f"CASE WHEN ascii({c}) IN ({_SQL_FORMULA_START}) THEN chr(39) || {c} ELSE {c} END"
    escaped = f"replace(replace(replace({stored}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return (
        f"CASE WHEN {c} <> '' THEN concat('<c r=\"{letter}', {row}, '\"',"
        f" CASE WHEN ascii({c}) BETWEEN 48 AND 57 AND {_long_digits_sql(c)} THEN ' s=\"{int(text_style)}\"' END,"
        " ' t=\"inlineStr\"><is><t',"
        f" CASE WHEN ascii({c}) IN ({_SQL_SPACE_NOT_FORMULA}) OR ascii(right({c}, 1)) IN ({_SQL_SPACE})"
        f" THEN ' xml:space=\"preserve\"' END, '>', {escaped}, '</t></is></c>') END"
    )


def xlsx_number_cell_sql(expression: str, letter: str, row: str, style: int | None = None) -> str:
    """SQL: the number cell <c> of `expression` (a number, or xlsx_money_sql / xlsx_date_sql of a value) in
    column `letter` of row `row`, with style index `style` (a number format) if given; NULL (no cell) when the
    expression is NULL."""
    styled = f' s="{int(style)}"' if style is not None else ""
    return f"('<c r=\"{letter}' || {row} || '\"{styled} t=\"n\"><v>' || ({expression}) || '</v></c>')"


def xlsx_money_sql(expression: str) -> str:
    """SQL: a money value as the sheet stores it — the number without trailing zeros (860.00 → 860), the value
    openpyxl writes for the same Decimal."""
    return f"trim_scale(({expression})::numeric)"


def xlsx_date_sql(expression: str) -> str:
    """SQL: a date as Excel's serial day number (days since 1899-12-30: dates after 1900-02-28, where Excel's
    1900 leap-year bug no longer counts), as openpyxl writes a date."""
    return f"(({expression}) - DATE '1899-12-30')"


def xlsx_row_sql(row: str, cells: Sequence[str]) -> str:
    """SQL: one <row> element of the cells (each a cell expression above; NULL cells are left out)."""
    return f"concat('<row r=\"', {row}, '\">', {', '.join(cells)}, '</row>')"


def _sheet_xml(data: bytes) -> bytes:
    """COPY's text output of rows of xlsx_row_sql, as the sheet's XML."""
    data = data.replace(b"\n", b"").translate(None, _FORBIDDEN_BYTES)
    for bad in _FORBIDDEN_UTF8:
        if bad in data:
            data = data.replace(bad, b"")
    if b"\\" in data:
        data = _COPY_ESCAPE.sub(lambda m: _COPY_UNESCAPED.get(m[1], m[1]), data)
    return data


class _SheetRows:
    """A file-like target for psycopg2's copy_expert: COPY hands over one whole row per write; rows are
    collected up to about 1 MB, turned into sheet XML and written to `out`."""

    LIMIT = 1 << 20

    def __init__(self, out):
        self.out, self.parts, self.size = out, [], 0

    def write(self, data) -> int:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= self.LIMIT:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.parts:
            self.out.write(_sheet_xml(b"".join(self.parts)))
            self.parts, self.size = [], 0


def copy_sheet_rows(cursor, query: str, params: Sequence[Any], out) -> None:
    """Stream the rows of `query` (a SELECT of one column, xlsx_row_sql, in row order) into `out` as sheet XML.
    `cursor`: a psycopg2 cursor (Django's wraps one)."""
    sink = _SheetRows(out)
    statement = cursor.mogrify(query, params).decode()
    cursor.copy_expert(f"COPY ({statement}) TO STDOUT", sink)
    sink.flush()


# Number formats whose style index a caller of write_workbook_sql_rows gets (registered in every such workbook).
# zlib level of the written file: level 1 compresses the sheet about 3× faster than openpyxl's default (6) — half
# of the export's time at level 6 — for a file about 30 % larger (9.3 MB instead of 7.1 MB for 96,053 roll lines).
SQL_ROWS_COMPRESSION = 1
SQL_ROW_FORMATS = (TEXT_FORMAT, MONEY_FORMAT, DATE_FORMAT, MONTH_FORMAT, DATETIME_FORMAT)
_SHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml")
_ROW_REFERENCE = re.compile(rb'(<row r="|<c r="[A-Z]+)(\d+)"')


def _spliced_sheet(part: bytes, first: int, count: int) -> tuple[bytes, bytes]:
    """(the sheet's XML before the data rows, after them): the rows from `first` on (the footer) move down by
    `count`."""
    end = part.index(b"</sheetData>")
    at = part.find(f'<row r="{first}"'.encode(), 0, end)
    at = end if at < 0 else at
    moved = _ROW_REFERENCE.sub(lambda m: m[1] + str(int(m[2]) + count).encode() + b'"', part[at:end])
    return part[:at], moved + part[end:]


def write_workbook_sql_rows(spec: Sheet, *, count: int, write_rows: Callable[..., None], out) -> None:
    """Write a one-sheet workbook into `out` whose `count` data rows are written by PostgreSQL:
    `write_rows(styles, first_row, part)` streams them (copy_sheet_rows) into `part`, the sheet's part of the
    file, numbered from `first_row`, with `styles` the style index of each SQL_ROW_FORMATS number format.
    Everything else comes from `spec` as write_workbook writes it; `spec.rows` gives only the rows the column
    widths are fitted to (the first WIDTH_SAMPLE_ROWS of the same rows), unless `spec.widths` is set."""
    import dataclasses
    import io
    import zipfile

    from openpyxl import Workbook

    sample = list(itertools.islice(iter(spec.rows), WIDTH_SAMPLE_ROWS))
    widths = list(spec.widths) or _fitted_widths(spec.header, sample)
    book = Workbook(write_only=True)
    cells = _write_sheet(book, dataclasses.replace(spec, rows=[], widths=widths), spliced=count)
    styles = {number_format: cells.style_id(number_format) for number_format in SQL_ROW_FORMATS}
    skeleton = io.BytesIO()  # the workbook without its data rows: a few kB
    book.save(skeleton)
    first = len(spec.caption) + 2
    with (
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=SQL_ROWS_COMPRESSION) as target,
    ):
        parts = [info for info in source.infolist() if _SHEET_PART.fullmatch(info.filename)]
        if len(parts) != 1:
            raise ValueError(f"expected one sheet, found {len(parts)}")
        for info in source.infolist():
            data = source.read(info)
            if info is not parts[0]:
                target.writestr(info, data)
                continue
            before, after = _spliced_sheet(data, first, count)
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(before)
                write_rows(styles, first, part)
                part.write(after)


def workbook_sql_rows_response(filename: str, spec: Sheet, *, count: int, write_rows) -> FileResponse:
    """workbook_response for write_workbook_sql_rows."""
    return _file_response(
        filename, lambda out: write_workbook_sql_rows(spec, count=count, write_rows=write_rows, out=out)
    )


# --- list exports -----------------------------------------------------------------------------------


def counted_rows(rows: Iterable[Sequence[Any]], counter: list[int]):
    for row in rows:
        counter[0] += 1
        yield row
