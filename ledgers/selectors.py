"""Reads of the ledgers app, narrowed to the user's region by `accounts.scope` (department clients: to their
own extracts). Every function costs a constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from accounts.models import Region
from accounts.permissions import can_read_ledgers
from accounts.scope import ALL, narrow_to_region, region_prefix, scope_filter
from common.dates import add_months
from config.listing import sort_order
from ledgers import periods
from ledgers.models import Extract, ExtractError, Finding, ReconciliationRun, ReviewTask, RunStep
from ledgers.rules import RULES

CHILD = {2: 4, 4: 6, 6: 9, 9: 12, 12: 12}


# --- extracts ------------------------------------------------------------------------------------


def extract_scope(*, user) -> QuerySet[Extract]:
    return scope_filter(Extract.objects.all(), user, "region_id")


def extract_list(*, user) -> QuerySet[Extract]:
    return extract_scope(user=user).select_related("region", "client", "uploaded_by").order_by("-id")


def extract_get(*, user, pk: int) -> Extract:
    return get_object_or_404(
        extract_scope(user=user).select_related("region", "client", "uploaded_by"), pk=pk
    )


def extract_errors(*, extract: Extract) -> QuerySet[ExtractError]:
    return ExtractError.objects.filter(extract=extract).order_by("line", "id")


def client_extracts(*, client) -> QuerySet[Extract]:
    return Extract.objects.filter(client=client).select_related("region").order_by("-id")


# --- runs ----------------------------------------------------------------------------------------


def run_scope(*, user) -> QuerySet[ReconciliationRun]:
    """Runs whose scope lies inside the user's region, or covers it (a province run concerns every county)."""
    qs = ReconciliationRun.objects.all()
    if not can_read_ledgers(user):
        return qs.none()
    prefix = region_prefix(user)
    if prefix is None:
        return qs.none()
    if prefix == ALL:
        return qs
    above = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
    return qs.filter(Q(region__prefix__startswith=prefix) | Q(region__prefix__in=above))


def run_list(*, user) -> QuerySet[ReconciliationRun]:
    return run_scope(user=user).select_related("region", "requested_by").order_by("-id")


def run_get(*, user, pk: int) -> ReconciliationRun:
    return get_object_or_404(run_scope(user=user).select_related("region", "requested_by"), pk=pk)


def view_prefix(*, user, run: ReconciliationRun) -> str:
    """The part of the run a user sees: the deeper of the run's region and the user's own."""
    prefix = region_prefix(user) or ""
    return prefix if len(prefix) > len(run.region.prefix) else run.region.prefix


def run_findings(
    *, user, run: ReconciliationRun, rule: str = "", area: str = "", status: str = ""
) -> QuerySet[Finding]:
    qs = scope_filter(Finding.objects.filter(run=run), user, "region_id")
    if rule:
        qs = qs.filter(rule=rule)
    if area:
        qs = qs.filter(region_id__startswith=area)
    if status:
        qs = qs.filter(task__status=status)
    return qs.select_related("region", "task").order_by("rule", "region_id", "id")


def _by_rule(qs: QuerySet[Finding]) -> dict[str, int]:
    return dict(qs.values("rule").annotate(n=Count("id")).values_list("rule", "n"))


