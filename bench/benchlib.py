"""What the benchmarks share: which database a run uses (a copy of a source population, or under
`--smoke` a copy of the small database `make bench-smoke` prepared), the peak memory of a phase,
percentiles, and the one line every benchmark prints: its figure, its floor measured in the same run,
and the ratio between them (the result; absolute times vary by machine)."""

from __future__ import annotations

import argparse
import os
import threading
import time
from urllib.parse import urlsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jiekun_bench"
SMOKE_DATABASE = "jiekun_bench_smoke"


def _url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


HOST = _host(_url())  # the server of DATABASE_URL (default: the local PostgreSQL as user postgres)


def current_database() -> str:
    """The database DATABASE_URL names (the population a benchmark reads or copies)."""
    return urlsplit(_url()).path.lstrip("/") or "jiekun_bench"


def ensure_copy(source: str, target: str, fresh: bool) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{HOST}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target])
        if cur.fetchone() is None:
            started = time.perf_counter()
            cur.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
            print(f"copied {source} → {target} in {time.perf_counter() - started:.1f} s", flush=True)
    conn.close()


def drop_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{HOST}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def add_database_arguments(parser: argparse.ArgumentParser, *, source: str, target: str) -> None:
    """--source/--target/--fresh/--smoke, the same in every benchmark that works on a copy."""
    parser.add_argument("--source", default=source, help=f"population to copy (default {source})")
    parser.add_argument("--target", default=target, help=f"the copy this bench works on (default {target})")
    parser.add_argument("--fresh", action="store_true", help="drop and copy the target again")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run on a fresh copy of DATABASE_URL's database (make bench-smoke); non-zero exit if broken",
    )


def use_copy(args: argparse.Namespace, name: str) -> str:
    """Copy the source into the target (under --smoke: DATABASE_URL's database into <it>_<name>, fresh)
    and point DATABASE_URL at the copy. Returns the target's name."""
    if args.smoke:
        args.source = current_database()
        args.target = f"{args.source}_{name}"
        args.fresh = True
    ensure_copy(args.source, args.target, args.fresh)
    os.environ["DATABASE_URL"] = f"{HOST}/{args.target}"
    return args.target


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile of an already sorted list (0 < share ≤ 1)."""
    if not sorted_values:
        return float("nan")
    index = max(0, min(len(sorted_values) - 1, int(round(share * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def result(work: str, figure: float, floor: float, *, unit: str = "s", target: str = "") -> float:
    """Print the benchmark's result line (figure, floor, ratio = figure / floor) and return the ratio."""
    ratio = figure / floor if floor else float("inf")
    print(
        f"RESULT {work}: {figure:,.3f} {unit}, floor {floor:,.3f} {unit}, ratio {ratio:.2f}×"
        + (f" (target {target})" if target else ""),
        flush=True,
    )
    return ratio


class Peak:
    """The highest resident set size of this process while the block runs (sampled every 20 ms), its wall time
    (`seconds`) and this process's CPU time (`cpu`: on a shared machine, the steadier of the two)."""

    def __enter__(self):
        self.peak = self.start = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        return self

    @staticmethod
    def rss() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.rss())

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())
