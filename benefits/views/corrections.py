"""Correction pages: ask for a 冲正 of a line of a locked roll, and the county's list of corrections to decide."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.scope import can_write_region, filter_communities
from benefits import selectors
from benefits.models import PaymentCorrection
from benefits.services import corrections as services
from benefits.views.common import PAGE_SIZE, correction_filters
from common.errors import apply_to_form, flash
from common.fields import MoneyField
from config.errors import PermissionDenied, ServiceError
from config.listing import list_page


class CorrectionForm(forms.Form):
    # The one money parser (common.money) through its form field; the service reads the same Decimal again.
    corrected_amount = MoneyField(label="应发金额（元）")
    reason = forms.CharField(label="原发放有什么错误", widget=forms.Textarea(attrs={"rows": 3}))


def may_request(user, line) -> bool:
    return can_write_region(user, line.community_code) or permissions.can_manage_roll(
        user, line.roll.county_id
    )


@login_required
def correction_request(request, line_id: int):
    line = selectors.payment_line_get(user=request.user, pk=line_id)
    roll = line.roll
    if not may_request(request.user, line):
        return HttpResponseForbidden("只有本社区的社区工作人员或本县（区）民政部门可以申请更正")
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_request(
                line=line,
                corrected_amount=form.cleaned_data["corrected_amount"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            apply_to_form(exc, form)
        else:
            messages.success(request, "已提交更正申请，县级民政部门批准后在下期花名册冲正")
            return redirect("correction_list")
    return render(request, "benefits/correction_request.html", {"roll": roll, "line": line, "form": form})


@login_required
def correction_list(request):
    filters, notes = correction_filters(request)
    status = filters["status"]
    page = list_page(request, selectors.correction_list(user=request.user, **filters), PAGE_SIZE)
    rows = [
        {
            "c": c,
            "can_decide": c.status == PaymentCorrection.Status.PENDING
            and permissions.can_manage_roll(request.user, c.line.roll.county_id),
            "can_approve": c.status == PaymentCorrection.Status.PENDING
            and permissions.can_approve_correction(request.user, c.line.roll.county_id, c.requested_by_id),
        }
        for c in page.object_list
    ]
    return render(
        request,
        "benefits/correction_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": PaymentCorrection.Status.choices,
            "filters": filters,
            "filter_notes": notes,
            "communities": filter_communities(request.user),
        },
    )


@require_POST
@login_required
def correction_decide(request, pk: int):
    correction = selectors.correction_get(user=request.user, pk=pk)
    note = request.POST.get("note", "")
    try:
        if request.POST.get("decision") == "approve":
            services.correction_approve(correction=correction, acting_user=request.user, note=note)
            messages.success(request, f"已批准更正#{correction.pk}，下期花名册生成时冲正")
        elif request.POST.get("decision") == "reject":
            services.correction_reject(correction=correction, acting_user=request.user, reason=note)
            messages.success(request, f"已不予更正#{correction.pk}")
        else:
            messages.error(request, "请选择批准或不予更正")
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    return redirect("correction_list")
