"""The form and serializer fields on the common parsers, and the no-future-date validator."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from common.fields import IdNumberField, IdNumberSerializerField, MoneyField, MoneySerializerField
from common.validators import not_in_future


class IncomeForm(forms.Form):
    income = MoneyField(label="月工资性收入")
    optional = MoneyField(label="其他", required=False)
    id_number = IdNumberField(label="身份证号码")


class IncomeSerializer(serializers.Serializer):
    income = MoneySerializerField(label="月工资性收入")
    id_number = IdNumberSerializerField()


def test_form_field_cleans_and_names_the_field():
    form = IncomeForm(data={"income": "１,０００.５", "optional": "", "id_number": "11010519491231002x"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "income": Decimal("1000.50"),
        "optional": None,
        "id_number": "11010519491231002X",
    }
    form = IncomeForm(data={"income": "1e3", "id_number": "110105194912310021"})
    assert not form.is_valid()
    assert form.errors == {
        "income": ["月工资性收入应为数字，如 1000 或 1,000.50"],
        "id_number": ["身份证号码校验位错误"],
    }


def test_form_field_shows_a_decimal_with_two_places():
    form = IncomeForm(initial={"income": Decimal("12.5")})
    assert 'value="12.50"' in str(form["income"])
    assert 'inputmode="decimal"' in str(form["income"])


def test_serializer_field():
    s = IncomeSerializer(data={"income": "NaN", "id_number": "1"})
    assert not s.is_valid()
    assert {k: [str(m) for m in v] for k, v in s.errors.items()} == {
        "income": ["月工资性收入应为数字，如 1000 或 1,000.50"],
        "id_number": ["身份证号码应为18位，实为1位"],
    }
    s = IncomeSerializer(data={"income": 300.5, "id_number": "11010519491231002X"})
    assert s.is_valid(), s.errors
    assert s.validated_data["income"] == Decimal("300.50")
    assert IncomeSerializer({"income": Decimal("300.5"), "id_number": "x"}).data["income"] == "300.50"


def test_not_in_future(monkeypatch):
    monkeypatch.setattr("common.validators.today", lambda: dt.date(2026, 12, 6))
    not_in_future(dt.date(2026, 12, 6))
    not_in_future(None)
    with pytest.raises(ValidationError) as info:
        not_in_future(dt.date(2026, 12, 7))
    assert info.value.messages == ["不能晚于今天（2026-12-06）"]
