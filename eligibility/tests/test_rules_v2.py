"""policy.md version 2, every [v2] rule on both sides of its boundary (issue 15 item 5).

Each test here fails on the version-1 rules: v1 had no deeming, no supporter check, gave orphans the care
fund and granted 渐退 to a unit over the property limits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from eligibility import rules
from eligibility.tests.factories import AS_OF, JX2018, household, member

D = Decimal
BEFORE = dt.date(2021, 6, 30)
AFTER = dt.date(2021, 7, 1)


def evaluate(hh: rules.Household, as_of: dt.date = AS_OF, **std: object) -> rules.Result:
    return rules.evaluate(hh, dataclasses.replace(JX2018, **std), as_of)  # type: ignore[arg-type]


def born(age: int, on: dt.date = AS_OF, days: int = 0) -> dt.date:
    """Born so as to be exactly `age` on `on` (days > 0: that many days short of it)."""
    return on.replace(year=on.year - age) + dt.timedelta(days=days)


def alone(**kw: object) -> rules.Household:
    """One person living alone, recorded with full labour capacity and without a supporter."""
    kw.setdefault("labor_capacity", "full")
    kw.setdefault("has_able_supporter", False)
    return household(member(**kw))  # type: ignore[arg-type]


def trace(result: rules.Result, rule: str) -> list[rules.TraceEntry]:
    return [t for t in result.trace if t.rule == rule]


# -- deemed without labour capacity by age [national] -------------------------------------------


@pytest.mark.parametrize(
    ("birth", "tekun"),
    [
        (born(60), True),  # the 60th birthday itself
        (born(60, days=1), False),  # 59, one day short
    ],
)
def test_age_60_deems_without_labour_capacity(birth, tekun):
    result = evaluate(alone(birth=birth))
    assert ("tekun" in result.categories) is tekun
    [entry] = trace(result, "tekun.no_labor_capacity")
    assert entry.passed is tekun
    if tekun:
        assert entry.clause == "四(一)；民发〔2016〕178号"
        assert "年满60周岁" in entry.detail and "视为无劳动能力" in entry.detail


def test_seventy_year_old_with_full_capacity_is_tekun_after_2021_citing_43():
    result = evaluate(alone(birth=dt.date(1950, 3, 1)), as_of=dt.date(2022, 3, 1))
    assert result.categories == ("tekun",)
    [entry] = trace(result, "tekun.no_labor_capacity")
    assert entry.clause == "四(一)；民发〔2021〕43号 第六条"


@pytest.mark.parametrize(("birth", "tekun"), [(born(16, days=1), True), (born(16), False)])
def test_age_16_boundary(birth, tekun):
    # a child of 15 recorded "full" is deemed without labour capacity; at 16 the record stands
    result = evaluate(alone(birth=birth))
    assert ("tekun" in result.categories) is tekun


# -- deemed by disability kind and grade, both sides of 2021-07-01 ---------------------------------


@pytest.mark.parametrize(
    ("kind", "grade", "before", "after"),
    [
        ("intellectual", 1, True, True),
        ("intellectual", 2, True, True),
        ("intellectual", 3, False, True),
        ("intellectual", 4, False, False),
        ("mental", 2, True, True),
        ("mental", 3, False, True),
        ("mental", 4, False, False),
        ("physical", 1, True, True),
        ("physical", 2, False, True),
        ("physical", 3, False, False),
        ("visual", 1, False, True),
        ("visual", 2, False, False),
        ("hearing", 1, False, False),
        ("speech", 1, False, False),
        ("multiple", 1, False, False),
        (None, 1, False, False),  # kind unknown: no deeming by kind
    ],
)
def test_deeming_by_kind_and_grade_switches_on_2021_07_01(kind, grade, before, after):
    for on, expected in ((BEFORE, before), (AFTER, after)):
        hh = alone(birth=dt.date(1980, 1, 1), disability_grade=grade, disability_kind=kind)
        result = evaluate(hh, as_of=on)
        assert ("tekun" in result.categories) is expected, (kind, grade, on)
        assert rules.deemed_without_labor(hh.members[0], on) is not None if expected else True


def test_deeming_trace_names_kind_grade_and_document():
    hh = alone(birth=dt.date(1980, 1, 1), disability_grade=3, disability_kind="mental")
    [entry] = trace(evaluate(hh, as_of=AFTER), "tekun.no_labor_capacity")
    assert entry.passed
    assert "精神残疾三级" in entry.detail
    assert "民发〔2021〕43号 第六条" in entry.detail


# -- the supporter check ---------------------------------------------------------------------------

ELDER = dt.date(1940, 1, 1)
ADULT = dt.date(1983, 3, 1)  # 35 on AS_OF
CHILD = dt.date(2010, 1, 1)

# (the member's relation, a supporter relation, a non-supporter relation) for every row of the table
TABLE = [
    ("head", "spouse", "sibling"),
    ("head", "child", "parent"),
    ("spouse", "head", "sibling"),
    ("spouse", "child", "other"),
    ("child", "head", "sibling"),
    ("child", "spouse", "grandchild"),
    ("parent", "head", "spouse"),
    ("parent", "sibling", "child"),
    ("grandparent", "parent", "head"),
    ("grandchild", "child", "head"),
    ("sibling", "parent", "head"),
    ("other", None, "head"),
]


def needy(relation: str, **kw: object) -> rules.Member:
    """A member who meets 特困 conditions 1–3 and is recorded without an able supporter."""
    birth = CHILD if relation in ("child", "grandchild") else ELDER
    kw.setdefault("labor_capacity", "none")
    return member(birth=birth, relation=relation, has_able_supporter=False, **kw)  # type: ignore[arg-type]


def able(relation: str, **kw: object) -> rules.Member:
    kw.setdefault("birth", ADULT)
    kw.setdefault("income", "3000")
    return member(relation=relation, **kw)  # type: ignore[arg-type]


def with_head(*members: rules.Member) -> rules.Household:
    """The members, plus a head who supports nobody here (a 10-year-old) when none of them is the head."""
    if not any(m.relation == "head" for m in members):
        members = (member(birth=dt.date(2008, 1, 1), relation="head", income="0"), *members)
    return household(*members)


@pytest.mark.parametrize(("relation", "supporter", "other"), TABLE)
def test_supporter_table_each_row(relation, supporter, other):
    if supporter is not None:
        hh = with_head(needy(relation), able(supporter))
        index = next(
            i for i, m in enumerate(hh.members) if m.relation == relation and m.has_able_supporter is False
        )
        with pytest.raises(rules.RulesError) as exc:
            evaluate(hh)
        assert [e["field"] for e in exc.value.errors] == [f"household.members[{index}].has_able_supporter"]
    # a relative who is no legal supporter of this member: no error, the member is 特困
    hh = with_head(needy(relation), able(other))
    result = evaluate(hh)
    index = next(
        i for i, m in enumerate(hh.members) if m.has_able_supporter is False and m.relation == relation
    )
    assert result.members[index].category == "tekun"


def test_supporter_error_names_the_son_as_the_contract_says():
    son = able("head", birth=ADULT, sex="M")
    mother = needy("parent", sex="F")
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(son, mother))
    [error] = exc.value.errors
    masked = son.id_number[:4] + "*" * 10 + son.id_number[-4:]
    assert error == {
        "field": "household.members[1].has_able_supporter",
        "message": f"户主 {masked}（35岁，有劳动能力）是法定赡养义务人：请核实并说明其无履行义务能力的原因",
    }


def test_supporter_named_by_sex():
    head = member(birth=dt.date(1940, 1, 1), relation="head", labor_capacity="none", has_able_supporter=False)
    daughter = able("child", sex="F")
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(head, daughter))
    assert exc.value.errors[0]["message"].startswith("户主之女 ")


@pytest.mark.parametrize(
    ("changes", "able_one"),
    [
        ({"birth": born(18)}, True),
        ({"birth": born(18, days=1)}, False),  # 17: not yet able
        ({"birth": born(60, days=1)}, True),  # 59
        ({"birth": born(60)}, False),  # 60: deemed without labour capacity
        ({"labor_capacity": "partial"}, True),
        ({"labor_capacity": "none"}, False),
        ({"disability_grade": 2, "disability_kind": "intellectual"}, False),  # deemed by kind
        ({"disability_grade": 4, "disability_kind": "intellectual"}, True),
    ],
)
def test_able_supporter_boundaries(changes, able_one):
    hh = household(able("head", **changes), needy("parent"))
    if able_one:
        with pytest.raises(rules.RulesError):
            evaluate(hh)
    else:
        assert evaluate(hh).members[1].category == "tekun"


def test_reason_lets_the_finding_stand_and_is_quoted():
    hh = household(able("head"), needy("parent", supporter_unable_reason="  儿子服刑中  "))
    result = evaluate(hh)
    assert result.members[1].category == "tekun"
    [entry] = [t for t in trace(result, "tekun.no_supporter") if t.passed]
    assert "儿子服刑中" in entry.detail


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_reason_counts_as_none(blank):
    with pytest.raises(rules.RulesError):
        evaluate(household(able("head"), needy("parent", supporter_unable_reason=blank)))


def test_no_error_where_the_flag_decides_nothing():
    # the mother has her own income above the 低保 standard: condition 3 fails, the flag decides nothing
    result = evaluate(household(able("head"), needy("parent", income="900")))
    assert "tekun" not in result.categories


def test_member_without_relation_is_checked_against_nobody_and_supports_nobody():
    result = evaluate(household(able(None), needy("parent")))  # type: ignore[arg-type]
    assert result.members[1].category == "tekun"
    result = evaluate(
        household(able("head"), member(birth=ELDER, labor_capacity="none", has_able_supporter=False))
    )
    assert result.members[1].category == "tekun"


def test_orphans_are_not_checked():
    orphan = member(birth=CHILD, relation="child", orphan="scattered", has_able_supporter=False)
    result = evaluate(household(able("head"), orphan))
    assert result.members[1].category == "tekun"
    assert result.members[1].amounts.orphan == D("800.00")


# -- orphans: no care fund ------------------------------------------------------------------------


@pytest.mark.parametrize(("self_care", "care"), [("none", D("1344.00")), ("semi", D("336.00"))])
def test_orphan_gets_no_care_fund_but_an_adult_tekun_does(self_care, care):
    kid = member(birth=CHILD, orphan="institutional", self_care=self_care, disability_grade=1)
    result = evaluate(household(kid))
    # the orphan allowance, and 重度残疾人护理补贴 because no care fund is paid
    assert result.members[0].amounts == rules.MemberAmounts(orphan=D("1200.00"), disability_care=D("70.00"))
    adult = member(birth=ELDER, labor_capacity="none", has_able_supporter=False, self_care=self_care)
    assert evaluate(household(adult)).members[0].amounts.care == care


def test_orphan_of_18_is_no_longer_an_orphan_case():
    adult_orphan = member(birth=born(18), orphan="scattered", has_able_supporter=False)
    assert evaluate(household(adult_orphan)).categories != ("tekun",)


# -- 渐退 on income alone --------------------------------------------------------------------------

EMPLOYED = dt.date(2018, 1, 15)


def worker(income: str = "700", **kw: object) -> rules.Member:
    return member(birth=ADULT, income=income, newly_employed_since=EMPLOYED, relation="head", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("assets", "until"),
    [
        ("0", dt.date(2019, 1, 15)),
        ("3480", dt.date(2019, 1, 15)),  # 6 months × 580 = 3480: within the limit
        ("3480.01", None),  # over the property limit: it did not leave on income alone
    ],
)
def test_gradual_exit_only_within_the_property_limits(assets, until):
    result = evaluate(household(worker(), financial_assets=assets))
    assert result.categories == ()
    assert result.gradual_exit_until == until
    if until is None:
        [entry] = trace(result, "gradual_exit")
        assert entry.passed is False and "财产" in entry.detail


def test_no_gradual_exit_for_a_unit_taken_into_dibao_via_expenditure():
    # income 700 ≥ 580, within 1.5 × 580 = 870, a cause, rigid expenditure 300: 400 < 580, taken into dibao
    result = evaluate(household(worker(disability_grade=4), rigid="300", causes=("illness",)))
    assert result.zhichu.dibao_via_expenditure is True
    assert result.zhichu.subsidy == D("180.00")
    assert result.members[0].amounts.disability_living == D("60.00")
    assert result.gradual_exit_until is None
    # the same unit without the expenditure leaves on income alone: 渐退 (24 months with a disabled member)
    result = evaluate(household(worker(disability_grade=4), causes=("illness",)))
    assert result.zhichu.dibao_via_expenditure is False
    assert result.gradual_exit_until == dt.date(2020, 1, 15)


# -- a person born after the evaluation date ------------------------------------------------------


def test_birth_after_as_of_is_an_error_on_that_id_number():
    hh = household(member(birth=dt.date(1980, 1, 1)), member(birth=dt.date(2018, 6, 2)))
    with pytest.raises(rules.RulesError) as exc:
        evaluate(hh)
    assert [e["field"] for e in exc.value.errors] == ["household.members[1].id_number"]
