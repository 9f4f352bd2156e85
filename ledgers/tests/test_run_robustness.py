"""Runs are robust: overlapping scopes are refused, a killed run restarted ends with exactly the findings of an
uninterrupted one, a failed run says why, a task delivered twice changes nothing."""

from __future__ import annotations

import pytest

from accounts.models import Region
from config.errors import PermissionDenied, ServiceError
from ledgers.models import Finding, ReconciliationRun, ReviewTask, RunStep
from ledgers.rules import BY_CODE, RULES
from ledgers.services import run_restart, run_rule_execute, run_start
from ledgers.services import runs as run_services
from ledgers.tests.factories import PERIOD
from ledgers.tests.scenario import build_world, county

pytestmark = pytest.mark.django_db


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def findings(run) -> list[tuple]:
    return sorted(
        (
            f.rule,
            f.id_number,
            f.source,
            f.extract_id,
            f.household_id,
            f.region_id,
            f.name,
            repr(sorted(f.detail.items())),
        )
        for f in Finding.objects.filter(run=run)
    )


# --- overlap -------------------------------------------------------------------------------------


def test_overlapping_runs_are_refused(make_user):
    province = make_user("province", "360000")
    first = run_start(
        acting_user=province, region=region("360102"), period=PERIOD
    )  # queued: not executed here
    for scope in ("360102", "360100", "360000"):  # the same county, its city, the province
        with pytest.raises(ServiceError) as exc:
            run_start(acting_user=province, region=region(scope), period=PERIOD)
        assert exc.value.code == "overlap" and f"比对#{first.pk}" in exc.value.message
    other = run_start(acting_user=province, region=region("360103"), period=PERIOD)  # another county: fine
    assert ReconciliationRun.objects.filter(status="queued").count() == 2
    ReconciliationRun.objects.filter(pk__in=[first.pk, other.pk]).update(status="done")
    run_start(acting_user=province, region=region("360000"), period=PERIOD)  # nothing active any more
    assert ReconciliationRun.objects.count() == 3


def test_the_database_refuses_the_same_scope_twice(county_officer):
    from django.db import IntegrityError, transaction

    run_start(acting_user=county_officer, region=county(), period=PERIOD)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconciliationRun.objects.create(region=county(), period=PERIOD, status="running")


def test_who_may_start_a_run(caseworker, street_officer, auditor, county_officer):
    for user in (caseworker, street_officer, auditor):
        with pytest.raises(PermissionDenied):
            run_start(acting_user=user, region=county(), period=PERIOD)
    with pytest.raises(PermissionDenied):
        run_start(acting_user=county_officer, region=region("360103"), period=PERIOD)
    with pytest.raises(PermissionDenied):  # a community is not a run scope for anyone
        run_start(acting_user=county_officer, region=region("360102002001"), period=PERIOD)
    assert not ReconciliationRun.objects.exists()


# --- kill and restart ----------------------------------------------------------------------------


class Killed(BaseException):
    """What a worker's death looks like from inside: nothing after this point runs, no handler catches it."""


