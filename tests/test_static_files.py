"""Static files are ours and cacheable (issue 17 item 4): after collectstatic every asset has a content-hashed name,
pages link the hashed names, and WhiteNoise serves them with a one-year immutable Cache-Control; no page loads
anything from another site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
MANIFEST = {
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}  # hashing, uncompressed


def test_collected_assets_have_hashed_names_and_long_cache_headers(tmp_path, caseworker):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": MANIFEST,
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        client.force_login(caseworker)
        page = client.get("/").content.decode()
        hashed = re.findall(r"/static/(css/app\.[0-9a-f]{12}\.css|js/page\.[0-9a-f]{12}\.js)", page)
        assert len(hashed) == 2, page[:600]
        response = client.get(f"/static/{hashed[0]}")
        assert response.status_code == 200
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"


def test_no_template_loads_anything_from_another_site():
    remote = re.compile(r'(src|href)="(https?:)?//', re.I)
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html") if remote.search(p.read_text())
    ]
    assert offenders == []


def test_production_serves_from_the_compressed_manifest(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    env = {
        **os.environ,
        "STATIC_ROOT": str(tmp_path),
        "SECRET_KEY": "x",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage", out.stderr[-2000:]
