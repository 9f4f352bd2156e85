from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.forms import LockoutAuthenticationForm
from accounts.scope import region_prefix
from applications.selectors import application_counts
from help.selectors import lead_counts
from households import selectors as case_selectors


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


def overview_context(*, user, today) -> dict:
    """The figures of the user's area under 我的待办 (the home page, inbox/views.py) and on /overview/."""
    counts = application_counts(user=user, today=today)
    leads = lead_counts(user=user, today=today)
    return {
        "scope_prefix": region_prefix(user),
        "summary": {
            **case_selectors.household_summary(user=user),
            "open_applications": counts["open"],
            "overdue_applications": counts["overdue"],
            "open_leads": leads["open"],
            "overdue_leads": leads["overdue"],
        },
    }


@login_required
def overview(request):
    return render(
        request, "accounts/home.html", overview_context(user=request.user, today=timezone.localdate())
    )


def healthz(request):
    """The URL's view; requests are answered by config.health.HealthCheckMiddleware before host checking."""
    from config.health import health_response

    return health_response()


def lockout_response(request, original_response=None, credentials=None):
    """Axes' AXES_LOCKOUT_CALLABLE: the login page with its Chinese lockout message (the form puts it there),
    answered 429."""
    from django.http import HttpResponse

    if original_response is None:
        original_response = HttpResponse(
            "登录失败次数过多，请稍后再试", content_type="text/plain; charset=utf-8"
        )
    if hasattr(original_response, "render") and not original_response.is_rendered:
        original_response.render()
    original_response.status_code = 429
    return original_response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Self-service password change; Django's validators (similarity, common, length 10, numeric) apply."""

    template_name = "accounts/password_change.html"

    def get_success_url(self):
        return reverse("home")

    def form_valid(self, form):
        from django.contrib import messages

        from accounts.services import password_changed

        response = super().form_valid(form)
        password_changed(user=self.request.user)
        messages.success(self.request, "密码已修改")
        return response


@login_required
def lockout_list(request):
    """Login lockouts of staff in the officer's scope, each with a 解除锁定 button (county officers and above)."""
    from django.contrib import messages
    from django.http import HttpResponseForbidden
    from django.shortcuts import redirect

    from accounts.lockout import lockouts_visible
    from accounts.permissions import can_manage_lockouts
    from accounts.services import lockout_lift
    from config.errors import ServiceError
    from config.params import positive_int

    user = request.user
    if not can_manage_lockouts(user):
        return HttpResponseForbidden("只有县级及以上民政部门可以查看和解除登录锁定")
    if request.method == "POST":
        try:
            lockout_lift(acting_user=user, attempt_id=positive_int(request.POST.get("attempt", "")) or 0)
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "") or "参数错误")
        else:
            messages.success(request, "已解除锁定")
        return redirect("lockout_list")
    from config.listing import ListQuery, list_page, sort_order

    q = ListQuery(request.GET)
    filters = {"q": q.text("q"), "sort": q.sort(LOCKOUT_SORTS)}
    lockouts = lockouts_visible(user=user)  # at most 500, newest first
    if filters["q"]:
        lockouts = [a for a in lockouts if filters["q"] in a.username or filters["q"] in (a.ip_address or "")]
    if filters["sort"]:
        field = sort_order(filters["sort"], LOCKOUT_SORTS, "-attempt_time")[0]
        lockouts.sort(key=lambda a: (getattr(a, field.lstrip("-")), a.pk), reverse=field.startswith("-"))
    page = list_page(request, lockouts)
    return render(
        request,
        "accounts/lockouts.html",
        {"lockouts": page, "page": page, "filters": filters, "filter_notes": q.notes},
    )


LOCKOUT_SORTS = {"username": "username", "failures": "failures_since_start", "attempt_time": "attempt_time"}
