"""Pages of the household import: the template, the upload, the preview with every error, confirm or discard,
and the small JSON the progress bar polls (ledgers/static/ledgers/progress.js). Anything outside the user's
scope is a 404, as everywhere."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import Region
from accounts.personal_exports import personal_export_response
from accounts.scope import filter_communities, scope_filter
from common.background import sweep_when_embedded
from common.errors import flash
from common.spreadsheets import Sheet, csv_response, workbook_response
from config.errors import PermissionDenied, ServiceError
from config.listing import ListQuery, list_page
from imports import selectors
from imports import services as imports
from imports import workbook as importing
from imports.models import ImportBatch

PAGE = 50


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件（.xlsx、.xls、.ods）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods"}),
    )


def _batches(user):
    return selectors.import_scope(user=user)


def _batch(user, pk: int) -> ImportBatch:
    return get_object_or_404(_batches(user).select_related("uploaded_by", "region"), pk=pk)


@login_required
def import_home(request):
    user = request.user
    may_upload = permissions.can_import_households(user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_upload:
            return HttpResponseForbidden("只有县级、街道民政和社区工作人员可以导入本辖区的家庭台账")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = imports.import_upload(acting_user=user, file=upload, original_name=upload.name)
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                for err in exc.errors:
                    form.add_error("file" if err["field"] == "file" else None, err["message"])
            else:
                messages.success(request, f"已上传“{batch.original_name}”，正在逐行校验")
                return redirect("import_detail", pk=batch.pk)
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", ImportBatch.Status.choices, "状态"),
        "community": q.region(),
        "month": q.month("month", "上传月份"),
        "sort": q.sort(selectors.IMPORT_SORTS),
    }
    page = list_page(request, selectors.import_list(user=user, **filters), PAGE)
    return render(
        request,
        "imports/import_home.html",
        {
            "form": form,
            "may_upload": may_upload,
            "page": page,
            "columns": importing.COLUMNS,
            "explanation": importing.EXPLANATION,
            "max_rows": importing.MAX_ROWS,
            "may_enrol": permissions.imports_enrolments(user),
            "filters": filters,
            "filter_notes": q.notes,
            "statuses": ImportBatch.Status.choices,
            "communities": filter_communities(user),
        },
    )


@login_required
@require_GET
def import_template(request):
    """The empty template with its explanation, an example and the communities the user may import into."""
    user = request.user
    if not permissions.can_import_households(user):
        return HttpResponseForbidden("只有县级、街道民政和社区工作人员可以导入本辖区的家庭台账")
    communities = (
        scope_filter(Region.objects.filter(level=Region.Level.COMMUNITY), user, "code")
        .annotate(street=F("parent__name"))
        .order_by("code")
        .values_list("code", "name", "street")
    )
    return workbook_response("家庭台账导入模板.xlsx", importing.template_sheets(communities.iterator()))


@login_required
def import_detail(request, pk: int):
    sweep_when_embedded("import")
    batch = _batch(request.user, pk)
    issues = Paginator(batch.issues.order_by("id"), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/import_detail.html",
        {
            "batch": batch,
            "issues": issues,
            "progress": imports.progress_of(batch),
            "is_owner": batch.uploaded_by_id == request.user.pk,
            "stuck": imports.import_is_stuck(batch),
            "issues_hidden": max(0, batch.error_count - issues.paginator.count),
        },
    )


ISSUE_HEADER = ("行号", "列", "列名", "错误", "原值")


def _issue_rows(batch: ImportBatch):
    return batch.issues.order_by("line", "column", "id").values_list(
        "line", "column", "label", "message", "value"
    )


@login_required
@require_GET
def import_issues_export(request, pk: int, ext: str):
    """The batch's errors as a workbook or CSV (the same rows as the page, through the one writer: a value the
    uploader typed that looks like a formula comes back as text). Values may name people: logged as a read."""
    batch = _batch(request.user, pk)
    name = f"台账导入#{batch.pk}错误清单"
    if ext == "csv":
        from accounts.services import access_log_record

        access_log_record(
            request=request, what=f"导出{name}（CSV）", purpose="导入纠错", count=batch.issues.count()
        )
        response = csv_response(f"{name}.csv", ISSUE_HEADER, _issue_rows(batch).iterator())
        response["Cache-Control"] = "private, no-store"
        return response
    return personal_export_response(
        request,
        filename=f"{name}.xlsx",
        what=f"导出{name}",
        purpose="导入纠错",
        sheets=[
            Sheet(
                "错误清单",
                ISSUE_HEADER,
                _issue_rows(batch).iterator(),
                caption=[f"{name}：{batch.original_name}（共{batch.error_count}处）"],
            )
        ],
    )


@login_required
def import_status(request, pk: int):
    return JsonResponse(imports.progress_of(_batch(request.user, pk)))


@login_required
@require_POST
def import_decide(request, pk: int, action: str):
    batch = _batch(request.user, pk)
    service, done = {
        "confirm": (imports.import_confirm, "已确认，正在导入"),
        "discard": (imports.import_discard, "已放弃，本文件不导入"),
        "retry": (imports.import_retry, "已重新排队处理"),
        "abandon": (imports.import_abandon, "已放弃，本文件不导入"),
    }[action]
    try:
        service(acting_user=request.user, batch=batch)
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
    else:
        messages.success(request, done)
    return redirect("import_detail", pk=batch.pk)
