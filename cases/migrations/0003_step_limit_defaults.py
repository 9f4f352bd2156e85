"""Default time limits for the province (360000), from 民发〔2012〕220号: investigation within 10 working days
of intake, 民主评议 within 5 after it, street review (and the start of the notice) within 10, a notice of
7 calendar days, the county decision within 5 working days after the notice. Counties change them for
their own area on the 办理时限 page."""

from django.db import migrations

DEFAULTS = {
    "investigation": 10,
    "democratic_review": 5,
    "street_review": 10,
    "notice": 7,
    "county": 5,
}


def load(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    StepLimit = apps.get_model("cases", "StepLimit")
    if not Region.objects.filter(code="360000").exists():
        return
    for step, days in DEFAULTS.items():
        StepLimit.objects.update_or_create(region_id="360000", step=step, defaults={"days": days})


def unload(apps, schema_editor):
    apps.get_model("cases", "StepLimit").objects.filter(region_id="360000", step__in=list(DEFAULTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_applications"), ("accounts", "0002_load_jiangxi_regions")]
    operations = [migrations.RunPython(load, unload)]
