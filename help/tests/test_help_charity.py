"""Charity matching (五(八)): offers registered for an area; needs published with no personal data; a match
only with the household's consent; the aid given recorded on the household."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import Event, Region
from applications.tests.factories import FAST_HASHERS, TODAY, standard_make
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from help.models import AidMatch, AidNeed, AidOffer
from help.services import charity as services
from help.tests.factories import help_state, queries_of
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    clock(TODAY)


@pytest.fixture
def household():
    return household_make(
        community_id=HOME_COMMUNITY,
        members=2,
        address="滕王阁路18号",
        phone="13912345678",
        bank_account="6222021234567890123",
    )


def _offer(user, region_code="360102", **kw):
    return services.aid_offer_register(
        acting_user=user,
        provider_name=kw.pop("provider_name", "江西省慈善总会"),
        provider_kind="organisation",
        title=kw.pop("title", "秋送助学"),
        kind=kw.pop("kind", "education"),
        region=Region.objects.get(code=region_code),
        amount=kw.pop("amount", "2000"),
        places=kw.pop("places", 2),
        conditions="在读中小学生",
        today=TODAY,
        **kw,
    )


def _need(caseworker, household, **kw):
    return services.aid_need_publish(
        acting_user=caseworker,
        household=household,
        kind=kw.pop("kind", "education"),
        description=kw.pop("description", "家中两个孩子上学，学杂费和生活费有缺口"),
        amount_needed=kw.pop("amount_needed", "3000"),
        consent=True,
        consent_on=TODAY,
        today=TODAY,
        **kw,
    )


def test_offers_are_registered_for_a_region_within_the_users_area(county_officer, street_officer, caseworker):
    offer = _offer(county_officer)
    assert (offer.status, offer.amount, offer.places, offer.history.get().history_user) == (
        "open",
        Decimal("2000.00"),
        2,
        county_officer,
    )
    assert Event.objects.get(target_type="help.aidoffer").verb == "登记社会帮扶资源"
    before = help_state()
    for user, region in (
        (street_officer, "360102"),
        (caseworker, "360102002000"),
        (county_officer, "360702"),
    ):
        with pytest.raises(PermissionDenied):
            _offer(user, region)
    assert help_state() == before
    assert _offer(caseworker, HOME_COMMUNITY, title="社区爱心超市").region_id == HOME_COMMUNITY


def test_a_need_with_personal_data_is_refused(caseworker, household):
    head = household.members.get(relation="head")
    before = help_state()
    for text, found in (
        (f"{head.name}家孩子上学困难", "姓名"),
        (f"身份证{head.id_number}", "身份证号码"),
        ("住滕王阁路18号，孩子上学困难", "住址"),
        ("请联系13912345678", "电话号码"),
        ("住在某小区3栋2单元", "门牌号"),
    ):
        with pytest.raises(ServiceError) as exc:
            _need(caseworker, household, description=text)
        assert exc.value.errors == [{"field": "description", "message": exc.value.errors[0]["message"]}]
        assert found in exc.value.message and "不得含有个人信息" in exc.value.message
    with pytest.raises(ServiceError, match="须经家庭同意后才能公开发布需求"):
        services.aid_need_publish(
            acting_user=caseworker,
            household=household,
            kind="medical",
            description="看病",
            consent=False,
            consent_on=None,
            today=TODAY,
        )
    assert help_state() == before


def test_a_published_need_shows_no_personal_data_on_the_public_page(client, caseworker, household):
    need = _need(caseworker, household)
    personal = [household.address, household.phone, household.bank_account, f"家庭#{household.pk}"]
    for member in household.members.all():
        personal += [member.name, member.id_number, member.id_masked, member.id_number[-4:] + "<"]
    response = client.get(reverse("charity_public"))  # no login
    body = response.content.decode()
    assert response.status_code == 200
    assert need.description in body and "3000.00" in body and "民巷社区" in body
    for value in personal:
        assert value not in body, value
    assert "退出" not in body  # not signed in: no staff menu


def test_a_match_requires_the_households_consent(caseworker, county_officer, household):
    offer = _offer(county_officer)
    need = _need(caseworker, household)
    before = help_state()
    with pytest.raises(ServiceError) as exc:
        services.aid_match_create(
            acting_user=caseworker,
            offer=offer,
            household=household,
            need=need,
            consent=False,
            consent_on=None,
            consent_by="",
            today=TODAY,
        )
    assert exc.value.errors == [{"field": "consent", "message": "须经家庭同意后才能对接帮扶资源"}]
    assert help_state() == before
    with pytest.raises(IntegrityError):  # the database holds the rule too
        AidMatch.objects.create(
            offer=offer,
            household=household,
            consent=False,
            consent_on=TODAY,
            consent_by="x",
            matched_by=caseworker,
        )


def test_a_match_with_consent_then_the_aid_given_is_recorded_on_the_household(
    client, caseworker, county_officer, household
):
    offer = _offer(county_officer)
    need = _need(caseworker, household)
    head = household.members.get(relation="head")
    match = services.aid_match_create(
        acting_user=caseworker,
        offer=offer,
        household=household,
        need=need,
        consent=True,
        consent_on=TODAY,
        consent_by=head.name,
        today=TODAY,
    )
    need.refresh_from_db()
    assert (match.status, match.consent, match.consent_by, need.status) == (
        "matched",
        True,
        head.name,
        "matched",
    )
    delivered = services.aid_match_deliver(
        acting_user=caseworker,
        match=match,
        delivered_on=D(2018, 9, 1),
        amount="2000",
        description="秋季学期助学金已发放",
        today=D(2018, 9, 1),
    )
    assert (delivered.status, delivered.delivered_amount) == ("delivered", Decimal("2000.00"))
    client.force_login(caseworker)
    page = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    section = page.split('id="aid-matches"')[1].split("</table>")[0]
    assert "江西省慈善总会：秋送助学" in section and "秋季学期助学金已发放（2000.00元）" in section
    assert list(
        Event.objects.filter(target_type="help.aidmatch").order_by("pk").values_list("verb", flat=True)
    ) == ["对接社会帮扶资源：江西省慈善总会", "社会帮扶已落实：江西省慈善总会"]
    assert (
        "秋季学期" not in client.get(reverse("charity_public")).content.decode()
    )  # matched: no longer public


def test_an_offer_covers_its_region_and_its_places(caseworker, county_officer, make_user, household):
    offer = _offer(county_officer, places=1)
    outside = _offer(make_user("county", "360702"), region_code="360702", title="赣州助学")
    other = household_make(community_id=HOME_COMMUNITY)
    with pytest.raises(ServiceError, match="不在此资源的帮扶范围"):
        services.aid_match_create(
            acting_user=caseworker,
            offer=outside,
            household=household,
            consent=True,
            consent_on=TODAY,
            consent_by="户主",
            today=TODAY,
        )
    first = services.aid_match_create(
        acting_user=caseworker,
        offer=offer,
        household=household,
        consent=True,
        consent_on=TODAY,
        consent_by="户主",
        today=TODAY,
    )
    with pytest.raises(ServiceError, match="可帮扶1户，已全部对接"):
        services.aid_match_create(
            acting_user=caseworker,
            offer=offer,
            household=other,
            consent=True,
            consent_on=TODAY,
            consent_by="户主",
            today=TODAY,
        )
    services.aid_match_cancel(acting_user=caseworker, match=first, reason="家庭另有安排")
    services.aid_match_create(
        acting_user=caseworker,
        offer=offer,
        household=other,
        consent=True,
        consent_on=TODAY,
        consent_by="户主",
        today=TODAY,
    )
    assert AidMatch.objects.filter(status="matched").count() == 1


def test_cancelling_a_match_publishes_its_need_again(caseworker, county_officer, household):
    need = _need(caseworker, household)
    match = services.aid_match_create(
        acting_user=caseworker,
        offer=_offer(county_officer),
        household=household,
        need=need,
        consent=True,
        consent_on=TODAY,
        consent_by="户主",
        today=TODAY,
    )
    services.aid_match_cancel(acting_user=caseworker, match=match, reason="提供方撤回")
    need.refresh_from_db()
    assert need.status == "published"


def test_only_the_caseworker_of_the_household_publishes_and_matches(
    caseworker, street_officer, county_officer, make_user, household
):
    offer = _offer(county_officer)
    need = _need(caseworker, household)
    before = help_state()
    for user in (street_officer, county_officer, make_user("caseworker", HOME_COMMUNITY_2)):
        with pytest.raises(PermissionDenied):
            _need(user, household, kind="medical")
        with pytest.raises(PermissionDenied):
            services.aid_match_create(
                acting_user=user,
                offer=offer,
                household=household,
                need=need,
                consent=True,
                consent_on=TODAY,
                consent_by="户主",
                today=TODAY,
            )
        with pytest.raises(PermissionDenied):
            services.aid_need_withdraw(acting_user=user, need=need, reason="x")
    assert help_state() == before


def test_charity_pages(client, caseworker, county_officer, household):
    client.force_login(county_officer)
    response = client.post(
        reverse("offer_create"),
        {
            "provider_name": "东湖区总工会",
            "provider_kind": "union",
            "title": "冬送温暖",
            "kind": "living",
            "region": "360102",
            "amount": "500",
            "places": "10",
        },
    )
    offer = AidOffer.objects.get()
    assert response.url == reverse("offer_detail", args=[offer.pk])
    client.force_login(caseworker)
    response = client.post(
        reverse("need_create", args=[household.pk]),
        {
            "kind": "living",
            "description": "冬季取暖和生活物资不足",
            "consent": "on",
            "consent_on": "2018-06-04",
        },
    )
    need = AidNeed.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("offer_detail", args=[offer.pk])).content.decode()
    assert f"?household={household.pk}&amp;need={need.pk}" in page
    response = client.post(
        reverse("offer_match", args=[offer.pk]),
        {"household": household.pk, "need": need.pk, "consent_by": "户主", "consent_on": "2018-06-04"},
    )
    assert "须经家庭同意后才能对接帮扶资源" in response.content.decode() and not AidMatch.objects.exists()
    response = client.post(
        reverse("offer_match", args=[offer.pk]),
        {
            "household": household.pk,
            "need": need.pk,
            "consent": "on",
            "consent_by": "户主",
            "consent_on": "2018-06-04",
        },
    )
    assert response.status_code == 302 and AidMatch.objects.get().need == need


def test_the_public_page_and_offer_list_run_a_constant_number_of_queries(client, caseworker, county_officer):
    def add(n):
        for _ in range(n):
            _need(
                caseworker,
                household_make(community_id=HOME_COMMUNITY),
                kind="medical",
                description="慢性病长期服药，自付费用较高",
            )
            _offer(county_officer, title="医疗救助", kind="medical")

    add(5)
    five, _ = queries_of(client, reverse("charity_public"))
    client.force_login(county_officer)
    five_offers, _ = queries_of(client, reverse("charity_home"))
    add(45)
    client.logout()
    fifty, page = queries_of(client, reverse("charity_public"))
    assert fifty == five and "共 50 条" in page
    client.force_login(county_officer)
    fifty_offers, _ = queries_of(client, reverse("charity_home"))
    assert fifty_offers == five_offers
