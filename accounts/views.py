from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.forms import LockoutAuthenticationForm
from accounts.scope import region_prefix
from cases import selectors as case_selectors


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request):
    user = request.user
    context = {
        "scope_prefix": region_prefix(user),
        "summary": case_selectors.household_summary(user=user),
    }
    return render(request, "accounts/home.html", context)


def healthz(request):
    """Liveness for the load balancer and docker-compose: the database answers."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
