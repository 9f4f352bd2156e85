from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


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
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="上级")
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
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属区划")
    full_name = models.CharField("姓名", max_length=32, blank=True)
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.full_name or self.username


class LoginFailure(models.Model):
    """One failed login; enough of them in a window lock the account name."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"


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


class ApiClient(models.Model):
    """A department that calls the REST API (人社, 医保, 教育, …)."""

    class Scope(models.TextChoices):
        PERSON_LOOKUP = "person_lookup", "人员查询"
        BENEFIT_LISTS = "benefit_lists", "关联待遇名单"
        EXTRACT_UPLOAD = "extract_upload", "比对数据上传"
        FINDINGS = "findings", "本部门比对结果"
        EVALUATE = "evaluate", "资格测算"

    name = models.CharField("名称", max_length=64, unique=True)
    department = models.CharField("部门", max_length=32)
    scopes = models.JSONField("权限范围", default=list, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="区划限制")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "部门接口客户端"
        verbose_name_plural = "部门接口客户端"

    def __str__(self) -> str:
        return self.name
