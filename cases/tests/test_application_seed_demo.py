"""seed_demo_applications: one demo application per step, through the services; a second run changes nothing."""

import datetime as dt

import pytest
from django.core.management import call_command

from benefits.models import Enrolment
from cases.models import Application, ApplicationEvent
from cases.tests.factories_applications import FAST_HASHERS

pytestmark = pytest.mark.django_db


def test_seed_demo_applications_fills_every_queue(settings, tmp_path, capsys, clock):
    clock(dt.date(2026, 6, 15))  # mid-year: every back-dated step falls in a year with a standard
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("seed_demo")
    call_command("seed_demo_applications")
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == sorted(["investigating", "investigating", "reviewing", "street_review", "street_approved",
                               "notice", "notice", "approved", "street_rejected"])
    assert Enrolment.objects.count() == 1
    assert Application.objects.filter(due_on__isnull=False).exclude(status__in=Application.OPEN).count() == 0
    events = ApplicationEvent.objects.count()
    call_command("seed_demo_applications")
    assert "已有救助申请，未做任何改动" in capsys.readouterr().out
    assert Application.objects.count() == 9 and ApplicationEvent.objects.count() == events
