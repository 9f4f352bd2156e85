"""Department extracts, reconciliation runs, their findings and the review tasks they raise
(architecture.md flow 5; 赣发〔2018〕7号 六(三): 每半年同步开展一次比对).

Three kinds of table live here:

* the records people work with — `Extract` (one uploaded file), `ExtractError` (its bad rows),
  `ReconciliationRun`, `RunStep`, `Finding`, `ReviewTask`;
* the staging table `ExtractRow`, written only by COPY (PostgreSQL) or executemany (SQLite) from a
  validated stream, never through the ORM row by row;
* the run's working tables `LedgerEntry`, `LedgerHousehold`, `RunLimit`: a snapshot of our ledger and
  the limits that apply, taken once per run so that every rule, and a restarted run, sees the same
  ledger. They are emptied when the run finishes.

Working and staging tables point at their run or extract without a database constraint: a foreign-key
check per row would cost more than the load itself, and the services delete them together.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import ApiClient, Region

MONEY = {"max_digits": 14, "decimal_places": 2}


class Extract(models.Model):
    """One file a department (or county staff) uploaded: one kind, one period, one region."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传，待校验"
        VALIDATING = "validating", "校验中"
        CHECKED = "checked", "已校验，待确认导入"
        LOADED = "loaded", "已导入"
        REJECTED = "rejected", "有错误行，未导入"
        DISCARDED = "discarded", "已放弃，未导入"
        FAILED = "failed", "无法读取，未导入"

    class Mode(models.TextChoices):
        STRICT = "strict", "严格：有任何错误行则全部不导入"
        LENIENT = "lenient", "宽松：导入正确行，跳过错误行"
        CHECK = "check", "先校验，看结果再决定"

    OPEN = (Status.UPLOADED, Status.VALIDATING, Status.CHECKED)

    kind = models.CharField("数据类型", max_length=20)
    program = models.CharField(
        "待遇项目", max_length=32, blank=True, help_text="部门救助/待遇台账：对应的待遇项目"
    )
    period = models.CharField("比对期", max_length=6, db_index=True, help_text="如 2025H2（2025年下半年）")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="数据区划")
    client = models.ForeignKey(
        ApiClient,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传部门客户端",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    department = models.CharField("提供部门", max_length=32, blank=True)
    original_name = models.CharField("原文件名", max_length=200)
    stored_name = models.CharField("存储文件名", max_length=60, unique=True)
    file_format = models.CharField("文件格式", max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    size = models.BigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    mode = models.CharField("导入方式", max_length=8, choices=Mode.choices, default=Mode.STRICT)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    rows_checked = models.BigIntegerField("已校验行数", default=0)
    rows_total = models.BigIntegerField("数据行数", default=0)
    rows_good = models.BigIntegerField("正确行数", default=0)
    rows_bad = models.BigIntegerField("错误行数", default=0)
    rows_loaded = models.BigIntegerField("已导入行数", default=0)
    columns = models.JSONField("导入列", default=list, blank=True)
    error = models.TextField("处理失败原因", blank=True)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    validated_at = models.DateTimeField("校验完成", null=True, blank=True)
    load_requested_at = models.DateTimeField("确认导入时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    loaded_at = models.DateTimeField("导入完成", null=True, blank=True)
    validate_seconds = models.FloatField("校验用时（秒）", null=True, blank=True)
    load_seconds = models.FloatField("导入用时（秒）", null=True, blank=True)

    class Meta:
        verbose_name = "部门比对数据"
        verbose_name_plural = "部门比对数据"
        ordering = ["-id"]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"比对数据#{self.pk} {self.kind_label}"

    @property
    def kind_label(self) -> str:
        from accounts.kinds import kind_label

        return kind_label(self.kind, self.program)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ExtractError(models.Model):
    """A bad row of an extract: its line in the file (the header is line 1), the field and why."""

    extract = models.ForeignKey(
        Extract, on_delete=models.CASCADE, related_name="errors", verbose_name="比对数据"
    )
    line = models.PositiveIntegerField("行号")
    field = models.CharField("字段", max_length=40)
    message = models.CharField("错误", max_length=200)
    value = models.CharField("原值", max_length=64, blank=True)

    class Meta:
        verbose_name = "比对数据错误行"
        verbose_name_plural = "比对数据错误行"
        ordering = ["extract_id", "line", "id"]

    def __str__(self) -> str:
        return f"第{self.line}行 {self.field}：{self.message}"


class ExtractRow(models.Model):
    """Staging: one validated row of a loaded extract. The columns are generic; `accounts.kinds` says what
    each means for each kind (a death date is `on_date`, a plate number `ref`, a tax income `amount`)."""

    pk = models.CompositePrimaryKey("extract_id", "line")
    extract = models.ForeignKey(
        Extract, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    line = models.PositiveIntegerField("行号")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=32, blank=True, db_default="")
    on_date = models.DateField("日期", null=True, blank=True)
    amount = models.DecimalField("金额", null=True, blank=True, **MONEY)
    code = models.CharField("区划代码", max_length=12, blank=True, db_default="")
    ref = models.CharField("编号", max_length=64, blank=True, db_default="")
    note = models.CharField("备注", max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = "比对数据行"
        verbose_name_plural = "比对数据行"
        # The economic check at intake looks up a household's members in one extract (ledgers.sources).
        indexes = [models.Index(fields=["extract", "id_number"], name="ledgers_extractrow_person")]

    def __str__(self) -> str:
        return f"{self.extract_id}:{self.line}"


class ReconciliationRun(models.Model):
    """One reconciliation of our ledger with the extracts of a period, for a county, a city or the province."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "比对中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "定时（每半年）"
        MANUAL = "manual", "手动发起"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="比对范围")
    period = models.CharField("比对期", max_length=6, db_index=True)
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    error = models.TextField("失败原因", blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    trigger = models.CharField("发起方式", max_length=8, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发起人",
    )
    extracts = models.ManyToManyField(Extract, blank=True, related_name="runs", verbose_name="参与比对的数据")
    persons = models.PositiveIntegerField("比对人数（在保）", default=0)
    households = models.PositiveIntegerField("比对户数", default=0)
    summary = models.JSONField("各规则疑点数", default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "比对批次"
        verbose_name_plural = "比对批次"
        ordering = ["-id"]
        constraints = [
            # The database's own guard for the simplest overlap (the same scope twice); the service also
            # refuses a run whose scope contains or lies inside an active one.
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_run_per_region",
            ),
        ]

    def __str__(self) -> str:
        return f"比对#{self.pk} {self.period}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def findings_total(self) -> int:
        return sum((self.summary or {}).values())

    @property
    def period_label(self) -> str:
        from ledgers.periods import label

        return label(self.period)


class RunStep(models.Model):
    """A finished step of a run (the snapshot, one rule, the close): what a restart skips."""

    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.CASCADE, related_name="steps", verbose_name="比对批次"
    )
    step = models.CharField("步骤", max_length=24)
    rows = models.PositiveIntegerField("写入行数", default=0)
    skipped = models.BooleanField("未执行（缺少数据）", default=False)
    seconds = models.FloatField("用时（秒）", default=0)
    finished_at = models.DateTimeField("完成时间", default=timezone.now)

    class Meta:
        verbose_name = "比对步骤"
        verbose_name_plural = "比对步骤"
        ordering = ["run_id", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "step"], name="one_row_per_run_step")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.step}"


class LedgerEntry(models.Model):
    """Working table: one person of a run's ledger snapshot — every member of a household with a paid
    enrolment in scope, and whether (and how often) they are covered."""

    pk = models.CompositePrimaryKey("run_id", "person_id")
    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    person_id = models.BigIntegerField()
    id_number = models.CharField(max_length=18)
    name = models.CharField(max_length=32)
    household_id = models.BigIntegerField()
    community_code = models.CharField(max_length=12)
    is_head = models.BooleanField()
    employment = models.CharField(max_length=12)
    declared_income = models.DecimalField(**MONEY)
    enrolment_id = models.BigIntegerField(null=True)
    category = models.CharField(max_length=8)
    enrolment_status = models.CharField(max_length=16)
    monthly_amount = models.DecimalField(null=True, **MONEY)
    enrolments = models.PositiveSmallIntegerField()
    other_household = models.BooleanField()

    class Meta:
        verbose_name = "比对台账快照"
        verbose_name_plural = "比对台账快照"

    def __str__(self) -> str:
        return f"{self.run_id}:{self.person_id}"


class LedgerHousehold(models.Model):
    """Working table: one household of a run's snapshot, with the member a household finding is filed under
    (the head, else the lowest person id) and its member count."""

    pk = models.CompositePrimaryKey("run_id", "household_id")
    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    household_id = models.BigIntegerField()
    community_code = models.CharField(max_length=12)
    subject_person_id = models.BigIntegerField()
    members = models.PositiveIntegerField()

    class Meta:
        verbose_name = "比对家庭快照"
        verbose_name_plural = "比对家庭快照"

    def __str__(self) -> str:
        return f"{self.run_id}:{self.household_id}"


class RunLimit(models.Model):
    """Working table: the limits of the nearest standard for each community in a run (policy.md §2, §4)."""

    pk = models.CompositePrimaryKey("run_id", "community_code")
    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    community_code = models.CharField(max_length=12)
    standard_region = models.CharField(max_length=12)
    dibao = models.DecimalField(null=True, **MONEY)
    zhichu_ceiling = models.DecimalField(null=True, **MONEY)
    asset_limit = models.DecimalField(null=True, **MONEY)
    vehicles = models.PositiveSmallIntegerField(null=True)
    houses = models.PositiveSmallIntegerField(null=True)
    business_allowed = models.BooleanField(null=True)

    class Meta:
        verbose_name = "比对限额"
        verbose_name_plural = "比对限额"

    def __str__(self) -> str:
        return f"{self.run_id}:{self.community_code}"


class Finding(models.Model):
    """A discrepancy a rule found: one per (run, rule, person, source). `source` is the extract kind or
    benefit program the evidence came from ("ledger" for our own ledger); `extract` the first extract
    holding it; `region` the community of the household (or, for a person we do not know, the region the
    department gave)."""

    run = models.ForeignKey(
        ReconciliationRun,
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
        verbose_name="比对批次",
    )
    rule = models.CharField("规则", max_length=24)
    id_number = models.CharField("身份证号码", max_length=18)
    source = models.CharField("数据来源", max_length=32)
    extract = models.ForeignKey(
        Extract,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="findings",
        verbose_name="比对数据",
    )
    household = models.ForeignKey(
        "households.Household",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="家庭",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="所属区划",
    )
    name = models.CharField("姓名", max_length=32, blank=True)
    detail = models.JSONField("疑点详情", default=dict)
    created_at = models.DateTimeField("发现时间", default=timezone.now)

    class Meta:
        verbose_name = "比对疑点"
        verbose_name_plural = "比对疑点"
        ordering = ["run_id", "rule", "region_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "rule", "id_number", "source"], name="one_finding_per_run_rule_person_source"
            ),
        ]
        indexes = [models.Index(fields=["run", "region"]), models.Index(fields=["rule", "id_number"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.id_number[:4]}…"

    @property
    def rule_label(self) -> str:
        from ledgers.rules import rule_label

        return rule_label(self.rule)

    @property
    def id_masked(self) -> str:
        from common.idnumber import mask

        return mask(self.id_number)


class ReviewTask(models.Model):
    """A finding to verify, for the caseworkers of the household's community (or the county office, when
    the person is not in our files). Resolving it records the decision; a confirmed one its follow-up."""

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        CONFIRMED = "confirmed", "核实属实"
        FALSE_ALARM = "false_alarm", "核实误报"
        SUPERSEDED = "superseded", "已由新一轮比对取代"

    finding = models.OneToOneField(
        Finding, on_delete=models.CASCADE, related_name="task", verbose_name="疑点"
    )
    region = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name="承办区划"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    note = models.TextField("核实情况/误报理由", blank=True)
    follow_up = models.CharField("后续办理", max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="核实人",
    )
    resolved_at = models.DateTimeField("核实时间", null=True, blank=True)
    created_at = models.DateTimeField("下发时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "比对核实任务"
        verbose_name_plural = "比对核实任务"
        ordering = ["status", "-id"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return f"核实任务#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
