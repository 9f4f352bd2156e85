#!/usr/bin/env python
"""Oversight reports (issue 8) on 1,000,000 households, on PostgreSQL.

    .venv/bin/python bench/bench_reports.py [--source jiekun_bench] [--target jiekun_bench_reports] [--fresh]
                                            [--repeats 5] [--smoke]

The source database (bench/generate.py's 1,000,000 households) is never written: the target is a copy of it
(CREATE DATABASE target TEMPLATE source, once; --fresh makes it again), migrated to the current models. In the
copy, set-based (once per target):
- 30 % of the households (id % 10 < 3) get an approved application received 2024-01 … 2025-12 with its six
  ApplicationEvent steps (受理, 入户调查 +8 d, 民主评议 +13 d, 街道审核 +20 d, 公示 +22 d, 县级审批 +32…51 d)
  and an enrolment (85 % 低保, 10 % 特困, 5 % 支出型; amount max(580 × members − Σ income, 10)) starting the month
  after the decision, its covered members and one current period; 1 in 13 exits six months after it started;
- 5 % more (id % 20 = 5) have an application still open, a third of them past their `due_on`;
- every county has a locked roll per month of 2025 and program, with its per-community totals
  (benefits.PaymentRollTotal) summed from the periods paying in that month — exactly what roll_fill plus
  roll_community_totals_refresh write (the lines themselves are not written: no report reads them);
- two reconciliation runs (2025H1, 2025H2) with a finding for 1 in 25 households and a review task each,
  40 % confirmed, 30 % false alarms, 30 % open.
Enrolment.community_code and applications.ApplicationTimes (what the reports read instead of households and events) are
filled by the migrations that add them and, for the rows made here, by the same statements. After a VACUUM ANALYZE
(the state autovacuum reaches after the migrations' backfills), each report section is timed for the province, a city and a county over 2025 (p50 and max of --repeats runs,
after one warm-up), the whole 全年一考核 page through the view, and the Excel export; peak memory is the process's
maximum resident set size. The floor, per region and period, in the same run: one plain statement aggregating by
child region the rows the sections read (periods paying in the period, its roll totals, the decided applications'
milestones, the findings); the ratio is the sum of the sections' p50s to the floor's p50 (the issue sets no target
for reports beyond a constant number of queries). `--smoke`: a fresh copy of DATABASE_URL's database, one repeat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from benchlib import add_database_arguments, result, use_copy  # noqa: E402

BENCH_REASON = "bench_reports"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, source="jiekun_bench", target="jiekun_bench_reports")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if args.smoke:
        args.repeats = 1
    return args


# The floor of one region's report over one period: the same rows the sections read (periods paying in the
# period, roll totals of its months, decided applications' milestones, findings), each aggregated by child
# region in one plain statement, no Python around it.
FLOOR_SQL = """
SELECT 'periods', substr(e.community_code, 1, %(child)s), count(*), sum(p.monthly_amount), sum(p.covered_count)
FROM benefits_enrolmentperiod p JOIN benefits_enrolment e ON e.id = p.enrolment_id
WHERE e.community_code LIKE %(prefix)s AND p.superseded_at IS NULL AND p.start_month <= %(end)s
  AND (p.end_month IS NULL OR p.end_month >= %(start)s)
GROUP BY 2
UNION ALL
SELECT 'rolls', substr(t.community_code, 1, %(child)s), sum(t.lines), sum(t.amount), sum(t.persons)
FROM benefits_paymentrolltotal t
WHERE t.community_code LIKE %(prefix)s AND t.month BETWEEN %(start)s AND %(end)s
GROUP BY 2
UNION ALL
SELECT 'times', substr(t.decided_region, 1, %(child)s), count(*), sum(t.decided_on - t.intake_on),
       sum(t.street_on - t.intake_on)
