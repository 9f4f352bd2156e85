"""The inbox's tests reuse the applications app's clock and fast password hashing."""

import pytest

from applications.tests.conftest import clock  # noqa: F401  (a fixture, re-exported)
from applications.tests.factories import FAST_HASHERS


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path
