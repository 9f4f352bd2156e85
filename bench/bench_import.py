#!/usr/bin/env python
"""The household import (issue 8, part 2): a 100,000-row ledger workbook checked and imported on PostgreSQL.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--county 360102] [--target jiekun_bench_import]
                                           [--source DB] [--fresh] [--keep FILE] [--write-only]

The target database is made once (`--fresh` drops it first): empty and migrated, or with `--source` a copy
(CREATE DATABASE … TEMPLATE) of e.g. bench/generate.py's 1,000,000-household database, so the check against
persons already registered runs against a full person table. Households left by an earlier run of this bench
are not removed: each run generates new ID numbers (a birth date range after the ones used so far).

The workbook is the template's layout (imports/workbook.py), written with common/spreadsheets.py: about 2.5 persons per
household, spread over the county's communities, one household in three a 低保 enrolment (all members covered),
incomes, property and bank accounts filled; then rewritten as Excel or WPS save a file (`excel_style`: shared
strings, blanks left out, the size declared), which is what users upload after filling the template in.
`--write-only` uploads openpyxl's write-only form as it is instead (slowest to read). Then, as the Celery task does (eager here), with the peak resident
memory of this process sampled every 20 ms:
1. upload + check (`import_upload` → `import_validate`: the limits scan, the python-calamine pass and the registered-persons
   query), leaving the batch CHECKED with its preview;
2. confirm + import (`import_confirm` → `import_execute`: the second check inside the transaction and the bulk
   inserts with their history rows and the batch's Event), one transaction.
Prints rows/s for each phase, the total and the peak memory; the target is under 2 minutes for 100,000 rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from benchlib import HOST, Peak, current_database, result  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--county", default="360102")
    parser.add_argument("--target", default="jiekun_bench_import")
    parser.add_argument(
        "--source", default="", help="copy this database as the target (default: empty + migrate)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and make the target again")
    parser.add_argument("--keep", default="", help="also save the generated workbook here")
    parser.add_argument(
        "--workbook",
        default="",
        help="upload this workbook (one --keep saved) instead of making one: the same rows run after run, "
        "with --fresh (its ID numbers would otherwise be registered already); --rows must match it",
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--write-only",
        action="store_true",
        help="upload the workbook as openpyxl's write-only mode writes it (the slowest form to read)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="300 rows on a fresh copy of DATABASE_URL's database (make bench-smoke); non-zero exit if broken",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows, args.fresh = 300, True
        args.source = current_database()
        args.target = f"{args.source}_import"
    return args


def ensure_database(target: str, source: str, fresh: bool) -> bool:
    import psycopg2

    conn = psycopg2.connect(f"{HOST}/postgres")
    conn.autocommit = True
    made = False
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target])
        if cur.fetchone() is None:
            started = time.perf_counter()
            cur.execute(f'CREATE DATABASE "{target}"' + (f' TEMPLATE "{source}"' if source else ""))
            print(
                f"made {target}{' from ' + source if source else ''} in {time.perf_counter() - started:.1f} s"
            )
            made = True
    conn.close()
    return made


def id_numbers(county: str, n: int, first_year: int, taken: set[str]):
    """n distinct valid ID numbers not in `taken`: per birth date, 500 order codes (odd: male, even: female)."""
    from common import idnumber

    day = dt.date(first_year, 1, 1)
    made = 0
    while made < n:
        for order in range(1000):
            first17 = f"{county}{day:%Y%m%d}{order:03d}"
            number = first17 + idnumber.check_char(first17)
            if number in taken:
                continue
            yield number
            made += 1
            if made >= n:
                return
        day += dt.timedelta(days=1)


def build_rows(n: int, county: str, seed: int):
    """The workbook's rows (a generator): one row per person, the household's columns on its first row."""
    from accounts.models import Region
    from households.models import Person
    from imports import workbook as importing

    rng = random.Random(seed)
    communities = list(
        Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith=county)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not communities:
        raise SystemExit(f"county {county} has no communities")
    # A birth-date range after the ones earlier runs used: new, non-colliding ID numbers every run.
    used = (
        Person.objects.filter(
            id_number__startswith=county,
            birth_date__gte=dt.date(1901, 1, 1),
            birth_date__lt=dt.date(1960, 1, 1),
        )
        .order_by("-birth_date")
        .first()
    )
    first_year = used.birth_date.year + 1 if used else 1901
    # bench/generate.py's persons are born on any date: skip the numbers already registered.
    taken = set(Person.objects.filter(id_number__startswith=county).values_list("id_number", flat=True))
    numbers = id_numbers(county, n, first_year, taken)
    keys = [c.key for c in importing.COLUMNS]
    relations = ["配偶", "子女", "子女", "父母", "孙子女"]
    written, household = 0, 0
    while written < n:
        household += 1
        size = min(n - written, rng.choice((1, 1, 2, 2, 3, 3, 4, 5)))
        enrolled = household % 3 == 0
        for i in range(size):
            values = {
                "key": f"B{seed}-{household}",
                "name": f"成员{household}-{i}",
                "id_number": next(numbers),
                "relation": "户主" if i == 0 else relations[i - 1],
                "labor_capacity": rng.choice(("有劳动能力", "部分劳动能力", "无劳动能力")),
                "income_wage": f"{rng.randint(0, 1500)}.{rng.randint(0, 99):02d}",
                "income_transfer": "120",
                "disability_grade": rng.choice(("", "", "", "二级")),
            }
            if i == 0:
                values |= {
                    "community": rng.choice(communities),
                    "address": f"基准路{household}号",
                    "phone": "13800000000",
                    "housing": "自有住房",
                    "bank_name": "农业银行",
                    "bank_account": f"62284800{household:011d}",
                    "financial_assets": "1000",
                    "vehicles": "0",
                    "houses": "1",
                    "business": "否",
                    "monthly_rigid_expenditure": "0",
                }
                if enrolled:
                    values |= {
                        "category": "低保",
                        "monthly_amount": f"{rng.randint(100, 900)}.00",
                        "start_month": "2025-01",
                    }
            if enrolled:
                values["covered"] = "是"
            yield [values.get(k, "") for k in keys]
            written += 1


_INLINE = re.compile(
    r'<c r="([A-Z]+)(\d+)"((?: s="\d+")?) t="inlineStr"(?: />|><is><t(?: [^>]*)?>(.*?)</t></is></c>)'
)


def excel_style(source: Path, target: Path) -> None:
    """Rewrite a workbook written by openpyxl's write-only mode (common/spreadsheets.py) as Excel or WPS save it:
    text in a shared-string table, blank cells left out, the sheet's size declared in <dimension>. Those are
    the files users upload after filling the template in; the write-only form (inline strings, every blank a
    cell, no size, so openpyxl reads the whole sheet once more to size it) is the slowest to read."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        strings: dict[str, int] = {}
        last = ["A", "1"]

        def cell(m: re.Match) -> str:
            column, row, style, text = m.group(1), m.group(2), m.group(3), m.group(4)
            if not text:
                return ""
            if column > last[0] and len(column) >= len(last[0]) or len(column) > len(last[0]):
                last[0] = column
            last[1] = row
            index = strings.setdefault(text, len(strings))
            return f'<c r="{column}{row}"{style} t="s"><v>{index}</v></c>'

        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = _INLINE.sub(cell, data.decode("utf-8"))
                xml = xml.replace("<sheetPr>", "<sheetPr>", 1)
                head, tail = xml.split("<sheetViews>", 1)
                data = f'{head}<dimension ref="A1:{last[0]}{last[1]}" /><sheetViews>{tail}'.encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml" '
                    b'Id="rIdSST" /></Relationships>',
                )
            zout.writestr(item, data)
        body = "".join(f"<si><t>{text}</t></si>" for text in strings)
        zout.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            f' count="{len(strings)}" uniqueCount="{len(strings)}">{body}</sst>',
        )


