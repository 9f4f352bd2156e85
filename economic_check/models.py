"""The economic check at intake (赣发〔2018〕7号 四(三)、六(三)): each application's household checked
against the departments' data before the street review.

A check (`EconomicCheck`) is one run over every member and every source. It keeps, per member and source,
what was found and where it came from (`EconomicCheckItem`), the sources that could not be checked and why
(`EconomicCheck.sources`), and every contradiction with the declared facts (`EconomicContradiction`), each
with the rule it bears on and what the caseworker did about it. An open contradiction of the latest check
blocks the street review. The applicant may object to the result (`CheckObjection`); the objection is
recorded with the re-check it led to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from applications.models import Application


class EconomicCheck(models.Model):
    class Trigger(models.TextChoices):
        AUTO = "auto", "受理后系统自动核对"
        MANUAL = "manual", "社区工作人员发起核对"
        OBJECTION = "objection", "申请人异议后复查"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="economic_checks", verbose_name="申请"
    )
    trigger = models.CharField("发起方式", max_length=10, choices=Trigger.choices)
    run_at = models.DateTimeField("核对时间", default=timezone.now)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="核对人（空：系统）",
    )
    as_of = models.DateField("核对日期")
    # [{"kind", "label", "status": checked|not_checked, "reason", "extracts": [{"id", "period", "date", …}],
    #   "adapter"}], in the order of economic_check.sources.CHECK_KINDS
    sources = models.JSONField("各数据来源核对情况", default=list)
    members = models.PositiveSmallIntegerField("核对人数", default=0)

    class Meta:
        db_table = "cases_economiccheck"  # the table it has had since it lived in the cases app
        verbose_name = "家庭经济状况核对"
        verbose_name_plural = "家庭经济状况核对"
        ordering = ["application_id", "-id"]

    def __str__(self) -> str:
        return f"核对#{self.pk}"

    @property
    def not_checked(self) -> list[dict]:
        return [s for s in self.sources if s.get("status") != "checked"]

    @property
    def run_by_label(self) -> str:
        return str(self.run_by) if self.run_by_id else "系统"


class EconomicCheckItem(models.Model):
    """One member × one checked source: what the source holds about the member (nothing, or its facts)."""

    check_run = models.ForeignKey(
        EconomicCheck, on_delete=models.CASCADE, related_name="items", verbose_name="核对"
    )
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=32)
    source = models.CharField("数据来源", max_length=20)
    found = models.JSONField("查到的信息", default=list)  # [{"on_date", "amount", "code", "ref", "note", …}]
    summary = models.CharField("核对结果", max_length=300)
    extract_id = models.BigIntegerField("比对数据", null=True, blank=True)
    extract_date = models.DateField("数据日期", null=True, blank=True)
    contradiction = models.BooleanField("与申报不符", default=False)

    class Meta:
        db_table = "cases_economiccheckitem"  # the table it has had since it lived in the cases app
        verbose_name = "核对明细"
        verbose_name_plural = "核对明细"
        ordering = ["check_run_id", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.source}"

    @property
    def id_masked(self) -> str:
        from common.idnumber import mask

        return mask(self.id_number)


class EconomicContradiction(models.Model):
    """A fact of a department that contradicts the household's declaration, with the rule it bears on."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        CORRECTED = "corrected", "已更正申报"
        EXPLAINED = "explained", "已说明理由"

    check_run = models.ForeignKey(
        EconomicCheck, on_delete=models.CASCADE, related_name="contradictions", verbose_name="核对"
    )
    source = models.CharField("数据来源", max_length=20)
    rule = models.CharField("核对规则", max_length=24)
    clause = models.CharField("政策依据", max_length=60)
    id_number = models.CharField("身份证号码（空：全家）", max_length=18, blank=True)
    name = models.CharField("姓名", max_length=32, blank=True)
    message = models.CharField("不符情况", max_length=300)
    evidence = models.JSONField("依据数据", default=dict)
    key = models.CharField("识别键", max_length=200)
    extract_id = models.BigIntegerField("比对数据", null=True, blank=True)
    extract_date = models.DateField("数据日期", null=True, blank=True)
    carried = models.BooleanField("沿用上次核对（来源本次未核对）", default=False)
    status = models.CharField("处理状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField("更正情况/说明理由", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    history = HistoricalRecords(table_name="cases_historicaleconomiccontradiction")

    class Meta:
        db_table = "cases_economiccontradiction"  # the table it has had since it lived in the cases app
        verbose_name = "核对不符情况"
        verbose_name_plural = "核对不符情况"
        ordering = ["check_run_id", "id"]
        indexes = [models.Index(fields=["check_run", "status"])]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def id_masked(self) -> str:
        from common.idnumber import mask

        return mask(self.id_number) if self.id_number else ""

    @property
    def rule_label(self) -> str:
        from economic_check.rules import RULES

        return RULES[self.rule].label if self.rule in RULES else self.rule


class CheckObjection(models.Model):
    """The applicant objects to the check's result (2021《最低生活保障审核确认办法》第十八条): the objection
    and the re-check it led to."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="check_objections", verbose_name="申请"
    )
    check_run = models.ForeignKey(
        EconomicCheck, on_delete=models.CASCADE, related_name="objections", verbose_name="异议的核对"
    )
    contradiction = models.ForeignKey(
        EconomicContradiction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objections",
        verbose_name="异议的不符情况",
    )
    received_on = models.DateField("收到日期")
    content = models.TextField("异议内容及提供的证明")
    recheck = models.ForeignKey(
        EconomicCheck,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="复查核对",
    )
    outcome = models.CharField("复查结果", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        db_table = "cases_checkobjection"  # the table it has had since it lived in the cases app
        verbose_name = "核对结果异议"
        verbose_name_plural = "核对结果异议"
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return f"核对异议 {self.received_on}"
