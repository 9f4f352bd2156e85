"""Ledger tests run Celery tasks eagerly (even when REDIS_URL makes the project's Celery real) and keep
uploaded files in a temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _eager_celery_and_media(settings, tmp_path):
    from config.celery import app

    old = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old
