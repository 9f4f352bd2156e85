"""The application list filters by status, category, community (or street) and deadline, sorts by its columns
(only those), and its pages keep the filters; the Excel export applies the same filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from applications.selectors import application_list
from applications.tests.factories import FAST_HASHERS, TODAY, application_at, standard_make
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    clock(TODAY)


@pytest.fixture
def apps(caseworker, make_user):
    cw2 = make_user("caseworker", HOME_COMMUNITY_2)
    a = application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
    )
    b = application_at(
        "reviewing",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        today=TODAY - dt.timedelta(days=40),
        category="tekun",
    )
    c = application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY_2), caseworker=cw2
    )
    return a, b, c


def ids(user, **filters):
    return [x.pk for x in application_list(user=user, today=TODAY, **filters)]


def test_filters(apps, street_officer):
    a, b, c = apps
    assert ids(street_officer, status="open") == [c.pk, b.pk, a.pk]
    assert ids(street_officer, status="open", category="tekun") == [b.pk]
    assert ids(street_officer, status="open", community=HOME_COMMUNITY_2) == [c.pk]
    assert ids(street_officer, status="open", community="360102002000") == [c.pk, b.pk, a.pk]  # the street
    assert ids(street_officer, status="open", deadline="overdue") == [b.pk]
    assert ids(street_officer, status="open", community="360103001001") == []  # outside: nothing, never more


def test_sort_by_columns_only(apps, street_officer):
    a, b, c = apps
    assert ids(street_officer, status="open", sort="received_on") == [b.pk, a.pk, c.pk]
    assert ids(street_officer, status="open", sort="-received_on") == [c.pk, a.pk, b.pk]
    assert ids(street_officer, status="open", sort="household__members__id_number") == [c.pk, b.pk, a.pk]


def test_the_page_keeps_filters_in_paging_and_sort_links(client, apps, street_officer, settings, monkeypatch):
    monkeypatch.setattr("applications.views.PAGE_SIZE", 1)
    client.force_login(street_officer)
    page = client.get(reverse("application_list"), {"status": "open", "category": "dibao"}).content.decode()
    assert 'href="?status=open&amp;category=dibao&amp;page=2" id="next-page"' in page
    assert 'href="?status=open&amp;category=dibao&amp;sort=received_on" class="sort"' in page
    assert "data-region-picker" in page and 'data-street="' in page


def test_the_export_applies_the_same_filters(client, apps, street_officer):
    from conftest import export_sheets

    a, b, c = apps
    client.force_login(street_officer)
    sheets = export_sheets(client.get(reverse("application_export"), {"status": "open", "category": "tekun"}))
    rows = next(iter(sheets.values()))
    assert (
        sum(1 for row in rows if row and row[0] in (a.pk, b.pk, c.pk, f"#{a.pk}", f"#{b.pk}", f"#{c.pk}"))
        == 1
    )
    assert any(row and row[0] in (b.pk, f"#{b.pk}") for row in rows)