@pytest.fixture
def world(county_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build_world(county_officer)


def run_to_end(officer, capture, scope=None):
    with capture(execute=True):
        run = run_start(acting_user=officer, region=scope or county(), period=PERIOD)
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("kill_at", [0, 3, 7, len(RULES)])
def test_killed_run_restarted_ends_with_the_same_findings(
    world, county_officer, django_capture_on_commit_callbacks, monkeypatch, settings, kill_at
):
    reference = run_to_end(county_officer, django_capture_on_commit_callbacks)
    assert reference.status == "done"

    real_step_done, calls = run_services._step_done, []

    def dies_in_step(run_id, step, **kw):
        calls.append(step)
        if len(calls) == kill_at + 1:  # the snapshot and kill_at - 1 rules are done; this step dies mid-way
            raise Killed
        return real_step_done(run_id, step, **kw)

    monkeypatch.setattr(run_services, "_step_done", dies_in_step)
    with pytest.raises(Killed), django_capture_on_commit_callbacks(execute=True):
        run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run = ReconciliationRun.objects.latest("id")
    before = {s.step: s.finished_at for s in RunStep.objects.filter(run=run)}
    assert run.status == "running" and len(before) == kill_at
    assert Finding.objects.filter(run=run).count() < len(findings(reference))
    assert not ReviewTask.objects.filter(finding__run=run).exists()

    monkeypatch.setattr(run_services, "_step_done", real_step_done)
    with pytest.raises(ServiceError, match="仍在进行中"):  # not silent for long enough yet
        run_restart(acting_user=county_officer, run=run)
    settings.RECONCILE_STALE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        run_restart(acting_user=county_officer, run=run)
    run.refresh_from_db()
    assert run.status == "done" and run.progress == 100 and run.attempts == 2
    assert findings(run) == findings(reference)
    assert Finding.objects.filter(run=run).count() == len(findings(reference))  # no duplicates
    assert ReviewTask.objects.filter(finding__run=run, status="open").count() == len(findings(reference))
    after = {s.step: s.finished_at for s in RunStep.objects.filter(run=run)}
    assert all(after[step] == at for step, at in before.items())  # steps done before the kill were not redone
    assert run.summary == reference.summary


def test_killed_while_closing(
    world, county_officer, django_capture_on_commit_callbacks, monkeypatch, settings
):
    reference = run_to_end(county_officer, django_capture_on_commit_callbacks)
    real = run_services.event_record

    def dies_on_done(**kw):
        if kw["verb"].startswith("比对完成"):
            raise Killed
        return real(**kw)

    monkeypatch.setattr(run_services, "event_record", dies_on_done)
    with pytest.raises(Killed), django_capture_on_commit_callbacks(execute=True):
        run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run = ReconciliationRun.objects.latest("id")
    assert run.status == "running" and RunStep.objects.filter(run=run).count() == len(RULES) + 1
    assert not ReviewTask.objects.filter(finding__run=run).exists()  # the close rolled back as a whole
    monkeypatch.undo()
    settings.RECONCILE_STALE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        run_restart(acting_user=county_officer, run=run)
    run.refresh_from_db()
    assert run.status == "done" and findings(run) == findings(reference)
    assert ReviewTask.objects.filter(finding__run=run).count() == len(findings(reference))


def test_a_lost_snapshot_starts_the_run_over(
    world, county_officer, django_capture_on_commit_callbacks, monkeypatch
):
    """The working tables are UNLOGGED on PostgreSQL: a database crash empties them. A rule that finds its
    run's snapshot gone starts the run over rather than comparing against nothing."""
    from ledgers.models import LedgerEntry, LedgerHousehold, RunLimit

    reference = run_to_end(county_officer, django_capture_on_commit_callbacks)
    real_step_done, calls = run_services._step_done, []

    def crash_after_three(run_id, step, **kw):
        real_step_done(run_id, step, **kw)
        calls.append(step)
        if len(calls) == 3:
            for model in (
                LedgerEntry,
                LedgerHousehold,
                RunLimit,
            ):  # what crash recovery does to unlogged tables
                model.objects.filter(run_id=run_id).delete()

    monkeypatch.setattr(run_services, "_step_done", crash_after_three)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run.refresh_from_db()
    assert run.status == "done" and run.attempts == 2
    assert findings(run) == findings(reference)


def test_a_rule_delivered_twice_changes_nothing(world, county_officer, django_capture_on_commit_callbacks):
    run = run_to_end(county_officer, django_capture_on_commit_callbacks)
    before = findings(run)
    ReconciliationRun.objects.filter(pk=run.pk).update(status="running")
    for rule in RULES:
        run_rule_execute(run_id=run.pk, code=rule.code)
    assert findings(run) == before


def test_a_failed_run_says_why_and_can_be_restarted(
    world, county_officer, django_capture_on_commit_callbacks, monkeypatch
):
    rule = BY_CODE["vehicles_over"]
    broken = type(rule)(
        **{**rule.__dict__, "build": lambda d, ctx: "SELECT no_such_column FROM ledgers_finding"}
    )
    monkeypatch.setitem(run_services.BY_CODE, "vehicles_over", broken)
    run = run_to_end(county_officer, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert run.error.startswith("规则“车辆超标”（vehicles_over）执行失败：") and "no_such_column" in run.error
    assert run.finished_at is not None
    assert not ReconciliationRun.objects.filter(status__in=["queued", "running"]).exists()  # blocks nobody
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        run_restart(acting_user=county_officer, run=run)  # and restarts without waiting
    run.refresh_from_db()
    assert run.status == "done" and run.error == ""
    assert ("vehicles_over",) in {(f[0],) for f in findings(run)}


def test_restart_is_refused_for_a_done_run(world, county_officer, django_capture_on_commit_callbacks):
    run = run_to_end(county_officer, django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError, match="已完成"):
        run_restart(acting_user=county_officer, run=run)
