"""seed_demo_applications: one demo application per step and a history of approved cases, monthly rolls and exits,
through the services; a second run changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from applications.models import Application, ApplicationEvent
from applications.tests.factories import FAST_HASHERS
from benefits.models import Enrolment, PaymentRoll, ReliefGrant

pytestmark = pytest.mark.django_db


def test_seed_demo_applications_fills_every_queue(settings, tmp_path, capsys, clock):
    clock(dt.date(2026, 6, 15))  # mid-year: every back-dated step falls in a year with a standard
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("seed_demo")
    call_command("seed_demo_applications")
    statuses = sorted(Application.objects.values_list("status", flat=True))
    # one case per step, and the history: a case approved for each of the last months that has a standard
    # (2025 on: the demo has none for 2024), for the oversight reports
    assert statuses == sorted(
        [
            "investigating",
            "investigating",
            "reviewing",
            "street_review",
            "street_approved",
            "notice",
            "notice",
            "approved",
            "street_rejected",
        ]
        + ["approved"] * 16
    )
    assert Enrolment.objects.count() == 17
    assert sorted(Enrolment.objects.values_list("status", flat=True)) == ["active"] * 15 + ["exited"] * 2
    assert sorted(Enrolment.objects.filter(status="exited").values_list("exit_reason", flat=True)) == [
        "income",
        "moved",
    ]
    rolls = list(PaymentRoll.objects.order_by("month").values_list("month", "program", "status"))
    assert rolls == [
        (dt.date(2025 + (m - 1) // 12, (m - 1) % 12 + 1, 1), "dibao", "locked") for m in range(2, 18)
    ]
    assert PaymentRoll.objects.get(month=dt.date(2025, 2, 1)).total_amount == Decimal("2270.00")
    assert Application.objects.filter(due_on__isnull=False).exclude(status__in=Application.OPEN).count() == 0
    # 特别救助 (policy.md §6 [v2]): one paid by the county, one waiting for it; never from a street fund
    special = list(
        ReliefGrant.objects.filter(kind="special")
        .order_by("id")
        .values_list("status", "route", "fund", "amount", "gross_expenditure")
    )
    assert special == [
        ("paid", "county", None, Decimal("15000.00"), Decimal("68000.00")),
        ("county_review", "county", None, Decimal("10000.00"), Decimal("42000.00")),
    ]
    events = ApplicationEvent.objects.count()
    call_command("seed_demo_applications")
    assert "已有救助申请，未做任何改动" in capsys.readouterr().out
    assert Application.objects.count() == 25 and ApplicationEvent.objects.count() == events
