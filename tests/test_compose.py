"""docker-compose.yml starts clean (issue 17 item 5), checked without docker: no default database password (compose
refuses to start and names the variable), the health check calls /healthz, and every environment variable the
settings read is in the README's configuration table with its default. (.ci/run also runs `docker compose config`
where docker compose exists.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.django_db  # the shared autouse fixture opens the test database
ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_no_default_database_password_and_names_what_is_missing():
    text = (ROOT / "docker-compose.yml").read_text()
    yaml.safe_load(text)  # valid YAML
    uses = re.findall(r"\$\{POSTGRES_PASSWORD([^}]*)\}", text)
    assert len(uses) == 2
    assert all(u.startswith(":?") and "POSTGRES_PASSWORD" in u for u in uses), uses
    assert re.search(r"\$\{SECRET_KEY:\?[^}]+\}", text)


def test_the_web_health_check_calls_healthz():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in check


def test_every_setting_read_from_the_environment_is_in_the_readme():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r'os\.environ(?:\.get)?\(\s*"([A-Z_]+)"', settings_text))
    names |= set(re.findall(r'env_bool\(\s*"([A-Z_]+)"', settings_text))
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)`", readme, re.M))
    documented |= {
        n
        for line in re.findall(r"^\| (`[A-Z_]+`(?: / `[A-Z_]+`)+)", readme, re.M)
        for n in re.findall(r"`([A-Z_]+)`", line)
    }
    assert names - documented == set()
