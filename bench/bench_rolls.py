#!/usr/bin/env python
"""Payment roll generation and bank export at 500,000 enrolments (issues 5 and 18), on PostgreSQL.

    .venv/bin/python bench/bench_rolls.py [--enrolments 500000] [--county 360102] [--month 2026-01]
                                          [--source jk_bench100k] [--target jk_b18b_rolls] [--fresh]
                                          [--skip-xlsx] [--skip-python] [--check-xlsx] [--smoke]

The source database (bench/generate.py's households) is never written: the target is a copy of it
(CREATE DATABASE target TEMPLATE source, once; --fresh makes it again), migrated to the current models. In the
copy, the first N households are moved into the communities of one county and enrolled in 低保 set-based
(application, enrolment, covered members, one open period each; amount = max(580 × members − Σ income, 10)),
so that county's monthly roll has N lines — one roll, the worst case for one statement. N is capped by the
households the source has (a 100 k source gives a 100 k-line roll).

Measured, each phase with the peak resident memory of this process sampled every 20 ms:
1. generate: `roll_request` + `roll_fill` (one INSERT … SELECT for the lines and the totals), then asking again
   (idempotent: the same roll, no new line);
2. lock;
3. the floor: a plain `COPY (SELECT <the export's columns, unformatted> …) TO STDOUT WITH CSV` of the same lines
   into a file, through the same psycopg2 connection;
4. CSV export through the page (`roll_export_csv`: PostgreSQL COPY in batches, benefits/roll_csv.py), consumed
   chunk by chunk into a file — the result is its ratio to the floor (target ≤ 2×);
5. the Python CSV path (the embedded mode's, benefits.exports.python_csv_chunks) on the same roll, for
   comparison; its bytes must equal the page's (checked at every size);
6. XLSX export through the page (`roll_export_xlsx`: the workbook's frame from openpyxl, the line rows written
   by PostgreSQL with one COPY, benefits/roll_xlsx.py; to a temporary file, streamed) — its ratio to the CSV
   (target ≤ 4×).
--smoke: the source is the database of DATABASE_URL (as `make bench-smoke` prepares it), the target a fresh
copy of it named <source>_rolls_smoke (dropped at the end), 1,000 enrolments; exits non-zero if any check fails
(the smoke run, and --check-xlsx at any size, also writes the XLSX through openpyxl — the embedded mode's path,
every cell in Python — and checks every cell is the same: value, type, number format).
A roll of the same county and month left by an earlier run is removed first (bench data only).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from benchlib import HOST, Peak, drop_database, ensure_copy  # noqa: E402

BENCH_REASON = "bench_rolls"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enrolments", type=int, default=500_000)
    parser.add_argument("--county", default="360102")
    parser.add_argument("--month", default="2026-01")
    parser.add_argument("--source", default="jk_bench100k")
    parser.add_argument("--target", default="jk_b18b_rolls")
    parser.add_argument("--fresh", action="store_true", help="drop and copy the target again")
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--skip-python", action="store_true", help="do not time the Python CSV path")
    parser.add_argument(
        "--check-xlsx",
        action="store_true",
        help="also write the XLSX through openpyxl (every cell in Python) and check the cells are the same",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="1,000 enrolments on a copy of DATABASE_URL's database"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        from urllib.parse import urlparse

        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            raise SystemExit("--smoke needs DATABASE_URL (PostgreSQL) naming the prepared bench database")
        args.source = urlparse(url).path.lstrip("/")
        args.target, args.enrolments, args.fresh = f"{args.source}_rolls_smoke", 1000, True
    return args


def prepare(n: int, county: str) -> tuple:
    """Enrol the first n households, moved into `county`'s communities (set-based; once per target)."""
    from django.db import connection, transaction

    from accounts.models import Region, User
    from benefits.models import Enrolment
    from households.models import Household

    user, _ = User.objects.get_or_create(
        username=f"bench-county-{county}",
        defaults={"role": "county", "region_id": county, "full_name": "基准测试"},
    )
    have = Enrolment.objects.filter(application__reasons=BENCH_REASON).count()
    if have >= n or (have and have == Household.objects.count()):
        return user, have, 0.0
    if have:
        raise SystemExit(f"{have} bench enrolments exist, fewer than {n}: run with --fresh")
    communities = list(
        Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith=county)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not communities:
        raise SystemExit(f"county {county} has no communities")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE picked ON COMMIT DROP AS SELECT id FROM cases_household ORDER BY id LIMIT %s",
            [n],
        )
        cur.execute(
            """UPDATE cases_household h SET community_id = (%s::varchar[])[1 + (h.id %% %s)]
                       FROM picked WHERE picked.id = h.id""",
            [communities, len(communities)],
        )
        cur.execute("""
            CREATE TEMP TABLE sums ON COMMIT DROP AS
            SELECT p.household_id, count(*) AS n,
                   sum(p.income_wage + p.income_business + p.income_property + p.income_transfer + p.income_other) AS inc,
                   min(CASE WHEN p.relation = 'head' THEN p.id END) AS head, min(p.id) AS first
            FROM cases_person p JOIN picked ON picked.id = p.household_id GROUP BY p.household_id""")
        cur.execute(
            """
            INSERT INTO cases_application (household_id, category, reasons, check_authorised, check_authorised_on,
                status, received_on, proposed_category, proposed_amount, rules_amount, override_reason,
                street_reviewed_on, decided_on, decision_reason, created_by_id, created_at, updated_at,
                residence_basis, from_ledger)
            SELECT s.household_id, 'dibao', %s, true, DATE '2025-11-01', 'approved', DATE '2025-11-01', 'dibao',
                   GREATEST(580 * s.n - s.inc, 10), GREATEST(580 * s.n - s.inc, 10), '', DATE '2025-11-10',
                   DATE '2025-12-01', '', %s, now(), now(), 'hukou', false
            FROM sums s ORDER BY s.household_id""",
            [BENCH_REASON, user.pk],
        )
        cur.execute(
            """
            INSERT INTO benefits_enrolment (household_id, community_code, application_id, category, components,
                monthly_amount, start_month, status, payee_id, dibao_paid, gradual_until, ended_on, exit_reason,
                exit_details, exit_note, review_months, next_review_on, computed_at, created_by_id, created_at,
                updated_at)
            SELECT a.household_id, (SELECT h.community_id FROM cases_household h WHERE h.id = a.household_id), a.id,
                   'dibao', jsonb_build_object('dibao_subsidy', a.proposed_amount::text),
                   a.proposed_amount, DATE '2026-01-01', 'active', COALESCE(s.head, s.first), true, NULL, NULL, '',
                   '{}', '', 6, DATE '2026-07-01', now(), %s, now(), now()
            FROM cases_application a JOIN sums s ON s.household_id = a.household_id
            WHERE a.reasons = %s ORDER BY a.household_id""",
            [user.pk, BENCH_REASON],
        )
        cur.execute("""
            INSERT INTO benefits_enrolmentmember (enrolment_id, person_id, category, amounts, ended_on)
            SELECT e.id, p.id, 'dibao', '{}', NULL FROM benefits_enrolment e
            JOIN picked ON picked.id = e.household_id JOIN cases_person p ON p.household_id = e.household_id""")
        cur.execute(
            """
            INSERT INTO benefits_enrolmentperiod (enrolment_id, start_month, end_month, status, monthly_amount,
                components, covered_count, facts, standard_region, standard_year, provisional, reason, created_by_id,
                created_at, superseded_at)
            SELECT e.id, e.start_month, NULL, 'active', e.monthly_amount, e.components, s.n, '{}', '360000', 2026,
                   false, '县级审批纳入（基准数据）', %s, now(), NULL
            FROM benefits_enrolment e JOIN sums s ON s.household_id = e.household_id""",
            [user.pk],
        )
        made = cur.rowcount
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE cases_household, cases_person, cases_application, benefits_enrolment, "
            "benefits_enrolmentmember, benefits_enrolmentperiod"
        )
    return user, made, time.perf_counter() - started


