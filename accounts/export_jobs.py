"""List exports longer than EXPORT_MAX_ROWS, written in the background (ExportJob): asked for, run, swept.

A list page's export (accounts.personal_exports.list_export_response) that finds more than EXPORT_MAX_ROWS rows
asks for a job (`export_job_request`) instead of refusing: the job keeps the user, their region, the export's
URL and filters and the client's address. The Celery task (eager in the embedded mode) runs `export_job_run`,
which calls that same export view again for that user (resolved from the URL, so this module imports no app
above accounts): the same selector, scope, filters, masking and access-log row as the direct export; the view
sees `request.export_job` and writes the workbook into the job's file (`export_job_write`), counting rows as
they stream so the page's progress bar can poll them. The file belongs to the user who asked, in the region they
had then (accounts.permissions.can_download_export), and is removed after EXPORT_KEEP_HOURS.

Never hanging (the imports' pattern, imports.services.imports_sweep): a job queued or running that reports no
progress for EXPORT_STALE_MINUTES is queued again by `export_jobs_sweep` (Celery beat every few minutes; the
embedded mode sweeps when the user opens their exports) and, after EXPORT_MAX_ATTEMPTS runs, fails with a Chinese
reason. Each run carries its attempt number: a run the sweeper has replaced can no longer report progress or
finish the job (it stops and removes its own file).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ExportJob
from accounts.services import event_record

log = logging.getLogger(__name__)
S = ExportJob.Status
PROGRESS_EVERY = 2000  # rows between two progress reports (one UPDATE each)


class Superseded(Exception):
    """This run was replaced by the sweeper (or the job ended): stop writing."""


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(job: ExportJob) -> Path | None:
    return storage_dir() / job.stored_name if job.stored_name else None


def _queue(job_id: int) -> None:
    from accounts.tasks import export_job_run
    from config.queueing import enqueue

    enqueue(export_job_run, job_id)  # broker down: the job waits, and export_jobs_sweep queues it again


def export_job_request(*, request, title: str, total: int) -> ExportJob:
    """Ask for the export at `request` (its URL and filters) to be written in the background for its user."""
    from accounts.client_ip import client_ip

    user = request.user
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            region_id=user.region_id,
            title=title[:200],
            path=request.path[:200],
            query=request.GET.urlencode()[:2000],
            ip=client_ip(request),
            rows_total=total,
        )
        event_record(
            actor=user,
            verb="申请后台导出",
            target=job,
            region_code=user.region_id or "",
            data={"title": job.title, "rows": total, "query": job.query},
        )
        transaction.on_commit(lambda: _queue(job.pk))
    return job


def _claim(job_id: int) -> ExportJob | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in ExportJob.BUSY:
            return None  # done, failed or expired: running the task again changes nothing
        job.status, job.attempts, job.heartbeat_at = S.RUNNING, job.attempts + 1, timezone.now()
        job.rows_done, job.reason = 0, ""
        job.save(update_fields=["status", "attempts", "heartbeat_at", "rows_done", "reason"])
    return job


def _mine(job: ExportJob):
    """This run's row: the job as long as the sweeper has not replaced this attempt."""
    return ExportJob.objects.filter(pk=job.pk, attempts=job.attempts, status=S.RUNNING)


def _request_for(job: ExportJob):
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    request = RequestFactory().get(job.path, data=None, REMOTE_ADDR=job.ip or "127.0.0.1")
    if job.query:
        from django.http import QueryDict

        request.GET = QueryDict(job.query)
        request.META["QUERY_STRING"] = job.query
    request.user = job.user
    request.session = {}
    request._messages = CookieStorage(request)
    request.export_job = job
    return request


def _fail(job: ExportJob, reason: str, *, only_this_run: bool = True) -> None:
    rows = _mine(job) if only_this_run else ExportJob.objects.filter(pk=job.pk, status__in=ExportJob.BUSY)
    with transaction.atomic():
        if rows.update(status=S.FAILED, reason=reason[:300], finished_at=timezone.now()):
            event_record(
                actor=None,
                verb="后台导出失败",
                target=job,
                region_code=job.region_id,
                data={"reason": reason},
            )


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Run a queued job: the export view again, for its user, into the job's file. Idempotent."""
    from django.urls import Resolver404, resolve

    from accounts.permissions import can_download_export

    job = _claim(job_id)
    if job is None:
        return None
    if not can_download_export(job.user, job):  # its file could no longer be handed to anyone
        _fail(job, "导出人账户已停用或已调离申请时的区域，未生成文件")
        return ExportJob.objects.get(pk=job.pk)
    try:
        match = resolve(job.path)
    except Resolver404:
        _fail(job, "导出地址已不存在，请回到名单页面重新导出")
        return ExportJob.objects.get(pk=job.pk)
    try:
        response = match.func(_request_for(job), *match.args, **match.kwargs)
    except Superseded:
        return ExportJob.objects.get(pk=job.pk)
    except Exception as exc:  # noqa: BLE001 — any failure ends the job visibly, never a silent hang
        log.exception("export job %s failed", job.pk)
        _fail(job, f"导出时出错（{type(exc).__name__}），未生成文件；请稍后重新导出")
        return ExportJob.objects.get(pk=job.pk)
    if response.status_code != 204:
        # the view answered without writing: the user may no longer export this list
        _fail(job, "导出人已无权导出该名单，未生成文件")
    return ExportJob.objects.get(pk=job.pk)


