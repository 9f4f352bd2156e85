from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import Event, LoginFailure


def event_record(*, actor, verb: str, target, region_code: str, data: dict | None = None) -> Event:
    """Write the domain event for a change ("新建家庭档案"), inside the caller's transaction."""
    return Event.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        region_code=region_code,
        data=data or {},
    )


def login_is_locked(*, username: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return LoginFailure.objects.filter(username__iexact=username, at__gte=since).count() >= settings.LOGIN_FAILURE_LIMIT


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip=ip)


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()
