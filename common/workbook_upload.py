"""Reading an uploaded workbook (.xlsx, .xls or .ods) safely: the limits first, then the rows.

One upload must not take the server down (issue 20 item 3), so before any spreadsheet library sees the file
`check_limits` refuses, with a Chinese message naming the limit:

- an archive (.xlsx and .ods are zip files) whose parts unpack to more than WORKBOOK_MAX_UNCOMPRESSED_BYTES:
  judged from the zip directory alone, nothing is unpacked (a 1 MB zip bomb of 2 GB is refused at once);
- a sheet with more than WORKBOOK_MAX_ROWS rows (empty rows count: a row an .xlsx lists, or an .ods repeats,
  is a row) or more than WORKBOOK_MAX_COLUMNS columns, or a cell longer than WORKBOOK_MAX_CELL_CHARS
  characters: the sheet's XML is scanned as a stream (each part read through `zipfile`, which stops at the
  size the directory declares and checks the CRC), stopping at the first limit passed.

.xls (BIFF8) is not compressed and holds at most 65,536 rows and 256 columns, so the upload size limit bounds
it; its cells are checked for length while they are read.

Then `WorkbookRows` reads one sheet with python-calamine (one reader for all three formats) and yields each row
as a list of strings, line numbers as the spreadsheet program shows them. A cell the file stores as a number
comes as `NumericCell` (an ID number so stored has lost its last digits, which the caller can say).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

FORMATS = ("xlsx", "xls", "ods")
_COLUMN = re.compile(r"^([A-Z]{1,3})")
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class WorkbookRefused(Exception):
    """The workbook cannot be read: the message (Chinese) says why and what to do."""


class NumericCell(str):
    """A cell the workbook stores as a number (an ID number so stored has lost its last digits)."""


@dataclass(frozen=True)
class Limits:
    uncompressed_bytes: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            uncompressed_bytes=settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES,
            rows=settings.WORKBOOK_MAX_ROWS,
            columns=settings.WORKBOOK_MAX_COLUMNS,
            cell_chars=settings.WORKBOOK_MAX_CELL_CHARS,
        )


def file_format(name: str) -> str | None:
    """The format an uploaded file's name says ("xlsx", "xls", "ods"), or None for anything else."""
    ext = (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    return ext if ext in FORMATS else None


def column_index(letters: str) -> int:
    """1 for A, 27 for AA."""
    n = 0
    for c in letters:
        n = n * 26 + ord(c) - 64
    return n


# --- the limits, before reading ----------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MB"


def _too_many_rows(limits: Limits) -> WorkbookRefused:
    return WorkbookRefused(
        f"工作表超过{limits.rows}行的上限（空行也计算在内），请删除多余的空行或分成几个文件导入"
    )


def _too_many_columns(limits: Limits) -> WorkbookRefused:
    return WorkbookRefused(f"工作表超过{limits.columns}列的上限，请删除多余的列后重新上传")


def _too_long(limits: Limits) -> WorkbookRefused:
    return WorkbookRefused(f"有单元格超过{limits.cell_chars}个字符的上限，请检查后重新上传")


def check_limits(path: str, fmt: str, limits: Limits) -> None:
    """Refuse the file (WorkbookRefused) when it passes a limit; read nothing more than needed to tell."""
    if fmt == "xls":
        return  # BIFF8: 65,536 rows and 256 columns at most, bounded by the upload size; cells checked on reading
    try:
        with zipfile.ZipFile(path) as book:
            _check_unpacked_size(book, limits)
            if fmt == "xlsx":
                _check_xlsx(book, limits)
            else:
                _check_ods(book, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, SyntaxError, KeyError) as exc:
        # SyntaxError: xml.etree.ElementTree.ParseError; a CRC or size mismatch is BadZipFile
        raise WorkbookRefused(_damaged(fmt)) from exc


def _check_unpacked_size(book: zipfile.ZipFile, limits: Limits) -> None:
    declared = sum(p.file_size for p in book.infolist())
    if declared > limits.uncompressed_bytes:
        raise WorkbookRefused(
            f"文件解压后有{_mb(declared)}，超过{_mb(limits.uncompressed_bytes)}的上限，"
            "不予读取（可能不是正常的表格文件），请另存为新文件或分成几个文件导入"
        )


def check_unpacked_size(path: str, limits: Limits | None = None) -> None:
    """Only the zip directory's check (instant): for readers that stream rows anyway (the ledger extracts)."""
    try:
        with zipfile.ZipFile(path) as book:
            _check_unpacked_size(book, limits or Limits.from_settings())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise WorkbookRefused(_damaged("xlsx")) from exc


def _damaged(fmt: str) -> str:
    return f"无法读取该 .{fmt} 文件：文件已损坏或不是表格文件，请用 Excel、WPS 或 LibreOffice 另存后重新上传"


def _elements(stream, tags):
    """The elements named `tags` as each ends, read by lxml (no entities resolved, no network, no huge trees);
    the caller clears each once looked at, and what came before it is dropped, so memory stays flat."""
    from lxml import etree

    for _event, elem in etree.iterparse(
        stream, events=("end",), tag=tags, resolve_entities=False, no_network=True, huge_tree=False
    ):
        yield elem
        elem.clear()
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]


