"""seed_demo_workday: on top of the demo, every working role has something it can complete today, and the daily
jobs have run; a second run changes nothing."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import User
from inbox import selectors
from ledgers.models import ReviewTask

pytestmark = pytest.mark.django_db(
    transaction=True
)  # on_commit work (the extract, the run) runs as in production
TODAY = dt.date(2026, 6, 15)


def test_every_role_has_work_for_today(settings, tmp_path, capsys, clock):
    clock(TODAY)
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")
    call_command("seed_demo_applications")
    call_command("seed_demo_workday")
    users = {u.username: u for u in User.objects.all()}

    def counts(name):
        return {s.key: s.count for s in selectors.inbox_sections(user=users[name], today=TODAY)}

    caseworker = counts("caseworker")
    assert caseworker["applications"] == 3 and caseworker["leads"] == 1 and caseworker["findings"] == 1
    assert caseworker["reviews"] >= 1
    assert counts("caseworker2") == {"leads": 1}
    assert counts("street") == {"applications": 2, "relief": 1}
    # relief: the demo's 特别救助 waiting for the county's approval (seed_demo_applications)
    assert counts("county") == {"applications": 1, "rolls": 1, "relief": 1}
    assert ReviewTask.objects.get().finding.rule == "deceased_paid"
    capsys.readouterr()
    tasks = ReviewTask.objects.count()
    call_command("seed_demo_workday")
    assert "演示待办已存在，未做任何改动" in capsys.readouterr().out
    assert ReviewTask.objects.count() == tasks
