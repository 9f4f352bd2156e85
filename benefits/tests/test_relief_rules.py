"""The limits of temporary relief (policy.md §6) as a pure function, case by case with exact amounts.

Local settings used: per event 1000, a year 3000 and 2 grants, +1 grant for the three categories, street limit
500, uplift up to 50 %."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from benefits.relief_rules import relief_check
from eligibility.tests.factories import JX2018

STD = dataclasses.replace(
    JX2018,
    per_event_cap=Decimal("1000"),
    annual_cap=Decimal("3000"),
    annual_times=2,
    extra_times=1,
    street_limit=Decimal("500"),
    uplift_max=Decimal("0.50"),
)


def check(
    amount: str, kind: str = "expenditure", *, cat: bool = False, total: str = "0", count: int = 0, std=STD
):
    return relief_check(
        amount=Decimal(amount),
        kind=kind,
        in_categories=cat,
        year_total=Decimal(total),
        year_count=count,
        standards=std,
    )


@pytest.mark.parametrize(
    "amount,kind,cat,ok,limit",
    [
        ("1000.00", "expenditure", False, True, "1000"),
        ("1000.01", "expenditure", False, False, "1000"),
        ("1500.00", "expenditure", True, True, "1500.00"),  # 1000 × 1.5
        ("1500.01", "expenditure", True, False, "1500.00"),
        ("1000.01", "urgent", True, False, "1000"),  # the uplift is for 支出型 only
    ],
)
def test_per_event_cap_and_the_uplift_for_the_three_categories(amount, kind, cat, ok, limit):
    result = check(amount, kind, cat=cat)
    assert result.per_event_limit == Decimal(limit)
    assert (not result.errors) is ok
    if not ok:
        assert result.errors == [
            {"field": "amount", "message": f"单次救助金额 {amount} 元超过上限 {limit} 元"}
        ]


def test_a_smaller_uplift_is_the_region_setting():
    result = check("1200.01", cat=True, std=dataclasses.replace(STD, uplift_max=Decimal("0.2")))
    assert result.per_event_limit == Decimal("1200.00") and result.errors


def test_the_yearly_total_stays_within_the_annual_cap_even_with_the_uplift():
    assert not check("500", total="2500").errors
    result = check("500.01", total="2500", cat=True)
    assert result.errors == [
        {
            "field": "amount",
            "message": "本年度已救助 2500 元，加上本次 500.01 元超过年度封顶线 3000 元"
            "（至多还可救助 500 元）",
        }
    ]


@pytest.mark.parametrize(
    "cat,count,ok,allowed",
    [
        (False, 1, True, 2),
        (False, 2, False, 2),
        (True, 2, True, 3),
        (True, 3, False, 3),  # annual_times + extra_times
    ],
)
def test_number_of_grants_a_year(cat, count, ok, allowed):
    result = check("100", cat=cat, count=count)
    assert result.times_allowed == allowed and (not result.errors) is ok
    if not ok:
        assert result.errors[0]["message"] == f"本年度已救助 {count} 次，已达年度次数上限 {allowed} 次"


@pytest.mark.parametrize(
    "amount,kind,route",
    [
        ("500.00", "expenditure", "street"),
        ("500.01", "expenditure", "county"),
        ("1000.00", "urgent", "street"),  # an urgent case is always the street's, whatever the amount
    ],
)
def test_route(amount, kind, route):
    assert check(amount, kind).route == route


def test_an_empty_local_setting_is_an_error_naming_it():
    result = check("100", std=dataclasses.replace(STD, per_event_cap=None, street_limit=None))
    assert [e["field"] for e in result.errors] == ["standards.per_event_cap", "standards.street_limit"]
    assert "临时救助单次上限未设定" in result.errors[0]["message"]


def test_extra_times_and_uplift_are_needed_only_for_the_three_categories():
    std = dataclasses.replace(STD, extra_times=None, uplift_max=None)
    assert not check("100", std=std).errors
    assert [e["field"] for e in check("100", cat=True, std=std).errors] == [
        "standards.uplift_max",
        "standards.extra_times",
    ]
