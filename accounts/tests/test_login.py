"""Login, the one lockout (django-axes by user name and address together), passwords people choose themselves."""

import threading

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Event, User

pytestmark = pytest.mark.django_db
GOOD = "pass-Word-123"


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_and_logout(client, caseworker):
    response = login(client, "cw", GOOD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_in_chinese(client, caseworker):
    response = login(client, "cw", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("cw", "10.0.0.1", 1)


def test_five_failures_lock_that_address_even_for_the_right_password(client, caseworker, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        login(client, "cw", "wrong")
    response = login(client, "cw", GOOD)
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_a_caseworker_out(caseworker):
    stranger = Client()
    for _ in range(8):
        login(stranger, "cw", "guess", ip="203.0.113.9")
    assert login(stranger, "cw", GOOD, ip="203.0.113.9").status_code == 429
    office = Client()
    response = login(office, "cw", GOOD, ip="10.0.0.1")
    assert response.status_code == 302 and office.session["_auth_user_id"] == str(caseworker.pk)


def test_a_success_clears_earlier_failures(client, caseworker):
    for _ in range(3):
        login(client, "cw", "wrong")
    assert login(client, "cw", GOOD).status_code == 302
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()


def test_the_county_officer_sees_and_lifts_a_lockout_in_their_scope(
    client, caseworker, county_officer, make_user
):
    for _ in range(5):
        login(Client(), "cw", "wrong", ip="10.0.0.7")
    other_county = make_user("county", "360111")  # 青山湖区: not the caseworker's county
    client.force_login(other_county)
    assert "cw" not in client.get(reverse("lockout_list")).content.decode()
    client.force_login(make_user("street", "360102002000"))
    assert client.get(reverse("lockout_list")).status_code == 403
    client.force_login(county_officer)
    page = client.get(reverse("lockout_list")).content.decode()
    assert "cw" in page and "10.0.0.7" in page
    attempt = AccessAttempt.objects.get(username="cw")
    client.force_login(other_county)
    client.post(reverse("lockout_list"), {"attempt": attempt.pk})
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()  # refused: not in their scope
    client.force_login(county_officer)
    client.post(reverse("lockout_list"), {"attempt": attempt.pk})
    assert not AccessAttempt.objects.exists()
    event = Event.objects.get(verb="解除登录锁定")
    assert (event.actor, event.target_id, event.data["ip"]) == (
        county_officer,
        str(caseworker.pk),
        "10.0.0.7",
    )
    assert login(Client(), "cw", GOOD, ip="10.0.0.7").status_code == 302


def test_pages_need_login(client):
    for name in ("home", "household_list", "household_create"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_sessions_expire_and_cookies_are_http_only(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY


def _change(client, old, new):
    return client.post(
        reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    "new, message",
    [
        ("short-1A", "密码长度太短，至少需要 10 个字符。"),
        ("qwertyuiop", "这个密码太常见了"),
        ("12345678901234", "密码只包含数字。"),
        ("caseworker-cw-2024", "密码跟 用户名 太相似了。"),
    ],
)
def test_password_validators_refuse_weak_passwords(client, make_user, new, message):
    user = make_user("caseworker", "360102002001", "caseworker-cw")
    client.force_login(user)
    response = _change(client, GOOD, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(GOOD)


def test_a_password_set_by_the_administrator_must_be_changed_at_first_login(client, caseworker):
    admin = User.objects.create_superuser("root", password="root-Pass-2024x")
    admin_client = Client()
    admin_client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[caseworker.pk])
    response = admin_client.post(url, {"password1": "Set-by-Admin-77", "password2": "Set-by-Admin-77"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.must_change_password
    assert login(client, "cw", "Set-by-Admin-77").status_code == 302
    response = client.get(reverse("household_list"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    assert _change(client, "Set-by-Admin-77", "Mine-Only-Secret-9").status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.must_change_password
    assert client.get(reverse("household_list")).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs a server database")
def test_concurrent_wrong_passwords_cannot_exceed_the_limit(make_user, monkeypatch):
    make_user("caseworker", "360102002001", "cw")
    checked, guard = [], threading.Lock()
    original = User.check_password

    def counting(self, raw):
        with guard:
            checked.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counting)
    barrier = threading.Barrier(11)

    def attempt():
        barrier.wait()
        try:
            login(Client(), "cw", "wrong", ip="198.51.100.4")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) == 5
    assert AccessAttempt.objects.get(username="cw").failures_since_start >= 5
