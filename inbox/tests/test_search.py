"""The header search: name, full ID number, its last digits, phone, household file number; only in scope; one
query whatever it finds; ID numbers masked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from households.tests.factories import household_make
from inbox.search import read_query, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def families():
    mine = household_make(community_id=HOME_COMMUNITY, phone="13907910001")
    theirs = household_make(community_id=HOME_COMMUNITY_2, phone="13907910002")
    head = mine.members.get(relation="head")
    head.name = "王秀英"
    head.save()
    other = theirs.members.get(relation="head")
    other.name = "王秀兰"
    other.save()
    return mine, theirs


def names(user, q):
    return [p.name for p in search(user=user, raw=q)[1]]


@pytest.mark.parametrize(
    "raw,how",
    [
        ("王秀", "姓名"),
        ("#12", "家庭档案编号"),
        ("123X", "身份证号码后几位或家庭档案编号"),
        ("13907910001", "联系电话"),
        ("  ", None),
    ],
)
def test_the_query_is_read_as_what_it_looks_like(raw, how):
    criteria = read_query(raw)
    assert (criteria.how if criteria else None) == how


def test_finds_by_name_id_last_digits_phone_and_file_number(families, caseworker):
    mine, _ = families
    head = mine.members.get(relation="head")
    assert names(caseworker, "王秀") == ["王秀英"]  # 王秀兰 is in another community
    assert names(caseworker, head.id_number) == ["王秀英"]
    assert names(caseworker, head.id_number.lower()) == ["王秀英"]
    assert "王秀英" in names(caseworker, head.id_number[-4:])
    assert names(caseworker, "13907910001") == ["王秀英", f"成员{mine.pk}-1"]
    assert names(caseworker, "13907910002") == []
    assert names(caseworker, f"#{mine.pk}") == ["王秀英", f"成员{mine.pk}-1"]


def test_the_street_finds_both_communities(families, street_officer):
    assert sorted(names(street_officer, "王秀")) == ["王秀兰", "王秀英"]


def test_the_page_masks_ids_and_costs_one_query_for_the_search(
    client, families, caseworker, django_assert_num_queries
):
    mine, _ = families
    head = mine.members.get(relation="head")
    client.force_login(caseworker)
    response = client.get(reverse("search"), {"q": head.id_number})
    page = response.content.decode()
    results = page.split('id="search-results"')[1]
    assert "王秀英" in results and head.id_number not in results and head.id_number[-4:] in results
    assert f'href="/households/{mine.pk}/"' in page
    assert "按身份证号码" in page
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("search"), {"q": "王秀英"})
    for _ in range(5):
        household_make(community_id=HOME_COMMUNITY)
    with django_assert_num_queries(len(one.captured_queries)):  # the same for one row or eleven
        assert client.get(reverse("search"), {"q": "成员"}).content.decode().count("<tr><td><a") == 11
    assert 'id="header-search"' in page
