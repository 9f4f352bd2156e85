"""Exports of personal data: lists and papers written by the one writer (common.spreadsheets) and logged in
the access log as they are handed out, so every read of personal data leaves its row (who, what, why, how many).
Here, not in common, because the access log is accounts' (common imports no app)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.http import FileResponse

from common.spreadsheets import CONTENT_TYPE, Sheet, counted_rows, write_workbook


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
        replace(s, rows=counted_rows(s.rows, counter))
        if counted_titles is None or s.title in counted_titles
        else s
        for s in sheets
    ]
    out = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_workbook(counted, out)
        if counter[0]:  # an export with no rows read no personal data: nothing to log
            access_log_record(request=request, what=what, purpose=purpose, count=counter[0])
    except BaseException:
        out.close()  # the temporary file: nothing is handed out
        raise
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)
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
