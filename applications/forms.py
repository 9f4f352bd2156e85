"""Forms of the application pages: they parse input; the services decide."""

from __future__ import annotations

import re

from django import forms

from applications.models import Category, DemocraticReview, Document, StepLimit
from common.fields import MoneyField
from common.validators import no_hidden_characters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DOCUMENT_ROWS = 4
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class IntakeForm(forms.Form):
    category = forms.ChoiceField(label="申请类别", choices=Category.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        validators=[no_hidden_characters],
        label="申请理由（致困原因、家庭困难情况）",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    check_authorised = forms.BooleanField(
        label="申请人及家庭成员已签署家庭经济状况核对授权书", required=False
    )
    check_authorised_on = forms.DateField(label="授权日期", required=False, widget=DATE)
    residence_basis = forms.ChoiceField(
        label="申请地依据（在户籍地申请，或持本地居住证满规定月数）",
        choices=[("hukou", "家庭成员有本地户籍"), ("permit", "持本地居住证"), ("none", "两者都不是")],
        widget=forms.RadioSelect,
        required=False,
    )
    residence_months = forms.CharField(label="持本地居住证居住月数", required=False, max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, DOCUMENT_ROWS + 1):
            self.fields[f"doc_kind_{i}"] = forms.ChoiceField(
                label=f"材料{i}类型", choices=[("", "—")] + list(Document.Kind.choices), required=False
            )
            # Everything about the file itself (type, size, name) is checked by the service.
            self.fields[f"doc_file_{i}"] = forms.FileField(
                label=f"材料{i}文件",
                required=False,
                allow_empty_file=True,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def document_rows(self) -> list[tuple[str, str]]:
        """(kind field, file field) names, for the template."""
        return [(f"doc_kind_{i}", f"doc_file_{i}") for i in range(1, DOCUMENT_ROWS + 1)]

    @property
    def document_field_names(self) -> list[str]:
        return [name for row in self.document_rows() for name in row]

    def clean(self):
        cleaned = super().clean()
        for kind_name, file_name in self.document_rows():
            if cleaned.get(file_name) and not cleaned.get(kind_name):
                self.add_error(kind_name, "请选择材料类型")
        return cleaned

    def documents(self) -> list[tuple[str, str, object]]:
        """(file field name, kind, upload) of the rows with a file."""
        return [
            (file_name, self.cleaned_data[kind_name], self.cleaned_data[file_name])
            for kind_name, file_name in self.document_rows()
            if self.cleaned_data.get(file_name)
        ]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=Document.Kind.choices)
    file = forms.FileField(
        label="文件（PDF、JPG、PNG，不超过10 MB）",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="调查日期", widget=DATE)
    investigators = forms.CharField(label="调查人员（至少两人，用顿号或逗号分隔）", max_length=200)
    findings = forms.CharField(
        label="调查情况（居住、收入、财产、家庭成员等核实情况）", widget=forms.Textarea(attrs={"rows": 4})
    )
    facts_confirmed = forms.TypedChoiceField(
        label="家庭信息核实结果",
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", "与家庭档案一致"), ("no", "有出入，已更正家庭档案")],
        initial="yes",
    )
    corrections = forms.CharField(label="更正情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def investigator_names(self) -> list[str]:
        return [n for n in re.split(r"[、,，;；\s]+", self.cleaned_data["investigators"]) if n]


class ReviewForm(forms.Form):
    held_on = forms.DateField(label="评议日期", widget=DATE)
    participants = forms.CharField(label="参加人员", widget=forms.Textarea(attrs={"rows": 2}))
    representatives = forms.IntegerField(label="居民代表人数", min_value=0, max_value=500)
    conclusion = forms.ChoiceField(
        label="评议结论", choices=DemocraticReview.Conclusion.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="评议意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StreetReviewForm(forms.Form):
    DECISIONS = [("approve", "审核通过"), ("return", "退回社区重新调查"), ("reject", "不予通过")]
    decision = forms.ChoiceField(label="审核决定", choices=DECISIONS, widget=forms.RadioSelect)
    category = forms.ChoiceField(label="审核类别", choices=Category.choices, required=False)
    amount = MoneyField(label="月救助金（元，留空则按规则测算）", required=False)
    override_reason = forms.CharField(
        validators=[no_hidden_characters],
        label="调整理由（类别或金额与规则测算不一致时必填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        validators=[no_hidden_characters],
        label="审核意见（退回或不予通过时必填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoticeStartForm(forms.Form):
    """No input: the notice starts today for the region's notice period."""


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=DATE)
    objector = forms.CharField(label="异议人（可匿名）", required=False, max_length=64)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}))


class CountyDecisionForm(forms.Form):
    DECISIONS = [("approve", "批准"), ("reject", "不予批准")]
    decision = forms.ChoiceField(label="审批决定", choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        validators=[no_hidden_characters],
        label="审批意见（不予批准时须写明理由）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StepLimitForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for step, label in StepLimit.Step.choices:
            self.fields[step] = forms.IntegerField(label=label, min_value=1, max_value=60)


class CheckExplainForm(forms.Form):
    reason = forms.CharField(label="说明理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CheckObjectionForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=DATE)
    contradiction = forms.TypedChoiceField(
        label="异议的不符情况",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—（对整个核对结果）")],
    )
    content = forms.CharField(label="异议内容及申请人提供的证明", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, contradictions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contradiction"].choices = [("", "—（对整个核对结果）")] + [
            (c.pk, c.message) for c in contradictions
        ]
