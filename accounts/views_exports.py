"""Pages of the background list exports (accounts/export_jobs.py): the user's own jobs, one job with the progress
bar its page polls (ledgers/static/ledgers/progress.js) and the download link once done. Another user's job is
a 404, whoever asks."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import export_jobs, permissions
from accounts.models import ExportJob
from common.spreadsheets import CONTENT_TYPE


def _sweep_when_embedded() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:  # the embedded mode has no Celery beat: sweep here
        export_jobs.export_jobs_sweep()


def _job(user, pk: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None or not permissions.can_download_export(user, job):
        raise Http404("没有这个导出")
    return job


def _progress(job: ExportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": job.percent,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "busy": job.busy,
        "reason": job.reason,
    }


@require_GET
@login_required
def export_job_list(request):
    _sweep_when_embedded()
    jobs = ExportJob.objects.filter(user=request.user, region_id=request.user.region_id)[:50]
    return render(request, "accounts/export_jobs.html", {"jobs": jobs})


@require_GET
@login_required
def export_job_detail(request, pk: int):
    _sweep_when_embedded()
    job = _job(request.user, pk)
    return render(
        request,
        "accounts/export_job.html",
        {"job": job, "progress": _progress(job), "stuck": export_jobs.export_job_is_stuck(job)},
    )


@require_GET
@login_required
def export_job_status(request, pk: int):
    return JsonResponse(_progress(_job(request.user, pk)))


@require_GET
@login_required
def export_job_download(request, pk: int):
    job = _job(request.user, pk)
    path = export_jobs.job_path(job)
    if job.status != ExportJob.Status.DONE or path is None or not path.exists():
        raise Http404("导出文件不存在或已过期删除")
    response = FileResponse(
        open(path, "rb"), as_attachment=True, filename=job.filename, content_type=CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response
