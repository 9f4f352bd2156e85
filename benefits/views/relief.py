"""Temporary relief and reserve fund pages: the funds and their ledgers (top-up by the county), applications,
特别救助 applications (the county decides them on the same detail page), the street's approval and payment,
the county's decision, filing (备案) and the county's filed list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F as Field
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render

from accounts import permissions
from accounts.scope import filter_communities, narrow_to_region
from benefits import selectors
from benefits.forms import (
    AnswerForm,
    DecisionForm,
    FilingForm,
    QueryForm,
    ReliefApplyForm,
    SpecialReliefForm,
    TopupForm,
)
from benefits.models import ReliefGrant, ReserveFund
from benefits.relief_rules import DEDUCTIONS, SPECIAL_CLAUSE
from benefits.services import relief as services
from benefits.views.common import PAGE_SIZE, relief_filters
from common.errors import apply_to_form
from config.errors import PermissionDenied, ServiceError
from config.listing import ListQuery, list_page, sort_order
from households import selectors as case_selectors

G = ReliefGrant.Status
F = ReliefGrant.Filing


@login_required
def fund_list(request):
    user = request.user
    q = ListQuery(request.GET)
    filters = {
        "fund": q.choice("fund", FUND_STATES, "备用金状态"),
        "q": q.text("q"),
        "sort": q.sort(FUND_SORTS),
    }
    streets = selectors.street_scope(user=user)
    if filters["q"]:
        streets = streets.filter(name__contains=filters["q"])
    if filters["fund"] == "none":
        streets = streets.filter(reserve_fund__isnull=True)
    elif filters["fund"] == "empty":
        streets = streets.filter(reserve_fund__balance=0)
    elif filters["fund"] == "funded":
        streets = streets.filter(reserve_fund__balance__gt=0)
    streets = streets.order_by(*_fund_order(filters["sort"]))
    funds = {f.street_id: f for f in selectors.fund_list(user=user)}
    page = list_page(request, streets, PAGE_SIZE)
    rows = [{"street": s, "fund": funds.get(s.code)} for s in page.object_list]
    return render(
        request,
        "benefits/fund_list.html",
        {"page": page, "rows": rows, "filters": filters, "filter_notes": q.notes, "fund_states": FUND_STATES},
    )


def _fund_order(sort: str) -> list:
    """The street list's order: a region's key is its code (it breaks ties instead of sort_order's id), and a
    street without a reserve fund comes after every street with one, whichever way the balance is sorted."""
    order: list = []
    for f in sort_order(sort, FUND_SORTS, "code"):
        name = f.removeprefix("-")
        if name == "id":
            f = f.replace("id", "code")
        elif name == "reserve_fund__balance":
            f = Field(name).desc(nulls_last=True) if f.startswith("-") else Field(name).asc(nulls_last=True)
        order.append(f)
    return order


FUND_STATES = (("funded", "有余额"), ("empty", "余额为零"), ("none", "未建立"))
FUND_SORTS = {"code": "code", "name": "name", "balance": "reserve_fund__balance"}
FILED_SORTS = {
    "id": "id",
    "amount": "amount",
    "filed_at": "filed_at",
    "community": "household__community__code",
}


@login_required
def fund_detail(request, code: str):
    user = request.user
    street = selectors.fund_street_get(user=user, code=code)
    fund = ReserveFund.objects.filter(street=street).first()
    can_topup = permissions.is_county_officer_for(user, street.code)
    form = TopupForm(request.POST or None)
    if request.method == "POST":
        if not can_topup:
            return HttpResponseForbidden("只有本县（区）民政部门可以拨付备用金")
        if form.is_valid():
            try:
                movement = services.reserve_fund_topup(
                    street=street,
                    amount=form.cleaned_data["amount"],
                    acting_user=user,
                    note=form.cleaned_data["note"],
                )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(request, f"已拨付 {movement.amount} 元，余额 {movement.balance_after} 元")
                return redirect("fund_detail", code=street.code)
    page = Paginator(selectors.fund_ledger(street=street), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/fund_detail.html",
        {
            "street": street,
            "fund": fund,
            "page": page,
            "form": form,
            "can_topup": can_topup,
        },
    )


@login_required
def relief_list(request):
    user = request.user
    filters, notes = relief_filters(request)
    page = list_page(request, selectors.relief_list(user=user, **filters), PAGE_SIZE)
    return render(
        request,
        "benefits/relief_list.html",
        {
            "page": page,
            "status": filters["status"],
            "filters": filters,
            "filter_notes": notes,
            "kinds": ReliefGrant.Kind.choices,
            "communities": filter_communities(user),
            "statuses": G.choices,
            "queue": list(selectors.relief_queue(user=user)[:100]),
        },
    )


@login_required
def relief_apply(request, household_pk: int):
    user = request.user
    household = case_selectors.household_get(user=user, pk=household_pk)
    if not permissions.can_apply_relief(user, household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员或本街道的民政专干可以受理临时救助申请")
    form = ReliefApplyForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.relief_apply(
                acting_user=user,
                household=household,
                person=form.person_obj(),
                kind=form.cleaned_data["kind"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            apply_to_form(exc, form)
        else:
            messages.success(request, f"已受理，{grant.get_route_display()}")
            return redirect("relief_detail", pk=grant.pk)
    return render(request, "benefits/relief_apply.html", {"household": household, "form": form})


@login_required
def relief_special_apply(request, household_pk: int):
    """特别救助 (五(七)): the caseworker records the burden and each deduction; the county decides."""
    user = request.user
    household = case_selectors.household_get(user=user, pk=household_pk)
    if not permissions.can_apply_relief(user, household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员或本街道的民政专干可以受理特别救助申请")
    form = SpecialReliefForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.relief_special_apply(
                acting_user=user,
                household=household,
                person=form.person_obj(),
                amount=data["amount"],
                reason=data["reason"],
                gross_expenditure=data["gross_expenditure"],
                deductions={name: data[name] for name, _ in DEDUCTIONS},
            )
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            apply_to_form(exc, form)
        else:
            messages.success(
                request, f"已受理特别救助申请，实际负担 {grant.net_burden} 元，报县级民政部门审批"
            )
            return redirect("relief_detail", pk=grant.pk)
    return render(
        request,
        "benefits/relief_special_apply.html",
        {"household": household, "form": form, "clause": SPECIAL_CLAUSE},
    )


def _actions(user, grant: ReliefGrant) -> dict[str, bool]:
    community = grant.household.community_id
    street, county = (
        permissions.is_street_officer_for(user, community),
        permissions.is_county_officer_for(user, community),
    )
    return {
        "street_decide": street and grant.status == G.SUBMITTED,
        "county_decide": county and grant.status == G.COUNTY_REVIEW,
        "file": street and grant.filing == F.PENDING,
        "query": county and grant.filing in (F.FILED, F.ANSWERED),
        "answer": street and grant.filing == F.QUERIED,
    }


@login_required
def relief_detail(request, pk: int):
    user = request.user
    grant = selectors.relief_get(user=user, pk=pk)
    actions = _actions(user, grant)
    forms = {"decision": DecisionForm(), "filing": FilingForm(), "query": QueryForm(), "answer": AnswerForm()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("street_decide", "county_decide", "file", "query", "answer") or not actions.get(
            action
        ):
            return HttpResponseForbidden("无权办理此项")
        form_key = {"street_decide": "decision", "county_decide": "decision"}.get(action, action)
        form = {"decision": DecisionForm, "file": FilingForm, "query": QueryForm, "answer": AnswerForm}[
            form_key
        ](request.POST)
        forms[form_key] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action in ("street_decide", "county_decide"):
                    if data["decision"] == "reject":
                        services.relief_reject(grant=grant, acting_user=user, reason=data["note"])
                        done = "已作出不予救助决定"
                    elif data["decision"] == "approve" and action == "street_decide":
                        services.relief_street_approve(
                            grant=grant,
                            acting_user=user,
                            note=data["note"],
                            duplicate_reason=data["duplicate_reason"],
                        )
                        done = "已审批并从备用金发放，请及时报县级备案"
                    elif data["decision"] == "approve":
                        services.relief_county_approve(
                            grant=grant,
                            acting_user=user,
                            note=data["note"],
                            duplicate_reason=data["duplicate_reason"],
                        )
                        done = "已审批发放"
                    else:
                        raise ServiceError("请选择决定", field="decision")
                elif action == "file":
                    services.relief_file(grant=grant, acting_user=user, note=data["note"])
                    done = "已报县级备案"
                elif action == "query":
                    services.relief_query(grant=grant, acting_user=user, question=data["question"])
                    done = "已向街道发出质询"
                else:
                    services.relief_answer(grant=grant, acting_user=user, answer=data["answer"])
                    done = "已答复县级质询"
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form, field_map={"amount": "__all__", "reason": "note"})
            else:
                messages.success(request, done)
                return redirect("relief_detail", pk=grant.pk)
    return render(
        request,
        "benefits/relief_detail.html",
        {
            "grant": grant,
            "special_clause": SPECIAL_CLAUSE if grant.is_special else "",
            "deductions": (
                [(label, getattr(grant, name)) for name, label in DEDUCTIONS] if grant.is_special else []
            ),
            "actions": actions,
            "forms": forms,
            "movement": getattr(grant, "movement", None) if grant.fund_id else None,
            # Before a decision the approver sees the person's grants of the last 12 months in every street.
            "prior_grants": (
                selectors.relief_prior_grants(grant=grant)
                if actions["street_decide"] or actions["county_decide"]
                else grant.prior_grants
            ),
        },
    )


@login_required
def relief_filed(request):
    """The county's list of what its streets paid from their reserve funds and filed."""
    user = request.user
    filings = [(v, label) for v, label in F.choices if v not in ("", F.PENDING)]
    q = ListQuery(request.GET)
    filters = {
        "filing": q.choice("filing", filings, "备案状态"),
        "kind": q.choice("kind", ReliefGrant.Kind.choices, "救助类型"),
        "community": q.region(),
        "month": q.month("month", "备案月份"),
        "sort": q.sort(FILED_SORTS),
    }
    qs = selectors.relief_filed(user=user, filing=filters["filing"])
    qs = narrow_to_region(qs, filters["community"], "household__community__code")
    if filters["kind"]:
        qs = qs.filter(kind=filters["kind"])
    if filters["month"]:
        qs = qs.filter(filed_at__year=filters["month"].year, filed_at__month=filters["month"].month)
    if filters["sort"]:
        qs = qs.order_by(*sort_order(filters["sort"], FILED_SORTS, "-filed_at"))
    page = list_page(request, qs, PAGE_SIZE)
    return render(
        request,
        "benefits/relief_filed.html",
        {
            "page": page,
            "filing": filters["filing"],
            "filings": filings,
            "kinds": ReliefGrant.Kind.choices,
            "filters": filters,
            "filter_notes": q.notes,
            "communities": filter_communities(user),
        },
    )
