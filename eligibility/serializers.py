"""The OpenAPI description of the `evaluate` contract (policy.md §7), derived from what the code uses.

The request is parsed by hand in `eligibility.io` (every error collected, numbers given as text or JSON
numbers); these serializers only describe it and never parse. They are built from the rules' frozen
dataclasses (`rules.Member`, `rules.Household`, `rules.Standards`, `rules.Result` …) with
djangorestframework-dataclasses, and from io's key and choice lists, so a field added to the rules appears
in the schema without a second, hand-kept copy. `tests/test_api_contract.py` holds the description to the
parser's keys and to a real response, key by key.
"""

from __future__ import annotations

import typing
from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework_dataclasses.serializers import DataclassSerializer

from eligibility import io, rules

# Fields whose values come from a fixed list: named enums in the schema (one type each in a client).
CHOICES = {
    "relation": io.RELATIONS,
    "labor_capacity": rules.LABOR_CAPACITIES,
    "self_care": rules.SELF_CARE_LEVELS,
    "orphan": rules.ORPHAN_KINDS,
    "category": rules.CATEGORY_ORDER,
}


class Amount(serializers.CharField):
    """A decimal as io reads and writes it: text such as "300.00" (a JSON number is accepted too)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", '数字文本，如 "300.00"（请求中也可用 JSON 数字；最多12位整数、4位小数）'
        )
        super().__init__(**kwargs)


class Described(DataclassSerializer):
    """A rules dataclass as the schema shows it: decimals as amount text, fixed lists as enums."""

    serializer_field_mapping = {**DataclassSerializer.serializer_field_mapping, Decimal: Amount}

    @property
    def serializer_dataclass_field(self):
        return Described

    def build_standard_field(self, field_name, type_info):
        if field_name in CHOICES and type_info.base_type is str:  # MemberAmounts.orphan is an amount
            return serializers.ChoiceField, {"choices": list(CHOICES[field_name])}
        return super().build_standard_field(field_name, type_info)


# ---------------------------------------------------------------------------------------------------
# Request


@extend_schema_serializer(component_name="EvaluateMember")
class EvaluateMemberSerializer(Described):
    class Meta:
        dataclass = rules.Member
        # io takes every member field but the birth date, which it reads from the ID number.
        fields = io.MEMBER_KEYS


@extend_schema_serializer(component_name="EvaluateProperty")
class EvaluatePropertySerializer(Described):
    class Meta:
        dataclass = rules.Property
        fields = io.PROPERTY_KEYS


@extend_schema_serializer(component_name="EvaluateHousehold")
class EvaluateHouseholdSerializer(Described):
    members = EvaluateMemberSerializer(many=True, help_text=f"家庭成员，1至{io.MAX_MEMBERS}人")
    property = EvaluatePropertySerializer(required=False)
    hardship_causes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(rules.HARDSHIP_CAUSES)), required=False
    )

    class Meta:
        dataclass = rules.Household
        fields = io.HOUSEHOLD_KEYS


def _standard_field(name: str) -> serializers.Field:
    label = rules.STANDARD_LABELS.get(name, name)
    kwargs = {"required": False, "allow_null": True, "help_text": f"{label}；null 表示未知"}
    if name in rules.INT_FIELDS:
        return serializers.IntegerField(min_value=0, max_value=32767, **kwargs)
    if name in rules.BOOL_FIELDS:
        return serializers.BooleanField(**kwargs)
    return Amount(**kwargs)


EvaluateStandardsOverrideSerializer = type(
    "EvaluateStandardsOverrideSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "对所用年度标准的临时改写（只作测算）/ what-if overrides of the standards in force.",
        **{name: _standard_field(name) for name in rules.STANDARD_FIELDS},
    },
)


@extend_schema_serializer(component_name="Evaluate")
class EvaluateRequestSerializer(serializers.Serializer):
    region = serializers.RegexField(r"^(\d{6}|\d{12})$", help_text="区划代码，6位或12位数字")
    as_of = serializers.DateField(help_text="评估日期 YYYY-MM-DD")
    standards = EvaluateStandardsOverrideSerializer(required=False)
    household = EvaluateHouseholdSerializer()


# ---------------------------------------------------------------------------------------------------
# Response


@extend_schema_serializer(component_name="Standards")
class StandardsSerializer(Described):
    # The answer maps every standard field to where its figure came from (a region code, "request" for an
    # override, null when nobody gives it): io.standards_to_dict, not the dataclass's tuple of pairs.
    sources = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text="每项标准的来源：区划代码、request（本次请求给出），或 null（无人规定）",
    )

    class Meta:
        dataclass = rules.Standards


# A named tuple, not a dataclass (a batch makes tens per household): its fields are all text but `passed`.
TraceEntrySerializer = type(
    "TraceEntrySerializer",
    (serializers.Serializer,),
    {
        name: serializers.BooleanField() if kind is bool else serializers.CharField()
        for name, kind in typing.get_type_hints(rules.TraceEntry).items()
    },
)


@extend_schema_serializer(component_name="EvaluateResult")
class EvaluateResultSerializer(Described):
    categories = serializers.ListField(child=serializers.ChoiceField(choices=list(rules.CATEGORY_ORDER)))
    standards = StandardsSerializer()
    trace = TraceEntrySerializer(many=True)

    class Meta:
        dataclass = rules.Result
