"""Applications for 低保 / 特困 / 支出型 and their steps (architecture.md, flow 1).

An application moves through a fixed set of states; each move is one service in
applications/services/applications.py that writes one ApplicationEvent. The time limits of the steps are data
(StepLimit, per region), so the rules of 民发〔2012〕220号 and later ones can both be expressed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Region
from common.validators import no_hidden_characters
from households.models import MONEY, Household


class Category(models.TextChoices):
    DIBAO = "dibao", "城镇最低生活保障（低保）"
    TEKUN = "tekun", "城镇特困人员供养（特困）"
    ZHICHU = "zhichu", "支出型贫困低收入家庭"


# The short names pages and the department API show beside a determination.
CATEGORY_SHORT_LABELS = {"tekun": "特困人员", "dibao": "低保", "zhichu": "支出型贫困低收入家庭"}


class Application(models.Model):
    class Status(models.TextChoices):
        INVESTIGATING = "investigating", "待入户调查"
        REVIEWING = "reviewing", "待民主评议"
        STREET_REVIEW = "street_review", "待街道审核"
        STREET_APPROVED = "street_approved", "街道审核通过，待公示"
        NOTICE = "notice", "公示中"
        APPROVED = "approved", "县级批准"
        REJECTED = "rejected", "县级不予批准"
        STREET_REJECTED = "street_rejected", "街道审核不予通过"

    OPEN = (
        Status.INVESTIGATING,
        Status.REVIEWING,
        Status.STREET_REVIEW,
        Status.STREET_APPROVED,
        Status.NOTICE,
    )
    CLOSED = (Status.APPROVED, Status.REJECTED, Status.STREET_REJECTED)

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="applications", verbose_name="家庭"
    )
    category = models.CharField("申请类别", max_length=8, choices=Category.choices)
    reasons = models.TextField("申请理由", validators=[no_hidden_characters])
    check_authorised = models.BooleanField("已签署家庭经济状况核对授权书", default=False)
    # Where to apply (policy.md §8.5; 中办国办《关于改革完善社会救助制度的意见》2020): a member's 户籍 here, or a
    # local 居住证 held for at least RESIDENCE_MONTHS. Empty for applications received before version 2.
    residence_basis = models.CharField(
        "申请地依据",
        max_length=8,
        choices=[("hukou", "本地户籍"), ("permit", "本地居住证")],
        blank=True,
    )
    residence_months = models.PositiveSmallIntegerField("持居住证居住月数", null=True, blank=True)
    check_authorised_on = models.DateField("授权日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.INVESTIGATING, db_index=True
    )
    received_on = models.DateField("受理日期")
    due_on = models.DateField("当前环节办理时限", null=True, blank=True, db_index=True)
    # 街道审核 (what the notice publishes and the county confirms)
    proposed_category = models.CharField("审核类别", max_length=8, choices=Category.choices, blank=True)
    proposed_amount = models.DecimalField("审核月救助金（元）", null=True, blank=True, **MONEY)
    rules_amount = models.DecimalField("按规则测算月救助金（元）", null=True, blank=True, **MONEY)
    override_reason = models.TextField("调整理由", blank=True)
    determination = models.JSONField("审核时的资格测算", null=True, blank=True)
    street_reviewed_on = models.DateField("街道审核日期", null=True, blank=True)
    # 公示
    notice_started_on = models.DateField("公示开始", null=True, blank=True)
    notice_ends_on = models.DateField("公示结束", null=True, blank=True)
    # 县级审批
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_reason = models.TextField("审批意见/不予批准理由", blank=True, validators=[no_hidden_characters])
    # Imported from an old ledger (a household already enrolled before the product): the product did not
    # investigate, publicise or decide it, so no paper may read as if it had.
    from_ledger = models.BooleanField("原台账导入", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="受理人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicalapplication")

    class Meta:
        db_table = "cases_application"  # the table it has had since it lived in the cases app
        verbose_name = "救助申请"
        verbose_name_plural = "救助申请"
        ordering = ["-id"]
        constraints = [
            # A household has at most one application in progress.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(
                    status__in=["investigating", "reviewing", "street_review", "street_approved", "notice"]
                ),
                name="one_open_application_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"申请#{self.pk} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def community_code(self) -> str:
        return self.household.community_id


class ApplicationEvent(models.Model):
    """One step of an application: who did what, when, with which note and data."""

    class Step(models.TextChoices):
        INTAKE = "intake", "受理申请"
        DOCUMENT = "document", "补充材料"
        VISIT = "visit", "入户调查"
        REVIEW = "review", "民主评议"
        STREET_APPROVE = "street_approve", "街道审核通过"
        STREET_RETURN = "street_return", "街道退回重新调查"
        STREET_REJECT = "street_reject", "街道审核不予通过"
        NOTICE_START = "notice_start", "开始公示"
        OBJECTION = "objection", "公示异议，退回重新调查"
        COUNTY_APPROVE = "county_approve", "县级审批批准"
        COUNTY_REJECT = "county_reject", "县级不予批准"
        ECONOMIC_CHECK = "economic_check", "家庭经济状况核对"
        CHECK_EXPLAIN = "check_explain", "核对不符情况说明"
        CHECK_OBJECTION = "check_objection", "核对结果异议及复查"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name="申请"
    )
    step = models.CharField("环节", max_length=16, choices=Step.choices)
    verb = models.CharField("事件", max_length=200)
    from_status = models.CharField("原状态", max_length=16, choices=Application.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    on_date = models.DateField("业务日期")
    note = models.TextField("意见/说明", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    region_code = models.CharField("区划", max_length=12, db_index=True)

    class Meta:
        db_table = "cases_applicationevent"  # the table it has had since it lived in the cases app
        verbose_name = "申请办理记录"
        verbose_name_plural = "申请办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.verb


class ApplicationTimes(models.Model):
    """The milestones of an application, one row, derived from its ApplicationEvent rows so the oversight report's
    办理时效 reads one narrow row per decided application instead of pivoting every event (reports/figures.py).

    Derived data only: `application_times_refresh` (applications/services/application_times.py) rewrites a row from the
    events, and the one event writer (applications/services/applications.py `_event`) calls it after each event."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, primary_key=True, related_name="times", verbose_name="申请"
    )
    intake_on = models.DateField("受理（首次）", null=True)
    visit_on = models.DateField("入户调查（最后一次）", null=True)
    review_on = models.DateField("民主评议（最后一次）", null=True)
    street_on = models.DateField("街道审核通过（最后一次）", null=True)
    notice_on = models.DateField("开始公示（最后一次）", null=True)
    decided_on = models.DateField("县级审批（首次）", null=True)
    # The community recorded on the decision event (its region_code).
    decided_region = models.CharField("审批时区划", max_length=12, blank=True)

    class Meta:
        db_table = "cases_applicationtimes"  # the table it has had since it lived in the cases app
        verbose_name = "申请办理时点"
        verbose_name_plural = "申请办理时点"
        indexes = [
            models.Index(
                fields=["decided_on", "decided_region"],
                name="times_decided_idx",
                condition=models.Q(decided_on__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"申请#{self.application_id}"


class HomeVisit(models.Model):
    """入户调查: at least two investigators; confirms the household's facts or says what was corrected."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="visits", verbose_name="申请"
    )
    visited_on = models.DateField("调查日期")
    investigators = models.JSONField("调查人员", default=list)
    findings = models.TextField("调查情况")
    facts_confirmed = models.BooleanField("家庭信息属实", default=True)
    corrections = models.TextField("更正情况", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        db_table = "cases_homevisit"  # the table it has had since it lived in the cases app
        verbose_name = "入户调查"
        verbose_name_plural = "入户调查"
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return f"入户调查 {self.visited_on}"


class DemocraticReview(models.Model):
    class Conclusion(models.TextChoices):
        AGREE = "agree", "同意"
        DISAGREE = "disagree", "不同意"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name="申请"
    )
    held_on = models.DateField("评议日期")
    participants = models.TextField("参加人员")
    representatives = models.PositiveSmallIntegerField("居民代表人数")
    conclusion = models.CharField("评议结论", max_length=8, choices=Conclusion.choices)
    note = models.TextField("评议意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        db_table = "cases_democraticreview"  # the table it has had since it lived in the cases app
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return f"民主评议 {self.held_on}"


class Objection(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections", verbose_name="申请"
    )
    received_on = models.DateField("收到日期")
    objector = models.CharField("异议人（可匿名）", max_length=64, blank=True)
    content = models.TextField("异议内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        db_table = "cases_objection"  # the table it has had since it lived in the cases app
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return f"公示异议 {self.received_on}"


class Document(models.Model):
    """An uploaded proof. The file lives under MEDIA_ROOT/documents/<stored_name>, outside the web root,
    and is served only by the scoped download view."""

    class Kind(models.TextChoices):
        ID_CARD = "id_card", "身份证"
        HUKOU = "hukou", "户口簿"
        INCOME = "income", "收入证明"
        MEDICAL = "medical", "医疗费用票据"
        DISABILITY = "disability", "残疾证"
        AUTHORISATION = "authorisation", "核对授权书"
        OTHER = "other", "其他材料"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="documents", verbose_name="申请"
    )
    kind = models.CharField("材料类型", max_length=16, choices=Kind.choices)
    original_name = models.CharField("原文件名", max_length=200)
    stored_name = models.CharField("存储文件名", max_length=40, unique=True)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        db_table = "cases_document"  # the table it has had since it lived in the cases app
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class StepLimit(models.Model):
    """How long a step may take in a region. The nearest region up the tree wins (community → street →
    county → city → province); the province rows are the defaults of 民发〔2012〕220号."""

    class Step(models.TextChoices):
        INVESTIGATION = "investigation", "受理后开展入户调查（工作日）"
        DEMOCRATIC_REVIEW = "democratic_review", "调查后开展民主评议（工作日）"
        STREET_REVIEW = "street_review", "评议后街道审核并公示（工作日）"
        NOTICE = "notice", "公示期（自然日）"
        COUNTY = "county", "公示结束后县级审批（工作日）"

    # Used when no row exists up the tree (e.g. a test database flushed of its data migrations).
    DEFAULTS = {
        Step.INVESTIGATION: 10,
        Step.DEMOCRATIC_REVIEW: 5,
        Step.STREET_REVIEW: 10,
        Step.NOTICE: 7,
        Step.COUNTY: 5,
    }
    CALENDAR_DAYS = (Step.NOTICE,)

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="step_limits", verbose_name="区划"
    )
    step = models.CharField("环节", max_length=20, choices=Step.choices)
    days = models.PositiveSmallIntegerField("时限（天）")
    history = HistoricalRecords(table_name="cases_historicalsteplimit")

    class Meta:
        db_table = "cases_steplimit"  # the table it has had since it lived in the cases app
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["region_id", "step"]
        constraints = [models.UniqueConstraint(fields=["region", "step"], name="one_limit_per_region_step")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.get_step_display()} {self.days}"
