#!/usr/bin/env python
"""The rules in-process (with and without trace) and `manage.py evaluate --jsonl`, each against its floor.

    DATABASE_URL=… .venv/bin/python bench/bench_evaluate.py [-n 100000] [--seed 1] [--repeat 3]
        [--subprocess] [--keep DIR] [--smoke]

Writes N requests (policy.md §7) as JSONL, parses them once as the command does (`eligibility.batch.Batch`,
one preloaded `StandardsLookup`) and then times, on exactly the same parsed households, best of `--repeat` rounds:

- the floor: `floor_total`, a plain `Decimal` loop computing the same categories and monthly total as the
  rules (no trace, no messages, no dataclasses; the supporter check's error is not looked for, so the
  households the rules refuse for it are left out of the three timed loops);
- `rules.evaluate(…, trace=True)` (what the API and the pages show) and `trace=False` (bulk work);
- the whole `manage.py evaluate --jsonl` over the file (in this process by default, in the same interleaved
  rounds as the loops; `--subprocess` runs it as a child afterwards and then also counts its start-up), and
  inside it the share of the time spent outside the rules: 1 − (the rules with trace over every parsed
  request) / (the command's time), in wall-clock and, in process, also in CPU seconds (steadier on a shared
  machine). Reading, parsing and serialising are also timed on their own, so the remainder can be attributed.

The results are checked, not just timed: the floor, the rules with and without trace give the same total and
categories for every household, the rules give the same result without trace (only the trace differs), and
the command writes one line per request. Any difference exits 1. `--smoke` is a 1,000-request run with one
round: seconds, for `make bench-smoke`. It needs a migrated database (the 2018 standard and the regions).

Requests are generated here, without the database: ID numbers get their GB 11643 check character from
common.idnumber, regions come from the shipped region fixture, and every request falls in 2018 (the
standard that ships with the database). The standards overrides fill the local figures the 2018 row
leaves empty, so every request has a full evaluation (some are refused by the supporter check: §4).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common.idnumber import check_char  # noqa: E402  (pure module: no Django setup needed)

RELATIONS = ("spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other")
CAUSES = ("illness", "disability", "accident", "schooling", "unemployment", "no_housing")
OVERRIDES = {
    "min_wage": "1680",
    "property_months": "6",
    "property_vehicles": 0,
    "property_houses": 1,
    "property_business_allowed": False,
}


def regions() -> list[str]:
    with open(ROOT / "accounts" / "data" / "jiangxi_regions.csv", encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f) if row["level"] in ("3", "5")]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.regions = regions()
        self.serial = 0

    def id_number(self, region: str, birth: dt.date) -> str:
        self.serial += 1
        first17 = f"{region[:6]}{birth:%Y%m%d}{self.serial % 1000:03d}"
        return first17 + check_char(first17)

    def money(self, high: float) -> str:
        r = self.rng.random()
        if r < 0.2:
            return "0"
        return f"{self.rng.uniform(0, high):.2f}"

    def member(self, region: str, as_of: dt.date, head: bool) -> dict:
        rng = self.rng
        age_days = rng.randint(0, 95 * 365)
        birth = as_of - dt.timedelta(days=age_days)
        body: dict = {
            "id_number": self.id_number(region, birth),
            "relation": "head" if head else rng.choice(RELATIONS),
            "monthly_income": self.money(2500),
            "labor_capacity": rng.choices(("full", "partial", "none"), (6, 2, 2))[0],
            "disability_grade": rng.choices((0, 1, 2, 3, 4), (80, 5, 5, 5, 5))[0],
            "self_care": rng.choices(("full", "semi", "none"), (8, 1, 1))[0],
            "has_able_supporter": rng.random() < 0.7,
            "orphan": rng.choice(("scattered", "institutional"))
            if age_days < 18 * 365 and rng.random() < 0.05
            else None,
            "newly_employed_since": (as_of - dt.timedelta(days=rng.randint(0, 900))).isoformat()
            if rng.random() < 0.1
            else None,
        }
        return body

    def request(self) -> dict:
        rng = self.rng
        region = rng.choice(self.regions)
        as_of = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        size = rng.choices((1, 2, 3, 4, 5, 6), (20, 25, 25, 18, 8, 4))[0]
        return {
            "region": region,
            "as_of": as_of.isoformat(),
            "standards": OVERRIDES,
            "household": {
                "members": [self.member(region, as_of, i == 0) for i in range(size)],
                "property": {
                    "financial_assets": self.money(30000),
                    "vehicles": rng.choices((0, 1), (9, 1))[0],
                    "houses": rng.choices((0, 1, 2), (3, 6, 1))[0],
                    "business": rng.random() < 0.05,
                },
                "monthly_rigid_expenditure": self.money(1500),
                "hardship_causes": rng.sample(CAUSES, rng.choices((0, 1, 2), (5, 3, 2))[0]),
            },
        }


def write_requests(path: Path, n: int, seed: int) -> None:
    gen = Generator(seed)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(json.dumps(gen.request(), ensure_ascii=False))
            f.write("\n")


# ---------------------------------------------------------------------------------------------------
# The floor: the same money, computed the plainest way


CENT = Decimal("0.01")
ZERO = Decimal("0")
# member → the relations (to the head) of their legal supporters (policy.md §4)
SUPPORTERS = {
    "head": ("spouse", "child"),
    "spouse": ("head", "child"),
    "child": ("head", "spouse"),
    "parent": ("head", "sibling"),
    "grandparent": ("parent",),
    "grandchild": ("child",),
    "sibling": ("parent",),
}
KINDS_2016 = {"intellectual": 2, "mental": 2, "physical": 1}
KINDS_2021 = {"intellectual": 3, "mental": 3, "physical": 2, "visual": 1}


def floor_total(household, s, as_of: dt.date) -> tuple[tuple[str, ...], Decimal]:
    """(categories, total monthly money) of policy.md §4–§5 in one plain loop over Decimals."""
    dibao = s.dibao
    kinds = KINDS_2021 if as_of >= dt.date(2021, 7, 1) else KINDS_2016
    md = (as_of.month, as_of.day)
    members = household.members
    ages = [as_of.year - m.birth_date.year - (md < (m.birth_date.month, m.birth_date.day)) for m in members]
    deemed = [
        a >= 60
        or a < 16
        or (m.disability_kind is not None and 1 <= m.disability_grade <= kinds.get(m.disability_kind, 0))
        for m, a in zip(members, ages, strict=True)
    ]
    p = household.property
    n_all = len(members)
    prop_ok = (
        (p.financial_assets == 0 or p.financial_assets <= s.property_months * dibao * n_all)
        and (p.vehicles == 0 or p.vehicles <= s.property_vehicles)
        and (p.houses == 0 or p.houses <= s.property_houses)
        and (not p.business or bool(s.property_business_allowed))
    )
    total = ZERO
    unit_income = ZERO
    unit = []
    any_tekun = False
    for i, m in enumerate(members):
        age = ages[i]
        tekun = orphan = False
        if m.orphan is not None and age < 18:
            tekun = orphan = True
        elif (
            (age >= 60 or m.disability_grade >= 1 or age < 16)
            and (m.labor_capacity == "none" or deemed[i])
            and m.monthly_income < dibao
            and not m.has_able_supporter
            and prop_ok
        ):
            tekun = True
        if not tekun:
            unit.append(m)
            unit_income += m.monthly_income
            continue
        any_tekun = True
        care = ZERO
        if orphan:
            total += s.orphan_scattered if m.orphan == "scattered" else s.orphan_institutional
        else:
            total += s.tekun
            if m.self_care == "none":
                care = (s.care_ratio_full * s.min_wage).quantize(CENT, ROUND_HALF_UP)
            elif m.self_care == "semi":
                care = (s.care_ratio_semi * s.min_wage).quantize(CENT, ROUND_HALF_UP)
            total += care
        if 1 <= m.disability_grade <= 2 and care == 0:
            total += s.disability_care
    n = len(unit)
    is_dibao = is_zhichu = via = False
    if n:
        if unit_income < dibao * n:
            is_dibao = prop_ok
        if not is_dibao and unit_income >= dibao * n:
            is_zhichu = (
                unit_income <= s.zhichu_multiplier * dibao * n and bool(household.hardship_causes) and prop_ok
            )
        if is_dibao:
            total += (dibao * n - unit_income).quantize(CENT, ROUND_HALF_UP)
        elif is_zhichu:
            disposable = max(ZERO, unit_income - household.monthly_rigid_expenditure)
            via = disposable < dibao * n
            if via:
                total += (dibao * n - disposable).quantize(CENT, ROUND_HALF_UP)
        covered = is_dibao or is_zhichu
        paid = is_dibao or via
        for m in unit:
            if m.disability_grade >= 1 and paid:
                total += s.disability_living
            if covered and 1 <= m.disability_grade <= 2:
                total += s.disability_care
    categories = tuple(
        c for c, found in (("tekun", any_tekun), ("dibao", is_dibao), ("zhichu", is_zhichu)) if found
    )
    return categories, total


# ---------------------------------------------------------------------------------------------------
# Timing


def best_of(rounds: int, fn) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    import django

    django.setup()


def run_subprocess(src: Path, dst: Path) -> float:
    with open(dst, "wb") as out:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "evaluate", "--jsonl", str(src)],
            stdout=out,
            cwd=ROOT,
            check=False,
        )
    if proc.returncode:
        raise SystemExit(f"evaluate exited with {proc.returncode}")
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_in_process(src: Path, dst: Path) -> float:
    from benchlib import Peak
    from django.core.management import call_command

    with Peak() as peak, open(dst, "w", encoding="utf-8") as out:
        call_command("evaluate", jsonl=str(src), stdout=out)
    return peak.peak


def parse_all(src: Path):
    """(seconds reading JSON, seconds parsing requests, the parsed (household, standards, as_of) list), read
    the way the command reads them (`eligibility.batch`: one decoder, the fast path, one preloaded lookup)."""
    from config.errors import ServiceError
    from eligibility.batch import Batch, loads

    batch = Batch()
    with open(src, "rb") as f:
        lines = [line.decode("utf-8") for line in f]
    started = time.perf_counter()
    payloads = [loads(line) for line in lines]
    t_read = time.perf_counter() - started
    started = time.perf_counter()
    parsed = []
    for payload in payloads:
        try:
            parsed.append(batch.parse(payload))
        except ServiceError:
            pass
    t_parse = time.perf_counter() - started
    return t_read, t_parse, [(r.household, r.standards, r.as_of) for r in parsed]


def check_same(ok, results) -> list[str]:
    """The floor and the rules without trace agree with the rules with trace, household by household."""
    from eligibility import rules

    broken: list[str] = []
    for (h, s, d), with_trace in zip(ok, results, strict=True):
        bare = rules.evaluate(h, s, d, trace=False)
        if bare.trace or bare != dataclasses.replace(with_trace, trace=()):
            broken.append(f"trace=False differs from trace=True: {h}")
        cats, total = floor_total(h, s, d)
        if (cats, total) != (with_trace.categories, with_trace.total_monthly):
            broken.append(
                f"floor {cats} {total} ≠ rules {with_trace.categories} {with_trace.total_monthly}: {h}"
            )
        if len(broken) > 5:
            break
    return broken


def time_loops(work, ok, rounds: int, command=None) -> tuple[dict[str, float], dict[str, float]]:
    """Best of `rounds` interleaved rounds (the machine's noise hits each loop alike), in wall-clock and in
    CPU seconds of this process. `command`, when given, runs in the same rounds (the in-process command:
    its share outside the rules is then a ratio of two bests measured in turns)."""
    from eligibility import rules

    def floor_loop():
        for h, s, d in ok:
            floor_total(h, s, d)

    def traced_loop():
        for h, s, d in ok:
            rules.evaluate(h, s, d)

    def bare_loop():
        for h, s, d in ok:
            rules.evaluate(h, s, d, trace=False)

    def all_traced():  # what the command runs: every parsed request, refusals included
        for h, s, d in work:
            try:
                rules.evaluate(h, s, d)
            except rules.RulesError:
                pass

    loops = {"floor": floor_loop, "traced": traced_loop, "bare": bare_loop, "all": all_traced}
    if command is not None:
        loops["command"] = command
    best = dict.fromkeys(loops, float("inf"))
    cpu = dict.fromkeys(loops, float("inf"))
    for _ in range(rounds):
        for name, fn in loops.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            fn()
            best[name] = min(best[name], time.perf_counter() - started)
            cpu[name] = min(cpu[name], time.process_time() - started_cpu)
    return best, cpu


def percentiles(ok) -> tuple[float, float]:
    """p50 and p99 of one call with trace, in µs (the first 20,000 households)."""
    from eligibility import rules

    per_call = []
    for h, s, d in ok[:20000]:
        t0 = time.perf_counter()
        rules.evaluate(h, s, d)
        per_call.append(time.perf_counter() - t0)
    per_call.sort()
    return statistics.median(per_call) * 1e6, per_call[max(int(len(per_call) * 0.99) - 1, 0)] * 1e6


def run_command(args, src: Path, dst: Path) -> tuple[float, float]:
    """(best seconds, peak MiB) of `evaluate --jsonl` as a child process (`--subprocess`: start-up included)."""
    t_command = float("inf")
    peak_mb = 0.0
    for _ in range(1 if args.smoke else min(args.repeat, 2)):
        started = time.perf_counter()
        peak_mb = run_subprocess(src, dst)
        t_command = min(t_command, time.perf_counter() - started)
    return t_command, peak_mb


def count_lines(dst: Path) -> tuple[int, int]:
    """(output lines, error lines) the command wrote."""
    out_lines = errors = 0
    with open(dst, encoding="utf-8") as f:
        for line in f:
            out_lines += 1
            errors += "errors" in json.loads(line)
    return out_lines, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each timed loop; the best is kept")
    parser.add_argument("--subprocess", action="store_true", help="run the command as a child process")
    parser.add_argument("--keep", metavar="DIR", help="keep requests.jsonl and results.jsonl in DIR")
    parser.add_argument("--smoke", action="store_true", help="1,000 requests, one round: a quick check")
    args = parser.parse_args(argv)
    if args.smoke:
        args.requests, args.repeat = 1000, 1
    sys.path.insert(0, str(ROOT / "bench"))
    setup_django()

    from eligibility import io, rules

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src, dst = folder / "requests.jsonl", folder / "results.jsonl"
        started = time.perf_counter()
        write_requests(src, args.requests, args.seed)
        generated = time.perf_counter() - started

        t_read, t_parse, work = parse_all(src)
        results, ok = [], []
        for h, s, d in work:
            try:
                results.append(rules.evaluate(h, s, d))
                ok.append((h, s, d))
            except rules.RulesError:
                pass
        broken = check_same(ok, results)
        peaks: list[float] = []

        def command() -> None:
            peaks.append(run_in_process(src, dst))

        best, cpu = time_loops(work, ok, args.repeat, None if args.subprocess else command)
        started = time.perf_counter()
        for r in results:
            io.result_to_json(r)  # what the command writes
        t_serialise = time.perf_counter() - started
        p50, p99 = percentiles(ok)
        if args.subprocess:
            t_command, peak_mb = run_command(args, src, dst)
        else:
            t_command, peak_mb = best["command"], max(peaks)
        out_lines, errors = count_lines(dst)
    if out_lines != args.requests:
        broken.append(f"expected {args.requests} result lines, got {out_lines}")
    if not ok:
        broken.append("no household was evaluated")

    us = 1e6 / max(len(ok), 1)
    t_floor = best["floor"]
    mode = "child process, start-up included" if args.subprocess else "in this process"
    print(f"requests:           {args.requests:,} (generated in {generated:.1f} s, seed {args.seed})")
    print(
        f"parsed:             {len(work):,}; refused by the rules (supporter check): {len(work) - len(ok):,}"
    )
    print(f"timed households:   {len(ok):,} (best of {args.repeat} interleaved rounds)")
    print(f"floor (Decimal loop):     {t_floor:8.3f} s  {t_floor * us:7.1f} µs/household")
    for key, label, target in (("traced", "rules, trace:   ", 30), ("bare", "rules, no trace:", 10)):
        print(
            f"{label}          {best[key]:8.3f} s  {best[key] * us:7.1f} µs/household  "
            f"ratio {best[key] / t_floor:5.1f}× (target ≤ {target}×)"
        )
    print(f"rules, trace, one call:   p50 {p50:.1f} µs, p99 {p99:.1f} µs")
    print(f"evaluate --jsonl ({mode}): {t_command:.2f} s, {args.requests / t_command:,.0f} evaluations/s")
    print(
        f"  of which the rules with trace: {best['all']:.2f} s; outside the rules: "
        f"{1 - best['all'] / t_command:.0%} (target ≤ 25 %)"
    )
    if not args.subprocess:
        print(
            f"  in CPU seconds of this process: command {cpu['command']:.2f} s "
            f"({cpu['command'] / args.requests * 1e6:.0f} µs/request), the rules with trace {cpu['all']:.2f} s "
            f"({cpu['all'] / max(len(work), 1) * 1e6:.0f} µs/request); outside the rules: "
            f"{1 - cpu['all'] / cpu['command']:.0%}"
        )
    print(
        f"  measured apart: JSON reading {t_read:.2f} s, request parsing {t_parse:.2f} s, "
        f"result serialising {t_serialise:.2f} s"
    )
    print(f"peak memory:        {peak_mb:.1f} MiB; error lines: {errors:,}")
    for problem in broken[:6]:
        print("BROKEN:", problem)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
