"""Plain Chinese everywhere: 403, 404, CSRF failure and 500 pages say what happened and offer a way back; a bare
refusal becomes the 403 page with its sentence; English exception text never reaches a page; the admin cannot
write workflow records."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Event
from applications.models import Application
from config import error_pages
from conftest import HOME_COMMUNITY
from households.models import Household
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_pages(settings):
    settings.DEBUG = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_404_is_a_chinese_page_with_a_way_back(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/households/999999/", HTTP_REFERER="http://testserver/households/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "没有找到这个页面或记录" in page and 'id="error-home"' in page
    assert 'href="http://testserver/households/" id="error-back"' in page
    assert "Not Found" not in page


def test_a_foreign_referer_is_not_offered_as_the_way_back(client, caseworker):
    client.force_login(caseworker)
    page = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in page and 'id="error-back"' not in page


def test_a_bare_refusal_becomes_the_403_page_with_its_sentence(client, street_officer):
    household = household_make(community_id=HOME_COMMUNITY)
    client.force_login(street_officer)
    response = client.get(reverse("application_intake", args=[household.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "您没有办理这项工作的权限" in page and 'id="error-home"' in page
    assert "<title>无权办理" in page


def test_english_text_never_reaches_the_403_page(rf, caseworker):
    request = rf.get("/x/")
    request.user = caseworker
    page = error_pages.forbidden_page(request, "PermissionDenied: role mismatch").content.decode()
    assert "role mismatch" not in page and error_pages.DEFAULT_403 in page


def test_csrf_failure_is_a_chinese_page_and_nothing_is_written(caseworker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    before = (Household.objects.count(), Event.objects.count())
    response = client.post(reverse("household_create"), {"address": "滕王阁路1号"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期，请重新提交" in page and "CSRF" not in page
    assert (Household.objects.count(), Event.objects.count()) == before


def test_csrf_failure_in_the_api_is_the_json_error():
    response = error_pages.csrf_failure(type("R", (), {"path": "/api/v1/persons/"})(), "CSRF token missing")
    assert response.status_code == 403
    assert (
        response.content.decode()
        == '{"errors": [{"field": "__all__", "message": "请求已过期或来源不明，请重新提交"}]}'
    )


def test_500_is_a_chinese_page(rf):
    response = error_pages.server_error(rf.get("/households/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出了问题" in page and 'href="/"' in page and "Traceback" not in page
    api = error_pages.server_error(rf.get("/api/v1/persons/"))
    assert api.status_code == 500 and "服务器内部错误" in api.content.decode()


def test_the_admin_reads_workflow_records_but_cannot_write_them(client, django_user_model, caseworker):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pass-Word-123")
    household = household_make(community_id=HOME_COMMUNITY)
    client.force_login(admin)
    url = f"/admin/households/household/{household.pk}/change/"
    assert client.get(url).status_code == 200  # read
    before = Household.objects.values().get(pk=household.pk)
    response = client.post(url, {"address": "改过的地址", "community": "360102002002"})
    assert response.status_code == 403
    assert Household.objects.values().get(pk=household.pk) == before
    for model in ("applications/application", "applications/applicationevent", "accounts/event", "help/lead"):
        assert client.get(f"/admin/{model}/add/").status_code == 403, model
    assert not Application.objects.exists()
