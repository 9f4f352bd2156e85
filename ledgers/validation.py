"""Reading and checking an extract file in one streaming pass (no database access).

The file (CSV in UTF-8 or GB18030, or XLSX) is read row by row; each row is checked against its kind's
columns; good rows are written to a file in PostgreSQL COPY text format (the same file feeds SQLite's
`executemany`), bad rows are reported with their line number (the header is line 1), the field and the
reason. Memory stays flat whatever the size: nothing but the current row and a bounded cache of parsed
dates is held.

This pass is the product's own overhead on a load, so the hot loop is written for speed: ID numbers go
through `common.idnumber.valid_number`, the validator's allocation-free path.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from accounts.kinds import KINDS, Column, Kind, header_names, normalise_header
from common import idnumber, money
from common.workbook_upload import NumericCell  # noqa: F401 (shared with the household import)
from common.workbook_upload import cell_text as _cell

NULL = r"\N"
PROGRESS_EVERY = 100_000
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")
_CODE = re.compile(r"^\d{6,12}$")
COPY_SPECIAL = re.compile(r"[\t\n\r\\]")  # characters COPY text escapes


class ExtractFileError(Exception):
    """The file as a whole cannot be used (unreadable, no header, a required column missing)."""


@dataclass
class RowError:
    line: int
    field: str
    message: str
    value: str = ""


@dataclass
class Result:
    columns: list[str]  # COPY column order
    rows_total: int = 0
    rows_good: int = 0
    rows_bad: int = 0
    seconds: float = 0.0
    errors: list[RowError] = field(default_factory=list)  # the first `error_limit`


def escape_copy(value: str) -> str:
    """One field in PostgreSQL's COPY text format (the inverse of unescape_copy)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def unescape_copy(value: str) -> str | None:
    """The inverse of the COPY text format for one field (used by the SQLite loader)."""
    if value == NULL:
        return None
    if "\\" not in value:
        return value
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


# --- reading ------------------------------------------------------------------------------------


