"""One way to hand a table to the user as an Excel workbook.

openpyxl's write-only mode streams rows to a temporary file, so memory stays flat whatever the number of rows;
the view returns the file as an attachment. Every export of the product (lists, reports, templates) goes through
`workbook_response`: callers give sheets as (title, header, rows) with rows an iterator, and decide masking and
the access log themselves (an export of personal data is logged by the caller with
accounts.services.access_log_record before the response is built).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import FileResponse

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limits: 31 characters in a sheet title and none of these characters.
_BAD_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    # Lines written above the header (a title, the region and period, the source of the figures).
    caption: Sequence[str] = field(default_factory=list)
    # Rows written in bold after the data (totals).
    footer: Sequence[Sequence[Any]] = field(default_factory=list)
    widths: Sequence[int] = field(default_factory=list)


def _bold_row(sheet, values: Sequence[Any]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        cells.append(cell)
    return cells


def write_workbook(sheets: Iterable[Sheet], out) -> None:
    """Write the sheets into `out` (a path or a binary file object)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(title=(spec.title.translate(_BAD_TITLE) or "Sheet")[:31])
        for n, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.freeze_panes = f"A{len(spec.caption) + 2}"  # write-only: set before the first row
        for line in spec.caption:
            sheet.append([line])
        sheet.append(_bold_row(sheet, list(spec.header)))
        for row in spec.rows:
            sheet.append(["" if value is None else value for value in row])
        for row in spec.footer:
            sheet.append(_bold_row(sheet, list(row)))
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


def _counted(rows: Iterable[Sequence[Any]], counter: list[int]):
    for row in rows:
        counter[0] += 1
        yield row


def export_filename(title: str, ext: str = "xlsx") -> str:
    from django.utils import timezone

    return f"{title}_{timezone.localtime():%Y%m%d_%H%M}.{ext}"


def export_caption(request, title: str, filters: Sequence[tuple[str, str]] = ()) -> list[str]:
    """The line above a list export's header: what it is, the filters applied, who exported it and when."""
    from django.utils import timezone

    shown = "，".join(f"{label}：{value}" for label, value in filters if value)
    who = str(request.user)
    return [
        f"{title}{'（' + shown + '）' if shown else ''}　导出：{who}　{timezone.localtime():%Y-%m-%d %H:%M}"
    ]


def personal_export_response(
    request,
    *,
    filename: str,
    sheets: Iterable[Sheet],
    what: str,
    purpose: str = "名单导出",
    counted_titles: Sequence[str] | None = None,
) -> FileResponse:
    """A workbook of personal data: written first (data rows counted as they stream, not held in memory), then
    the read logged in the access log with that count (when there was any row), then returned. A failure while
    writing logs nothing and hands out nothing. `counted_titles`: the sheets whose rows are records (default: all)."""
    from accounts.services import access_log_record

    counter = [0]
    counted = [
        Sheet(
            title=s.title,
            header=s.header,
            caption=s.caption,
            footer=s.footer,
            widths=s.widths,
            rows=_counted(s.rows, counter) if counted_titles is None or s.title in counted_titles else s.rows,
        )
        for s in sheets
    ]
    response = workbook_response(filename, counted)
    if counter[0]:  # an export with no rows read no personal data: nothing to log
        try:
            access_log_record(request=request, what=what, purpose=purpose, count=counter[0])
        except BaseException:
            response.file_to_stream.close()  # the temporary file; response.close() would end the request
            raise
    response["Cache-Control"] = "private, no-store"
    return response


def list_export_response(
    request,
    *,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    count: Callable[[], int],
    filters: Sequence[tuple[str, str]] = (),
    widths: Sequence[int] = (),
    purpose: str = "名单导出",
):
    """A list page as one sheet: a caption naming the filters, the header, every row; logged as a personal-data
    read ("导出<title>（<filters>）", the number of rows). `count()` (one COUNT query) is asked first: a list longer
    than settings.EXPORT_MAX_ROWS is refused back on the list page (export URLs are "<list URL>export.xlsx")
    rather than left to run past the server's request timeout."""
    from django.conf import settings
    from django.contrib import messages
    from django.shortcuts import redirect

    limit = settings.EXPORT_MAX_ROWS
    total = count()
    if total > limit:
        messages.error(request, f"共{total}行，超过单次导出上限{limit}行，请缩小筛选范围后分批导出")
        back = request.path.rsplit("/", 1)[0] + "/"
        return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)
    shown = "，".join(f"{label}：{value}" for label, value in filters if value)
    return personal_export_response(
        request,
        filename=export_filename(title),
        what=f"导出{title}{'（' + shown + '）' if shown else ''}",
        purpose=purpose,
        sheets=[Sheet(title, header, rows, caption=export_caption(request, title, filters), widths=widths)],
    )
