from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Region
from common import idnumber
from common.validators import no_hidden_characters

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class HardshipCause(models.TextChoices):
    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    ACCIDENT = "accident", "因灾/意外"
    SCHOOLING = "schooling", "因学"
    UNEMPLOYMENT = "unemployment", "失业"
    NO_HOUSING = "no_housing", "无房"


class Household(models.Model):
    class Housing(models.TextChoices):
        OWN = "own", "自有住房"
        PUBLIC_RENTAL = "public_rental", "公租房/廉租房"
        RENTED = "rented", "租赁私房"
        SHANTY = "shanty", "棚户区/危旧房"
        NONE = "none", "无固定住所"
        OTHER = "other", "其他"

    community = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name="所属社区",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    address = models.CharField("住址", max_length=200, validators=[no_hidden_characters])
    phone = models.CharField("联系电话", max_length=20, blank=True)
    housing = models.CharField("住房情况", max_length=16, choices=Housing.choices, default=Housing.OWN)
    bank_name = models.CharField("开户银行", max_length=64, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    # Property declaration (policy.md §3)
    financial_assets = models.DecimalField("金融资产（元）", default=Decimal("0"), **MONEY)
    vehicles = models.PositiveSmallIntegerField("机动车辆（辆，不含残疾人代步车）", default=0)
    houses = models.PositiveSmallIntegerField("房产（套）", default=0)
    business = models.BooleanField("有营业执照", default=False)
    monthly_rigid_expenditure = models.DecimalField("刚性支出（元/月）", default=Decimal("0"), **MONEY)
    hardship_causes = models.JSONField("致困原因", default=list, blank=True)
    created_at = models.DateTimeField("建档时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicalhousehold")

    class Meta:
        db_table = "cases_household"  # the table it has had since it lived in the cases app
        verbose_name = "家庭"
        verbose_name_plural = "家庭"
        ordering = ["-id"]
        # A household id to its community without the wide row: the oversight reports' 在办/超期 join open
        # applications to it.
        indexes = [models.Index(fields=["id"], include=["community"], name="household_id_community_idx")]

    def __str__(self) -> str:
        return f"家庭#{self.pk} {self.address}"

    @property
    def head(self) -> Person | None:
        for m in self.members.all():
            if m.relation == Person.Relation.HEAD:
                return m
        return None

    def hardship_cause_labels(self) -> list[str]:
        labels = dict(HardshipCause.choices)
        return [labels.get(c, c) for c in self.hardship_causes]


class Person(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", "户主"
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        GRANDCHILD = "grandchild", "孙子女"
        GRANDPARENT = "grandparent", "祖父母"
        SIBLING = "sibling", "兄弟姐妹"
        OTHER = "other", "其他"

    class Labor(models.TextChoices):
        FULL = "full", "有劳动能力"
        PARTIAL = "partial", "部分劳动能力"
        NONE = "none", "无劳动能力"

    class SelfCare(models.TextChoices):
        FULL = "full", "全自理"
        SEMI = "semi", "半失能"
        NONE = "none", "全失能"

    class Orphan(models.TextChoices):
        SCATTERED = "scattered", "散居孤儿"
        INSTITUTIONAL = "institutional", "机构供养孤儿"

    class DisabilityKind(models.TextChoices):
        VISUAL = "visual", "视力"
        HEARING = "hearing", "听力"
        SPEECH = "speech", "言语"
        PHYSICAL = "physical", "肢体"
        INTELLECTUAL = "intellectual", "智力"
        MENTAL = "mental", "精神"
        MULTIPLE = "multiple", "多重"

    class Employment(models.TextChoices):
        EMPLOYED = "employed", "就业"
        FLEXIBLE = "flexible", "灵活就业"
        UNEMPLOYED = "unemployed", "失业/未就业"
        STUDENT = "student", "在校学生"
        RETIRED = "retired", "退休"
        NOT_APPLICABLE = "na", "不适用"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name="家庭"
    )
    name = models.CharField("姓名", max_length=32, validators=[no_hidden_characters])
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")])
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices)
    labor_capacity = models.CharField("劳动能力", max_length=8, choices=Labor.choices, default=Labor.FULL)
    disability_grade = models.PositiveSmallIntegerField(
        "残疾等级",
        default=0,
        validators=[MaxValueValidator(4)],
        choices=[(0, "无"), (1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")],
    )
    # Empty: not recorded. With a grade ≥ 1 that is "待补充" (to complete at the next review); the rules
    # then deem nobody by kind (policy.md §3). Records from before version 2 keep it empty: never guessed.
    disability_kind = models.CharField(
        "残疾类别", max_length=16, choices=DisabilityKind.choices, blank=True, default=""
    )
    self_care = models.CharField(
        "生活自理能力", max_length=8, choices=SelfCare.choices, default=SelfCare.FULL
    )
    has_able_supporter = models.BooleanField("有履行能力的法定赡养/抚养/扶养人", default=True)
    supporter_unable_reason = models.CharField(
        "法定义务人无履行能力的原因",
        max_length=200,
        blank=True,
        default="",
        help_text="如：服刑、重病、下落不明；家中有法定义务人却登记为无赡养/抚养/扶养人时必须说明",
    )
    orphan = models.CharField("孤儿", max_length=16, choices=Orphan.choices, blank=True, default="")
    income_wage = models.DecimalField("工资性收入（元/月）", default=Decimal("0"), **MONEY)
    income_business = models.DecimalField("经营性收入（元/月）", default=Decimal("0"), **MONEY)
    income_property = models.DecimalField("财产性收入（元/月）", default=Decimal("0"), **MONEY)
    income_transfer = models.DecimalField("转移性收入（养老金等，元/月）", default=Decimal("0"), **MONEY)
    income_other = models.DecimalField("其他收入（元/月）", default=Decimal("0"), **MONEY)
    employment = models.CharField(
        "就业状况", max_length=12, choices=Employment.choices, default=Employment.NOT_APPLICABLE
    )
    newly_employed_since = models.DateField("新就业日期", null=True, blank=True)
    history = HistoricalRecords(table_name="cases_historicalperson")

    INCOME_FIELDS = ("income_wage", "income_business", "income_property", "income_transfer", "income_other")

    class Meta:
        db_table = "cases_person"  # the table it has had since it lived in the cases app
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(relation="head"), name="one_head_per_household"
            ),
            models.CheckConstraint(condition=models.Q(disability_grade__lte=4), name="disability_grade_0_4"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def to_complete(self) -> list[str]:
        """Facts version 2 of the rules reads that this record does not have yet (shown as 待补充, to be
        completed at the next review)."""
        missing = []
        if self.disability_grade and not self.disability_kind:
            missing.append("残疾类别")
        return missing

    @property
    def monthly_income(self) -> Decimal:
        return sum((getattr(self, f) for f in self.INCOME_FIELDS), Decimal("0"))

    @property
    def id_masked(self) -> str:
        return idnumber.mask(self.id_number)
