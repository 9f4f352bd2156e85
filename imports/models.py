"""A workbook of households uploaded by county or street staff (imports/workbook.py): checked, previewed, then
imported all or nothing by a Celery task (imports/services.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Region


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传，待校验"
        VALIDATING = "validating", "校验中"
        CHECKED = "checked", "校验通过，待确认导入"
        REJECTED = "rejected", "有错误，未导入"
        FAILED = "failed", "无法读取或导入失败，未导入"
        DISCARDED = "discarded", "已放弃，未导入"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已导入"

    BUSY = (Status.UPLOADED, Status.VALIDATING, Status.IMPORTING)

    # The uploader's region at upload: who else may read the batch (accounts.scope on region__code).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="上传人辖区")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    original_name = models.CharField("原文件名", max_length=200)
    stored_name = models.CharField("存储文件名", max_length=60, unique=True)
    size = models.BigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    stage = models.CharField("当前步骤", max_length=60, blank=True)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_checked = models.PositiveIntegerField("已校验行数", default=0)
    households = models.PositiveIntegerField("家庭数", default=0)
    persons = models.PositiveIntegerField("人数", default=0)
    enrolments = models.PositiveIntegerField("救助对象数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    error = models.TextField("失败原因", blank=True)
    ignored_columns = models.JSONField("忽略的列", default=list, blank=True)
    preview = models.JSONField("预览（前若干行，身份证号码已遮盖）", default=list, blank=True)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    validated_at = models.DateTimeField("校验完成", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认导入时间", null=True, blank=True)
    imported_at = models.DateTimeField("导入完成", null=True, blank=True)
    validate_seconds = models.FloatField("校验用时（秒）", null=True, blank=True)
    import_seconds = models.FloatField("导入用时（秒）", null=True, blank=True)

    class Meta:
        db_table = "cases_importbatch"  # the table it has had since it lived in the cases app
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"台账导入#{self.pk} {self.original_name}"

    @property
    def busy(self) -> bool:
        return self.status in self.BUSY


class ImportIssue(models.Model):
    """One error of a batch: the row (line of the sheet), the column letter and header, and why."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="issues", verbose_name="导入批次"
    )
    line = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=4, blank=True)
    label = models.CharField("列名", max_length=40, blank=True)
    message = models.CharField("错误", max_length=300)
    value = models.CharField("原值", max_length=64, blank=True)

    class Meta:
        db_table = "cases_importissue"  # the table it has had since it lived in the cases app
        verbose_name = "导入错误"
        verbose_name_plural = "导入错误"
        ordering = ["batch_id", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """「第12行 C列「身份证号码」：校验位错误」: where (row, column letter, column name) and what."""
        where = f"第{self.line}行" if self.line else "文件"
        if self.column:
            where += f" {self.column}列「{self.label}」"
        elif self.label:
            where += f"「{self.label}」"
        return f"{where}：{self.message}"
