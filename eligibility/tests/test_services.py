"""determine_household: a stored household through the same contract as the command and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Region
from config.errors import ServiceError
from eligibility.io import evaluate_request
from eligibility.services import determine_household, household_request
from eligibility.tests.factories import id_number
from households.models import Household, Person

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2018, 6, 1)


def make_household(**kw) -> Household:
    community = Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith="360102").first()
    return Household.objects.create(community=community, address="测试路1号", **kw)


def add_person(household: Household, birth: dt.date, **kw) -> Person:
    return Person.objects.create(
        household=household,
        name=kw.pop("name", "张三"),
        id_number=id_number(birth),
        birth_date=birth,
        sex="M",
        relation=kw.pop("relation", "head"),
        **kw,
    )


def test_dibao_household_with_an_elder():
    hh = make_household()
    add_person(hh, dt.date(1980, 1, 1), income_wage=Decimal("200"), income_transfer=Decimal("100"))
    add_person(
        hh,
        dt.date(1950, 1, 1),
        relation="parent",
        labor_capacity="none",
        has_able_supporter=False,
        self_care="semi",
    )
    result = determine_household(household=hh, as_of=AS_OF, overrides={"min_wage": Decimal("1680")})
    assert result == evaluate_request(
        household_request(household=hh, as_of=AS_OF, overrides={"min_wage": "1680"})
    )
    assert result["categories"] == ["tekun", "dibao"]
    assert result["per_capita_income"] == "300.00"
    assert result["total_monthly"] == "1371.00"  # 280 + 755 + 0.2 × 1680
    assert result["standards"]["region"] == "360000"


def test_orphan_blank_means_none_and_scattered_orphan_counts():
    hh = make_household()
    add_person(hh, dt.date(2010, 3, 3), orphan="scattered", relation="child")
    result = determine_household(household=hh, as_of=AS_OF)
    assert result["members"][0]["amounts"]["orphan"] == "800.00"
    hh2 = make_household()
    add_person(hh2, dt.date(2010, 3, 3), orphan="", relation="child")
    request = household_request(household=hh2, as_of=AS_OF)
    assert request["household"]["members"][0]["orphan"] is None


def test_errors_for_the_household_page():
    hh = make_household(houses=1, hardship_causes=["illness"])
    add_person(hh, dt.date(1950, 1, 1), labor_capacity="none", has_able_supporter=False, self_care="none")
    with pytest.raises(ServiceError) as exc:
        determine_household(household=hh, as_of=AS_OF)
    assert [e["field"] for e in exc.value.errors] == ["standards.property_houses", "standards.min_wage"]
    with pytest.raises(ServiceError) as exc:
        determine_household(household=hh, as_of=dt.date(2020, 1, 1))
    assert [e["field"] for e in exc.value.errors] == ["standards"]
    assert "2020" in exc.value.message


def test_query_count(django_assert_max_num_queries):
    hh = make_household()
    for i in range(4):
        add_person(hh, dt.date(1980 + i, 1, 1), relation="head" if i == 0 else "child")
    hh = Household.objects.prefetch_related("members").get(pk=hh.pk)
    with django_assert_max_num_queries(7):  # region chain (≤ 5) + standards (1)
        determine_household(household=hh, as_of=AS_OF)
