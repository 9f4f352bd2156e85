from django import forms

from accounts.models import ApiClient, Region


class ApiClientForm(forms.Form):
    name = forms.CharField(label="客户端名称", max_length=64)
    department = forms.CharField(
        label="所属部门", max_length=32, help_text="如：人社、医保、教育、住建、公安、税务、工会"
    )
    scopes = forms.MultipleChoiceField(
        label="权限范围", choices=list(ApiClient.SCOPES.items()), widget=forms.CheckboxSelectMultiple
    )
    region = forms.ModelChoiceField(
        label="区划限制", queryset=Region.objects.none(), required=False, empty_label="全省（仅省级可选）"
    )
    rate_per_minute = forms.IntegerField(label="每分钟请求上限", min_value=1, max_value=100000, initial=600)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class ApiKeyForm(forms.Form):
    days = forms.IntegerField(label="有效期（天）", min_value=1, max_value=730, initial=365)
