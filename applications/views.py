"""Application pages: each parses input, calls one service or selector, and renders the result.

Out-of-scope applications and documents answer 404 (the selectors never return them); a refused
transition answers 403 (wrong role) or shows the service's message next to the form (wrong state, bad input).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import Region
from accounts.personal_exports import list_export_response
from accounts.scope import can_write_region, scope_filter
from applications import exports
from applications import selectors as app_selectors
from applications.forms import (
    CheckExplainForm,
    CheckObjectionForm,
    CountyDecisionForm,
    DocumentForm,
    IntakeForm,
    NoticeStartForm,
    ObjectionForm,
    ReviewForm,
    StepLimitForm,
    StreetReviewForm,
    VisitForm,
)
from applications.models import Application, Category, StepLimit
from applications.services import applications as services
from applications.services import documents as document_services
from common.errors import apply_to_form, flash
from config.errors import PermissionDenied, ServiceError
from economic_check import selectors as economic_selectors
from economic_check import services as economic_services
from households import selectors
from households.exports import choice_label

PAGE_SIZE = 20
ACTION_LINKS = {
    # action → (url name, button text); several actions may share one page
    "visit": ("application_visit", "录入入户调查"),
    "review": ("application_review", "录入民主评议"),
    "street_approve": ("application_street", "街道审核"),
    "notice_start": ("application_notice", "开始公示"),
    "objection": ("application_objection", "录入公示异议"),
    "county_approve": ("application_county", "县级审批"),
    "document": ("application_document_add", "补充材料"),
}


def application_filters(request, today) -> dict:
    """The list's filters and sort from the query string (the page and its Excel export read the same)."""
    get = request.GET
    return {
        "status": get.get("status", "open"),
        "category": get.get("category", ""),
        "community": get.get("community", ""),
        "deadline": get.get("deadline", ""),
        "sort": get.get("sort", ""),
        "today": today,
    }


@login_required
def application_list(request):
    user, today = request.user, timezone.localdate()
    filters = application_filters(request, today)
    status = filters["status"]
    page = Paginator(app_selectors.application_list(user=user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "applications/list.html",
        {
            "queue": app_selectors.annotate_deadlines(
                app_selectors.application_queue(user=user, today=today), today
            ),
            "overdue": app_selectors.annotate_deadlines(
                app_selectors.application_overdue(user=user, today=today), today
            ),
            "shows_overdue": permissions.sees_overdue(user),
            "page": page,
            "rows": app_selectors.annotate_deadlines(page.object_list, today),
            "status": status,
            "statuses": Application.Status.choices,
            "filters": filters,
            "categories": Category.choices,
            "communities": scope_filter(Region.objects.filter(level=Region.Level.COMMUNITY), user, "code")
            .select_related("parent__parent")
            .order_by("code"),
            "counts": app_selectors.application_counts(user=user, today=today),
            "today": today,
        },
    )


@login_required
def application_intake(request, household_pk: int):
    household = selectors.household_get(user=request.user, pk=household_pk)
    if not can_write_region(request.user, household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以受理申请")
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid():
            rows = form.documents()
            try:
                application = services.application_intake(
                    acting_user=request.user,
                    household=household,
                    category=form.cleaned_data["category"],
                    reasons=form.cleaned_data["reasons"],
                    check_authorised=form.cleaned_data["check_authorised"],
                    check_authorised_on=form.cleaned_data["check_authorised_on"],
                    documents=[(kind, upload) for _, kind, upload in rows],
                    residence_basis=form.cleaned_data["residence_basis"] or "",
                    residence_months=form.cleaned_data["residence_months"],
                )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                field_map = {f"documents[{i}].file": name for i, (name, _, _) in enumerate(rows)}
                field_map.update(
                    {
                        f"documents[{i}].kind": name.replace("file", "kind")
                        for i, (name, _, _) in enumerate(rows)
                    }
                )
                apply_to_form(exc, form, field_map=field_map)
            else:
                messages.success(request, f"已受理申请#{application.pk}，请在办理时限内开展入户调查")
                return redirect("application_detail", pk=application.pk)
    else:
        form = IntakeForm(initial={"check_authorised_on": timezone.localdate()})
    return render(request, "applications/intake.html", {"form": form, "household": household})


@login_required
def application_detail(request, pk: int):
    user, today = request.user, timezone.localdate()
    application = app_selectors.application_get(user=user, pk=pk)
    actions = services.application_actions(application=application, user=user, today=today)
    links, seen = [], set()
    for action in actions:
        if action in ACTION_LINKS and ACTION_LINKS[action][0] not in seen:
            links.append(ACTION_LINKS[action])
            seen.add(ACTION_LINKS[action][0])
    members = list(application.household.members.all())
    heads = [m for m in members if m.relation == "head"]
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "household": application.household,
            "head": heads[0] if heads else None,
            "members": members,
            "events": list(application.events.all()),
            "documents": list(application.documents.all()),
            "visits": list(application.visits.all()),
            "reviews": list(application.reviews.all()),
            "objections": list(application.objections.all()),
            "enrolment": getattr(application, "enrolment", None),
            "deadline": app_selectors.deadline_of(application, today),
            "timeline": app_selectors.application_timeline(application=application),
            "history": app_selectors.application_history(application=application),
            "action_links": links,
            "can_print": application.status in Application.CLOSED,
            "today": today,
            "economic": economic_selectors.economic_check_page(application=application),
            "can_check": _can_check(application, user),
            "explain_form": CheckExplainForm(),
        },
    )


