#!/usr/bin/env python
"""List exports to Excel (issue 8 part 3, issue 18) on bench/generate.py's households, on PostgreSQL.

    .venv/bin/python bench/bench_exports.py [--source jk_bench100k] [--target jk_b18b_exports] [--fresh]
                                            [--county 360112] [--region 360100 ...] [--smoke]

For the household list (`household_export`) as a county officer of `--county`, and as an officer of each
`--region` (a city, or 36 for the province):
1. the floor: the export's own query (the list's selector with the head as subqueries, the same columns) read
   through a server-side cursor and appended as plain values to an openpyxl write-only workbook (no masking,
   styles, widths, caption or access log) — the plainest way to the same workbook;
2. the direct export through the page with EXPORT_MAX_ROWS lifted (rows counted, streamed, logged);
3. the background export (accounts/export_jobs.py) of the same list: the page with EXPORT_MAX_ROWS at 1 queues a
   job, then the task's work (`export_job_run`) writes the file; its rows must equal the direct export's.
For each: rows, seconds, rows/s, ratio to the floor, the file's size, the queries, and the peak resident memory
of this process sampled every 20 ms (against the resident memory before).

The source database is never written: the target is a copy (CREATE DATABASE … TEMPLATE, once; --fresh again), and
the officers, access-log rows and jobs are made inside a transaction rolled back at the end (the job files go to a
temporary MEDIA_ROOT). --smoke: the source is DATABASE_URL's database (as `make bench-smoke` prepares it, about
1,000 households), the target a fresh copy dropped at the end, and the county the one with the most households;
exits non-zero if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchlib import HOST, Peak, drop_database, ensure_copy  # noqa: E402

ROLE_OF = {2: "province", 4: "city", 6: "county"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default="jk_bench100k")
    parser.add_argument("--target", default="jk_b18b_exports")
    parser.add_argument("--fresh", action="store_true", help="drop and copy the target again")
    parser.add_argument("--county", default="360112")
    parser.add_argument(
        "--region", action="append", default=[], help="also export as an officer of this region"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a copy of DATABASE_URL's database, every phase once"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        from urllib.parse import urlparse

        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            raise SystemExit("--smoke needs DATABASE_URL (PostgreSQL) naming the prepared bench database")
        args.source = urlparse(url).path.lstrip("/")
        args.target, args.fresh, args.county = f"{args.source}_exports_smoke", True, None
    return args


def floor(user, path: Path) -> tuple[int, float]:
    """The export's query, unformatted, into a plain write-only workbook: (rows, seconds)."""
    from django.db import connection
    from openpyxl import Workbook

    from households import selectors
    from households.exports import head_subqueries

    qs = (
        selectors.household_list(user=user, query="")
        .prefetch_related(None)
        .annotate(**head_subqueries())
        .values_list(
            "pk", "x_head_name", "x_head_id", "member_count", "community_id", "community__name", "address"
        )
    )
    sql, params = qs.query.sql_with_params()
    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("家庭档案")
    rows = 0
    raw = connection.connection  # psycopg2: a named (server-side) cursor streams the rows
    with raw.cursor(name="bench_floor") as cur:
        cur.itersize = 2000
        cur.execute(sql, params)
        for row in cur:
            sheet.append(row)
            rows += 1
    book.save(path)
    return rows, time.perf_counter() - started


