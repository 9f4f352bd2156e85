"""Requests no view should see.

PostgreSQL refuses text holding a NUL character, so a NUL in the path or the query string would reach the database
as a server error in whichever view passed it on. It is never meaningful input: such a request is answered 400 here,
before any view, with the API's one error format under /api/ and a short Chinese page elsewhere.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "请求中含有不允许的空字符（NUL）"


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(query.replace("+", " ")):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"errors": [{"field": "__all__", "message": MESSAGE}]},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