def _can_check(application, user) -> bool:
    return (
        application.status in economic_services.CHECK_STATES
        and application.check_authorised
        and economic_services.economic_check_refusal(application=application, user=user) is None
    )


def _step_page(request, pk: int, *, action: str, form_class, template: str, call, title: str, extra=None):
    """The page of one step: GET shows the form if the user may take the step; POST calls the service."""
    user, today = request.user, timezone.localdate()
    application = app_selectors.application_get(user=user, pk=pk)
    try:
        services.application_check(action, application, user, today)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        if request.method != "POST":
            flash(request, exc)
            return redirect("application_detail", pk=application.pk)
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                done = call(application, form, user)
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(request, done)
                return redirect("application_detail", pk=application.pk)
    else:
        form = form_class(initial={"visited_on": today, "held_on": today, "received_on": today})
    context = {
        "application": application,
        "household": application.household,
        "form": form,
        "title": title,
        "today": today,
    }
    context.update((extra or (lambda a: {}))(application))
    return render(request, template, context)


@login_required
def application_visit(request, pk: int):
    def call(application, form, user):
        services.application_visit_record(
            acting_user=user,
            application=application,
            visited_on=form.cleaned_data["visited_on"],
            investigators=form.investigator_names(),
            findings=form.cleaned_data["findings"],
            facts_confirmed=form.cleaned_data["facts_confirmed"],
            corrections=form.cleaned_data["corrections"],
        )
        return "已录入入户调查，请组织民主评议"

    return _step_page(
        request,
        pk,
        action="visit",
        form_class=VisitForm,
        template="applications/step.html",
        call=call,
        title="入户调查",
    )


@login_required
def application_review(request, pk: int):
    def call(application, form, user):
        services.application_review_record(
            acting_user=user,
            application=application,
            held_on=form.cleaned_data["held_on"],
            participants=form.cleaned_data["participants"],
            representatives=form.cleaned_data["representatives"],
            conclusion=form.cleaned_data["conclusion"],
            note=form.cleaned_data["note"],
        )
        return "已录入民主评议，申请已报街道审核"

    return _step_page(
        request,
        pk,
        action="review",
        form_class=ReviewForm,
        template="applications/step.html",
        call=call,
        title="民主评议",
    )


def _street_context(application) -> dict:
    """The rules' proposal for each category, shown beside the street's form, and the economic check."""
    from benefits.services import category_share

    economic = economic_selectors.economic_check_page(application=application)
    try:
        determination = services.application_determination(application=application)
    except ServiceError as exc:
        return {"determination": None, "determination_errors": exc.errors, "economic": economic}
    shares = [
        {
            "category": value,
            "label": label,
            "amount": category_share(determination=determination, category=value)["amount"],
            "found": value in determination["categories"],
        }
        for value, label in Application._meta.get_field("category").choices
    ]
    return {"determination": determination, "shares": shares, "economic": economic}


