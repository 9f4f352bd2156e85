"""The staging table's partitions on PostgreSQL: one per extract, loaded unindexed, indexed once, attached.

On PostgreSQL `ledgers_extractrow` is partitioned by extract (LIST on `extract_id`, migration 0005). A load
COPYs its rows into a fresh table of its own, builds that table's two indexes in one sorted pass each, gathers
its statistics, and attaches it. Loading into one big indexed table instead cost about three times as much:
every row was a random insert into two B-trees that, at millions of rows, no longer fit in memory, each insert
logged. Everything happens in the caller's transaction, so a load that fails or is rolled back leaves no table
behind. The indexes match the parent's (`ledgers_extractrow_pkey`, `ledgers_extractrow_person`) and the
CHECK constraint proves the partition's bound, so ATTACH neither rebuilds nor scans, and the parent's lock it
takes (which two concurrent attaches share in turn) is held only for the rest of the load's short transaction.

Rows inserted into the parent directly land in its DEFAULT partition (kept empty by the loads, so ATTACH's
check that it holds none of the new extract's rows costs nothing). SQLite (embedded mode) keeps one plain
table; the services insert into it directly.
"""

from __future__ import annotations

from django.db import connection

PARENT = "ledgers_extractrow"


def partition_name(extract_id: int) -> str:
    return f"{PARENT}_{int(extract_id)}"


def has_rows(extract_id: int) -> bool:
    """Whether the extract already has staging rows. On PostgreSQL this reads its partition only: through the
    parent, a query for an extract that has no partition yet would read the DEFAULT partition and hold a lock
    on it that another load's ATTACH waits for, while this load's ATTACH waits for that one (a deadlock)."""
    if connection.vendor != "postgresql":
        from ledgers.models import ExtractRow

        return ExtractRow.objects.filter(extract_id=extract_id).exists()
    name = partition_name(extract_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
        return cursor.fetchone()[0]


def copy_into_partition(extract_id: int, columns: list[str], source) -> int:
    """COPY rows in COPY text format from `source` (a file-like object with `read(size)`) into a new partition
    for the extract; returns the rows copied. The caller has checked that the extract has no rows yet (`has_rows`)."""
    name = partition_name(extract_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:  # an empty table left by a TRUNCATE of the parent: the extract has no rows
            cursor.execute(f"DROP TABLE {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        sql = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):
            raw.copy_expert(sql, source, size=1 << 20)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                for chunk in iter(lambda: source.read(1 << 20), ""):
                    copy.write(chunk)
        rows = raw.rowcount
        _index_and_attach(cursor, extract_id)
    return rows


def _index_and_attach(cursor, extract_id: int) -> None:
    name, key = partition_name(extract_id), int(extract_id)
    cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_bound CHECK (extract_id = {key})")
    cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_pkey PRIMARY KEY (extract_id, line)")
    cursor.execute(f"CREATE INDEX {name}_person ON {name} (extract_id, id_number)")
    cursor.execute(f"ANALYZE {name}")
    cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES IN ({key})")
