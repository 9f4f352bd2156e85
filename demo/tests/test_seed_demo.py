"""seed_demo (users, households by scope, standards), the shared generator, and bench/generate.py."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.scope import scope_filter
from common import idnumber
from common.dates import age_on
from demo.generator import (
    DEFAULT_AS_OF,
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    Community,
    DemoGenerator,
    IdAllocator,
)
from demo.management.commands.seed_demo import DEMO_PASSWORD
from eligibility.models import Standard
from households.models import Household, Person

BENCH_GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
COMMUNITIES = [
    Community("360102002001", "民巷社区居委会", "滕王阁街道"),
    Community("360702001001", "濂溪社区居委会", "解放街道"),
    Community("361181001001", "银城社区居委会", "银城街道"),
]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db, fast_passwords) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_users_have_exact_roles_and_regions(seeded):
    users = {u.username: (u.role, u.region_id, u.is_superuser) for u in User.objects.all()}
    assert users == {
        "caseworker": ("caseworker", "360102002001", False),
        "caseworker2": ("caseworker", "360102002002", False),
        "street": ("street", "360102002000", False),
        "county": ("county", "360102", False),
        "city": ("city", "360100", False),
        "province": ("province", "360000", False),
        "auditor": ("auditor", "360000", False),
        "admin": ("", None, True),
    }
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all())
    assert User.objects.get(username="admin").is_staff
    assert DEMO_PASSWORD in seeded and "caseworker2" in seeded


def test_household_counts_by_place_and_by_scope(seeded):
    by_community = Counter(Household.objects.values_list("community_id", flat=True))
    assert sum(by_community.values()) == 330
    assert by_community["360102002001"] == 48
    assert by_community["360102002002"] == 24

    def under(prefix: str) -> int:
        return sum(n for code, n in by_community.items() if code.startswith(prefix))

    assert under("360102002") == 192
    assert under("360102") == 300
    assert under("360702") == 30
    seen = {u.username: scope_filter(Household.objects.all(), u).count() for u in User.objects.all()}
    assert seen == {
        "caseworker": 48,
        "caseworker2": 24,
        "street": 192,
        "county": 300,
        "city": 300,
        "province": 330,
        "auditor": 330,
        "admin": 330,
    }


def test_every_household_has_one_head_and_an_initial_history_entry(seeded):
    heads = Counter(Person.objects.filter(relation="head").values_list("household_id", flat=True))
    assert set(heads) == set(Household.objects.values_list("id", flat=True))
    assert set(heads.values()) == {1}
    assert Household.history.count() == Household.objects.count() == 330
    assert Person.history.filter(history_type="+").count() == Person.objects.count()
    # besides: the policy v2 supporter-check examples, changed afterwards by the caseworker (3 changes)
    changes = Person.history.exclude(history_type="+")
    assert set(changes.values_list("history_type", "history_user__username")) == {("~", "caseworker")}
    assert changes.count() == 3
    assert set(Household.history.values_list("history_type", "history_user__username").distinct()) == {
        ("+", "admin")
    }


def test_id_numbers_are_valid_unique_and_match_person_and_county(seeded):
    persons = list(Person.objects.select_related("household"))
    assert len(persons) > 600
    assert len({p.id_number for p in persons}) == len(persons)
    for p in persons:
        info = idnumber.parse(p.id_number)
        assert (info.birth_date, info.sex) == (p.birth_date, p.sex)
        assert p.id_number[:6] == p.household.community_id[:6]


def test_ages_relations_and_orphans_are_plausible(seeded):
    persons = list(Person.objects.select_related("household"))
    heads = [age_on(p.birth_date, DEFAULT_AS_OF) for p in persons if p.relation == "head"]
    assert min(heads) >= 25 and max(heads) <= 85
    orphans = [p for p in persons if p.orphan]
    assert orphans, "the demo should contain some orphans"
    for p in orphans:
        assert age_on(p.birth_date, DEFAULT_AS_OF) < 18
        assert p.relation == "grandchild" and not p.has_able_supporter
    for h in Household.objects.prefetch_related("members"):
        head = h.head
        for m in h.members.all():
            if m.relation in ("child", "grandchild"):
                assert m.birth_date > head.birth_date
    assert Counter(p.disability_grade for p in persons).most_common(1)[0][0] == 0
    per_capita = [
        sum(m.monthly_income for m in h.members.all()) / len(h.members.all())
        for h in Household.objects.prefetch_related("members")
    ]
    assert any(x < 580 for x in per_capita)
    assert any(580 <= x < 870 for x in per_capita)
    assert any(x >= 870 for x in per_capita)


def test_standards_for_2018_last_year_and_this_year_with_placeholders_marked(seeded):
    rows = {s.year: s for s in Standard.objects.filter(region_id="360102")}
    assert set(rows) == {2018, timezone.localdate().year - 1, timezone.localdate().year}
    placeholders = [
        "annual_cap",
        "annual_times",
        "extra_times",
        "min_wage",
        "per_event_cap",
        "property_business_allowed",
        "property_houses",
        "property_months",
        "property_vehicles",
        "street_limit",
        "uplift_max",
    ]
    for s in rows.values():
        assert (s.dibao, s.subsidy_target, s.tekun) == (Decimal("580"), Decimal("380"), Decimal("755"))
        assert (s.care_ratio_full, s.care_ratio_semi) == (Decimal("0.80"), Decimal("0.20"))
        assert (s.orphan_scattered, s.orphan_institutional) == (Decimal("800"), Decimal("1200"))
        assert (s.disability_living, s.disability_care, s.zhichu_multiplier) == (
            Decimal("60"),
            Decimal("70"),
            Decimal("1.5"),
        )
        assert (s.extension_months, s.extension_months_disabled) == (12, 24)
        assert (s.min_wage, s.property_months, s.property_vehicles, s.property_houses) == (
            Decimal("1680"),
            Decimal("24"),
            0,
            1,
        )
        assert s.property_business_allowed is False
        assert (s.per_event_cap, s.annual_cap, s.annual_times, s.extra_times) == (
            Decimal("3000"),
            Decimal("10000"),
            2,
            2,
        )
        assert (s.street_limit, s.uplift_max) == (Decimal("1000"), Decimal("0.50"))
        assert sorted(s.placeholder_fields) == placeholders
        assert s.source == "演示数据：占位值，非当地正式标准"
        assert s.history.count() == 1


def test_second_run_changes_nothing_and_says_so(seeded):
    before = (
        Household.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        Standard.objects.count(),
    )
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert (
        Household.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        Standard.objects.count(),
    ) == before


def test_a_fresh_run_gives_the_same_households(seeded):
    def snapshot():
        return list(
            Household.objects.order_by("id").values_list(
                "community_id", "address", "members__id_number", "members__name"
            )[:40]
        )

    first = snapshot()
    Person.objects.all().delete()
    Household.objects.all().delete()
    Person.history.all().delete()
    Household.history.all().delete()
    Standard.objects.filter(region_id="360102").delete()
    User.objects.all().delete()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_generator_is_deterministic_and_follows_the_seed():
    def take(seed: int) -> list:
        return list(DemoGenerator(seed=seed).households(COMMUNITIES, 300))

    a, b = take(7), take(7)
    assert a == b
    assert take(8) != a
    household, members = a[0]
    assert len(household) == len(HOUSEHOLD_FIELDS) and all(len(m) == len(PERSON_FIELDS) for m in members)
    assert members[0][PERSON_FIELDS.index("relation")] == "head"


def test_generator_ids_stay_unique_over_many_households():
    numbers = [p[1] for _, members in DemoGenerator(seed=3).households(COMMUNITIES, 20_000) for p in members]
    assert len(set(numbers)) == len(numbers)
    assert all(idnumber.is_valid(n) for n in numbers)


def test_allocator_fills_a_day_then_moves_earlier_and_respects_primed_numbers():
    allocator = IdAllocator(DEFAULT_AS_OF)
    born = dt.date(1980, 5, 1).toordinal()
    taken = "36010219800501001" + idnumber.check_char("36010219800501001")  # order 001, male
    allocator.note(taken)
    numbers = [allocator.allocate("360102", born, male=True)[0] for _ in range(600)]
    assert taken not in numbers and len(set(numbers)) == 600
    infos = [idnumber.parse(n) for n in numbers]
    assert {i.sex for i in infos} == {"M"}
    assert sum(i.birth_date == dt.date(1980, 5, 1) for i in infos) == 499  # 500 male slots, one taken
    assert sum(i.birth_date == dt.date(1980, 4, 30) for i in infos) == 101


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH_GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_bench_generate_loads_households_with_valid_ids(capsys):
    stats = _bench_module().main(["--households", "50", "--seed", "5", "--chunk", "20", "--quiet"])
    assert stats["households"] == 50 == Household.objects.count()
    assert stats["persons"] == Person.objects.count() > 50
    assert Household.history.count() == 0  # bench data carries no history
    persons = list(Person.objects.select_related("household"))
    assert len({p.id_number for p in persons}) == len(persons)
    for p in persons:
        info = idnumber.parse(p.id_number)
        assert (info.birth_date, info.sex) == (p.birth_date, p.sex)
        assert p.id_number[:6] == p.household.community_id[:6]
    assert Counter(p.relation for p in persons)["head"] == 50
    assert "households 50" in capsys.readouterr().out

    again = _bench_module().main(["--households", "30", "--seed", "5", "--quiet"])
    assert again["first_household_id"] == stats["last_household_id"] + 1
    numbers = list(Person.objects.values_list("id_number", flat=True))
    assert Household.objects.count() == 80 and len(set(numbers)) == len(numbers)
