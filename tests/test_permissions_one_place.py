"""Every role decision is asked of accounts/permissions.py: no code or template compares roles itself.

Role data may stay where it is defined (accounts/models.py: the choices and ROLE_LEVEL; accounts/scope.py:
the prefix by role; the demo's seed users; migrations and tests). Everything else asks a named function, and
templates ask `may` (accounts.context_processors).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "accounts/models.py",
    "accounts/scope.py",
    "accounts/permissions.py",
    "demo/management/commands/seed_demo.py",
}
SKIP_DIRS = {".venv", "node_modules", "migrations", "tests", ".git", "static"}

PY = [
    re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)"),  # user.role == …, role in ROLES
    re.compile(r"(==|!=)\s*\w*\.?role\b"),  # … == user.role
    re.compile(r"\bRole\.[A-Z]"),  # User.Role.COUNTY anywhere outside the data
    re.compile(r"getattr\([^)]*[\"']role[\"']"),
    re.compile(r"\bROLE_LEVEL\b"),
    re.compile(r"\.is_superuser\b(?!\s*=[^=])"),  # reading the flag is a decision too
    re.compile(r"\[\s*\w+\.role\s*\]|\.get\(\s*\w+\.role\b"),  # TABLE[user.role]
]
TEMPLATE = [
    re.compile(r"\buser\.role\b"),
    re.compile(r"\buser\.is_superuser\b"),
    re.compile(r"\brole\s*(==|!=|\bin\b)"),
]


def _files(pattern: str):
    for path in ROOT.rglob(pattern):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts[:-1]) or rel.name.startswith("test_") or rel.name == "conftest.py":
            continue
        yield rel.as_posix(), path


def _offences(pattern: str, checks, allowed=frozenset()) -> list[str]:
    out = []
    for rel, path in _files(pattern):
        if rel in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(check.search(line) for check in checks):
                out.append(f"{rel}:{number}: {line.strip()}")
    return out


def test_no_role_comparisons_in_python():
    assert _offences("*.py", PY, ALLOWED) == []


def test_no_role_comparisons_in_templates():
    assert _offences("*.html", TEMPLATE) == []


def test_the_checks_find_what_they_look_for():
    """The patterns catch the forms the tree used to have (a grep that finds nothing proves nothing)."""
    py = [
        'if user.role == "county":',
        "if user.role != User.Role.CASEWORKER:",
        "return user.role in OFFICERS",
        'getattr(user, "role", None) in OFFER_ROLES',
        "statuses = ROLE_STATUSES.get(user.role)",
        "if user.is_superuser or x:",
        "READERS = (User.Role.COUNTY,)",
    ]
    assert [line for line in py if not any(c.search(line) for c in PY)] == []
    html = ['{% if user.role == "caseworker" %}', "{% if user.is_superuser %}"]
    assert [line for line in html if not any(c.search(line) for c in TEMPLATE)] == []
    fine_py = ['"role": user.role,', "user.is_superuser = True", "role = models.CharField("]
    assert [line for line in fine_py if any(c.search(line) for c in PY)] == []
    assert not any(c.search("{% if may.read_rolls %}") for c in TEMPLATE)
