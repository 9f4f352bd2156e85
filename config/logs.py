"""One log line per event with time, level, user and request id; JSON in production (python-json-logger), plain
text in the embedded mode.

`RequestContextMiddleware` gives each request an id (the proxy's X-Request-ID when it is a plain token, else a new
one), answers it in the X-Request-ID header and keeps it and the signed-in user in context variables, which
`RequestContextFilter` adds to every record logged while the request runs.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
user_var: ContextVar[str] = ContextVar("user", default="-")
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user = user_var.get()
        return True


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _TOKEN.match(given) else uuid.uuid4().hex
        request_id_var.set(request_id)
        user = getattr(request, "user", None)
        user_var.set(user.get_username() if getattr(user, "is_authenticated", False) else "-")
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def logging_config(*, json_lines: bool, level: str, quiet_celery_trace: bool) -> dict:
    fields = "%(asctime)s %(levelname)s %(name)s %(user)s %(request_id)s %(message)s"
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": fields,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json_lines
        else {"format": "%(asctime)s %(levelname)s %(name)s user=%(user)s request=%(request_id)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "config.logs.RequestContextFilter"}},
        "formatters": {"line": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            **({"celery.app.trace": {"level": "WARNING"}} if quiet_celery_trace else {}),
        },
    }
