#!/usr/bin/env python
"""Reconciliation at provincial scale: 1,000,000 enrolled persons × 8 department extracts of 1,000,000 rows.

    SECRET_KEY=bench REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/bench_reconcile.py \
        [--source jiekun_bench] [--target jiekun_bench_reconcile] [--fresh] \
        [--persons 1000000] [--rows 1000000] [--workers 2] [--eager] [--smoke]

Works on a copy (`--target`, made once from `--source`, bench/generate.py's population).

Three phases, then the floor; only the third is the product's timed figure:

1. **prepare** (once; skipped when done): `migrate`, a 2025 province standard with property limits, a bench
   officer, and enrolments — whole households in id order until `--persons` persons are covered (dibao),
   plus a second (tekun) enrolment for the head of every 500th of them (the "enrolled twice" rule). All
   set-based SQL (INSERT … SELECT).
2. **extracts** (once per --rows/--seed; cached in --data): eight CSV files drawn from the population —
   户籍死亡, 户籍迁出, 机动车, 市场主体, 不动产, 个税收入, 金融资产 and 医保's subsidised-premium ledger — each
   exactly --rows rows, a small share of them about enrolled persons (the hits), the rest about other
   persons of the population or unknown people, and one bad row in 10,000 (a wrong check digit).
3. **timed, end to end, through the product**: the ledger tables are emptied; the eight files are uploaded
   with `extract_upload` (mode lenient: the bad rows are reported, the good ones loaded) and processed by
   real Celery workers (`--workers` processes, prefork, against REDIS_URL) — streaming validation, then
   COPY; then a province-wide `run_start`, executed by the same workers (snapshot, one task per rule,
   close). `--eager` runs everything in this process instead (one core).

4. **floor**, in the same run, untimed by the product: each file COPYed as it is into a fresh table, indexed on
   the ID number, then one set-based join per extract against the enrolled persons (`floor`); the ratio of the
   product's end-to-end time to the floor's is the result (target ≤ 1.5×).

`--smoke`: a fresh copy of DATABASE_URL's database, 1,000 enrolled persons, 2,000-row files, eager; exits non-zero
unless every file loads and the run finds the floor's deceased persons.

Reported: rows/s of the loads (validation + COPY, per extract and overall wall time), the run's time and its
steps, findings by rule, total wall time, and peak memory (VmHWM) of every worker process and of this
process — memory stays flat because nothing but the current row (validation) and small aggregates (the
run) ever reaches Python.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from benchlib import add_database_arguments, result, use_copy  # noqa: E402

PERIOD = "2025H2"
YEAR = 2025
KINDS = [  # file name, kind, program
    ("death", "death", ""),
    ("move", "move", ""),
    ("vehicle", "vehicle", ""),
    ("business", "business", ""),
    ("real_estate", "real_estate", ""),
    ("tax_income", "tax_income", ""),
    ("financial", "financial", ""),
    ("medical_premium", "benefit", "medical_premium"),
]
W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def log(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# --- 1. prepare ----------------------------------------------------------------------------------


def _insert_select(model, explicit: dict[str, str], source: str) -> str:
    """INSERT INTO model's table every concrete column: `explicit` SQL expressions, other columns at their
    Python default (as a literal), NULL, or '' — so the statement follows the model as it changes."""
    import datetime as dt

    from django.db import connection

    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in explicit:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.attname in explicit:
            values.append(explicit[f.attname])
            continue
        value = f.get_default() if f.has_default() else (None if f.null else "")
        if isinstance(value, dt.datetime):
            values.append("now()")
        elif value is None:
            values.append("NULL")
        elif isinstance(value, bool):
            values.append("TRUE" if value else "FALSE")
        elif isinstance(value, int | float):
            values.append(str(value))
        elif isinstance(value, dict | list):
            values.append("'" + json.dumps(value).replace("'", "''") + "'")
        else:
            values.append("'" + str(value).replace("'", "''") + "'")
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} {source}"


def prepare(persons: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import User
    from applications.models import Application
    from benefits.models import Enrolment, EnrolmentMember
    from eligibility.models import Standard

    log("migrate")
    call_command("migrate", verbosity=0)
    Standard.objects.update_or_create(
        region_id="360000",
        year=YEAR,
        defaults={
            "dibao": 700,
            "tekun": 910,
            "zhichu_multiplier": "1.5",
            "property_months": 24,
            "property_vehicles": 0,
            "property_houses": 1,
            "property_business_allowed": False,
            "source": "bench_reconcile",
        },
    )
    officer, _ = User.objects.get_or_create(
        username="bench-province", defaults={"role": "province", "region_id": "360000", "full_name": "基准"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM benefits_enrolmentmember")
        covered = cursor.fetchone()[0]
    if covered >= persons:
        log(f"enrolments present: {covered:,} covered persons")
        return {"officer": officer.pk}
    log(f"enrolling households until {persons:,} persons are covered")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """SELECT household_id FROM (
              SELECT household_id, SUM(COUNT(*)) OVER (ORDER BY household_id) AS running
              FROM cases_person GROUP BY household_id) t WHERE running >= %s ORDER BY household_id LIMIT 1""",
            [persons],
        )
        last = cursor.fetchone()[0]
        user = officer.pk
        cursor.execute(
            _insert_select(
                Application,
                {
                    "household_id": "h.id",
                    "category": "'dibao'",
                    "reasons": "'bench'",
                    "status": "'approved'",
                    "received_on": "'2025-01-05'",
                    "created_by_id": str(user),
                    "proposed_category": "'dibao'",
                },
                f"FROM cases_household h WHERE h.id <= {int(last)} ORDER BY h.id",
            )
        )
        cursor.execute(
            _insert_select(
                Enrolment,
                {
                    "household_id": "a.household_id",
                    "application_id": "a.id",
                    "category": "'dibao'",
                    "monthly_amount": "300",
                    "start_month": "'2025-02-01'",
                    "status": "'active'",
                    "created_by_id": str(user),
                    "community_code": "h.community_id",
                },
                "FROM cases_application a JOIN cases_household h ON h.id = a.household_id WHERE a.reasons = 'bench'",
            )
        )
        cursor.execute(
            _insert_select(
                EnrolmentMember,
                {
                    "enrolment_id": "e.id",
                    "person_id": "p.id",
                    "category": "'dibao'",
                },
                "FROM benefits_enrolment e JOIN cases_person p ON p.household_id = e.household_id "
                "WHERE e.category = 'dibao'",
            )
        )
        # Every 500th household's head is also enrolled as tekun on their own: covered twice.
        cursor.execute(
            _insert_select(
                Application,
                {
                    "household_id": "h.id",
                    "category": "'tekun'",
                    "reasons": "'bench-twice'",
                    "status": "'approved'",
                    "received_on": "'2025-01-05'",
                    "created_by_id": str(user),
                    "proposed_category": "'tekun'",
                },
                f"FROM cases_household h WHERE h.id <= {int(last)} AND h.id % 500 = 0 ORDER BY h.id",
            )
        )
        cursor.execute(
            _insert_select(
                Enrolment,
                {
                    "household_id": "a.household_id",
                    "application_id": "a.id",
                    "category": "'tekun'",
                    "monthly_amount": "910",
                    "start_month": "'2025-02-01'",
                    "status": "'active'",
                    "created_by_id": str(user),
                    "community_code": "h.community_id",
                },
                "FROM cases_application a JOIN cases_household h ON h.id = a.household_id WHERE a.reasons = 'bench-twice'",
            )
        )
        cursor.execute(
            _insert_select(
                EnrolmentMember,
                {
                    "enrolment_id": "e.id",
                    "person_id": "p.id",
                    "category": "'tekun'",
                },
                "FROM benefits_enrolment e JOIN cases_person p ON p.household_id = e.household_id AND p.relation = 'head' "
                "WHERE e.category = 'tekun'",
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_application, benefits_enrolment, benefits_enrolmentmember")
        cursor.execute("SELECT count(DISTINCT person_id), count(*) FROM benefits_enrolmentmember")
        distinct, rows = cursor.fetchone()
    log(
        f"enrolled {distinct:,} persons ({rows:,} coverage rows) in households 1–{last:,} "
        f"in {time.perf_counter() - started:.1f}s"
    )
    return {"officer": officer.pk}


# --- 2. extract files ----------------------------------------------------------------------------


def _valid_id(rng: random.Random, county: str = "110101") -> str:
    first = f"{county}{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + CHECK[sum(int(c) * w for c, w in zip(first, W, strict=True)) % 11]


def _bad_id(good: str) -> str:
    return good[:17] + ("0" if good[17] != "0" else "1")


def generate_files(data: Path, rows: int, seed: int) -> dict[str, Path]:
    """The eight CSV files; reused when a manifest with the same parameters is there."""
    from django.db import connection

    data.mkdir(parents=True, exist_ok=True)
    manifest = data / "manifest.json"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM benefits_enrolmentmember")
        covered = cursor.fetchone()[0]
    wanted = {"rows": rows, "seed": seed, "covered": covered, "version": 4}
    files = {name: data / f"{name}.csv" for name, _, _ in KINDS}
    if (
        manifest.exists()
        and json.loads(manifest.read_text()) == wanted
        and all(p.exists() for p in files.values())
    ):
        log(f"extract files reused from {data}")
        return files
    log("reading the population (enrolled and other persons)")
    started = time.perf_counter()
    enrolled: list[str] = []  # id numbers of covered persons, by household
    households: list[list[str]] = []
    others: list[str] = []
    from django.db import transaction

    with transaction.atomic(), connection.connection.cursor(name="bench_people") as cursor:
        cursor.itersize = 50_000
        cursor.execute("""SELECT p.id_number, p.household_id, EXISTS (SELECT 1 FROM benefits_enrolmentmember em
                          WHERE em.person_id = p.id) FROM cases_person p ORDER BY p.household_id, p.id""")
        current = None
        for id_number, household, covered_flag in cursor:
            if covered_flag:
                if household != current:
                    households.append([])
                    current = household
                households[-1].append(id_number)
                enrolled.append(id_number)
            else:
                others.append(id_number)
    log(
        f"{len(enrolled):,} enrolled, {len(others):,} others, {len(households):,} enrolled households "
        f"({time.perf_counter() - started:.1f}s)"
    )
    rng = random.Random(seed)
    regions = ["360102", "360103", "360111", "360402", "360702", "361002"]

    def write(name: str, header: list[str], hits: list[list], filler) -> None:
        path = files[name]
        hits = hits[:rows]
        need = rows - len(hits)
        pool = rng.sample(others, min(need, len(others)))
        body = hits + [filler(i, pool[i] if i < len(pool) else _valid_id(rng)) for i in range(need)]
        rng.shuffle(body)
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(",".join(header) + "\n")
            for i, row in enumerate(body):
                if i % 10_000 == 5_000:
                    row = [_bad_id(row[0]), *row[1:]]
                out.write(",".join(str(v) for v in row) + "\n")
        log(f"  {name}: {rows:,} rows ({len(hits):,} about enrolled persons)")

    # The shares below are of the enrolled persons, for files as long as there are enrolled persons.
    scale = min(1.0, rows / max(len(enrolled), 1))

    def some(seq, share):
        return rng.sample(seq, int(len(seq) * share * scale))

    write(
        "death",
        ["身份证号码", "姓名", "死亡日期"],
        [[i, "", f"2025-{rng.randint(7, 12):02d}-{rng.randint(1, 28):02d}"] for i in some(enrolled, 0.002)],
        lambda n, i: [i, "", f"{rng.randint(2010, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
    )
    write(
        "move",
        ["身份证号码", "姓名", "迁出日期", "迁入地区划代码"],
        [[i, "", "2025-09-01", rng.choice(["440300", "330102", "360103"])] for i in some(enrolled, 0.004)],
        lambda n, i: [i, "", f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-01", rng.choice(regions)],
    )
    write(
        "vehicle",
        ["身份证号码", "姓名", "号牌号码"],
        [[rng.choice(h), "", f"赣H{k:06d}"] for k, h in enumerate(some(households, 0.01))],
        lambda n, i: [i, "", f"赣A{n:07d}"],
    )
    write(
        "business",
        ["身份证号码", "姓名", "统一社会信用代码", "登记状态"],
        [
            [rng.choice(h), "", f"92360100MB{k:08d}", rng.choice(["存续", "注销"])]
            for k, h in enumerate(some(households, 0.006))
        ],
        lambda n, i: [i, "", f"91360100MA{n:08d}", "存续"],
    )
    houses = []
    for k, h in enumerate(some(households, 0.3)):
        houses.append([h[0], "", f"赣(2020)不动产权第{k:08d}号"])
        if k % 100 == 0:
            houses.append([h[-1], "", f"赣(2021)不动产权第{k:08d}号"])
    write(
        "real_estate",
        ["身份证号码", "姓名", "不动产权证号"],
        houses,
        lambda n, i: [i, "", f"赣(2019)不动产权第{n:09d}号"],
    )
    write(
        "tax_income",
        ["身份证号码", "姓名", "月均收入（元）"],
        [[i, "", rng.randint(0, 250)] for i in some(enrolled, 0.2)]
        + [[i, "", rng.randint(3000, 9000)] for i in some(enrolled, 0.005)],
        lambda n, i: [i, "", rng.randint(2000, 20000)],
    )
    write(
        "financial",
        ["身份证号码", "姓名", "余额（元）"],
        [[i, "", f"{rng.randint(0, 5000)}.{rng.randint(0, 99):02d}"] for i in some(enrolled, 0.3)]
        + [[i, "", rng.randint(80_000, 400_000)] for i in some(enrolled, 0.003)],
        lambda n, i: [i, "", rng.randint(0, 500_000)],
    )
    premium = [[i, "", "380"] for i in rng.sample(enrolled, min(len(enrolled), rows - rows // 100))]
    write("medical_premium", ["身份证号码", "姓名", "资助金额（元）"], premium, lambda n, i: [i, "", "380"])
    manifest.write_text(json.dumps(wanted))
    log(f"extract files written in {time.perf_counter() - started:.1f}s")
    return files


# --- the floor -----------------------------------------------------------------------------------

# One set-based statement per extract, on the live tables: the enrolled persons (active enrolments) the file
# names, the households over a limit of distinct items, or (for a department's own benefit ledger) the
# persons in one list and not the other.
_ENROLLED = """cases_person p JOIN benefits_enrolmentmember em ON em.person_id = p.id
  JOIN benefits_enrolment en ON en.id = em.enrolment_id AND en.status = 'active'"""
FLOOR_JOINS = {
    "person": f"""INSERT INTO floor_hit SELECT %s, x.id_number, min(p.household_id) FROM floor_x x
  JOIN {_ENROLLED} ON p.id_number = x.id_number GROUP BY x.id_number""",
    "household": f"""INSERT INTO floor_hit SELECT %s, min(p.id_number), p.household_id FROM floor_x x
  JOIN {_ENROLLED} ON p.id_number = x.id_number GROUP BY p.household_id HAVING count(DISTINCT x.c3) > {{limit}}""",
    "ledger": f"""INSERT INTO floor_hit SELECT %s, coalesce(x.id_number, e.id_number), e.household_id FROM floor_x x
  FULL JOIN (SELECT DISTINCT p.id_number, p.household_id FROM {_ENROLLED}) e ON e.id_number = x.id_number
  WHERE x.id_number IS NULL OR e.id_number IS NULL""",
}
FLOOR_SHAPE = {  # extract → (join, limit of distinct items a household may hold)
    "death": ("person", 0),
    "move": ("person", 0),
    "tax_income": ("person", 0),
    "financial": ("person", 0),
    "vehicle": ("household", 0),
    "business": ("household", 0),
    "real_estate": ("household", 1),
    "medical_premium": ("ledger", 0),
}


def floor(files: dict[str, Path]) -> dict:
    """The same work done the plainest fast way, in this process on one connection: each file COPYed as it is
    into a fresh table, indexed on the ID number, then one join against the enrolled persons. Rolled back."""
    from django.db import connection, transaction

    started = time.perf_counter()
    per: dict[str, dict] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute("CREATE TEMP TABLE floor_hit (extract text, id_number text, household_id bigint)")
        for name, _, _ in KINDS:
            t0 = time.perf_counter()
            cursor.execute("DROP TABLE IF EXISTS floor_x")
            cursor.execute("CREATE TEMP TABLE floor_x (id_number text, c2 text, c3 text, c4 text)")
            with open(files[name], encoding="utf-8") as f:
                columns = len(f.readline().split(","))
                f.seek(0)
                raw.copy_expert(
                    f"COPY floor_x ({', '.join(['id_number', 'c2', 'c3', 'c4'][:columns])}) "
                    "FROM STDIN WITH (FORMAT csv, HEADER true)",
                    f,
                    size=1 << 20,
                )
            cursor.execute("CREATE INDEX ON floor_x (id_number)")
            cursor.execute("ANALYZE floor_x")
            t1 = time.perf_counter()
            shape, limit = FLOOR_SHAPE[name]
            cursor.execute(FLOOR_JOINS[shape].format(limit=limit), [name])
            per[name] = {
                "hits": cursor.rowcount,
                "load_s": round(t1 - t0, 2),
                "join_s": round(time.perf_counter() - t1, 2),
            }
        transaction.set_rollback(True)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "extracts": per}


# --- 3. the timed run ----------------------------------------------------------------------------


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    try:
        out = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in out]


class Workers:
    def __init__(self, n: int, log_path: Path):
        self.log_path = log_path
        env = {**os.environ, "CONN_MAX_AGE": "0"}
        with open(log_path, "wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=INFO",
                    f"--concurrency={n}",
                    "--pool=prefork",
                    "-n",
                    f"bench-{os.getpid()}@%h",
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while b" ready." not in log_path.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        self.peaks: dict[int, float] = {}

    def sample(self) -> None:
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            mb = _vm_hwm_mb(pid)
            if mb is not None:
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), mb)

    def stop(self) -> None:
        self.sample()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def timed(files: dict[str, Path], officer_pk: int, workers: int, eager: bool) -> dict:
    from django.db import connection

    from accounts.models import User
    from config.celery import app
    from ledgers.models import Extract, ReconciliationRun, RunStep
    from ledgers.services import extract_upload, run_start

    officer = User.objects.get(pk=officer_pk)
    with connection.cursor() as cursor:
        log("emptying the ledger tables")
        cursor.execute(
            "TRUNCATE ledgers_extractrow, ledgers_extracterror, ledgers_reviewtask, "
            "ledgers_historicalreviewtask, ledgers_finding, ledgers_runstep, ledgers_ledgerentry, "
            "ledgers_ledgerhousehold, ledgers_runlimit, ledgers_reconciliationrun_extracts, "
            "ledgers_reconciliationrun, ledgers_extract CASCADE"
        )
    pool = None
    if eager:
        app.conf.task_always_eager = True
    else:
        app.control.purge()
        pool = Workers(workers, Path(tempfile.gettempdir()) / "bench_reconcile_worker.log")

    def wait(predicate, what: str, timeout: float = 1800):
        deadline = time.monotonic() + timeout
        while not predicate():
            if pool:
                pool.sample()
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            time.sleep(0.25)

    try:
        log("timed phase: upload and load eight extracts")
        t0 = time.perf_counter()
        ids = []
        for name, kind, program in KINDS:
            with open(files[name], "rb") as f:
                e = extract_upload(
                    principal=officer,
                    file=f,
                    original_name=f"{name}.csv",
                    kind=kind,
                    program=program,
                    period=PERIOD,
                    mode="lenient",
                )
            ids.append(e.pk)
        done_states = ("loaded", "rejected", "failed")
        wait(
            lambda: Extract.objects.filter(pk__in=ids, status__in=done_states).count() == len(ids),
            "the loads",
        )
        t_loaded = time.perf_counter()
        extracts = list(Extract.objects.filter(pk__in=ids).order_by("id"))
        bad = [e for e in extracts if e.status != "loaded"]
        if bad:
            raise SystemExit(f"extracts not loaded: {[(e.pk, e.status, e.error) for e in bad]}")
        log(f"loads done in {t_loaded - t0:.1f}s; starting the province-wide run")
        from accounts.models import Region

        run = run_start(acting_user=officer, region=Region.objects.get(code="360000"), period=PERIOD)
        wait(
            lambda: ReconciliationRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).exists(),
            "the run",
        )
        t_done = time.perf_counter()
        run.refresh_from_db()
        if run.status != "done":
            raise SystemExit(f"run failed: {run.error}")
    finally:
        if pool:
            pool.stop()
    rows = sum(e.rows_total for e in extracts)
    steps = {
        s.step: {"rows": s.rows, "seconds": s.seconds, "skipped": s.skipped}
        for s in RunStep.objects.filter(run=run).order_by("id")
    }
    return {
        "extracts": [
            {
                "kind": e.kind_label,
                "rows": e.rows_total,
                "bad": e.rows_bad,
                "loaded": e.rows_loaded,
                "check_and_copy_s": e.validate_seconds,  # one streamed pass (extract_check_and_load)
                "rows_per_s": round(e.rows_total / (e.validate_seconds or 1)),
            }
            for e in extracts
        ],
        "rows_loaded": sum(e.rows_loaded for e in extracts),
        "load_wall_s": round(t_loaded - t0, 1),
        "load_rows_per_s": round(rows / (t_loaded - t0)),
        "run_wall_s": round(t_done - t_loaded, 1),
        "run_db_s": round((run.finished_at - run.started_at).total_seconds(), 1),
        "end_to_end_s": round(t_done - t0, 1),
        "persons": run.persons,
        "households": run.households,
        "findings": run.summary,
        "findings_total": run.findings_total,
        "warnings": run.warnings,
        "steps": steps,
        "worker_peak_mb": {str(pid): round(mb, 1) for pid, mb in sorted(pool.peaks.items())} if pool else {},
        "this_process_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "workers": 0 if eager else workers,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, source="jiekun_bench", target="jiekun_bench_reconcile")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per extract file")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (prefork)")
    parser.add_argument("--eager", action="store_true", help="run the tasks in this process instead")
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "jiekun_bench_reconcile"))
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.persons, args.rows, args.eager = 1000, 2000, True
        args.data = tempfile.mkdtemp(prefix="bench-reconcile-smoke-")
    if not args.eager and not os.environ.get("REDIS_URL"):
        parser.error("set REDIS_URL (real Celery workers) or pass --eager")
    use_copy(args, "reconcile")
    os.environ.setdefault("MEDIA_ROOT", str(Path(args.data) / "media"))
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        parser.error("the bench needs PostgreSQL (DATABASE_URL)")
    prepared = prepare(args.persons)
    files = generate_files(Path(args.data), args.rows, args.seed)
    if args.prepare_only:
        return {}
    stats = timed(files, prepared["officer"], args.workers, args.eager)
    log("floor: COPY + index + one join per extract")
    stats["floor"] = floor(files)
    stats["database"] = connection.settings_dict["NAME"]
    print(json.dumps(stats, ensure_ascii=False, indent=1))
    ratio = result(
        f"reconciliation of 8 extracts × {args.rows:,} rows ({'eager, 1 process' if args.eager else f'{args.workers} workers'})",
        stats["end_to_end_s"],
        stats["floor"]["seconds"],
        target="≤ 1.5×",
    )
    stats["ratio"] = round(ratio, 2)
    peaks = [stats["this_process_peak_mb"], *stats["worker_peak_mb"].values()]
    print(
        f"peak memory: {max(peaks):.1f} MB (this process {stats['this_process_peak_mb']} MB; workers {stats['worker_peak_mb']})"
    )
    if args.smoke:
        smoke_check(stats, args.rows)
    return stats


def smoke_check(stats: dict, rows: int) -> None:
    """Exit non-zero unless every extract loaded its good rows and the run found what the floor found."""
    problems = []
    for e in stats["extracts"]:
        if e["rows"] != rows or e["loaded"] + e["bad"] != rows:
            problems.append(f"{e['kind']}: {e['rows']} rows, {e['loaded']} loaded, {e['bad']} bad")
    deceased = stats["findings"].get("deceased_paid", 0)
    if deceased == 0 or deceased != stats["floor"]["extracts"]["death"]["hits"]:
        problems.append(f"deceased_paid {deceased} ≠ floor {stats['floor']['extracts']['death']['hits']}")
    if problems:
        raise SystemExit("smoke failed: " + "; ".join(problems))
    print("smoke ok")


if __name__ == "__main__":
    main()
