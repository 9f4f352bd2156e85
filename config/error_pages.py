"""The error pages: 403, 404, CSRF failure and 500 in plain Chinese with a way back (the previous page when it
is ours, and 我的待办), and the API's one JSON error format under /api/.

Many views refuse with a bare `HttpResponseForbidden("只有本社区的社区工作人员可以……")`; RefusalPageMiddleware
puts such a sentence into the 403 page, so every refusal reads as a page with a way back, not as a blank
line of text.
"""

from __future__ import annotations

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

API = "/api/"
DEFAULT_403 = "这项工作不在您的职责或负责范围内。"


def _api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": "__all__", "message": message}]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _back(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _is_chinese_sentence(text: str) -> bool:
    """A refusal written for people (services and views write Chinese); anything else (an English exception
    text, an internal code) is not shown."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text) and len(text) <= 300 and "<" not in text


def forbidden_page(request, message: str = ""):
    message = message if _is_chinese_sentence(message) else DEFAULT_403
    return render(request, "403.html", {"message": message, "back": _back(request)}, status=403)


def permission_denied(request, exception=None):
    if request.path.startswith(API):
        return _api_error("无权进行此操作", 403)
    text = str(exception) if exception is not None else ""
    return forbidden_page(request, text)


def page_not_found(request, exception=None):
    if request.path.startswith(API):
        return _api_error("未找到", 404)
    return render(request, "404.html", {"back": _back(request)}, status=404)


def csrf_failure(request, reason: str = ""):
    if request.path.startswith(API):
        return _api_error("请求已过期或来源不明，请重新提交", 403)
    return render(request, "403_csrf.html", {"back": _back(request)}, status=403)


def server_error(request):
    """A crash still answers the API's one error format; pages get the plain Chinese page, rendered without the
    request's context (which may be what failed)."""
    if request.path.startswith(API):
        return _api_error("服务器内部错误，已记录，请稍后重试", 500)
    return HttpResponseServerError(loader.get_template("500.html").render())


class RefusalPageMiddleware:
    """A page's bare-text 403 becomes the 403 page carrying the same sentence."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 403
            and not request.path.startswith(API)
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
        ):
            body = response.content.decode(response.charset or "utf-8", "replace").strip()
            if not body.lower().startswith(("<!doctype", "<html")):
                return forbidden_page(request, body)
        return response
