"""Decision notices and the 文号 sequence they are numbered from.

A 文号 (东民救〔2026〕15号) is unique per county and year and never reused: `NoticeSequence` holds the last number
given, one row per county and year, taken under `select_for_update` by `papers.services.notice_issue`; the
unique constraint on (county, year, number) is the database's own guarantee. A notice is issued once per
decision (`decision` is unique), so printing it again shows the same number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from applications.models import Application
from benefits.models import Enrolment
from common.validators import no_hidden_characters


class NoticeSequence(models.Model):
    county_code = models.CharField("县级区划", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    last_number = models.PositiveIntegerField("已用到的号", default=0)

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        constraints = [
            models.UniqueConstraint(fields=["county_code", "year"], name="one_sequence_per_county_year")
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.year}：{self.last_number}"


class DecisionNotice(models.Model):
    class Kind(models.TextChoices):
        APPROVE = "approve", "批准救助通知书"
        REJECT = "reject", "不予批准救助通知书"
        CHANGE = "change", "变更救助通知书"
        SUSPEND = "suspend", "停发救助通知书"
        EXIT = "exit", "终止救助通知书"

    kind = models.CharField("通知书", max_length=8, choices=Kind.choices)
    # What decision it notifies: "application:<id>" for 批准 / 不予批准, "event:<accounts.Event id>" for an
    # enrolment's 变更 / 停发 / 终止. One notice per decision.
    decision = models.CharField("所通知的决定", max_length=40, unique=True)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="notices", verbose_name="申请"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name="救助对象",
    )
    community_code = models.CharField("所属社区", max_length=12, db_index=True)
    county_code = models.CharField("县级区划", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    reference = models.CharField("文号", max_length=40)
    decided_on = models.DateField("决定日期")
    reason = models.TextField("事实和理由", validators=[no_hidden_characters])
    clause = models.CharField("依据", max_length=200)
    # What the notice states besides the reason (amounts, months, persons), as it was when issued.
    facts = models.JSONField("告知内容", default=dict, blank=True)
    issued_on = models.DateField("出具日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="出具人"
    )
    issued_at = models.DateTimeField("出具时间", default=timezone.now)

    class Meta:
        verbose_name = "决定通知书"
        verbose_name_plural = "决定通知书"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "year", "number"], name="notice_number_never_reused"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"
