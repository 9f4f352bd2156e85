"""The automatic economic check after intake never waits unseen (issue 20 item 1): an authorised application still
being checked with no check is queued again by the one sweeper (its message was never sent, its worker died),
twice; then the sweeper stops and the application's page says so, and the caseworker's 进行核对 is the retry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Event
from applications.models import Application
from applications.tests.factories import FAST_HASHERS, application_at, standard_make
from common import background
from conftest import HOME_COMMUNITY
from economic_check import services as economic
from economic_check.models import EconomicCheck
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.ECONOMIC_CHECK_STALE_MINUTES = 15
    settings.CELERY_TASK_ALWAYS_EAGER = False
    standard_make(year=2018)


@pytest.fixture
def queued(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(economic, "_queue", lambda pk: sent.append(pk))
    monkeypatch.setattr(economic.transaction, "on_commit", lambda fn, *a, **k: fn())
    return sent


def test_a_check_that_never_came_is_requeued_twice_then_shown_as_stopped(client, caseworker, queued):
    household = household_make(community_id=HOME_COMMUNITY, members=2, address="滕王阁路18号")
    application = application_at("investigating", household=household, caseworker=caseworker)
    EconomicCheck.objects.filter(application=application).delete()  # as if its message had been lost
    Application.objects.filter(pk=application.pk).update(created_at=timezone.now() - dt.timedelta(minutes=20))
    queued.clear()
    now = timezone.now()
    assert background.sweep(now=now, keys=["economic_check"])["economic_check"]["requeued"] == 1
    background.sweep(now=now + dt.timedelta(minutes=16), keys=["economic_check"])
    counts = background.sweep(now=now + dt.timedelta(minutes=32), keys=["economic_check"])
    assert counts["economic_check"] == {"requeued": 0, "failed": 1, "removed": 0}
    assert queued == [application.pk, application.pk]
    # stopped once: later sweeps leave it alone
    assert background.sweep(now=now + dt.timedelta(minutes=60), keys=["economic_check"])[
        "economic_check"
    ] == {
        "requeued": 0,
        "failed": 0,
        "removed": 0,
    }
    assert Event.objects.filter(verb="受理后的自动核对多次未能完成，已停止").count() == 1
    client.force_login(caseworker)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "受理后的自动核对多次未能完成，已停止；请点“进行核对”重新核对" in page
    economic.economic_check_run(acting_user=caseworker, application=application)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "自动核对多次未能完成" not in page
