"""Shared fixtures: regions come from the data migration; users are made per role."""

from __future__ import annotations

import datetime as dt
import itertools
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import Region, User
from common import idnumber

_seq = itertools.count(1)

# Two counties in different cities, each with a street and a community, as loaded by accounts/0002.
HOME_COMMUNITY = "360102002001"  # 南昌市东湖区 滕王阁街道 民巷社区
HOME_COMMUNITY_2 = "360102002002"  # the same street, another community
OTHER_COMMUNITY = None  # resolved lazily: a community outside 南昌市


def make_id(birth: str = "19800101", county: str = "360102", sex: str = "M") -> str:
    """A valid, unique ID number for tests."""
    n = next(_seq)
    order = f"{(n * 2 + (1 if sex == 'M' else 0)) % 1000:03d}"
    first17 = f"{county}{birth}{order}"
    return first17 + idnumber.check_char(first17)


@pytest.fixture
def other_community(db) -> Region:
    return (
        Region.objects.filter(level=Region.Level.COMMUNITY)
        .exclude(code__startswith="3601")
        .order_by("code")
        .first()
    )


def _user(role: str, region_code: str | None, username: str) -> User:
    user = User.objects.create_user(
        username=username, password="pass-Word-123", role=role, region_id=region_code, full_name=username
    )
    return user


@pytest.fixture
def make_user(db):
    def make(role: str, region_code: str | None, username: str | None = None) -> User:
        return _user(role, region_code, username or f"{role}{next(_seq)}")

    return make


@pytest.fixture
def caseworker(make_user) -> User:
    return make_user("caseworker", HOME_COMMUNITY, "cw")


@pytest.fixture
def street_officer(make_user) -> User:
    return make_user("street", "360102002000", "st")


@pytest.fixture
def county_officer(make_user) -> User:
    return make_user("county", "360102", "co")


@pytest.fixture
def auditor(make_user) -> User:
    return make_user("auditor", "360000", "au")


@pytest.fixture(autouse=True)
def _reference_data(request, _django_db_helper):
    """Regions and the 2018 standard come from data migrations; a transactional test (the browser
    tests) flushes them when it ends, so put them back before the next test that uses the database."""
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        from accounts.models import Region

        if not Region.objects.exists():
            _reload_reference_data()
    yield


class _LiveApps:
    """The live app registry as a data migration's `apps`: a model asked for under the app it lived in when the
    migration was written (cases.StepLimit) is found where it lives now (applications.StepLimit)."""

    def get_model(self, app_label: str, model_name: str):
        from django.apps import apps

        try:
            return apps.get_model(app_label, model_name)
        except LookupError:
            return next(m for m in apps.get_models() if m.__name__.lower() == model_name.lower())


def _reload_reference_data() -> None:
    import importlib

    apps = _LiveApps()
    for module in (
        "accounts.migrations.0002_load_jiangxi_regions",
        "eligibility.migrations.0002_jiangxi_2018_standard",
        "eligibility.migrations.0004_standard_medical_relief_settings",
        "cases.migrations.0003_step_limit_defaults",
    ):
        importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests, even where REDIS_URL makes the project's Celery real (CI); the
    real-worker test switches this off for itself."""
    from config.celery import app

    old = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture(autouse=True, scope="session")
def _process_local_cache():
    """Each test process gets its own cache: with REDIS_URL set (CI), parallel test processes would share
    one Redis database, and one test's cache.clear() would wipe another's throttle counters."""
    import os

    from django.test.utils import override_settings

    override = override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"tests-{os.getpid()}",
            }
        }
    )
    override.enable()
    yield
    override.disable()


def export_sheets(response) -> dict[str, list[tuple]]:
    """An Excel export's sheets as {title: rows of values} (asserting it is an .xlsx attachment)."""
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheets = {}
    for name in book.sheetnames:
        # Empty cells are not written, so a row ends at its last value: pad to the widest row.
        rows = [tuple(row) for row in book[name].iter_rows(values_only=True)]
        width = max((len(r) for r in rows), default=0)
        sheets[name] = [r + (None,) * (width - len(r)) for r in rows]
    return sheets


def query_count(client, url: str, params: dict | None = None) -> int:
    """The number of queries one GET runs (the response consumed, so a streamed body counts too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(ctx.captured_queries)


def assert_constant_queries(client, django_assert_num_queries, url: str, grow, params: dict | None = None):
    """A list page or report runs the same number of queries after `grow()` adds rows as before: the count is
    taken on the small data, then asserted exactly (`django_assert_num_queries`) on the larger. Returns the
    larger response, for the caller to check the added rows are really shown."""
    query_count(client, url, params)  # warm: the session and the per-process caches are read once
    small = query_count(client, url, params)
    grow()
    with django_assert_num_queries(small):
        response = client.get(url, params or {})
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    return response


def body_text(response) -> str:
    """What a response shows: its text, or every XML part of an .xlsx attachment unzipped (an export's cells are
    compressed, so a leak would not show in the raw bytes)."""
    import io
    import zipfile

    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":
        import html

        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            # lxml writes non-ASCII text as character references (&#24352;): read them as the characters
            return "".join(
                html.unescape(book.read(name).decode("utf-8", "replace")) for name in book.namelist()
            )
    return raw.decode("utf-8", "replace")


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


@pytest.fixture
def soffice(tmp_path):
    """LibreOffice's headless converter: convert(paths, target, infilter=None) -> the output directory.
    Required when CI=true (.ci/run installs Debian's libreoffice-calc); skipped locally only if soffice is absent."""
    import os
    import shutil
    import subprocess

    binary = shutil.which("soffice")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (Debian libreoffice-calc) is required in CI")
        pytest.skip("soffice is not installed (apt-get install libreoffice-calc)")
    profile = tmp_path / "lo-profile"  # its own profile: several runs at once must not share one

    def convert(paths, target: str, infilter: str | None = None):
        out = tmp_path / f"lo-{target.split(':')[0]}"
        command = [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
        if infilter:
            command.append(f"--infilter={infilter}")
        command += ["--convert-to", target, "--outdir", str(out), *map(str, paths)]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        return out

    return convert
