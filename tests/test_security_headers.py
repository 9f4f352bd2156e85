"""Security headers are on by default in production (issue 20 item 8), read from a real response of the production
settings (a separate process: DEBUG off, as docker-compose runs it), and no template carries inline script or style
that the Content-Security-Policy would have to allow."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db  # the shared autouse fixture opens the test database
ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/login/", secure=True)
cookie = response.cookies["csrftoken"]
print(json.dumps({
    "status": response.status_code,
    "headers": {k.lower(): v for k, v in response.headers.items()},
    "csrf_cookie": {"secure": bool(cookie["secure"]), "httponly": bool(cookie["httponly"])},
    "session_cookie": {"secure": settings.SESSION_COOKIE_SECURE, "httponly": settings.SESSION_COOKIE_HTTPONLY},
}))
"""


def test_production_settings_send_the_security_headers(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_HSTS_SECONDS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}",
        SECRET_KEY="headers-test",
        ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    headers = seen["headers"]
    assert seen["status"] == 200
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert (
        csp["default-src"] == "'self'"
        and csp["object-src"] == "'none'"
        and csp["frame-ancestors"] == "'none'"
    )
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True}
    assert seen["session_cookie"] == {"secure": True, "httponly": True}


INLINE = re.compile(
    r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I
)


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in list((ROOT / "templates").rglob("*.html")) + list(ROOT.glob("*/templates/**/*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []
