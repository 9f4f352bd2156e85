"""No import waits forever (issue 20 item 4): a batch whose message was never sent (Redis down at commit) or whose
worker died is queued again by the sweeper, twice, then fails visibly; the uploader can 重试 or 放弃 a stuck batch;
a checked batch never confirmed is removed with its file after IMPORT_UNCONFIRMED_HOURS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Event
from imports import services as imports
from imports.models import ImportBatch
from imports.tests.test_import import row, upload, workbook

pytestmark = pytest.mark.django_db
B = ImportBatch.Status


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """The batch ids queued, as the on-commit callbacks of the test's transaction run them."""
    sent = []
    monkeypatch.setattr(imports, "_queue", lambda batch_id: sent.append(batch_id))
    real_on_commit = imports.transaction.on_commit
    monkeypatch.setattr(imports.transaction, "on_commit", lambda fn, *a, **k: fn())
    yield sent
    monkeypatch.setattr(imports.transaction, "on_commit", real_on_commit)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def batch_at(user, status, minutes_ago: int, **fields) -> ImportBatch:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return ImportBatch.objects.create(
        region_id=user.region_id,
        uploaded_by=user,
        original_name="台账.xlsx",
        stored_name=f"{status}-{minutes_ago}-{ImportBatch.objects.count()}.xlsx",
        sha256="0" * 64,
        status=status,
        created_at=at,
        confirmed_at=at if status == B.IMPORTING else None,
        validated_at=at if status in (B.CHECKED, B.IMPORTING) else None,
        **fields,
    )


def test_a_stuck_batch_is_requeued_twice_then_fails_visibly(county_officer, queued, media, settings):
    settings.IMPORT_STALE_MINUTES = 30
    batch = batch_at(county_officer, B.VALIDATING, minutes_ago=45)
    fresh = batch_at(county_officer, B.UPLOADED, minutes_ago=5)
    now = timezone.now()
    assert imports.imports_sweep(now=now) == {"requeued": 1, "failed": 0, "removed": 0}
    assert queued == [batch.pk]  # the five-minute-old batch is not stuck
    fresh.delete()
    assert imports.imports_sweep(now=now + dt.timedelta(minutes=10)) == {
        "requeued": 0,
        "failed": 0,
        "removed": 0,
    }
    assert imports.imports_sweep(now=now + dt.timedelta(minutes=31)) == {
        "requeued": 1,
        "failed": 0,
        "removed": 0,
    }
    assert imports.imports_sweep(now=now + dt.timedelta(minutes=62)) == {
        "requeued": 0,
        "failed": 1,
        "removed": 0,
    }
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (B.FAILED, "后台处理多次中断，已停止，未导入；请检查文件后重新上传")
    assert queued == [batch.pk, batch.pk]


def test_a_batch_checked_but_never_confirmed_is_removed_with_its_file(
    county_officer, queued, media, settings
):
    settings.IMPORT_UNCONFIRMED_HOURS = 72
    old = batch_at(county_officer, B.CHECKED, minutes_ago=73 * 60)
    recent = batch_at(county_officer, B.CHECKED, minutes_ago=60)
    path = imports.storage_dir() / old.stored_name
    path.write_bytes(b"xlsx")
    assert imports.imports_sweep()["removed"] == 1
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not path.exists()
    event = Event.objects.get(verb="未确认的台账导入已过期删除")
    assert event.target_id == str(old.pk)


def test_the_owner_retries_or_abandons_a_stuck_batch_on_its_page(
    client, county_officer, make_user, queued, media
):
    batch = batch_at(county_officer, B.IMPORTING, minutes_ago=90)
    client.force_login(county_officer)
    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert 'id="import-stuck"' in page and "重试" in page and "放弃" in page
    other = make_user("county", county_officer.region_id)
    client.force_login(other)
    assert client.post(reverse("import_abandon", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == B.IMPORTING
    client.force_login(county_officer)
    client.post(reverse("import_retry", args=[batch.pk]))
    assert queued == [batch.pk]
    assert not imports.import_is_stuck(batch)  # just queued again: waits another stale period
    client.post(reverse("import_abandon", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == B.IMPORTING  # refused: no longer stuck
    Event.objects.filter(verb=imports.REQUEUED).update(at=timezone.now() - dt.timedelta(hours=2))
    client.post(reverse("import_abandon", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (B.DISCARDED, "上传人放弃了停滞的导入，未导入")


def test_an_upload_while_redis_is_down_is_kept_and_queued_later(
    county_officer, media, monkeypatch, django_capture_on_commit_callbacks
):
    from imports import tasks

    def broker_down(*args):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_process, "delay", broker_down)
    data = workbook([row(key="1", community="360102002001", name="张三", id="", relation="户主")])
    batch = upload(county_officer, data, django_capture_on_commit_callbacks)  # no exception reaches the user
    assert batch.status == B.UPLOADED
    sent = []
    monkeypatch.setattr(tasks.import_process, "delay", lambda batch_id: sent.append(batch_id))
    with django_capture_on_commit_callbacks(execute=True):
        imports.imports_sweep(now=timezone.now() + dt.timedelta(hours=1))
    assert sent == [batch.pk]
