"""Queueing a task after its transaction commits, without failing the request when the broker is down.

The work is already committed in a state the sweeper knows (cases/services/imports.py `imports_sweep`, run by
Celery beat and, in the embedded mode, by the import page): if Redis does not take the message now, the sweeper
queues it again once it has waited longer than the stale time. The user sees the work waiting, never a 500.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("jiekun.queue")


def enqueue(task, *args) -> bool:
    """Send `task` with `args`; False (logged) when the broker cannot be reached."""
    try:
        task.delay(*args)
        return True
    except Exception as exc:  # noqa: BLE001 — kombu OperationalError, redis ConnectionError, OSError
        logger.error("could not queue %s%r, the sweeper will retry: %s", task.name, args, exc)
        return False
