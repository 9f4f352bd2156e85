"""Monthly payment rolls (发放花名册): one per county, month and program, generated in one set-based
statement from the current enrolment periods, locked when the county confirms it, never changed after."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Region
from applications.models import Category
from households.models import MONEY


class PaymentRoll(models.Model):
    class Status(models.TextChoices):
        GENERATING = "generating", "生成中"
        READY = "ready", "待确认"
        LOCKED = "locked", "已确认锁定"
        FAILED = "failed", "生成失败"

    county = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="payment_rolls",
        verbose_name="县（市、区）",
        limit_choices_to={"level": Region.Level.COUNTY},
    )
    month = models.DateField("发放月份")
    program = models.CharField("救助项目", max_length=8, choices=Category.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.GENERATING)
    line_count = models.PositiveIntegerField("发放笔数", default=0)
    total_amount = models.DecimalField("发放总额（元）", default=Decimal("0"), **MONEY)
    arrears_count = models.PositiveIntegerField("其中补发笔数", default=0)
    arrears_amount = models.DecimalField("其中补发金额（元）", default=Decimal("0"), **MONEY)
    held_count = models.PositiveIntegerField("暂缓发放笔数", default=0)
    task_id = models.CharField("生成任务", max_length=64, blank=True)
    error = models.TextField("生成失败原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="生成人"
    )
    created_at = models.DateTimeField("申请生成时间", default=timezone.now)
    generated_at = models.DateTimeField("生成完成时间", null=True, blank=True)
    generate_seconds = models.FloatField("生成耗时（秒）", null=True, blank=True)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "发放花名册"
        verbose_name_plural = "发放花名册"
        ordering = ["-month", "county_id", "program"]
        constraints = [
            # Asking again for the same roll finds this one; there is never a second.
            models.UniqueConstraint(
                fields=["county", "month", "program"], name="one_roll_per_county_month_program"
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="roll_month_is_a_first"),
            models.CheckConstraint(
                condition=~models.Q(status="locked") | models.Q(locked_at__isnull=False),
                name="locked_roll_has_locked_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month:%Y年%m月} {self.get_program_display()}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class PaymentLine(models.Model):
    """One payment on a roll: who (as they were when the roll was made), how much, for which month, and its
    components. A regular line pays the month of the roll; an arrears line pays an earlier month's difference."""

    class Kind(models.TextChoices):
        REGULAR = "regular", "正常发放"
        ARREARS = "arrears", "补发"
        SUPPLEMENT = "supplement", "增发"
        REVERSAL = "reversal", "冲正"  # cancels a wrong line of a locked roll (negative amount)
        CORRECTED = "correct", "更正"  # what that line should have paid

    # No database foreign keys here: a roll's lines are written only by the set-based statements of
    # benefits.services.rolls, which select them from existing enrolments under the county lock, and rolls and
    # enrolments are never deleted (PROTECT). A database check would lock each referenced enrolment row and
    # the roll row once per line at commit — half the time of a 500,000-line roll.
    roll = models.ForeignKey(
        PaymentRoll,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name="花名册",
        db_constraint=False,
    )
    enrolment = models.ForeignKey(
        "benefits.Enrolment",
        on_delete=models.PROTECT,
        related_name="payment_lines",
        verbose_name="救助对象",
        db_constraint=False,
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    month = models.DateField("所属月份")
    label = models.CharField("说明", max_length=200, blank=True)
    community_code = models.CharField("社区", max_length=12)
    name = models.CharField("领款人姓名", max_length=32)
    id_number = models.CharField("身份证号码", max_length=18)
    bank_name = models.CharField("开户银行", max_length=64, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    covered_count = models.PositiveSmallIntegerField("保障人数", default=1)
    amount = models.DecimalField("金额（元）", **MONEY)
    components = models.JSONField("金额构成", default=dict)
    held = models.BooleanField("暂缓发放", default=False)
    hold_reason = models.CharField("暂缓原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "花名册明细"
        verbose_name_plural = "花名册明细"
        ordering = ["roll_id", "id"]
        indexes = [models.Index(fields=["enrolment", "month"], name="line_enrolment_month_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


# The components a line's `components` can hold (benefits.compute.COMPONENT_LABELS), each a column of the totals.
TOTAL_COMPONENTS = (
    "dibao_subsidy",
    "zhichu_subsidy",
    "tekun_basic",
    "orphan",
    "care",
    "disability_living",
    "disability_care",
    "adjustment",
)


def _money_column(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=Decimal("0"))


class PaymentRollTotal(models.Model):
    """A locked roll's paid (not held) lines summed per community and amount component, written when the roll is
    locked (benefits.services.rolls.roll_lock; nothing about the roll changes after). Oversight reports read these few rows per
    roll instead of its lines: a province's year is ~100,000 rows here against millions of lines."""

    roll = models.ForeignKey(
        PaymentRoll, on_delete=models.CASCADE, related_name="community_totals", verbose_name="花名册"
    )
    month = models.DateField("发放月份")
    program = models.CharField("救助项目", max_length=8, choices=Category.choices)
    community_code = models.CharField("社区", max_length=12)
    lines = models.PositiveIntegerField("发放笔数", default=0)
    persons = models.PositiveIntegerField("正常发放保障人次", default=0)
    amount = _money_column("发放金额（元）")
    arrears = _money_column("其中补发（元）")
    supplement = _money_column("其中增发（元）")
    dibao_subsidy = _money_column("低保补差")
    zhichu_subsidy = _money_column("支出型纳入低保补差")
    tekun_basic = _money_column("特困基本生活费")
    orphan = _money_column("孤儿基本生活费")
    care = _money_column("特困照料护理费")
    disability_living = _money_column("困难残疾人生活补贴")
    disability_care = _money_column("重度残疾人护理补贴")
    adjustment = _money_column("审批调整")

    class Meta:
        verbose_name = "花名册分社区汇总"
        verbose_name_plural = "花名册分社区汇总"
        ordering = ["roll_id", "community_code"]
        constraints = [
            models.UniqueConstraint(fields=["roll", "community_code"], name="one_total_per_roll_community")
        ]
        indexes = [models.Index(fields=["month", "community_code"], name="rolltotal_month_community_idx")]

    def __str__(self) -> str:
        return f"{self.roll_id} {self.community_code} {self.amount}"


class PaymentCorrection(models.Model):
    """A wrong line of a locked roll, corrected without editing history: once the county approves, the next roll
    of the county and program carries a 冲正 line (minus the wrong amount) and a 更正 line (the right amount),
    both labelled with the original line; the locked roll itself never changes."""

    class Status(models.TextChoices):
        PENDING = "pending", "待县级审批"
        APPROVED = "approved", "已批准，待下期花名册冲正"
        SETTLED = "settled", "已在下期花名册冲正"
        REJECTED = "rejected", "不予更正"

    line = models.ForeignKey(
        PaymentLine, on_delete=models.PROTECT, related_name="corrections", verbose_name="原发放明细"
    )
    corrected_amount = models.DecimalField("应发金额（元）", **MONEY)
    reason = models.TextField("更正原因")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    roll = models.ForeignKey(
        PaymentRoll,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections_settled",
        verbose_name="冲正所在花名册",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "发放更正（冲正）"
        verbose_name_plural = "发放更正（冲正）"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=models.Q(status__in=["pending", "approved", "settled"]),
                name="one_live_correction_per_line",
            ),
            models.CheckConstraint(
                condition=models.Q(corrected_amount__gte=0), name="correction_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"更正#{self.pk} 明细#{self.line_id}"
