"""On PostgreSQL the staging table becomes partitioned by extract (LIST on extract_id), so that a load COPYs into
a fresh table of its own and indexes it once instead of inserting into two ever larger B-trees row by row
(ledgers/staging.py). Rows already loaded move into one partition per extract; a DEFAULT partition takes
rows inserted into the parent directly. The model does not change;
SQLite keeps the plain table. Self-contained (no app code), as migrations must be."""

from django.db import migrations

PARENT = "ledgers_extractrow"
OLD = "ledgers_extractrow_unpartitioned"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"ALTER TABLE {PARENT} RENAME TO {OLD}")
    run(f"ALTER INDEX {PARENT}_pkey RENAME TO {OLD}_pkey")
    run(f"ALTER INDEX {PARENT}_person RENAME TO {OLD}_person")
    run(
        f"CREATE TABLE {PARENT} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (extract_id)"
    )
    run(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (extract_id, line)")
    run(f"CREATE INDEX {PARENT}_person ON {PARENT} (extract_id, id_number)")
    # Rows inserted into the parent rather than through a partition of their own (the SQLite-style chunked
    # insert, run on PostgreSQL by a test) land here; the loads keep it empty, so ATTACH's check of it is free.
    run(f"CREATE TABLE {PARENT}_default PARTITION OF {PARENT} DEFAULT")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT extract_id FROM {OLD} ORDER BY 1")
        ids = [int(row[0]) for row in cursor.fetchall()]
    for key in ids:
        name = f"{PARENT}_{key}"
        run(f"CREATE TABLE {name} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        run(f"INSERT INTO {name} SELECT * FROM {OLD} WHERE extract_id = {key}")
        run(f"ALTER TABLE {name} ADD CONSTRAINT {name}_bound CHECK (extract_id = {key})")
        run(f"ALTER TABLE {name} ADD CONSTRAINT {name}_pkey PRIMARY KEY (extract_id, line)")
        run(f"CREATE INDEX {name}_person ON {name} (extract_id, id_number)")
        run(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES IN ({key})")
    run(f"DROP TABLE {OLD}")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"CREATE TABLE {OLD} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    run(f"INSERT INTO {OLD} SELECT * FROM {PARENT}")
    run(f"DROP TABLE {PARENT} CASCADE")
    run(f"ALTER TABLE {OLD} RENAME TO {PARENT}")
    run(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (extract_id, line)")
    run(f"CREATE INDEX {PARENT}_person ON {PARENT} (extract_id, id_number)")


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0004_households_moved")]
    operations = [migrations.RunPython(partition, unpartition)]
