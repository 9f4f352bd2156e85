"""Form and serializer fields built on the common parsers, so a page and the API accept and refuse the same
input with the same Chinese message: money (`MoneyField`, `MoneySerializerField`) and resident ID numbers
(`IdNumberField`, `IdNumberSerializerField`), both of which hand on the normalised value."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common import idnumber, money


class MoneyField(forms.CharField):
    """A money input: the box keeps what was typed; `cleaned_data` holds a two-place Decimal (or None)."""

    def __init__(self, *, allow_negative: bool = False, max_value: Decimal = money.MAX_AMOUNT, **kwargs):
        self.allow_negative, self.max_money = allow_negative, max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return money.format_yuan(value, grouping=False) if isinstance(value, Decimal) else value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return money.parse(
                text,
                label=str(self.label or "金额"),
                allow_negative=self.allow_negative,
                max_value=self.max_money,
            )
        except money.MoneyError as exc:
            raise ValidationError(str(exc), code="invalid") from None


@extend_schema_field(
    {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "example": "1000.50", "description": "金额（元）"}
)
class MoneySerializerField(serializers.Field):
    """Money in the API: a string ("1000.50") or a number in; a string with two decimals out."""

    def __init__(self, *, allow_negative: bool = False, max_value: Decimal = money.MAX_AMOUNT, **kwargs):
        self.allow_negative, self.max_money = allow_negative, max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return money.parse(
                data,
                label=str(self.label or "金额"),
                allow_negative=self.allow_negative,
                max_value=self.max_money,
            )
        except money.MoneyError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None

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
        try:
            return idnumber.parse(text).number
        except idnumber.InvalidIdNumber as exc:
            raise ValidationError(str(exc), code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class IdNumberSerializerField(serializers.CharField):
    """A resident ID number in the API, normalised like the form field."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return idnumber.parse(text).number
        except idnumber.InvalidIdNumber as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None
