"""A small county world with one household per rule, the extracts that reveal them, and the findings a
run must produce (shared by the run, restart, API and worker tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Region
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, make_id
from households.models import Household, Person
from households.tests.factories import household_make
from ledgers.models import Extract
from ledgers.services import extract_upload
from ledgers.tests.factories import PERIOD, csv_upload, enrol, standard_make


@dataclass
class World:
    households: dict[str, Household] = field(default_factory=dict)
    expected: set[tuple[str, str, str]] = field(default_factory=set)  # (rule, id_number, source)
    extracts: list[Extract] = field(default_factory=list)
    unknown_id: str = ""


def _members(h: Household) -> list[Person]:
    return list(h.members.order_by("id"))


def build_world(officer) -> World:
    """Households in 南昌 东湖区 (360102) and the extracts, uploaded by `officer` (strict mode)."""
    standard_make()
    w = World()
    names = [
        "dead",
        "car",
        "houses",
        "business",
        "closed_business",
        "assets",
        "income",
        "twice",
        "moved",
        "moved_near",
        "clean",
        "student",
    ]
    for i, name in enumerate(names):
        w.households[name] = household_make(
            community_id=HOME_COMMUNITY if i % 2 else HOME_COMMUNITY_2, members=2, address=f"测试路{i}号"
        )
    for name, h in w.households.items():
        if name == "twice":
            enrol(h, category="dibao")
            enrol(h, category="tekun", persons=_members(h)[1:], amount="910")
        else:
            enrol(h, category="dibao")
    student = _members(w.households["student"])[1]
    Person.objects.filter(pk=student.pk).update(employment="student")
    outsider = household_make(
        community_id=HOME_COMMUNITY, members=1, address="未在保户"
    )  # known, not enrolled
    w.unknown_id = make_id(county="360102", birth="19900101")
    m = {name: _members(h) for name, h in w.households.items()}
    ids = {name: [p.id_number for p in people] for name, people in m.items()}
    head = {name: numbers[0] for name, numbers in ids.items()}
    other = outsider.members.first().id_number

    def up(kind, header, rows, program=""):
        e = extract_upload(
            principal=officer,
            file=csv_upload(header, rows),
            original_name=f"{kind}.csv",
            kind=kind,
            period=PERIOD,
            mode="strict",
            program=program,
        )
        w.extracts.append(e)
        return e

    up(
        "death",
        ["身份证号码", "姓名", "死亡日期"],
        [
            [ids["dead"][1], "甲", "2025-08-01"],
            [other, "乙", "2025-09-01"],  # not enrolled: no finding
            [ids["clean"][0], "丙", "2026-02-01"],  # after the period: no finding
        ],
    )
    up(
        "move",
        ["身份证号码", "姓名", "迁出日期", "迁入地区划代码"],
        [
            [ids["moved"][0], "丁", "2025-07-15", "440300"],
            [ids["moved_near"][0], "戊", "2025-07-15", "360102003000"],  # same county: no finding
        ],
    )
    up(
        "vehicle",
        ["身份证号码", "姓名", "号牌号码"],
        [
            [ids["car"][1], "", "赣A12345"],
            [ids["car"][1], "", "赣A12345"],  # the same plate twice counts once
        ],
    )
    up(
        "real_estate",
        ["身份证号码", "姓名", "不动产权证号"],
        [
            [ids["houses"][0], "", "赣(2019)南昌市不动产权第1号"],
            [ids["houses"][1], "", "赣(2019)南昌市不动产权第2号"],
            [ids["clean"][0], "", "赣(2019)南昌市不动产权第3号"],  # one house is allowed
        ],
    )
    up(
        "business",
        ["身份证号码", "姓名", "统一社会信用代码", "登记状态"],
        [
            [ids["business"][0], "", "92360102MA00000001", "存续"],
            [ids["closed_business"][0], "", "92360102MA00000002", "注销"],
        ],
    )
    up(
        "financial",
        ["身份证号码", "姓名", "余额（元）"],
        [
            [ids["assets"][0], "", "30000"],
            [ids["assets"][1], "", "10000.50"],  # 20000.25 per person > 24 × 700
            [ids["clean"][0], "", "16800"],  # 8400 per person: within
        ],
    )
    up(
        "tax_income",
        ["身份证号码", "姓名", "月均收入（元）"],
        [
            [ids["income"][0], "", "1500"],  # (1500 + 300) / 2 = 900 ≥ 700
            [ids["clean"][1], "", "200"],  # below the declared 300: no effect
        ],
    )
    premium = [[i, "", "30"] for name in ids for i in ids[name] if name != "clean"]
    premium += [[ids["clean"][0], "", "30"], [other, "", "30"]]
    up("benefit", ["身份证号码", "姓名", "待遇金额（元）"], premium, program="medical_premium")
    up(
        "benefit",
        ["身份证号码", "姓名", "待遇金额（元）", "区划代码"],
        [
            [w.unknown_id, "己", "500", "360102"],
        ],
        program="union_hardship",
    )
    # The student aid list holds an enrolled non-student (fine) but not our enrolled student (应保未保).
    up("benefit", ["身份证号码", "姓名"], [[ids["income"][1], ""]], program="student_aid")

    w.expected = {
        ("deceased_paid", ids["dead"][1], "death"),
        ("moved_away", ids["moved"][0], "move"),
        ("vehicles_over", head["car"], "vehicle"),
        ("houses_over", head["houses"], "real_estate"),
        ("business_over", head["business"], "business"),
        ("assets_over", head["assets"], "financial"),
        ("income_over", head["income"], "income"),
        ("enrolled_twice", ids["twice"][1], "ledger"),
        ("missing_theirs", ids["clean"][1], "medical_premium"),
        ("missing_theirs", student.id_number, "student_aid"),
        ("not_in_ours", other, "medical_premium"),
        ("not_in_ours", w.unknown_id, "union_hardship"),
    }
    return w


def county() -> Region:
    return Region.objects.get(code="360102")
