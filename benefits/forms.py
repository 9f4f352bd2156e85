"""Forms of the benefits pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms

from applications.models import Category
from benefits.models import Enrolment, ReliefGrant
from common.fields import MoneyField
from common.validators import no_hidden_characters, not_in_future

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
TEXT = forms.Textarea(attrs={"rows": 3})


class ReasonForm(forms.Form):
    reason = forms.CharField(validators=[no_hidden_characters], label="原因", widget=TEXT, required=False)


class RecomputeForm(forms.Form):
    reason = forms.CharField(
        validators=[no_hidden_characters],
        label="重新核定原因（如家庭成员收入变化、人口变化）",
        widget=TEXT,
        required=False,
        initial="家庭成员收入变化",
    )


class ExitForm(forms.Form):
    reason = forms.ChoiceField(
        label="退出原因",
        widget=forms.RadioSelect,
        required=False,
        choices=[
            (c, label)
            for c, label in Enrolment.ExitReason.choices
            # refused work reduces or stops the member's share only (policy.md §8.2), never the household's
            if c not in (Enrolment.ExitReason.GRADUAL_END, Enrolment.ExitReason.REFUSED_WORK)
        ],
    )
    note = forms.CharField(label="退出的事实和依据（写入告知书）", widget=TEXT, required=False)
    died_on = forms.DateField(
        label="死亡日期（因死亡退出时填写）", required=False, widget=DATE, validators=[not_in_future]
    )
    person = forms.ChoiceField(
        label="死亡的成员（因死亡退出时选择；告知书不发给死者）", required=False, choices=()
    )
    moved_to = forms.CharField(label="迁往地（迁出时填写）", required=False, max_length=200)

    def details(self) -> dict:
        data = self.cleaned_data
        return {
            "died_on": data.get("died_on"),
            "person": data.get("person") or None,
            "moved_to": data.get("moved_to") or "",
        }


EXIT_FIELD_MAP: dict[str, str] = {}


class ReviewForm(forms.Form):
    visited_on = forms.DateField(label="入户核查日期", required=False, widget=DATE)
    findings = forms.CharField(
        label="核查情况（家庭人口、收入、财产是否变化；变化的请先更正家庭档案）", widget=TEXT, required=False
    )


class RollRequestForm(forms.Form):
    month = forms.CharField(label="发放月份", widget=forms.TextInput(attrs={"type": "month"}), required=False)
    program = forms.ChoiceField(
        label="救助项目", choices=[("", "—")] + list(Category.choices), required=False
    )


class HoldForm(forms.Form):
    reason = forms.CharField(label="暂缓原因", max_length=200, required=False)


class TopupForm(forms.Form):
    amount = MoneyField(label="拨付金额（元）", required=False)
    note = forms.CharField(label="摘要", max_length=200, required=False)


class ReliefApplyForm(forms.Form):
    person = forms.ChoiceField(label="救助对象（家庭成员）", required=False)
    kind = forms.ChoiceField(
        label="救助类型",
        choices=[(k.value, k.label) for k in ReliefGrant.ORDINARY],
        widget=forms.RadioSelect,
        required=False,
    )
    amount = MoneyField(label="申请救助金额（元）", required=False)
    reason = forms.CharField(
        validators=[no_hidden_characters], label="遭遇的困难和救助理由", widget=TEXT, required=False
    )

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = list(household.members.all()) if household is not None else []
        self.fields["person"].choices = [("", "—")] + [
            (str(p.pk), f"{p.name}（{p.get_relation_display()}）") for p in members
        ]
        self._members = {str(p.pk): p for p in members}

    def person_obj(self):
        return self._members.get(self.cleaned_data.get("person") or "")


class SpecialReliefForm(ReliefApplyForm):
    """特别救助 (五(七)): the burden and each deduction; the service checks the amounts."""

    kind = None  # always 特别救助
    gross_expenditure = MoneyField(label="重大刚性支出（元，如医疗费用总额）", required=False)
    deduction_insurance = MoneyField(label="扣除：各类社会保障（医保等保险报销）（元）", required=False)
    deduction_relief = MoneyField(label="扣除：其他社会救助（如医疗救助、临时救助）（元）", required=False)
    deduction_charity = MoneyField(label="扣除：社会帮扶、慈善（元）", required=False)
    amount = MoneyField(label="申请特别救助金额（元）", required=False)
    reason = forms.CharField(label="遭遇的特别重大困难（病情、事故等）", widget=TEXT, required=False)

    field_order = [
        "person",
        "gross_expenditure",
        "deduction_insurance",
        "deduction_relief",
        "deduction_charity",
        "amount",
        "reason",
    ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        widget=forms.RadioSelect,
        required=False,
        choices=[("approve", "批准并发放"), ("reject", "不予救助")],
    )
    note = forms.CharField(label="审批意见 / 不予救助理由", widget=TEXT, required=False)
    duplicate_reason = forms.CharField(
        label="继续审批的理由（近12个月已有临时救助时必填）",
        help_text="说明这次困难与以往救助的困难有何不同，例如新发生的疾病或事故",
        widget=TEXT,
        required=False,
    )


class FilingForm(forms.Form):
    note = forms.CharField(label="备案说明（材料补齐情况等）", widget=TEXT, required=False)


class QueryForm(forms.Form):
    question = forms.CharField(label="质询内容", widget=TEXT, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复内容", widget=TEXT, required=False)


MONTH = forms.TextInput(attrs={"type": "month"})


class SupplementForm(forms.Form):
    amount = forms.CharField(label="增发金额（元/月）", required=False, max_length=12)
    reason = forms.CharField(
        validators=[no_hidden_characters],
        label="增发理由（如重病、重度残疾、单亲抚养等特殊困难）",
        required=False,
        max_length=190,
    )
    start_month = forms.CharField(label="起始月份", widget=MONTH, required=False)
    end_month = forms.CharField(label="截止月份", widget=MONTH, required=False)


class ShareReductionForm(forms.Form):
    person = forms.ChoiceField(label="成员", required=False, choices=())
    action = forms.ChoiceField(
        label="决定",
        widget=forms.RadioSelect,
        required=False,
        choices=[("stop", "停发该成员份额"), ("reduce", "减发该成员份额")],
    )
    amount = forms.CharField(label="每月减发金额（元，减发时填写）", required=False, max_length=12)
    note = forms.CharField(label="决定理由（写入告知书）", widget=TEXT, required=False)


class FactForm(forms.Form):
    person = forms.ChoiceField(label="当事人", required=False, choices=())
    kind = forms.ChoiceField(
        label="核实的事实",
        widget=forms.RadioSelect,
        required=False,
        choices=[("death", "死亡"), ("moved", "迁出本地"), ("fraud", "骗取救助")],
    )
    event_on = forms.CharField(label="发生日期", widget=DATE, required=False)
    whole_household = forms.BooleanField(label="全户迁出", required=False)
    source = forms.CharField(
        label="事实来源（如入户核查、死亡证明、公安户籍信息）", required=False, max_length=200
    )
    note = forms.CharField(label="核实情况", widget=TEXT, required=False)
