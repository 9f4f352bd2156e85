"""Enrolments: what an approved application becomes, what it pays month by month, and how it ends.

An enrolment's payment timeline is a set of periods (`EnrolmentPeriod`), each with the amount and the
facts the rules computed it from. A change of income, members or standards writes new periods from the
month it takes effect; the periods it replaces are kept, marked superseded, so what was believed at any
time can still be read. Payment rolls read only the current (not superseded) periods.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from applications.models import Application, Category
from households.models import MONEY, Household, Person


class Enrolment(models.Model):
    """A household's coverage in one category from a start month: the covered members, the monthly amount
    and its components as the rules computed them (policy.md §5), its status and, once it ends, why."""

    class Status(models.TextChoices):
        ACTIVE = "active", "享受中"
        GRADUAL = "gradual", "渐退中"
        SUSPENDED = "suspended", "暂停发放"
        EXITED = "exited", "已退出"

    # Still an enrolment of the category (one per household and category at a time).
    CURRENT = (Status.ACTIVE, Status.GRADUAL, Status.SUSPENDED)

    class ExitReason(models.TextChoices):
        INCOME = "income", "家庭人均收入超过保障标准"
        DEATH = "death", "保障对象死亡"
        MOVED = "moved", "迁出本地"
        REFUSED_WORK = "refused_work", "无正当理由连续三次拒绝介绍的适当工作"
        FRAUD = "fraud", "以虚报、隐瞒、伪造等手段骗取救助"
        GRADUAL_END = "gradual_end", "就业渐退期满"

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="enrolments", verbose_name="家庭"
    )
    # The household's community, copied by enrolment_create (no page or service moves a household between
    # communities; the admin is read-only). The oversight reports filter and group enrolments by this prefix
    # instead of joining every household.
    community_code = models.CharField("所属社区", max_length=12)
    # One application, one enrolment: a second concurrent approval fails on this constraint.
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="enrolment", verbose_name="审批申请"
    )
    category = models.CharField("救助类别", max_length=8, choices=Category.choices)
    members = models.ManyToManyField(
        Person, through="EnrolmentMember", related_name="enrolments", verbose_name="保障成员"
    )
    components = models.JSONField("金额构成", default=dict)
    monthly_amount = models.DecimalField("月救助金（元）", **MONEY)
    start_month = models.DateField("起始月份")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    # Who the bank pays: the head when covered, else the first covered member (a tekun person alone).
    payee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="领款人"
    )
    dibao_paid = models.BooleanField("按低保发放（含支出型纳入低保）", default=False)
    gradual_until = models.DateField("渐退至", null=True, blank=True)
    ended_on = models.DateField(
        "终止日期", null=True, blank=True, help_text="最后一个发放月份所覆盖的最后一天"
    )
    exit_reason = models.CharField("退出原因", max_length=16, choices=ExitReason.choices, blank=True)
    exit_details = models.JSONField("退出情况", default=dict, blank=True)
    exit_note = models.TextField("退出说明", blank=True)
    exit_decided_on = models.DateField("退出决定日期", null=True, blank=True)
    exited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="退出决定人",
    )
    review_months = models.PositiveSmallIntegerField("复核周期（月）", default=6)
    next_review_on = models.DateField("下次复核日期", null=True, blank=True, db_index=True)
    computed_at = models.DateTimeField("金额核定时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="批准人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    # Set by every service that changes the enrolment; the department API syncs on it (changed_since).
    updated_at = models.DateTimeField("更新时间", default=timezone.now, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "救助对象"
        verbose_name_plural = "救助对象"
        ordering = ["-id"]
        # Covering index for the oversight reports (reports/figures.py): a region's enrolments (LIKE '3601%') with
        # what 新增/退出 and 在保 read, without visiting the wide rows.
        indexes = [
            models.Index(
                fields=["community_code"],
                opclasses=["varchar_pattern_ops"],
                include=["id", "household", "category", "start_month", "ended_on", "exit_reason"],
                name="enrolment_report_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "category"],
                condition=models.Q(status__in=["active", "gradual", "suspended"]),
                name="one_current_enrolment_per_household_category",
            ),
            models.CheckConstraint(
                condition=models.Q(start_month__day=1), name="enrolment_starts_on_the_first"
            ),
            models.CheckConstraint(
                condition=~models.Q(community_code=""), name="enrolment_has_community_code"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="gradual") | models.Q(gradual_until__isnull=False),
                name="gradual_enrolment_has_until",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} 家庭#{self.household_id}"

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT

    @property
    def county_code(self) -> str:
        return self.household.community_id[:6]


class EnrolmentMember(models.Model):
    """A member covered by an enrolment. `ended_on` is set when the member stops being covered (the row
    stays, so the department lists and the history can still say since when and until when)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="covered", verbose_name="救助对象"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="成员")
    category = models.CharField("成员类别", max_length=8, choices=Category.choices)
    amounts = models.JSONField("个人金额构成", default=dict)
    ended_on = models.DateField("停止保障日期", null=True, blank=True)

    class Meta:
        verbose_name = "保障成员"
        verbose_name_plural = "保障成员"
        ordering = ["enrolment_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "person"], name="one_row_per_enrolled_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.category}"


