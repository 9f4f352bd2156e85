"""Pages for county and province officers: department API clients and keys; the access log for auditors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render

from accounts import permissions, services
from accounts.forms_api import ApiClientForm, ApiKeyForm
from accounts.models import AccessLog, ApiClient, Region
from accounts.scope import region_prefix, scope_filter
from common.errors import flash
from config.errors import PermissionDenied, ServiceError
from config.listing import ListQuery, list_page, sort_order


def _manager_or_403(request):
    user = request.user
    if not permissions.can_open_api_clients(user):
        return HttpResponseForbidden("只有县级、省级民政部门可以管理部门接口客户端")
    return None


def _clients(user):
    qs = ApiClient.objects.select_related("region").order_by("name")
    if permissions.sees_all_api_clients(user):
        return qs
    return scope_filter(qs, user, "region__code")


def _regions(user):
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    return qs if permissions.sees_all_api_clients(user) else scope_filter(qs, user, "code")


@login_required
def client_list(request):
    if denied := _manager_or_403(request):
        return denied
    q = ListQuery(request.GET)
    filters = {
        "q": q.text("q"),
        "state": q.choice("state", CLIENT_STATES, "状态"),
        "sort": q.sort(CLIENT_SORTS),
    }
    clients = _clients(request.user).prefetch_related("keys")
    if filters["q"]:
        clients = clients.filter(Q(name__contains=filters["q"]) | Q(department__contains=filters["q"]))
    if filters["state"]:
        clients = clients.filter(is_active=filters["state"] == "active")
    page = list_page(request, clients.order_by(*sort_order(filters["sort"], CLIENT_SORTS, "name")))
    return render(
        request,
        "accounts/api_clients.html",
        {"clients": page, "page": page, "filters": filters, "filter_notes": q.notes, "states": CLIENT_STATES},
    )


CLIENT_STATES = (("active", "启用"), ("inactive", "停用"))
CLIENT_SORTS = {"name": "name", "department": "department", "region": "region__code"}


@login_required
def client_edit(request, pk: int | None = None):
    if denied := _manager_or_403(request):
        return denied
    client = get_object_or_404(_clients(request.user), pk=pk) if pk else None
    initial = (
        {
            "name": client.name,
            "department": client.department,
            "scopes": client.scopes,
            "region": client.region,
            "rate_per_minute": client.rate_per_minute,
            "is_active": client.is_active,
        }
        if client
        else None
    )
    form = ApiClientForm(request.POST or None, initial=initial, regions=_regions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.api_client_save(
                acting_user=request.user, values=form.cleaned_data, client=client
            )
        except ServiceError as exc:
            for err in exc.errors:
                form.add_error(err["field"] if err["field"] in form.fields else None, err["message"])
        else:
            messages.success(request, f"已保存客户端“{saved.name}”")
            return redirect("api_client_detail", pk=saved.pk)
    return render(request, "accounts/api_client_form.html", {"form": form, "client": client})


@login_required
def client_detail(request, pk: int):
    if denied := _manager_or_403(request):
        return denied
    client = get_object_or_404(_clients(request.user).prefetch_related("keys"), pk=pk)
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.api_key_issue(
                acting_user=request.user, client=client, days=form.cleaned_data["days"]
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "accounts/api_client_detail.html",
        {"client": client, "keys": list(client.keys.all()), "form": form, "new_key": new_key},
    )


@login_required
def key_revoke(request, pk: int, key_id: int):
    if denied := _manager_or_403(request):
        return denied
    if request.method != "POST":
        raise Http404
    client = get_object_or_404(_clients(request.user), pk=pk)
    key = get_object_or_404(client.keys.select_related("client"), pk=key_id)
    try:
        services.api_key_revoke(acting_user=request.user, key=key)
        messages.success(request, f"已吊销密钥 {key.prefix}…")
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    return redirect("api_client_detail", pk=client.pk)


@login_required
def access_log(request):
    """Every API read of personal data; auditors see all, province officers their province."""
    user = request.user
    if not permissions.can_read_access_log(user):
        return HttpResponseForbidden("只有审计/纪检与省级民政部门可以查看访问日志")
    if region_prefix(user) is None:
        raise Http404
    q = ListQuery(request.GET)
    filters = {
        "subject": q.text("subject"),
        "source": q.choice("source", ACCESS_SOURCES, "访问方"),
        "month": q.month("month", "访问月份"),
        "sort": q.sort(ACCESS_SORTS),
    }
    qs = AccessLog.objects.select_related("client", "user")
    if filters["subject"]:
        qs = qs.filter(subject=filters["subject"])
    if filters["source"]:
        qs = qs.filter(client__isnull=filters["source"] == "staff")
    if filters["month"]:
        qs = qs.filter(at__year=filters["month"].year, at__month=filters["month"].month)
    page = list_page(request, qs.order_by(*sort_order(filters["sort"], ACCESS_SORTS, "-at")), 50)
    return render(
        request,
        "accounts/access_log.html",
        {
            "page": page,
            "subject": filters["subject"],
            "filters": filters,
            "filter_notes": q.notes,
            "sources": ACCESS_SOURCES,
        },
    )


ACCESS_SOURCES = (("api", "部门接口"), ("staff", "工作人员"))
ACCESS_SORTS = {"at": "at", "count": "count", "endpoint": "endpoint"}
