"""Temporary relief (临时救助, 五(七), policy.md §6) and the street reserve funds (备用金) it is paid from."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Region
from common.validators import no_hidden_characters
from households.models import MONEY, Household, Person


class ReserveFund(models.Model):
    """A street's reserve fund. Its balance changes only under a row lock, together with a ledger row, and
    the database refuses a negative balance whatever the code does."""

    street = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        related_name="reserve_fund",
        verbose_name="街道（乡镇）",
        limit_choices_to={"level": Region.Level.STREET},
    )
    balance = models.DecimalField("余额（元）", default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "临时救助备用金"
        verbose_name_plural = "临时救助备用金"
        ordering = ["street_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="reserve_fund_never_negative")
        ]

    def __str__(self) -> str:
        return f"{self.street_id} 备用金"


class FundMovement(models.Model):
    """One movement of a reserve fund: a top-up by the county or a disbursement by the street."""

    class Kind(models.TextChoices):
        TOPUP = "topup", "县级拨付"
        DISBURSEMENT = "disbursement", "街道支出"

    fund = models.ForeignKey(
        ReserveFund, on_delete=models.PROTECT, related_name="movements", verbose_name="备用金"
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    amount = models.DecimalField("金额（元）", **MONEY)
    balance_after = models.DecimalField("变动后余额（元）", **MONEY)
    grant = models.OneToOneField(
        "benefits.ReliefGrant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movement",
        verbose_name="临时救助",
    )
    note = models.CharField("摘要", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "备用金收支"
        verbose_name_plural = "备用金收支"
        ordering = ["fund_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="movement_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="movement_balance_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class ReliefGrant(models.Model):
    """An application for temporary relief and what became of it.

    Route (policy.md §6): an urgent (急难型) case or an amount within the street's limit is approved and paid by
    the street from its reserve fund and then filed (备案) with the county; anything else is decided by the
    county and paid by it.

    特别救助 (五(七), policy.md §6 [v2]) is a grant of its own kind: only the county approves it, never from a
    street's reserve fund; it may exceed the per-event cap and lies outside the yearly cap and count (it neither
    uses them up nor is limited by them). The caseworker records the major rigid expenditure and what each
    source already covered; the grant never exceeds the net burden (the database refuses it too).
    """

    class Kind(models.TextChoices):
        URGENT = "urgent", "急难型"
        EXPENDITURE = "expenditure", "支出型"
        SPECIAL = "special", "特别救助"

    # The kinds an ordinary application (relief_apply) takes; 特别救助 has its own form and service.
    ORDINARY = (Kind.URGENT, Kind.EXPENDITURE)

    class Route(models.TextChoices):
        STREET = "street", "街道审批（备用金）"
        COUNTY = "county", "县级审批"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待街道审批"
        COUNTY_REVIEW = "county_review", "待县级审批"
        PAID = "paid", "已发放"
        REJECTED = "rejected", "不予救助"

    # Grants that count against the person's yearly limits.
    COUNTED = (Status.SUBMITTED, Status.COUNTY_REVIEW, Status.PAID)

    class Filing(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "待备案"
        FILED = "filed", "已报县级备案"
        QUERIED = "queried", "县级质询待答复"
        ANSWERED = "answered", "已答复质询"

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="relief_grants", verbose_name="家庭"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="relief_grants", verbose_name="救助对象（个人）"
    )
    kind = models.CharField("救助类型", max_length=12, choices=Kind.choices)
    amount = models.DecimalField("救助金额（元）", **MONEY)
    reason = models.TextField("困难情况", validators=[no_hidden_characters])
    received_on = models.DateField("受理日期")
    route = models.CharField("审批层级", max_length=8, choices=Route.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, db_index=True)
    in_categories = models.BooleanField("三类对象", default=False)
    # 特别救助 only (empty / zero for the other kinds): the burden and what already covered part of it.
    gross_expenditure = models.DecimalField("重大刚性支出（元）", null=True, blank=True, **MONEY)
    deduction_insurance = models.DecimalField(
        "扣除：各类社会保障（医保等保险报销）（元）", default=Decimal("0"), **MONEY
    )
    deduction_relief = models.DecimalField("扣除：其他社会救助（元）", default=Decimal("0"), **MONEY)
    deduction_charity = models.DecimalField("扣除：社会帮扶、慈善（元）", default=Decimal("0"), **MONEY)
    limits = models.JSONField("受理时的限额核算", default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审批人",
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    # The person's other grants of the last 12 months (any street) the approver saw, and why they went on
    # (国务院《社会救助暂行办法》: the same need is not relieved twice).
    prior_grants = models.JSONField("审批时所见近12个月其他临时救助", default=list, blank=True)
    duplicate_reason = models.TextField("重复救助确认理由", blank=True)
    paid_at = models.DateTimeField("发放时间", null=True, blank=True)
    fund = models.ForeignKey(
        ReserveFund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name="支付备用金",
    )
    filing = models.CharField("备案状态", max_length=12, choices=Filing.choices, blank=True, default="")
    filed_at = models.DateTimeField("备案时间", null=True, blank=True)
    filing_note = models.TextField("备案说明", blank=True)
    query = models.TextField("县级质询", blank=True)
    queried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="质询人",
    )
    queried_at = models.DateTimeField("质询时间", null=True, blank=True)
    answer = models.TextField("街道答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="受理人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "临时救助"
        verbose_name_plural = "临时救助"
        ordering = ["-id"]
        indexes = [models.Index(fields=["person", "received_on"], name="relief_person_year_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="relief_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_at__isnull=False),
                name="paid_relief_has_paid_at",
            ),
            # 特别救助: never more than the net burden, never from a street's reserve fund.
            models.CheckConstraint(
                condition=~models.Q(kind="special")
                | models.Q(
                    gross_expenditure__isnull=False,
                    route="county",
                    fund__isnull=True,
                    amount__lte=models.F("gross_expenditure")
                    - models.F("deduction_insurance")
                    - models.F("deduction_relief")
                    - models.F("deduction_charity"),
                ),
                name="special_relief_within_net_burden",
            ),
        ]

    def __str__(self) -> str:
        return f"临时救助#{self.pk} {self.get_kind_display()} {self.amount}"

    @property
    def community_code(self) -> str:
        return self.household.community_id

    @property
    def is_special(self) -> bool:
        return self.kind == self.Kind.SPECIAL

    @property
    def deductions_total(self) -> Decimal:
        return self.deduction_insurance + self.deduction_relief + self.deduction_charity

    @property
    def net_burden(self) -> Decimal | None:
        """特别救助: the major rigid expenditure less every deduction (None for the other kinds)."""
        if self.gross_expenditure is None:
            return None
        return self.gross_expenditure - self.deductions_total
