"""Reads of personal data outside the API are in the access log (issue 20 item 6): document downloads and staff
pages that show full ID numbers or bank accounts; the address comes from X-Forwarded-For only through the
configured number of trusted proxies, so a client cannot forge it."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccessLog
from applications.tests.factories import application_at, pdf, standard_make
from conftest import HOME_COMMUNITY
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def household():
    return household_make(community_id=HOME_COMMUNITY, members=2)


def test_a_household_page_with_full_id_numbers_is_logged(client, caseworker, household):
    client.force_login(caseworker)
    url = reverse("household_detail", args=[household.pk])
    assert client.get(url, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6").status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.client, log.endpoint, log.what, log.count, log.ip) == (
        caseworker,
        None,
        url,
        "查看家庭档案（完整身份证号、银行账号）",
        1,
        "10.1.1.1",  # no trusted proxy configured: the forged header is not read
    )


def test_a_refused_page_is_not_logged_as_a_read(client, make_user, household):
    client.force_login(make_user("caseworker", "360102002002"))  # the next community: not in scope
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 404
    assert not AccessLog.objects.exists()


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_document_download_is_logged_with_the_address_behind_the_proxy(
    client, caseworker, household, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    standard_make(year=2018)
    application = application_at(
        "investigating",
        household=household,
        caseworker=caseworker,
        documents=[("id_card", pdf("户主身份证.pdf"))],
    )
    document = application.documents.get()
    client.force_login(caseworker)
    url = reverse("application_document", args=[application.pk, document.pk])
    response = client.get(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23")
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.endpoint, log.what, log.ip) == (url, "下载申请材料", "198.51.100.23")