def export_job_write(*, request, sheets, what: str, purpose: str, filename: str) -> None:
    """Inside the re-run export view: write the workbook into the job's file, report progress, log the read in
    the access log (as a direct export does) and mark the job done. Raises Superseded when the sweeper replaced
    this run."""
    from dataclasses import replace

    from accounts.services import access_log_record
    from common.spreadsheets import write_workbook

    job: ExportJob = request.export_job
    done = [0]

    def counted(rows):
        for row in rows:
            done[0] += 1
            if done[0] % PROGRESS_EVERY == 0 and not _mine(job).update(
                rows_done=done[0], heartbeat_at=timezone.now()
            ):
                raise Superseded
            yield row

    stored = f"{uuid.uuid4().hex}.xlsx"
    target = storage_dir() / stored
    partial = target.with_suffix(".part")
    try:
        write_workbook([replace(s, rows=counted(s.rows)) for s in sheets], str(partial))
        partial.rename(target)
        now = timezone.now()
        with transaction.atomic():
            finished = _mine(job).update(
                status=S.DONE,
                rows_done=done[0],
                rows_total=done[0],
                stored_name=stored,
                filename=filename[:200],
                size=target.stat().st_size,
                heartbeat_at=now,
                finished_at=now,
                expires_at=now + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS),
            )
            if not finished:
                raise Superseded
            if done[0]:
                access_log_record(request=request, what=what, purpose=purpose, count=done[0])
            event_record(
                actor=job.user,
                verb="后台导出完成",
                target=job,
                region_code=job.region_id,
                data={"rows": done[0]},
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        raise


def export_job_set_total(*, job: ExportJob, total: int) -> None:
    """The run's own count (the list may have changed since the request)."""
    if not _mine(job).update(rows_total=total, heartbeat_at=timezone.now()):
        raise Superseded


# --- never hanging, never kept ------------------------------------------------------------------


def _stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.EXPORT_STALE_MINUTES)


def export_job_is_stuck(job: ExportJob, now: dt.datetime | None = None) -> bool:
    """Queued or running and silent longer than EXPORT_STALE_MINUTES."""
    now = now or timezone.now()
    return job.busy and (job.heartbeat_at or job.created_at) < now - _stale_after()


def _remove_file(job: ExportJob) -> None:
    path = job_path(job)
    if path is not None:
        path.unlink(missing_ok=True)


def export_jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue again the jobs whose worker died or whose message never left (fail them after EXPORT_MAX_ATTEMPTS
    runs, with the reason), and remove the files of finished jobs older than EXPORT_KEEP_HOURS."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "removed": 0}
    for job in ExportJob.objects.filter(status__in=ExportJob.BUSY):
        if not export_job_is_stuck(job, now):
            continue
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            _fail(job, "后台导出多次中断，已停止，未生成文件；请重新导出或缩小筛选范围", only_this_run=False)
            counts["failed"] += 1
            continue
        # Back to the queue. A run still alive somewhere stops at its next report (its row is no longer RUNNING
        # under its attempt number); a job that never started counts this as an attempt, so a broker that never
        # takes the message ends in a failure too.
        attempts = job.attempts + 1 if job.status == S.QUEUED else job.attempts
        with transaction.atomic():
            if ExportJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
                status=S.QUEUED, heartbeat_at=now, attempts=attempts
            ):
                event_record(actor=None, verb="后台导出重新排队", target=job, region_code=job.region_id)
                transaction.on_commit(lambda j=job.pk: _queue(j))
                counts["requeued"] += 1
    for job in ExportJob.objects.filter(status=S.DONE, expires_at__lt=now):
        with transaction.atomic():
            if ExportJob.objects.filter(pk=job.pk, status=S.DONE).update(status=S.EXPIRED):
                event_record(actor=None, verb="后台导出文件已过期删除", target=job, region_code=job.region_id)
                transaction.on_commit(lambda j=job: _remove_file(j))
                counts["removed"] += 1
    return counts
