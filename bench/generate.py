#!/usr/bin/env python
"""Load a synthetic population of households and persons across every Jiangxi county, for benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiekun_bench \
        .venv/bin/python bench/generate.py --households 1000000 [--seed 1] [--chunk 10000]

Households are spread uniformly over all community-level regions (so over every county that has
communities); members come from `demo.generator.DemoGenerator`. On PostgreSQL each chunk is one COPY per
table from an in-memory CSV buffer, committed per chunk (memory stays flat); elsewhere (SQLite) it is
`executemany` per chunk. Ids are assigned here: the id ranges after the current maximum are reserved
up front and the sequences set to the last id used at the end. No history rows are written.

Running it again adds more households: ID numbers stay unique because the allocator is primed with
every ID number already in the database, and the random stream is seeded with (seed, first id) so the
second batch is not a copy of the first.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import queue
import resource
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MEMBERS = 8  # upper bound on persons per generated household, for reserving person ids
NULL = r"\N"


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, required=True, help="number of households to add")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--chunk", type=int, default=10_000, help="households per COPY/commit (default 10000)"
    )
    parser.add_argument("--as-of", default=None, help="reference date for ages, YYYY-MM-DD")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args(argv)
    if args.households < 1 or args.chunk < 1:
        parser.error("--households and --chunk must be positive")
    return args


class Progress:
    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet = total, quiet
        self.start = time.perf_counter()

    def show(self, done: int, rows: int) -> None:
        if self.quiet:
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        rate = rows / elapsed
        eta = (self.total - done) * elapsed / done if done else 0
        sys.stderr.write(
            f"\r{100 * done / self.total:5.1f}%  {done:,}/{self.total:,} households  "
            f"{rows:,} rows  {rate:,.0f} rows/s  eta {eta:,.0f}s   "
        )
        sys.stderr.flush()

    def end(self) -> None:
        if not self.quiet:
            sys.stderr.write("\n")


def csv_text(rows: list[tuple]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def prefetch(items: Iterator, depth: int) -> Iterator:
    """Run the iterator `items` in a worker thread, at most `depth` items ahead of the consumer."""
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(end)
        except BaseException as exc:  # handed to the consumer
            out.put(exc)

    worker = threading.Thread(target=work, name="bench-generate", daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    setup_django()

    import datetime as dt

    from django.db import connection, transaction

    from accounts.models import Region
    from demo.generator import (
        DEFAULT_AS_OF,
        HOUSEHOLD_FIELDS,
        PERSON_FIELDS,
        Community,
        DemoGenerator,
        IdAllocator,
    )
    from households.models import Household, Person

    started = time.perf_counter()
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else DEFAULT_AS_OF
    postgres = connection.vendor == "postgresql"
    out = sys.stdout.write

    communities = [
        Community(*row)
        for row in Region.objects.filter(level=Region.Level.COMMUNITY)
        .order_by("code")
        .values_list("code", "name", "parent__name")
    ]
    if not communities:
        raise SystemExit("no community-level regions: run `manage.py migrate` first")
    with_communities = {c.code[:6] for c in communities}
    skipped = list(
        Region.objects.filter(level=Region.Level.COUNTY)
        .exclude(code__in=with_communities)
        .order_by("code")
        .values_list("code", "name")
    )
    out(
        f"{len(communities):,} communities in {len(with_communities)} counties"
        + (f"; skipped (no communities): {', '.join(f'{c} {n}' for c, n in skipped)}" if skipped else "")
        + "\n"
    )

    # Table layout from the models: the generator's fields, plus any other column at its default.
    h_table, p_table = Household._meta.db_table, Person._meta.db_table
    h_fields = {f.attname: f for f in Household._meta.concrete_fields}
    p_fields = {f.attname: f for f in Person._meta.concrete_fields}
    h_extra = [f for name, f in h_fields.items() if name != "id" and name not in HOUSEHOLD_FIELDS]
    p_extra = [
        f for name, f in p_fields.items() if name not in ("id", "household_id") and name not in PERSON_FIELDS
    ]
    for f in h_extra + p_extra:
        if not f.has_default() and not f.null:
            raise SystemExit(f"{f.model.__name__}.{f.name} has no default and is not generated")
    h_columns = ["id", *HOUSEHOLD_FIELDS, *(f.attname for f in h_extra)]
    p_columns = ["id", "household_id", *PERSON_FIELDS, *(f.attname for f in p_extra)]
    h_columns = [h_fields[a].column for a in h_columns]
    p_columns = [p_fields[a].column for a in p_columns]

    def constants(fields) -> tuple:
        values = []
        for f in fields:
            value = f.get_default() if f.has_default() else None
            if isinstance(value, dt.datetime):
                value = value.isoformat() if postgres else connection.ops.adapt_datetimefield_value(value)
            elif value is None:
                value = NULL if postgres else None
            values.append(value)
        return tuple(values)

    h_const, p_const = constants(h_extra), constants(p_extra)

    with connection.cursor() as cursor:
        # Ids: continue after what exists (and after the sequence, which may be ahead of max(id)).
        def next_id(table: str) -> tuple[int, str | None]:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            top = cursor.fetchone()[0]
            seq = None
            if postgres:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                seq = cursor.fetchone()[0]
                cursor.execute(f"SELECT last_value, is_called FROM {seq}")
                last, called = cursor.fetchone()
                top = max(top, last if called else last - 1)
            return top + 1, seq

        h_start, h_seq = next_id(h_table)
        p_start, p_seq = next_id(p_table)
        h_reserved = h_start + args.households - 1
        p_reserved = p_start + args.households * MAX_MEMBERS - 1
        if postgres:
            cursor.execute("SELECT setval(%s, %s)", [h_seq, h_reserved])
            cursor.execute("SELECT setval(%s, %s)", [p_seq, p_reserved])

    # ID numbers already present are taken: prime the allocator with them.
    allocator = IdAllocator(as_of)
    primed = allocator.prime(Person.objects.values_list("id_number", flat=True).iterator(chunk_size=50_000))
    if primed:
        out(
            f"{primed:,} existing persons noted so new ID numbers avoid them (first new household id {h_start})\n"
        )
    seed = args.seed if h_start == 1 else args.seed * 10**12 + h_start
    generator = DemoGenerator(seed=seed, as_of=as_of, allocator=allocator)
    rows_of = generator.households(communities, args.households)

    if postgres:
        h_copy = (
            f"COPY {connection.ops.quote_name(h_table)} ({', '.join(h_columns)}) "
            f"FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
        )
        p_copy = (
            f"COPY {connection.ops.quote_name(p_table)} ({', '.join(p_columns)}) "
            f"FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
        )
    else:

        def insert(table, columns):
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            return (
                f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )

        h_insert, p_insert = insert(h_table, h_columns), insert(p_table, p_columns)

    def chunks():
        """Build each chunk's rows (CSV text for COPY); runs in a worker thread, touches no database."""
        hid, pid = h_start, p_start
        left = args.households
        while left:
            size = min(args.chunk, left)
            h_rows, p_rows = [], []
            for _ in range(size):
                household, members = next(rows_of)
                causes = household[11]
                h_rows.append(
                    (hid, *household[:11], '["' + '","'.join(causes) + '"]' if causes else "[]", *h_const)
                )
                for p in members:
                    newly = p[16]
                    if postgres:
                        p_rows.append(
                            (pid, hid, *p[:16], NULL if newly is None else newly, *p[17:], *p_const)
                        )
                    else:
                        p_rows.append(
                            (
                                pid,
                                hid,
                                *p[:2],
                                p[2].isoformat(),
                                *p[3:16],
                                None if newly is None else newly.isoformat(),
                                *p[17:],
                                *p_const,
                            )
                        )
                    pid += 1
                hid += 1
            left -= size
            if postgres:
                yield size, len(p_rows), csv_text(h_rows), csv_text(p_rows), hid, pid
            else:
                yield size, len(p_rows), h_rows, p_rows, hid, pid

    progress = Progress(args.households, args.quiet)
    hid, pid = h_start, p_start
    done = persons = 0
    load_started = time.perf_counter()
    # Generation (Python) overlaps with the database writing the previous chunk.
    for size, n_persons, h_data, p_data, h_next, p_next in prefetch(chunks(), depth=2):
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                cursor.copy_expert(h_copy, io.StringIO(h_data))
                cursor.copy_expert(p_copy, io.StringIO(p_data))
            else:
                cursor.executemany(h_insert, h_data)
                cursor.executemany(p_insert, p_data)
        done += size
        persons += n_persons
        hid, pid = h_next, p_next
        progress.show(done, done + persons)
    progress.end()

    with connection.cursor() as cursor:
        if postgres:
            # Give back the unused part of the person reservation, unless someone else took ids meanwhile.
            for seq, reserved, last in ((h_seq, h_reserved, hid - 1), (p_seq, p_reserved, pid - 1)):
                cursor.execute(f"SELECT last_value FROM {seq}")
                if cursor.fetchone()[0] == reserved:
                    cursor.execute("SELECT setval(%s, %s)", [seq, last])
            cursor.execute(
                f"ANALYZE {connection.ops.quote_name(h_table)}, {connection.ops.quote_name(p_table)}"
            )
    load_seconds = time.perf_counter() - load_started
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = done + persons
    stats = {
        "households": done,
        "persons": persons,
        "seconds": round(seconds, 1),
        "load_seconds": round(load_seconds, 1),
        "rows_per_second": round(rows / load_seconds),
        "peak_memory_mb": round(peak_mb, 1),
        "first_household_id": h_start,
        "last_household_id": hid - 1,
        "method": "copy" if postgres else "executemany",
        "database": connection.settings_dict.get("NAME"),
    }
    out(
        f"households {done:,}  persons {persons:,}  seconds {seconds:,.1f} (load {load_seconds:,.1f})  "
        f"rows/s {stats['rows_per_second']:,}  peak memory {peak_mb:,.1f} MB  "
        f"[{stats['method']} into {stats['database']}; household ids {h_start}-{hid - 1}]\n"
    )
    return stats


if __name__ == "__main__":
    main()
