"""The inbox's tests use fast password hashing (the clock fixture is the root conftest's)."""

import pytest

from applications.tests.factories import FAST_HASHERS


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path
