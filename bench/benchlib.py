"""What the benchmarks share: a copy of a source database, and the peak memory of a phase."""

from __future__ import annotations

import os
import threading
import time

HOST = "postgres://postgres@127.0.0.1:5432"


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


class Peak:
    """The highest resident set size of this process while the block runs (sampled every 20 ms)."""

    def __enter__(self):
        self.peak = self.start = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.t0 = time.perf_counter()
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
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())
