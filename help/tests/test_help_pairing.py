"""Pairings (结对帮扶, 六(二)): a cadre paired with a household, visits logged; the county sees enrolled households
without a pairing and pairings without a recent visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Event
from applications.tests.factories import FAST_HASHERS, TODAY, standard_make
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from help.models import Pairing, PairingVisit
from help.selectors import households_without_pairing, pairing_counts, pairings_without_recent_visit
from help.services import pairing as services
from help.tests.factories import enrolled_household, help_state, queries_of
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db
D = dt.date
LATER = D(2018, 10, 8)  # 126 days after TODAY


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    clock(TODAY)


@pytest.fixture
def enrolled(caseworker, street_officer, county_officer):
    return enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer)


def _pair(caseworker, household, started_on=TODAY, **kw):
    return services.pairing_create(
        acting_user=caseworker,
        household=household,
        helper_name=kw.get("name", "周建国"),
        helper_kind="cadre",
        helper_unit="东湖区财政局",
        helper_phone="0791-8600000",
        started_on=started_on,
        today=kw.get("today", started_on),
    )


def test_a_household_is_paired_and_visits_are_logged(caseworker, enrolled):
    pairing = _pair(caseworker, enrolled)
    assert (pairing.status, pairing.helper_unit, pairing.history.get().history_user) == (
        "active",
        "东湖区财政局",
        caseworker,
    )
    visit = services.pairing_visit_record(
        acting_user=caseworker,
        pairing=pairing,
        visited_on=D(2018, 7, 2),
        activities="了解就业意愿，推荐社区公益性岗位",
        today=D(2018, 7, 2),
    )
    assert (visit.visited_on, visit.activities, visit.recorded_by) == (
        D(2018, 7, 2),
        "了解就业意愿，推荐社区公益性岗位",
        caseworker,
    )
    assert list(
        Event.objects.filter(target_type="help.pairing").order_by("pk").values_list("verb", flat=True)
    ) == ["登记结对帮扶", "结对帮扶走访"]


def test_pairing_input_is_checked_per_field_and_one_helper_at_a_time(caseworker, enrolled):
    before = help_state()
    with pytest.raises(ServiceError) as exc:
        services.pairing_create(
            acting_user=caseworker,
            household=enrolled,
            helper_name="",
            helper_kind="boss",
            helper_unit="",
            started_on=D(2018, 6, 5),
            today=TODAY,
        )
    assert {(e["field"], e["message"]) for e in exc.value.errors} == {
        ("helper_name", "请填写帮扶责任人姓名"),
        ("helper_kind", "请选择帮扶责任人身份"),
        ("helper_unit", "请填写帮扶责任人所在单位"),
        ("started_on", "结对日期不能晚于今天"),
    }
    assert help_state() == before
    pairing = _pair(caseworker, enrolled)
    with pytest.raises(ServiceError, match="该家庭已与周建国结对帮扶"):
        _pair(caseworker, enrolled, name="另一人")
    with pytest.raises(ServiceError, match="走访日期不能早于结对日期"):
        services.pairing_visit_record(
            acting_user=caseworker, pairing=pairing, visited_on=D(2018, 6, 1), activities="x", today=TODAY
        )


def test_only_the_caseworker_of_the_community_records_pairings(
    caseworker, street_officer, county_officer, auditor, make_user, enrolled
):
    pairing = _pair(caseworker, enrolled)
    before = help_state()
    for user in (street_officer, county_officer, auditor, make_user("caseworker", HOME_COMMUNITY_2)):
        with pytest.raises(PermissionDenied):
            _pair(user, household_make(community_id=HOME_COMMUNITY))
        with pytest.raises(PermissionDenied):
            services.pairing_visit_record(
                acting_user=user, pairing=pairing, visited_on=TODAY, activities="x", today=TODAY
            )
    after = help_state()
    assert after["help.pairing"] == before["help.pairing"] and after["help.pairingvisit"] == []
    assert after["events"] == before["events"]


def test_the_county_sees_households_without_pairing_and_pairings_without_visits(
    client, caseworker, street_officer, county_officer, enrolled, clock
):
    unpaired = enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer)
    household_make(community_id=HOME_COMMUNITY)  # not enrolled: not expected to be paired
    never = _pair(caseworker, enrolled)
    visited = _pair(
        caseworker,
        enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer),
        name="吴敏",
    )
    services.pairing_visit_record(
        acting_user=caseworker,
        pairing=visited,
        visited_on=D(2018, 9, 1),
        activities="中秋慰问",
        today=D(2018, 9, 1),
    )

    assert list(households_without_pairing(user=county_officer)) == [unpaired]
    assert list(pairings_without_recent_visit(user=county_officer, today=TODAY)) == []  # just paired
    assert list(pairings_without_recent_visit(user=county_officer, today=LATER)) == [never]
    assert pairing_counts(user=county_officer, today=LATER) == {"active": 2, "stale": 1, "unpaired": 1}

    clock(LATER)
    client.force_login(county_officer)
    page = client.get(reverse("pairing_list")).content.decode()
    stale = page.split('id="stale"')[1].split("</section>")[0]
    assert f'href="/households/pairings/{never.pk}/"' in stale and "从未走访" in stale
    assert f'href="/households/pairings/{visited.pk}/"' not in stale
    unpaired_section = page.split('id="unpaired"')[1].split("</section>")[0]
    assert (
        f"#{unpaired.pk}<" in unpaired_section and "登记结对" not in unpaired_section
    )  # the county reads only


def test_an_ended_pairing_takes_no_visits_and_the_household_counts_as_unpaired(
    caseworker, county_officer, enrolled
):
    pairing = _pair(caseworker, enrolled)
    services.pairing_end(
        acting_user=caseworker, pairing=pairing, ended_on=TODAY, reason="帮扶责任人调离", today=TODAY
    )
    with pytest.raises(ServiceError, match="已结束"):
        services.pairing_visit_record(
            acting_user=caseworker, pairing=pairing, visited_on=TODAY, activities="x", today=TODAY
        )
    assert list(households_without_pairing(user=county_officer)) == [enrolled]
    assert not PairingVisit.objects.exists()


def test_pairing_pages(client, caseworker, enrolled):
    client.force_login(caseworker)
    response = client.post(
        reverse("pairing_create", args=[enrolled.pk]),
        {
            "helper_name": "周建国",
            "helper_kind": "party_member",
            "helper_unit": "东湖区税务局",
            "started_on": "2018-06-04",
        },
    )
    pairing = Pairing.objects.get()
    assert response.url == reverse("pairing_detail", args=[pairing.pk])
    response = client.post(
        reverse("pairing_visit", args=[pairing.pk]), {"visited_on": "2018-06-04", "activities": "送去米油"}
    )
    assert response.status_code == 302
    page = client.get(reverse("pairing_detail", args=[pairing.pk])).content.decode()
    assert "送去米油" in page and "周建国" in page
    household_page = client.get(reverse("household_detail", args=[enrolled.pk])).content.decode()
    assert "周建国（东湖区税务局）" in household_page


def test_the_pairing_list_runs_a_constant_number_of_queries(client, caseworker, county_officer):
    def add(n):
        for _ in range(n):
            household = household_make(community_id=HOME_COMMUNITY)
            pairing = _pair(caseworker, household, name=f"干部{Pairing.objects.count()}")
            services.pairing_visit_record(
                acting_user=caseworker, pairing=pairing, visited_on=TODAY, activities="走访", today=TODAY
            )

    add(5)
    client.force_login(county_officer)
    five, _ = queries_of(client, reverse("pairing_list"))
    add(45)
    fifty, page = queries_of(client, reverse("pairing_list"))
    assert fifty == five and "共 50 条" in page
