"""Enrolment pages: list, detail with its timeline and history, recompute, suspend/resume, exit and its notice,
and the caseworker's review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts import permissions
from accounts.scope import can_write_region, filter_communities
from applications.models import Category
from benefits import selectors
from benefits.compute import COMPONENT_LABELS
from benefits.forms import (
    EXIT_FIELD_MAP,
    ExitForm,
    FactForm,
    ReasonForm,
    RecomputeForm,
    ReviewForm,
    ShareReductionForm,
    SupplementForm,
)
from benefits.linked import household_linked_benefits
from benefits.models import CountyTask, Enrolment, EnrolmentReview
from benefits.services import enrolments as services
from benefits.services import followups
from benefits.services import reviews as review_services
from benefits.views.common import PAGE_SIZE, county_task_filters, review_filters
from common.errors import apply_to_form
from config.errors import PermissionDenied, ServiceError
from config.listing import list_page


def enrolment_filters(request) -> dict:
    """The list's filters and sort from the query string (the page and its Excel export read the same)."""
    get = request.GET
    return {
        "status": get.get("status", "current"),
        "category": get.get("category", ""),
        "query": get.get("q", ""),
        "community": get.get("community", ""),
        "month": get.get("month", ""),
        "review": get.get("review", ""),
        "today": timezone.localdate(),
        "sort": get.get("sort", ""),
    }


@login_required
def enrolment_list(request):
    user = request.user
    filters = enrolment_filters(request)
    status, category, query = filters["status"], filters["category"], filters["query"]
    page = Paginator(selectors.enrolment_list(user=user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "benefits/enrolment_list.html",
        {
            "page": page,
            "status": status,
            "category": category,
            "query": query,
            "statuses": Enrolment.Status.choices,
            "categories": Category.choices,
            "counts": selectors.enrolment_counts(user=user),
            "filters": filters,
            "communities": filter_communities(user),
        },
    )


def _components(components: dict) -> list[tuple[str, str]]:
    return [(COMPONENT_LABELS.get(k, k), v) for k, v in components.items() if v not in ("0", "0.00", 0)]


@login_required
def enrolment_detail(request, pk: int):
    user, today = request.user, timezone.localdate()
    enrolment = selectors.enrolment_get(user=user, pk=pk)
    community = enrolment.household.community_id
    show_all = request.GET.get("periods") == "all"
    periods = selectors.enrolment_periods(enrolment=enrolment, include_superseded=show_all)
    return render(
        request,
        "benefits/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "household": enrolment.household,
            "components": _components(enrolment.components),
            "covered": [{"m": m, "amounts": _components(m.amounts)} for m in enrolment.covered.all()],
            "periods": [{"p": p, "components": _components(p.components)} for p in periods],
            "show_all": show_all,
            "events": selectors.enrolment_events(enrolment=enrolment),
            "lines": selectors.enrolment_lines(enrolment=enrolment),
            "reviews": list(enrolment.reviews.select_related("completed_by").order_by("-due_on", "-id")),
            "supplements": list(enrolment.supplements.select_related("approved_by", "ended_by")),
            "supplement_clause": followups.SUPPLEMENT_CLAUSE,
            "reductions": list(enrolment.share_reductions.select_related("person")),
            "linked": [row for row in household_linked_benefits(household=enrolment.household, today=today)],
            "can_recompute": enrolment.status in (Enrolment.Status.ACTIVE, Enrolment.Status.GRADUAL)
            and permissions.can_recompute(user, community),
            "can_decide": enrolment.is_current and permissions.can_decide_enrolment(user, community),
            # a wrong payment of a locked roll: the community's caseworker or the county asks for a 冲正
            "can_correct": can_write_region(user, community)
            or permissions.can_manage_roll(user, community[:6]),
            "today": today,
        },
    )


def _action_page(
    request,
    pk: int,
    *,
    form_class,
    title: str,
    allowed,
    call,
    template="benefits/enrolment_action.html",
    field_map=None,
    extra=None,
):
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    if not allowed(request.user, enrolment.household.community_id):
        return HttpResponseForbidden("无权办理此救助对象的该项业务")
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                done = call(enrolment, form)
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form, field_map=field_map)
            else:
                messages.success(request, done)
                return redirect("enrolment_detail", pk=enrolment.pk)
    else:
        form = form_class()
    context = {"enrolment": enrolment, "household": enrolment.household, "form": form, "title": title}
    context.update(extra or {})
    return render(request, template, context)


