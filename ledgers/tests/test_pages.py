"""The ledger pages: upload and decide, start and follow a run, read the report, drill down, export, resolve."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from conftest import HOME_COMMUNITY, make_id
from ledgers.models import Extract, Finding, ReconciliationRun, ReviewTask
from ledgers.services import run_start
from ledgers.tests.factories import PERIOD, csv_upload
from ledgers.tests.scenario import build_world, county

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(county_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    run.refresh_from_db()
    run.world = world
    return run


def test_upload_check_and_load_through_the_page(client, county_officer, django_capture_on_commit_callbacks):
    client.force_login(county_officer)
    page = client.get(reverse("ledger_extract_upload"))
    assert page.status_code == 200 and "户籍死亡注销" in page.content.decode()
    rows = [[make_id(), "甲", "2025-08-01"], ["360102", "乙", "2025-08-01"]]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("ledger_extract_upload"),
            {
                "kind": "death",
                "period": PERIOD,
                "region": "360102",
                "mode": "check",
                "file": csv_upload(["身份证号码", "姓名", "死亡日期"], rows),
            },
        )
    e = Extract.objects.get()
    assert r.status_code == 302 and r.url == reverse("ledger_extract_detail", args=[e.pk])
    detail = client.get(r.url).content.decode()
    assert "已校验，待确认导入" in detail and "导入 1 行正确数据（跳过 1 行错误）" in detail
    assert "身份证号码应为18位，实为6位" in detail and ">3<" in detail  # the bad row's line
    status = client.get(reverse("ledger_extract_status", args=[e.pk])).json()
    assert (status["status"], status["busy"], status["rows_bad"]) == ("checked", False, 1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledger_extract_load", args=[e.pk]))
    e.refresh_from_db()
    assert (e.status, e.rows_loaded) == ("loaded", 1)


def test_upload_form_errors(client, county_officer):
    client.force_login(county_officer)
    r = client.post(
        reverse("ledger_extract_upload"),
        {
            "kind": "benefit",
            "period": PERIOD,
            "region": "360102",
            "mode": "strict",
            "file": csv_upload(["x"], []),
        },
    )
    assert r.status_code == 200 and "部门待遇台账须选择待遇项目" in r.content.decode()
    assert not Extract.objects.exists()


def test_start_a_run_through_the_page(client, county_officer, django_capture_on_commit_callbacks):
    client.force_login(county_officer)
    assert "开始比对" in client.get(reverse("ledger_home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("ledger_run_start"), {"region": "360102", "period": PERIOD})
    run = ReconciliationRun.objects.get()
    assert r.url == reverse("ledger_run_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == "done"
    with django_capture_on_commit_callbacks(execute=True):  # runs one after another are fine
        client.post(reverse("ledger_run_start"), {"region": "360102", "period": PERIOD})
    assert ReconciliationRun.objects.count() == 2


def test_overlap_is_explained_on_the_page(client, county_officer):
    client.force_login(county_officer)
    client.post(reverse("ledger_run_start"), {"region": "360102", "period": PERIOD})  # stays queued
    r = client.post(reverse("ledger_run_start"), {"region": "360102", "period": PERIOD}, follow=True)
    assert "重叠" in r.content.decode() and ReconciliationRun.objects.count() == 1


def test_report_counts_trend_and_chart(client, county_officer, done_run, django_assert_max_num_queries):
    client.force_login(county_officer)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("ledger_run_detail", args=[done_run.pk]))
    body = page.content.decode()
    assert "疑点汇总（360102 范围内共 12 条" in body
    assert 'id="by-rule"' in body and 'id="by-region"' in body and "导出 Excel" in body
    chart = json.loads(body.split('<script id="run-chart" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"][0] == "重复享受" and len(chart["series"]) == 1
    progress = client.get(reverse("ledger_run_progress", args=[done_run.pk])).json()
    assert progress | {"steps_total": 0} == progress | {
        "status": "done",
        "progress": 100,
        "active": False,
        "stalled": False,
        "steps_total": 0,
    }


def test_trend_against_the_previous_run(client, county_officer, done_run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        second = run_start(acting_user=county_officer, region=county(), period=PERIOD)
    client.force_login(county_officer)
    body = client.get(reverse("ledger_run_detail", args=[second.pk])).content.decode()
    assert f"上次比对#{done_run.pk}" in body
    chart = json.loads(body.split('<script id="run-chart" type="application/json">')[1].split("</script>")[0])
    assert [s["cls"] for s in chart["series"]] == ["old", "new"]
    assert chart["series"][0]["values"] == chart["series"][1]["values"]


def test_street_officer_sees_only_their_street(client, make_user, done_run):
    client.force_login(make_user("street", "360102002000"))
    body = client.get(reverse("ledger_run_detail", args=[done_run.pk])).content.decode()
    assert "360102002 范围内共 11 条" in body  # the union_hardship finding sits at county level: not theirs
    assert "开始比对" not in client.get(reverse("ledger_home")).content.decode()


def test_drill_down_detail_and_export(client, county_officer, done_run, django_assert_max_num_queries):
    client.force_login(county_officer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("ledger_run_findings", args=[done_run.pk]), {"rule": "vehicles_over"})
    body = page.content.decode()
    finding = Finding.objects.get(run=done_run, rule="vehicles_over")
    assert "共 1 条" in body and finding.id_masked in body and finding.id_number not in body
    assert "家庭成员名下机动车 1 辆（赣A12345），当地允许 0 辆" in body
    detail = client.get(reverse("ledger_finding_detail", args=[finding.pk])).content.decode()
    assert finding.id_number in detail and "四(二)" in detail
    export = client.get(reverse("ledger_run_export", args=[done_run.pk]))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    rows = list(book["疑点明细"].iter_rows(values_only=True))
    assert rows[0][:3] == ("疑点编号", "规则", "政策依据") and len(rows) == 13
    assert all(r[6].count("*") == 10 for r in rows[1:])  # masked ID numbers
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[2][:3] == ("重复享受", "四(一)–(三)", 1)


def test_caseworker_resolves_from_the_task_list(client, make_user, done_run):
    user = make_user("caseworker", HOME_COMMUNITY)
    client.force_login(user)
    assert client.get(reverse("ledger_home")).url == reverse("ledger_tasks")
    body = client.get(reverse("ledger_tasks")).content.decode()
    mine = ReviewTask.objects.filter(region_id=HOME_COMMUNITY, status="open")
    assert f"共 {mine.count()} 条" in body
    task = mine.first()
    url = reverse("ledger_finding_detail", args=[task.finding_id])
    assert "提交核实结论" in client.get(url).content.decode()
    r = client.post(url, {"decision": "false_alarm", "note": ""})
    assert "须写明理由" in r.content.decode()
    r = client.post(url, {"decision": "false_alarm", "note": "已入户核实，信息有误"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "false_alarm"
    other = ReviewTask.objects.exclude(region_id=HOME_COMMUNITY).first()
    assert client.get(reverse("ledger_finding_detail", args=[other.finding_id])).status_code == 404
    assert (
        client.get(reverse("ledger_run_detail", args=[done_run.pk])).status_code == 404
    )  # reports: county staff


def test_failed_run_shows_why_and_offers_restart(client, county_officer):
    run = ReconciliationRun.objects.create(
        region=county(), period=PERIOD, status="failed", error="规则“车辆超标”执行失败：磁盘已满"
    )
    client.force_login(county_officer)
    body = client.get(reverse("ledger_run_detail", args=[run.pk])).content.decode()
    assert "失败原因：规则“车辆超标”执行失败：磁盘已满" in body and "重新开始" in body
