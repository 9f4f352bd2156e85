"""Hidden characters are refused in every name-like text printed on papers or written to exports (issue 20 item 4):
one validator, `common.validators.no_hidden_characters`, on the model fields (person names, addresses, the
application's reasons and decision, the notice's facts and reasons, temporary relief's reasons, leads' names and
addresses), on the plain forms and serializers that write them, and on every text column of the household import.
Each refusal is a field-level Chinese error, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.models import Application
from benefits.models import ReliefGrant
from common.validators import hidden_characters, no_hidden_characters
from conftest import HOME_COMMUNITY, make_id
from help.models import Lead
from households.models import Household, Person
from households.tests.test_household_pages import form_data
from papers.models import DecisionNotice as Notice

pytestmark = pytest.mark.django_db

HIDDEN = ["张\u202e三", "李\u200b四", "\ufeff王五", "赵\u2066六\u2069", "钱\u200f七", "孙\x07八"]


@pytest.mark.parametrize("text", HIDDEN)
def test_the_validator_refuses_each_hidden_character(text):
    with pytest.raises(ValidationError) as refused:
        no_hidden_characters(text)
    assert refused.value.code == "hidden_characters"
    assert "不能含有不可见的控制字符" in refused.value.messages[0]


def test_the_validator_keeps_ordinary_text_and_line_breaks():
    for text in ["张三", "Zhang San·李", "因病致贫，\r\n收入低于低保标准\t（见附件）", "", "阿卜杜拉·买买提"]:
        no_hidden_characters(text)
    assert hidden_characters("a\u202eb\u200bc") == ["U+202E", "U+200B"]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Person, "name"),
        (Household, "address"),
        (Application, "reasons"),
        (Application, "decision_reason"),
        (ReliefGrant, "reason"),
        (Notice, "reason"),
        (Lead, "name"),
        (Lead, "address"),
    ],
)
def test_every_printed_text_field_carries_the_one_validator(model, field):
    assert no_hidden_characters in model._meta.get_field(field).validators


def test_a_household_address_with_an_override_is_refused_on_its_field(client, caseworker):
    client.force_login(caseworker)
    data = form_data([{"name": "张三", "id_number": make_id()}], address="滕王阁路\u202e81号")
    response = client.post(reverse("household_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["address"][0].startswith("不能含有不可见的控制字符（U+202E）")
    assert not Household.objects.exists() and not Person.objects.exists()


def test_a_lead_name_with_a_zero_width_character_is_refused_on_the_page(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("lead_create"),
        {"community": HOME_COMMUNITY, "name": "李\u200b四", "reason": "medical", "detail": "住院"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "不能含有不可见的控制字符（U+200B），它们会让打印或导出的文字与实际不符"
    ]
    assert not Lead.objects.exists()


def test_a_lead_pushed_through_the_api_with_an_override_is_a_field_error(client, make_user):
    import json

    from accounts.models import ApiClient, Region
    from accounts.services import api_client_save, api_key_issue

    province = make_user("province", "360000")
    api_client = api_client_save(
        acting_user=province,
        values={
            "name": "医保接口",
            "department": "医保",
            "scopes": ["findings"],
            "region": Region.objects.get(code="360102"),
            "rate_per_minute": 10000,
        },
    )
    key = api_key_issue(acting_user=province, client=api_client)[1]
    assert ApiClient.objects.count() == 1
    body = {
        "community": HOME_COMMUNITY,
        "name": "王\u202e五",
        "address": "民巷\u20661号\u2069",
        "reason": "medical",
        "detail": "本年度住院自付医疗费用8.6万元",
        "reference": "YB-1",
    }
    response = client.post(
        "/api/v1/leads",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert response.status_code == 400
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["name"] == "不能含有不可见的控制字符（U+202E），它们会让打印或导出的文字与实际不符"
    assert (
        fields["address"] == "不能含有不可见的控制字符（U+2066、U+2069），它们会让打印或导出的文字与实际不符"
    )
    assert not Lead.objects.exists()


def test_an_imported_name_or_address_with_hidden_characters_is_an_error_of_its_row_and_column(
    county_officer, django_capture_on_commit_callbacks, settings, tmp_path
):
    from imports import workbook as importing
    from imports.tests.test_import import good_rows, messages, upload, workbook

    settings.MEDIA_ROOT = tmp_path / "media"
    rows = good_rows([make_id(), make_id(), make_id()])
    keys = [c.key for c in importing.COLUMNS]
    name_index, address_index = keys.index("name"), keys.index("address")
    rows[1][name_index] = "王\u202e二"
    rows[2][address_index] = "民巷\u200b2号"
    batch = upload(county_officer, workbook(rows), django_capture_on_commit_callbacks)
    assert batch.status == "rejected"
    found = messages(batch)
    assert any(
        m.startswith("第3行") and "「姓名」：不能含有不可见的控制字符（U+202E）" in m for m in found
    ), found
    assert any(m.startswith("第4行") and "不能含有不可见的控制字符（U+200B）" in m for m in found), found
    assert not Household.objects.exists() and not Person.objects.exists()
