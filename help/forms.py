"""Forms of the help pages (leads, pairings, job help, students, charity): they parse input; the services decide."""

from __future__ import annotations

import re

from django import forms

from accounts.models import Region
from accounts.scope import communities_for, scope_filter
from applications.forms import DATE
from common.fields import MoneyField
from common.validators import no_hidden_characters, not_in_future
from help.models import AidKind, AidOffer, JobSupport, Lead, Pairing, SchoolRecord, StudentAid

TEXTAREA = forms.Textarea(attrs={"rows": 3})
YES_NO = [("yes", "是"), ("no", "否")]


def names(value: str) -> list[str]:
    return [n for n in re.split(r"[、,，;；\s]+", value or "") if n]


class LeadForm(forms.Form):
    community = forms.ModelChoiceField(
        label="所属社区",
        queryset=Region.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "只能选择本人负责的社区"},
    )
    source = forms.ChoiceField(
        label="线索来源",
        widget=forms.RadioSelect,
        initial=Lead.Source.CASEWORKER,
        choices=[(Lead.Source.CASEWORKER, "社区工作人员发现"), (Lead.Source.HELPER, "社区协理员报告")],
    )
    reporter_name = forms.CharField(label="协理员姓名（协理员报告时填写）", required=False, max_length=64)
    name = forms.CharField(validators=[no_hidden_characters], label="姓名", max_length=32)
    id_number = forms.CharField(label="身份证号码（知道时填写）", required=False, max_length=18)
    address = forms.CharField(validators=[no_hidden_characters], label="住址", required=False, max_length=200)
    phone = forms.CharField(label="联系电话", required=False, max_length=20)
    reason = forms.ChoiceField(label="发现原因", choices=Lead.Reason.choices)
    detail = forms.CharField(label="情况说明（困难情况、来源）", widget=TEXTAREA)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(user)


class LeadVisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    visitors = forms.CharField(label="走访人员（用顿号或逗号分隔）", max_length=200)
    findings = forms.CharField(
        label="走访情况（居住、收入、困难情况，本人意愿）", widget=forms.Textarea(attrs={"rows": 4})
    )
    in_need = forms.TypedChoiceField(
        label="经走访确有困难",
        coerce=lambda v: v == "yes",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
    )

    def visitor_names(self) -> list[str]:
        return names(self.cleaned_data["visitors"])


class LeadLinkForm(forms.Form):
    household = forms.IntegerField(label="家庭档案编号", min_value=1)


class LeadCloseForm(forms.Form):
    reason = forms.ChoiceField(label="关闭原因", choices=Lead.CloseReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="关闭说明", widget=TEXTAREA)


class PairingForm(forms.Form):
    helper_name = forms.CharField(validators=[no_hidden_characters], label="帮扶责任人姓名", max_length=32)
    helper_kind = forms.ChoiceField(label="身份", choices=Pairing.HelperKind.choices)
    helper_unit = forms.CharField(label="所在单位", max_length=100)
    helper_phone = forms.CharField(label="联系电话", required=False, max_length=20)
    started_on = forms.DateField(label="结对日期", widget=DATE)


class PairingVisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    activities = forms.CharField(label="帮扶内容（做了什么）", widget=forms.Textarea(attrs={"rows": 4}))


class PairingEndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)
    reason = forms.CharField(label="结束原因", widget=TEXTAREA)


