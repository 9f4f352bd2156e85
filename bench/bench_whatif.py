#!/usr/bin/env python
"""Time of the what-if (调标测算, eligibility/whatif.py) over every household of the province and of one county,
each against its SQL floor measured in the same run.

    DATABASE_URL=… .venv/bin/python bench/bench_whatif.py [--year 2018] [--county 360102] [--repeat 3] [--smoke]

Database: DATABASE_URL if set, else the PostgreSQL database `jiekun_bench` on 127.0.0.1 if it answers
(bench/generate.py loads it), else the project's SQLite file. Read-only: the what-if writes nothing. The
proposal raises dibao to 640 and tekun to 832 (1.3 × 640) and fills the local figures the shipped 2018
province row leaves empty (min wage, property limits); the what-if uses a figure missing from the current
standard but given in the proposal for both sides, so the comparison stays fair.

The floor (`FLOOR_SQL`) is one aggregate query over the same households computing the same per-unit sums
(members and income per household) and the dibao subsidy total under both standards — what the what-if
would cost if no member were 特困 and nothing but income decided. The what-if and the floor are run in
turns, `--repeat` times each, and the best of each is compared: the ratio is the result.

Prints, per scope: seconds (each run, best) of both, the ratio, households and persons covered, the
category table, and the process's peak memory (resource.getrusage ru_maxrss).

    .venv/bin/python bench/bench_whatif.py --check 360702 [--check-as-of 2026-07-01]

also runs `eligibility.rules.evaluate` over every household under the code prefix (one by one, in Python)
under the same two standards and says whether the SQL what-if gives exactly the same counts and money.
`--smoke` runs each scope once and checks the whole province that way (for `make bench-smoke`'s ~1,000
households): exit 1 when they differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_URL = "postgres://postgres@127.0.0.1:5432/jiekun_bench"
PROPOSAL = {
    "dibao": Decimal("640"),
    "tekun": Decimal("832"),
    # empty in the shipped 2018 row: used for both sides (what-if assumptions)
    "min_wage": Decimal("1680"),
    "property_months": Decimal("6"),
    "property_vehicles": 0,
    "property_houses": 1,
    "property_business_allowed": False,
}


def pick_database() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    try:
        import psycopg2

        psycopg2.connect(BENCH_URL, connect_timeout=3).close()
    except Exception:  # noqa: BLE001 — any failure means: not reachable, fall back to SQLite
        return ""
    return BENCH_URL


FLOOR_SQL = """
SELECT COUNT(*), SUM(n),
  SUM(CASE WHEN inc < %(o)s * n THEN %(o)s * n - inc ELSE 0 END),
  SUM(CASE WHEN inc < %(n)s * n THEN %(n)s * n - inc ELSE 0 END)
