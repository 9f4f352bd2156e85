"""Extracts and reconciliation runs never wait forever (issue 20 item 4): the one sweeper (common/background.py)
re-queues an extract or a run whose message was never sent or whose worker died, twice, then fails it with a
Chinese reason; the owner has 重试 / 放弃 on its page; an extract checked in the 先校验 mode and never decided is
removed, file and record, after EXTRACT_UNCONFIRMED_HOURS; a broker down at upload loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Event, Region
from common import background
from conftest import make_id
from ledgers.models import Extract, ReconciliationRun
from ledgers.services import extract_upload, extracts, run_abandon, runs, stuck
from ledgers.tests.factories import PERIOD

pytestmark = pytest.mark.django_db
X = Extract.Status


@pytest.fixture
def queued(monkeypatch):
    """What the sweeper and the services queue: ("extract", id) / ("run", id); on-commit callbacks run at once."""
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(extracts, "_queue_process", lambda pk: sent.append(("extract", pk)))
    monkeypatch.setattr(runs, "_queue_run", lambda pk: sent.append(("run", pk)))
    monkeypatch.setattr(stuck.transaction, "on_commit", lambda fn, *a, **k: fn())
    return sent


def extract_at(officer, status, minutes_ago: int, **fields) -> Extract:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Extract.objects.create(
        kind="death",
        period=PERIOD,
        region_id=officer.region_id,
        uploaded_by=officer,
        original_name="death.csv",
        stored_name=f"{status}-{minutes_ago}-{Extract.objects.count()}.csv",
        file_format="csv",
        status=status,
        created_at=at,
        **fields,
    )


def test_a_stuck_extract_is_requeued_twice_then_fails_visibly(county_officer, queued, settings):
    settings.EXTRACT_STALE_MINUTES = 30
    stuck_one = extract_at(county_officer, X.VALIDATING, 45)
    fresh = extract_at(county_officer, X.UPLOADED, 5)
    waiting = extract_at(  # checked in the 先校验 mode: waits for its uploader, not for a worker
        county_officer, X.CHECKED, 45, mode="check", validated_at=timezone.now() - dt.timedelta(minutes=44)
    )
    now = timezone.now()
    assert background.sweep(now=now, keys=["extract"]) == {
        "extract": {"requeued": 1, "failed": 0, "removed": 0}
    }
    assert queued == [("extract", stuck_one.pk)]
    fresh.refresh_from_db()
    assert fresh.status == X.UPLOADED
    fresh.delete()  # it would be stuck itself at the later times below
    # just re-queued: not stuck again until another stale period has passed
    assert background.sweep(now=now, keys=["extract"])["extract"]["requeued"] == 0
    later = now + dt.timedelta(minutes=31)
    assert background.sweep(now=later, keys=["extract"])["extract"]["requeued"] == 1
    much_later = later + dt.timedelta(minutes=31)
    assert background.sweep(now=much_later, keys=["extract"])["extract"] == {
        "requeued": 0,
        "failed": 1,
        "removed": 0,
    }
    stuck_one.refresh_from_db()
    assert stuck_one.status == X.FAILED
    assert stuck_one.error == "后台处理多次中断，已停止，未导入；请检查文件后重新上传"
    assert queued == [("extract", stuck_one.pk)] * 2
    waiting.refresh_from_db()
    assert waiting.status == X.CHECKED


def test_in_the_embedded_mode_the_extract_page_sweeps(client, county_officer, queued, settings):
    settings.EXTRACT_STALE_MINUTES = 30
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no Celery beat: the page that shows the work sweeps it
    one = extract_at(county_officer, X.VALIDATING, 45)
    client.force_login(county_officer)
    client.get(reverse("ledger_extract_detail", args=[one.pk]))
    assert queued == [("extract", one.pk)]


def test_a_checked_extract_whose_load_was_asked_for_is_busy(county_officer, queued, settings):
    settings.EXTRACT_STALE_MINUTES = 30
    asked = timezone.now() - dt.timedelta(minutes=40)
    loading = extract_at(
        county_officer, X.CHECKED, 60, mode="check", validated_at=asked, load_requested_at=asked
    )
    assert stuck.extract_is_stuck(loading)
    background.sweep(keys=["extract"])
    assert queued == [("extract", loading.pk)]


def test_an_unconfirmed_extract_is_removed_with_its_file(county_officer, queued, settings):
    settings.EXTRACT_UNCONFIRMED_HOURS = 72
    old = timezone.now() - dt.timedelta(hours=73)
    young = timezone.now() - dt.timedelta(hours=2)
    expired = extract_at(county_officer, X.CHECKED, 73 * 60, mode="check", validated_at=old)
    kept = extract_at(county_officer, X.CHECKED, 120, mode="check", validated_at=young)
    source, good = extracts._paths(expired)
    source.write_text("身份证号码\n")
    good.write_text("x\n")
    counts = background.sweep(keys=["extract"])["extract"]
    assert counts["removed"] == 1
    assert not Extract.objects.filter(pk=expired.pk).exists()
    assert Extract.objects.filter(pk=kept.pk).exists()
    assert not source.exists() and not good.exists()
    assert Event.objects.filter(verb="未确认的比对数据已过期删除", target_id=str(expired.pk)).count() == 1


def test_the_uploader_retries_or_abandons_a_stuck_extract_on_its_page(
    client, county_officer, queued, settings
):
    settings.EXTRACT_STALE_MINUTES = 30
    settings.CELERY_TASK_ALWAYS_EAGER = False  # production: Celery beat sweeps, the page does not
    one = extract_at(county_officer, X.VALIDATING, 45)
    two = extract_at(county_officer, X.UPLOADED, 45)
    client.force_login(county_officer)
    page = client.get(reverse("ledger_extract_detail", args=[one.pk])).content.decode()
    assert 'id="extract-stuck"' in page and "重试" in page and "放弃" in page
    client.post(reverse("ledger_extract_retry", args=[one.pk]))
    assert queued == [("extract", one.pk)]
    assert Event.objects.filter(verb="比对数据重新排队", target_id=str(one.pk), actor=county_officer).exists()
    client.post(reverse("ledger_extract_abandon", args=[two.pk]))
    two.refresh_from_db()
    assert (two.status, two.error) == (X.FAILED, "上传方放弃了停滞的处理，未导入")


def test_retry_and_abandon_are_refused_to_others_and_while_it_moves(
    client, county_officer, make_user, queued, settings
):
    settings.EXTRACT_STALE_MINUTES = 30
    settings.CELERY_TASK_ALWAYS_EAGER = False
    other = make_user("county", "360103", "co2")  # another county: outside the extract's region
    stuck_one = extract_at(county_officer, X.VALIDATING, 45)
    moving = extract_at(county_officer, X.VALIDATING, 5)
    client.force_login(other)
    assert client.post(reverse("ledger_extract_abandon", args=[stuck_one.pk])).status_code == 404
    client.force_login(county_officer)
    page = client.get(reverse("ledger_extract_detail", args=[moving.pk])).content.decode()
    assert 'id="extract-stuck"' not in page
    response = client.post(reverse("ledger_extract_abandon", args=[moving.pk]), follow=True)
    assert "该比对数据没有停滞，不能在处理中放弃" in response.content.decode()
    for e in (stuck_one, moving):
        e.refresh_from_db()
        assert e.status == X.VALIDATING
    assert queued == []
    assert not Event.objects.filter(verb__in=["放弃停滞的比对数据", "比对数据重新排队"]).exists()


def test_an_upload_while_the_broker_is_down_waits_and_the_sweeper_sends_it(
    county_officer, monkeypatch, django_capture_on_commit_callbacks, settings
):
    class Down:
        name = "ledgers.extract_process"

        def delay(self, *args):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("ledgers.tasks.extract_process", Down())
    data = f"身份证号码,姓名,死亡日期\n{make_id()},张三,2025-08-01\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        extract = extract_upload(
            principal=county_officer,
            file=SimpleUploadedFile("death.csv", data),
            original_name="death.csv",
            kind="death",
            period=PERIOD,
        )
    extract.refresh_from_db()
    assert extract.status == X.UPLOADED  # committed, visible, not lost
    monkeypatch.undo()
    settings.EXTRACT_STALE_MINUTES = 30
    with django_capture_on_commit_callbacks(execute=True):
        background.sweep(now=timezone.now() + dt.timedelta(minutes=31), keys=["extract"])
    extract.refresh_from_db()
    assert extract.status == X.LOADED and extract.rows_loaded == 1


def _upload(officer, data: bytes, capture) -> Extract:
    with capture(execute=True):
        extract = extract_upload(
            principal=officer,
            file=SimpleUploadedFile("death.csv", data),
            original_name="death.csv",
            kind="death",
            period=PERIOD,
        )
    extract.refresh_from_db()
    return extract


def test_a_utf16_extract_uploaded_is_loaded(county_officer, django_capture_on_commit_callbacks):
    text = f"身份证号码\t姓名\t死亡日期\r\n{make_id()}\t张三\t2025-08-01\r\n"
    extract = _upload(county_officer, text.encode("utf-16"), django_capture_on_commit_callbacks)
    assert (extract.status, extract.rows_loaded) == (X.LOADED, 1)


def test_an_extract_with_invalid_bytes_ends_failed_with_a_reason(
    county_officer, django_capture_on_commit_callbacks
):
    # neither UTF-8 nor GB18030: 0xFF never starts a character in either
    data = "身份证号码,姓名,死亡日期\n".encode() + make_id().encode() + b",\xff\xfe\xff,2025-08-01\n"
    extract = _upload(county_officer, data, django_capture_on_commit_callbacks)
    assert extract.status == X.FAILED
    assert extract.error == "第2行附近的文字编码无法识别（请使用 UTF-8 或 GB18030）"


def test_an_extract_with_nul_characters_ends_failed_with_a_reason(
    county_officer, django_capture_on_commit_callbacks
):
    data = f"身份证号码,姓名,死亡日期\n{make_id()},张\x00三,2025-08-01\n".encode()
    extract = _upload(county_officer, data, django_capture_on_commit_callbacks)
    assert extract.status == X.FAILED
    assert "空字符（NUL）" in extract.error


# --- runs ---------------------------------------------------------------------------------------------


def run_at(region_code: str, seconds_ago: int, status="running") -> ReconciliationRun:
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return ReconciliationRun.objects.create(
        region=Region.objects.get(code=region_code),
        period=PERIOD,
        status=status,
        created_at=at,
        heartbeat_at=at,
    )


def test_a_stuck_run_is_requeued_twice_then_fails_visibly(county_officer, queued, settings):
    settings.RECONCILE_STALE_SECONDS = 600
    dead = run_at("360102", 900)
    alive = run_at("360103", 60)
    now = timezone.now()
    assert background.sweep(now=now, keys=["reconciliation"])["reconciliation"]["requeued"] == 1
    assert queued == [("run", dead.pk)]
    alive.refresh_from_db()
    assert alive.status == "running"
    alive.delete()  # it would be stale itself at the later times below
    background.sweep(now=now + dt.timedelta(seconds=601), keys=["reconciliation"])
    counts = background.sweep(now=now + dt.timedelta(seconds=1202), keys=["reconciliation"])
    assert counts["reconciliation"]["failed"] == 1
    dead.refresh_from_db()
    assert dead.status == "failed"
    assert dead.error == "后台比对多次中断，已停止；请点“重新开始”继续（已完成的步骤不会重做）"
    assert queued == [("run", dead.pk)] * 2


def test_an_officer_abandons_a_stuck_run_and_not_a_moving_one(client, county_officer, queued, settings):
    settings.RECONCILE_STALE_SECONDS = 600
    settings.CELERY_TASK_ALWAYS_EAGER = False
    dead = run_at("360102", 900)
    client.force_login(county_officer)
    page = client.get(reverse("ledger_run_detail", args=[dead.pk])).content.decode()
    assert 'id="run-abandon"' in page
    client.post(reverse("ledger_run_abandon", args=[dead.pk]))
    dead.refresh_from_db()
    assert (dead.status, dead.error) == ("failed", "发起方放弃了停滞的比对")
    moving = run_at("360102", 10)
    from config.errors import ServiceError

    with pytest.raises(ServiceError, match="没有停滞"):
        run_abandon(acting_user=county_officer, run=moving)
    moving.refresh_from_db()
    assert moving.status == "running" and moving.error == ""
