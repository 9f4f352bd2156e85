"""The OpenAPI schema as a contract a generator can use: one Error component for every failure an
operation can answer, one request content type per operation, named enums, the typed `evaluate`
request and response, one trailing-slash rule, JSON 404 for unknown API paths, only the authentication
each endpoint accepts, and the X-Purpose header readable in Chinese."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.cache import cache

from accounts.models import AccessLog, ApiClient
from accounts.purposes import PURPOSES, PurposeError, decode_purpose
from accounts.services import api_client_save, api_key_issue
from conftest import make_id
from eligibility import io

ERROR_REF = {"$ref": "#/components/schemas/Error"}
DEPARTMENT_TAGS = {"persons", "lists", "leads", "ledgers"}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_declares_its_failures_with_the_one_error_component(schema):
    ops = list(operations(schema))
    assert len(ops) == 17
    for path, method, operation in ops:
        responses = operation["responses"]
        expected = {"400", "403", "404", "406", "409", "429"}
        if operation.get("security") != [{}]:
            expected.add("401")
        if method == "post":
            expected |= {"413", "415"}
        errors = {code for code in responses if code >= "400"}
        assert errors == expected, (path, method)
        for code in errors:
            assert responses[code]["content"] == {"application/json": {"schema": ERROR_REF}}, (path, code)
    assert schema["components"]["schemas"]["Error"]["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/ErrorItem"
    }


def test_one_request_content_type_per_operation_and_multipart_only_for_the_file(schema):
    bodies = {
        (path, method): list(op["requestBody"]["content"])
        for path, method, op in operations(schema)
        if "requestBody" in op
    }
    assert bodies == {
        ("/api/v1/eligibility/evaluate", "post"): ["application/json"],
        ("/api/v1/leads", "post"): ["application/json"],
        ("/api/v1/ledgers/extracts", "post"): ["multipart/form-data"],
    }


def test_paths_follow_one_rule_no_trailing_slash(schema):
    assert [path for path in schema["paths"] if path.endswith("/")] == []


def test_each_endpoint_offers_only_the_authentication_it_accepts(schema):
    for path, _method, op in operations(schema):
        tag = op["tags"][0]
        if tag in DEPARTMENT_TAGS:
            assert op["security"] == [{"ApiKey": []}], path
        elif tag == "applications":
            assert op["security"] == [{"cookieAuth": []}], path
    securities = {
        path: op.get("security")
        for path, _m, op in operations(schema)
        if path.startswith("/api/v1/eligibility/")
    }
    assert securities == {
        "/api/v1/eligibility/evaluate": [{"ApiKey": []}, {"cookieAuth": []}],
        "/api/v1/eligibility/standards": [{}],
        "/api/v1/eligibility/standards/effective": [{}],
    }


def _inline_enums(node, where=""):
    """Every `enum` that is not itself a component schema."""
    found = []
    if isinstance(node, dict):
        if "enum" in node:
            found.append(where)
        for key, value in node.items():
            found += _inline_enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _inline_enums(value, f"{where}/{i}")
    return found


def test_enums_are_named_components(schema):
    assert _inline_enums(schema["paths"], "paths") == []
    components = schema["components"]["schemas"]
    for name, component in components.items():
        inline = [w for w in _inline_enums(component, name) if w != name]
        assert inline == [], inline
    assert components["RelationEnum"]["enum"] == list(io.RELATIONS)
    assert "LinkedBenefitCodeEnum" in components and "CategoryEnum" in components


def test_evaluate_request_and_response_are_typed_schemas_drawn_from_the_parser(schema):
    op = schema["paths"]["/api/v1/eligibility/evaluate"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EvaluateRequest"
    }
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EvaluateResult"
    }
    components = schema["components"]["schemas"]
    assert list(components["EvaluateRequest"]["properties"]) == list(io.TOP_KEYS)
    assert set(components["EvaluateHouseholdRequest"]["properties"]) == set(io.HOUSEHOLD_KEYS)
    assert set(components["EvaluateMemberRequest"]["properties"]) == set(io.MEMBER_KEYS)
    assert components["EvaluateMemberRequest"]["required"] == ["id_number", "monthly_income"]
    assert set(components["EvaluatePropertyRequest"]["properties"]) == set(io.PROPERTY_KEYS)


def _keys_match(value, schema_node, components, where="$"):
    """Every key of a real response is in its schema and every property of the schema in the response."""
    if "$ref" in schema_node:
        return _keys_match(value, components[schema_node["$ref"].rsplit("/", 1)[1]], components, where)
    for choice in schema_node.get("oneOf", []) + schema_node.get("allOf", []):
        if "$ref" in choice and value is not None:
            return _keys_match(value, choice, components, where)
    if isinstance(value, dict) and "properties" not in schema_node:  # a map: every value of its one kind
        assert isinstance(schema_node.get("additionalProperties"), dict), where
        for key, item in value.items():
            _keys_match(item, schema_node["additionalProperties"], components, f"{where}.{key}")
    elif isinstance(value, dict):
        assert set(value) == set(schema_node["properties"]), where
        for key, item in value.items():
            _keys_match(item, schema_node["properties"][key], components, f"{where}.{key}")
    elif isinstance(value, list) and value and "items" in schema_node:
        _keys_match(value[0], schema_node["items"], components, f"{where}[0]")


@pytest.mark.django_db
def test_a_real_evaluate_answer_has_exactly_the_schema_keys(schema, client, caseworker):
    from applications.tests.factories import standard_make

    standard_make(year=2018)
    client.force_login(caseworker)
    body = {
        "region": "360102",
        "as_of": "2018-06-01",
        "household": {"members": [{"id_number": make_id("19490101"), "monthly_income": "300"}]},
    }
    response = client.post("/api/v1/eligibility/evaluate", body, content_type="application/json")
    assert response.status_code == 200, response.content
    components = schema["components"]["schemas"]
    _keys_match(response.json(), {"$ref": "#/components/schemas/EvaluateResult"}, components)
    assert set(response.json()["members"][0]["amounts"]) == set(components["MemberAmounts"]["properties"])


# ---------------------------------------------------------------------------------------------------
# Unknown paths


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_answer_the_json_404(client, caseworker, method):
    client.force_login(caseworker)
    client.handler.enforce_csrf_checks = True  # a signed-in browser's POST without a token: still JSON
    response = getattr(client, method)("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [{"field": "__all__", "message": "接口不存在，请对照接口文档 /api/docs/ 核对路径"}]
    }
    assert client.get("/api/nothing/here/").status_code == 404


@pytest.mark.django_db
def test_a_trailing_slash_is_not_redirected_but_answered_with_the_right_path(client):
    response = client.post("/api/v1/leads/", {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == "接口路径末尾不带斜杠，请改为 /api/v1/leads"


# ---------------------------------------------------------------------------------------------------
# X-Purpose


def raw_utf8(text: str) -> str:
    """What Django sees when a client puts UTF-8 bytes in a header: each byte as an ISO-8859-1 character."""
    return text.encode("utf-8").decode("latin-1")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("medical_aid", "医疗救助资格核对"),
        (quote("医保缴费资助核对"), "医保缴费资助核对"),
        ("UTF-8''" + quote("医保缴费资助核对"), "医保缴费资助核对"),
        ("utf-8'zh-CN'" + quote("医保 核对"), "医保 核对"),
        ("annual audit", "annual audit"),
        ("  %E6%A0%B8%E5%AF%B9  ", "核对"),
    ],
)
def test_a_purpose_is_read_from_a_code_or_percent_encoded_utf8(sent, stored):
    assert decode_purpose(sent) == stored


@pytest.mark.parametrize(
    ("sent", "says"),
    [
        (raw_utf8("医保核对"), "未编码的非 ASCII 字符"),
        ("%E5%8C", "不是有效的 UTF-8"),
        (quote("医保".encode("gbk")), "不是有效的 UTF-8"),
        ("%ZZ", "百分号编码不完整"),
        ("%E5%8C%B", "百分号编码不完整"),
        ("GBK''%D2%BD", "只接受 UTF-8"),
        ("%00", "控制字符"),
        (quote("医\u202e保"), "控制字符"),
        ("%20%20", "解码后为空"),
        (quote("核" * 201), "不能超过 200 个字"),
    ],
)
def test_a_purpose_that_is_neither_is_refused_saying_why(sent, says):
    with pytest.raises(PurposeError, match=says):
        decode_purpose(sent)


def test_every_purpose_code_is_published_in_the_header_documentation(schema):
    op = schema["paths"]["/api/v1/persons/{id_number}"]["get"]
    header = next(p for p in op["parameters"] if p["name"] == "X-Purpose")
    assert header["in"] == "header" and header["required"] is True
    for code, text in PURPOSES.items():
        assert f"`{code}` {text}" in header["description"]
    assert "RFC 8187" in header["description"]


@pytest.fixture
def lookup_key(db, make_user):
    cache.clear()
    province = make_user("province", "360000")
    client = api_client_save(
        acting_user=province,
        values={
            "name": "医保查询",
            "department": "医保",
            "scopes": ["person_lookup"],
            "region": None,
            "rate_per_minute": 1000,
        },
    )
    return api_key_issue(acting_user=province, client=client)[1]


def test_a_percent_encoded_purpose_is_logged_decoded(client, lookup_key):
    response = client.get(
        f"/api/v1/persons/{make_id()}",
        HTTP_AUTHORIZATION=f"Api-Key {lookup_key}",
        HTTP_X_PURPOSE="UTF-8''" + quote("医保缴费资助核对"),
    )
    assert response.status_code == 200
    assert list(AccessLog.objects.values_list("purpose", flat=True)) == ["医保缴费资助核对"]


def test_raw_utf8_in_the_purpose_is_refused_with_how_to_send_it_and_nothing_is_logged(client, lookup_key):
    response = client.get(
        f"/api/v1/persons/{make_id()}",
        HTTP_AUTHORIZATION=f"Api-Key {lookup_key}",
        HTTP_X_PURPOSE=raw_utf8("医保缴费资助核对"),
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "X-Purpose"
    assert "%E5%8C%BB%E4%BF%9D%E6%A0%B8%E5%AF%B9" in error["message"] and "medical_aid" in error["message"]
    assert AccessLog.objects.count() == 0
    assert ApiClient.objects.count() == 1


# ---------------------------------------------------------------------------------------------------
# Pagination


@pytest.mark.parametrize("size", ["false", "0", "1001", "²", "-1"])
def test_a_page_size_out_of_range_is_a_field_error_not_ignored(client, lookup_key, size):
    ApiClient.objects.update(scopes=["extract_upload"])
    response = client.get(
        "/api/v1/ledgers/extracts", {"page_size": size}, HTTP_AUTHORIZATION=f"Api-Key {lookup_key}"
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"field": "page_size", "message": "每页条数须为 1 至 1000 之间的整数"}]
    }
    ok = client.get(
        "/api/v1/ledgers/extracts", {"page_size": "1000"}, HTTP_AUTHORIZATION=f"Api-Key {lookup_key}"
    )
    assert ok.status_code == 200 and ok.json()["results"] == []


def test_the_schema_states_the_page_size_range(schema):
    op = schema["paths"]["/api/v1/ledgers/extracts"]["get"]
    [size] = [p for p in op["parameters"] if p["name"] == "page_size"]
    assert size["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
