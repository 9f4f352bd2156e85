"""The 2018 Jiangxi provincial row, exactly the seed's figures (赣发〔2018〕7号 五(一)).

Fields the seed leaves to local rules (minimum wage, property limits, temporary relief settings) stay
empty: an evaluation that needs one is an error naming it.
"""

from decimal import Decimal

from django.db import migrations

SEED = {
    "dibao": Decimal("580"),
    "subsidy_target": Decimal("380"),
    "tekun": Decimal("755"),
    "care_ratio_full": Decimal("0.80"),
    "care_ratio_semi": Decimal("0.20"),
    "orphan_scattered": Decimal("800"),
    "orphan_institutional": Decimal("1200"),
    "disability_living": Decimal("60"),
    "disability_care": Decimal("70"),
    "zhichu_multiplier": Decimal("1.5"),
    "extension_months": 12,
    "extension_months_disabled": 24,
}


def load(apps, schema_editor):
    Standard = apps.get_model("eligibility", "Standard")
    Standard.objects.update_or_create(
        region_id="360000", year=2018,
        defaults={**SEED, "source": "赣发〔2018〕7号 五(一)"},
    )


def unload(apps, schema_editor):
    apps.get_model("eligibility", "Standard").objects.filter(region_id="360000", year=2018).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial"), ("accounts", "0002_load_jiangxi_regions")]
    operations = [migrations.RunPython(load, unload)]
