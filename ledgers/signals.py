"""Signals ledgers sends for the apps above it (architecture.md: a lower app reacts to a higher one only
through a signal or a function passed in). Receivers run inside the sender's transaction; anything slow is
queued with transaction.on_commit by the receiver.

* `extract_loaded(sender=Extract, extract_id, kind)` — an extract's rows are now in ExtractRow. Job help /
  leads (help.receivers) turns a `medical_expense` extract into proactive-discovery leads (policy.md §8.7).
"""

from __future__ import annotations

from django.dispatch import Signal

extract_loaded = Signal()
