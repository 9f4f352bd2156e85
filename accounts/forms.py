from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from accounts.client_ip import client_ip
from accounts.lockout import login_serialised


class LockoutAuthenticationForm(AuthenticationForm):
    """The login form; django-axes (accounts/lockout.py) counts failures per user name and address together."""

    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账户已停用。",
        "locked": "登录失败次数过多，该账户在此地址已暂时锁定，请 %(minutes)s 分钟后再试，或请县级民政解除锁定。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        refused = None
        with login_serialised(username=username, ip=ip):  # the failure axes counts must commit: raise after
            try:
                cleaned = super().clean()
            except forms.ValidationError as exc:
                refused = exc
        if refused is None:
            return cleaned
        if self.request is not None and getattr(self.request, "axes_locked_out", False):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        raise refused
