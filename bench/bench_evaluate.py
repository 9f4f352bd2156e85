#!/usr/bin/env python
"""Throughput of the batch evaluation: `manage.py evaluate --jsonl` over N random valid requests.

    .venv/bin/python bench/bench_evaluate.py [-n 100000] [--seed 1] [--in-process] [--keep DIR]

Writes N requests (policy.md §7) as JSONL into a temporary file, runs the command on it (as a
subprocess by default, so the figure includes start-up and the child's own peak memory), checks that
there is one output line per request, and prints evaluations/s, total time and peak memory (maxrss).
Requests are generated here, without the database: ID numbers get their GB 11643 check character from
common.idnumber, regions come from the shipped region fixture, and every request falls in 2018 (the
standard that ships with the database). The standards overrides fill the local figures the 2018 row
leaves empty, so every request is valid and gets a full evaluation.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
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


def run_subprocess(src: Path, dst: Path) -> int:
    with open(dst, "wb") as out:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "evaluate", "--jsonl", str(src)],
            stdout=out,
            cwd=ROOT,
            check=False,
        )
    if proc.returncode:
        raise SystemExit(f"evaluate exited with {proc.returncode}")
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def run_in_process(src: Path, dst: Path) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    with open(dst, "w", encoding="utf-8") as out:
        call_command("evaluate", jsonl=str(src), stdout=out)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--in-process", action="store_true", help="call the command in this process")
    parser.add_argument("--keep", metavar="DIR", help="keep requests.jsonl and results.jsonl in DIR")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src, dst = folder / "requests.jsonl", folder / "results.jsonl"
        started = time.perf_counter()
        write_requests(src, args.requests, args.seed)
        generated = time.perf_counter() - started

        started = time.perf_counter()
        maxrss_kb = run_in_process(src, dst) if args.in_process else run_subprocess(src, dst)
        elapsed = time.perf_counter() - started

        lines = errors = 0
        categories: dict[str, int] = {}
        with open(dst, encoding="utf-8") as f:
            for line in f:
                lines += 1
                result = json.loads(line)
                if "errors" in result:
                    errors += 1
                    continue
                for c in result["categories"] or ["none"]:
                    categories[c] = categories.get(c, 0) + 1
        if lines != args.requests:
            raise SystemExit(f"expected {args.requests} result lines, got {lines}")

    mode = "in-process" if args.in_process else "subprocess"
    print(f"requests:        {args.requests} (generated in {generated:.1f} s, seed {args.seed})")
    print(f"mode:            manage.py evaluate --jsonl ({mode})")
    print(f"total time:      {elapsed:.2f} s")
    print(f"evaluations/s:   {args.requests / elapsed:,.0f}")
    print(f"peak memory:     {maxrss_kb / 1024:.1f} MiB (maxrss)")
    print(f"error lines:     {errors}")
    print("categories:      " + ", ".join(f"{k} {v}" for k, v in sorted(categories.items())))


if __name__ == "__main__":
    main()