@login_required
def application_street(request, pk: int):
    def call(application, form, user):
        data = form.cleaned_data
        if data["decision"] == "approve":
            services.application_street_approve(
                acting_user=user,
                application=application,
                category=data["category"] or None,
                amount=data["amount"],
                override_reason=data["override_reason"],
                note=data["reason"],
            )
            return "街道审核通过，请开始公示"
        if data["decision"] == "return":
            services.application_street_return(
                acting_user=user, application=application, reason=data["reason"]
            )
            return "已退回社区重新调查"
        services.application_street_reject(acting_user=user, application=application, reason=data["reason"])
        return "街道审核不予通过，请打印通知书告知申请人"

    return _step_page(
        request,
        pk,
        action="street_approve",
        form_class=StreetReviewForm,
        template="applications/street.html",
        call=call,
        title="街道审核",
        extra=_street_context,
    )


@login_required
def application_notice(request, pk: int):
    def call(application, form, user):
        done = services.application_notice_start(acting_user=user, application=application)
        return f"公示已开始，{done.notice_ends_on:%Y-%m-%d} 结束"

    def extra(application):
        limits = app_selectors.step_limits_for(region_code=application.household.community_id)
        return {"notice_days": limits[StepLimit.Step.NOTICE]}

    return _step_page(
        request,
        pk,
        action="notice_start",
        form_class=NoticeStartForm,
        template="applications/step.html",
        call=call,
        title="开始公示",
        extra=extra,
    )


@login_required
def application_objection(request, pk: int):
    def call(application, form, user):
        services.application_objection_record(
            acting_user=user,
            application=application,
            received_on=form.cleaned_data["received_on"],
            objector=form.cleaned_data["objector"],
            content=form.cleaned_data["content"],
        )
        return "已录入公示异议，申请退回社区重新调查"

    return _step_page(
        request,
        pk,
        action="objection",
        form_class=ObjectionForm,
        template="applications/step.html",
        call=call,
        title="公示异议",
    )


@login_required
def application_county(request, pk: int):
    def call(application, form, user):
        data = form.cleaned_data
        if data["decision"] == "approve":
            services.application_county_approve(
                acting_user=user, application=application, note=data["reason"]
            )
            return "已批准，救助自次月起发放"
        services.application_county_reject(acting_user=user, application=application, reason=data["reason"])
        return "已作出不予批准决定，请打印通知书告知申请人"

    return _step_page(
        request,
        pk,
        action="county_approve",
        form_class=CountyDecisionForm,
        template="applications/county.html",
        call=call,
        title="县级审批",
    )


