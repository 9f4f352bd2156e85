"""Payment roll pages: list and generate (county), detail with progress while generating, lock, hold/release a
line, and the bank exports (CSV streamed, XLSX from a write-only workbook)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.services import access_log_record
from applications.models import Category
from benefits import exports, selectors
from benefits.compute import COMPONENT_LABELS
from benefits.forms import HoldForm, RollRequestForm
from benefits.models import PaymentLine, PaymentRoll
from benefits.services import rolls as services
from benefits.views.common import PAGE_SIZE, roll_filters
from benefits.views.corrections import may_request as may_request_correction
from common import idnumber
from common.background import sweep_when_embedded
from common.errors import apply_to_form, flash
from common.spreadsheets import csv_stream_response
from config.errors import PermissionDenied, ServiceError
from config.listing import list_page


@login_required
def roll_list(request):
    user = request.user
    county = services.county_of(user) if permissions.manages_rolls(user) else None
    form = RollRequestForm(request.POST or None)
    if request.method == "POST":
        if county is None or not permissions.can_manage_roll(user, county.code):
            return HttpResponseForbidden("只有县级民政部门可以生成发放花名册")
        if form.is_valid():
            try:
                roll, created = services.roll_request(
                    acting_user=user,
                    county=county.code,
                    month=form.cleaned_data["month"],
                    program=form.cleaned_data["program"],
                )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(
                    request, "已开始生成花名册" if created else "该月该项目的花名册已存在，以下即是"
                )
                return redirect("roll_detail", pk=roll.pk)
    filters, notes = roll_filters(request)
    page = list_page(request, selectors.roll_list(user=user, **filters), PAGE_SIZE)
    return render(
        request,
        "benefits/roll_list.html",
        {
            "page": page,
            "form": form,
            "county": county,
            "filters": filters,
            "filter_notes": notes,
            "statuses": PaymentRoll.Status.choices,
            "programs": Category.choices,
            "counties": selectors.counties_for(user=user).order_by("code"),
        },
    )


def _progress(roll: PaymentRoll) -> dict | None:
    """The Celery task's reported stage while a roll is generating (None in embedded mode)."""
    if roll.status != PaymentRoll.Status.GENERATING or not roll.task_id:
        return None
    try:
        from celery.result import AsyncResult

        result = AsyncResult(roll.task_id)
        return result.info if isinstance(result.info, dict) else {"stage": result.state}
    except Exception:  # noqa: BLE001 — no result backend: the page just says it is generating
        return None


@login_required
def roll_detail(request, pk: int):
    user = request.user
    sweep_when_embedded("roll")
    roll = selectors.roll_get(user=user, pk=pk)
    full = permissions.sees_full_ids(user, roll.county_id)
    held_only = request.GET.get("held") == "1"
    query = request.GET.get("q", "")
    page = Paginator(
        selectors.roll_lines(roll=roll, held=True if held_only else None, query=query), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [
        {
            "line": line,
            "id": line.id_number if full else idnumber.mask(line.id_number),
            "components": [
                (COMPONENT_LABELS.get(k, k), v) for k, v in line.components.items() if v not in ("0.00", "0")
            ],
            # a wrong line of a locked roll is corrected by a 冲正 on the next roll, never edited
            "can_correct": roll.is_locked
            and line.kind in (PaymentLine.Kind.REGULAR, PaymentLine.Kind.ARREARS)
            and may_request_correction(user, line),
        }
        for line in page.object_list
    ]
    return render(
        request,
        "benefits/roll_detail.html",
        {
            "roll": roll,
            "page": page,
            "rows": rows,
            "held_only": held_only,
            "query": query,
            "can_manage": permissions.can_manage_roll(user, roll.county_id)
            and roll.status == PaymentRoll.Status.READY,
            "progress": _progress(roll),
            "can_unstick": permissions.can_retry_or_abandon_roll(user, roll) and services.roll_is_stuck(roll),
            "hold_form": HoldForm(),
        },
    )


@require_POST
@login_required
def roll_unstick(request, pk: int, action: str):
    """重试 / 放弃 of a roll whose generation stopped (生成失败, or 生成中 past ROLL_STALE_MINUTES)."""
    roll = selectors.roll_get(user=request.user, pk=pk)
    try:
        if action == "retry":
            services.roll_retry(acting_user=request.user, roll=roll)
        else:
            services.roll_abandon(acting_user=request.user, roll=roll)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
        return redirect("roll_detail", pk=pk)
    if action == "retry":
        messages.success(request, "已重新排队生成")
        return redirect("roll_detail", pk=pk)
    messages.success(request, "已放弃，可重新申请生成该月花名册")
    return redirect("roll_list")


@require_POST
@login_required
def roll_lock(request, pk: int):
    roll = selectors.roll_get(user=request.user, pk=pk)
    try:
        services.roll_lock(roll=roll, acting_user=request.user)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    else:
        messages.success(request, "花名册已确认锁定，可以导出报送银行")
    return redirect("roll_detail", pk=roll.pk)


@require_POST
@login_required
def roll_line_hold(request, pk: int, line_id: int):
    roll = selectors.roll_get(user=request.user, pk=pk)
    line = get_object_or_404(roll.lines.all(), pk=line_id)
    form = HoldForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("release"):
            services.roll_line_release(line=line, acting_user=request.user)
            messages.success(request, f"已恢复发放：{line.name}")
        else:
            services.roll_line_hold(
                line=line, acting_user=request.user, reason=form.cleaned_data.get("reason", "")
            )
            messages.success(request, f"已暂缓发放：{line.name}")
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    return redirect("roll_detail", pk=roll.pk)


def _export_allowed(request, roll: PaymentRoll):
    if not roll.is_locked:
        messages.error(request, "花名册确认锁定后才能导出报送银行")
        return redirect("roll_detail", pk=roll.pk)
    return None


@require_GET
@login_required
def roll_export_csv(request, pk: int):
    roll = selectors.roll_get(user=request.user, pk=pk)
    refused = _export_allowed(request, roll)
    if refused:
        return refused
    full = permissions.sees_full_ids(request.user, roll.county_id)
    access_log_record(
        request=request,
        what=f"导出发放花名册#{roll.pk}（CSV{'，完整身份证号' if full else ''}）",
        purpose="报送银行发放" if full else "监督查看",
        count=roll.line_count,
    )
    response = csv_stream_response(exports.filename(roll, "csv"), exports.csv_chunks(roll, full_ids=full))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def roll_export_xlsx(request, pk: int):
    roll = selectors.roll_get(user=request.user, pk=pk)
    refused = _export_allowed(request, roll)
    if refused:
        return refused
    full = permissions.sees_full_ids(request.user, roll.county_id)
    access_log_record(
        request=request,
        what=f"导出发放花名册#{roll.pk}（XLSX{'，完整身份证号' if full else ''}）",
        purpose="报送银行发放" if full else "监督查看",
        count=roll.line_count,
    )
    response = exports.xlsx_response(roll, full_ids=full)
    response["Cache-Control"] = "private, no-store"
    return response
