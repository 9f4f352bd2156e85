"""The inbox's writes: marking notifications read (all at once, or one by one), and the daily e-mail digest.

Marking read changes only the user's own reading position, not a case, so it writes no domain event; the
digest records the day it was sent so a second run on the same day (a retry, a restart of the embedded server)
sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.errors import ServiceError
from inbox import selectors
from inbox.models import NotificationRead, NotificationState

log = logging.getLogger(__name__)


def notifications_mark_read(*, user, now: dt.datetime | None = None) -> NotificationState:
    state, _ = NotificationState.objects.get_or_create(user=user)
    state.read_through = now or timezone.now()
    state.save(update_fields=["read_through"])
    return state


def notification_mark_read(*, user, key: str, now: dt.datetime | None = None) -> NotificationRead:
    """Mark one of the user's current notifications read. A key that is not one of them (another user's case,
    older than 30 days, made up) is refused and nothing is written."""
    now = now or timezone.now()
    keys = {n.key for n in selectors.notifications(user=user, now=now, read_through=None, limit=500)}
    if key not in keys:
        raise ServiceError("这条消息不存在或已超过30天，无法标为已读", code="not_found")
    mark, _ = NotificationRead.objects.get_or_create(user=user, key=key, defaults={"read_at": now})
    return mark


def read_through_of(user) -> dt.datetime | None:
    return NotificationState.objects.filter(user=user).values_list("read_through", flat=True).first()


def read_state_of(user, *, now: dt.datetime | None = None) -> dict:
    """`read_through` and `read_keys` for selectors.notifications (two small queries): single read marks older
    than the notifications' 30 days are not read back."""
    since = (now or timezone.now()) - dt.timedelta(days=selectors.NOTIFICATION_DAYS)
    keys = NotificationRead.objects.filter(user=user, read_at__gte=since).values_list("key", flat=True)
    return {"read_through": read_through_of(user), "read_keys": frozenset(keys)}


def digest_text(*, user, today: dt.date, now: dt.datetime) -> str | None:
    """The digest's body in plain Chinese, or None when nothing waits and nothing is new."""
    sections = selectors.inbox_sections(user=user, today=today)
    unread = [
        n for n in selectors.notifications(user=user, now=now, **read_state_of(user, now=now)) if n.unread
    ]
    if not sections and not unread:
        return None
    lines = [f"{user}，您好：", "", f"截至{today:%Y年%m月%d日}，解困系统中等您办理的工作如下。", ""]
    for section in sections:
        lines.append(f"【{section.label}】共 {section.count} 项")
        for row in section.rows[:5]:
            deadline = ""
            if row.due_on is not None:
                deadline = (
                    f"，已超期 {row.overdue_days} 个工作日"
                    if row.overdue_days
                    else f"，办理时限 {row.due_on:%m月%d日}（还剩 {max(row.days_left or 0, 0)} 天）"
                )
            lines.append(f"  · {row.title}（{row.detail}{deadline}）")
        if section.more:
            lines.append(f"  · 另有 {section.more} 项")
        lines.append("")
    if unread:
        lines.append(f"【新消息】{len(unread)} 条")
        lines += [f"  · {n.text}" for n in unread[:10]]
        lines.append("")
    lines.append(f"请登录系统办理：{settings.SITE_URL.rstrip('/')}/")
    lines.append("（本邮件由系统每日自动发送，请勿回复。）")
    return "\n".join(lines)


def digest_send_daily(*, today: dt.date | None = None) -> int:
    """Send each active staff user with an e-mail address their digest, once a day; returns how many were sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent = 0
    users = User.objects.filter(is_active=True).exclude(email="").exclude(role="").order_by("id")
    for user in users:
        with transaction.atomic():
            state, _ = NotificationState.objects.select_for_update().get_or_create(user=user)
            if state.digest_sent_on == today:
                continue
            body = digest_text(user=user, today=today, now=now)
            if body is None:
                continue
            send_mail(
                subject=f"解困系统每日待办提醒（{today:%Y年%m月%d日}）",
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
            )
            state.digest_sent_on = today
            state.save(update_fields=["digest_sent_on"])
            sent += 1
    log.info("daily digest: %s sent", sent)
    return sent