def _check_xlsx(book: zipfile.ZipFile, limits: Limits) -> None:
    names = book.namelist()
    if "xl/sharedStrings.xml" in names:
        with book.open("xl/sharedStrings.xml") as f:
            for item in _elements(f, "{*}si"):
                if len("".join(item.itertext())) > limits.cell_chars:
                    raise _too_long(limits)
    for name in names:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with book.open(name) as f:
                _check_xlsx_sheet(f, limits)


def _check_xlsx_sheet(stream, limits: Limits) -> None:
    rows = 0
    for row in _elements(stream, "{*}row"):
        rows = max(rows + 1, int(row.get("r") or 0))
        if rows > limits.rows:
            raise _too_many_rows(limits)
        if len(row):  # cells come in column order: the last one is the widest
            match = _COLUMN.match(row[-1].get("r") or "")
            if (match and column_index(match.group(1)) > limits.columns) or len(row) > limits.columns:
                raise _too_many_columns(limits)
        # the whole row's text first (one C-level join): only a long row needs its cells measured
        if len("".join(row.itertext())) > limits.cell_chars and any(
            len(text) > limits.cell_chars for text in row.itertext()
        ):
            raise _too_long(limits)


def _ods_has_content(cell) -> bool:
    return bool(len(cell)) or cell.get(f"{_ODS_OFFICE}value-type") is not None


def _check_ods(book: zipfile.ZipFile, limits: Limits) -> None:
    """Rows and columns as LibreOffice repeats them; trailing empty rows and cells (a formatted but empty
    area, which LibreOffice writes as one repeated row) are not read, so they are not counted."""
    with book.open("content.xml") as f:
        rows = empty_rows = 0
        for elem in _elements(f, (f"{_ODS_TABLE}table", f"{_ODS_TABLE}table-row")):
            if elem.tag == f"{_ODS_TABLE}table":
                rows = empty_rows = 0
            else:
                repeat = int(elem.get(f"{_ODS_TABLE}number-rows-repeated") or 1)
                if _check_ods_row(elem, limits):
                    rows += empty_rows + repeat
                    empty_rows = 0
                else:
                    empty_rows += repeat
                if rows > limits.rows:
                    raise _too_many_rows(limits)


def _check_ods_row(row, limits: Limits) -> bool:
    """Check one row's width and cell lengths; whether it holds anything."""
    width = empty = 0
    for cell in row:
        if not isinstance(cell.tag, str) or not cell.tag.endswith(("}table-cell", "}covered-table-cell")):
            continue
        repeat = int(cell.get(f"{_ODS_TABLE}number-columns-repeated") or 1)
        if _ods_has_content(cell):
            width += empty + repeat
            empty = 0
            if width > limits.columns:
                raise _too_many_columns(limits)
            if len("".join(cell.itertext())) > limits.cell_chars:
                raise _too_long(limits)
        else:
            empty += repeat
    return width > 0


# --- the rows ----------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """One cell's value as text: dates ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _cell(value) -> str:
    """A cell that is not text: a number as NumericCell, anything else as `cell_text` gives it."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return NumericCell(cell_text(value))
    return cell_text(value)


class WorkbookRows:
    """The rows of one sheet (the one titled `sheet` when there is one, else the first), after the limits.
    Iterate for value lists ([] for an empty row); `line_num` is the line of the row just read."""

    def __init__(self, path: str, fmt: str, sheet: str | None = None, limits: Limits | None = None):
        from python_calamine import CalamineError, CalamineWorkbook

        self.limits = limits or Limits.from_settings()
        check_limits(path, fmt, self.limits)
        try:
            self.book = CalamineWorkbook.from_path(path)
            names = self.book.sheet_names
            if not names:
                raise WorkbookRefused("文件中没有工作表")
            self.sheet = self.book.get_sheet_by_name(sheet if sheet in names else names[0])
        except (CalamineError, ValueError, OSError) as exc:
            raise WorkbookRefused(_damaged(fmt)) from exc
        if self.sheet.height > self.limits.rows:
            raise _too_many_rows(self.limits)
        if self.sheet.width > self.limits.columns:
            raise _too_many_columns(self.limits)
        self.line_num = 0
        self.size = self.sheet.height  # rows the sheet holds (for progress)
        self._rows = self._read()

    def __iter__(self) -> Iterator[list[str]]:
        return self._rows

    def _read(self) -> Iterator[list[str]]:
        # calamine yields every row from the first, but only the columns from the first used one on
        left = [""] * (self.sheet.start[1] if self.sheet.start else 0)
        limit = self.limits.cell_chars
        for line, values in enumerate(self.sheet.iter_rows(), start=1):
            self.line_num = line
            if not any(values) and all(v is None or v == "" for v in values):  # any(): a 0 is not empty
                yield []
                continue
            row = [v if type(v) is str else _cell(v) for v in values]  # most cells are text: no call
            if max(map(len, row), default=0) > limit:
                raise _too_long(self.limits)
            yield left + row

    def close(self) -> None:
        self.book.close()
