"""Enrolments: what an approved application becomes, and what the monthly payment rolls pay."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models import MONEY, Application, Category, Household, Person


class Enrolment(models.Model):
    """A household's coverage in one category from a start month: the covered members, the monthly amount
    and its components as the rules computed them at the decision (policy.md §5)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "享受中"
        EXITED = "exited", "已退出"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="enrolments",
                                  verbose_name="家庭")
    # One application, one enrolment: a second concurrent approval fails on this constraint.
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="enrolment",
                                       verbose_name="审批申请")
    category = models.CharField("救助类别", max_length=8, choices=Category.choices)
    members = models.ManyToManyField(Person, through="EnrolmentMember", related_name="enrolments",
                                     verbose_name="保障成员")
    components = models.JSONField("金额构成", default=dict)
    monthly_amount = models.DecimalField("月救助金（元）", **MONEY)
    start_month = models.DateField("起始月份")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="批准人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "救助对象"
        verbose_name_plural = "救助对象"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "category"], condition=models.Q(status="active"),
                                    name="one_active_enrolment_per_household_category"),
            models.CheckConstraint(condition=models.Q(start_month__day=1), name="enrolment_starts_on_the_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} 家庭#{self.household_id}"


class EnrolmentMember(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="covered",
                                  verbose_name="救助对象")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="成员")
    category = models.CharField("成员类别", max_length=8, choices=Category.choices)
    amounts = models.JSONField("个人金额构成", default=dict)

    class Meta:
        verbose_name = "保障成员"
        verbose_name_plural = "保障成员"
        ordering = ["enrolment_id", "id"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "person"], name="one_row_per_enrolled_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.category}"
