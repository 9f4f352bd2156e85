"""ledgers/RULES.md is what `manage.py reconcile --explain --vendor postgresql` prints: the document reviewers read
is the SQL the run executes, never an older copy (regenerate it with that command when a rule changes)."""

from pathlib import Path

from ledgers.rules import explain


def test_rules_md_is_the_generated_explanation():
    text = (Path(__file__).resolve().parent.parent / "RULES.md").read_text(encoding="utf-8")
    assert text.rstrip("\n") == explain("postgresql").rstrip("\n")