@login_required
def enrolment_recompute(request, pk: int):
    def call(enrolment, form):
        result = services.enrolment_recompute(
            enrolment=enrolment, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
        return result.message

    return _action_page(
        request,
        pk,
        form_class=RecomputeForm,
        title="重新核定救助金",
        allowed=permissions.can_recompute,
        call=call,
        extra={
            "hint": "按家庭档案中的现有情况（成员、收入、财产）和次月适用的标准重新测算，"
            "自次月起执行。请先在家庭档案中更正变化的情况。"
        },
    )


@login_required
def enrolment_suspend(request, pk: int):
    def call(enrolment, form):
        services.enrolment_suspend(
            enrolment=enrolment, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
        return "已暂停发放，自次月起停发"

    return _action_page(
        request,
        pk,
        form_class=ReasonForm,
        title="暂停发放",
        allowed=permissions.can_decide_enrolment,
        call=call,
    )


@login_required
def enrolment_resume(request, pk: int):
    def call(enrolment, form):
        return services.enrolment_resume(
            enrolment=enrolment, acting_user=request.user, reason=form.cleaned_data["reason"]
        ).message

    return _action_page(
        request,
        pk,
        form_class=ReasonForm,
        title="恢复发放",
        allowed=permissions.can_decide_enrolment,
        call=call,
    )


@login_required
def enrolment_exit(request, pk: int):
    def call(enrolment, form):
        services.enrolment_exit(
            enrolment=enrolment,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            details=form.details(),
        )
        return "已办理退出，请打印终止救助告知书送达"

    make, _ = _with_members(ExitForm, selectors.enrolment_get(user=request.user, pk=pk), covered_only=False)
    return _action_page(
        request,
        pk,
        form_class=make,
        title="办理退出",
        allowed=permissions.can_decide_enrolment,
        call=call,
        field_map=EXIT_FIELD_MAP,
        extra={
            "hint": "退出自决定次月起停发（因死亡退出的，自死亡次月起停发）；"
            "已确认的花名册中此后月份的金额记为多发，未确认花名册中的明细将暂缓发放。"
        },
    )


@login_required
def enrolment_notice(request, pk: int):
    """The printable written notice of an exit (终止救助告知书)."""
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    if enrolment.status != Enrolment.Status.EXITED:
        raise Http404("尚未退出")
    household = enrolment.household
    # Never addressed to a deceased person (policy.md §8.3): the head or the closest living member. An exit for a
    # death names the member who died; one decided before version 2 names nobody: its only covered member is
    # taken as the deceased.
    dead: set[int] = set()
    if enrolment.exit_reason == Enrolment.ExitReason.DEATH:
        covered = list(enrolment.covered.values_list("person_id", flat=True))
        if enrolment.exit_details.get("person"):
            dead = {int(enrolment.exit_details["person"])}
        elif len(covered) == 1:
            dead = set(covered)
    return render(
        request,
        "benefits/exit_notice.html",
        {
            "enrolment": enrolment,
            "household": household,
            "head": followups.living_addressee(household, also_dead=dead),
            "county": household.community.parent.parent,
            "street": household.community.parent,
        },
    )


@login_required
def review_queue(request):
    user, today = request.user, timezone.localdate()
    filters, notes = review_filters(request)
    page = list_page(request, selectors.review_queue(user=user, today=today, **filters), PAGE_SIZE)
    return render(
        request,
        "benefits/review_queue.html",
        {
            "page": page,
            "status": filters["status"],
            "filters": filters,
            "filter_notes": notes,
            "kinds": EnrolmentReview.Kind.choices,
            "communities": filter_communities(user),
            "today": today,
        },
    )


@login_required
def review_complete(request, pk: int):
    user = request.user
    task = selectors.review_get(user=user, pk=pk)
    enrolment = task.enrolment
    if not can_write_region(user, enrolment.household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以完成复核")
    if task.status != EnrolmentReview.Status.OPEN:
        messages.error(request, "该复核任务已完成")
        return redirect("enrolment_detail", pk=enrolment.pk)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                done = review_services.review_complete(
                    task=task,
                    acting_user=user,
                    visited_on=form.cleaned_data["visited_on"],
                    findings=form.cleaned_data["findings"],
                )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(request, f"复核完成：{done.get_outcome_display()}")
                return redirect("enrolment_detail", pk=enrolment.pk)
    else:
        form = ReviewForm(initial={"visited_on": timezone.localdate()})
    return render(
        request,
        "benefits/enrolment_action.html",
        {
            "enrolment": enrolment,
            "household": enrolment.household,
            "form": form,
            "title": f"{task.get_kind_display()}（应于{task.due_on:%Y-%m-%d}前完成）",
            "hint": task.raised_because + "。完成复核将按家庭档案现有情况重新核定救助金（次月起执行）。",
            # Facts policy version 2 reads that older records lack (待补充): completed at this review.
            "to_complete": [
                (p.name, p.to_complete) for p in enrolment.household.members.all() if p.to_complete
            ],
        },
    )


@login_required
def county_task_list(request):
    """县级待办: exits, adjustments and overpayments that confirmed facts opened (policy.md §8.3)."""
    error = ""
    if request.method == "POST":
        task = get_object_or_404(selectors.county_tasks(user=request.user), pk=request.POST.get("task") or 0)
        try:
            followups.county_task_close(
                task=task, acting_user=request.user, note=request.POST.get("note", "")
            )
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            error = exc.message
        else:
            return redirect("county_task_list")
    filters, notes = county_task_filters(request)
    page = list_page(request, selectors.county_tasks(user=request.user, **filters), PAGE_SIZE)
    return render(
        request,
        "benefits/county_tasks.html",
        {
            "page": page,
            "status": filters["status"],
            "filters": filters,
            "filter_notes": notes,
            "kinds": CountyTask.Kind.choices,
            "communities": filter_communities(request.user),
            "error": error,
            "clause": followups.FACT_CLAUSE,
            "today": timezone.localdate(),
        },
    )


def _with_members(form_class, enrolment, *, covered_only: bool):
    """The form with the household's members (or the covered ones) as the person choices."""
    if covered_only:
        people = [
            row.person for row in enrolment.covered.filter(ended_on__isnull=True).select_related("person")
        ]
    else:
        people = list(enrolment.household.members.all())
    choices = [("", "—")] + [(str(p.pk), f"{p.name}（{p.get_relation_display()}）") for p in people]

    def make(data=None):
        form = form_class(data)
        form.fields["person"].choices = choices
        return form

    return make, {str(p.pk): p for p in people}


@login_required
def enrolment_supplement(request, pk: int):
    """增发 (policy.md §8.1): the county approves a monthly addition, paid as its own roll line."""

    def call(enrolment, form):
        s = followups.supplement_grant(enrolment=enrolment, acting_user=request.user, **form.cleaned_data)
        return f"已批准增发：每月{s.amount}元，{s.start_month:%Y年%m月}至{s.end_month:%Y年%m月}"

    return _action_page(
        request,
        pk,
        form_class=SupplementForm,
        title="批准增发",
        allowed=permissions.can_decide_enrolment,
        call=call,
        extra={
            "hint": followups.SUPPLEMENT_CLAUSE + "。增发在花名册中单列一行，重新核定基本救助金时不受影响。"
        },
    )


@login_required
def enrolment_share_reduce(request, pk: int):
    """Refused work (policy.md §8.2): reduce or stop one member's share, never the household's benefit."""
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    make, people = _with_members(ShareReductionForm, enrolment, covered_only=True)

    def call(enrolment, form):
        data = form.cleaned_data
        person = people.get(data["person"])
        if person is None:
            raise ServiceError("请选择成员", field="person")
        r = followups.member_share_reduce(
            enrolment=enrolment,
            person=person,
            acting_user=request.user,
            action=data["action"],
            amount=data["amount"],
            note=data["note"],
        )
        return f"已决定{r.get_action_display()}（{person.name}），自{r.from_month:%Y年%m月}起执行"

    return _action_page(
        request,
        pk,
        form_class=make,
        title="减发/停发成员份额（拒绝介绍的工作）",
        allowed=permissions.can_decide_enrolment,
        call=call,
        extra={
            "hint": "社会救助暂行办法第四十五条：成员无正当理由连续3次拒绝介绍的适当工作的，可减发或停发该成员本人的份额"
            "（补差÷保障人数），其他成员照常享受。拒绝记录由社区在就业帮扶中登记。"
        },
    )


@login_required
def enrolment_fact(request, pk: int):
    """A death, a move away or fraud, confirmed by the caseworker or the county (policy.md §8.3)."""
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    make, people = _with_members(FactForm, enrolment, covered_only=False)

    def call(enrolment, form):
        data = form.cleaned_data
        person = people.get(data["person"])
        if person is None:
            raise ServiceError("请选择当事人", field="person")
        followups.fact_confirm(
            person=person,
            kind=data["kind"],
            event_on=data["event_on"],
            acting_user=request.user,
            source=data["source"],
            whole_household=data["whole_household"],
            note=data["note"],
        )
        return "已登记核实的事实：未锁定花名册已同步暂缓，县级待办已生成"

    return _action_page(
        request,
        pk,
        form_class=make,
        title="登记核实的死亡、迁出或骗取救助",
        allowed=permissions.can_recompute,
        call=call,
        extra={"hint": followups.FACT_CLAUSE},
    )
