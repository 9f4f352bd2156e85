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


# --- every page that shows a full ID number or bank account writes an access-log row --------------------------


def _personal_world(caseworker, street_officer, county_officer):
    """A household with a bank account, its application (with the economic check), enrolment and a generated
    payment roll: every page about them has full ID numbers or accounts it might show."""
    from benefits.services.rolls import roll_fill, roll_request

    standard_make(year=2018)
    household = household_make(
        community_id=HOME_COMMUNITY, members=2, bank_name="农业银行", bank_account="6228480000123456789"
    )
    application = application_at(
        "approved", household=household, caseworker=caseworker, street=street_officer, county=county_officer
    )
    from benefits.models import Enrolment

    month = Enrolment.objects.get().start_month  # the first month the approved household is paid
    roll, _ = roll_request(
        acting_user=county_officer, county="360102", month=month, program="dibao", today=month, queue=False
    )
    roll_fill(roll_id=roll.pk)
    secrets = [p.id_number for p in household.members.all()] + [household.bank_account]
    return household, application, secrets


def test_every_page_that_shows_a_full_id_number_or_account_is_logged(
    client, caseworker, street_officer, county_officer, settings, tmp_path
):
    """Walks every URL pattern (the resolver's, so a page added later is covered) with the ids of the records
    above, as each staff role of their region; a 200 answer whose body (an export's cells included) holds a full
    ID number or bank account must have written an access-log row — through PERSONAL_PAGES or a logged export."""
    from django.urls import get_resolver

    from accounts.personal_reads import PERSONAL_PAGES
    from conftest import body_text
    from tests.test_scope_every_url import fill, walk

    settings.MEDIA_ROOT = tmp_path
    household, application, secrets = _personal_world(caseworker, street_officer, county_officer)
    from benefits.models import Enrolment, PaymentRoll

    ints = sorted(
        {household.pk, application.pk, *household.members.values_list("pk", flat=True)}
        | set(Enrolment.objects.values_list("pk", flat=True))
        | set(PaymentRoll.objects.values_list("pk", flat=True))
    )
    texts = [HOME_COMMUNITY, "360102", secrets[0]]
    routes = [(r, p) for r, p in walk(get_resolver().url_patterns) if not r.startswith("api/")]
    names = {p.name for _, p in routes}
    assert set(PERSONAL_PAGES) <= names, set(PERSONAL_PAGES) - names  # every listed page is a real URL
    unlogged: set[str] = set()
    shown: set[str] = set()
    for user in (caseworker, street_officer, county_officer):
        client.force_login(user)
        for route, pattern in routes:
            if pattern.name in {"logout", "password_change"}:
                continue
            for url in fill(route, pattern, ints, texts):
                before = AccessLog.objects.count()
                try:
                    response = client.get(url)
                except Exception:  # noqa: BLE001 — a page that cannot answer these ids is another test's concern
                    continue
                if response.status_code != 200:
                    continue
                body = body_text(response)
                if any(secret in body for secret in secrets):
                    shown.add(pattern.name)
                    if AccessLog.objects.count() == before:
                        unlogged.add(f"{pattern.name} {url} ({user.role})")
    assert not unlogged, sorted(unlogged)
    # the walk did meet the pages that show them
    assert {"household_detail", "roll_detail"} <= shown, shown


def test_each_listed_page_writes_one_access_log_row(
    client, caseworker, street_officer, county_officer, settings, tmp_path
):
    from benefits.models import Enrolment, PaymentRoll

    settings.MEDIA_ROOT = tmp_path
    household, application, _ = _personal_world(caseworker, street_officer, county_officer)
    pages = {
        "household_detail": (caseworker, [household.pk]),
        "application_detail": (caseworker, [application.pk]),
        "enrolment_detail": (county_officer, [Enrolment.objects.get().pk]),
        "roll_detail": (county_officer, [PaymentRoll.objects.get().pk]),
    }
    for name, (user, args) in pages.items():
        client.force_login(user)
        url = reverse(name, args=args)
        before = AccessLog.objects.count()
        assert client.get(url).status_code == 200, name
        assert AccessLog.objects.count() == before + 1, name
        log = AccessLog.objects.order_by("-id").first()
        assert (log.user, log.endpoint) == (user, url)
        from accounts.personal_reads import PERSONAL_PAGES

        assert log.what == PERSONAL_PAGES[name]
