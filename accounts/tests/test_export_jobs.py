# ruff: noqa: F811 — the households fixture is imported and used by name
"""Background list exports (accounts/export_jobs.py): a list over EXPORT_MAX_ROWS is queued instead of refused,
shows its progress, is downloadable by its asker only (anyone else: 404), holds exactly the direct export's rows,
is logged once in the access log, never hangs (re-queued, then failed with a Chinese reason) and is removed when
it expires."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import export_jobs
from accounts.models import AccessLog, Event, ExportJob
from conftest import export_sheets
from households.tests.test_exports import households  # noqa: F401 — the fixture is used by name

pytestmark = pytest.mark.django_db
S = ExportJob.Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def capped(settings, media):
    settings.EXPORT_MAX_ROWS = 2
    return settings


def _rows(content: bytes) -> list[tuple]:
    """The sheet's rows padded to the widest, as conftest.export_sheets reads a direct export."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = [tuple(r) for r in book.active.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + (None,) * (width - len(r)) for r in rows]


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for the household export as `user`; the job's task is queued on commit (run eagerly, as embedded)."""

    def asking(user, params=None):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(reverse("household_export"), params or {})

    return asking


def test_a_list_over_the_cap_is_queued_and_written_for_the_asker(
    ask,
    client,
    county_officer,
    households,
    capped,
    clock,  # noqa: F811
):
    clock(dt.date(2026, 3, 2))
    response = ask(county_officer)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("export_job_detail", args=[job.pk])
    # eager in tests as in the embedded mode: done by the time the page opens
    assert (job.status, job.rows_total, job.rows_done, job.user, job.region_id) == (
        S.DONE,
        3,
        3,
        county_officer,
        "360102",
    )
    assert (job.path, job.title, job.attempts) == (reverse("household_export"), "家庭档案", 1)
    assert job.expires_at == timezone.now() + dt.timedelta(hours=24)
    page = client.get(response.url).content.decode()
    assert "共3行，超过单次导出上限2行，已转入后台导出" in page and 'id="export-download"' in page
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"].startswith("attachment")
    background = _rows(b"".join(download.streaming_content))
    # logged once, as the direct export logs itself
    log = AccessLog.objects.get()
    assert (log.user, log.count, log.endpoint, log.what) == (
        county_officer,
        3,
        reverse("household_export"),
        "导出家庭档案",
    )
    capped.EXPORT_MAX_ROWS = 100
    direct = export_sheets(ask(county_officer))["家庭档案"]
    assert background == direct and len(background) == 2 + 3


def test_the_filters_go_with_the_job(ask, client, county_officer, households, capped):  # noqa: F811
    capped.EXPORT_MAX_ROWS = 0
    a = households[0]
    name = a.members.get(relation="head").name
    ask(county_officer, {"q": name})
    job = ExportJob.objects.get()
    assert QueryDict(job.query)["q"] == name
    rows = _rows(b"".join(client.get(reverse("export_job_download", args=[job.pk])).streaming_content))
    assert [r[0] for r in rows[2:]] == [a.pk]


@pytest.mark.parametrize("who", ["other_county", "auditor", "moved"])
def test_only_the_asker_in_their_region_sees_the_job(
    ask,
    client,
    county_officer,
    make_user,
    households,
    capped,
    who,  # noqa: F811
):
    ask(county_officer)
    job = ExportJob.objects.get()
    if who == "moved":
        county_officer.region_id = "360103"
        county_officer.save(update_fields=["region"])
        other = county_officer
    else:
        other = make_user("county", "360102") if who == "other_county" else make_user("auditor", "360000")
    client.force_login(other)
    for name in ("export_job_detail", "export_job_status", "export_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert job.pk not in [j.pk for j in client.get(reverse("export_job_list")).context["jobs"]]


def test_progress_while_queued_and_running_then_done(
    ask,
    client,
    county_officer,
    households,
    capped,
    monkeypatch,  # noqa: F811
):
    monkeypatch.setattr(export_jobs, "_queue", lambda job_id: None)  # a worker that has not picked it up yet
    ask(county_officer)
    job = ExportJob.objects.get()
    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    assert status == {
        "id": job.pk,
        "status": "queued",
        "status_label": "排队中",
        "percent": 0,
        "rows_done": 0,
        "rows_total": 3,
        "busy": True,
        "reason": "",
    }
    page = client.get(reverse("export_job_detail", args=[job.pk])).content.decode()
    assert 'id="export-progress"' in page and "data-poll=" in page and 'id="export-download"' not in page
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404
    ExportJob.objects.filter(pk=job.pk).update(status=S.RUNNING, rows_done=2, attempts=1)
    assert client.get(reverse("export_job_status", args=[job.pk])).json()["percent"] == 66
    ExportJob.objects.filter(pk=job.pk).update(status=S.QUEUED, rows_done=0, attempts=0)
    seen = []
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    original = export_jobs._mine

    def watching(job):
        seen.append(ExportJob.objects.get(pk=job.pk).rows_done)
        return original(job)

    monkeypatch.setattr(export_jobs, "_mine", watching)
    job = export_jobs.export_job_run(job_id=job.pk)
    assert job.status == S.DONE and seen == [0, 0, 1, 2, 3]  # its count, then row by row as the rows streamed
    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    assert (status["percent"], status["busy"], status["rows_done"]) == (100, False, 3)
    assert export_jobs.export_job_run(job_id=job.pk) is None  # running it again changes nothing
    assert AccessLog.objects.count() == 1


def test_a_list_over_the_background_cap_is_refused_and_nothing_written(
    ask,
    client,
    county_officer,
    households,
    capped,  # noqa: F811
):
    capped.EXPORT_JOB_MAX_ROWS = 2
    response = ask(county_officer)
    assert response.status_code == 302 and response.url == reverse("household_list")
    assert "共3行，超过后台导出上限2行" in client.get(response.url).content.decode()
    assert not ExportJob.objects.exists() and not AccessLog.objects.exists()


def test_a_stuck_job_is_queued_again_then_failed_with_a_reason(
    ask,
    client,
    county_officer,
    households,
    capped,
    monkeypatch,
    media,  # noqa: F811
):
    monkeypatch.setattr(export_jobs, "_queue", lambda job_id: None)  # the broker never delivers
    ask(county_officer)
    job = ExportJob.objects.get()
    now = timezone.now()
    assert export_jobs.export_jobs_sweep(now=now) == {
        "requeued": 0,
        "failed": 0,
        "removed": 0,
    }  # not stale yet
    later = now + dt.timedelta(minutes=11)
    assert export_jobs.export_jobs_sweep(now=later)["requeued"] == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.QUEUED, 1)
    # a worker takes it and dies mid-way: RUNNING, silent
    ExportJob.objects.filter(pk=job.pk).update(status=S.RUNNING, attempts=2, heartbeat_at=later)
    assert export_jobs.export_jobs_sweep(now=later + dt.timedelta(minutes=11))["failed"] == 1
    job.refresh_from_db()
    assert (
        job.status == S.FAILED
        and job.reason == "后台导出多次中断，已停止，未生成文件；请重新导出或缩小筛选范围"
    )
    assert job.stored_name == "" and not list((media / "exports").glob("*"))
    assert Event.objects.filter(target_id=str(job.pk), verb="后台导出失败").count() == 1
    page = client.get(reverse("export_job_detail", args=[job.pk])).content.decode()
    assert job.reason in page
    assert not AccessLog.objects.exists()


