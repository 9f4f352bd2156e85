"""The named comparisons of the economic check (economic_check/rules.py), one source kind each, on plain values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from economic_check.rules import (
    Checked,
    DeclaredHousehold,
    DeclaredMember,
    compare,
    compare_assets,
    compare_benefits,
    compare_deaths,
    compare_holdings,
    compare_incomes,
    compare_moves,
)
from economic_check.sources import CHECKED, NOT_CHECKED, Fact, SourceResult

DAY = dt.date(2026, 6, 30)
A = DeclaredMember(id_number="A", name="甲", income_wage=Decimal("1000"), income_transfer=Decimal("200"))
B = DeclaredMember(id_number="B", name="乙")
HOUSE = DeclaredHousehold(region="360102002001", financial_assets=Decimal("5000"), vehicles=1)


def checked(kind, facts, household=HOUSE, label="", labels=None):
    by_person = {m.id_number: [f for f in facts if f.id_number == m.id_number] for m in (A, B)}
    return Checked(household, (A, B), by_person, kind, label, DAY, labels or {})


def test_a_death_on_or_before_the_day_is_found_and_a_later_one_is_not():
    found = compare_deaths(
        checked("death", [Fact("A", on_date=DAY), Fact("B", on_date=DAY + dt.timedelta(1))])
    )
    assert [(f.rule, f.member.id_number, f.message) for f in found] == [
        ("member_deceased", "A", "甲已于2026-06-30死亡注销户籍，不能作为申请家庭成员")
    ]


def test_a_move_within_the_county_is_no_contradiction_and_the_latest_move_away_is_named():
    facts = [
        Fact("A", on_date=dt.date(2026, 1, 1), code="360102003001"),
        Fact("B", on_date=dt.date(2026, 1, 1), code="360700000000"),
        Fact("B", on_date=dt.date(2026, 3, 1), code="361000000000"),
    ]
    found = compare_moves(checked("move", facts))
    assert [(f.member.id_number, f.evidence) for f in found] == [
        ("B", {"on_date": "2026-03-01", "to_region": "361000000000"})
    ]


def test_vehicles_above_the_declared_count_and_closed_businesses_not_counted():
    cars = compare_holdings(
        checked("vehicle", [Fact("A", ref="赣A1"), Fact("B", ref="赣A2"), Fact("B", ref="赣A1")])
    )
    assert [(f.rule, f.evidence["count"], f.owners) for f in cars] == [("vehicle_undeclared", 2, ["A", "B"])]
    assert compare_holdings(checked("vehicle", [Fact("A", ref="赣A1")])) == []
    assert compare_holdings(checked("business", [Fact("A", ref="某店", note="已注销")])) == []
    assert [f.evidence["items"] for f in compare_holdings(checked("business", [Fact("A", ref="某店")]))] == [
        ["某店"]
    ]


def test_assets_count_all_members_together():
    assert compare_assets(checked("financial", [Fact("A", amount=Decimal("3000"))])) == []
    found = compare_assets(
        checked("financial", [Fact("A", amount=Decimal("3000")), Fact("B", amount=Decimal("2000.01"))])
    )
    assert [(f.evidence, f.owners) for f in found] == [
        ({"amount": "5000.01", "declared": "5000.00"}, ["A", "B"])
    ]


def test_the_highest_income_above_the_declaration_is_named():
    facts = [
        Fact("A", amount=Decimal("900")),
        Fact("A", amount=Decimal("1500")),
        Fact("A", amount=Decimal("1200")),
    ]
    found = compare_incomes(checked("tax_income", facts, label="个税收入"))
    assert [f.message for f in found] == [
        "甲个税收入月均1500.00元，高于申报的工资性、经营性、财产性收入1000.00元"
    ]


def test_only_cash_programs_count_against_transfer_income():
    facts = [
        Fact("A", amount=Decimal("250"), program="union_hardship"),
        Fact("A", amount=Decimal("900"), program="x"),
    ]
    found = compare_benefits(checked("benefit", facts, labels={"union_hardship": "工会困难职工帮扶"}))
    assert [f.evidence for f in found] == [
        {"amount": "250.00", "declared": "200.00", "items": ["工会困难职工帮扶"]}
    ]


def test_compare_ties_findings_to_their_extract_and_skips_sources_not_checked():
    results = [
        SourceResult(
            "death",
            "户籍死亡",
            CHECKED,
            facts=[Fact("B", on_date=DAY)],
            extracts=[{"id": 7, "date": "2026-06-01"}],
        ),
        SourceResult("vehicle", "车辆", NOT_CHECKED, reason="无数据"),
    ]
    outcome = compare(household=HOUSE, members=(A, B), results=results, as_of=DAY)
    assert [(c.rule, c.id_number, c.extract_id, c.extract_date) for c in outcome.contradictions] == [
        ("member_deceased", "B", 7, "2026-06-01")
    ]
    assert [(i.id_number, i.source, i.contradiction, i.summary) for i in outcome.items] == [
        ("A", "death", False, "未发现"),
        ("B", "death", True, "死亡注销 2026-06-30"),
    ]
