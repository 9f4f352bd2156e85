"""Logs are one line per event with time, level, user and request id, JSON in production (issue 17 item 5)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from config.logs import RequestContextFilter, logging_config

pytestmark = pytest.mark.django_db


def test_a_request_logs_one_json_line_with_user_and_request_id(client, caseworker):
    spec = dict(logging_config(json_lines=True, level="INFO", quiet_celery_trace=True)["formatters"]["line"])
    spec.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(spec["format"], rename_fields=spec["rename_fields"]))
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.force_login(caseworker)
        response = client.get("/households/999999999/", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404 and response["X-Request-ID"] == "req-42"
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert (line["level"], line["logger"], line["user"], line["request_id"]) == (
        "WARNING",
        "django.request",
        "cw",
        "req-42",
    )
    assert line["time"][:2] == "20" and "Not Found" in line["message"]


def test_a_forged_request_id_is_replaced(client):
    response = client.get("/login/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"].isalnum()