class JobStartForm(forms.Form):
    started_on = forms.DateField(label="就业日期", widget=DATE, validators=[not_in_future])
    employer = forms.CharField(label="就业单位或形式", max_length=100)
    flexible = forms.BooleanField(label="灵活就业", required=False)
    monthly_wage = MoneyField(label="月工资（元）", required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class JobEndForm(forms.Form):
    ended_on = forms.DateField(label="失业日期", widget=DATE, validators=[not_in_future])
    reason = forms.CharField(label="失业原因", widget=TEXTAREA)


class JobSupportForm(forms.Form):
    kind = forms.ChoiceField(label="帮扶方式", choices=JobSupport.Kind.choices)
    on_date = forms.DateField(label="日期", widget=DATE)
    provider = forms.CharField(label="提供单位", max_length=100)
    detail = forms.CharField(label="内容", widget=TEXTAREA)
    amount = MoneyField(label="补贴/贷款金额（元）", required=False)


class WorkRefusalForm(forms.Form):
    offered_on = forms.DateField(label="介绍日期", widget=DATE)
    offer = forms.CharField(label="介绍的工作（岗位、单位）", max_length=100)
    offered_by = forms.CharField(label="介绍单位（如街道劳动保障所）", max_length=100)
    reason_given = forms.CharField(label="本人陈述的理由", required=False, max_length=200)
    justified = forms.BooleanField(
        label="经核实，理由正当（如患病、照料家人、工作与健康状况不相适应）", required=False
    )


class SchoolRecordForm(forms.Form):
    school = forms.CharField(label="学校", max_length=100)
    stage = forms.ChoiceField(label="学段", choices=SchoolRecord.Stage.choices)
    grade = forms.CharField(label="年级", required=False, max_length=20)
    student_no = forms.CharField(label="学籍号", required=False, max_length=40)
    status = forms.ChoiceField(label="在读状态", choices=SchoolRecord.Status.choices)


class StudentAidForm(forms.Form):
    kind = forms.ChoiceField(label="资助项目", choices=StudentAid.Kind.choices)
    school_year = forms.CharField(label="学年（如 2018-2019）", max_length=9)
    amount = MoneyField(label="金额（元）")
    provider = forms.CharField(label="资助单位", required=False, max_length=100)
    granted_on = forms.DateField(label="发放日期", required=False, widget=DATE)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AidOfferForm(forms.Form):
    provider_name = forms.CharField(label="提供方（社会组织、企业或爱心人士）", max_length=100)
    provider_kind = forms.ChoiceField(label="提供方类型", choices=AidOffer.ProviderKind.choices)
    title = forms.CharField(label="项目名称", max_length=100)
    kind = forms.ChoiceField(label="帮扶类别", choices=AidKind.choices)
    region = forms.ModelChoiceField(
        label="帮扶范围",
        queryset=Region.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "只能选择本辖区"},
    )
    amount = MoneyField(label="每户金额（元，实物或服务可不填）", required=False)
    places = forms.IntegerField(
        label="可帮扶户数（不限则不填）", required=False, min_value=1, max_value=100000
    )
    conditions = forms.CharField(label="帮扶条件", required=False, widget=TEXTAREA)
    contact = forms.CharField(label="提供方联系人及电话", required=False, max_length=100)
    valid_until = forms.DateField(label="有效期至", required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(level__gte=Region.Level.COUNTY).order_by("code")
        self.fields["region"].queryset = scope_filter(regions, user, "code")


class AidNeedForm(forms.Form):
    kind = forms.ChoiceField(label="需求类别", choices=AidKind.choices)
    description = forms.CharField(
        label="需求说明（将公开发布：不得写姓名、身份证号码、住址、电话）",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )
    amount_needed = MoneyField(label="所需金额（元）", required=False)
    consent = forms.BooleanField(label="家庭已同意公开发布此需求（不含个人信息）", required=False)
    consent_on = forms.DateField(label="同意日期", required=False, widget=DATE)


class AidMatchForm(forms.Form):
    household = forms.IntegerField(label="家庭档案编号", min_value=1)
    need = forms.IntegerField(label="对应需求编号（可不填）", required=False, min_value=1)
    consent = forms.BooleanField(label="家庭已同意接受此项帮扶", required=False)
    consent_by = forms.CharField(label="表示同意的家庭成员", required=False, max_length=32)
    consent_on = forms.DateField(label="同意日期", required=False, widget=DATE)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AidDeliverForm(forms.Form):
    delivered_on = forms.DateField(label="落实日期", widget=DATE)
    amount = MoneyField(label="实际帮扶金额（元）", required=False)
    description = forms.CharField(label="帮扶落实情况", widget=TEXTAREA)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=TEXTAREA)
