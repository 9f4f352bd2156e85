"""Forms for the standards pages. They parse types only; the §2 entry rules live in
`eligibility.standard_entry.standard_save`, which the views call and whose field errors they show."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils import timezone

from accounts.permissions import entry_regions
from common.fields import model_formfield
from eligibility.models import Standard
from eligibility.standard_entry import GROUPS, MAX_YEAR, MIN_YEAR, MONEY_FIELDS
from eligibility.whatif import CHANGEABLE

# Chinese messages whatever language the browser asks for (the rules' own messages are Chinese too).
NUMBER_ERRORS = {
    "invalid": "请输入数字",
    "max_digits": "数值过大",
    "max_whole_digits": "数值过大",
    "max_decimal_places": "最多%(max)s位小数",
    "min_value": "不能为负数",
    "max_value": "数值过大",
}


class ChineseNullBooleanSelect(forms.NullBooleanSelect):
    def __init__(self, unset_label: str, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", unset_label), ("true", "是"), ("false", "否")]


def _standard_field(name: str, *, unset_label: str = "未设定") -> forms.Field:
    model_field = Standard._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    if isinstance(model_field, models.BooleanField):
        return forms.NullBooleanField(
            label=model_field.verbose_name, required=False, widget=ChineseNullBooleanSelect(unset_label)
        )
    if name in MONEY_FIELDS:
        return model_formfield(model_field, required=False)
    field = model_field.formfield(required=False, error_messages=NUMBER_ERRORS)
    assert field is not None
    field.widget.attrs.update({"inputmode": "decimal", "min": "0"})
    return field


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


def _year_field(initial: int | None = None) -> forms.IntegerField:
    return forms.IntegerField(
        label="年度",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        initial=initial or timezone.localdate().year,
        error_messages={
            "required": "请填写年度",
            "invalid": "年度应为整数",
            "min_value": f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间",
            "max_value": f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间",
        },
    )


class StandardForm(forms.Form):
    """Every §2 field, grouped as on paper (低保/特困/孤儿/残疾/支出型/渐退/财产限额/临时救助)."""

    def __init__(self, *args, user, standard: Standard | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = entry_regions(user).order_by("level", "code")
        self.fields["region"] = RegionChoiceField(
            label="区划",
            queryset=regions,
            empty_label=None,
            error_messages={"invalid_choice": "只能为本人负责的区划录入标准"},
        )
        self.fields["year"] = _year_field(standard.year if standard else None)
        for group in GROUPS:
            for name in group.fields:
                self.fields[name] = _standard_field(name)
        self.fields["source"] = forms.CharField(
            label="依据（文件名称、文号）", max_length=200, required=False
        )
        self.fields["effective_month"] = forms.DateField(
            label="执行起始日期",
            required=False,
            error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        if standard is not None:
            # An existing record keeps its region and year; a new year is a new record.
            self.fields["region"].disabled = self.fields["year"].disabled = True
            self.initial.update(
                {
                    "region": standard.region_id,
                    "year": standard.year,
                    "source": standard.source,
                    "effective_month": standard.effective_month,
                    **{name: getattr(standard, name) for name in Standard.FIELDS},
                }
            )
        self.placeholders = set(standard.placeholder_fields) if standard is not None else set()

    def groups(self):
        """[(label, [bound fields])] in form order, for the template."""
        return [(g.label, g.key, [self[name] for name in g.fields]) for g in GROUPS]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data.get(name) for name in Standard.FIELDS},
            "source": data.get("source") or "",
            "effective_month": data.get("effective_month"),
        }


class WhatIfForm(forms.Form):
    """The region, the year and the proposed figures (blank = unchanged)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = entry_regions(user).order_by("level", "code")
        self.fields["region"] = RegionChoiceField(
            label="测算范围",
            queryset=regions,
            empty_label=None,
            error_messages={"invalid_choice": "只能测算本人负责的区划"},
        )
        self.fields["year"] = _year_field()
        for name in CHANGEABLE:
            self.fields[name] = _standard_field(name, unset_label="不变")

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in CHANGEABLE if self.cleaned_data.get(name) is not None
        }
