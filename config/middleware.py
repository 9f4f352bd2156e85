"""Requests no view should see: NUL characters, bodies over the size limits, forms with too many fields.

PostgreSQL refuses text holding a NUL character, so a NUL in the path or the query string would reach the database
as a server error in whichever view passed it on. It is never meaningful input: such a request is answered 400 here,
before any view, with the API's one error format under /api/ and a short Chinese page elsewhere.

Body limits (issue 20 item 3), checked before any view or CSRF check reads the body:
- a body that is not a file upload: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (DRF's parsers read the raw stream
  and would not see Django's own check, so the declared Content-Length is checked here for every endpoint);
- a multipart upload: at most UPLOAD_MAX_BYTES, or the view's own cap (`request_max_bytes`) where a view takes
  larger files (department extracts);
- a form: at most DATA_UPLOAD_MAX_NUMBER_FIELDS fields.
Over a limit: 413 (size) or 400 (fields) with the limit in Chinese, never a 500.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse

MESSAGE = "请求中含有不允许的空字符（NUL）"


def refusal(request, message: str, status: int, field: str = "__all__") -> HttpResponse:
    """The API's one JSON error body under /api/, a short Chinese text page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": [{"field": field, "message": message}]},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(query.replace("+", " ")):
            return refusal(request, MESSAGE, 400)
        return self.get_response(request)


def request_max_bytes(setting: str):
    """Mark a view (function, Django or DRF class) as taking uploads up to `settings.<setting>` bytes."""

    def mark(view):
        view.max_request_setting = setting
        return view

    return mark


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


class RequestLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    @staticmethod
    def _limit(request, view_func) -> int:
        if not request.content_type.startswith("multipart/"):
            return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        for holder in (view_func, getattr(view_func, "view_class", None), getattr(view_func, "cls", None)):
            name = getattr(holder, "max_request_setting", None)
            if name:
                return int(getattr(settings, name))
        return settings.UPLOAD_MAX_BYTES

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in {"POST", "PUT", "PATCH"}:
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(request, "请求头 Content-Length 无效", 400)
        limit = self._limit(request, view_func)
        if length > limit:
            return refusal(request, f"提交的内容过大（{_mb(length)}），上限为 {_mb(limit)}", 413)
        if request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
            try:
                request.POST  # noqa: B018 — parsed here so a limit is refused before CSRF or a view reads it
            except TooManyFieldsSent:
                return refusal(
                    request, f"表单字段过多，上限为 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个", 400
                )
            except RequestDataTooBig:
                return refusal(request, f"提交的内容过大，上限为 {_mb(limit)}", 413)
        return None
