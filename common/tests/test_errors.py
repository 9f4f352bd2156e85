"""The API's JSON error body and service errors on forms."""

import pytest
from django import forms

from common.errors import ServiceError, apply_to_form, error_body, flatten


class PersonForm(forms.Form):
    name = forms.CharField(required=False)
    id_number = forms.CharField(required=False)


class HouseholdForm(forms.Form):
    address = forms.CharField(required=False)
    dibao = forms.CharField(required=False)


def test_service_error_body():
    exc = ServiceError("地址不能为空", field="address", errors=[{"field": "__all__", "message": "另一条"}])
    assert exc.as_json() == {
        "errors": [{"field": "address", "message": "地址不能为空"}, {"field": "__all__", "message": "另一条"}]
    }
    assert exc.message == "地址不能为空"
    assert error_body([]) == {"errors": []}


def test_flatten_gives_dotted_paths():
    detail = {
        "household": {"members": [{}, {"id_number": ["身份证号码校验位错误"]}]},
        "non_field_errors": ["x"],
    }
    assert flatten(detail) == [
        {"field": "household.members[1].id_number", "message": "身份证号码校验位错误"},
        {"field": "__all__", "message": "x"},
    ]


def test_errors_land_on_their_fields_and_the_rest_above_the_form():
    form = HouseholdForm(data={})
    assert form.is_valid()
    apply_to_form(
        ServiceError(
            errors=[
                {"field": "address", "message": "地址太长"},
                {"field": "unknown", "message": "无关字段"},
                {"field": "__all__", "message": "整体"},
            ]
        ),
        form,
    )
    assert form.errors == {"address": ["地址太长"], "__all__": ["无关字段", "整体"]}


def test_field_map_prefix_and_formsets():
    form = HouseholdForm(data={})
    members = [PersonForm(data={}), PersonForm(data={})]
    for f in [form, *members]:
        f.is_valid()
    apply_to_form(
        ServiceError(
            errors=[
                {"field": "standards.dibao", "message": "低保标准不能为负数"},
                {"field": "members[1].id_number", "message": "重复"},
                {"field": "members[5].id_number", "message": "第6位"},
                {"field": "home", "message": "住址"},
            ]
        ),
        form,
        field_map={"home": "address"},
        strip_prefix="standards.",
        formsets={"members": members},
    )
    assert form.errors == {"dibao": ["低保标准不能为负数"], "__all__": ["第6位"], "address": ["住址"]}
    assert members[1].errors == {"id_number": ["重复"]}
    assert members[0].errors == {}


def test_flash_shows_every_message(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from common.errors import flash

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    flash(request, ServiceError("第一条", errors=[{"field": "x", "message": "第二条"}]))
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "第一条"),
        ("error", "第二条"),
    ]


@pytest.mark.django_db
def test_the_api_answers_with_the_one_body(client, caseworker):
    from django.urls import reverse

    response = client.post(reverse("eligibility_api:evaluate"), data={}, content_type="application/json")
    assert response.status_code in (401, 403)
    body = response.json()
    assert list(body) == ["errors"] and len(body["errors"]) == 1
    assert body["errors"][0]["field"] == "__all__" and body["errors"][0]["message"]
    client.force_login(caseworker)
    response = client.post(
        reverse("eligibility_api:evaluate"), data={"household": {}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert all(set(e) == {"field", "message"} for e in response.json()["errors"])
