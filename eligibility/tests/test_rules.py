"""policy.md §4–§5 case by case, on the pure rules (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from eligibility import rules
from eligibility.tests.factories import AS_OF, JX2018, elder, household, member

D = Decimal


def evaluate(
    hh: rules.Household, standards: rules.Standards = JX2018, as_of: dt.date = AS_OF
) -> rules.Result:
    return rules.evaluate(hh, standards, as_of)


def with_std(**changes) -> rules.Standards:
    return dataclasses.replace(JX2018, **changes)


def trace_of(result: rules.Result, rule: str) -> list[rules.TraceEntry]:
    return [t for t in result.trace if t.rule == rule]


def error_fields(exc: pytest.ExceptionInfo[rules.RulesError]) -> list[str]:
    return [e["field"] for e in exc.value.errors]


# -- small formulas ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(1958, 6, 1), dt.date(2018, 6, 1), 60),  # the 60th birthday counts
        (dt.date(1958, 6, 1), dt.date(2018, 5, 31), 59),
        (dt.date(2002, 6, 1), dt.date(2018, 6, 1), 16),
        (dt.date(2002, 6, 1), dt.date(2018, 5, 31), 15),
        (dt.date(2000, 2, 29), dt.date(2018, 2, 28), 17),  # a 29 February birthday is reached on 1 March
        (dt.date(2000, 2, 29), dt.date(2018, 3, 1), 18),
        (dt.date(2000, 2, 29), dt.date(2020, 2, 29), 20),
    ],
)
def test_age_on(birth, on, age):
    assert rules.age_on(birth, on) == age


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2018, 1, 31), 1, dt.date(2018, 2, 28)),  # clamps to the last day of February
        (dt.date(2020, 1, 31), 1, dt.date(2020, 2, 29)),  # leap year
        (dt.date(2018, 3, 31), 1, dt.date(2018, 4, 30)),
        (dt.date(2017, 8, 31), 12, dt.date(2018, 8, 31)),
        (dt.date(2017, 8, 31), 6, dt.date(2018, 2, 28)),
        (dt.date(2017, 8, 31), 18, dt.date(2019, 2, 28)),
        (dt.date(2016, 2, 29), 12, dt.date(2017, 2, 28)),
        (dt.date(2016, 2, 29), 48, dt.date(2020, 2, 29)),
        (dt.date(2017, 12, 15), 1, dt.date(2018, 1, 15)),
        (dt.date(2017, 8, 31), 24, dt.date(2019, 8, 31)),
        (dt.date(2017, 5, 10), 36, dt.date(2020, 5, 10)),
    ],
)
def test_add_months(start, months, end):
    assert rules.add_months(start, months) == end


def test_round_money_is_half_up():
    assert rules.round_money(D("0.005")) == D("0.01")
    assert rules.round_money(D("2.675")) == D("2.68")
    assert rules.round_money(D("0.0049999")) == D("0.00")


# -- dibao ---------------------------------------------------------------------------------------


def test_dibao_single_member():
    result = evaluate(household(member(income="300")))
    assert result.categories == ("dibao",)
    assert result.per_capita_income == D("300")
    assert result.dibao_subsidy == D("280.00")
    assert result.total_monthly == D("280.00")
    assert result.members[0].category == "dibao"
    [entry] = trace_of(result, "dibao.income_below_standard")
    assert entry == rules.TraceEntry(
        "dibao.income_below_standard", "四(二)", True, "人均月收入 300.00 元 低于 低保标准 580.00 元"
    )


def test_pci_exactly_dibao_is_not_dibao_but_zhichu_range():
    result = evaluate(household(member(income="580"), causes=("illness",)))
    assert "dibao" not in result.categories
    assert result.categories == ("zhichu",)
    assert result.dibao_subsidy == D("0")
    assert result.zhichu.eligible is True
    assert result.zhichu.dibao_via_expenditure is False  # dpci 580 is not below 580
    assert result.zhichu.disposable_per_capita == D("580")
    assert result.zhichu.subsidy == D("0")
    [entry] = trace_of(result, "dibao.income_below_standard")
    assert entry.passed is False
    assert entry.detail == "人均月收入 580.00 元 不低于 低保标准 580.00 元"
    [in_range] = trace_of(result, "zhichu.income_in_range")
    assert in_range.passed is True


def test_one_cent_below_dibao_is_dibao():
    result = evaluate(household(member(income="579.99")))
    assert result.categories == ("dibao",)
    assert result.dibao_subsidy == D("0.01")


def test_pci_exactly_one_and_a_half_dibao_is_zhichu():
    result = evaluate(household(member(income="870"), causes=("schooling",)))
    assert result.categories == ("zhichu",)
    assert result.members[0].category == "zhichu"


def test_one_cent_above_ceiling_is_not_zhichu():
    result = evaluate(household(member(income="870.01"), causes=("schooling",)))
    assert result.categories == ()
    assert result.zhichu.eligible is False
    assert result.members[0].category is None


def test_ceiling_is_compared_per_capita_without_rounding():
    # Two members, 1740.01 in total: pci 870.005 is above 870 although it rounds to 870.01 only on display.
    result = evaluate(household(member(income="1740.01"), member(income="0"), causes=("illness",)))
    assert result.zhichu.eligible is False
    result = evaluate(household(member(income="1740.00"), member(income="0"), causes=("illness",)))
    assert result.zhichu.eligible is True


def test_zhichu_needs_a_hardship_cause():
    result = evaluate(household(member(income="700")))
    assert result.categories == ()
    [cause] = trace_of(result, "zhichu.hardship_cause")
    assert cause.passed is False


def test_rounding_only_at_the_end():
    # pci = 333.333…; (580 − 333.33) × 3 would give 740.01.
    result = evaluate(household(member(income="400"), member(income="300"), member(income="300")))
    assert result.dibao_subsidy == D("740.00")
    assert result.per_capita_income is not None
    assert rules.round_money(result.per_capita_income) == D("333.33")
    assert result.total_monthly == D("740.00")


def test_per_capita_rounds_half_up_for_display_only():
    result = evaluate(household(member(income="0.01"), member(income="0")))
    assert result.per_capita_income == D("0.005")
    assert result.dibao_subsidy == D("1159.99")


def test_dibao_via_expenditure():
    result = evaluate(household(member(income="700"), rigid="200", causes=("illness",)))
    assert result.categories == ("zhichu",)
    assert result.zhichu == rules.ZhichuResult(
        eligible=True, dibao_via_expenditure=True, disposable_per_capita=D("500"), subsidy=D("80.00")
    )
    assert result.dibao_subsidy == D("0")
    assert result.total_monthly == D("80.00")
    [entry] = trace_of(result, "zhichu.dibao_via_expenditure")
    assert entry.clause == "五(一)3"
    assert entry.passed is True


def test_dibao_via_expenditure_boundary_and_floor():
    exactly = evaluate(household(member(income="700"), rigid="120", causes=("illness",)))
    assert exactly.zhichu.dibao_via_expenditure is False  # dpci 580 = dibao: not below
    floor = evaluate(household(member(income="700"), member(income="500"), rigid="5000", causes=("illness",)))
    assert floor.zhichu.disposable_per_capita == D("0")
    assert floor.zhichu.subsidy == D("1160.00")


def test_zhichu_subsidy_rounds_once():
    # Three members, income 1800, rigid 800.01 → disposable 999.99, dpci 333.33. 580 × 3 − 999.99 = 740.01
    result = evaluate(
        household(member(income="1800"), member(), member(), rigid="800.01", causes=("illness",))
    )
    assert result.zhichu.subsidy == D("740.01")
    result = evaluate(household(member(income="1800"), member(), member(), rigid="800", causes=("illness",)))
    assert result.zhichu.subsidy == D("740.00")


# -- tekun ---------------------------------------------------------------------------------------


def test_elderly_tekun_basic():
    result = evaluate(household(elder()))
    assert result.categories == ("tekun",)
    assert result.per_capita_income is None
    assert result.members[0].category == "tekun"
    assert result.members[0].amounts == rules.MemberAmounts(tekun_basic=D("755.00"))
    assert result.total_monthly == D("755.00")


@pytest.mark.parametrize(("as_of", "tekun"), [(dt.date(2018, 6, 1), True), (dt.date(2018, 5, 31), False)])
def test_sixtieth_birthday(as_of, tekun):
    result = evaluate(household(elder(birth=dt.date(1958, 6, 1))), as_of=as_of)
    assert ("tekun" in result.categories) is tekun


@pytest.mark.parametrize(("as_of", "tekun"), [(dt.date(2018, 5, 31), True), (dt.date(2018, 6, 1), False)])
def test_sixteenth_birthday(as_of, tekun):
    # Labour capacity "full" is overridden while under 16: a child counts as without labour capacity.
    child = member(birth=dt.date(2002, 6, 1), labor_capacity="full", has_able_supporter=False)
    result = evaluate(household(child), as_of=as_of)
    assert ("tekun" in result.categories) is tekun


def test_disabled_adult_without_labour_is_tekun():
    result = evaluate(household(member(disability_grade=3, labor_capacity="none", has_able_supporter=False)))
    assert result.categories == ("tekun",)


@pytest.mark.parametrize(
    "change",
    [
        {"has_able_supporter": True},
        {"income": "580"},
    ],
)
def test_tekun_needs_every_condition(change):
    result = evaluate(household(elder(**change)))
    assert "tekun" not in result.categories
    assert result.members[0].category == "dibao" or result.members[0].category is None


def test_tekun_own_income_just_below_dibao():
    result = evaluate(household(elder(income="579.99")))
    assert result.categories == ("tekun",)


def test_tekun_leaves_the_unit():
    result = evaluate(household(elder(income="500"), member(income="300")))
    assert result.categories == ("tekun", "dibao")
    assert result.per_capita_income == D("300")  # the tekun person's income is not counted
    assert result.dibao_subsidy == D("280.00")
    assert [m.category for m in result.members] == ["tekun", "dibao"]
    assert result.total_monthly == D("1035.00")


@pytest.mark.parametrize(
    ("as_of", "category", "orphan", "tekun_basic"),
    [
        (dt.date(2018, 5, 31), "tekun", D("800.00"), D("0")),  # 17: orphan allowance
        (dt.date(2018, 6, 1), "dibao", D("0"), D("0")),  # 18: general conditions (labour, supporter) fail
    ],
)
def test_orphan_seventeen_vs_eighteen(as_of, category, orphan, tekun_basic):
    kid = member(birth=dt.date(2000, 6, 1), orphan="scattered")
    result = evaluate(household(kid), as_of=as_of)
    assert result.members[0].category == category
    assert result.members[0].amounts.orphan == orphan
    assert result.members[0].amounts.tekun_basic == tekun_basic


def test_orphan_under_eighteen_is_tekun_whatever_the_conditions():
    kid = member(birth=dt.date(2005, 1, 1), orphan="institutional", income="2000", has_able_supporter=True)
    result = evaluate(household(kid, houses=5))
    assert result.categories == ("tekun",)
    assert result.members[0].amounts == rules.MemberAmounts(orphan=D("1200.00"))
    assert not trace_of(result, "property.houses")  # the property was never needed


def test_adult_former_orphan_meeting_conditions_gets_tekun_basic():
    adult = member(
        birth=dt.date(2000, 6, 1),
        orphan="scattered",
        disability_grade=3,
        labor_capacity="none",
        has_able_supporter=False,
    )
    result = evaluate(household(adult))
    assert result.members[0].amounts == rules.MemberAmounts(tekun_basic=D("755.00"))


# -- care and disability -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("self_care", "care"), [("none", D("1344.00")), ("semi", D("336.00")), ("full", D("0"))]
)
def test_tekun_care(self_care, care):
    result = evaluate(household(elder(self_care=self_care)))
    assert result.members[0].amounts.care == care
    assert result.total_monthly == D("755.00") + care


def test_care_rounds_half_up_once():
    result = evaluate(household(elder(self_care="semi")), with_std(min_wage=D("1680.03")))
    assert result.members[0].amounts.care == D("336.01")  # 0.2 × 1680.03 = 336.006


def test_orphan_gets_no_care_fund_v2():
    # [v2] §5: the care fund is for 失能/半失能特困人员; an orphan has the orphan allowance instead.
    kid = member(birth=dt.date(2010, 1, 1), orphan="scattered", self_care="none")
    result = evaluate(household(kid))
    assert result.members[0].amounts == rules.MemberAmounts(orphan=D("800.00"))
    assert result.total_monthly == D("800.00")
    [care] = trace_of(result, "amount.care")
    assert care.passed is False


def test_missing_min_wage_when_care_needed():
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(elder(self_care="none")), with_std(min_wage=None))
    assert error_fields(exc) == ["standards.min_wage"]
    assert "最低工资" in exc.value.errors[0]["message"]


def test_missing_min_wage_is_fine_when_not_needed():
    result = evaluate(household(elder(self_care="full"), member(income="300")), with_std(min_wage=None))
    assert result.categories == ("tekun", "dibao")


def test_tekun_with_care_gets_no_disability_care():
    result = evaluate(household(elder(disability_grade=1, self_care="none")))
    assert result.members[0].amounts == rules.MemberAmounts(tekun_basic=D("755.00"), care=D("1344.00"))
    [entry] = trace_of(result, "amount.disability_care")
    assert entry.passed is False


def test_tekun_without_care_gets_disability_care_for_grade_one_or_two():
    result = evaluate(household(elder(disability_grade=2, self_care="full")))
    assert result.members[0].amounts == rules.MemberAmounts(
        tekun_basic=D("755.00"), disability_care=D("70.00")
    )
    result = evaluate(household(elder(disability_grade=3, self_care="full")))
    assert result.members[0].amounts == rules.MemberAmounts(tekun_basic=D("755.00"))  # no living allowance


@pytest.mark.parametrize(
    ("grade", "living", "care"),
    [
        (0, D("0"), D("0")),
        (1, D("60.00"), D("70.00")),
        (2, D("60.00"), D("70.00")),
        (3, D("60.00"), D("0")),
        (4, D("60.00"), D("0")),
    ],
)
def test_disability_allowances_in_dibao_unit(grade, living, care):
    result = evaluate(household(member(income="100", disability_grade=grade)))
    assert result.members[0].amounts == rules.MemberAmounts(disability_living=living, disability_care=care)
    assert result.total_monthly == D("480.00") + living + care


def test_zhichu_not_taken_into_dibao_gets_care_but_not_living():
    result = evaluate(household(member(income="700", disability_grade=2), causes=("disability",)))
    assert result.zhichu.dibao_via_expenditure is False
    assert result.members[0].amounts == rules.MemberAmounts(disability_care=D("70.00"))


def test_zhichu_taken_into_dibao_gets_living():
    result = evaluate(
        household(member(income="700", disability_grade=4), rigid="300", causes=("disability",))
    )
    assert result.zhichu.dibao_via_expenditure is True
    assert result.members[0].amounts == rules.MemberAmounts(disability_living=D("60.00"))
    assert result.total_monthly == D("180.00") + D("60.00")


def test_uncovered_member_gets_no_disability_amounts():
    result = evaluate(household(member(income="2000", disability_grade=1)))
    assert result.members[0].category is None
    assert result.members[0].amounts == rules.MemberAmounts()
    assert result.total_monthly == D("0")


# -- property ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("assets", "ok"), [("6960.00", True), ("6960.01", False)])
def test_financial_assets_at_the_limit(assets, ok):
    # 6 months × 580 = 3480 per capita; two members → 6960.
    result = evaluate(household(member(income="100"), member(income="100"), financial_assets=assets))
    assert ("dibao" in result.categories) is ok


def test_financial_assets_per_capita_counts_tekun_members():
    # Three members (one tekun): limit 3 × 3480 = 10440, though the unit has only two people.
    hh = household(elder(), member(income="100"), member(income="100"), financial_assets="10440")
    assert evaluate(hh).categories == ("tekun", "dibao")
    hh = household(elder(), member(income="100"), member(income="100"), financial_assets="10440.01")
    assert evaluate(hh).categories == ()


@pytest.mark.parametrize(
    ("kind", "limit", "count", "ok"),
    [
        ("vehicles", "property_vehicles", 1, True),
        ("vehicles", "property_vehicles", 2, False),
        ("houses", "property_houses", 1, True),
        ("houses", "property_houses", 2, False),
    ],
)
def test_counts_at_the_limit(kind, limit, count, ok):
    result = evaluate(household(member(income="100"), **{kind: count}), with_std(**{limit: 1}))
    assert ("dibao" in result.categories) is ok


@pytest.mark.parametrize(("allowed", "ok"), [(True, True), (False, False)])
def test_business_licence(allowed, ok):
    result = evaluate(
        household(member(income="100"), business=True), with_std(property_business_allowed=allowed)
    )
    assert ("dibao" in result.categories) is ok


def test_property_blocks_tekun_too():
    result = evaluate(household(elder(), houses=2))
    assert result.categories == ()
    [entry] = trace_of(result, "tekun.property_within_limits")
    assert entry.passed is False


def test_zero_holdings_need_no_limits():
    empty_limits = with_std(
        property_months=None, property_vehicles=None, property_houses=None, property_business_allowed=None
    )
    result = evaluate(household(member(income="300")), empty_limits)
    assert result.categories == ("dibao",)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"financial_assets": "1"}, "standards.property_months"),
        ({"vehicles": 1}, "standards.property_vehicles"),
        ({"houses": 1}, "standards.property_houses"),
        ({"business": True}, "standards.property_business_allowed"),
    ],
)
def test_a_holding_needs_its_limit(kw, field):
    std = with_std(**{field.removeprefix("standards."): None})
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(member(income="300"), **kw), std)
    assert error_fields(exc) == [field]


def test_property_limit_not_needed_when_income_decides():
    # Income far above any ceiling: the property cannot change the outcome, so an empty limit is no error.
    result = evaluate(household(member(income="5000"), houses=1), with_std(property_houses=None))
    assert result.categories == ()
    assert not trace_of(result, "property.houses")


# -- unknown standards ---------------------------------------------------------------------------


def test_missing_dibao():
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(member()), with_std(dibao=None))
    assert error_fields(exc) == ["standards.dibao"]


def test_missing_multiplier_only_when_income_at_or_above_dibao():
    assert evaluate(household(member(income="100")), with_std(zhichu_multiplier=None)).categories == (
        "dibao",
    )
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(member(income="600")), with_std(zhichu_multiplier=None))
    assert error_fields(exc) == ["standards.zhichu_multiplier"]


def test_all_missing_fields_are_reported_together():
    std = with_std(min_wage=None, property_houses=None, tekun=None)
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(elder(self_care="semi"), houses=1), std)
    assert sorted(error_fields(exc)) == ["standards.min_wage", "standards.property_houses", "standards.tekun"]


def test_missing_orphan_standard():
    kid = member(birth=dt.date(2010, 1, 1), orphan="institutional")
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(kid), with_std(orphan_institutional=None))
    assert error_fields(exc) == ["standards.orphan_institutional"]


# -- 渐退 ----------------------------------------------------------------------------------------


def employed(since: dt.date, **kw) -> rules.Member:
    return member(income=kw.pop("income", "1000"), newly_employed_since=since, **kw)


@pytest.mark.parametrize(
    ("since", "as_of", "months", "until"),
    [
        (dt.date(2018, 1, 31), dt.date(2018, 2, 15), 1, dt.date(2018, 2, 28)),
        (dt.date(2020, 1, 31), dt.date(2020, 2, 1), 1, dt.date(2020, 2, 29)),
        (dt.date(2017, 8, 31), dt.date(2018, 6, 1), 12, dt.date(2018, 8, 31)),
        (dt.date(2016, 2, 29), dt.date(2017, 1, 1), 12, dt.date(2017, 2, 28)),
        (dt.date(2017, 6, 1), dt.date(2018, 5, 31), 12, dt.date(2018, 6, 1)),
        (dt.date(2017, 6, 1), dt.date(2018, 6, 1), 12, None),  # the end itself is not after as_of
        (dt.date(2016, 6, 1), dt.date(2018, 6, 1), 12, None),
        (dt.date(2018, 6, 1), dt.date(2018, 6, 1), 12, dt.date(2019, 6, 1)),  # employed today counts
    ],
)
def test_gradual_exit(since, as_of, months, until):
    result = evaluate(household(employed(since)), with_std(extension_months=months), as_of=as_of)
    assert result.gradual_exit_until == until


def test_gradual_exit_with_a_disabled_member_uses_the_longer_period():
    hh = household(employed(dt.date(2017, 8, 31), income="2000"), member(disability_grade=4))
    result = evaluate(hh, as_of=dt.date(2018, 9, 1))
    assert result.categories == ()
    assert result.gradual_exit_until == dt.date(2019, 8, 31)  # 24 months
    [entry] = trace_of(result, "gradual_exit")
    assert entry.clause == "五(一)1"
    assert "24 个月" in entry.detail


def test_gradual_exit_takes_the_latest_date_and_ignores_future_ones():
    hh = household(
        employed(dt.date(2017, 3, 1)), employed(dt.date(2017, 9, 15)), employed(dt.date(2018, 7, 1))
    )
    assert evaluate(hh).gradual_exit_until == dt.date(2018, 9, 15)


def test_no_gradual_exit_while_dibao_eligible():
    assert evaluate(household(employed(dt.date(2018, 1, 1), income="100"))).gradual_exit_until is None


def test_no_gradual_exit_when_taken_into_dibao():
    hh = household(employed(dt.date(2018, 1, 1), income="700"), rigid="300", causes=("illness",))
    result = evaluate(hh)
    assert result.zhichu.dibao_via_expenditure is True
    assert result.gradual_exit_until is None


def test_gradual_exit_ignores_tekun_members():
    old = elder(newly_employed_since=dt.date(2018, 1, 1))
    result = evaluate(household(old, member(income="2000")))
    assert result.gradual_exit_until is None


def test_gradual_exit_needs_its_standard():
    with pytest.raises(rules.RulesError) as exc:
        evaluate(household(employed(dt.date(2018, 1, 1))), with_std(extension_months=None))
    assert error_fields(exc) == ["standards.extension_months"]


# -- totals and trace ----------------------------------------------------------------------------


def test_mixed_household_totals():
    hh = household(
        elder(self_care="semi", disability_grade=1),  # tekun 755 + care 336
        member(birth=dt.date(2012, 1, 1), orphan="scattered"),  # orphan 800
        member(income="200", disability_grade=2),  # unit: living 60 + care 70
        member(income="100"),
    )
    result = evaluate(hh)
    assert result.categories == ("tekun", "dibao")
    assert result.per_capita_income == D("150")
    assert result.dibao_subsidy == D("860.00")
    assert [m.category for m in result.members] == ["tekun", "tekun", "dibao", "dibao"]
    assert result.total_monthly == D("860.00") + D("755.00") + D("336.00") + D("800.00") + D("130.00")


def test_every_trace_entry_has_a_clause_and_chinese_detail():
    result = evaluate(household(elder(), member(income="700"), rigid="500", causes=("illness",)))
    assert result.trace
    for entry in result.trace:
        assert entry.clause
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.detail)


def test_no_members_is_an_error():
    with pytest.raises(rules.RulesError) as exc:
        evaluate(rules.Household(members=()))
    assert error_fields(exc) == ["household.members"]
