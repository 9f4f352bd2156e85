"""The content types and the event rows of the moved models follow them to their new apps.

Permissions granted on a moved model hang off its content type, so the content type is relabelled (never
recreated: a group's permissions stay). Event rows name their target as `app_label.model`; old rows are
relabelled so the history of a household reads the same before and after the move."""

from django.db import migrations

MOVED = {
    "households": ["household", "person", "historicalhousehold", "historicalperson"],
    "applications": [
        "application",
        "applicationevent",
        "applicationtimes",
        "homevisit",
        "democraticreview",
        "objection",
        "document",
        "steplimit",
        "historicalapplication",
        "historicalsteplimit",
    ],
    "economic_check": [
        "economiccheck",
        "economiccheckitem",
        "economiccontradiction",
        "checkobjection",
        "historicaleconomiccontradiction",
    ],
    "help": [
        "lead",
        "leadvisit",
        "pairing",
        "pairingvisit",
        "employmentchange",
        "jobsupport",
        "schoolrecord",
        "studentaid",
        "aidoffer",
        "aidneed",
        "aidmatch",
        "historicallead",
        "historicalpairing",
        "historicaljobsupport",
        "historicalschoolrecord",
        "historicalstudentaid",
        "historicalaidoffer",
        "historicalaidneed",
        "historicalaidmatch",
    ],
    "imports": ["importbatch", "importissue"],
}


def relabel(apps, schema_editor, forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Event = apps.get_model("accounts", "Event")
    for app, models in MOVED.items():
        old, new = ("cases", app) if forward else (app, "cases")
        # A content type the new label already has (made by an earlier, interrupted migrate) gives way.
        ContentType.objects.filter(app_label=new, model__in=models).delete()
        ContentType.objects.filter(app_label=old, model__in=models).update(app_label=new)
        for model in (m for m in models if not m.startswith("historical")):  # history rows have no events
            Event.objects.filter(target_type=f"{old}.{model}").update(target_type=f"{new}.{model}")


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_release_models"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0003_api_keys_access_log"),
    ]

    operations = [migrations.RunPython(relabel, relabel_back)]
