"""Help beyond money (赣发〔2018〕7号 五(二), 五(四), 五(八), 六(二), 六(三)).

- Lead (主动发现线索, 六(三)): someone who may need help, from a caseworker, a community helper (协理员),
  a department (API) or the system; a first visit is due quickly (快速响应); it becomes an application or
  is closed with a reason.
- Pairing (结对帮扶, 六(二)): a cadre or party member paired with a household, with the visits made.
- EmploymentChange / JobSupport (五(二)): job starts and losses of members, training, referrals, start-up help.
- SchoolRecord / StudentAid (五(四)): children in school and the aid each receives (奖、助、贷、勤、减、免).
- AidOffer / AidNeed / AidMatch (五(八)): charity offers, needs published without personal data, and the
  matches made with the household's consent.

Writes are in help/services/{leads,pairing,jobs,students,charity}.py; reads in help/selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import ApiClient, Region
from applications.models import Application
from common.validators import no_hidden_characters
from households.models import MONEY, Household, Person

# --------------------------------------------------------------------------------------------------
# 主动发现 (六(三))


class Lead(models.Model):
    class Source(models.TextChoices):
        CASEWORKER = "caseworker", "社区工作人员"
        HELPER = "helper", "社区协理员"
        DEPARTMENT = "department", "部门推送"
        SYSTEM = "system", "系统预警"

    class Reason(models.TextChoices):
        MEDICAL = "medical", "大额医疗支出"
        DEATH = "death", "主要劳动力死亡"
        JOB_LOSS = "job_loss", "失业"
        ILLNESS = "illness", "重病或残疾"
        ACCIDENT = "accident", "意外事故或灾害"
        HARDSHIP = "hardship", "生活困难"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "待走访"
        VISITED = "visited", "已走访，待处理"
        CONVERTED = "converted", "已转为救助申请"
        CLOSED = "closed", "已关闭"

    class CloseReason(models.TextChoices):
        NOT_IN_NEED = "not_in_need", "经核实生活不困难"
        COVERED = "covered", "已享受相应救助"
        DECLINED = "declined", "本人不愿申请"
        NOT_FOUND = "not_found", "查无此人或已迁出"
        REFERRED = "referred", "已转其他部门或社会力量帮扶"
        DUPLICATE = "duplicate", "重复线索"

    OPEN_STATUSES = (Status.OPEN, Status.VISITED)

    community = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name="所属社区",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name="家庭档案",
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name="家庭成员",
    )
    name = models.CharField("姓名", max_length=32, validators=[no_hidden_characters])
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    address = models.CharField("住址", max_length=200, blank=True, validators=[no_hidden_characters])
    phone = models.CharField("联系电话", max_length=20, blank=True)
    source = models.CharField("线索来源", max_length=12, choices=Source.choices)
    reason = models.CharField("发现原因", max_length=12, choices=Reason.choices)
    detail = models.TextField("情况说明")
    reporter_name = models.CharField(
        "报告人", max_length=64, blank=True, help_text="协理员姓名，或部门经办人"
    )
    api_client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="推送部门"
    )
    reference = models.CharField("来源编号", max_length=64, blank=True)
    # Department and system leads are raised at most once per reference / signal.
    dedupe_key = models.CharField("去重键", max_length=120, blank=True)
    reported_on = models.DateField("发现日期")
    visit_due_on = models.DateField("首次走访时限", db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    visited_on = models.DateField("首次走访日期", null=True, blank=True)
    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name="转为申请",
    )
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    close_reason = models.CharField("关闭原因", max_length=12, choices=CloseReason.choices, blank=True)
    close_note = models.TextField("关闭说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicallead")

    class Meta:
        db_table = "cases_lead"  # the table it has had since it lived in the cases app
        verbose_name = "主动发现线索"
        verbose_name_plural = "主动发现线索"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="one_lead_per_dedupe_key"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="converted") | models.Q(application__isnull=False),
                name="converted_lead_has_application",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(close_reason=""),
                name="closed_lead_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"线索#{self.pk} {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class LeadVisit(models.Model):
    """A visit made on a lead (the first one answers the 快速响应 deadline)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="visits", verbose_name="线索")
    visited_on = models.DateField("走访日期")
    visitors = models.JSONField("走访人员", default=list)
    findings = models.TextField("走访情况")
    in_need = models.BooleanField("经走访确有困难", default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        db_table = "cases_leadvisit"  # the table it has had since it lived in the cases app
        verbose_name = "线索走访"
        verbose_name_plural = "线索走访"
        ordering = ["lead_id", "visited_on", "id"]

    def __str__(self) -> str:
        return f"走访 {self.visited_on}"


# --------------------------------------------------------------------------------------------------
# 结对帮扶 (六(二))


class Pairing(models.Model):
    class HelperKind(models.TextChoices):
        LEADER = "leader", "领导干部"
        CADRE = "cadre", "机关企事业单位干部"
        PARTY_MEMBER = "party_member", "党员"
        WORK_TEAM = "work_team", "脱贫解困工作队队员"

    class Status(models.TextChoices):
        ACTIVE = "active", "帮扶中"
        ENDED = "ended", "已结束"

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="pairings", verbose_name="家庭"
    )
    helper_name = models.CharField("帮扶责任人", max_length=32)
    helper_kind = models.CharField("身份", max_length=16, choices=HelperKind.choices)
    helper_unit = models.CharField("所在单位", max_length=100)
    helper_phone = models.CharField("联系电话", max_length=20, blank=True)
    started_on = models.DateField("结对日期")
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.TextField("结束原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicalpairing")

    class Meta:
        db_table = "cases_pairing"  # the table it has had since it lived in the cases app
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["-id"]
        constraints = [
            # One accountable helper per household at a time (一户一责任人).
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="active"),
                name="one_active_pairing_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper_name} 结对 家庭#{self.household_id}"


