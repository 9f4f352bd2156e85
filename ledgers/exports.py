"""The run report as an Excel workbook (openpyxl write-only: rows stream to a temporary file, so memory
stays flat whatever the number of findings). ID numbers are masked, as in every list."""

from __future__ import annotations

import tempfile

from django.db.models import QuerySet

from ledgers import periods
from ledgers.describe import describe
from ledgers.models import Finding, ReconciliationRun
from ledgers.rules import BY_CODE, RULES

HEADER = ["疑点编号", "规则", "政策依据", "区划代码", "区划", "姓名", "身份证号码", "数据来源", "疑点详情", "家庭编号",
          "核实状态", "核实情况"]


def run_workbook(*, run: ReconciliationRun, report: dict, findings: QuerySet[Finding]):
    """A temporary file holding the workbook: a summary sheet and one row per finding."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet("汇总")
    summary.append([f"比对#{run.pk} {run.region.name} {periods.label(run.period)}", run.get_status_display()])
    summary.append(["规则", "政策依据", "本次疑点数", "上次疑点数", "变化"])
    for row in report["rules"]:
        summary.append([row["rule"].label, row["rule"].clause, row["count"], row["previous"], row["change"]])
    summary.append([])
    summary.append(["区划", "区划代码", *[r.label for r in RULES], "合计"])
    for area in report["areas"]:
        summary.append([area["name"], area["area"], *area["counts"], area["total"]])

    sheet = book.create_sheet("疑点明细")
    sheet.append(HEADER)
    for f in findings.iterator(chunk_size=2000):
        rule = BY_CODE.get(f.rule)
        task = getattr(f, "task", None)
        sheet.append([
            f.pk, rule.label if rule else f.rule, rule.clause if rule else "", f.region_id,
            f.region.name if f.region else "", f.name, f.id_masked, f.source, describe(f.rule, f.detail),
            f.household_id, task.get_status_display() if task else "", task.note if task else "",
        ])
    out = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(out)
    out.seek(0)
    return out