def _detect_encoding(path: str) -> str:
    with open(path, "rb") as f:
        head = f.read(256 * 1024)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        return "utf-16"
    if b"\x00" in head:
        raise ExtractFileError(
            "文件含有空字符（NUL），可能是不带 BOM 的 UTF-16 文件或已损坏；请另存为 UTF-8 或 GB18030 的 CSV 后重新上传"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _first_undecodable_line(path: str, encoding: str) -> int:
    """The first file line that reads neither in `encoding` nor in UTF-8 (a file saved as UTF-8 with one broken
    row is detected as GB18030; its broken row is the one to name). A newline byte never sits inside a UTF-8 or
    GB18030 character, so lines can be tried one by one."""

    def readable(raw: bytes, codec: str) -> bool:
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            return False
        return True

    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if not readable(raw, encoding) and not readable(raw, "utf-8"):
                return number
    return 1


class _CsvSource:
    """Rows of a CSV file: iterate for value lists (blank lines included, as []), `line_num` is the file line
    of the row just read."""

    def __init__(self, path: str):
        encoding = _detect_encoding(path)
        self.file = open(path, encoding=encoding, newline="", errors="strict")  # noqa: SIM115
        try:
            first = self.file.readline()  # decodes a whole buffer: a bad byte in a later row stops it too
        except UnicodeDecodeError:
            self.file.close()
            raise ExtractFileError(
                f"第{_first_undecodable_line(path, encoding)}行附近的文字编码无法识别（请使用 UTF-8 或 GB18030）"
            ) from None
        self.file.seek(0)
        self.reader = csv.reader(
            self.file, dialect="excel-tab" if "\t" in first and "," not in first else "excel"
        )

    def __iter__(self):
        for row in self.reader:
            if any("\x00" in value for value in row):
                raise ExtractFileError(
                    f"第{self.reader.line_num}行含有空字符（NUL），文件可能已损坏，请检查后重新上传"
                )
            yield row

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def close(self) -> None:
        self.file.close()

    def error(self, exc: Exception) -> ExtractFileError:
        if isinstance(exc, UnicodeDecodeError):
            return ExtractFileError(
                f"第{self.line_num + 1}行附近的文字编码无法识别（请使用 UTF-8 或 GB18030）"
            )
        return ExtractFileError(f"第{self.line_num}行 CSV 格式错误：{exc}")


class XlsxRows:
    """Rows of one sheet of an XLSX file (openpyxl read-only mode: one row in memory at a time): the sheet
    titled `sheet` when the workbook has one, else the first. Also used by the household import
    (imports/workbook.py)."""

    def __init__(self, path: str, sheet: str | None = None):
        from openpyxl import load_workbook

        from common.workbook_upload import WorkbookRefused, check_unpacked_size

        try:
            check_unpacked_size(path)  # a zip bomb is refused from its directory, never unpacked
        except WorkbookRefused as exc:
            raise ExtractFileError(str(exc)) from None
        try:
            self.book = load_workbook(path, read_only=True, data_only=True)
        except (
            Exception
        ) as exc:  # openpyxl raises many kinds for a damaged file; the user gets one Chinese reason
            logging.getLogger(__name__).info("unreadable xlsx %s: %r", path, exc)
            raise ExtractFileError(
                "无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿，请用 Excel 或 WPS 另存为 .xlsx 后重新上传"
            ) from None
        if not self.book.worksheets:
            self.book.close()
            raise ExtractFileError("XLSX 文件中没有工作表")
        self.sheet = self.book[sheet] if sheet and sheet in self.book.sheetnames else self.book.worksheets[0]
        self.line_num = 0
        self._rows = self._read()

    def __iter__(self):
        return self._rows

    def _read(self):
        for line, values in enumerate(self.sheet.iter_rows(values_only=True), start=1):
            self.line_num = line
            if values is None or all(v is None or v == "" for v in values):
                yield []
                continue
            yield [
                NumericCell(_cell(v)) if isinstance(v, int | float) and not isinstance(v, bool) else _cell(v)
                for v in values
            ]

    def close(self) -> None:
        self.book.close()

    def error(self, exc: Exception) -> ExtractFileError:
        return ExtractFileError(f"第{self.line_num}行无法读取：{exc}")


def open_rows(path: str, file_format: str):
    return XlsxRows(path) if file_format == "xlsx" else _CsvSource(path)


# --- checking -----------------------------------------------------------------------------------


class CellChecker:
    """Checks of one cell's text, each returning (normalised value, None) or (None, Chinese reason). Shared by
    the department extracts and the household import (imports/workbook.py)."""

    def __init__(self, kind: Kind | None = None, regions: frozenset[str] = frozenset()):
        self.kind = kind
        self.regions = regions
        self._dates: dict[str, str | None] = {}
        self.today = dt.date.today()

    def id_number(self, raw: str) -> tuple[str | None, str | None]:
        info, reason = self.id_info(raw)
        return (None, reason) if info is None else (info.number, None)

    def id_info(self, raw: str) -> tuple[idnumber.IdInfo | None, str | None]:
        """The number with its birth date and sex (what the household import keeps), or the reason."""
        if isinstance(raw, NumericCell):
            return None, "身份证号码被存成了数字（末几位已丢失），请把该列设为文本格式"
        if not raw.strip():
            return None, "必填"
        try:
            return idnumber.parse(raw, today=self.today), None
        except idnumber.InvalidIdNumber as exc:
            return None, str(exc)

    def date(self, raw: str) -> tuple[str | None, str | None]:
        v = raw.strip()
        parsed = self._dates.get(v)
        if parsed is None and v not in self._dates:
            text = v.split(" ")[0].split("T")[0]
            m = _DATE.match(text)
            parsed = None
            if m:
                try:
                    day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                    if 1900 <= day.year <= 2100:
                        parsed = day.isoformat()
                except ValueError:
                    parsed = None
            if len(self._dates) > 100_000:
                self._dates.clear()
            self._dates[v] = parsed
        if parsed is None:
            return None, "日期格式应为 YYYY-MM-DD 且为有效日期"
        return parsed, None

    @staticmethod
    def amount(raw: str) -> tuple[str | None, str | None]:
        try:
            return str(money.parse(raw, label="")), None
        except money.MoneyError as exc:
            return None, str(exc)

    def region(self, raw: str) -> tuple[str | None, str | None]:
        v = raw.strip()
        if len(v) == 12 and v.endswith("000000") and v[:6] in self.regions:
            v = v[:6]
        if v not in self.regions:
            return None, "区划代码不在本省区划表中"
        return v, None

    @staticmethod
    def code(raw: str) -> tuple[str | None, str | None]:
        v = raw.strip()
        if not _CODE.match(v):
            return None, "区划代码应为6至12位数字"
        return v, None


def _lines(indent: int, *lines: str) -> str:
    return "".join(" " * indent + line + "\n" for line in lines)


def _column_source(i: int, pos: int, col: Column) -> str:
    """Source checking one column of `values` into variable f<i> (8-space indent, inside the row loop)."""
    name, label = f"f{i}", repr(col.label)

    def fail(indent: int, message: str) -> str:
        return _lines(
            indent,
            "ok = False",
            f"if len(errors) < limit: errors.append(RowError(line, {label}, {message}, str(raw).strip()[:64]))",
        )

    def missing(indent: int) -> str:
        if not col.required:
            return ""
        return _lines(
            indent, "ok = False", f"if len(errors) < limit: errors.append(RowError(line, {label}, '必填'))"
        )

    if col.type == "id":
        return _lines(
            8,
            f"raw = values[{pos}]",
            f"{name} = valid_id(raw, today) if type(raw) is str else None",
            f"if {name} is None:",
        ) + fail(12, "checker.id_number(raw)[1] or '身份证号码无效'")
    if col.type == "text":
        return (
            _lines(8, f"raw = values[{pos}]", f"{name} = raw.strip()", f"if not {name}:", "    pass")
            + missing(12)
            + _lines(8, f"elif len({name}) > {col.max_length}:")
            + fail(12, f"'不能超过{col.max_length}个字符'")
            + _lines(8, f"elif special({name}):", f"    {name} = escape({name})")
        )
    fast = {
        "date": "dates.get(v) or parse_date(v)",
        "amount": "v if amount_re(v) else checker.amount(raw)[0]",
        "region": "v if v in regions else checker.region(raw)[0]",
        "code": "v if code_re(v) else None",
    }[col.type]
    empty = "NULL" if col.type in ("date", "amount") else "''"
    return (
        _lines(8, f"raw = values[{pos}]", "v = raw.strip()", "if not v:", f"    {name} = {empty}")
        + missing(12)
        + _lines(8, "else:", f"    {name} = {fast}", f"    if {name} is None:")
        + fail(16, f"checker.{col.type}(raw)[1]")
    )


def _compile(plan: list[tuple[int, Column]], width: int) -> str:
    """The row loop for one file layout, as Python source with the columns unrolled (this loop is the whole
    cost of a load in Python; a generic loop over column objects was 2.5 times slower). Only the common,
    valid case is inlined; a value that fails it is handed to the `CellChecker` method that says why."""
    names = [f"f{i}" for i in range(len(plan))]
    joined = " + '\\t' + ".join(names)
    return (
        "def run(rows, errors, limit, progress, prefix):\n"
        + _lines(
            4,
            "total = good = bad = 0",
            "buffer = []",
            "append = buffer.append",
            f"pad = [''] * {width}",
            "for values in rows:",
            "    if not values:",
            "        continue",
            "    line = rows.line_num",
            "    total += 1",
            f"    if len(values) < {width}:",
            "        values = values + pad[len(values):]",
            "    ok = True",
        )
        + "".join(_column_source(i, pos, col) for i, (pos, col) in enumerate(plan))
        + _lines(
            8,
            "if ok:",
            "    good += 1",
            f"    append(prefix + str(line) + '\\t' + {joined} + '\\n')",
            "    if len(buffer) >= 20000:",
            "        yield ''.join(buffer)",
            "        buffer.clear()",
            "else:",
            "    bad += 1",
            "if progress is not None and total % PROGRESS_EVERY == 0:",
            "    progress(total)",
        )
        + _lines(4, "if buffer:", "    yield ''.join(buffer)", "return total, good, bad")
    )


def validate_file(
    *,
    path: str,
    file_format: str,
    kind: str,
    extract_id: int,
    out: io.TextIOBase,
    regions: frozenset[str] = frozenset(),
    error_limit: int = 1000,
    on_progress: Callable[[int], None] | None = None,
) -> Result:
    """Check every row of the file; write good rows to `out` (COPY text format, columns as in
    `Result.columns`); return the counts and the first `error_limit` errors."""
    checked = CheckedRows(
        path=path,
        file_format=file_format,
        kind=kind,
        extract_id=extract_id,
        regions=regions,
        error_limit=error_limit,
        on_progress=on_progress,
    )
    for chunk in checked.chunks():
        out.write(chunk)
    return checked.result


class CheckedRows:
    """One streaming pass over a file. The header is read when it is made (ExtractFileError when the file cannot
    be used); `chunks()` yields the good rows in COPY text format, about 20,000 rows a chunk, as they are checked;
    once it is exhausted `result` holds the counts, the timing and the first errors. `validate_file` writes the
    chunks to a file; the extract load on PostgreSQL feeds them straight into COPY
    (ledgers/services/extracts.py), so the database loads one chunk while the next is checked."""

    def __init__(
        self,
        *,
        path: str,
        file_format: str,
        kind: str,
        extract_id: int,
        regions: frozenset[str] = frozenset(),
        error_limit: int = 1000,
        on_progress: Callable[[int], None] | None = None,
    ):
        self.started = time.perf_counter()
        self.rows = open_rows(path, file_format)
        self.error_limit, self.on_progress, self.prefix = error_limit, on_progress, f"{extract_id}\t"
        try:
            self.result, self._run = _prepare(self.rows, KINDS[kind], kind, regions)
        except (UnicodeDecodeError, csv.Error) as exc:
            self.rows.close()
            raise self.rows.error(exc) from None
        except BaseException:
            self.rows.close()
            raise

    def chunks(self) -> Iterator[str]:
        try:
            total, good, bad = yield from self._run(
                self.rows, self.result.errors, self.error_limit, self.on_progress, self.prefix
            )
        except (UnicodeDecodeError, csv.Error) as exc:
            raise self.rows.error(exc) from None
        finally:
            self.rows.close()
        self.result.rows_total, self.result.rows_good, self.result.rows_bad = total, good, bad
        self.result.seconds = time.perf_counter() - self.started

    def close(self) -> None:
        self.rows.close()


def _prepare(rows, spec: Kind, kind: str, regions) -> tuple[Result, Callable]:
    """Read the header, match the kind's columns and compile the row loop for this layout."""
    header = []
    for header in rows:
        if header:
            break
    if not header:
        raise ExtractFileError("文件是空的（没有表头行）")
    header_line = rows.line_num
    names = header_names(spec)
    positions: dict[str, int] = {}
    for i, text in enumerate(header):
        col = names.get(normalise_header(text))
        if col is not None and col.field not in positions:
            positions[col.field] = i
    missing = [c.label for c in spec.columns if c.required and c.field not in positions]
    if missing:
        raise ExtractFileError(
            f"第{header_line}行表头缺少必填列：{'、'.join(missing)}"
            f"（{spec.label}应有列：{'、'.join(c.label for c in spec.columns)}）"
        )
    plan = [(positions[c.field], c) for c in spec.columns if c.field in positions]
    checker = CellChecker(spec, regions)
    dates: dict[str, str] = {}

    def parse_date(v: str) -> str | None:
        parsed = checker.date(v)[0]
        if parsed is not None:
            if len(dates) > 100_000:
                dates.clear()
            dates[v] = parsed
        return parsed

    namespace = {
        "NULL": NULL,
        "valid_id": idnumber.valid_number,
        "today": checker.today,
        "RowError": RowError,
        "PROGRESS_EVERY": PROGRESS_EVERY,
        "checker": checker,
        "special": COPY_SPECIAL.search,
        "escape": escape_copy,
        "amount_re": money.PLAIN.match,
        "code_re": _CODE.match,
        "regions": regions,
        "dates": dates,
        "parse_date": parse_date,
    }
    exec(compile(_compile(plan, max(p for p, _ in plan) + 1), f"<extract-{kind}>", "exec"), namespace)
    return Result(columns=["extract_id", "line", *(c.field for _, c in plan)]), namespace["run"]


def read_good_rows(path: str, columns: list[str]) -> Iterator[tuple]:
    """The rows of a good-rows file as tuples (for SQLite's executemany)."""
    with open(path, encoding="utf-8", newline="\n") as f:
        for raw in f:
            parts = raw.rstrip("\n").split("\t")
            yield tuple(unescape_copy(p) for p in parts)
