"""Oversight report pages (六(五) 每季一调度、半年一通报、全年一考核) and their Excel workbooks.

Views translate: they read the region and the period from the query string, let `reports.figures` check the
region against the user's scope (outside it: 404) and compute, then render or export. The tables are
aggregates without personal data, so exporting them is not an access-log event.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.permissions import can_read_reports
from common.spreadsheets import Sheet, workbook_response
from config.errors import ServiceError
from reports import figures as reports
from reports.figures import KINDS

PERIOD_KIND = {"quarterly": "quarter", "half": "half", "yearly": "year"}
URL_NAMES = {
    "custom": "report",
    "quarterly": "report_quarterly",
    "half": "report_half",
    "yearly": "report_yearly",
}


def _period(request, kind: str, today) -> tuple[reports.Period, str | None]:
    get = request.GET
    try:
        if kind == "custom" and (get.get("from") or get.get("to")):
            return reports.period_from_months(get.get("from", ""), get.get("to", "")), None
        if get.get("period"):
            period = reports.period_from_key(get["period"])
            if kind != "custom" and period.kind != PERIOD_KIND[kind]:
                raise ServiceError(
                    f"{KINDS[kind]}的统计期应为{ {'quarter': '季度（如 2026Q1）', 'half': '半年（如 2026H1）', 'year': '年度（如 2025）'}[PERIOD_KIND[kind]] }",
                    field="period",
                )
            return period, None
    except ServiceError as exc:
        return reports.latest_complete(kind, today), exc.message
    return reports.latest_complete(kind, today), None


def _build(request, kind: str):
    user = request.user
    region = reports.report_region(user=user, code=request.GET.get("region"))
    today = timezone.localdate()
    period, error = _period(request, kind, today)
    return reports.report_build(region=region, period=period, kind=kind, today=today), error, today


@login_required
@require_safe
def report_view(request, kind: str = "custom"):
    if not can_read_reports(request.user):
        return HttpResponseForbidden("统计报表供县级及以上民政部门和审计/纪检查阅")
    report, error, today = _build(request, kind)
    choices = reports.period_choices(kind, today) if kind != "custom" else []
    if choices and report.period.key not in dict(choices):
        choices.insert(0, (report.period.key, report.period.label))
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "figures": reports.chart_figures(report),
            "kind": kind,
            "kinds": KINDS,
            "error": error,
            "url_name": URL_NAMES[kind],
            "export_name": f"{URL_NAMES[kind]}_export",
            "regions": reports.report_regions(user=request.user).values_list("code", "name", "level"),
            "choices": choices,
            "drill": report.region.level < 4,
        },
    )


@login_required
@require_safe
def report_export(request, kind: str = "custom"):
    if not can_read_reports(request.user):
        return HttpResponseForbidden("统计报表供县级及以上民政部门和审计/纪检查阅")
    report, _error, _today = _build(request, kind)
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    caption = [
        report.title,
        f"区划：{report.region.name}（{report.region.code}）  统计期：{report.period.label}",
        f"制表时间：{made}",
    ]
    used: set[str] = set()
    sheets = []
    # The report's tables, then each chart's numbers (a chart cannot go into the workbook; its figures can).
    chart_tables = [figure.table for figure in reports.chart_figures(report)]
    for n, table in enumerate([*report.tables, *chart_tables], start=1):
        title = (f"图表 {table.title}" if table.key.startswith("chart-") else table.title)[:28]
        if title in used:
            title = f"{n}{title}"[:31]
        used.add(title)
        sheets.append(
            Sheet(
                title=title,
                header=table.header,
                rows=table.rows,
                footer=table.footer,
                caption=[*caption, table.title] + ([table.note] if table.note else []),
                widths=[24] + [14] * (len(table.header) - 1),
            )
        )
    return workbook_response(f"{report.title}.xlsx", sheets)
