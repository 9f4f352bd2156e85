"""The bank CSV of a payment roll written by PostgreSQL: `COPY (SELECT …) TO STDOUT WITH CSV`, streamed.

The same bytes as the Python path (benefits.exports.python_csv_chunks through common.spreadsheets.csv_chunks; a
test compares them on one roll): the BOM and the header row from the Python writer, then the paid lines (held
lines are not exported) in line order as PostgreSQL writes them — 序号 numbered in SQL, ID numbers masked in SQL
exactly as common.idnumber.mask unless the caller may see them in full, every text cell through
common.spreadsheets.csv_text_sql (formula-looking text gets an apostrophe, long digit strings a tab), money with
two decimals, the month as yyyy-mm, 冲正/更正 lines labelled like any other kind — and the totals row from the
Python writer (count and sum in one aggregate query).

Memory stays flat: the lines are cut into statements of at most `BATCH` lines (id ranges found first by one
aggregate, `plan`) and each statement's output is handed out before the next one runs. A roll is exported only
once locked, and a locked roll's lines never change, so the statements see one roll.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db import connection

from benefits.exports import COMPONENTS, HEADER, KIND_LABELS, totals_row
from benefits.models import PaymentLine, PaymentRoll
from common.spreadsheets import (
    FORMULA_START,
    copy_csv,
    csv_chunks,
    csv_lines,
    csv_text,
    csv_text_sql,
    money_sql,
)

BATCH = 100_000  # lines per COPY statement at most: about 13 MB of CSV held at a time (twice during _crlf)


def masked_sql(column: str) -> str:
    """common.idnumber.mask in SQL: the first four and last four characters, stars between (all stars when
    there are 8 characters or fewer)."""
    return (
        f"CASE WHEN length({column}) <= 8 THEN repeat('*', length({column}))"
        f" ELSE left({column}, 4) || repeat('*', length({column}) - 8) || right({column}, 4) END"
    )


def kind_label_sql(text=lambda label: label, other: str = "l.kind") -> tuple[str, list[str]]:
    """SQL (and its parameters) giving the label of the line's kind, as KIND_LABELS: `text(label)` for a known
    kind, the SQL `other` for any other."""
    cases = " ".join("WHEN %s THEN %s" for _ in KIND_LABELS)
    params = [v for kind, label in KIND_LABELS.items() for v in (kind, text(label))]
    return f"CASE l.kind {cases} ELSE {other} END", params


def masked_csv_sql(column: str) -> str:
    """csv_text of common.idnumber.mask in SQL, the masked text computed once: a masked number is never a long
    digit string (stars in the middle; all stars up to 8 characters), so only its first character (the number's)
    can ask for an apostrophe."""
    formula = ", ".join(str(ord(c)) for c in FORMULA_START)
    return (
        f"CASE WHEN length({column}) <= 8 THEN NULLIF(repeat('*', length({column})), '')"
        f" ELSE CASE WHEN ascii({column}) IN ({formula}) THEN chr(39) ELSE '' END"
        f" || left({column}, 4) || repeat('*', length({column}) - 8) || right({column}, 4) END"
    )


def lines_query(*, full_ids: bool, roll_id: int, before: int, after: int, last: int) -> tuple[str, list]:
    """The SELECT of the paid lines of roll `roll_id` with after < id <= last, numbered from before + 1. One level:
    the window and the result are ordered alike, so PostgreSQL sorts once. The known kinds' labels are formatted in
    Python (fixed texts) and the masked ID number in one expression (masked_csv_sql), so no cell is computed
    twice."""
    table = PaymentLine._meta.db_table
    kind, kind_params = kind_label_sql(csv_text, csv_text_sql("l.kind"))
    number = csv_text_sql("l.id_number") if full_ids else masked_csv_sql("l.id_number")
    parts = ", ".join(money_sql("l.components ->> %s") for _ in COMPONENTS)
    text = {
        c: csv_text_sql(c) for c in ("l.community_code", "l.name", "l.bank_name", "l.bank_account", "l.label")
    }
    query = f"""
        SELECT row_number() OVER (ORDER BY l.id) + %s, {text["l.community_code"]}, {text["l.name"]},
               {number}, {text["l.bank_name"]}, {text["l.bank_account"]}, NULLIF(l.covered_count, 0),
               to_char(l.month, 'YYYY-MM'), {kind}, {text["l.label"]}, {parts}, {money_sql("l.amount")}
        FROM {table} l
        WHERE l.roll_id = %s AND NOT l.held AND l.id > %s AND l.id <= %s
        ORDER BY l.id"""
    # parameters in the order they appear in the text
    return query, [before, *kind_params, *COMPONENTS, roll_id, after, last]


def plan(roll: PaymentRoll, batch: int) -> tuple[int, Decimal, list[tuple[int, int, int]]]:
    """(paid lines, their total, the statements: (lines before, after id, last id) each). One plain aggregate
    (no sort) gives the count, total and id range; a roll of up to `batch` lines is one statement. A longer one
    is hashed by id into ranges `batch` ids wide (a range holds at most `batch` lines: ids are unique) and
    consecutive ranges are joined while they hold `batch` lines or fewer, so a roll whose ids are contiguous
    takes about count / batch statements. (The numbered window this replaces sorted the whole roll, on disk at
    the default work_mem: 0.25 s of a 1.6 s export of 96,053 lines.)"""
    table = PaymentLine._meta.db_table
    where = f"FROM {table} WHERE roll_id = %s AND NOT held"
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), coalesce(sum(amount), 0), min(id), max(id) {where}", [roll.pk])
        count, total, first, last = cur.fetchone()
        total = Decimal(total).quantize(Decimal("0.01"))
        if count <= batch:
            return count, total, [(0, first - 1, last)] if count else []
        cur.execute(f"SELECT (id - 1) / %s, count(*) {where} GROUP BY 1 ORDER BY 1", [batch, roll.pk])
        buckets = cur.fetchall()
    statements: list[tuple[int, int, int]] = []
    before = 0
    for bucket, lines in buckets:
        if statements and before - statements[-1][0] + lines <= batch:
            statements[-1] = (statements[-1][0], statements[-1][1], (bucket + 1) * batch)
        else:
            statements.append((before, bucket * batch, (bucket + 1) * batch))
        before += lines
    return count, total, statements


def chunks(roll: PaymentRoll, *, full_ids: bool, batch: int = BATCH) -> Iterator[str | bytes]:
    """The CSV in pieces: BOM and header, one piece per batch of lines, the totals row."""
    yield from csv_chunks(HEADER, [])
    count, total, statements = plan(roll, batch)
    for before, after, last in statements:
        query, params = lines_query(full_ids=full_ids, roll_id=roll.pk, before=before, after=after, last=last)
        with connection.cursor() as cur:
            data = copy_csv(cur, query, params)
        if data:
            yield data
    yield csv_lines([totals_row(roll, count, total)])