def main(argv=None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    made = ensure_database(args.target, args.source, args.fresh)
    os.environ["DATABASE_URL"] = f"{HOST}/{args.target}"
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.pop("REDIS_URL", None)  # the Celery task runs eagerly in this process
    os.environ.setdefault("CONN_MAX_AGE", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    media = tempfile.mkdtemp(prefix="bench-import-")
    os.environ["MEDIA_ROOT"] = media
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # a new database, or a copy that predates this branch's migrations
    if made:
        print(f"migrated in {time.perf_counter() - started:.1f} s")

    from django.conf import settings

    settings.MEDIA_ROOT = media
    from accounts.models import Event, User
    from households.models import Household, Person
    from imports import services as imports
    from imports.models import ImportBatch

    user, _ = User.objects.get_or_create(
        username=f"bench-import-{args.county}",
        defaults={"role": "county", "region_id": args.county, "full_name": "基准"},
    )
    started = time.perf_counter()
    path = Path(args.workbook) if args.workbook else make_workbook(args, media)
    if args.keep:
        Path(args.keep).write_bytes(path.read_bytes())
    print(
        f"workbook: {args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MB "
        f"({'write-only form: inline strings, no size' if args.write_only else 'as Excel saves it'}), "
        f"{'given' if args.workbook else 'made'} in {time.perf_counter() - started:.1f} s"
    )
    persons_before = Person.objects.count()
    households_before = Household.objects.count()
    last_household = Household.objects.order_by("-id").values_list("id", flat=True).first() or 0

    with Peak() as check:
        with open(path, "rb") as f:
            batch = imports.import_upload(acting_user=user, file=f, original_name="基准台账.xlsx")
        batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED:
        print("refused:", batch.status, batch.error, [i.text for i in batch.issues.all()[:10]])
        raise SystemExit(1)
    print(
        f"check:   {check.seconds:6.1f} s  {args.rows / check.seconds:8,.0f} rows/s  peak {check.peak:6.1f} MB  "
        f"CPU {check.cpu:5.1f} s  "
        f"(process before: {check.start:.1f} MB) "
        f"({batch.households:,} households, {batch.persons:,} persons, {batch.enrolments:,} enrolments)"
    )

    with Peak() as write:
        imports.import_confirm(acting_user=user, batch=batch)
        batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status != ImportBatch.Status.DONE:
        print("import failed:", batch.status, batch.error)
        raise SystemExit(1)
    print(
        f"import:  {write.seconds:6.1f} s  {args.rows / write.seconds:8,.0f} rows/s  peak {write.peak:6.1f} MB  "
        f"CPU {write.cpu:5.1f} s (this process; the database's is apart)  "
        f"(second check inside the transaction + bulk inserts with history)"
    )
    total = check.seconds + write.seconds
    print(
        f"total:   {total:6.1f} s  {args.rows / total:8,.0f} rows/s  peak {max(check.peak, write.peak):6.1f} MB  "
        f"(target under 120 s)"
    )
    assert Person.objects.count() - persons_before == batch.persons == args.rows
    assert Household.objects.count() - households_before == batch.households
    event = (
        Event.objects.filter(target_type="imports.importbatch", target_id=str(batch.pk))
        .order_by("-id")
        .first()
    )
    print(f"event:   {event.verb}; persons in database: {Person.objects.count():,}")

    floor_seconds = copy_floor(last_household)
    print(
        f"floor:   {floor_seconds:6.1f} s  {args.rows / floor_seconds:8,.0f} rows/s  "
        f"(COPY of the same {batch.households:,} household and {batch.persons:,} person rows into tables "
        "of the same shape with their indexes)"
    )
    result(f"Excel import of {args.rows:,} rows (check + import)", total, floor_seconds, target="≤ 4×")
    peak = max(check.peak, write.peak)
    print(f"peak memory: {peak:.1f} MB (target < 200 MB at 100 k rows)")
    if args.smoke:
        print("smoke ok")


def make_workbook(args, media: str) -> Path:
    """The generated ledger, as Excel saves it (or in openpyxl's write-only form with --write-only)."""
    from common.spreadsheets import Sheet, write_workbook
    from imports import workbook as importing

    raw = Path(media) / "write-only.xlsx"
    write_workbook(
        [
            Sheet(
                importing.DATA_SHEET,
                [c.label for c in importing.COLUMNS],
                build_rows(args.rows, args.county, args.seed),
            )
        ],
        str(raw),
    )
    if args.write_only:
        return raw
    path = Path(media) / "ledger.xlsx"
    excel_style(raw, path)
    return path


def copy_floor(after_household: int) -> float:
    """The floor: the households and persons the import just wrote, COPYed out (untimed) and then COPYed (timed)
    into empty tables of the same shape with the same indexes and defaults, in a transaction rolled back."""
    import io

    from django.db import connection, transaction

    from households.models import Household, Person

    tables = []
    with connection.cursor() as cursor:
        for model, where in (
            (Household, f"id > {int(after_household)}"),
            (Person, f"household_id > {int(after_household)}"),
        ):
            table = model._meta.db_table
            data = io.StringIO()
            cursor.cursor.copy_expert(f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT", data)
            data.seek(0)
            tables.append((table, data))
    with transaction.atomic(), connection.cursor() as cursor:
        for table, _ in tables:
            cursor.execute(f"CREATE TEMP TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        for table, data in tables:
            cursor.cursor.copy_expert(f"COPY floor_{table} FROM STDIN", data, size=1 << 20)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


if __name__ == "__main__":
    main()
