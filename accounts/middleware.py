"""A password set by an administrator must be changed at first login: until it is, every page leads to the
change-password page (and the session API answers 403)."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from config.middleware import refusal


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "must_change_password", False):
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    return refusal(request, "请先在页面上修改管理员设置的初始密码", 403)
                return redirect("password_change")
        return self.get_response(request)
