"""POST /api/v1/eligibility/evaluate: same body, same answer as the command (policy.md §7)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from eligibility.tests.factories import member_json, request

pytestmark = [pytest.mark.django_db, pytest.mark.urls("eligibility.tests.urls")]

URL = "/api/v1/eligibility/evaluate"


@pytest.fixture
def api(client):
    user = User.objects.create_user(
        "caseworker", password="not-a-real-pass-1", role=User.Role.CASEWORKER, region_id="360102002001"
    )
    client.force_login(user)
    return client


def post(client, body) -> tuple[int, dict]:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    response = client.post(URL, data=raw, content_type="application/json")
    return response.status_code, json.loads(response.content)


def command(body) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("evaluate", "-", stdin=io.StringIO(json.dumps(body)), stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_requires_login(client):
    response = client.post(
        URL, data=json.dumps(request(member_json(income="300"))), content_type="application/json"
    )
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Api-Key"
    [error] = response.json()["errors"]
    assert error["field"] == "__all__"


def test_same_output_as_the_command(api):
    body = request(
        member_json(income="300"),
        member_json(income="900", disability_grade=2),
        hardship_causes=["illness"],
        monthly_rigid_expenditure="100",
    )
    status, data = post(api, body)
    assert status == 200
    assert (0, data) == command(body)
    # pci 600 ≥ 580 → not dibao; within 870 with a cause → zhichu; dpci (1200 − 100) / 2 = 550 → into dibao
    assert data["categories"] == ["zhichu"]
    assert data["per_capita_income"] == "600.00"
    assert data["zhichu"] == {
        "eligible": True,
        "dibao_via_expenditure": True,
        "disposable_per_capita": "550.00",
        "subsidy": "60.00",
    }
    assert data["members"][1]["amounts"] == {
        "tekun_basic": "0.00",
        "orphan": "0.00",
        "care": "0.00",
        "disability_living": "60.00",
        "disability_care": "70.00",
    }
    assert data["total_monthly"] == "190.00"


def test_exact_body_for_the_example(api):
    status, data = post(api, request(member_json(income="300")))
    assert status == 200
    assert data["dibao_subsidy"] == "280.00"
    assert data["per_capita_income"] == "300.00"
    assert data["total_monthly"] == "280.00"


def test_bad_input_is_400_with_the_same_errors(api):
    body = request(member_json(income="-1"), member_json(income="1", orphan="street"), region="369999")
    status, data = post(api, body)
    assert status == 400
    assert data == {
        "errors": [
            {"field": "region", "message": "区划代码 369999 不存在"},
            {"field": "household.members[0].monthly_income", "message": "不能为负数"},
            {
                "field": "household.members[1].orphan",
                "message": "未知的取值：street（可选：scattered、institutional）",
            },
        ]
    }
    assert command(body) == (1, data)


def test_missing_standard_is_400(api):
    status, data = post(api, request(member_json(income="300"), as_of="2017-12-31"))
    assert status == 400
    assert [e["field"] for e in data["errors"]] == ["standards"]


def test_invalid_json_body_is_400_in_the_same_format(api):
    status, data = post(api, "{not json")
    assert status == 400
    assert data == {"errors": [{"field": "__all__", "message": "请求体不是有效的 JSON"}]}


def test_non_object_body(api):
    status, data = post(api, "[1, 2]")
    assert status == 400
    assert data == {"errors": [{"field": "__all__", "message": "应为 JSON 对象"}]}


def test_get_is_not_allowed(api):
    assert api.get(URL).status_code == 405
