import pytest
from django.urls import reverse

from accounts.models import LoginFailure

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_and_logout(client, caseworker):
    response = login(client, "cw", "pass-Word-123")
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_in_chinese(client, caseworker):
    response = login(client, "cw", "wrong")
    assert "用户名或密码错误" in response.content.decode()
    assert LoginFailure.objects.filter(username="cw").count() == 1


def test_five_failures_lock_the_account_even_for_the_right_password(client, caseworker, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        login(client, "cw", "wrong")
    response = login(client, "cw", "pass-Word-123")
    assert response.status_code == 200
    assert "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_clears_earlier_failures(client, caseworker):
    for _ in range(3):
        login(client, "cw", "wrong")
    assert login(client, "cw", "pass-Word-123").status_code == 302
    assert LoginFailure.objects.count() == 0


def test_pages_need_login(client):
    for name in ("home", "household_list", "household_create"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_sessions_expire_and_cookies_are_http_only(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY
