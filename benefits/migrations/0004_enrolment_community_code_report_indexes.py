# The oversight reports (ledgers/reports.py) count enrolments by their household's community: a copy of it on the
# enrolment (kept by household_save and the admin when a household moves), filled here from the households, and
# covering indexes so a region's enrolments and paying periods are read without the wide rows.

from django.db import migrations, models

BACKFILL = """
    UPDATE benefits_enrolment SET community_code = (
        SELECT h.community_id FROM cases_household h WHERE h.id = benefits_enrolment.household_id)
"""
BACKFILL_HISTORY = """
    UPDATE benefits_historicalenrolment SET community_code = COALESCE((
        SELECT h.community_id FROM cases_household h WHERE h.id = benefits_historicalenrolment.household_id), '')
"""


class Migration(migrations.Migration):

    dependencies = [
        ("benefits", "0003_roll_community_totals"),
        ("cases", "0004_help_beyond_money"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrolment",
            name="community_code",
            field=models.CharField(default="", max_length=12, verbose_name="所属社区"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalenrolment",
            name="community_code",
            field=models.CharField(default="", max_length=12, verbose_name="所属社区"),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(BACKFILL_HISTORY, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.CheckConstraint(condition=models.Q(("community_code", ""), _negated=True),
                                              name="enrolment_has_community_code"),
        ),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(fields=["community_code"], include=["id", "household", "category", "start_month",
                                                                   "ended_on", "exit_reason"],
                               name="enrolment_report_idx", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="enrolmentperiod",
            index=models.Index(condition=models.Q(("status__in", ["active", "gradual"]),
                                                  ("superseded_at__isnull", True)),
                               fields=["enrolment"], include=["start_month", "end_month", "covered_count"],
                               name="period_paying_idx"),
        ),
    ]
