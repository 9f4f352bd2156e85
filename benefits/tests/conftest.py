"""Fixtures of the benefits tests."""

from __future__ import annotations

import pytest

from applications.tests.factories import FAST_HASHERS
from benefits.tests.factories import standard


@pytest.fixture(autouse=True)
def _fast_hashers(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def std2018(db):
    return standard(year=2018)


@pytest.fixture
def city_officer(make_user):
    return make_user("city", "360100", "city")


@pytest.fixture
def other_county_officer(make_user):
    return make_user("county", "360103", "co2")


@pytest.fixture
def clock():
    """`clock(date)` sets the date the pages and services see (timezone.localdate() reads timezone.now())."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    patches: list = []

    def set_today(day: dt.date, hour: int = 10) -> None:
        for p in patches:
            p.stop()
        patches.clear()
        patch = mock.patch(
            "django.utils.timezone.now",
            return_value=timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))),
        )
        patch.start()
        patches.append(patch)

    yield set_today
    for p in patches:
        p.stop()
