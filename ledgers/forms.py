from __future__ import annotations

from django import forms
from django.utils import timezone

from accounts.kinds import kind_choices, program_choices
from accounts.permissions import officer_regions
from ledgers import periods
from ledgers.models import Extract, ReviewTask


def _period_choices():
    return [(p, f"{periods.label(p)}（{p}）") for p in periods.recent(timezone.localdate(), 6)]


class RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class ExtractUploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型", choices=kind_choices)
    program = forms.ChoiceField(
        label="待遇项目（部门待遇台账）", required=False, choices=lambda: [("", "——")] + program_choices()
    )
    period = forms.ChoiceField(label="比对期", choices=_period_choices)
    region = RegionChoice(label="数据区划", queryset=None, empty_label=None)
    mode = forms.ChoiceField(
        label="导入方式", choices=Extract.Mode.choices, initial=Extract.Mode.CHECK, widget=forms.RadioSelect
    )
    file = forms.FileField(label="文件（CSV 或 XLSX，首行为表头）")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = officer_regions(user).order_by("level", "code")
        self.fields["region"].initial = getattr(user, "region_id", None)
        self.fields["period"].initial = periods.default_period(timezone.localdate())


class RunStartForm(forms.Form):
    region = RegionChoice(label="比对范围", queryset=None, empty_label=None)
    period = forms.ChoiceField(label="比对期", choices=_period_choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = officer_regions(user).order_by("level", "code")
        self.fields["region"].initial = getattr(user, "region_id", None)
        self.fields["period"].initial = periods.default_period(timezone.localdate())


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label="核实结论",
        widget=forms.RadioSelect,
        choices=[
            (ReviewTask.Status.CONFIRMED, "属实（启动退出/变更等后续办理）"),
            (ReviewTask.Status.FALSE_ALARM, "误报（须写明理由）"),
        ],
    )
    note = forms.CharField(
        label="核实情况 / 误报理由", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fraud = forms.BooleanField(
        label="认定为骗取救助（隐瞒收入、财产等）：整户暂停发放并追回",
        required=False,
    )
    fraud_on = forms.CharField(
        label="骗取救助起始日期（如隐瞒的车辆登记日、收入起始日）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, fraud_possible: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not fraud_possible:
            del self.fields["fraud"], self.fields["fraud_on"]
