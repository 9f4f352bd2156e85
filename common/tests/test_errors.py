"""The API's JSON error body and service errors on forms."""

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