def test_a_run_replaced_by_the_sweeper_stops_and_leaves_no_file(
    ask,
    client,
    county_officer,
    households,
    capped,
    monkeypatch,
    media,  # noqa: F811
):
    monkeypatch.setattr(export_jobs, "_queue", lambda job_id: None)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    ask(county_officer)
    job = ExportJob.objects.get()
    original = export_jobs._mine

    def swept_meanwhile(job):  # the sweeper re-queues the job while this run writes
        ExportJob.objects.filter(pk=job.pk).update(status=S.QUEUED)
        return original(job)

    monkeypatch.setattr(export_jobs, "_mine", swept_meanwhile)
    job = export_jobs.export_job_run(job_id=job.pk)
    assert job.status == S.QUEUED and job.stored_name == ""
    assert not list((media / "exports").glob("*")) and not AccessLog.objects.exists()
    monkeypatch.setattr(export_jobs, "_mine", original)
    assert export_jobs.export_job_run(job_id=job.pk).status == S.DONE  # the next run finishes it


def test_a_run_for_a_user_who_may_no_longer_export_fails_and_writes_nothing(
    ask,
    client,
    county_officer,
    households,
    capped,
    monkeypatch,
    media,  # noqa: F811
):
    monkeypatch.setattr(export_jobs, "_queue", lambda job_id: None)
    ask(county_officer)
    job = ExportJob.objects.get()
    county_officer.is_active = False
    county_officer.save(update_fields=["is_active"])
    job = export_jobs.export_job_run(job_id=job.pk)
    assert (job.status, job.reason, job.stored_name) == (
        S.FAILED,
        "导出人账户已停用或已调离申请时的区域，未生成文件",
        "",
    )
    assert not AccessLog.objects.exists() and not list((media / "exports").glob("*"))


def test_an_expired_file_is_removed(
    ask, client, county_officer, households, capped, media, django_capture_on_commit_callbacks
):
    ask(county_officer)
    job = ExportJob.objects.get()
    path = export_jobs.job_path(job)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs.export_jobs_sweep(now=job.expires_at - dt.timedelta(minutes=1))["removed"] == 0
        assert export_jobs.export_jobs_sweep(now=job.expires_at + dt.timedelta(minutes=1))["removed"] == 1
    job.refresh_from_db()
    assert job.status == S.EXPIRED and not path.exists()
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404
    assert "导出文件已过期删除" in client.get(reverse("export_job_detail", args=[job.pk])).content.decode()


def test_every_list_export_runs_as_a_job(
    client, county_officer, households, capped, django_capture_on_commit_callbacks
):
    """Each list page's export, re-run by the job (resolved from its URL), writes its file: none of them needs
    anything from the request the job does not give it."""
    from benefits.tests.test_export_injection import XLSX_EXPORTS

    capped.EXPORT_MAX_ROWS = -1  # every list, even an empty one, goes to the background
    client.force_login(county_officer)
    for name in XLSX_EXPORTS:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(reverse(name))
        job = ExportJob.objects.get(path=reverse(name))
        assert response.status_code == 302 and response.url == reverse("export_job_detail", args=[job.pk]), (
            name
        )
        assert (job.status, job.reason) == (S.DONE, ""), name
        download = client.get(reverse("export_job_download", args=[job.pk]))
        assert download.status_code == 200, name
        assert _rows(b"".join(download.streaming_content))[0][0].startswith(job.title), name
    assert ExportJob.objects.count() == len(XLSX_EXPORTS)