FROM (
  SELECT p.household_id, COUNT(*) AS n,
    CAST(SUM(ROUND((p.income_wage + p.income_business + p.income_property + p.income_transfer
                    + p.income_other) * 100)) AS BIGINT) AS inc
  FROM cases_person p JOIN cases_household h ON h.id = p.household_id
  WHERE h.community_id LIKE %(scope)s
  GROUP BY p.household_id
) u"""


def floor(prefix: str, old_dibao: Decimal, new_dibao: Decimal) -> tuple[int, ...]:
    """The floor query, in the same session settings as the what-if (work_mem, no JIT)."""
    from django.db import connection, transaction

    params = {"o": int(old_dibao * 100), "n": int(new_dibao * 100), "scope": prefix + "%"}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(FLOOR_SQL, params)
        return tuple(int(v or 0) for v in cursor.fetchone())


def check(prefix: str, year: int, as_of: dt.date | None) -> bool:
    """The SQL what-if against the pure rules, household by household, under `prefix`."""
    import dataclasses

    from django.db.models import Prefetch

    from eligibility import rules
    from eligibility.facts import household_from_models
    from eligibility.standards import find_standards
    from eligibility.whatif import RESULT_COLUMNS, aggregate, whatif_as_of
    from households.models import Household, Person

    def _as_recorded(facts: rules.Household, std: rules.Standards, as_of: dt.date) -> rules.Result:
        """The rules, taking a record the supporter check refuses as having a supporter (as the what-if does)."""
        try:
            return rules.evaluate(facts, std, as_of)
        except rules.RulesError as exc:
            flagged = {
                int(e["field"].split("[")[1].split("]")[0])
                for e in exc.errors
                if "has_able_supporter" in e["field"]
            }
            if not flagged:
                raise
            members = tuple(
                dataclasses.replace(m, has_able_supporter=True) if i in flagged else m
                for i, m in enumerate(facts.members)
            )
            return rules.evaluate(dataclasses.replace(facts, members=members), std, as_of)

    as_of = as_of or whatif_as_of(year)
    from accounts.models import Region

    # the standard in force for the prefix's region (sub-regions' own records are not looked at here)
    base = find_standards(region_code=Region.objects.get(prefix=prefix).code, year=year)
    assumed = {k: v for k, v in PROPOSAL.items() if getattr(base, k) is None}
    old = dataclasses.replace(base, **assumed)
    new = dataclasses.replace(base, **PROPOSAL)
    started = time.perf_counter()
    got = aggregate(prefix=prefix, exclude=[], old=old, new=new, as_of=as_of)
    sql_seconds = time.perf_counter() - started

    started = time.perf_counter()
    expected = dict.fromkeys(RESULT_COLUMNS, 0)
    both: dict[str, set] = {}
    households = Household.objects.filter(community__code__startswith=prefix).prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("id"))
    )
    for h in households.iterator(chunk_size=2000):
        facts = household_from_models(h)
        expected["households"] += 1
        expected["persons"] += len(facts.members)
        for side, std in (("old", old), ("new", new)):
            r = _as_recorded(facts, std, as_of)
            for m in r.members:
                if m.category == "tekun":
                    expected[f"tekun_{side}"] += 1
                    expected[f"tekun_money_{side}"] += int(m.amounts.total * 100)
                    both.setdefault(f"tekun_{side}", set()).add(m.id_number)
                elif m.category:
                    expected[f"{m.category}_persons_{side}"] += 1
                    expected[f"{m.category}_money_{side}"] += int(m.amounts.total * 100)
                    both.setdefault(f"{m.category}_persons_{side}", set()).add(m.id_number)
            for category, subsidy in (("dibao", r.dibao_subsidy), ("zhichu", r.zhichu.subsidy)):
                if category in r.categories:
                    expected[f"{category}_{side}"] += 1
                    expected[f"{category}_money_{side}"] += int(subsidy * 100)
                    both.setdefault(f"{category}_{side}", set()).add(h.pk)
            if r.zhichu.dibao_via_expenditure:
                expected[f"zhichu_via_{side}"] += 1
    for key in ("tekun", "dibao", "dibao_persons", "zhichu", "zhichu_persons"):
        expected[f"{key}_both"] = len(both.get(f"{key}_old", set()) & both.get(f"{key}_new", set()))
    rules_seconds = time.perf_counter() - started
    diff = {k: (got[k], expected[k]) for k in RESULT_COLUMNS if got[k] != expected[k]}
    verdict = "EQUAL" if not diff else f"DIFFERENT {diff}"
    print(
        f"\ncheck {prefix} (ages on {as_of}): {expected['households']:,} households — SQL {sql_seconds:.2f} s, "
        f"rules one by one {rules_seconds:.1f} s: {verdict}"
    )
    return not diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2018)
    parser.add_argument("--county", default="360102", help="county code for the county run (default 东湖区)")
    parser.add_argument("--province", default="360000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scope; the best is reported")
    parser.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="PREFIX",
        help="compare with the rules household by household under this code prefix",
    )
    parser.add_argument(
        "--check-as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="age reference day for --check (default 1 July of --year)",
    )
    parser.add_argument("--smoke", action="store_true", help="one run per scope and --check of the province")
    args = parser.parse_args(argv)
    if args.smoke:
        args.repeat = 1
        args.check = args.check or [args.province[:2]]
        # the generator's people are born up to 2026 (bench/generate.py --as-of): the rules refuse anyone born
        # after the day they are evaluated on, so the check ages them in 2026 (standards stay --year's)
        args.check_as_of = args.check_as_of or dt.date(2026, 7, 1)

    url = pick_database()
    if url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from accounts.models import Region
    from eligibility.standards import StandardsLookup
    from eligibility.whatif import whatif_compute

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    ok = True
    for code in (args.province, args.county):
        region = Region.objects.get(code=code)
        old_dibao = StandardsLookup().standards_for(code, args.year).dibao
        assert old_dibao is not None
        times, floor_times = [], []
        result = None
        floor_row: tuple[int, ...] = ()
        for _ in range(args.repeat):  # in turns: the machine's noise hits both alike
            started = time.perf_counter()
            result = whatif_compute(region=region, year=args.year, changes=PROPOSAL)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            floor_row = floor(region.prefix, old_dibao, PROPOSAL["dibao"])
            floor_times.append(time.perf_counter() - started)
        assert result is not None
        if (result.households, result.persons) != floor_row[:2]:
            print(
                f"  BROKEN: the floor covers {floor_row[:2]}, the what-if {result.households, result.persons}"
            )
            ok = False
        print(
            f"\n{region.name} ({code}) {args.year}: {result.households:,} households, {result.persons:,} persons"
        )
        print("  what-if seconds: " + ", ".join(f"{t:.2f}" for t in times) + f"  (best {min(times):.2f})")
        print(
            "  floor seconds:   "
            + ", ".join(f"{t:.2f}" for t in floor_times)
            + f"  (best {min(floor_times):.2f})"
        )
        print(f"  ratio (best/best): {min(times) / min(floor_times):.2f}× (target ≤ 3×)")
        print(
            f"  {'category':<14}{'old':>10}{'new':>10}{'became':>9}{'ceased':>9}{'stayed':>10}"
            f"{'money old':>16}{'money new':>16}"
        )
        for r in result.rows:
            money = f"{r.money_old:>16,}{r.money_new:>16,}" if r.money_old is not None else ""
            print(f"  {r.key:<14}{r.old:>10,}{r.new:>10,}{r.became:>9,}{r.ceased:>9,}{r.stayed:>10,}{money}")
        if result.unaffected:
            print(
                "  unaffected (own standard): "
                + ", ".join(f"{u.region} {u.households}" for u in result.unaffected)
            )
    for prefix in args.check:
        ok = check(prefix, args.year, args.check_as_of) and ok
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (maxrss): {peak:.1f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