FROM cases_applicationtimes t
WHERE t.decided_region LIKE %(prefix)s AND t.decided_on BETWEEN %(start)s AND %(last_day)s
GROUP BY 2
UNION ALL
SELECT 'findings', substr(f.region_id, 1, %(child)s), count(*), count(r.resolved_at), 0
FROM ledgers_finding f LEFT JOIN ledgers_reviewtask r ON r.finding_id = f.id
WHERE f.region_id LIKE %(prefix)s AND f.created_at >= %(start)s AND f.created_at < %(last_day)s::date + 1
GROUP BY 2"""


def floor_ms(region_code: str, period, repeats: int) -> float:
    """p50 (ms) of FLOOR_SQL for the region and period, after one warm-up."""
    from django.db import connection

    prefix = region_code.rstrip("0") if region_code != "360000" else "36"
    child = {2: 4, 4: 6}.get(len(prefix), 12)
    params = {
        "prefix": prefix + "%",
        "child": child,
        "start": period.start,
        "end": period.end,
        "last_day": period.last_day,
    }
    times = []
    with connection.cursor() as cur:
        for i in range(repeats + 1):
            t0 = time.perf_counter()
            cur.execute(FLOOR_SQL, params)
            cur.fetchall()
            if i:
                times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def step(cur, label: str, sql: str, params=None) -> None:
    started = time.perf_counter()
    cur.execute(sql, params or [])
    print(f"  {label}: {cur.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)


def prepare() -> None:
    from django.db import connection, transaction

    from accounts.models import User
    from applications.models import Application
    from applications.services import application_times

    user, _ = User.objects.get_or_create(
        username="bench-reports",
        defaults={"role": "province", "region_id": "360000", "full_name": "基准测试"},
    )
    if Application.objects.filter(reasons=BENCH_REASON).exists():
        return
    print("preparing enrolments, rolls, applications and findings (once per target)", flush=True)
    started = time.perf_counter()
    u = user.pk
    with transaction.atomic(), connection.cursor() as cur:
        step(
            cur,
            "household sums",
            """
            CREATE TEMP TABLE sums ON COMMIT DROP AS
            SELECT h.id AS household_id, h.community_id, count(*) AS n,
                   sum(p.income_wage + p.income_business + p.income_property + p.income_transfer + p.income_other) AS inc,
                   min(CASE WHEN p.relation = 'head' THEN p.id END) AS head, min(p.id) AS first,
                   DATE '2024-01-01' + ((h.id * 7) %% 700)::int AS received,
                   CASE WHEN h.id %% 100 < 85 THEN 'dibao' WHEN h.id %% 100 < 95 THEN 'tekun' ELSE 'zhichu' END AS cat
            FROM cases_household h JOIN cases_person p ON p.household_id = h.id
            WHERE h.id %% 10 < 3 OR h.id %% 20 = 5
            GROUP BY h.id, h.community_id""",
        )
        step(
            cur,
            "applications",
            """
            INSERT INTO cases_application (household_id, category, reasons, check_authorised, check_authorised_on,
                status, received_on, due_on, proposed_category, proposed_amount, rules_amount, override_reason,
                street_reviewed_on, notice_started_on, notice_ends_on, decided_on, decision_reason, created_by_id,
                created_at, updated_at, residence_basis, from_ledger)
            SELECT s.household_id, s.cat, %s, true, s.received,
                   CASE WHEN s.household_id %% 10 < 3 THEN 'approved' ELSE 'investigating' END, s.received,
                   CASE WHEN s.household_id %% 10 < 3 THEN NULL
                        WHEN s.household_id %% 3 = 0 THEN DATE '2026-01-10' ELSE DATE '2099-01-01' END,
                   s.cat, GREATEST(580 * s.n - s.inc, 10), GREATEST(580 * s.n - s.inc, 10), '',
                   s.received + 20, s.received + 22, s.received + 29,
                   CASE WHEN s.household_id %% 10 < 3 THEN s.received + 32 + (s.household_id %% 20)::int END,
                   '', %s, now(), now(), '', false
            FROM sums s ORDER BY s.household_id""",
            [BENCH_REASON, u],
        )
        steps = [
            ("intake", 0, "受理申请", "", "investigating"),
            ("visit", 8, "入户调查", "investigating", "reviewing"),
            ("review", 13, "民主评议", "reviewing", "street_review"),
            ("street_approve", 20, "街道审核通过", "street_review", "street_approved"),
            ("notice_start", 22, "开始公示", "street_approved", "notice"),
        ]
        for code, days, verb, before, after in steps:
            where = "" if code == "intake" else "WHERE a.status = 'approved'"
            step(
                cur,
                f"events {code}",
                f"""
                INSERT INTO cases_applicationevent (application_id, step, verb, from_status, to_status, actor_id, at,
                    on_date, note, data, region_code)
                SELECT a.id, %s, %s, %s, %s, %s, now(), a.received_on + {days}, '', '{{}}', h.community_id
                FROM cases_application a JOIN cases_household h ON h.id = a.household_id
                {"WHERE a.reasons = %s" if not where else where + " AND a.reasons = %s"}""",
                [code, verb, before, after, u, BENCH_REASON],
            )
        step(
            cur,
            "events county_approve",
            """
            INSERT INTO cases_applicationevent (application_id, step, verb, from_status, to_status, actor_id, at,
                on_date, note, data, region_code)
            SELECT a.id, 'county_approve', '县级审批批准', 'notice', 'approved', %s, now(), a.decided_on, '', '{}',
                   h.community_id
            FROM cases_application a JOIN cases_household h ON h.id = a.household_id
            WHERE a.status = 'approved' AND a.reasons = %s""",
            [u, BENCH_REASON],
        )
        step(
            cur,
            "application milestones (what the event writer keeps)",
            f"""
            INSERT INTO cases_applicationtimes (application_id, intake_on, visit_on, review_on, street_on, notice_on,
                decided_on, decided_region)
            {application_times.select_sql("application_id IN (SELECT id FROM cases_application WHERE reasons = %s)")}
            """,
            [BENCH_REASON],
        )
        step(
            cur,
            "enrolments",
            """
            INSERT INTO benefits_enrolment (household_id, community_code, application_id, category, components,
                monthly_amount, start_month, status, payee_id, dibao_paid, gradual_until, ended_on, exit_reason,
                exit_details, exit_note, exit_decided_on, review_months, next_review_on, computed_at, created_by_id,
                created_at, updated_at)
            SELECT a.household_id, s.community_id, a.id, a.category,
                   jsonb_build_object(CASE a.category WHEN 'dibao' THEN 'dibao_subsidy' WHEN 'tekun' THEN 'tekun_basic'
                                      ELSE 'zhichu_subsidy' END, a.proposed_amount::text),
                   a.proposed_amount, (date_trunc('month', a.decided_on) + interval '1 month')::date,
                   CASE WHEN a.household_id %% 13 = 0 THEN 'exited' ELSE 'active' END, COALESCE(s.head, s.first),
                   a.category <> 'tekun', NULL,
                   CASE WHEN a.household_id %% 13 = 0
                        THEN (date_trunc('month', a.decided_on) + interval '7 month' - interval '1 day')::date END,
                   CASE WHEN a.household_id %% 13 = 0 THEN 'income' ELSE '' END, '{}', '',
                   CASE WHEN a.household_id %% 13 = 0
                        THEN (date_trunc('month', a.decided_on) + interval '6 month')::date END,
                   6, DATE '2026-07-01', now(), %s, now(), now()
            FROM cases_application a JOIN sums s ON s.household_id = a.household_id
            WHERE a.reasons = %s AND a.status = 'approved' ORDER BY a.household_id""",
            [u, BENCH_REASON],
        )
        step(
            cur,
            "covered members",
            """
            INSERT INTO benefits_enrolmentmember (enrolment_id, person_id, category, amounts, ended_on)
            SELECT e.id, p.id, e.category, '{}', e.ended_on FROM benefits_enrolment e
            JOIN cases_application a ON a.id = e.application_id AND a.reasons = %s
            JOIN cases_person p ON p.household_id = e.household_id""",
            [BENCH_REASON],
        )
        step(
            cur,
            "periods",
            """
            INSERT INTO benefits_enrolmentperiod (enrolment_id, start_month, end_month, status, monthly_amount,
                components, covered_count, facts, standard_region, standard_year, provisional, reason, created_by_id,
                created_at, superseded_at)
            SELECT e.id, e.start_month, date_trunc('month', e.ended_on)::date, 'active', e.monthly_amount,
                   e.components, s.n, '{}', '360000', 2025, false, '县级审批纳入（基准数据）', %s, now(), NULL
            FROM benefits_enrolment e JOIN sums s ON s.household_id = e.household_id
            JOIN cases_application a ON a.id = e.application_id AND a.reasons = %s""",
            [u, BENCH_REASON],
        )
        step(
            cur,
            "locked rolls (98 counties × 12 months × 3 programs)",
            """
            INSERT INTO benefits_paymentroll (county_id, month, program, status, line_count, total_amount,
                arrears_count, arrears_amount, held_count, task_id, error, created_by_id, created_at, generated_at,
                locked_at, locked_by_id)
            SELECT c.code, m::date, prog, 'locked', 0, 0, 0, 0, 0, '', '', %s, now(), now(), now(), %s
            FROM (SELECT DISTINCT substr(code, 1, 6) AS code FROM accounts_region WHERE level = 5) c
            CROSS JOIN generate_series(DATE '2025-01-01', DATE '2025-12-01', interval '1 month') m
            CROSS JOIN unnest(ARRAY['dibao', 'tekun', 'zhichu']) prog""",
            [u, u],
        )
        step(
            cur,
            "analyze",
            "ANALYZE cases_application, cases_applicationevent, benefits_enrolment, "
            "benefits_enrolmentperiod, benefits_paymentroll",
        )
        step(
            cur,
            "paying periods with their county",
            """
            CREATE TEMP TABLE paying ON COMMIT DROP AS
            SELECT p.start_month, p.end_month, p.covered_count, p.monthly_amount, p.components, e.category,
                   h.community_id, substr(h.community_id, 1, 6) AS county
            FROM benefits_enrolmentperiod p
            JOIN benefits_enrolment e ON e.id = p.enrolment_id
            JOIN cases_household h ON h.id = e.household_id
            WHERE p.superseded_at IS NULL AND (p.end_month IS NULL OR p.end_month >= DATE '2025-01-01')""",
        )
        step(
            cur,
            "roll totals per community",
            """
            INSERT INTO benefits_paymentrolltotal (roll_id, month, program, community_code, lines, persons, amount,
                arrears, dibao_subsidy, zhichu_subsidy, tekun_basic, orphan, care, disability_living,
                disability_care, adjustment, supplement)
            SELECT r.id, r.month, r.program, p.community_id, count(*), sum(p.covered_count), sum(p.monthly_amount), 0,
                   sum(COALESCE((p.components->>'dibao_subsidy')::numeric, 0)),
                   sum(COALESCE((p.components->>'zhichu_subsidy')::numeric, 0)),
                   sum(COALESCE((p.components->>'tekun_basic')::numeric, 0)), 0, 0, 0, 0, 0, 0
            FROM paying p
            JOIN benefits_paymentroll r ON r.county_id = p.county AND r.program = p.category
                 AND p.start_month <= r.month AND (p.end_month IS NULL OR p.end_month >= r.month)
            GROUP BY r.id, r.month, r.program, p.community_id""",
        )
        step(
            cur,
            "roll totals on the rolls",
            """
            UPDATE benefits_paymentroll r SET line_count = t.n, total_amount = t.amount
            FROM (SELECT roll_id, sum(lines) AS n, sum(amount) AS amount FROM benefits_paymentrolltotal
                  GROUP BY roll_id) t WHERE t.roll_id = r.id""",
        )
        for period, created in (("2025H1", "2025-01-20"), ("2025H2", "2025-07-20")):
            cur.execute(
                """
                INSERT INTO ledgers_reconciliationrun (region_id, period, status, progress, error, warnings, trigger,
                    requested_by_id, persons, households, summary, attempts, created_at, started_at, finished_at)
                VALUES ('360000', %s, 'done', 100, '', '[]', 'manual', %s, 0, 0, '{}', 1, %s, %s, %s)
                RETURNING id""",
                [period, u, created, created, created],
            )
            run = cur.fetchone()[0]
            offset = 0 if period == "2025H1" else 1
            step(
                cur,
                f"findings {period}",
                """
                INSERT INTO ledgers_finding (run_id, rule, id_number, source, extract_id, household_id, region_id, name,
                    detail, created_at)
                SELECT %s, (ARRAY['enrolled_twice','deceased_paid','moved_away','vehicles_over','houses_over',
                                  'business_over','assets_over','income_over'])[1 + (h.id / 50) %% 8],
                       p.id_number, 'ledger', NULL, h.id, h.community_id, '', '{}',
                       %s::timestamptz + ((h.id %% 100) || ' minutes')::interval
                FROM cases_household h JOIN cases_person p ON p.household_id = h.id AND p.relation = 'head'
                WHERE h.id %% 50 = %s""",
                [run, created, offset * 25],
            )
            step(
                cur,
                f"review tasks {period}",
                """
                INSERT INTO ledgers_reviewtask (finding_id, region_id, status, note, follow_up, resolved_by_id,
                    resolved_at, created_at)
                SELECT f.id, f.region_id,
                       CASE WHEN f.household_id %% 10 < 4 THEN 'confirmed' WHEN f.household_id %% 10 < 7 THEN
                            'false_alarm' ELSE 'open' END, '', '',
                       CASE WHEN f.household_id %% 10 < 7 THEN %s END,
                       CASE WHEN f.household_id %% 10 < 7 THEN f.created_at + interval '30 days' END, f.created_at
                FROM ledgers_finding f WHERE f.run_id = %s""",
                [u, run],
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"prepared in {time.perf_counter() - started:.1f} s", flush=True)


def main(argv=None) -> dict:
    args = parse_args(argv)
    use_copy(args, "reports")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Region, User
    from applications.models import Application, ApplicationEvent
    from benefits.models import Enrolment, EnrolmentPeriod, PaymentRollTotal
    from ledgers.models import Finding
    from reports import figures as reports

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    prepare()
    started = time.perf_counter()
    with connection.cursor() as cur:  # the steady state autovacuum reaches after a migration's backfill
        cur.execute(
            "VACUUM ANALYZE benefits_enrolment, benefits_enrolmentperiod, cases_household, cases_application, "
            "cases_applicationtimes, benefits_paymentrolltotal, ledgers_finding, ledgers_reviewtask"
        )
    print(f"vacuum analyze in {time.perf_counter() - started:.1f} s", flush=True)
    sizes: dict[str, int] = {}
    with connection.cursor() as cur:
        for label, model in (
            ("households", None),
            ("applications", Application),
            ("events", ApplicationEvent),
            ("enrolments", Enrolment),
            ("periods", EnrolmentPeriod),
            ("roll totals", PaymentRollTotal),
            ("findings", Finding),
        ):
            table = "cases_household" if model is None else model._meta.db_table
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            sizes[label] = cur.fetchone()[0]
    print("rows (estimate): " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)

    today = dt.date(2026, 1, 15)
    year = reports.period_from_key("2025")
    quarter = reports.period_from_key("2025Q4")
    regions = [Region.objects.get(code=c) for c in ("360000", "360100", "360102")]
    results = []
    ratios: list[float] = []
    print(f"\n{'report':<14} {'region':<8} {'period':<7} {'p50 ms':>8} {'max ms':>8}")
    for region in regions:
        for period in (year, quarter):
            for name in reports.BUILDERS:
                reports.report_build(region=region, period=period, today=today, sections=(name,))  # warm-up
                times = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    reports.report_build(region=region, period=period, today=today, sections=(name,))
                    times.append((time.perf_counter() - t0) * 1000)
                row = (name, region.code, period.key, statistics.median(times), max(times))
                results.append(row)
                print(f"{row[0]:<14} {row[1]:<8} {row[2]:<7} {row[3]:>8.0f} {row[4]:>8.0f}", flush=True)
            whole = sum(r[3] for r in results if r[1] == region.code and r[2] == period.key)
            base = floor_ms(region.code, period, args.repeats)
            ratios.append(
                result(
                    f"report {region.code} {period.key}, all sections (sum of p50s)",
                    whole,
                    base,
                    unit="ms",
                    target="none set",
                )
            )

    user = User.objects.get(username="bench-reports")
    client = Client()
    client.force_login(user)
    print(f"\n{'page':<44} {'p50 ms':>8} {'max ms':>8} {'bytes':>9}")
    for url in (
        "/ledgers/reports/yearly/?period=2025&region=360000",
        "/ledgers/reports/yearly/export.xlsx?period=2025&region=360000",
        "/ledgers/reports/quarterly/?period=2025Q4&region=360100",
        "/ledgers/reports/?from=2025-01&to=2025-12&region=360102",
    ):
        times, size = [], 0
        for i in range(args.repeats + 1):
            t0 = time.perf_counter()
            response = client.get(url)
            body = b"".join(response) if response.streaming else response.content
            if i:
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            size = len(body)
        print(f"{url:<44} {statistics.median(times):>8.0f} {max(times):>8.0f} {size:>9,}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\npeak memory {peak:.0f} MB; slowest report p50 {max(r[3] for r in results):.0f} ms, "
        f"max {max(r[4] for r in results):.0f} ms"
    )
    if args.smoke:
        print("smoke ok")
    return {"results": results, "peak_mb": peak, "ratios": ratios}


if __name__ == "__main__":
    main()
