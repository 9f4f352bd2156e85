"""A run over the scenario county: every rule finds exactly its household, and nothing else."""

from __future__ import annotations

import pytest

from ledgers.models import Extract, Finding, ReconciliationRun, ReviewTask
from ledgers.services import run_start
from ledgers.tests.factories import PERIOD
from ledgers.tests.scenario import build_world, county

pytestmark = pytest.mark.django_db


def test_run_finds_each_rule_exactly(county_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world(county_officer)
    assert [e.status for e in Extract.objects.order_by("id")] == ["loaded"] * len(world.extracts)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.progress == 100
    found = set(Finding.objects.filter(run=run).values_list("rule", "id_number", "source"))
    assert found == world.expected
    assert ReviewTask.objects.filter(finding__run=run, status="open").count() == len(world.expected)
    assert run.summary == {r: sum(1 for e in world.expected if e[0] == r) for r, _, _ in world.expected}
    assert ReconciliationRun.objects.get(pk=run.pk).warnings == []