class EnrolmentPeriod(models.Model):
    """What an enrolment pays each month from `start_month` to `end_month` (inclusive; open when null),
    and the facts and standards the amount was computed from. Rolls read current periods only."""

    class Status(models.TextChoices):
        ACTIVE = "active", "正常发放"
        GRADUAL = "gradual", "渐退期发放"
        SUSPENDED = "suspended", "暂停发放"

    PAYING = (Status.ACTIVE, Status.GRADUAL)

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="periods", verbose_name="救助对象"
    )
    start_month = models.DateField("起始月份")
    end_month = models.DateField("截止月份", null=True, blank=True)
    status = models.CharField("发放状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    monthly_amount = models.DecimalField("月救助金（元）", **MONEY)
    components = models.JSONField("金额构成", default=dict)
    covered_count = models.PositiveSmallIntegerField("保障人数", default=1)
    facts = models.JSONField("核定依据的家庭情况", default=dict, blank=True)
    standard_region = models.CharField("适用标准区划", max_length=12, blank=True)
    standard_year = models.PositiveSmallIntegerField("适用标准年度", null=True, blank=True)
    provisional = models.BooleanField("暂按上年标准", default=False)
    reason = models.CharField("变更原因", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    class Meta:
        verbose_name = "发放期间"
        verbose_name_plural = "发放期间"
        ordering = ["enrolment_id", "start_month", "id"]
        indexes = [
            models.Index(
                fields=["enrolment", "start_month"],
                name="period_current_idx",
                condition=models.Q(superseded_at__isnull=True),
            ),
            # The paying current periods with what 在保 counts (reports/figures.py), read without the rows.
            models.Index(
                fields=["enrolment"],
                include=["start_month", "end_month", "covered_count"],
                condition=models.Q(superseded_at__isnull=True, status__in=["active", "gradual"]),
                name="period_paying_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(start_month__day=1), name="period_starts_on_the_first"),
            models.CheckConstraint(
                condition=models.Q(end_month__isnull=True)
                | (models.Q(end_month__day=1) & models.Q(end_month__gte=models.F("start_month"))),
                name="period_ends_on_a_first_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.start_month:%Y-%m}–{self.end_month or '…'} {self.monthly_amount}"

    def covers(self, month) -> bool:
        return self.start_month <= month and (self.end_month is None or month <= self.end_month)


class EnrolmentReview(models.Model):
    """A review the caseworker owes an enrolment: the scheduled one (yearly for stable households, every six
    months for the others) or a recheck the system raised (the rules no longer find the category)."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "定期复核"
        RECHECK = "recheck", "核查（测算结果变化）"

    class Status(models.TextChoices):
        OPEN = "open", "待复核"
        DONE = "done", "已复核"

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", "金额不变"
        CHANGED = "changed", "金额变更（次月起）"
        GRADUAL = "gradual", "转入渐退"
        INELIGIBLE = "ineligible", "不再符合条件，需办理退出"
        EXITED = "exited", "已退出"

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="reviews", verbose_name="救助对象"
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.SCHEDULED)
    due_on = models.DateField("应复核日期", db_index=True)
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    raised_because = models.CharField("事由", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    visited_on = models.DateField("入户核查日期", null=True, blank=True)
    findings = models.TextField("核查情况", blank=True)
    outcome = models.CharField("复核结论", max_length=12, choices=Outcome.choices, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="复核人",
    )
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "复核任务"
        verbose_name_plural = "复核任务"
        ordering = ["due_on", "id"]
        constraints = [
            # Raising the tasks again (the daily job, a retry) never makes a second one.
            models.UniqueConstraint(fields=["enrolment", "kind", "due_on"], name="one_review_per_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.enrolment_id} {self.due_on}"


class Arrear(models.Model):
    """Money owed for a month already put on a roll, because its amount was raised afterwards (a standard
    entered late). The next roll of the county and program pays it as its own labelled line."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="arrears", verbose_name="救助对象"
    )
    month = models.DateField("所属月份")
    amount = models.DecimalField("补发金额（元）", **MONEY)
    label = models.CharField("补发说明", max_length=200)
    standard = models.ForeignKey(
        "eligibility.Standard",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="依据标准",
    )
    created_at = models.DateTimeField("计算时间", default=timezone.now)
    roll = models.ForeignKey(
        "benefits.PaymentRoll",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrears_settled",
        verbose_name="补发花名册",
    )

    class Meta:
        verbose_name = "待补发"
        verbose_name_plural = "待补发"
        ordering = ["enrolment_id", "month", "id"]
        indexes = [
            models.Index(
                fields=["enrolment"], name="arrear_unsettled_idx", condition=models.Q(roll__isnull=True)
            )
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="arrear_is_positive")]

    def __str__(self) -> str:
        return self.label
