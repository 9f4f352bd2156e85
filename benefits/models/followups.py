"""What a confirmed fact about a covered person sets going (policy.md §8.3), and the county's 增发 (§8.1).

* `ConfirmedFact` — a death, a move away or fraud, confirmed by reconciliation, a review or a caseworker,
  with the date it happened. A person with a confirmed death is never the addressee of a notice.
* `CountyTask` — what the county office must do about it, with a deadline: the exit or adjustment of each
  enrolment concerned, and, where money went out for months after the event, the overpayment to recover
  (each month and amount, addressed to a living member of the household).
* `Supplement` — 增发: a county-approved monthly addition on a dibao enrolment, paid as its own roll line.
  It is not part of the enrolment's periods, so no recomputation of the basic amount ever touches it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from households.models import MONEY, Household, Person


class ConfirmedFact(models.Model):
    class Kind(models.TextChoices):
        DEATH = "death", "死亡"
        MOVED = "moved", "迁出本地"
        FRAUD = "fraud", "骗取救助"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="当事人")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+", verbose_name="家庭")
    kind = models.CharField("事实", max_length=8, choices=Kind.choices)
    event_on = models.DateField("发生日期")
    whole_household = models.BooleanField("涉及全户", default=False)
    source = models.CharField("来源", max_length=200)
    # The reconciliation finding it came from, when it did (ledgers sits above benefits: no foreign key up).
    finding_id = models.PositiveIntegerField("比对疑点", null=True, blank=True)
    note = models.TextField("核实情况", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="核实人"
    )
    confirmed_at = models.DateTimeField("核实时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "已核实事实"
        verbose_name_plural = "已核实事实"
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            # A person dies once: confirming it again (a second run, a second finding) finds this one.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(kind="death"), name="one_confirmed_death_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id} {self.event_on}"


class CountyTask(models.Model):
    class Kind(models.TextChoices):
        EXIT = "exit", "办理退出或变更"
        OVERPAYMENT = "overpayment", "追回多发救助金"

    class Status(models.TextChoices):
        OPEN = "open", "待办理"
        DONE = "done", "已办结"

    fact = models.ForeignKey(
        ConfirmedFact, on_delete=models.PROTECT, related_name="tasks", verbose_name="事实"
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    enrolment = models.ForeignKey(
        "benefits.Enrolment", on_delete=models.PROTECT, related_name="county_tasks", verbose_name="救助对象"
    )
    county_code = models.CharField("承办县（市、区）", max_length=6, db_index=True)
    due_on = models.DateField("办理期限")
    # Overpayment: [{"month": "2018-09-01", "amount": "860.00", "roll": 12, "line": "正常发放"}], oldest first.
    items = models.JSONField("多发明细", default=list, blank=True)
    total = models.DecimalField("多发合计（元）", default=Decimal("0"), **MONEY)
    addressed_to = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="告知对象（在世家庭成员）",
    )
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closing_note = models.TextField("办结情况", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "县级待办"
        verbose_name_plural = "县级待办"
        ordering = ["status", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fact", "enrolment", "kind"], name="one_county_task_per_fact_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Supplement(models.Model):
    """增发 (五(一)1 "通过增发低保金…提高保障水平"): from `start_month` to `end_month` (inclusive), paid while the
    enrolment pays; ended early only by a county decision (`ended_month`)."""

    enrolment = models.ForeignKey(
        "benefits.Enrolment", on_delete=models.PROTECT, related_name="supplements", verbose_name="救助对象"
    )
    amount = models.DecimalField("增发金额（元/月）", **MONEY)
    reason = models.CharField("增发理由", max_length=190)
    start_month = models.DateField("起始月份")
    end_month = models.DateField("截止月份")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="批准人"
    )
    approved_at = models.DateTimeField("批准时间", default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="终止决定人",
    )
    ended_note = models.CharField("终止理由", max_length=200, blank=True)
    cancelled = models.BooleanField("未发放即撤销", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "增发"
        verbose_name_plural = "增发"
        ordering = ["enrolment_id", "start_month", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="supplement_is_positive"),
            models.CheckConstraint(
                condition=models.Q(start_month__day=1, end_month__day=1)
                & models.Q(end_month__gte=models.F("start_month")),
                name="supplement_months_are_firsts_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"增发 {self.amount} {self.reason}"


class ShareReduction(models.Model):
    """The county reduces or stops one member's own share after three unjustified refusals of work in a row
    (policy.md §8.2; 社会救助暂行办法 第四十五条), from a month on; the rest of the household keeps its benefit.
    Every recomputation applies it again (benefits.services.enrolments), so a new standard does not undo it."""

    class Action(models.TextChoices):
        REDUCE = "reduce", "减发该成员份额"
        STOP = "stop", "停发该成员份额"

    enrolment = models.ForeignKey(
        "benefits.Enrolment",
        on_delete=models.PROTECT,
        related_name="share_reductions",
        verbose_name="救助对象",
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="成员")
    action = models.CharField("决定", max_length=8, choices=Action.choices)
    amount = models.DecimalField("每月减发金额（元）", null=True, blank=True, **MONEY)
    from_month = models.DateField("起始月份")
    refusals = models.JSONField("拒绝工作记录", default=list)
    note = models.TextField("决定理由")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="决定人"
    )
    decided_at = models.DateTimeField("决定时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "成员份额减发/停发"
        verbose_name_plural = "成员份额减发/停发"
        ordering = ["enrolment_id", "from_month", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.person_id}"
