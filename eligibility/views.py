"""Standards pages: the list with the guide figures, entry and edit, and the what-if (调标测算).

Views translate: they parse the form, call one service (`standard_save`, `whatif_run`) and render. Scope
comes from `accounts.scope`; an id outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Region
from accounts.permissions import can_enter_standard, entry_regions
from accounts.scope import ALL, narrow_to_region, region_prefix, scope_filter
from common.errors import apply_to_form, flash
from common.spreadsheets import Sheet, workbook_response
from config.errors import PermissionDenied, ServiceError
from config.listing import ListQuery, list_page, sort_order
from eligibility.forms import StandardForm, WhatIfForm
from eligibility.models import Standard
from eligibility.standard_entry import (
    gap_percent,
    guidance,
    label,
    standard_check,
    standard_save,
)
from eligibility.standards import find_standards
from eligibility.whatif import CHANGEABLE, whatif_as_of, whatif_run
from reports.figures import chart_sheet, chart_table

GUIDANCE_YEARS = range(2018, 2041)


def standard_scope(*, user) -> QuerySet[Standard]:
    """The standards in the user's scope chain: those of their region and every region under it (via
    `scope_filter`), and those of the regions above it (the standards that apply to them)."""
    qs = Standard.objects.all()
    prefix = region_prefix(user)
    below = scope_filter(qs, user, "region_id")
    if prefix in (None, ALL):
        return below
    above = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
    return below | qs.filter(region__prefix__in=above)


def _row(standard: Standard, user) -> dict:
    """A list row: the standard, the guide figures for its year and the gaps (actual − guide, %)."""
    guide = guidance(standard.year, dibao=standard.dibao)
    return {
        "s": standard,
        "can_edit": can_enter_standard(user, standard.region),
        "guide": guide,
        "dibao_gap": gap_percent(standard.dibao, guide["dibao"]),
        "subsidy_gap": gap_percent(standard.subsidy_target, guide["subsidy_target"]),
        "tekun_short": standard.tekun is not None and standard.tekun < guide["tekun_min"],
        "placeholders": [label(f) for f in standard.placeholder_fields if f in Standard.FIELDS],
    }


@login_required
def standard_list(request):
    q = ListQuery(request.GET)
    year, region, sort = _year_filter(q), q.region("region"), q.sort(STANDARD_SORTS)
    filters = {"year": year, "region": region, "sort": sort}
    scoped = standard_scope(user=request.user)
    qs = narrow_to_region(scoped.select_related("region"), region, "region__code")
    if year:
        qs = qs.filter(year=year)
    if sort:
        qs = qs.order_by(*sort_order(sort, STANDARD_SORTS, "-year"))
    else:
        qs = qs.order_by("-year", "region_id")
    page = list_page(request, qs)
    regions = Region.objects.filter(code__in=scoped.values("region_id")).order_by("code")
    return render(
        request,
        "eligibility/standard_list.html",
        {
            "rows": [_row(s, request.user) for s in page.object_list],
            "page": page,
            "filters": filters,
            "filter_notes": q.notes,
            "regions": regions,
            "can_enter": entry_regions(request.user).exists(),
        },
    )


STANDARD_SORTS = {"year": "year", "region": "region__code", "dibao": "dibao", "tekun": "tekun"}


def _year_filter(q: ListQuery) -> int | None:
    value = q.text("year")
    if not value:
        return None
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    q.notes.append(f"年度“{value}”不是有效的年份（应为 2026 这样的四位年份），已忽略该筛选条件")
    return None


def _guidance_table() -> dict[str, dict[str, str]]:
    return {str(y): {k: str(v) for k, v in guidance(y).items()} for y in GUIDANCE_YEARS}


class _Pending(Exception):
    """Warnings to show before saving (not an error)."""


@login_required
def standard_edit(request, pk: int | None = None):
    standard = None
    if pk is not None:
        standard = get_object_or_404(standard_scope(user=request.user).select_related("region"), pk=pk)
        if not can_enter_standard(request.user, standard.region):
            return HttpResponseForbidden("无权修改此区划的年度标准")
    elif not entry_regions(request.user).exists():
        return HttpResponseForbidden("只有县级民政、省级民政可以录入年度标准")

    form = StandardForm(request.POST or None, user=request.user, standard=standard)
    pending: list[str] = []  # §2 warnings shown before saving; the officer confirms to save with them
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("confirm_warnings") != "1":
                pending = standard_check(
                    acting_user=request.user,
                    region=form.cleaned_data["region"],
                    year=form.cleaned_data["year"],
                    values=form.values(),
                    standard=standard,
                )
            if pending:
                raise _Pending
            saved, warnings = standard_save(
                acting_user=request.user,
                region=form.cleaned_data["region"],
                year=form.cleaned_data["year"],
                values=form.values(),
                standard=standard,
            )
        except _Pending:
            pass
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            apply_to_form(exc, form)
        else:
            messages.success(request, f"已保存 {saved.region.name} {saved.year} 年度标准")
            for warning in warnings:
                messages.warning(request, f"请注意：{warning}")
            return redirect("standard_list")

    year = _year_of(form, standard)
    dibao = form.cleaned_data.get("dibao") if form.is_bound and hasattr(form, "cleaned_data") else None
    if dibao is None and standard is not None and not form.is_bound:
        dibao = standard.dibao
    return render(
        request,
        "eligibility/standard_form.html",
        {
            "form": form,
            "standard": standard,
            "year": year,
            "guide": guidance(year, dibao=dibao),
            "pending_warnings": pending,
            "guidance_table": _guidance_table(),
        },
    )


def _year_of(form, standard: Standard | None) -> int:
    raw = (
        form.data.get("year")
        if form.is_bound
        else (standard.year if standard else form.fields["year"].initial)
    )
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return (
        year if GUIDANCE_YEARS.start - 50 <= year <= GUIDANCE_YEARS.stop + 50 else timezone.localdate().year
    )


def _shown(value) -> str:
    if value is None:
        return "未设定"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@login_required
def standard_whatif(request):
    regions = entry_regions(request.user).order_by("level", "code")
    if not regions.exists():
        return HttpResponseForbidden("只有县级民政、省级民政可以进行调标测算")
    run = "year" in request.GET
    form = WhatIfForm(request.GET if run else None, user=request.user)
    result, base, year = None, None, None
    if run and form.is_valid():
        region: Region = form.cleaned_data["region"]
        year = form.cleaned_data["year"]
        try:
            result = whatif_run(acting_user=request.user, region=region, year=year, changes=form.changes())
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            apply_to_form(exc, form, strip_prefix="standards.")
            base = _base_or_none(region, year)
        else:
            base = result.base
    elif not run:
        year = form.fields["year"].initial
        base = _base_or_none(regions.first(), year)
    fields = [
        {
            "field": form[name],
            "current": _shown(getattr(base, name)) if base else None,
            "proposed": _shown(getattr(result.proposed, name)) if result else None,
            "changed": bool(result and name in result.changes),
        }
        for name in CHANGEABLE
    ]
    return render(
        request,
        "eligibility/standard_whatif.html",
        {
            "form": form,
            "fields": fields,
            "base": base,
            "result": result,
            "chart": result.chart_data() if result else None,
            "chart_tables": _whatif_chart_tables(result) if result else None,
            "as_of": whatif_as_of(year or timezone.localdate().year),
        },
    )


def _whatif_chart_tables(result) -> dict:
    """The numbers each of the what-if's two charts draws (reports.figures.chart_table), shown beside them and
    written to the Excel export."""
    data = result.chart_data()
    return {
        "counts": chart_table("whatif-counts", "人数、户数变化", "类别", data),
        "money": chart_table("whatif-money", "月资金（元）", "类别", data["money"]),
    }


WHATIF_HEADER = [
    "类别",
    "单位",
    "现行",
    "调整后",
    "新增纳入",
    "退出",
    "保持",
    "现行月资金（元）",
    "调整后月资金（元）",
    "变化（元/月）",
]


@require_GET
@login_required
def standard_whatif_export(request):
    """The what-if's result and its charts' numbers as Excel, for the same query string as the page (the
    computation reads aggregates only: no personal data leaves)."""
    if not entry_regions(request.user).exists():
        return HttpResponseForbidden("只有县级民政、省级民政可以进行调标测算")
    form = WhatIfForm(request.GET, user=request.user)
    back = redirect(f"{reverse('standard_whatif')}?{request.GET.urlencode()}")
    if not form.is_valid():
        return back
    try:
        result = whatif_run(
            acting_user=request.user,
            region=form.cleaned_data["region"],
            year=form.cleaned_data["year"],
            changes=form.changes(),
        )
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
        return back
    caption = [
        f"{result.region.name} {result.year} 年调标测算",
        f"覆盖 {result.households} 户、{result.persons} 人",
    ]
    rows = [
        [r.label, r.unit, r.old, r.new, r.became, r.ceased, r.stayed, r.money_old, r.money_new, r.money_delta]
        for r in result.rows
    ]
    tables = _whatif_chart_tables(result)
    sheets = [
        Sheet(
            "测算结果",
            WHATIF_HEADER,
            rows,
            caption=caption,
            footer=[["合计", "", "", "", "", "", "", result.money_old, result.money_new, result.money_delta]],
        ),
        chart_sheet(tables["counts"], caption),
        chart_sheet(tables["money"], caption),
    ]
    response = workbook_response(f"调标测算_{result.region.name}_{result.year}.xlsx", sheets)
    response["Cache-Control"] = "private, no-store"  # like every export: no shared cache keeps it
    return response


def _base_or_none(region: Region | None, year: int | None):
    """The current standard shown beside the proposal, when there is one (a read; errors are not shown)."""
    if region is None or year is None:
        return None
    try:
        return find_standards(region_code=region.code, year=year)
    except ServiceError:
        return None
