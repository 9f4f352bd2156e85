"""Excel exports of the ledger lists through common/spreadsheets.py (openpyxl write-only: rows stream to a temporary file,
so memory stays flat whatever the number of findings): a run's report with its findings (the same filters as the
drill-down page) and the review task list. ID numbers are masked, as in every list."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from common.idnumber import mask
from common.spreadsheets import Sheet
from households.exports import CHUNK
from ledgers import periods
from ledgers.describe import describe
from ledgers.models import Finding, ReconciliationRun, ReviewTask
from ledgers.rules import BY_CODE, RULES

HEADER = [
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
]
FINDINGS_SHEET = "疑点明细"


def _summary_rows(report: dict) -> Iterator[list]:
    for row in report["rules"]:
        yield [row["rule"].label, row["rule"].clause, row["count"], row["previous"], row["change"]]
    yield []
    yield ["区划", "区划代码", *[r.label for r in RULES], "合计"]
    for area in report["areas"]:
        yield [area["name"], area["area"], *area["counts"], area["total"]]


def finding_rows(findings: QuerySet[Finding]) -> Iterator[list]:
    statuses = dict(ReviewTask.Status.choices)
    rows = findings.values_list(
        "pk",
        "rule",
        "region_id",
        "region__name",
        "name",
        "id_number",
        "source",
        "detail",
        "household_id",
        "task__status",
        "task__note",
    )
    for pk, code, region, region_name, name, number, source, detail, household, status, note in rows.iterator(
        chunk_size=CHUNK
    ):
        rule = BY_CODE.get(code)
        yield [
            pk,
            rule.label if rule else code,
            rule.clause if rule else "",
            region,
            region_name or "",
            name,
            mask(number),
            source,
            describe(code, detail),
            household,
            statuses.get(status, "") if status else "",
            note or "",
        ]


def run_sheets(*, run: ReconciliationRun, report: dict, findings: QuerySet[Finding]) -> list[Sheet]:
    """A summary sheet and one row per finding."""
    return [
        Sheet(
            "汇总",
            ["规则", "政策依据", "本次疑点数", "上次疑点数", "变化"],
            _summary_rows(report),
            caption=[
                f"比对#{run.pk} {run.region.name} {periods.label(run.period)} {run.get_status_display()}"
            ],
        ),
        Sheet(FINDINGS_SHEET, HEADER, finding_rows(findings)),
    ]


TASK_HEADER = [
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
]


def task_rows(tasks: QuerySet[ReviewTask]) -> Iterator[list]:
    statuses = dict(ReviewTask.Status.choices)
    rows = tasks.values_list(
        "pk",
        "finding_id",
        "finding__rule",
        "region_id",
        "region__name",
        "finding__name",
        "finding__id_number",
        "finding__detail",
        "finding__run_id",
        "finding__run__period",
        "status",
        "note",
    )
    for (
        pk,
        finding,
        code,
        region,
        region_name,
        name,
        number,
        detail,
        run,
        period,
        status,
        note,
    ) in rows.iterator(chunk_size=CHUNK):
        rule = BY_CODE.get(code)
        yield [
            pk,
            finding,
            rule.label if rule else code,
            region,
            region_name or "",
            name,
            mask(number),
            describe(code, detail),
            run,
            periods.label(period),
            statuses.get(status, status),
            note or "",
        ]
