"""The whole OpenAPI schema, fuzzed with schemathesis against the app in-process, every operation and then
the stateful phase that follows the schema's links (extract upload → read, errors, load, discard; lists →
person lookup; evaluate → standards in force). Every answer must be declared (status, content type,
headers, body schema), no input may cause a server error, invalid input must be refused.

Requests carry a department key that holds every scope and a stated purpose, so the endpoints behind them
are reached too. Bounded and repeatable: a fixed number of examples, derandomised (the same cases on
every run), about a minute on an idle machine.

Checks left out, and why:
- positive_data_acceptance expects 2xx for anything the schema allows; the API also checks what a schema
  cannot say (an ID number's checksum, that a region code exists, an extract's state), and answers 400 —
  declared, with the Error body.
- ignored_auth calls operations with no credentials and expects 401; the public standards take none.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks

from accounts.models import ApiClient
from accounts.services import api_client_save, api_key_issue
from config.wsgi import application

EXAMPLES_PER_OPERATION = 25
STATEFUL = settings(
    max_examples=40,
    stateful_step_count=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
LEFT_OUT = {"positive_data_acceptance", "ignored_auth"}


def checks():
    load_all_checks()
    return [check for check in CHECKS.get_all() if check.__name__ not in LEFT_OUT]


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
def headers(db, make_user, caseworker, street_officer, county_officer):
    from django.core.cache import cache

    from applications.tests.factories import application_at, standard_make
    from conftest import HOME_COMMUNITY, make_id
    from households.tests.factories import household_make

    cache.clear()
    standard_make(year=2018)
    household = household_make(community_id=HOME_COMMUNITY, members=2)
    application_at(
        "approved", household=household, caseworker=caseworker, street=street_officer, county=county_officer
    )
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
    key = api_key_issue(acting_user=province, client=client)[1]
    # One checked extract of the client's, so the links from the list to the reads have something to follow.
    from accounts.api_auth import DepartmentPrincipal
    from ledgers.services import extract_upload
    from ledgers.tests.factories import PERIOD, csv_upload

    extract_upload(
        principal=DepartmentPrincipal(client),
        file=csv_upload(["身份证号码", "姓名", "死亡日期"], [[make_id(), "甲", "2025-08-01"]]),
        original_name="death.csv",
        kind="death",
        period=PERIOD,
        mode="check",
    )
    return {"Authorization": f"Api-Key {key}", "X-Purpose": "interface_test"}


def test_every_operation_answers_only_what_it_declares(api_schema, headers):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 17

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case):
            case.call_and_validate(headers=headers, checks=checks())

        exercise()


def test_stateful_phase_follows_the_links_without_a_failure(api_schema, headers):
    machine = api_schema.as_state_machine()
    followed: list[str] = []

    class Workflow(machine):
        def before_call(self, case):
            # The key and purpose win over what schemathesis generates for the Authorization header.
            case.headers = {**(case.headers or {}), **headers}

        def after_call(self, response, case):
            followed.append(f"{case.method} {case.path} {response.status_code}")

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=checks(), transport_kwargs=kwargs)

    Workflow.run(settings=STATEFUL)
    # The links were taken: an extract's id, read from the list, opened its reads (a made-up id is a 404).
    reads = {"GET /api/v1/ledgers/extracts/{id} 200", "GET /api/v1/ledgers/extracts/{id}/errors 200"}
    assert reads & set(followed), "\n".join(sorted(set(followed)))


def test_schema_is_served_and_describes_the_department_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/eligibility/evaluate" in paths and "/api/v1/eligibility/standards/effective" in paths
    assert "ApiKey" in response.json()["components"]["securitySchemes"]
    links = paths["/api/v1/ledgers/extracts"]["post"]["responses"]["202"]["links"]
    assert links["GetExtract"] == {
        "operationId": "ledgers_extracts_retrieve",
        "parameters": {"id": "$response.body#/id"},
    }


def test_docs_are_served_from_our_own_static_files(client):
    body = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in body and "cdn" not in body.lower() and "//unpkg" not in body
