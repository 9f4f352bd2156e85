"""Form and serializer fields built on the common parsers, so a page and the API accept and refuse the same
input with the same Chinese message: money (`MoneyField`, `MoneySerializerField`) and resident ID numbers
(`IdNumberField`, `IdNumberSerializerField`), both of which hand on the normalised value."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common import idnumber, money

ErrorClass = type[ValidationError] | type[serializers.ValidationError]
_UNIT = re.compile(r"（[^）]*）$")


def _read_money(field, value, error: ErrorClass):
    """The form field's and the serializer field's one way to read money: `error` is their ValidationError."""
    try:
        return money.parse(
            value,
            label=field_name(field.label),
            allow_negative=field.allow_negative,
            max_value=field.max_money,
        )
    except money.MoneyError as exc:
        raise error(str(exc), code="invalid") from None


def _read_id_number(value: str, error: ErrorClass) -> str:
    try:
        return idnumber.parse(value).number
    except idnumber.InvalidIdNumber as exc:
        raise error(str(exc), code="invalid") from None


def field_name(label: object) -> str:
    """The label as a message names the field: without a trailing note in brackets ("月工资（元）" → "月工资")."""
    return _UNIT.sub("", str(label or "")).strip() or "金额"


class MoneyField(forms.CharField):
    """A money input: the box keeps what was typed; `cleaned_data` holds a two-place Decimal (or None)."""

    def __init__(
        self,
        *,
        allow_negative: bool = False,
        max_value: Decimal = money.MAX_AMOUNT,
        max_digits: int | None = None,
        decimal_places: int | None = None,
        **kwargs,
    ):
        # max_digits and decimal_places come from a model's DecimalField: the column's size caps the amount.
        if max_digits is not None:
            max_value = min(max_value, Decimal(10) ** (max_digits - (decimal_places or 2)) - money.CENT)
        self.allow_negative, self.max_money = allow_negative, max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return money.format_yuan(value, grouping=False) if isinstance(value, Decimal) else value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        return _read_money(self, text, ValidationError)


def model_formfield(db_field, **kwargs):
    """`Meta.formfield_callback` of model forms: a money column (a DecimalField with two places) gets a
    `MoneyField`, so a model form reads money like every other input; other columns get their usual field."""
    from django.db import models

    if isinstance(db_field, models.DecimalField) and db_field.decimal_places == 2:
        return db_field.formfield(form_class=MoneyField, **kwargs)
    return db_field.formfield(**kwargs)


@extend_schema_field(
    {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "example": "1000.50", "description": "金额（元）"}
)
class MoneySerializerField(serializers.Field):
    """Money in the API: a string ("1000.50") or a number in; a string with two decimals out."""

    def __init__(self, *, allow_negative: bool = False, max_value: Decimal = money.MAX_AMOUNT, **kwargs):
        self.allow_negative, self.max_money = allow_negative, max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return _read_money(self, data, serializers.ValidationError)

    def to_representation(self, value):
        return money.to_json(value)


class IdNumberField(forms.CharField):
    """A resident ID number; `cleaned_data` holds the normalised number (half-width, upper-case X)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18 * 3)  # full-width input is longer until normalised
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        return _read_id_number(text, ValidationError)


@extend_schema_field(OpenApiTypes.STR)
class IdNumberSerializerField(serializers.CharField):
    """A resident ID number in the API, normalised like the form field."""

    def to_internal_value(self, data):
        return _read_id_number(super().to_internal_value(data), serializers.ValidationError)
