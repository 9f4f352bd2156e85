"""Ledger pages: extracts (upload, check, load or discard), runs (start, progress, report, drill-down, Excel,
restart) and review tasks. Views translate: they parse input, call one service or selector, render.
Anything outside the user's scope is a 404, as everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.kinds import KINDS, PROGRAMS
from accounts.permissions import (
    can_act_for_region,
    can_decide_extract,
    can_read_ledgers,
    can_retry_or_abandon_extract,
    can_retry_or_abandon_run,
    can_review,
    is_caseworker,
    is_officer,
)
from accounts.personal_exports import list_export_response, personal_export_response
from accounts.scope import filter_communities, narrow_to_region
from benefits.services.followups import FACT_CLAUSE
from common.background import sweep_when_embedded
from common.errors import apply_to_form, flash
from config.errors import PermissionDenied, ServiceError
from config.listing import ListQuery, list_page, sort_order
from config.middleware import request_max_bytes
from ledgers import periods, selectors
from ledgers.describe import describe
from ledgers.exports import FINDINGS_SHEET, TASK_HEADER, run_sheets, task_rows
from ledgers.forms import ExtractUploadForm, ResolveForm, RunStartForm
from ledgers.models import Extract, ReconciliationRun, ReviewTask
from ledgers.rules import BY_CODE, RULES, rule_choices
from ledgers.services import (
    extract_abandon,
    extract_discard,
    extract_is_stuck,
    extract_request_load,
    extract_retry,
    extract_upload,
    review_resolve,
    run_abandon,
    run_is_stalled,
    run_restart,
    run_start,
)
from ledgers.services.reviews import FACTS, fraud_possible
from ledgers.services.runs import steps_total
from reports.figures import chart_sheet, chart_table

PAGE = 50


def _page(request, qs, size: int = PAGE):
    return list_page(request, qs, size)


@login_required
def home(request):
    user = request.user
    if is_caseworker(user):
        return redirect("ledger_tasks")
    if not can_read_ledgers(user):
        return HttpResponseForbidden("无权查看比对台账")
    return render(
        request,
        "ledgers/home.html",
        {
            "runs": selectors.run_list(user=user)[:10],
            "extracts": selectors.extract_list(user=user)[:10],
            "form": RunStartForm(user=user) if is_officer(user) else None,
            "tasks": selectors.task_counts(user=user),
            "rules": RULES,
            "kinds": KINDS.values(),
            "programs": PROGRAMS.values(),
        },
    )


# --- extracts ------------------------------------------------------------------------------------


@login_required
def extract_list(request):
    if not can_read_ledgers(request.user):
        return HttpResponseForbidden("无权查看比对数据")
    filters, notes = _extract_filters(request)
    qs = narrow_to_region(selectors.extract_list(user=request.user), filters["community"], "region__code")
    for key in ("status", "kind", "period"):
        if filters[key]:
            qs = qs.filter(**{key: filters[key]})
    qs = qs.order_by(*sort_order(filters["sort"], EXTRACT_SORTS, "-id"))
    return render(
        request,
        "ledgers/extract_list.html",
        {
            "page": _page(request, qs),
            "can_upload": is_officer(request.user),
            "filters": filters,
            "filter_notes": notes,
            "statuses": Extract.Status.choices,
            "kinds": [(code, kind.label) for code, kind in KINDS.items()],
            "communities": filter_communities(request.user),
        },
    )


EXTRACT_SORTS = {"id": "id", "period": "period", "status": "status", "rows_total": "rows_total"}
EXTRACT_SORTS |= {"created_at": "created_at"}
RUN_SORTS = {"id": "id", "period": "period", "status": "status", "started_at": "started_at"}


def _period(q: ListQuery) -> str:
    """A 比对期 like 2025H2, else "" with a note."""
    value = q.text("period")
    if not value:
        return ""
    try:
        return periods.normalise(value)
    except periods.InvalidPeriod:
        q.notes.append(f"比对期“{value}”不是有效的比对期（应为 2025H2 这样的年份+半年），已忽略该筛选条件")
        return ""


def _extract_filters(request) -> tuple[dict, list[str]]:
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", Extract.Status.choices, "状态"),
        "kind": q.choice("kind", list(KINDS), "数据类型"),
        "period": _period(q),
        "community": q.region(),
        "sort": q.sort(EXTRACT_SORTS),
    }
    return filters, q.notes


@request_max_bytes("EXTRACT_UPLOAD_MAX_BYTES")
@login_required
def extract_upload_view(request):
    user = request.user
    if not is_officer(user):
        return HttpResponseForbidden("只有县级及以上民政可以上传比对数据")
    form = ExtractUploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            extract = extract_upload(
                principal=user,
                file=data["file"],
                original_name=data["file"].name,
                kind=data["kind"],
                program=data["program"],
                period=data["period"],
                mode=data["mode"],
                region=data["region"],
            )
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            apply_to_form(exc, form)
        else:
            messages.success(request, f"已上传“{extract.original_name}”，正在逐行校验")
            return redirect("ledger_extract_detail", pk=extract.pk)
    return render(request, "ledgers/extract_upload.html", {"form": form, "kinds": KINDS.values()})


@login_required
def extract_detail(request, pk: int):
    if not can_read_ledgers(request.user):
        return HttpResponseForbidden("无权查看比对数据")
    sweep_when_embedded("extract")
    extract = selectors.extract_get(user=request.user, pk=pk)
    return render(
        request,
        "ledgers/extract_detail.html",
        {
            "extract": extract,
            "errors": _page(request, selectors.extract_errors(extract=extract)),
            "can_decide": can_decide_extract(request.user, extract)
            and extract.status == Extract.Status.CHECKED
            and extract.load_requested_at is None,
            "can_unstick": can_retry_or_abandon_extract(request.user, extract) and extract_is_stuck(extract),
            "kind": KINDS.get(extract.kind),
            "runs": extract.runs.select_related("region").order_by("-id")[:10],
        },
    )


@login_required
def extract_status(request, pk: int):
    if not can_read_ledgers(request.user):
        return HttpResponseForbidden("无权查看比对数据")
    e = selectors.extract_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "id": e.pk,
            "status": e.status,
            "status_label": e.get_status_display(),
            "rows_checked": e.rows_checked,
            "rows_good": e.rows_good,
            "rows_bad": e.rows_bad,
            "rows_loaded": e.rows_loaded,
            "busy": e.status in (Extract.Status.UPLOADED, Extract.Status.VALIDATING)
            or (e.status == Extract.Status.CHECKED and e.load_requested_at is not None),
        }
    )


@login_required
@require_POST
def extract_decide(request, pk: int, action: str):
    if action == "load":
        return _extract_action(request, pk, extract_request_load, "已确认导入正确行，正在导入")
    return _extract_action(request, pk, extract_discard, "已放弃，本文件不导入")


@login_required
@require_POST
def extract_unstick(request, pk: int, action: str):
    """重试 / 放弃 of an extract whose background work stopped."""
    if action == "retry":
        return _extract_action(request, pk, extract_retry, "已重新排队处理")
    return _extract_action(request, pk, extract_abandon, "已放弃，本文件不导入")


def _extract_action(request, pk: int, service, done: str):
    """Call a service on an extract in the user's scope: a refusal is a 403, a wrong state a message, success
    `done`; back to the extract's page."""
    extract = selectors.extract_get(user=request.user, pk=pk)
    try:
        service(principal=request.user, extract=extract)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    else:
        messages.success(request, done)
    return redirect("ledger_extract_detail", pk=extract.pk)


