from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from accounts.services import login_failure_record, login_failures_clear, login_is_locked


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses a login name after repeated failures, whatever the password, for a while."""

    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账户已停用。",
        "locked": "登录失败次数过多，该账户已暂时锁定，请 %(minutes)s 分钟后再试。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username and login_is_locked(username=username):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                ip = self.request.META.get("REMOTE_ADDR") if self.request else None
                login_failure_record(username=username, ip=ip)
            raise
        login_failures_clear(username=username)
        return cleaned
