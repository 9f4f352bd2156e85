"""Review tasks: the caseworker of the household's community resolves them; confirmed records the follow-up,
a false alarm needs a reason; a new run supersedes the open tasks of the last one for the same finding."""

from __future__ import annotations

import pytest

from accounts.models import Event
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from ledgers.models import ReviewTask
from ledgers.services import review_resolve, run_start
from ledgers.tests.factories import PERIOD
from ledgers.tests.scenario import build_world, county

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(county_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build_world(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run.refresh_from_db()
    assert run.status == "done"
    return run


def task(rule: str) -> ReviewTask:
    return ReviewTask.objects.select_related("finding", "region").get(finding__rule=rule, status="open")


def caseworker_for(t: ReviewTask, make_user):
    return make_user("caseworker", t.region_id)


def test_confirmed_records_decision_and_follow_up(run, make_user):
    t = task("deceased_paid")
    user = caseworker_for(t, make_user)
    review_resolve(task=t, acting_user=user, decision="confirmed", note="已核实死亡证明")
    t.refresh_from_db()
    assert (t.status, t.note, t.resolved_by) == ("confirmed", "已核实死亡证明", user)
    assert t.follow_up == "待办：停发并办理退出（死亡）"
    todo = Event.objects.get(
        target_type="households.household", target_id=str(t.finding.household_id), verb__startswith="待办"
    )
    # policy.md §8.3: the death is a confirmed fact about the person, recorded in the same transaction
    assert Event.objects.filter(
        target_type="households.household", target_id=str(t.finding.household_id), verb__startswith="核实"
    ).exists()
    assert todo.verb == "待办：停发并办理退出（死亡）——比对核实：死亡仍在保" and todo.actor == user
    assert todo.data["finding"] == t.finding_id
    assert Event.objects.filter(
        target_type="ledgers.reviewtask", verb="比对疑点核实属实：死亡仍在保"
    ).exists()
    assert t.history.count() == 1  # the resolution is in the task's history (creation is a bulk insert)
    with pytest.raises(ServiceError, match="已办结"):
        review_resolve(task=t, acting_user=user, decision="false_alarm", note="再改一次试试")


def test_false_alarm_needs_a_reason(run, make_user):
    t = task("vehicles_over")
    user = caseworker_for(t, make_user)
    with pytest.raises(ServiceError) as exc:
        review_resolve(task=t, acting_user=user, decision="false_alarm", note=" ")
    assert exc.value.errors[0]["field"] == "note"
    t.refresh_from_db()
    assert t.status == "open"
    review_resolve(task=t, acting_user=user, decision="false_alarm", note="车辆已于2024年过户，车管所未更新")
    t.refresh_from_db()
    assert (t.status, t.follow_up) == ("false_alarm", "")
    assert not Event.objects.filter(target_type="households.household").exists()


def test_only_the_community_caseworker_resolves(run, make_user, county_officer, auditor):
    t = task("assets_over")
    other = HOME_COMMUNITY_2 if t.region_id == HOME_COMMUNITY else HOME_COMMUNITY
    for user in (
        make_user("caseworker", other),
        county_officer,
        auditor,
        make_user("street", "360102002000"),
    ):
        with pytest.raises(PermissionDenied):
            review_resolve(task=t, acting_user=user, decision="confirmed")
    t.refresh_from_db()
    assert t.status == "open"


def test_a_person_we_do_not_know_is_for_the_county(run, county_officer, make_user):
    t = ReviewTask.objects.get(finding__source="union_hardship")
    assert t.region_id == "360102"
    with pytest.raises(PermissionDenied):
        review_resolve(task=t, acting_user=make_user("caseworker", HOME_COMMUNITY), decision="confirmed")
    review_resolve(task=t, acting_user=county_officer, decision="confirmed", note="已转街道主动发现")
    t.refresh_from_db()
    assert t.status == "confirmed" and t.follow_up.startswith("待办：通知部门核实")


def test_a_new_run_supersedes_open_tasks_of_the_last(
    run, county_officer, make_user, django_capture_on_commit_callbacks
):
    resolved = task("moved_away")
    review_resolve(
        task=resolved,
        acting_user=caseworker_for(resolved, make_user),
        decision="false_alarm",
        note="迁出后又迁回，户籍信息滞后",
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    old = ReviewTask.objects.filter(finding__run=run)
    assert set(old.values_list("status", flat=True)) == {"superseded", "false_alarm"}
    assert old.get(pk=resolved.pk).status == "false_alarm"  # decisions already taken stay
    assert ReviewTask.objects.filter(finding__run=second, status="open").count() == old.count()
