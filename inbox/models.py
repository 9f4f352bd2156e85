"""The inbox keeps what is its own: how far each user has read their notifications, and which single notifications
they marked read after that point (the notifications themselves are derived from the owning apps' event rows, so
they can never disagree with them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationState(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_state",
        verbose_name="工作人员",
    )
    read_through = models.DateTimeField("已读至", null=True, blank=True)
    digest_sent_on = models.DateField("最近一次每日摘要", null=True, blank=True)

    class Meta:
        verbose_name = "通知阅读状态"
        verbose_name_plural = "通知阅读状态"

    def __str__(self) -> str:
        return (
            f"{self.user} 已读至 {self.read_through:%Y-%m-%d %H:%M}" if self.read_through else str(self.user)
        )


class NotificationRead(models.Model):
    """One notification marked read on its own. `key` names the row it was derived from ("event-12": an
    application event, "finding-7": a review task of the reconciliation), as inbox.selectors builds it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="工作人员"
    )
    key = models.CharField("消息", max_length=40)
    read_at = models.DateTimeField("阅读时间", db_index=True)

    class Meta:
        verbose_name = "已读消息"
        verbose_name_plural = "已读消息"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_read_mark_per_notification")]

    def __str__(self) -> str:
        return f"{self.user} 已读 {self.key}"
