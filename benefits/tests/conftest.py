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
