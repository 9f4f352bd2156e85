#!/usr/bin/env python
"""List exports to Excel (issue 8, part 3) on bench/generate.py's 1,000,000 households, on PostgreSQL.

    .venv/bin/python bench/bench_exports.py [--database jiekun_bench] [--county 360112] [--region 360100 ...]

Exports the household list (`household_export`: the list's selector, one streamed values_list query with the
head as subqueries, openpyxl write-only workbook in a temporary file, then streamed) as a county officer of
`--county` (by default the largest county of the bench population), and as an officer of each `--region`
(a city, or 36 for the province) if given; a list longer than settings.EXPORT_MAX_ROWS is refused by the
page, so `--max-rows` lifts the cap to measure larger exports. For each: rows, seconds to the first byte (the workbook is complete
then), total seconds, rows/s, the workbook's size, the number of queries, and the peak resident memory of this
process sampled every 20 ms (against the resident memory before).

The bench database is not changed: the officer, the session and the access-log row are made inside a
transaction that is rolled back at the end.
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

HOST = "postgres://postgres@127.0.0.1:5432"
ROLE_OF = {2: "province", 4: "city", 6: "county"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="jiekun_bench")
    parser.add_argument("--county", default="360112")
    parser.add_argument(
        "--region", action="append", default=[], help="also export as an officer of this region"
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=None,
        help="override settings.EXPORT_MAX_ROWS (to measure larger exports than a request allows)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> list[dict]:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = f"{HOST}/{args.database}"
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from benchlib import Peak
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from accounts.models import AccessLog, Region, User
    from households.views import household_export

    if args.max_rows is not None:
        from django.conf import settings

        settings.EXPORT_MAX_ROWS = args.max_rows
    factory = RequestFactory()
    results = []
    with transaction.atomic():
        for code in [args.county, *args.region]:
            region = Region.objects.get(prefix=code)
            user = User.objects.create(
                username=f"bench_export_{code}", role=ROLE_OF[len(code)], region=region, full_name="导出测试"
            )
            request = factory.get("/households/export.xlsx")
            request.user, request.session, request._messages = user, {}, None
            with (
                tempfile.TemporaryDirectory() as tmp,
                Peak() as phase,
                CaptureQueriesContext(connection) as q,
            ):
                response = household_export(request)
                first_byte = time.perf_counter() - phase.t0
                size = 0
                with open(Path(tmp) / "out.xlsx", "wb") as out:
                    for chunk in response.streaming_content:
                        size += len(chunk)
                        out.write(chunk)
                response.file_to_stream.close()  # not response.close(): its signal closes the connection
            log = AccessLog.objects.filter(user=user).get()
            result = {
                "region": f"{code} {region.name}",
                "role": user.role,
                "rows": log.count,
                "first_byte_seconds": round(first_byte, 2),
                "seconds": round(phase.seconds, 2),
                "rows_per_second": round(log.count / phase.seconds),
                "bytes": size,
                "queries": len(q.captured_queries),
                "peak_rss_mb": round(phase.peak, 1),
                "rss_before_mb": round(phase.start, 1),
            }
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
        transaction.set_rollback(True)  # the bench database stays as it was
    return results


if __name__ == "__main__":
    main()