def main(argv=None) -> dict:
    args = parse_args(argv)
    server = HOST  # the server of DATABASE_URL (a CI machine's may not be 127.0.0.1)
    ensure_copy(args.source, args.target, args.fresh)
    os.environ["DATABASE_URL"] = f"{server}/{args.target}"
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory

    from benefits import exports
    from benefits.models import Arrear, PaymentLine, PaymentRoll
    from benefits.services import rolls
    from benefits.views import rolls as roll_views

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    user, made, seconds = prepare(args.enrolments, args.county)
    if seconds:
        print(f"enrolled {made:,} households in {args.county} in {seconds:.1f} s (set-based, bench data)")
    month = dt.date.fromisoformat(f"{args.month}-01")
    old = PaymentRoll.objects.filter(county_id=args.county, month=month, program="dibao").first()
    if old is not None:  # an earlier run's roll: bench data, removed so the run measures a fresh generation
        Arrear.objects.filter(roll=old).update(roll=None)
        with (
            connection.cursor() as cur
        ):  # not the ORM's delete: it would load every line (memory before phase 1)
            cur.execute(f"DELETE FROM {PaymentLine._meta.db_table} WHERE roll_id = %s", [old.pk])
        PaymentRoll.history.filter(id=old.pk).delete()
        old.delete()

    report: dict = {
        "database": args.target,
        "county": args.county,
        "month": args.month,
        "postgres": connection.pg_version,
    }
    with Peak() as gen:
        roll, created = rolls.roll_request(
            acting_user=user, county=args.county, month=month, program="dibao", today=month, queue=False
        )
        requested = time.perf_counter() - gen.t0
        roll = rolls.roll_fill(roll_id=roll.pk)
    assert created and roll.status == "ready"
    # fill_seconds: inside the transaction (the statements); the rest of fill is the commit, where PostgreSQL
    # checks the lines' deferred foreign keys.
    report["generate"] = {
        "seconds": round(gen.seconds, 2),
        "request_seconds": round(requested, 3),
        "fill_seconds": roll.generate_seconds,
        "commit_seconds": round(gen.seconds - requested - roll.generate_seconds, 2),
        "lines": roll.line_count + roll.held_count,
        "paid_lines": roll.line_count,
        "held_lines": roll.held_count,
        "total_amount": str(roll.total_amount),
        "peak_rss_mb": round(gen.peak, 1),
        "rss_before_mb": round(gen.start, 1),
    }
    print(f"generate: {report['generate']}")
    with Peak() as again:
        same, created_again = rolls.roll_request(
            acting_user=user, county=args.county, month=month, program="dibao", today=month, queue=False
        )
        rolls.roll_fill(roll_id=same.pk)
    assert same.pk == roll.pk and not created_again
    assert PaymentLine.objects.filter(roll=roll).count() == roll.line_count + roll.held_count
    report["ask_again"] = {"seconds": round(again.seconds, 3), "same_roll": True, "new_lines": 0}
    with Peak() as lock:
        roll = rolls.roll_lock(roll=roll, acting_user=user)
    report["lock"] = {"seconds": round(lock.seconds, 2)}

    factory = RequestFactory()

    def request(path):
        req = factory.get(path)
        req.user = user
        req.session = {}
        req._messages = None
        return req

    def consume(chunks, out) -> int:
        size = 0
        for chunk in chunks:
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            size += len(data)
            out.write(data)
        return size

    lines = roll.line_count  # paid lines (held ones are not exported)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with Peak() as floor_phase, open(tmp / "floor.csv", "wb") as out, connection.cursor() as cur:
            cur.copy_expert(floor_sql(roll.pk), out)
        floor_bytes = (tmp / "floor.csv").stat().st_size
        report["floor_copy"] = {
            "seconds": round(floor_phase.seconds, 2),
            "bytes": floor_bytes,
            "what": "COPY (SELECT the same 11 columns of the paid lines, unformatted, ORDER BY id) TO STDOUT CSV",
        }
        print(f"floor (plain COPY): {report['floor_copy']}", flush=True)
        with Peak() as csv_phase, open(tmp / "roll.csv", "wb") as out:
            response = roll_views.roll_export_csv(
                request(f"/benefits/rolls/{roll.pk}/export.csv"), pk=roll.pk
            )
            size = consume(response.streaming_content, out)
        with open(tmp / "roll.csv", encoding="utf-8-sig", newline="") as f:
            rows = sum(1 for _ in csv.reader(f))
        if rows != lines + 2:
            raise SystemExit(f"CSV has {rows} rows, expected {lines} lines + header + totals")
        report["export_csv"] = {
            "seconds": round(csv_phase.seconds, 2),
            "bytes": size,
            "rows": rows,
            "ratio_to_floor": round(csv_phase.seconds / floor_phase.seconds, 2),
            "peak_rss_mb": round(csv_phase.peak, 1),
            "rss_before_mb": round(csv_phase.start, 1),
        }
        print(f"export csv (COPY path): {report['export_csv']}", flush=True)
        if not args.skip_python or args.smoke:
            with Peak() as py_phase, open(tmp / "python.csv", "wb") as out:
                consume(exports.python_csv_chunks(roll, full_ids=True), out)
            same = (tmp / "python.csv").read_bytes() == (tmp / "roll.csv").read_bytes()
            report["python_csv"] = {
                "seconds": round(py_phase.seconds, 2),
                "ratio_to_floor": round(py_phase.seconds / floor_phase.seconds, 2),
                "same_bytes_as_copy_path": same,
                "peak_rss_mb": round(py_phase.peak, 1),
            }
            print(f"python csv (embedded path): {report['python_csv']}", flush=True)
            if not same:
                raise SystemExit("the COPY path and the Python path wrote different bytes")
    if not args.skip_xlsx:
        with tempfile.TemporaryDirectory() as tmp:
            with Peak() as xlsx_phase:
                response = roll_views.roll_export_xlsx(
                    request(f"/benefits/rolls/{roll.pk}/export.xlsx"), pk=roll.pk
                )
                with open(Path(tmp) / "roll.xlsx", "wb") as out:
                    size = consume(response.streaming_content, out)
                response.file_to_stream.close()  # not response.close(): its signal closes the connection
            if args.smoke or args.check_xlsx:  # the rows PostgreSQL wrote give the cells of the openpyxl path
                from common.spreadsheets import workbook_response

                with Peak() as python_phase:
                    python = workbook_response("x.xlsx", [exports.xlsx_sheet(roll, full_ids=True)])
                    with open(Path(tmp) / "python.xlsx", "wb") as out:
                        consume(python.streaming_content, out)
                    python.file_to_stream.close()
                got, expected = xlsx_cells(Path(tmp) / "roll.xlsx"), xlsx_cells(Path(tmp) / "python.xlsx")
                if len(got) != lines + 2:
                    raise SystemExit(f"XLSX has {len(got)} rows, expected {lines + 2}")
                if got != expected:
                    raise SystemExit("the SQL rows and the openpyxl path wrote different cells")
                report["python_xlsx"] = {
                    "seconds": round(python_phase.seconds, 2),
                    "ratio_to_csv": round(python_phase.seconds / csv_phase.seconds, 2),
                    "same_cells_as_sql_rows": True,
                    "peak_rss_mb": round(python_phase.peak, 1),
                }
                print(f"python xlsx (openpyxl, every cell): {report['python_xlsx']}", flush=True)
        report["export_xlsx"] = {
            "seconds": round(xlsx_phase.seconds, 2),
            "bytes": size,
            "ratio_to_csv": round(xlsx_phase.seconds / csv_phase.seconds, 2),
            "peak_rss_mb": round(xlsx_phase.peak, 1),
            "rss_before_mb": round(xlsx_phase.start, 1),
        }
        print(f"export xlsx: {report['export_xlsx']}", flush=True)
    report["process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report, ensure_ascii=False))
    connection.close()
    if args.smoke:
        drop_database(args.target)
    return report


def xlsx_cells(path) -> list[list[tuple]]:
    """Every non-empty cell of the workbook's sheet: (coordinate, value, type, number format)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    cells = [
        [(c.coordinate, c.value, c.data_type, c.number_format) for c in row if c.value is not None]
        for row in book.active.iter_rows()
    ]
    book.close()
    return cells


def floor_sql(roll_id: int) -> str:
    from benefits.models import PaymentLine

    return (
        "COPY (SELECT community_code, name, id_number, bank_name, bank_account, covered_count, month, kind, label, "
        f"components, amount FROM {PaymentLine._meta.db_table} WHERE roll_id = {int(roll_id)} AND NOT held "
        "ORDER BY id) TO STDOUT WITH (FORMAT csv)"
    )


if __name__ == "__main__":
    main()
