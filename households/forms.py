from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from accounts.scope import communities_for
from common import idnumber
from common.dates import age_on
from common.fields import IdNumberField, model_formfield
from common.validators import not_in_future, today
from households.models import HardshipCause, Household, Person


class HouseholdForm(forms.ModelForm):
    hardship_causes = forms.MultipleChoiceField(
        label="致困原因", choices=HardshipCause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Household
        fields = [
            "community",
            "address",
            "phone",
            "housing",
            "bank_name",
            "bank_account",
            "financial_assets",
            "vehicles",
            "houses",
            "business",
            "monthly_rigid_expenditure",
            "hardship_causes",
        ]
        error_messages = {"community": {"invalid_choice": "只能选择本人负责的社区"}}
        formfield_callback = model_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(user)
        self.fields["community"].empty_label = None
        self.fields["phone"].widget.attrs["inputmode"] = "tel"

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not (
            phone.isascii() and phone.replace("-", "").isdigit() and 7 <= len(phone.replace("-", "")) <= 12
        ):
            raise forms.ValidationError("联系电话应为7–12位数字")
        return phone

    def clean_bank_account(self):
        account = self.cleaned_data["bank_account"].replace(" ", "")
        if account and not (account.isascii() and account.isdigit() and 12 <= len(account) <= 30):
            raise forms.ValidationError("银行账号应为12–30位数字")
        return account


class PersonForm(forms.ModelForm):
    id_number = IdNumberField(label="身份证号码")

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "relation",
            "labor_capacity",
            "disability_grade",
            "disability_kind",
            "self_care",
            "has_able_supporter",
            "supporter_unable_reason",
            "orphan",
            "income_wage",
            "income_business",
            "income_property",
            "income_transfer",
            "income_other",
            "employment",
            "newly_employed_since",
        ]
        widgets = {
            "newly_employed_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "supporter_unable_reason": forms.TextInput(attrs={"placeholder": "如：服刑、重病、下落不明"}),
        }
        formfield_callback = model_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The caseworker's finding is made, not assumed: a new member starts without the box ticked.
        if self.instance.pk is None:
            self.fields["has_able_supporter"].initial = False
        self.fields["disability_kind"].choices = [
            ("", "—（无残疾 / 待补充）"),
            *Person.DisabilityKind.choices,
        ]
        self.supporters: list[dict] = []  # filled by the view: the legal supporters the rules see
        self.fields["newly_employed_since"].validators.append(not_in_future)

    def clean(self):
        cleaned = super().clean()
        grade, kind = cleaned.get("disability_grade"), cleaned.get("disability_kind")
        if grade == 0 and kind:
            self.add_error("disability_kind", "残疾等级为“无”时不应填写残疾类别")
        elif grade and not kind and (self.instance.pk is None or "disability_grade" in self.changed_data):
            # Records from before version 2 may keep it empty (待补充) until their next review; a new or
            # changed grade is entered with its kind, which the national deeming rule reads.
            self.add_error("disability_kind", "请选择残疾类别（特困认定按残疾类别和等级判断劳动能力）")
        cleaned["supporter_unable_reason"] = (cleaned.get("supporter_unable_reason") or "").strip()
        orphan, number = cleaned.get("orphan"), cleaned.get("id_number")
        if orphan and number and idnumber.is_valid(number):
            if age_on(idnumber.parse(number).birth_date, today()) >= 18:
                self.add_error("orphan", "孤儿须未满18周岁")
        return cleaned

    def validate_unique(self):
        # "Already in another household" is decided by the service, which can name the household.
        pass


class BasePersonFormSet(BaseInlineFormSet):
    def validate_unique(self):
        # Repeated ID numbers are reported by the service on the member that repeats.
        pass

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not live:
            raise forms.ValidationError("家庭至少需要一名成员")


PersonFormSet = inlineformset_factory(
    Household,
    Person,
    form=PersonForm,
    formset=BasePersonFormSet,
    extra=0,
    can_delete=True,
    min_num=1,
    validate_min=True,
)
