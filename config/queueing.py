"""Queueing a task after its transaction commits, without failing the request when the broker is down.

The work is already committed in a state the sweeper knows (common/background.py: every kind of background work,
run by Celery beat and, in the embedded mode, by the work's page): if Redis does not take the message now, the sweeper
queues it again once it has waited longer than the stale time. The user sees the work waiting, never a 500.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("jiekun.queue")


def enqueue(task, *args) -> bool:
    """Send `task` with `args`; False (logged) when the broker cannot be reached. In the embedded mode (tasks run
    eagerly, in-process) the task runs now: a failure of the task itself is the caller's, as it always was."""
    app = getattr(task, "app", None)
    eager = app is not None and app.conf.task_always_eager
    try:
        task.delay(*args)
        return True
    except _broker_errors() as exc:
        logger.error("could not queue %s%r, the sweeper will retry: %s", task.name, args, exc)
        return False
    except Exception as exc:
        if eager:  # the task itself failed, in-process: its error is the caller's, as it always was
            raise
        logger.error("could not queue %s%r, the sweeper will retry: %s", task.name, args, exc)
        return False


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