def run_report(*, user, run: ReconciliationRun) -> dict:
    """Counts by rule and by region (one level below what the user sees), review progress, and the trend
    against the previous finished run of the same scope — seven queries whatever the size."""
    qs = scope_filter(Finding.objects.filter(run=run), user, "region_id")
    shown = view_prefix(user=user, run=run)
    child = CHILD[len(shown)]
    by_rule = _by_rule(qs)
    cells = (
        qs.annotate(area=Substr("region_id", 1, child))
        .values("area", "rule")
        .annotate(n=Count("id"))
        .values_list("area", "rule", "n")
    )
    matrix: dict[str, dict[str, int]] = {}
    for area, rule, n in cells:
        matrix.setdefault(area, {})[rule] = n
    names = dict(
        Region.objects.filter(Q(prefix__in=list(matrix)) | Q(code__in=list(matrix))).values_list(
            "prefix", "name"
        )
    )
    tasks = dict(
        ReviewTask.objects.filter(finding__in=qs)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    previous = (
        run_scope(user=user)
        .filter(region=run.region, status=ReconciliationRun.Status.DONE, created_at__lt=run.created_at)
        .order_by("-created_at")
        .first()
    )
    before = (
        _by_rule(scope_filter(Finding.objects.filter(run=previous), user, "region_id")) if previous else {}
    )
    steps = {s.step: s for s in RunStep.objects.filter(run=run)}
    rules = [
        {
            "rule": r,
            "count": by_rule.get(r.code, 0),
            "previous": before.get(r.code) if previous else None,
            "change": by_rule.get(r.code, 0) - before.get(r.code, 0) if previous else None,
            "step": steps.get(r.code),
        }
        for r in RULES
    ]
    areas = [
        {
            "area": area,
            "name": names.get(area, area),
            "counts": [row.get(r.code, 0) for r in RULES],
            "cells": [{"rule": r.code, "n": row.get(r.code, 0)} for r in RULES],
            "total": sum(row.values()),
        }
        for area, row in sorted(matrix.items())
    ]
    chart = {
        "labels": [r.label for r in RULES],
        "series": (
            [
                {
                    "name": f"上次（{periods.label(previous.period)}）",
                    "cls": "old",
                    "values": [before.get(r.code, 0) for r in RULES],
                }
            ]
            if previous
            else []
        )
        + [
            {
                "name": f"本次（{periods.label(run.period)}）",
                "cls": "new",
                "values": [by_rule.get(r.code, 0) for r in RULES],
            }
        ],
    }
    return {
        "shown": shown,
        "rules": rules,
        "areas": areas,
        "total": sum(by_rule.values()),
        "previous": previous,
        "previous_total": sum(before.values()) if previous else None,
        "tasks": tasks,
        "chart": chart,
    }


def finding_get(*, user, pk: int) -> Finding:
    """A finding in the user's scope, or 404; caseworkers reach only their community's."""
    qs = scope_filter(Finding.objects.all(), user, "region_id").select_related(
        "run__region", "region", "extract", "task__resolved_by"
    )
    return get_object_or_404(qs, pk=pk)


def client_findings(*, client, period: str = "", rule: str = "") -> QuerySet[Finding]:
    """The findings that rest on a department's own extracts."""
    qs = Finding.objects.filter(extract__client=client, run__status=ReconciliationRun.Status.DONE)
    if period:
        qs = qs.filter(run__period=period)
    if rule:
        qs = qs.filter(rule=rule)
    return qs.select_related("run", "task", "extract")


# --- review tasks --------------------------------------------------------------------------------


# The columns the review task list sorts by (config.listing.sort_order).
TASK_SORTS = {"id": "id", "rule": "finding__rule", "community": "region_id", "created_at": "created_at"}


def task_list(
    *,
    user,
    status: str = ReviewTask.Status.OPEN,
    rule: str = "",
    community: str = "",
    month: dt.date | None = None,
    sort: str = "",
) -> QuerySet[ReviewTask]:
    """Review tasks in scope, filtered by status, rule, a county/street/community and the month raised, sorted by
    one of TASK_SORTS (by rule, newest first, by default)."""
    qs = narrow_to_region(
        scope_filter(ReviewTask.objects.all(), user, "region_id"), community, "region__code"
    )
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(finding__rule=rule)
    if month is not None:
        qs = qs.filter(created_at__date__gte=month, created_at__date__lt=add_months(month, 1))
    order = sort_order(sort, TASK_SORTS, "") if sort else ["finding__rule", "-id"]
    return qs.select_related("finding__run", "region").order_by(*order)


def task_counts(*, user) -> dict[str, int]:
    qs = scope_filter(ReviewTask.objects.all(), user, "region_id")
    return dict(qs.values("status").annotate(n=Count("id")).values_list("status", "n"))