# --- runs ----------------------------------------------------------------------------------------


@login_required
def run_list(request):
    if not can_read_ledgers(request.user):
        return HttpResponseForbidden("无权查看比对结果")
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", ReconciliationRun.Status.choices, "状态"),
        "trigger": q.choice("trigger", ReconciliationRun.Trigger.choices, "发起方式"),
        "period": _period(q),
        "sort": q.sort(RUN_SORTS),
    }
    qs = selectors.run_list(user=request.user)
    for key in ("status", "trigger", "period"):
        if filters[key]:
            qs = qs.filter(**{key: filters[key]})
    qs = qs.order_by(*sort_order(filters["sort"], RUN_SORTS, "-id"))
    return render(
        request,
        "ledgers/run_list.html",
        {
            "page": _page(request, qs),
            "form": RunStartForm(user=request.user) if is_officer(request.user) else None,
            "filters": filters,
            "filter_notes": q.notes,
            "statuses": ReconciliationRun.Status.choices,
            "triggers": ReconciliationRun.Trigger.choices,
        },
    )


@login_required
@require_POST
def run_start_view(request):
    user = request.user
    if not is_officer(user):
        return HttpResponseForbidden("只有县级及以上民政可以发起比对")
    form = RunStartForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("ledger_runs")
    try:
        run = run_start(
            acting_user=user, region=form.cleaned_data["region"], period=form.cleaned_data["period"]
        )
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
        return redirect("ledger_runs")
    messages.success(request, f"已发起比对#{run.pk}（{run.region.name}，{periods.label(run.period)}）")
    return redirect("ledger_run_detail", pk=run.pk)


