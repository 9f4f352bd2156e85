"""Excel exports of the benefits lists: the same selector, scope and filters as the page the button sits on, every
row streamed, ID numbers masked, the read logged in the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.personal_exports import list_export_response
from applications.models import Category
from benefits import exports, selectors
from benefits.models import Enrolment, EnrolmentReview, ReliefGrant
from benefits.views.common import relief_filters, review_filters
from benefits.views.enrolments import enrolment_filters
from households.exports import query_label


@require_GET
@login_required
def enrolment_export(request):
    filters = enrolment_filters(request)
    status, category, query = filters["status"], filters["category"], filters["query"]
    qs = selectors.enrolment_list(user=request.user, **filters)
    status_label = {"current": "在保（含渐退、暂停）", "all": "全部", **dict(Enrolment.Status.choices)}.get(
        status, ""
    )
    return list_export_response(
        request,
        title="救助对象",
        header=exports.ENROLMENT_HEADER,
        count=qs.count,
        rows=exports.enrolment_rows(qs),
        filters=[
            ("状态", status_label),
            ("类别", dict(Category.choices).get(category, "")),
            ("查询", query_label(query)),
        ],
        widths=[8, 10, 22, 14, 16, 10, 8, 12, 12, 8, 12, 10, 12],
    )


@require_GET
@login_required
def review_export(request):
    filters, _ = review_filters(request)
    status = filters["status"]
    qs = selectors.review_queue(user=request.user, today=timezone.localdate(), **filters)
    return list_export_response(
        request,
        title="复核任务",
        header=exports.REVIEW_HEADER,
        count=qs.count,
        rows=exports.review_rows(qs),
        filters=[("状态", dict(EnrolmentReview.Status.choices).get(status, "全部"))],
    )


@require_GET
@login_required
def relief_export(request):
    filters, _ = relief_filters(request)
    status = filters["status"]
    qs = selectors.relief_list(user=request.user, **filters)
    return list_export_response(
        request,
        title="临时救助",
        header=exports.RELIEF_HEADER,
        count=qs.count,
        rows=exports.relief_rows(qs),
        filters=[("状态", dict(ReliefGrant.Status.choices).get(status, ""))],
    )


@require_GET
@login_required
def relief_filed_export(request):
    filing = request.GET.get("filing", "")
    qs = selectors.relief_filed(user=request.user, filing=filing)
    return list_export_response(
        request,
        title="临时救助备案",
        header=exports.FILED_HEADER,
        count=qs.count,
        rows=exports.relief_filed_rows(qs),
        filters=[("备案状态", dict(ReliefGrant.Filing.choices).get(filing, "") if filing else "")],
    )
