"""The whole OpenAPI schema, fuzzed with schemathesis against the app in-process: no input may cause a
server error, and every documented response must match its schema. Requests carry a department key that
holds every scope, and a stated purpose, so the endpoints behind them are reached too."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import ApiClient
from accounts.services import api_client_save, api_key_issue
from config.wsgi import application


@pytest.fixture
def api_schema(db):
    # Calls go straight to the WSGI app, not through Django's test client, so keep the request signals
    # from closing the test's own database connection (its transaction holds the fixtures).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def department_key(db, make_user):
    from django.core.cache import cache

    cache.clear()
    province = make_user("province", "360000")
    client = api_client_save(
        acting_user=province,
        values={
            "name": "全权限测试",
            "department": "测试",
            "scopes": list(ApiClient.SCOPES),
            "region": None,
            "rate_per_minute": 100000,
        },
    )
    return api_key_issue(acting_user=province, client=client)[1]


def test_no_server_error_and_responses_match_the_schema(api_schema, department_key):
    headers = {"Authorization": f"Api-Key {department_key}", "X-Purpose": "接口契约测试"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        exercise()


def test_schema_is_served_and_describes_the_department_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/eligibility/evaluate" in paths and "/api/v1/eligibility/standards/effective" in paths
    assert "ApiKey" in response.json()["components"]["securitySchemes"]


def test_docs_are_served_from_our_own_static_files(client):
    body = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in body and "cdn" not in body.lower() and "//unpkg" not in body
