"""Writing many new rows of a model, with their history rows, inside the caller's transaction.

The household import writes up to 100,000 persons with their households, applications, enrolments and periods.
Through the ORM (`bulk_create`, or simple-history's `bulk_create_with_history`) that is model instances and
per-field preparation for every value: about 2,000 rows/s measured here, so 100,000 persons with history took
minutes. This writes the same rows from plain values: on PostgreSQL with COPY (ids reserved from the table's
sequence first, so the caller knows them), on SQLite with `executemany`. The history rows are the ones
simple-history's bulk_history_create writes: every field, `history_type` "+", the acting user, the date and
the change reason.

Values are given per row as a dict of attnames (`household_id`, not `household`); a field not given takes its
model default (evaluated once per table).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import operator
from decimal import Decimal
from typing import Any

from django.db import connection

from ledgers.validation import COPY_SPECIAL, NULL, escape_copy


def _copy_text(value: Any) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | Decimal | dt.date):  # dt.datetime is a dt.date: isoformat keeps its offset
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return escape_copy(text) if COPY_SPECIAL.search(text) else text


def _copy_line(row: tuple) -> str:
    """One row in COPY text format. Text values are joined as they are, and the line is escaped value by value
    only when it shows a character COPY escapes (a tab too many, a line break, a backslash): rare in names and
    addresses, and the same text either way."""
    line = "\t".join([v if type(v) is str else _copy_text(v) for v in row])
    if "\\" in line or "\n" in line or "\r" in line or line.count("\t") != len(row) - 1:
        return "\t".join(map(_copy_text, row))
    return line


class TableWriter:
    """New rows of one model (and of its simple-history model, when it has one)."""

    def __init__(
        self, model, *, history_user=None, history_date: dt.datetime | None = None, history_reason: str = ""
    ):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self._values = operator.itemgetter(*self.attnames)  # a row's values, in column order, in C
        history = getattr(model, "history", None)
        self.history_model = history.model if history is not None else None
        self.history_extra = {
            "history_date": history_date,
            "history_change_reason": history_reason or None,
            "history_type": "+",
            "history_user_id": getattr(history_user, "pk", None),
        }
        self.rows = 0

    def reserve_ids(self, n: int) -> list[int]:
        """n new primary keys for this table (PostgreSQL: from its sequence; SQLite: after the current maximum,
        the database being locked for writing by the caller's transaction)."""
        if n == 0:
            return []
        table, pk = self.model._meta.db_table, self.model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, pk, n],
                )
                return [r[0] for r in cursor.fetchall()]
            cursor.execute(
                f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM "
                f"{connection.ops.quote_name(table)}"
            )
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + n))

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Insert the rows (each with its "id"), then their history rows."""
        if not rows:
            return
        defaults, pick = self.defaults, self._values
        values = [pick({**defaults, **row}) for row in rows]
        history_fields = None
        if self.history_model is not None:
            history_fields = [
                self.history_model._meta.get_field(a) for a in [*self.attnames, *self.history_extra]
            ]
        if connection.vendor == "postgresql":
            lines = [_copy_line(row) for row in values]
            self._copy(self.model, self.fields, "".join(line + "\n" for line in lines))
            if history_fields is not None:  # the same text, and the history columns after it
                extra = "\t" + "\t".join(map(_copy_text, self.history_extra.values())) + "\n"
                self._copy(self.history_model, history_fields, "".join(line + extra for line in lines))
        else:
            self._executemany(self.model, self.fields, values)
            if history_fields is not None:
                extra = tuple(self.history_extra.values())
                self._executemany(self.history_model, history_fields, [v + extra for v in values])
        self.rows += len(rows)

    @staticmethod
    def _columns(fields) -> str:
        return ", ".join(connection.ops.quote_name(f.column) for f in fields)

    @classmethod
    def _copy(cls, model, fields, text: str) -> None:
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({cls._columns(fields)}) FROM STDIN"
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):
                raw.copy_expert(sql, io.StringIO(text), size=1 << 20)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(text)

    @classmethod
    def _executemany(cls, model, fields, values: list[tuple]) -> None:
        prepared = [
            tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))
            for row in values
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
                f"({cls._columns(fields)}) VALUES ({', '.join(['%s'] * len(fields))})",
                prepared,
            )
