from __future__ import annotations

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Region


def money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, null=True, blank=True)


def ratio(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=6, decimal_places=4, null=True, blank=True)


class Standard(models.Model):
    """A region's yearly standards (policy.md §2). Empty fields are unknown, never defaulted.

    A lookup for region R and year Y takes the nearest record walking up R → city → province.
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="standards", verbose_name="区划"
    )
    year = models.PositiveSmallIntegerField("年度")
    dibao = money("低保标准（元/人/月）")
    subsidy_target = money("人均补差目标（元/人/月）")
    tekun = money("特困供养标准（元/人/月）")
    care_ratio_full = ratio("全失能护理费占最低工资比例")
    care_ratio_semi = ratio("半失能护理费占最低工资比例")
    min_wage = money("当地最低工资（元/月）")
    orphan_scattered = money("散居孤儿基本生活费（元/人/月）")
    orphan_institutional = money("机构供养孤儿基本生活费（元/人/月）")
    disability_living = money("困难残疾人生活补贴（元/人/月）")
    disability_care = money("重度残疾人护理补贴（元/人/月）")
    zhichu_multiplier = ratio("支出型贫困收入上限（低保标准的倍数）")
    extension_months = models.PositiveSmallIntegerField("就业渐退期（月）", null=True, blank=True)
    extension_months_disabled = models.PositiveSmallIntegerField(
        "有残疾成员的渐退期（月）", null=True, blank=True
    )
    property_months = ratio("人均金融资产上限（低保标准的月数）")
    property_vehicles = models.PositiveSmallIntegerField("允许机动车辆（辆）", null=True, blank=True)
    property_houses = models.PositiveSmallIntegerField("允许房产（套）", null=True, blank=True)
    property_business_allowed = models.BooleanField("允许有营业执照", null=True, blank=True)
    per_event_cap = money("临时救助单次上限（元）")
    annual_cap = money("临时救助年度上限（元）")
    annual_times = models.PositiveSmallIntegerField("临时救助年度次数", null=True, blank=True)
    extra_times = models.PositiveSmallIntegerField("三类对象可增加次数（1–2）", null=True, blank=True)
    street_limit = money("街道备用金审批额度（元）")
    uplift_max = ratio("支出型救助上浮比例上限（≤0.50）")
    # 五(三), policy.md §8.4: the medical-relief list carries them for each row's region.
    medical_uplift_pp = ratio("低保对象医疗救助比例提高（百分点）")
    serious_illness_threshold = money("支出型家庭医疗救助大病起付线（元/年）")
    placeholder_fields = models.JSONField(
        "演示占位字段", default=list, blank=True, help_text="这些数值是演示占位，并非当地正式标准"
    )
    entry_warnings = models.JSONField(
        "录入时的提示",
        default=list,
        blank=True,
        help_text="保存时政策规则给出的提示（如低于省级标准），录入人确认后保存，随记录保留",
    )
    source = models.CharField("依据", max_length=200, blank=True)
    effective_month = models.DateField("执行起始月", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    FIELDS = (
        "dibao",
        "subsidy_target",
        "tekun",
        "care_ratio_full",
        "care_ratio_semi",
        "min_wage",
        "orphan_scattered",
        "orphan_institutional",
        "disability_living",
        "disability_care",
        "zhichu_multiplier",
        "extension_months",
        "extension_months_disabled",
        "property_months",
        "property_vehicles",
        "property_houses",
        "property_business_allowed",
        "per_event_cap",
        "annual_cap",
        "annual_times",
        "extra_times",
        "street_limit",
        "uplift_max",
        "medical_uplift_pp",
        "serious_illness_threshold",
    )

    class Meta:
        verbose_name = "年度标准"
        verbose_name_plural = "年度标准"
        ordering = ["region_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_standard_per_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}年标准"
