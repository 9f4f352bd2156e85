"""Background work that cannot wait forever: the one sweeper's policy, and the kinds of work it watches.

Every model with a state a Celery task moves on (an import 导入中, an extract 校验中, a reconciliation 比对中, a
payment roll 生成中, the economic check after intake) registers a `Kind` when its app starts (its `apps.py`).
The sweeper (`sweep`, run by Celery beat every few minutes as `imports.imports_sweep`, and in the embedded mode
by the pages that show such work) looks at each kind:

* work busy and silent longer than its kind's stuck-after setting (`Kind.stuck_after`, e.g.
  `EXTRACT_STALE_MINUTES`) and held by no live worker is queued again — its message was never sent (the broker
  was down at commit) or its worker died; every kind's task is idempotent, so a second delivery is harmless;
* after `MAX_REQUEUES` such re-queues it is failed visibly, with a Chinese reason its owner sees (who then has
  重试 / 放弃 on its page);
* uploads checked but never confirmed are removed, file and record, after the kind's unconfirmed setting.

This module is pure policy: it imports no app. The kinds bring their own queries and writes (each in their
app's services, one transaction and one event per change).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

log = logging.getLogger("jiekun.sweeper")

MAX_REQUEUES = 2


def _never_held(obj: Any) -> bool:
    return False


@dataclass(frozen=True)
class Kind:
    key: str  # "import", "extract", "reconciliation", "roll", "economic_check"
    label: str  # 台账导入, …
    stuck_after: Callable[[], dt.timedelta]  # from the kind's setting, read when the sweeper runs
    busy: Callable[
        [dt.datetime], Iterable[Any]
    ]  # work in a running/queued state, quiet since before the cutoff
    last_activity: Callable[[Any], dt.datetime]  # when it was queued or last moved
    requeues: Callable[[Any], list[dt.datetime]]  # when the sweeper or its owner queued it again
    requeue: Callable[
        [Any, Any], None
    ]  # (work, acting user or None): an event, and the task queued on commit
    fail: Callable[[Any], None]  # a visible failed state with a Chinese reason
    held: Callable[[Any], bool] = _never_held  # a live worker holds it (its common.locks advisory lock)
    expire: Callable[[dt.datetime], int] | None = None  # remove uploads unconfirmed since before the cutoff
    unconfirmed_after: Callable[[], dt.timedelta] | None = None


_KINDS: dict[str, Kind] = {}
# Kinds that keep their own record-by-record policy (background list exports count their runs on the row,
# accounts/export_jobs.py): the one sweeper runs them with the others.
_OWN_SWEEPS: dict[str, Callable[[dt.datetime], dict[str, int]]] = {}


def register(kind: Kind) -> None:
    _KINDS[kind.key] = kind


def register_sweep(key: str, sweep_fn: Callable[..., dict[str, int]]) -> None:
    """A kind with its own sweep, called as `sweep_fn(now=now)` and answering the same counts."""
    _OWN_SWEEPS[key] = sweep_fn


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


def is_stuck(kind: Kind, obj: Any, now: dt.datetime | None = None) -> bool:
    """Busy, silent longer than the kind's stuck-after since it was queued (or re-queued) last, and held by no
    live worker. (Callers pass work `busy` returned, or check the state themselves.)"""
    now = now or timezone.now()
    last = kind.last_activity(obj)
    requeued = kind.requeues(obj)
    if requeued:
        last = max(last, requeued[-1])
    if last >= now - kind.stuck_after():
        return False
    return not kind.held(obj)


def sweep_kind(kind: Kind, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "removed": 0}
    for obj in kind.busy(now - kind.stuck_after()):
        if not is_stuck(kind, obj, now):
            continue
        try:
            if len(kind.requeues(obj)) >= MAX_REQUEUES:
                kind.fail(obj)
                counts["failed"] += 1
            else:
                kind.requeue(obj, None)
                counts["requeued"] += 1
        except Exception:  # one broken record must not stop the sweep of the others
            log.exception("sweeper: %s %s", kind.key, getattr(obj, "pk", obj))
    if kind.expire is not None and kind.unconfirmed_after is not None:
        counts["removed"] = kind.expire(now - kind.unconfirmed_after())
    return counts


def sweep(*, now: dt.datetime | None = None, keys: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Sweep every registered kind (or those named): {kind: {"requeued", "failed", "removed"}}."""
    now = now or timezone.now()
    wanted = set(keys) if keys is not None else None
    return {
        key: sweep_kind(kind, now) for key, kind in sorted(_KINDS.items()) if wanted is None or key in wanted
    }


def sweep_when_embedded(*keys: str) -> None:
    """The embedded mode has no Celery beat: the pages showing such work sweep its kinds when opened."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        sweep(keys=keys)