def main(argv=None) -> list[dict]:
    args = parse_args(argv)
    server = HOST  # the server of DATABASE_URL (a CI machine's may not be 127.0.0.1)
    ensure_copy(args.source, args.target, args.fresh)
    os.environ["DATABASE_URL"] = f"{server}/{args.target}"
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    from accounts import export_jobs
    from accounts.models import AccessLog, ExportJob, Region, User
    from households.models import Household
    from households.views import household_export

    call_command("migrate", verbosity=0)
    if args.county is None:
        top = (
            Household.objects.values("community_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("community_id", flat=True)
            .first()
        )
        args.county = top[:6]
    media = tempfile.mkdtemp(prefix="bench_exports_")
    settings.MEDIA_ROOT = media
    factory = RequestFactory()
    results = []

    def run_page(user):
        request = factory.get("/households/export.xlsx")
        request.user, request.session, request._messages = user, {}, None
        from django.contrib.messages.storage.cookie import CookieStorage

        request._messages = CookieStorage(request)
        return household_export(request)

    def sheet_rows(path) -> list[tuple]:
        book = load_workbook(path, read_only=True)
        return [tuple(r) for r in book.active.iter_rows(values_only=True)]

    with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for code in [args.county, *args.region]:
            region = Region.objects.get(prefix=code)
            user = User.objects.create(
                username=f"bench_export_{code}", role=ROLE_OF[len(code)], region=region, full_name="导出测试"
            )
            with Peak() as floor_phase:
                floor_rows, floor_seconds = floor(user, tmp / "floor.xlsx")
            settings.EXPORT_MAX_ROWS = 10**9
            with Peak() as direct, CaptureQueriesContext(connection) as q:
                response = run_page(user)
                first_byte = time.perf_counter() - direct.t0
                size = 0
                with open(tmp / "direct.xlsx", "wb") as out:
                    for chunk in response.streaming_content:
                        size += len(chunk)
                        out.write(chunk)
                response.file_to_stream.close()  # not response.close(): its signal closes the connection
            count = AccessLog.objects.filter(user=user).get().count
            if count != floor_rows:
                raise SystemExit(f"direct export wrote {count} rows, the floor {floor_rows}")
            direct_result = {
                "seconds": round(direct.seconds, 2),
                "first_byte_seconds": round(first_byte, 2),
                "rows_per_second": round(count / direct.seconds),
                "ratio_to_floor": round(direct.seconds / floor_seconds, 2),
                "bytes": size,
                "queries": len(q.captured_queries),
                "peak_rss_mb": round(direct.peak, 1),
                "rss_before_mb": round(direct.start, 1),
            }
            settings.EXPORT_MAX_ROWS = 1
            queue = export_jobs._queue
            export_jobs._queue = lambda job_id: (
                None
            )  # the worker's run is timed below, not inside the request
            try:
                with transaction.atomic():
                    asked = run_page(user)
            finally:
                export_jobs._queue = queue
            job = ExportJob.objects.filter(user=user).get()
            if asked.status_code != 302 or job.status != ExportJob.Status.QUEUED:
                raise SystemExit(f"a long list was not queued: {asked.status_code} {job.status}")
            with Peak() as background:
                job = export_jobs.export_job_run(job_id=job.pk)
            if job.status != ExportJob.Status.DONE or job.rows_done != count:
                raise SystemExit(
                    f"background export ended {job.status} ({job.reason}) with {job.rows_done} rows"
                )
            path = export_jobs.job_path(job)
            direct_rows, job_rows = sheet_rows(tmp / "direct.xlsx"), sheet_rows(path)
            same = direct_rows[1:] == job_rows[1:]  # the caption's minute may differ
            if not same:
                raise SystemExit("the background export's rows differ from the direct export's")
            result = {
                "region": f"{code} {region.name}",
                "role": user.role,
                "rows": count,
                "floor": {"seconds": round(floor_seconds, 2), "peak_rss_mb": round(floor_phase.peak, 1)},
                "direct": direct_result,
                "background": {
                    "seconds": round(background.seconds, 2),
                    "ratio_to_floor": round(background.seconds / floor_seconds, 2),
                    "bytes": job.size,
                    "same_rows_as_direct": same,
                    "peak_rss_mb": round(background.peak, 1),
                },
            }
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
        transaction.set_rollback(True)  # the copy stays as it was
    connection.close()
    import shutil

    shutil.rmtree(media, ignore_errors=True)
    if args.smoke:
        drop_database(args.target)
    return results


if __name__ == "__main__":
    main()
