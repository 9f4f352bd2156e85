from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

PROVINCE_CODE = "360000"


class Region(models.Model):
    """An administrative division (GB/T 2260; 12-digit 统计用区划代码 for streets and communities).

    `prefix` is the code with its trailing zero groups removed (36, 3601, 360102, 360102002,
    360102002001): a record is in a region's scope exactly when its community code starts with it.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省"
        CITY = 2, "市"
        COUNTY = 3, "县/区"
        STREET = 4, "街道/乡镇"
        COMMUNITY = 5, "社区"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级"
    )
    prefix = models.CharField("范围前缀", max_length=12, unique=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def prefix_of(code: str, level: int) -> str:
        return code[: {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}[level]]

    def ancestors(self) -> list[Region]:
        """This region and the regions above it, nearest first (one query per level, at most 5)."""
        chain: list[Region] = [self]
        node = self
        while node.parent_id:
            node = node.parent
            chain.append(node)
        return chain

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in reversed(self.ancestors()))


class User(AbstractUser):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", "社区工作人员"
        STREET = "street", "街道民政专干"
        COUNTY = "county", "县级民政"
        CITY = "city", "市级民政"
        PROVINCE = "province", "省级民政"
        AUDITOR = "auditor", "审计/纪检"

    # The level of region each role is attached to.
    ROLE_LEVEL = {
        Role.CASEWORKER: Region.Level.COMMUNITY,
        Role.STREET: Region.Level.STREET,
        Role.COUNTY: Region.Level.COUNTY,
        Role.CITY: Region.Level.CITY,
        Role.PROVINCE: Region.Level.PROVINCE,
    }

    role = models.CharField("角色", max_length=16, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属区划"
    )
    full_name = models.CharField("姓名", max_length=32, blank=True)
    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False, help_text="管理员设置的密码，本人登录后须先改为自己的密码"
    )
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.full_name or self.username


class Event(models.Model):
    """A domain event: what happened, in words, by whom, on which record, in which region.

    simple-history keeps the field diffs; the event keeps the intent.
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, verbose_name="操作人")
    verb = models.CharField("事件", max_length=200)
    target_type = models.CharField("对象类型", max_length=40)
    target_id = models.CharField("对象编号", max_length=40)
    region_code = models.CharField("区划", max_length=12, db_index=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "业务事件"
        verbose_name_plural = "业务事件"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return self.verb


# Linked benefits (五(二)–(六)) that departments act on; each list is its own API scope "list:<code>".
LINKED_BENEFITS = {
    "medical_premium": "城乡居民医保个人缴费全额资助",
    "medical_relief": "医疗救助（特困、低保、支出型）",
    "student_aid": "在校学生资助",
    "pension_contribution": "城乡居民养老保险政府代缴",
    "housing": "住房保障",
    "job_help": "零就业家庭就业援助",
}


class ApiClient(models.Model):
    """A department that calls the REST API (人社, 医保, 教育, …)."""

    SCOPES = {
        "person_lookup": "人员查询",
        "extract_upload": "比对数据上传",
        "findings": "本部门比对结果",
        "evaluate": "资格测算",
        **{f"list:{code}": f"名单：{label}" for code, label in LINKED_BENEFITS.items()},
    }

    name = models.CharField("名称", max_length=64, unique=True)
    department = models.CharField("部门", max_length=32)
    scopes = models.JSONField("权限范围", default=list, blank=True)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="区划限制",
        help_text="为空表示全省",
    )
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=600)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "部门接口客户端"
        verbose_name_plural = "部门接口客户端"

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.region_id or "360000"

    def scope_labels(self) -> list[str]:
        return [self.SCOPES.get(s, s) for s in self.scopes]


class ApiKey(models.Model):
    """A client's secret. Only a SHA-256 of the secret is kept; the key is shown once, when issued.

    Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force.
    """

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="keys", verbose_name="客户端"
    )
    prefix = models.CharField("密钥前缀", max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口密钥"
        verbose_name_plural = "接口密钥"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client} {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.client.is_active


class AccessLog(models.Model):
    """One read of personal data: by whom (a department client or a staff user), what, when, why."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.PROTECT, verbose_name="部门客户端"
    )
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, verbose_name="工作人员")
    endpoint = models.CharField("接口", max_length=200)
    what = models.CharField("查询内容", max_length=200)
    subject = models.CharField("涉及人员身份证号", max_length=18, blank=True, db_index=True)
    purpose = models.CharField("用途", max_length=200)
    count = models.PositiveIntegerField("返回条数", default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "个人数据访问日志"
        verbose_name_plural = "个人数据访问日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.client or self.user} {self.what}"


class ExportJob(models.Model):
    """A list export longer than EXPORT_MAX_ROWS, written in the background (accounts/export_jobs.py): the list
    page's own export run again for the user who asked (same URL and filters, so the same scope, masking and
    access-log row), its progress, and the file until it expires. Only that user, still in the same region,
    may download it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导出中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期删除"

    BUSY = (Status.QUEUED, Status.RUNNING)

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="export_jobs", verbose_name="导出人"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="导出人区域")
    title = models.CharField("名称", max_length=200)
    path = models.CharField("导出地址", max_length=200)
    query = models.CharField("筛选条件", max_length=2000, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    reason = models.CharField("失败原因", max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField("已运行次数", default=0)
    stored_name = models.CharField("存储文件名", max_length=100, blank=True)
    filename = models.CharField("下载文件名", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("文件删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台导出"
        verbose_name_plural = "后台导出"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="exportjob_status_idx")]

    def __str__(self) -> str:
        return f"后台导出#{self.pk} {self.title}"

    @property
    def busy(self) -> bool:
        return self.status in self.BUSY

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
