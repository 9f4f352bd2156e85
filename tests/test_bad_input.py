"""Bad input that used to give a server error gives a field-level 400 or a Chinese form error, and writes nothing
(issue 20 item 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ApiClient
from accounts.services import api_client_save, api_key_issue
from config.errors import ServiceError
from config.params import positive_int
from conftest import HOME_COMMUNITY, make_id
from households import services as household_services
from households.models import Household, Person
from households.services import HOUSEHOLD_FIELDS, PERSON_FIELDS, household_save
from households.tests.factories import household_make
from households.tests.test_household_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "１２", "99999999999999999999999", "-1", "0", "", "1e3"])
def test_positive_int_takes_only_ascii_digits_in_range(value):
    assert positive_int(value) is None


def test_positive_int_reads_plain_numbers():
    assert (positive_int("7"), positive_int("9223372036854775807")) == (7, 2**63 - 1)


@pytest.mark.parametrize("query", ["household=²", "household=99999999999999999999"])
def test_a_unicode_digit_or_huge_id_in_the_query_is_ignored_not_a_500(client, caseworker, query):
    client.force_login(caseworker)
    assert client.get(f"{reverse('lead_create')}?{query}").status_code == 200


def test_deeply_nested_json_is_a_400(client, make_user):
    province = make_user("province", "360000")
    api_client = api_client_save(
        acting_user=province, values={"name": "测算", "department": "人社", "scopes": ["evaluate"]}
    )
    key = api_key_issue(acting_user=province, client=api_client)[1]
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/eligibility/evaluate",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "__all__"
    assert ApiClient.objects.count() == 1


def test_the_api_json_parser_refuses_deep_nesting_as_a_parse_error():
    import io

    from rest_framework.exceptions import ParseError

    from config.parsers import SafeJSONParser

    with pytest.raises(ParseError, match="JSON 嵌套层数过多"):
        SafeJSONParser().parse(io.BytesIO(b"[" * 100_000 + b"]" * 100_000), parser_context={})


def _values(household):
    return {f: getattr(household, f) for f in HOUSEHOLD_FIELDS}


def _member(person, **changes):
    return {**{f: getattr(person, f) for f in PERSON_FIELDS}, "id": person.pk, **changes}


def test_a_member_id_from_another_household_is_refused_on_its_field(caseworker):
    mine = household_make(community_id=HOME_COMMUNITY, members=1)
    theirs = household_make(community_id=HOME_COMMUNITY, members=1)
    stranger = theirs.members.get()
    head = mine.members.get()
    members = [_member(head), _member(stranger, relation="child", name="改名")]
    with pytest.raises(ServiceError) as refused:
        household_save(acting_user=caseworker, household=mine, data=_values(mine), members=members)
    assert {
        "field": "members[1].id",
        "message": "该成员不属于此家庭档案，请刷新页面后重新填写",
    } in refused.value.errors
    stranger.refresh_from_db()
    assert (stranger.household_id, stranger.name, mine.members.count()) == (
        theirs.pk,
        f"成员{theirs.pk}-0",
        1,
    )


def test_two_identical_creates_at_once_give_already_registered_not_a_500(caseworker, monkeypatch):
    template = household_make(community_id=HOME_COMMUNITY, members=1)
    number = make_id()
    member = {**_member(template.members.get(), id_number=number, name="新人"), "id": None}
    real_check = household_services._check_members

    def check_then_lose_the_race(**kwargs):
        real_check(**kwargs)  # nobody has this ID number yet…
        other = household_make(community_id=HOME_COMMUNITY, members=0)  # …then the other request commits
        Person.objects.create(
            household=other, name="新人", id_number=number, birth_date="1980-01-01", sex="M"
        )

    monkeypatch.setattr(household_services, "_check_members", check_then_lose_the_race)
    before = Household.objects.count()
    with pytest.raises(ServiceError) as refused:
        household_save(acting_user=caseworker, household=None, data=_values(template), members=[member])
    assert refused.value.errors == [
        {
            "field": "members",
            "message": "此人已在其他家庭中登记（可能刚由他人同时登记），一人只能属于一个家庭，请刷新后核对",
        }
    ]
    # Nothing of this save is left (the simulated rival wrote inside the same transaction, so it went too).
    assert Household.objects.count() == before
    assert not Person.objects.filter(id_number=number).exists()


@pytest.mark.parametrize("name", ["张\u202e三", "李\u200b四", "\ufeff王五", "赵\u2066六\u2069"])
def test_names_with_direction_overrides_or_zero_width_characters_are_refused(client, caseworker, name):
    client.force_login(caseworker)
    response = client.post(reverse("household_create"), form_data([{"name": name, "id_number": make_id()}]))
    assert response.status_code == 200
    assert "不能含有不可见的控制字符" in response.content.decode()
    assert not Household.objects.exists() and not Person.objects.exists()
