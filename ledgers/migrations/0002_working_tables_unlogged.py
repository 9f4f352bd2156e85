"""A run's working tables (its ledger snapshot, households and limits) are rebuilt from the ledger by the run
itself, so on PostgreSQL they are UNLOGGED: no write-ahead log for millions of rows per run. After a database
crash they come back empty; a run that finds its snapshot gone starts over (ledgers.services.runs)."""

from django.db import migrations

TABLES = ("ledgers_ledgerentry", "ledgers_ledgerhousehold", "ledgers_runlimit")


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]
    operations = [migrations.RunPython(unlogged, logged)]
