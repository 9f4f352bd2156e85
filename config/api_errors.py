"""One JSON error format for the whole API: {"errors": [{"field": ..., "message": ...}]}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from config.errors import PermissionDenied, ServiceError


def _flatten(detail, prefix: str = "") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "__all__" if key == "non_field_errors" else key
            out += _flatten(value, f"{prefix}.{name}" if prefix else str(name))
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                out += _flatten(value, f"{prefix}[{i}]")
            else:
                out.append({"field": prefix or "__all__", "message": str(value)})
    else:
        out.append({"field": prefix or "__all__", "message": str(detail)})
    return out


def exception_handler(exc, context):
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
        response.data = {"errors": _flatten(exc.detail)}
    else:
        response.data = {"errors": [{"field": "__all__", "message": str(getattr(exc, "detail", exc))}]}
    return response


@csrf_exempt  # it changes nothing; a POST to a wrong path must get this JSON 404, not the HTML CSRF page
def not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint: the one JSON error body, 404 (never an HTML page, and
    never a redirect to an added slash: the API's paths end without one)."""
    from django.http import JsonResponse
    from django.urls import Resolver404, resolve

    message = "接口不存在，请对照接口文档 /api/docs/ 核对路径"
    if request.path.endswith("/") and len(request.path) > 1:
        try:
            match = resolve(request.path.rstrip("/"))
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            message = f"接口路径末尾不带斜杠，请改为 {request.path.rstrip('/')}"
    return JsonResponse(
        {"errors": [{"field": "__all__", "message": message}]},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