def _progress(run: ReconciliationRun) -> dict:
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "progress": run.progress,
        "steps_done": run.steps.count(),
        "steps_total": steps_total(),
        "error": run.error,
        "active": run.is_active,
        "stalled": run_is_stalled(run),
    }


@login_required
def run_detail(request, pk: int):
    user = request.user
    sweep_when_embedded("reconciliation")
    run = selectors.run_get(user=user, pk=pk)
    report = selectors.run_report(user=user, run=run) if run.status == ReconciliationRun.Status.DONE else None
    return render(
        request,
        "ledgers/run_detail.html",
        {
            "run": run,
            "report": report,
            "chart_table": _run_chart_table(report) if report else None,
            "progress": _progress(run),
            "can_restart": can_act_for_region(user, run.region)
            and (run.status == ReconciliationRun.Status.FAILED or run_is_stalled(run)),
            "can_abandon": can_retry_or_abandon_run(user, run) and run_is_stalled(run),
            "extracts": run.extracts.select_related("region").order_by("kind", "id"),
            "rules": RULES,
            "step_rows": _step_rows(run),
        },
    )


def _run_chart_table(report: dict):
    return chart_table("run", "与上次比对的疑点数对比", "规则", report["chart"])


def _step_rows(run: ReconciliationRun) -> list[tuple[str, object]]:
    steps = {s.step: s for s in run.steps.all()}
    return (
        [("台账快照", steps.get("snapshot"))]
        + [(r.label, steps.get(r.code)) for r in RULES]
        + [("生成核实任务、收尾", steps.get("finish"))]
    )


