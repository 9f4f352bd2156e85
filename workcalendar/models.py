"""A year the province has entered, and its days that differ from Monday to Friday."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class CalendarYear(models.Model):
    """A year whose holidays the province has entered in full: deadlines in it are no longer estimates."""

    year = models.PositiveSmallIntegerField(
        "年份", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(
        "依据",
        max_length=200,
        help_text="如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排年份"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """A rest day on a weekday (a holiday) or a working day on a weekend (调休上班)."""

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年份")
    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("上班", default=False, help_text="勾选：调休上班日；不勾选：放假")
    name = models.CharField("名称", max_length=40, blank=True, help_text="如：春节、国庆节调休")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '放假'} {self.name}".strip()

    def clean(self) -> None:
        if self.date and self.year_id and self.date.year != self.year.year:
            raise ValidationError({"date": f"日期应在{self.year.year}年内"})