@login_required
def application_document_add(request, pk: int):
    def call(application, form, user):
        document = services.application_document_add(
            acting_user=user,
            application=application,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
        return f"已上传材料：{document.original_name}"

    return _step_page(
        request,
        pk,
        action="document",
        form_class=DocumentForm,
        template="applications/step.html",
        call=call,
        title="补充材料",
    )


@require_GET
@login_required
def document_download(request, pk: int, doc_id: int):
    """Stream a document to a user whose scope holds its household; 404 for anyone else."""
    document = app_selectors.document_get(user=request.user, application_pk=pk, pk=doc_id)
    try:
        path = document_services.document_path(document.stored_name)
        handle = open(path, "rb")  # noqa: SIM115 — FileResponse closes it
    except (ServiceError, FileNotFoundError):
        raise Http404("材料文件不存在") from None
    # Images open in the browser under a sandbox; PDFs are downloaded (a browser's PDF viewer does not run
    # in a sandboxed document, and a downloaded file never runs in this site's origin).
    inline = document.content_type.startswith("image/")
    response = FileResponse(
        handle, content_type=document.content_type, as_attachment=not inline, filename=document.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


@login_required
def application_letter(request, pk: int):
    """The printable decision notice (通知书) for the applicant, once the case is decided."""
    application = app_selectors.application_get(user=request.user, pk=pk)
    if application.status not in Application.CLOSED:
        raise Http404("尚未作出决定")
    members = list(application.household.members.all())
    heads = [m for m in members if m.relation == "head"]
    decision_event = next(
        (e for e in reversed(list(application.events.all())) if e.to_status == application.status), None
    )
    return render(
        request,
        "applications/letter.html",
        {
            "application": application,
            "household": application.household,
            "head": heads[0] if heads else None,
            "enrolment": getattr(application, "enrolment", None),
            "decision_event": decision_event,
            "county": application.household.community.parent.parent,
            "street": application.household.community.parent,
        },
    )


@login_required
def step_limits(request):
    """The time limits in force for the user's region; a county officer changes those of the county."""
    user = request.user
    if user.region_id is None:
        raise Http404("没有所属区划")
    can_edit = permissions.can_set_step_limits(user)
    effective = app_selectors.step_limits_for(region_code=user.region_id)
    if request.method == "POST":
        if not can_edit:
            return HttpResponseForbidden("只有县级民政部门可以设置本县（区）的办理时限")
        form = StepLimitForm(request.POST)
        if form.is_valid():
            try:
                services.step_limits_save(acting_user=user, days=form.cleaned_data)
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(request, "办理时限已保存，对此后开始的环节生效")
                return redirect("application_step_limits")
    else:
        form = StepLimitForm(initial=effective)
    return render(
        request,
        "applications/limits.html",
        {
            "form": form,
            "can_edit": can_edit,
            "effective": effective,
            "own": app_selectors.step_limits_own(region_code=user.region_id),
            "rows": [(step, label, effective[step]) for step, label in StepLimit.Step.choices],
        },
    )


# --------------------------------------------------------------------------------------------------
# 家庭经济状况核对


def _check_redirect(application):
    return redirect(reverse("application_detail", args=[application.pk]) + "#economic-check")


@require_POST
@login_required
def application_check_run(request, pk: int):
    """The caseworker runs the check again (after correcting the household's facts, or with new extracts)."""
    application = app_selectors.application_get(user=request.user, pk=pk)
    try:
        check = economic_services.economic_check_run(acting_user=request.user, application=application)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    else:
        n = check.contradictions.filter(status="open").count()
        messages.success(
            request,
            f"已完成家庭经济状况核对（核对#{check.pk}）"
            + (f"，有{n}项与申报不符待处理" if n else "，没有待处理的不符情况"),
        )
    return _check_redirect(application)


@require_POST
@login_required
def application_check_explain(request, pk: int, contradiction_id: int):
    application = app_selectors.application_get(user=request.user, pk=pk)
    form = CheckExplainForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        row = economic_services.economic_contradiction_explain(
            acting_user=request.user,
            application=application,
            contradiction_id=contradiction_id,
            reason=reason,
        )
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    else:
        messages.success(request, f"已说明：{row.message}")
    return _check_redirect(application)


@login_required
def application_check_objection(request, pk: int):
    """The applicant's objection to the check's result, recorded with the re-check it leads to."""
    user, today = request.user, timezone.localdate()
    application = app_selectors.application_get(user=user, pk=pk)
    refusal = economic_services.economic_check_refusal(application=application, user=user)
    if refusal:
        return HttpResponseForbidden(refusal)
    economic = economic_selectors.economic_check_page(application=application)
    contradictions = economic.get("contradictions") or []
    if request.method == "POST":
        form = CheckObjectionForm(request.POST, contradictions=contradictions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                objection = economic_services.economic_check_objection_record(
                    acting_user=user,
                    application=application,
                    received_on=data["received_on"],
                    content=data["content"],
                    contradiction_id=data["contradiction"],
                )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(request, f"已录入异议并复查：{objection.outcome}")
                return _check_redirect(application)
    else:
        form = CheckObjectionForm(initial={"received_on": today}, contradictions=contradictions)
    return render(
        request,
        "applications/check_objection.html",
        {
            "application": application,
            "household": application.household,
            "form": form,
            "economic": economic,
            "title": "核对结果异议",
            "today": today,
        },
    )


@require_GET
@login_required
def application_export(request):
    today = timezone.localdate()
    filters = application_filters(request, today)
    status = filters["status"]
    qs = app_selectors.application_list(user=request.user, **filters)
    return list_export_response(
        request,
        title="救助申请",
        header=exports.APPLICATION_HEADER,
        count=qs.count,
        rows=exports.application_rows(qs, today),
        filters=[
            ("状态", choice_label(Application.Status.choices, status, {"open": "办理中", "all": "全部"}))
        ],
    )
