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
    assert community is not None
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
        supporter_unable_reason="户主长期重病，无力赡养",
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


def test_supporter_check_on_a_stored_household_names_the_son():
    """Issue 15: a 72-year-old whose able 35-year-old son lives with her is not 特困 because the box is
    unticked: the evaluation names the son and asks for the reason; with a reason it stands."""
    hh = make_household()
    son = add_person(hh, dt.date(1983, 3, 1), income_wage=Decimal("2000"))
    mother = add_person(hh, dt.date(1946, 1, 1), relation="parent", has_able_supporter=False, name="李四")
    with pytest.raises(ServiceError) as exc:
        determine_household(household=hh, as_of=AS_OF)
    [error] = exc.value.errors
    assert error["field"] == "household.members[1].has_able_supporter"
    assert error["message"] == (
        f"李四：户主 {son.id_number[:4]}**********{son.id_number[-4:]}（35岁，有劳动能力）是法定赡养义务人："
        "请核实并说明其无履行义务能力的原因"
    )
    mother.supporter_unable_reason = "儿子服刑中"
    mother.save()
    result = determine_household(household=hh, as_of=AS_OF)
    assert result["members"][1]["category"] == "tekun"
    assert any("儿子服刑中" in t["detail"] for t in result["trace"])


def test_stored_v2_fields_reach_the_rules():
    hh = make_household()
    add_person(
        hh, dt.date(1980, 1, 1), disability_grade=2, disability_kind="intellectual", has_able_supporter=False
    )
    request = household_request(household=hh, as_of=dt.date(2022, 1, 1))
    assert request["household"]["members"][0]["disability_kind"] == "intellectual"
    # deemed without labour capacity (民发〔2021〕43号: 智力二级), so 特困 although entered as able to work
    result = determine_household(household=hh, as_of=dt.date(2018, 6, 1))
    assert result["categories"] == ["tekun"]
