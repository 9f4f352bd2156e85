"""What job help and proactive discovery (help) do when a lower app signals (architecture.md: the higher app
registers the handler). Connected in HelpConfig.ready.

* ledgers.signals.extract_loaded — a loaded `medical_expense` extract becomes proactive-discovery leads
  (policy.md §8.7), once the load has committed.
"""

from __future__ import annotations

from django.db import transaction

from help.services.leads import leads_from_medical_expense


def on_extract_loaded(sender, *, extract_id: int, kind: str, **kwargs) -> None:
    if kind == "medical_expense":
        transaction.on_commit(lambda: leads_from_medical_expense(extract_id=extract_id))
