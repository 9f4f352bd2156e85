"""/healthz: each dependency reported on its own, answered before host checking.

Answered by the first middleware, so Django never validates the Host header for it: docker-compose's check (which
calls http://127.0.0.1:8000/healthz) and a load balancer get an answer whatever ALLOWED_HOSTS says. The body names
each dependency: {"status": "ok"|"degraded"|"down", "database": "ok"|"error", "redis": "ok"|"error"|"not configured"}.
200 while the database answers (pages and the API work; without Redis tasks wait and throttling counts in
process), 503 when it does not.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger("jiekun.health")
PATH = "/healthz"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 — any driver error means the database is not answering
        logger.error("health: database unavailable: %s", exc)
        return "error"


def redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        logger.error("health: redis unavailable: %s", exc)
        return "error"


def health_response() -> JsonResponse:
    report = {"database": database_status(), "redis": redis_status()}
    if report["database"] != "ok":
        status, code = "down", 503
    elif report["redis"] == "error":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = JsonResponse({"status": status, **report}, status=code)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in {"GET", "HEAD"}:
            return health_response()
        return self.get_response(request)
