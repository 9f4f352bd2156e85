"""A payment roll never stays 生成中 forever (issue 20 item 1): the one sweeper re-queues a generation whose message
was never sent or whose worker died, twice, then the roll ends 生成失败 with a reason; the county has 重试 / 放弃
on the roll's page; another county's officer can do neither, and a refused action changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Event
from benefits.models import PaymentRoll
from benefits.services import rolls
from common import background

pytestmark = pytest.mark.django_db
R = PaymentRoll.Status


@pytest.fixture
def queued(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(rolls, "_send", lambda task, roll_id, task_id: sent.append(roll_id))
    monkeypatch.setattr(rolls.transaction, "on_commit", lambda fn, *a, **k: fn())
    return sent


def roll_at(officer, minutes_ago: int, month=dt.date(2026, 1, 1)) -> PaymentRoll:
    return PaymentRoll.objects.create(
        county_id="360102",
        month=month,
        program="dibao",
        created_by=officer,
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def test_a_stuck_generation_is_requeued_twice_then_fails_visibly(county_officer, queued, settings):
    settings.ROLL_STALE_MINUTES = 15
    stuck = roll_at(county_officer, 20)
    fresh = roll_at(county_officer, 2, month=dt.date(2026, 2, 1))
    now = timezone.now()
    assert background.sweep(now=now, keys=["roll"]) == {"roll": {"requeued": 1, "failed": 0, "removed": 0}}
    assert queued == [stuck.pk]
    fresh.delete()
    background.sweep(now=now + dt.timedelta(minutes=16), keys=["roll"])
    counts = background.sweep(now=now + dt.timedelta(minutes=32), keys=["roll"])
    assert counts["roll"] == {"requeued": 0, "failed": 1, "removed": 0}
    stuck.refresh_from_db()
    assert stuck.status == R.FAILED
    assert stuck.error == "后台生成多次中断，已停止；请点“重试”重新生成，或“放弃”后重新申请"
    assert queued == [stuck.pk, stuck.pk]


def test_the_county_retries_a_failed_roll_and_it_is_generated(
    client, county_officer, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    roll = roll_at(county_officer, 60)
    PaymentRoll.objects.filter(pk=roll.pk).update(status=R.FAILED, error="后台生成多次中断")
    client.force_login(county_officer)
    page = client.get(reverse("roll_detail", args=[roll.pk])).content.decode()
    assert 'id="roll-stuck"' in page and "后台生成多次中断" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roll_retry", args=[roll.pk]))  # tasks run in-process in tests
    roll.refresh_from_db()
    assert (roll.status, roll.error) == (R.READY, "")
    assert (
        Event.objects.filter(verb=rolls.REQUEUED, target_id=str(roll.pk), actor=county_officer).count() == 1
    )


def test_the_county_abandons_a_stuck_roll_and_may_ask_again(client, county_officer, queued, settings):
    settings.ROLL_STALE_MINUTES = 15
    settings.CELERY_TASK_ALWAYS_EAGER = False
    roll = roll_at(county_officer, 20)
    client.force_login(county_officer)
    response = client.post(reverse("roll_abandon", args=[roll.pk]))
    assert response.status_code == 302
    assert not PaymentRoll.objects.filter(pk=roll.pk).exists()
    assert Event.objects.filter(
        verb="放弃生成2026年1月城镇最低生活保障（低保）发放花名册",
        target_id=str(roll.pk),
        actor=county_officer,
    ).exists()
    again, created = rolls.roll_request(
        acting_user=county_officer,
        county="360102",
        month="2026-01",
        program="dibao",
        today=dt.date(2026, 1, 5),
    )
    assert created and again.status == R.GENERATING


def test_others_and_a_moving_roll_are_refused_and_nothing_changes(
    client, county_officer, make_user, queued, settings
):
    settings.ROLL_STALE_MINUTES = 15
    settings.CELERY_TASK_ALWAYS_EAGER = False
    stuck = roll_at(county_officer, 20)
    moving = roll_at(county_officer, 2, month=dt.date(2026, 2, 1))
    other = make_user("county", "360103", "co2")
    client.force_login(other)
    assert client.post(reverse("roll_abandon", args=[stuck.pk])).status_code in (403, 404)
    client.force_login(county_officer)
    page = client.get(reverse("roll_detail", args=[moving.pk])).content.decode()
    assert 'id="roll-stuck"' not in page
    response = client.post(reverse("roll_abandon", args=[moving.pk]), follow=True)
    assert "没有停滞，不能重试或放弃" in response.content.decode()
    assert sorted(PaymentRoll.objects.values_list("pk", "status")) == [
        (stuck.pk, R.GENERATING),
        (moving.pk, R.GENERATING),
    ]
    assert queued == []
    assert (
        not Event.objects.filter(target_type="benefits.paymentroll").exclude(verb__startswith="申请").exists()
    )