@login_required
def run_progress(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    return JsonResponse(_progress(run))


@login_required
@require_POST
def run_restart_view(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        run_restart(acting_user=request.user, run=run)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    else:
        messages.success(request, "已重新开始，从中断处继续")
    return redirect("ledger_run_detail", pk=run.pk)


@login_required
@require_POST
def run_abandon_view(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        run_abandon(acting_user=request.user, run=run)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    else:
        messages.success(request, "已放弃本次比对")
    return redirect("ledger_run_detail", pk=run.pk)


@login_required
def run_findings(request, pk: int):
    user = request.user
    run = selectors.run_get(user=user, pk=pk)
    rule, area, status = (
        request.GET.get("rule", ""),
        request.GET.get("area", ""),
        request.GET.get("status", ""),
    )
    page = _page(
        request, selectors.run_findings(user=user, run=run, rule=rule, area=area.strip(), status=status)
    )
    rows = [{"f": f, "text": describe(f.rule, f.detail), "task": getattr(f, "task", None)} for f in page]
    return render(
        request,
        "ledgers/run_findings.html",
        {
            "run": run,
            "page": page,
            "rows": rows,
            "rule": rule,
            "area": area,
            "status": status,
            "rule_choices": rule_choices(),
            "status_choices": ReviewTask.Status.choices,
            "rule_obj": BY_CODE.get(rule),
        },
    )


@require_GET
@login_required
def run_export(request, pk: int):
    user = request.user
    run = selectors.run_get(user=user, pk=pk)
    if run.status != ReconciliationRun.Status.DONE:
        messages.error(request, "比对完成后才能导出")
        return redirect("ledger_run_detail", pk=run.pk)
    report = selectors.run_report(user=user, run=run)
    rule, area, status = (
        request.GET.get("rule", ""),
        request.GET.get("area", "").strip(),
        request.GET.get("status", ""),
    )
    findings = selectors.run_findings(user=user, run=run, rule=rule, area=area, status=status)
    shown = "，".join(
        x
        for x in (
            BY_CODE[rule].label if rule in BY_CODE else "",
            area,
            dict(ReviewTask.Status.choices).get(status, ""),
        )
        if x
    )
    return personal_export_response(
        request,
        filename=f"比对{run.pk}_{run.period}_{report['shown']}.xlsx",
        purpose="比对结果核实",
        what=f"比对#{run.pk}疑点导出{'（' + shown + '）' if shown else ''}",
        sheets=[
            *run_sheets(run=run, report=report, findings=findings),
            chart_sheet(_run_chart_table(report)),
        ],
        counted_titles=[FINDINGS_SHEET],
    )


# --- findings and review tasks -------------------------------------------------------------------


@login_required
def finding_detail(request, pk: int):
    user = request.user
    finding = selectors.finding_get(user=user, pk=pk)
    task = getattr(finding, "task", None)
    fraud_ok = fraud_possible(finding)
    form = ResolveForm(request.POST or None, fraud_possible=fraud_ok)
    if request.method == "POST":
        if task is None or not can_review(user, task):
            return HttpResponseForbidden("无权核实此疑点")
        if form.is_valid():
            try:
                review_resolve(
                    task=task,
                    acting_user=user,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                    fraud=bool(form.cleaned_data.get("fraud")),
                    fraud_on=form.cleaned_data.get("fraud_on"),
                )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(request, "已记录核实结论")
                return redirect("ledger_tasks")
    household = None
    if finding.household_id:
        from households.selectors import household_scope

        household = household_scope(user=user).filter(pk=finding.household_id).first()
    rule = BY_CODE.get(finding.rule)
    return render(
        request,
        "ledgers/finding_detail.html",
        {
            "finding": finding,
            "task": task,
            "rule": rule,
            "text": describe(finding.rule, finding.detail),
            "form": form,
            "can_resolve": task is not None and task.is_open and can_review(user, task),
            "household": household,
            "program": PROGRAMS.get(finding.source),
            "fact_clause": FACT_CLAUSE if finding.rule in FACTS else "",
            "fraud_possible": fraud_ok,
        },
    )


@login_required
def task_list(request):
    user = request.user
    filters, notes = _task_filters(request)
    status = filters["status"]
    page = _page(request, selectors.task_list(user=user, **filters))
    rows = [
        {
            "t": t,
            "text": describe(t.finding.rule, t.finding.detail),
            "rule": BY_CODE.get(t.finding.rule),
            "can_resolve": can_review(user, t),
        }
        for t in page
    ]
    return render(
        request,
        "ledgers/task_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "status_choices": ReviewTask.Status.choices,
            "counts": selectors.task_counts(user=user),
            "filters": filters,
            "filter_notes": notes,
            "rule_choices": rule_choices(),
            "communities": filter_communities(user),
        },
    )


def _task_filters(request) -> tuple[dict, list[str]]:
    """The task list's filters and sort (the page and its Excel export read the same)."""
    q = ListQuery(request.GET)
    status = request.GET.get("status", ReviewTask.Status.OPEN)
    filters = {
        "status": status if status in ReviewTask.Status.values or status == "" else ReviewTask.Status.OPEN,
        "rule": q.choice("rule", rule_choices(), "比对规则"),
        "community": q.region(),
        "month": q.month("month", "发现月份"),
        "sort": q.sort(selectors.TASK_SORTS),
    }
    if status and filters["status"] != status:
        q.notes.append(f"没有“{status[:20]}”这种状态，已忽略该筛选条件")
    return filters, q.notes


@require_GET
@login_required
def task_export(request):
    """The review task list as Excel: the same scope and status filter as the page."""
    filters, _ = _task_filters(request)
    status = filters["status"]
    label = dict(ReviewTask.Status.choices).get(status, "全部")
    tasks = selectors.task_list(user=request.user, **filters)
    return list_export_response(
        request,
        title="核实任务",
        header=TASK_HEADER,
        count=tasks.count,
        rows=task_rows(tasks),
        filters=[("状态", label)],
        purpose="比对结果核实",
    )
