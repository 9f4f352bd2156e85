"""The one login lockout (django-axes, issue 20 item 7 / issue 17 item 6): what it locks, how a login is
serialised against it, the lockout's log line, and the county administrator's list.

Axes counts failures per user name AND client address together (`AXES_LOCKOUT_PARAMETERS`), so a stranger guessing
a caseworker's name locks only their own address out. Axes counts a failure after the password check, so parallel
wrong passwords would all be checked before any was counted; `login_serialised` runs the check, the password
and the count for one (name, address) one at a time, so no more than the limit are ever tried.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from accounts import permissions
from accounts.client_ip import client_ip
from accounts.models import User
from accounts.scope import scope_filter

logger = logging.getLogger("jiekun.security")
_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


@contextmanager
def login_serialised(*, username: str, ip: str | None):
    """One login attempt at a time for this (user name, address): a PostgreSQL advisory lock held to the end of
    the transaction (across processes and servers); elsewhere (SQLite, embedded) a lock in this process."""
    key = f"{username.lower()}|{ip or ''}"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
            yield
        else:
            with _local_guard:
                lock = _local_locks.setdefault(key, threading.Lock())
            with lock:
                yield


def lockout_ip(request) -> str | None:
    """Axes' AXES_CLIENT_IP_CALLABLE: the product's one rule for the client address."""
    return client_ip(request)


def lockout_window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


@receiver(user_locked_out)
def _log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning("login locked out: username=%s ip=%s", username, ip_address)


def lockouts_visible(*, user) -> list[AccessAttempt]:
    """The locked (name, address) pairs of staff in the user's scope (county officers and above, superusers)."""
    if not permissions.can_manage_lockouts(user):
        return []
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - lockout_window(),
    ).order_by("-attempt_time")
    if not permissions.sees_every_lockout(user):
        # a name nobody has locks nothing worth lifting; staff outside the scope are not shown
        attempts = attempts.filter(
            username__in=scope_filter(User.objects.all(), user, "region__code").values("username")
        )
    return list(attempts[:500])
