"""Fixtures of the application tests."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone


@pytest.fixture
def clock():
    """`clock(date)` sets the date the pages and services see (timezone.localdate() reads timezone.now()),
    in this thread and in a live server's thread alike."""
    patches: list = []

    def set_today(day: dt.date, hour: int = 10) -> None:
        for p in patches:
            p.stop()
        patches.clear()
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
        patch = mock.patch("django.utils.timezone.now", return_value=moment)
        patch.start()
        patches.append(patch)

    yield set_today
    for p in patches:
        p.stop()
