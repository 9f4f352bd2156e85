"""The what-if (eligibility/whatif.py) gives exactly what the rules give, household by household summed.

~200 random households per case (fixed seeds) are stored; the set-based SQL what-if is compared with
`eligibility.services.determine_household` (the §7 contract over `rules.evaluate`) run on each household
under the current standard and under the proposal (as §7 overrides). Counts, stays and money must be equal
to the fen. Runs on SQLite by default and on PostgreSQL with DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region, User
from common.idnumber import check_char
from config.errors import PermissionDenied, ServiceError
from eligibility.models import Standard
from eligibility.services import determine_household
from eligibility.standards import StandardsLookup
from eligibility.whatif import whatif_as_of, whatif_compute, whatif_run
from households.models import Household, Person

pytestmark = pytest.mark.django_db

YEAR = 2018
AS_OF = whatif_as_of(YEAR)
COUNTY = "360102"
OWN_STREET = "360102002000"  # has its own 2018 record in these tests: the proposal does not reach it
D = Decimal

COUNTY_2018 = {
    "dibao": D("580"),
    "subsidy_target": D("380"),
    "tekun": D("755"),
    "care_ratio_full": D("0.80"),
    "care_ratio_semi": D("0.20"),
    "min_wage": D("1680"),
    "orphan_scattered": D("800"),
    "orphan_institutional": D("1200"),
    "disability_living": D("60"),
    "disability_care": D("70"),
    "zhichu_multiplier": D("1.5"),
    "extension_months": 12,
    "extension_months_disabled": 24,
    "property_months": D("6"),
    "property_vehicles": 0,
    "property_houses": 1,
    "property_business_allowed": False,
}
STREET_2018 = {
    **COUNTY_2018,
    "dibao": D("600"),
    "tekun": D("780"),
    "min_wage": D("1700"),
    "property_vehicles": 1,
    "property_business_allowed": True,
}

PROPOSALS: dict[str, dict[str, Any]] = {
    "raise": {
        "dibao": D("650"),
        "tekun": D("845"),
        "zhichu_multiplier": D("1.6"),
        "property_months": D("8"),
        "disability_living": D("70"),
        "disability_care": D("80"),
        "orphan_scattered": D("900"),
        "orphan_institutional": D("1300"),
        "care_ratio_full": D("0.9"),
        "care_ratio_semi": D("0.25"),
        "min_wage": D("1800.50"),
    },
    # below the entry rules (tekun < 1.3 × dibao): a what-if may; no care fund, so 护理补贴 applies instead
    "lower": {
        "dibao": D("520.5"),
        "tekun": D("600"),
        "min_wage": D("0"),
        "zhichu_multiplier": D("1.25"),
        "property_vehicles": 1,
        "property_houses": 2,
        "property_business_allowed": True,
    },
    "none": {},
}
SERIAL = itertools.count()
INCOMES = [
    "0",
    "100",
    "300",
    "450.55",
    "579.99",
    "580",
    "580.01",
    "599.99",
    "600",
    "649.99",
    "650",
    "650.01",
    "700",
    "870",
    "900",
    "975",
    "1040",
    "1200",
    "1500",
    "2500",
]


def _birth(rng: random.Random) -> dt.date:
    exact = [
        dt.date(YEAR - 60, 7, 1),
        dt.date(YEAR - 60, 7, 2),
        dt.date(YEAR - 16, 7, 1),
        dt.date(YEAR - 16, 7, 2),
        dt.date(YEAR - 18, 7, 1),
        dt.date(YEAR - 18, 7, 2),
    ]
    if rng.random() < 0.1:
        return rng.choice(exact)
    age = rng.choice(
        [
            rng.randint(0, 15),
            rng.randint(16, 17),
            rng.randint(18, 59),
            rng.randint(60, 95),
            rng.randint(60, 95),
        ]
    )
    return dt.date(YEAR - age, 7, 1) - dt.timedelta(days=rng.randint(0, 364))


def _split(total: Decimal, rng: random.Random) -> dict[str, Decimal]:
    """An income spread over the five income fields (their sum is the monthly income)."""
    parts = {f: D("0") for f in Person.INCOME_FIELDS}
    rest = total
    for name in rng.sample(Person.INCOME_FIELDS, rng.randint(1, 3))[:-1]:
        share = (rest * D(rng.randint(0, 100)) / 100).quantize(D("0.01"))
        parts[name] = share
        rest -= share
    parts[rng.choice([f for f in Person.INCOME_FIELDS if parts[f] == 0] or ["income_other"])] += rest
    return parts


def build_households(seed: int, count: int = 200) -> list[Household]:
    rng = random.Random(seed)
    communities = list(
        Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith=COUNTY)
        .order_by("code")
        .values_list("code", flat=True)
    )
    in_street = [c for c in communities if c.startswith(OWN_STREET[:9])]
    households, people = [], []
    for i in range(count):
        community = rng.choice(in_street) if i % 4 == 0 else rng.choice(communities)
        size = rng.choice([1, 1, 2, 2, 3, 3, 4, 5])
        assets = rng.choice(
            [
                D("0"),
                D("0"),
                D("0"),
                D(rng.randint(1, 4000000)) / 100,
                D("3480") * size,
                D("3480") * size + D("0.01"),
                D("5200") * size,
                D("3600") * size,
            ]
        )
        households.append(
            Household(
                community_id=community,
                address=f"测试路{i}号",
                financial_assets=assets,
                vehicles=rng.choice([0] * 8 + [1, 2]),
                houses=rng.choice([0, 1, 1, 1, 2]),
                business=rng.random() < 0.1,
                monthly_rigid_expenditure=rng.choice(
                    [D("0"), D("0"), D("150.5"), D(rng.randint(0, 300000)) / 100]
                ),
                hardship_causes=rng.sample(
                    ["illness", "disability", "accident", "schooling", "unemployment", "no_housing"],
                    rng.choice([0, 0, 1, 1, 2]),
                ),
            )
        )
        members = []
        for j in range(size):
            birth = _birth(rng)
            minor = birth >= dt.date(YEAR - 18, 7, 1)  # the 18th birthday itself included
            first17 = f"{COUNTY}{birth:%Y%m%d}{next(SERIAL) % 1000:03d}"  # < 1000 people per test: unique
            income = D(rng.choice(INCOMES)) if rng.random() < 0.8 else D(rng.randint(0, 200000)) / 100
            members.append(
                dict(
                    name=f"成员{i}-{j}",
                    id_number=first17 + check_char(first17),
                    birth_date=birth,
                    sex="M" if int(first17[16]) % 2 else "F",
                    relation="head"
                    if j == 0
                    else rng.choice(["spouse", "child", "parent", "sibling", "grandchild"]),
                    labor_capacity=rng.choice(["none", "none", "partial", "full"]),
                    disability_grade=(grade := rng.choice([0, 0, 0, 1, 2, 3, 4])),
                    disability_kind=rng.choice(
                        ["", "intellectual", "mental", "physical", "visual", "multiple"]
                    )
                    if grade
                    else "",
                    self_care=rng.choice(["full", "full", "semi", "none"]),
                    has_able_supporter=rng.random() < 0.4,
                    supporter_unable_reason=rng.choice(["", "", "", "儿子服刑", "  "]),
                    orphan=(
                        rng.choice(["scattered", "institutional"])
                        if (minor and rng.random() < 0.4) or rng.random() < 0.03
                        else ""
                    ),
                    newly_employed_since=rng.choice([None, None, dt.date(YEAR - 1, 9, 30)]),
                    **_split(income, rng),
                )
            )
        people.append(members)
    saved = Household.objects.bulk_create(households)
    Person.objects.bulk_create(
        [Person(household=h, **m) for h, members in zip(saved, people, strict=True) for m in members]
    )
    return saved


def _decide(household, overrides, lookup) -> dict:
    """The rules' answer; where the supporter check refuses a record (an able supporter at home, no reason
    given), the what-if counts it as having a supporter, so the comparison does the same."""
    try:
        return determine_household(household=household, as_of=AS_OF, overrides=overrides, lookup=lookup)
    except ServiceError as exc:
        if exc.code != "rules":
            raise
        people = list(household.members.all())  # the prefetched objects: changed in memory only
        for error in exc.errors:
            assert error["field"].endswith(".has_able_supporter"), error
            people[int(error["field"].split("[")[1].split("]")[0])].has_able_supporter = True
        return determine_household(household=household, as_of=AS_OF, overrides=overrides, lookup=lookup)


def by_rules(households, proposal: dict) -> dict[str, dict]:
    """Counts, stays and money per category by running the rules over each household."""
    lookup = StandardsLookup()
    sets: dict[str, dict[str, set]] = {side: defaultdict(set) for side in ("old", "new")}
    money: dict[str, dict[str, Decimal]] = {side: defaultdict(Decimal) for side in ("old", "new")}
    stored = Household.objects.filter(pk__in=[h.pk for h in households]).prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("id"))
    )
    for household in stored:
        reached = not household.community_id.startswith(OWN_STREET[:9])
        for side, overrides in (("old", None), ("new", proposal if reached else None)):
            result = _decide(household, overrides, lookup)
            for m in result["members"]:
                total = sum(D(v) for v in m["amounts"].values())
                if m["category"] == "tekun":
                    sets[side]["tekun"].add(m["id_number"])
                    money[side]["tekun"] += total
                elif m["category"] in ("dibao", "zhichu"):
                    sets[side][f"{m['category']}_persons"].add(m["id_number"])
                    money[side][f"{m['category']}_households"] += total
            if "dibao" in result["categories"]:
                sets[side]["dibao_households"].add(household.pk)
                money[side]["dibao_households"] += D(result["dibao_subsidy"])
            if "zhichu" in result["categories"]:
                sets[side]["zhichu_households"].add(household.pk)
                money[side]["zhichu_households"] += D(result["zhichu"]["subsidy"])
    out: dict[str, dict[str, Any]] = {}
    for key in ("tekun", "dibao_households", "dibao_persons", "zhichu_households", "zhichu_persons"):
        old, new = sets["old"][key], sets["new"][key]
        out[key] = {"old": len(old), "new": len(new), "stayed": len(old & new)}
        if key in ("tekun", "dibao_households", "zhichu_households"):
            out[key]["money_old"] = money["old"][key]
            out[key]["money_new"] = money["new"][key]
    return out


@pytest.fixture
def standards(db):
    Standard.objects.create(region_id=COUNTY, year=YEAR, **COUNTY_2018)
    Standard.objects.create(region_id=OWN_STREET, year=YEAR, **STREET_2018)


@pytest.mark.parametrize("seed", [7, 2018])
@pytest.mark.parametrize("name", list(PROPOSALS))
def test_whatif_equals_rules(standards, seed, name):
    households = build_households(seed)
    proposal = PROPOSALS[name]
    result = whatif_compute(region=Region.objects.get(code=COUNTY), year=YEAR, changes=proposal)
    expected = by_rules(households, proposal)

    assert result.households == len(households)
    assert result.persons == Person.objects.count()
    got: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        got[row.key] = {"old": row.old, "new": row.new, "stayed": row.stayed}
        if row.money_old is not None:
            got[row.key]["money_old"] = row.money_old
            got[row.key]["money_new"] = row.money_new
    assert got == expected
    # the data is rich enough to exercise every category on both sides
    assert all(v["old"] > 0 for v in expected.values())
    if name == "none":
        assert all(r.became == r.ceased == 0 and r.money_delta in (None, 0) for r in result.rows)
    else:
        assert any(r.became or r.ceased for r in result.rows)
    assert [u.region for u in result.unaffected] == [OWN_STREET]


def test_whatif_reports_entry_rules_as_warnings(standards):
    build_households(3, count=20)
    result = whatif_compute(region=Region.objects.get(code=COUNTY), year=YEAR, changes=PROPOSALS["lower"])
    assert any("1.3倍" in w for w in result.warnings)
    assert result.as_of == dt.date(2018, 7, 1)
    assert result.proposed.dibao == D("520.5") and result.base.dibao == D("580")


def test_missing_standard_field_is_named(db):
    """The shipped 2018 province row has no property limits: the what-if says which one it needs."""
    build_households(5, count=30)
    province = Region.objects.get(code="360000")
    with pytest.raises(ServiceError) as exc:
        whatif_compute(region=province, year=YEAR, changes={})
    fields = {e["field"] for e in exc.value.errors}
    assert "standards.property_houses" in fields
    # entered in the proposal, a missing figure is used for both sides (an assumption)
    filled = {
        "property_months": D("6"),
        "property_vehicles": 0,
        "property_houses": 1,
        "property_business_allowed": False,
        "min_wage": D("1680"),
    }
    result = whatif_compute(region=province, year=YEAR, changes=filled)
    assert set(result.assumptions) == set(filled)
    assert all(r.became == r.ceased == 0 for r in result.rows)


def test_no_standard_for_year(db):
    with pytest.raises(ServiceError) as exc:
        whatif_compute(region=Region.objects.get(code=COUNTY), year=2030, changes={})
    assert exc.value.errors[0]["field"] == "standards"


def test_bad_proposal_is_refused(standards):
    with pytest.raises(ServiceError) as exc:
        whatif_compute(
            region=Region.objects.get(code=COUNTY),
            year=YEAR,
            changes={"dibao": D("-1"), "tekun": D("700.555"), "per_event_cap": D("1")},
        )
    assert {e["field"] for e in exc.value.errors} == {"dibao", "tekun", "per_event_cap"}


def _user(username, role, region):
    return User.objects.create_user(username=username, password="x-very-long-pw", role=role, region_id=region)


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (User.Role.CASEWORKER, "360102002001"),
        (User.Role.STREET, OWN_STREET),
        (User.Role.CITY, "360100"),
        (User.Role.AUDITOR, "360000"),
        (User.Role.COUNTY, "360103"),
    ],
)
def test_whatif_permission(standards, role, region):
    user = _user("u", role, region)
    with pytest.raises(PermissionDenied):
        whatif_run(acting_user=user, region=Region.objects.get(code=COUNTY), year=YEAR, changes={})


def test_whatif_page(standards, client):
    build_households(11, count=10)
    client.force_login(_user("county", User.Role.COUNTY, COUNTY))
    page = client.get(reverse("standard_whatif"))
    assert page.status_code == 200
    query = {"region": COUNTY, "year": YEAR, "dibao": "650"}
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("standard_whatif"), query)
    build_households(12, count=40)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("standard_whatif"), query)
    assert len(many) == len(few) <= 30  # set-based: the same queries whatever the number of households
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="whatif-table"' in html and 'id="whatif-chart"' in html and "js/chart.js" in html
    assert "低保家庭" in html and "新增纳入" in html
    bad = client.get(reverse("standard_whatif"), {"region": COUNTY, "year": YEAR, "dibao": "-5"})
    assert "不能为负数" in bad.content.decode()
    other = client.get(reverse("standard_whatif"), {"region": "360103", "year": YEAR})
    assert "只能测算本人负责的区划" in other.content.decode()


def test_whatif_page_refused_for_caseworker(standards, client):
    client.force_login(_user("cw", User.Role.CASEWORKER, "360102002001"))
    assert client.get(reverse("standard_whatif")).status_code == 403


def _one_person_household(birth: dt.date, **person) -> Household:
    community = Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith=COUNTY).first()
    assert community is not None
    household = Household.objects.create(community=community, address="测试路9号")
    first17 = f"{COUNTY}{birth:%Y%m%d}{next(SERIAL) % 1000:03d}"
    Person.objects.create(
        household=household,
        name="测试",
        id_number=first17 + check_char(first17),
        birth_date=birth,
        sex="M" if int(first17[16]) % 2 else "F",
        **{"relation": "head", **person},
    )
    return household


@pytest.mark.parametrize(("year", "tekun"), [(2020, 0), (2022, 1)])
def test_whatif_deems_by_kind_and_grade_with_the_2021_switch(db, year, tekun):
    """精神三级 is deemed without labour capacity from 2021-07-01 (民发〔2021〕43号), not before."""
    Standard.objects.create(region_id=COUNTY, year=year, **COUNTY_2018)
    _one_person_household(
        dt.date(1980, 1, 1), disability_grade=3, disability_kind="mental", has_able_supporter=False
    )
    result = whatif_compute(region=Region.objects.get(code=COUNTY), year=year, changes={})
    assert result.row("tekun").old == tekun


@pytest.mark.parametrize(("reason", "tekun"), [("", 0), ("儿子服刑", 1)])
def test_whatif_counts_a_refused_supporter_record_as_having_a_supporter(db, reason, tekun):
    Standard.objects.create(region_id=COUNTY, year=YEAR, **COUNTY_2018)
    household = _one_person_household(dt.date(1985, 1, 1), income_wage=Decimal("2500"))
    first17 = f"{COUNTY}19400101{next(SERIAL) % 1000:03d}"
    Person.objects.create(
        household=household,
        name="老人",
        id_number=first17 + check_char(first17),
        birth_date=dt.date(1940, 1, 1),
        sex="M" if int(first17[16]) % 2 else "F",
        relation="parent",
        has_able_supporter=False,
        supporter_unable_reason=reason,
    )
    result = whatif_compute(region=Region.objects.get(code=COUNTY), year=YEAR, changes={})
    assert result.row("tekun").old == tekun


def test_each_whatif_chart_has_its_numbers_beside_it_and_in_the_excel_export(standards, client):
    """Issue 16 item 10: the two charts' numbers as tables beside them, and in the workbook."""
    from conftest import export_sheets

    build_households(11, count=10)
    client.force_login(_user("county", User.Role.COUNTY, COUNTY))
    query = {"region": COUNTY, "year": YEAR, "dibao": "650"}
    html = client.get(reverse("standard_whatif"), query).content.decode()
    result = whatif_run(
        acting_user=User.objects.get(username="county"),
        region=Region.objects.get(code=COUNTY),
        year=YEAR,
        changes={"dibao": Decimal("650")},
    )
    data = result.chart_data()
    assert 'id="chart-whatif-counts-table"' in html and 'id="chart-whatif-money-table"' in html
    assert 'id="whatif-export"' in html
    response = client.get(reverse("standard_whatif_export"), query)
    assert response.status_code == 200
    sheets = export_sheets(response)
    counts = sheets["图表 人数、户数变化"]
    header = next(i for i, row in enumerate(counts) if row[:1] == ("类别",))
    assert counts[header] == ("类别", "新增纳入", "退出")
    assert [list(r) for r in counts[header + 1 :]] == [
        [label, data["series"][0]["values"][i], data["series"][1]["values"][i]]
        for i, label in enumerate(data["labels"])
    ]
    money = sheets["图表 月资金（元）"]
    header = next(i for i, row in enumerate(money) if row[:1] == ("类别",))
    assert [r[0] for r in money[header + 1 :]] == data["money"]["labels"]
    assert "测算结果" in sheets
    bad = client.get(reverse("standard_whatif_export"), {"region": COUNTY, "year": YEAR, "dibao": "-5"})
    assert bad.status_code == 302
