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
    than settings.EXPORT_MAX_ROWS is not written in the request (it would run past the server's timeout) but
    handed to a background job (accounts/export_jobs.py) that runs this same view again for the same user; the
    user is sent to the job's page (progress, then the download link). A list longer than EXPORT_JOB_MAX_ROWS
    (one Excel sheet's capacity) is refused back on the list page (export URLs are "<list URL>export.xlsx")."""
    from django.conf import settings
    from django.contrib import messages
    from django.http import HttpResponse
    from django.shortcuts import redirect

    from accounts import export_jobs

    limit = settings.EXPORT_MAX_ROWS
    job = getattr(request, "export_job", None)
    total = count()
    if job is None and total > limit:
        if total > settings.EXPORT_JOB_MAX_ROWS:
            messages.error(
                request,
                f"共{total}行，超过后台导出上限{settings.EXPORT_JOB_MAX_ROWS}行，请缩小筛选范围后分批导出",
            )
            back = request.path.rsplit("/", 1)[0] + "/"
            return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)
        job = export_jobs.export_job_request(request=request, title=title, total=total)
        messages.info(request, f"共{total}行，超过单次导出上限{limit}行，已转入后台导出；完成后在本页下载")
        return redirect("export_job_detail", pk=job.pk)
    shown = "，".join(f"{label}：{value}" for label, value in filters if value)
    what = f"导出{title}{'（' + shown + '）' if shown else ''}"
    sheets = [Sheet(title, header, rows, caption=export_caption(request, title, filters), widths=widths)]
    if job is not None:  # the background run of this export (accounts.export_jobs.export_job_run)
        export_jobs.export_job_set_total(job=job, total=total)
        export_jobs.export_job_write(
            request=request, sheets=sheets, what=what, purpose=purpose, filename=export_filename(title)
        )
        return HttpResponse(status=204)
    return personal_export_response(
        request, filename=export_filename(title), what=what, purpose=purpose, sheets=sheets
    )
