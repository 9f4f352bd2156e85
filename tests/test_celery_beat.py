from django.conf import settings

from config.celery import app


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {
        "ledgers.reconcile_scheduled",
        "benefits.tasks.reviews_raise_daily",
        "benefits.tasks.gradual_exits_close_daily",
        "benefits.tasks.changed_households_recompute_daily",
        "inbox.digest_send_daily",
        "imports.imports_sweep",  # the one sweeper of stuck work, background list exports included
    }
    assert tasks <= set(app.tasks)
