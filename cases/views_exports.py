"""Excel exports of the case lists. Each takes the selector of the list page it sits on, with the same filters
read from the same query string, streams every row (ID numbers masked) and logs the read in the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import exports, selectors
from cases import selectors_applications as app_selectors
from cases import selectors_help as help_selectors
from cases.models import AidMatch, AidNeed, Application, Lead, Pairing, Person, SchoolRecord
from common.spreadsheets import list_export_response


def _label(choices, value: str, extra: dict | None = None) -> str:
    return {**(extra or {}), **dict(choices)}.get(value, "")


@require_GET
@login_required
def household_export(request):
    query = request.GET.get("q", "")
    qs = selectors.household_list(user=request.user, query=query)
    return list_export_response(
        request,
        title="家庭档案",
        header=exports.HOUSEHOLD_HEADER,
        count=qs.count,
        rows=exports.household_rows(qs),
        filters=[("查询", exports.query_label(query))],
        widths=[8, 10, 22, 6, 14, 16, 30],
    )


@require_GET
@login_required
def application_export(request):
    status = request.GET.get("status", "open")
    today = timezone.localdate()
    qs = app_selectors.application_list(user=request.user, status=status)
    return list_export_response(
        request,
        title="救助申请",
        header=exports.APPLICATION_HEADER,
        count=qs.count,
        rows=exports.application_rows(qs, today),
        filters=[("状态", _label(Application.Status.choices, status, {"open": "办理中", "all": "全部"}))],
    )


@require_GET
@login_required
def lead_export(request):
    status, source = request.GET.get("status", "open"), request.GET.get("source", "")
    qs = help_selectors.lead_list(user=request.user, status=status, source=source)
    return list_export_response(
        request,
        title="主动发现线索",
        header=exports.LEAD_HEADER,
        count=qs.count,
        rows=exports.lead_rows(qs, timezone.localdate()),
        filters=[
            ("状态", _label(Lead.Status.choices, status, {"open": "未办结"})),
            ("来源", _label(Lead.Source.choices, source)),
        ],
    )


@require_GET
@login_required
def pairing_export(request):
    status = request.GET.get("status", "active")
    qs = help_selectors.pairing_list(user=request.user, status=status)
    return list_export_response(
        request,
        title="结对帮扶",
        header=exports.PAIRING_HEADER,
        count=qs.count,
        rows=exports.pairing_rows(qs),
        filters=[("状态", _label(Pairing.Status.choices, status))],
    )


@require_GET
@login_required
def job_export(request):
    employment = request.GET.get("employment", "")
    qs = help_selectors.able_members(user=request.user, today=timezone.localdate(), employment=employment)
    return list_export_response(
        request,
        title="就业帮扶",
        header=exports.JOB_HEADER,
        count=qs.count,
        rows=exports.able_member_rows(qs),
        filters=[("就业状况", _label(Person.Employment.choices, employment))],
    )


@require_GET
@login_required
def student_export(request):
    status = request.GET.get("status", SchoolRecord.Status.IN_SCHOOL)
    qs = help_selectors.student_list(user=request.user, status=status)
    return list_export_response(
        request,
        title="在校学生",
        header=exports.STUDENT_HEADER,
        count=qs.count,
        rows=exports.student_rows(qs),
        filters=[("在读状态", _label(SchoolRecord.Status.choices, status))],
    )


@require_GET
@login_required
def need_export(request):
    status = request.GET.get("status", AidNeed.Status.PUBLISHED)
    qs = help_selectors.need_list(user=request.user, status=status)
    return list_export_response(
        request,
        title="帮扶需求",
        header=exports.NEED_HEADER,
        count=qs.count,
        rows=exports.need_rows(qs),
        filters=[("状态", _label(AidNeed.Status.choices, status))],
    )


@require_GET
@login_required
def match_export(request):
    status = request.GET.get("status", AidMatch.Status.MATCHED)
    qs = help_selectors.match_list(user=request.user, status=status)
    return list_export_response(
        request,
        title="帮扶对接",
        header=exports.MATCH_HEADER,
        count=qs.count,
        rows=exports.match_rows(qs),
        filters=[("状态", _label(AidMatch.Status.choices, status))],
    )
