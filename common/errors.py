"""Errors, once: the error type services raise, the API's one JSON error body, and the one way a page puts a
service's errors on its form.

The body is `{"errors": [{"field": ..., "message": ...}]}` for every failure the API reports (400, 401,
403, 404, 405, 409, 413, 415, 429): `field` is the dotted path of the input at fault
(`household.members[0].id_number`), or `__all__` when the fault is not one field's. Messages are Chinese.

Services raise `ServiceError` (or `PermissionDenied`); the API's exception handler answers it with 400 (403)
and that body; a page calls `apply_to_form` to show each message next to its field (the rest above the form),
or `flash` when there is no form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

ALL = "__all__"


class ServiceError(Exception):
    """The one error type services raise: a code and a list of {"field", "message"}."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "invalid",
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        self.code = code
        self.errors = list(errors or [])
        if message:
            self.errors.insert(0, {"field": field or ALL, "message": message})
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in self.errors))

    @property
    def message(self) -> str:
        return self.errors[0]["message"] if self.errors else ""

    def as_json(self) -> dict:
        return error_body(self.errors)


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "无权进行此操作", **kw) -> None:
        super().__init__(message, code="forbidden", **kw)


# ---------------------------------------------------------------------------------------------------
# The JSON body


def error_body(errors: Iterable[Mapping[str, str]]) -> dict[str, list[dict[str, str]]]:
    """{"errors": [{"field": ..., "message": ...}]}, from (field, message) mappings."""
    return {"errors": [{"field": e["field"], "message": e["message"]} for e in errors]}


def message_body(message: str, field: str = ALL) -> dict[str, list[dict[str, str]]]:
    """The body of a single message."""
    return error_body([{"field": field, "message": message}])


def flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list with dotted paths (`members[0].id_number`)."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = ALL if key == "non_field_errors" else key
            out += flatten(value, f"{prefix}.{name}" if prefix else str(name))
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                out += flatten(value, f"{prefix}[{i}]")
            else:
                out.append({"field": prefix or ALL, "message": str(value)})
    else:
        out.append({"field": prefix or ALL, "message": str(detail)})
    return out


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error the API reports, in the one body."""
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.http import Http404
    from rest_framework import exceptions, status
    from rest_framework.response import Response
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, PermissionDenied):
        return Response(exc.as_json(), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ServiceError):
        return Response(exc.as_json(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied("无权访问")
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(flatten(exc.detail))
    else:
        response.data = message_body(str(getattr(exc, "detail", exc)))
    return response


# ---------------------------------------------------------------------------------------------------
# Pages


def apply_to_form(
    exc: ServiceError,
    form,
    *,
    field_map: Mapping[str, str] | None = None,
    strip_prefix: str = "",
    formsets: Mapping[str, Sequence[Any]] | None = None,
) -> None:
    """Put each of the service's messages next to its field on `form`; a message for no field of the form
    goes above it (a non-field error), so none is lost.

    `field_map` renames service fields to form fields; `strip_prefix` drops a path prefix
    (`standards.dibao` → `dibao`); `formsets` maps a list name to the forms of a formset in the service's
    order, so `members[1].id_number` lands on the second member's `id_number`."""
    field_map = field_map or {}
    for err in exc.errors:
        name = field_map.get(err["field"], err["field"]).removeprefix(strip_prefix)
        if formsets and "[" in name and "]." in name:
            list_name, rest = name.split("[", 1)
            index, sub = rest.split("].", 1)
            forms = formsets.get(list_name)
            if forms is not None and index.isdigit() and int(index) < len(forms):
                target = forms[int(index)]
                if sub in target.fields:
                    target.add_error(sub, err["message"])
                    continue
        form.add_error(name if name in form.fields else None, err["message"])


def flash(request, exc: ServiceError) -> None:
    """Show every message of the service error at the top of the next page (for actions without a form)."""
    from django.contrib import messages

    for err in exc.errors or [{"message": str(exc)}]:
        messages.error(request, err["message"])


@csrf_exempt  # it changes nothing; a POST to a wrong path must get this JSON 404, not the HTML CSRF page
def api_not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint: the one JSON error body, 404 (never an HTML page, and
    never a redirect to an added slash: the API's paths end without one)."""
    from django.urls import Resolver404, resolve

    message = "接口不存在，请对照接口文档 /api/docs/ 核对路径"
    if request.path.endswith("/") and len(request.path) > 1:
        try:
            match = resolve(request.path.rstrip("/"))
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message = f"接口路径末尾不带斜杠，请改为 {request.path.rstrip('/')}"
    return JsonResponse(message_body(message), status=404, json_dumps_params={"ensure_ascii": False})
