"""Excel exports of the ledger lists: a run's findings (the drill-down's filters) and the review task list —
exact rows, masking, scope, filters, the access log, a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from common.idnumber import mask
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, export_sheets, make_id, query_count
from ledgers.describe import describe
from ledgers.models import Finding, ReviewTask
from ledgers.services import run_start
from ledgers.tests.factories import PERIOD
from ledgers.tests.scenario import build_world, county

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(county_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build_world(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run.refresh_from_db()
    return run


def test_run_export_rows_follow_the_drill_down_filters(client, county_officer, done_run):
    client.force_login(county_officer)
    url = reverse("ledger_run_export", args=[done_run.pk])
    sheets = export_sheets(client.get(url, {"rule": "vehicles_over"}))
    finding = Finding.objects.get(run=done_run, rule="vehicles_over")
    assert sheets["疑点明细"] == [
        (
            "疑点编号",
            "规则",
            "政策依据",
            "区划代码",
            "区划",
            "姓名",
            "身份证号码",
            "数据来源",
            "疑点详情",
            "家庭编号",
            "核实状态",
            "核实情况",
        ),
        (
            finding.pk,
            "车辆超标",
            "赣发〔2018〕7号 四(二)",
            finding.region_id,
            finding.region.name,
            finding.name,
            mask(finding.id_number),
            finding.source,
            describe(finding.rule, finding.detail),
            finding.household_id,
            "待核实",
            None,
        ),
    ]
    log = AccessLog.objects.get()
    assert (log.count, log.purpose, log.what) == (
        1,
        "比对结果核实",
        f"比对#{done_run.pk}疑点导出（车辆超标）",
    )
    # the status filter of the page is honoured too
    task = finding.task
    task.status = ReviewTask.Status.CONFIRMED
    task.save()
    open_rows = export_sheets(client.get(url, {"status": "open"}))["疑点明细"][1:]
    assert finding.pk not in [r[0] for r in open_rows]
    assert len(open_rows) == Finding.objects.filter(run=done_run, task__status="open").count() > 0
    confirmed = export_sheets(client.get(url, {"status": "confirmed"}))["疑点明细"][1:]
    assert [r[0] for r in confirmed] == [finding.pk] and confirmed[0][10] == task.get_status_display()


def test_run_export_is_scoped(client, make_user, auditor, done_run):
    url = reverse("ledger_run_export", args=[done_run.pk])
    for outsider in (make_user("caseworker", HOME_COMMUNITY), make_user("county", "360103")):
        client.force_login(outsider)  # caseworkers read no run reports; another county does not see this run
        assert client.get(url).status_code == 404
    assert not AccessLog.objects.exists()
    client.force_login(auditor)  # auditors export what they can see
    rows = export_sheets(client.get(url))["疑点明细"][1:]
    assert (
        len(rows) == Finding.objects.filter(run=done_run).count() == AccessLog.objects.get(user=auditor).count
    )


def test_run_export_query_count_is_constant(client, county_officer, done_run):
    client.force_login(county_officer)
    url = reverse("ledger_run_export", args=[done_run.pk])
    small = query_count(client, url)
    for i in range(30):
        number = make_id()
        Finding.objects.create(
            run=done_run,
            rule="deceased_paid",
            id_number=number,
            source="gongan",
            region_id=HOME_COMMUNITY,
            name=f"加{i}",
            detail={"died_on": "2018-03-01"},
        )
    assert query_count(client, url) == small


def test_task_export_rows_scope_and_filter(client, make_user, county_officer, done_run):
    client.force_login(county_officer)
    rows = export_sheets(client.get(reverse("ledger_task_export")))["核实任务"]
    assert rows[0][0].startswith("核实任务（状态：待核实）")
    assert rows[1] == (
        "任务编号",
        "疑点编号",
        "规则",
        "区划代码",
        "社区",
        "姓名",
        "身份证号码",
        "疑点详情",
        "比对",
        "比对期间",
        "状态",
        "核实情况",
    )
    tasks = (
        ReviewTask.objects.filter(status="open")
        .select_related("finding", "region")
        .order_by("finding__rule", "-id")
    )
    t = tasks[0]
    assert rows[2][:7] == (
        t.pk,
        t.finding_id,
        rows[2][2],
        t.region_id,
        t.region.name,
        t.finding.name,
        mask(t.finding.id_number),
    )
    assert [r[0] for r in rows[2:]] == [
        t.pk for t in tasks
    ] and AccessLog.objects.get().count == tasks.count()
    assert not any(t.finding.id_number in repr(rows) for t in tasks)
    # a caseworker gets only the tasks of their community; a status filter is honoured
    client.force_login(make_user("caseworker", HOME_COMMUNITY_2))
    rows = export_sheets(client.get(reverse("ledger_task_export")))["核实任务"][2:]
    assert sorted(r[0] for r in rows) == sorted(
        tasks.filter(region_id=HOME_COMMUNITY_2).values_list("pk", flat=True)
    )
    rows = export_sheets(client.get(reverse("ledger_task_export"), {"status": "confirmed"}))["核实任务"][2:]
    assert rows == []


def test_task_export_query_count_is_constant(client, county_officer, done_run):
    client.force_login(county_officer)
    small = query_count(client, reverse("ledger_task_export"), {"status": ""})
    for i in range(20):
        f = Finding.objects.create(
            run=done_run,
            rule="deceased_paid",
            id_number=make_id(),
            source="gongan",
            region_id=HOME_COMMUNITY,
            name=f"加{i}",
            detail={"died_on": "2018-03-01"},
        )
        ReviewTask.objects.create(finding=f, region_id=HOME_COMMUNITY)
    assert query_count(client, reverse("ledger_task_export"), {"status": ""}) == small


def test_the_run_chart_has_its_numbers_beside_it_and_in_the_export(client, county_officer, done_run):
    """Issue 16 item 10: the run's bar chart shows its numbers as a table and the workbook carries them."""
    from ledgers.selectors import run_report

    client.force_login(county_officer)
    chart = run_report(user=county_officer, run=done_run)["chart"]
    html = client.get(reverse("ledger_run_detail", args=[done_run.pk])).content.decode()
    assert 'id="chart-run-table"' in html and 'class="chart-figure"' in html
    sheets = export_sheets(client.get(reverse("ledger_run_export", args=[done_run.pk])))
    rows = sheets["图表 与上次比对的疑点数对比"]
    header = next(i for i, row in enumerate(rows) if row[:1] == ("规则",))
    assert [list(r) for r in rows[header + 1 :]] == [
        [label, *(s["values"][i] for s in chart["series"])] for i, label in enumerate(chart["labels"])
    ]
