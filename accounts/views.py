from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
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
    """Liveness for the load balancer and docker-compose: the database answers."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