class PairingVisit(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits", verbose_name="结对")
    visited_on = models.DateField("走访日期")
    activities = models.TextField("帮扶内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        db_table = "cases_pairingvisit"  # the table it has had since it lived in the cases app
        verbose_name = "结对帮扶走访"
        verbose_name_plural = "结对帮扶走访"
        ordering = ["pairing_id", "visited_on", "id"]

    def __str__(self) -> str:
        return f"帮扶走访 {self.visited_on}"


# --------------------------------------------------------------------------------------------------
# 就业帮扶 (五(二))


class EmploymentChange(models.Model):
    """A member started or lost work. The member's employment and newly_employed_since change with it, and a
    start in an enrolled household begins the 渐退 of policy.md §5."""

    class Kind(models.TextChoices):
        START = "start", "就业"
        END = "end", "失业"

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="employment_changes", verbose_name="成员"
    )
    kind = models.CharField("变动", max_length=8, choices=Kind.choices)
    on_date = models.DateField("日期")
    from_status = models.CharField("原就业状况", max_length=12, choices=Person.Employment.choices)
    to_status = models.CharField("新就业状况", max_length=12, choices=Person.Employment.choices)
    employer = models.CharField("就业单位/形式", max_length=100, blank=True)
    monthly_wage = models.DecimalField("月工资（元）", null=True, blank=True, **MONEY)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="录入人",
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        db_table = "cases_employmentchange"  # the table it has had since it lived in the cases app
        verbose_name = "就业变动"
        verbose_name_plural = "就业变动"
        ordering = ["person_id", "on_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date}"


class JobSupport(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", "就业技能培训"
        REFERRAL = "referral", "职业介绍/岗位推荐"
        GUIDANCE = "guidance", "就业指导/政策咨询"
        PUBLIC_POST = "public_post", "公益性岗位安置"
        STARTUP_TRAINING = "startup_training", "创业培训/指导"
        STARTUP_LOAN = "startup_loan", "创业担保贷款"
        TAX_RELIEF = "tax_relief", "税费减免/场地租赁优惠"

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="job_supports", verbose_name="成员"
    )
    kind = models.CharField("帮扶方式", max_length=16, choices=Kind.choices)
    on_date = models.DateField("日期")
    provider = models.CharField("提供单位", max_length=100)
    detail = models.TextField("内容")
    amount = models.DecimalField("补贴/贷款金额（元）", null=True, blank=True, **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicaljobsupport")

    class Meta:
        db_table = "cases_jobsupport"  # the table it has had since it lived in the cases app
        verbose_name = "就业帮扶"
        verbose_name_plural = "就业帮扶"
        ordering = ["person_id", "-on_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date}"


class WorkRefusal(models.Model):
    """A suitable job the employment service offered a member, refused (policy.md §8.2; 社会救助暂行办法 第四十五条).
    The caseworker records the reason the member gave and whether it is a good reason (正当理由: illness, caring
    for a family member, a job beyond the member's capacity…). Three unjustified refusals in a row let the county
    reduce or stop that member's own share, never the household's benefit."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="work_refusals", verbose_name="成员"
    )
    offered_on = models.DateField("介绍日期")
    offer = models.CharField("介绍的工作", max_length=100)
    offered_by = models.CharField("介绍单位", max_length=100)
    reason_given = models.CharField("本人陈述的理由", max_length=200, blank=True)
    justified = models.BooleanField("理由正当", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "拒绝介绍工作记录"
        verbose_name_plural = "拒绝介绍工作记录"
        ordering = ["person_id", "offered_on", "id"]

    def __str__(self) -> str:
        return f"{self.offered_on} {self.offer}"

    @classmethod
    def unjustified_in_a_row(cls, person: Person) -> list[WorkRefusal]:
        """The member's latest refusals without good reason, in a row, oldest first: a justified refusal or a
        start of work (EmploymentChange) breaks the row. Here, with the data, so benefits (which decides the
        reduction) and job help (which records the refusals) count the same way."""
        started = (
            EmploymentChange.objects.filter(person=person, kind=EmploymentChange.Kind.START)
            .order_by("-on_date")
            .values_list("on_date", flat=True)
            .first()
        )
        row: list[WorkRefusal] = []
        for refusal in cls.objects.filter(person=person).order_by("-offered_on", "-id"):
            if refusal.justified or (started is not None and refusal.offered_on < started):
                break
            row.append(refusal)
        return list(reversed(row))


# --------------------------------------------------------------------------------------------------
# 教育救助 (五(四))


class SchoolRecord(models.Model):
    """A member in school: one current record per person, kept current (the history keeps what changed)."""

    class Stage(models.TextChoices):
        PRESCHOOL = "preschool", "学前教育"
        PRIMARY = "primary", "小学"
        JUNIOR = "junior", "初中"
        SENIOR = "senior", "普通高中"
        VOCATIONAL = "vocational", "中等职业教育"
        COLLEGE = "college", "高等职业教育（专科）"
        UNDERGRADUATE = "undergraduate", "本科"
        GRADUATE = "graduate", "研究生"

    class Status(models.TextChoices):
        IN_SCHOOL = "in_school", "在读"
        SUSPENDED = "suspended", "休学"
        GRADUATED = "graduated", "已毕业"
        LEFT = "left", "已离校"

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="school_record", verbose_name="学生"
    )
    school = models.CharField("学校", max_length=100)
    stage = models.CharField("学段", max_length=16, choices=Stage.choices)
    grade = models.CharField("年级", max_length=20, blank=True)
    student_no = models.CharField("学籍号", max_length=40, blank=True)
    status = models.CharField(
        "在读状态", max_length=12, choices=Status.choices, default=Status.IN_SCHOOL, db_index=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    # Bumped by every change of the record or its aid; the education department syncs on it (changed_since).
    updated_at = models.DateTimeField("更新时间", default=timezone.now, db_index=True)
    history = HistoricalRecords(table_name="cases_historicalschoolrecord")

    class Meta:
        db_table = "cases_schoolrecord"  # the table it has had since it lived in the cases app
        verbose_name = "在校学生"
        verbose_name_plural = "在校学生"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.school} {self.get_stage_display()}"


class StudentAid(models.Model):
    class Kind(models.TextChoices):
        SCHOLARSHIP = "scholarship", "奖（奖学金）"
        GRANT = "grant", "助（助学金）"
        LOAN = "loan", "贷（助学贷款）"
        WORK_STUDY = "work_study", "勤（勤工助学）"
        REDUCTION = "reduction", "减（学费减收）"
        WAIVER = "waiver", "免（学杂费减免）"

    school_record = models.ForeignKey(
        SchoolRecord, on_delete=models.CASCADE, related_name="aids", verbose_name="学生"
    )
    kind = models.CharField("资助项目", max_length=12, choices=Kind.choices)
    school_year = models.CharField("学年", max_length=9, help_text="如 2018-2019")
    amount = models.DecimalField("金额（元）", **MONEY)
    provider = models.CharField("资助单位", max_length=100, blank=True)
    granted_on = models.DateField("发放日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicalstudentaid")

    class Meta:
        db_table = "cases_studentaid"  # the table it has had since it lived in the cases app
        verbose_name = "学生资助"
        verbose_name_plural = "学生资助"
        ordering = ["school_record_id", "school_year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_record", "kind", "school_year"], name="one_aid_per_student_kind_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.school_year}"


# --------------------------------------------------------------------------------------------------
# 社会力量帮扶 (五(八))


class AidKind(models.TextChoices):
    JOB = "job", "就业"
    MEDICAL = "medical", "医疗"
    EDUCATION = "education", "子女助学"
    SOCIAL_INSURANCE = "social_insurance", "社保"
    HOUSING = "housing", "住房"
    LIVING = "living", "生活物资/慰问"


class AidOffer(models.Model):
    class ProviderKind(models.TextChoices):
        ORGANISATION = "organisation", "社会组织"
        COMPANY = "company", "企事业单位"
        VOLUNTEER = "volunteer", "爱心人士"
        UNION = "union", "工会"

    class Status(models.TextChoices):
        OPEN = "open", "可对接"
        CLOSED = "closed", "已结束"

    provider_name = models.CharField("提供方", max_length=100)
    provider_kind = models.CharField("提供方类型", max_length=16, choices=ProviderKind.choices)
    title = models.CharField("项目名称", max_length=100)
    kind = models.CharField("帮扶类别", max_length=16, choices=AidKind.choices)
    amount = models.DecimalField(
        "每户金额（元）", null=True, blank=True, help_text="实物或服务可不填", **MONEY
    )
    places = models.PositiveIntegerField("可帮扶户数", null=True, blank=True, help_text="不填为不限")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="aid_offers", verbose_name="帮扶范围"
    )
    conditions = models.TextField("帮扶条件", blank=True)
    contact = models.CharField("提供方联系人及电话", max_length=100, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicalaidoffer")

    class Meta:
        db_table = "cases_aidoffer"  # the table it has had since it lived in the cases app
        verbose_name = "社会帮扶资源"
        verbose_name_plural = "社会帮扶资源"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.provider_name}：{self.title}"


class AidNeed(models.Model):
    """A household's need, published without personal data: the public page shows the kind, the text (which
    the service checks for the household's names, ID numbers, address and phone) and the community's name."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "公开征集中"
        MATCHED = "matched", "已对接"
        WITHDRAWN = "withdrawn", "已撤回"

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="aid_needs", verbose_name="家庭"
    )
    kind = models.CharField("需求类别", max_length=16, choices=AidKind.choices)
    description = models.TextField("需求说明（公开，不含个人信息）")
    amount_needed = models.DecimalField("所需金额（元）", null=True, blank=True, **MONEY)
    consent_on = models.DateField("家庭同意公开日期")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    published_on = models.DateField("发布日期")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发布人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicalaidneed")

    class Meta:
        db_table = "cases_aidneed"  # the table it has had since it lived in the cases app
        verbose_name = "帮扶需求"
        verbose_name_plural = "帮扶需求"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"需求#{self.pk} {self.get_kind_display()}"


class AidMatch(models.Model):
    """An offer matched to a household, with the household's consent; the aid given is recorded on it."""

    class Status(models.TextChoices):
        MATCHED = "matched", "已对接，待落实"
        DELIVERED = "delivered", "已落实"
        CANCELLED = "cancelled", "已取消"

    offer = models.ForeignKey(
        AidOffer, on_delete=models.PROTECT, related_name="matches", verbose_name="帮扶资源"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="aid_matches", verbose_name="家庭"
    )
    need = models.ForeignKey(
        AidNeed,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
        verbose_name="对应需求",
    )
    consent = models.BooleanField("家庭已同意")
    consent_on = models.DateField("同意日期")
    consent_by = models.CharField("同意人", max_length=32)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.MATCHED, db_index=True
    )
    delivered_on = models.DateField("落实日期", null=True, blank=True)
    delivered_amount = models.DecimalField("实际帮扶金额（元）", null=True, blank=True, **MONEY)
    delivered_description = models.TextField("帮扶落实情况", blank=True)
    note = models.TextField("说明", blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="对接人"
    )
    created_at = models.DateTimeField("对接时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords(table_name="cases_historicalaidmatch")

    class Meta:
        db_table = "cases_aidmatch"  # the table it has had since it lived in the cases app
        verbose_name = "帮扶对接"
        verbose_name_plural = "帮扶对接"
        ordering = ["-id"]
        constraints = [
            # No match without the household's consent, whatever writes the row.
            models.CheckConstraint(condition=models.Q(consent=True), name="aid_match_requires_consent"),
        ]

    def __str__(self) -> str:
        return f"对接#{self.pk}"
