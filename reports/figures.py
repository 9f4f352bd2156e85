"""Oversight reports (六(五) 每季一调度、半年一通报、全年一考核): set-based aggregates over a region and a run of
months, each broken down by the region's child regions (a city sees its counties side by side).

Every figure is one GROUP BY over a code prefix (`LIKE '3601%'`, `substr(code, 1, 6)` for the child region), a
constant number of queries whatever the number of households. Definitions, so the figures can be checked:

- **在保 (beneficiaries)** in a month: the current (not superseded) enrolment periods covering the month with a
  paying status (正常/渐退). 户数 of a category = such enrolments (one per household and category); 合计户数 = distinct
  households; 人数 = the periods' `covered_count`. The tables give the last month of the period, the trend every month.
  Enrolments are placed by `Enrolment.community_code`, their household's current community (the admin, the one
  place a household moves, moves it along), so no query joins the households.
- **新增 (entries)**: enrolments whose `start_month` lies in the period; **退出 (exits)**: enrolments whose `ended_on`
  (last day paid) lies in the period, by exit reason.
- **发放资金 (money paid)**: the locked rolls of the months in the period, from their per-community totals
  (benefits.PaymentRollTotal: paid lines only, components from regular lines, arrears and 增发 on their own).
- **实际人均补差**: 低保补差 + 支出型补差 paid on the 低保 and 支出型 rolls ÷ the person-months on those rolls' regular
  lines; **目标** is the `subsidy_target` of the standard in force for the period's last year (nearest up the tree),
  **指导** the provincial guidance 380 × 1.09^(year − 2018) (eligibility.standard_entry.guidance).
- **办理时效 (timeliness)**: applications the county decided in the period (the first 县级审批 event); days between
  milestones from their ApplicationEvent rows: first 受理, last 入户调查, last 民主评议, last 街道审核通过, last 开始公示,
  the decision — read from applications.ApplicationTimes, the one row per application the event writer keeps from them. **超期**: open applications whose current step's `due_on` is before the as-of day.
- **比对疑点 (findings)**: findings raised in the period (by their community), tasks resolved in the period by outcome,
  and how many of the period's findings are still open.
- **临时救助 (relief)**: grants paid (已发放) with their decision day in the period, by the household's community, count
  and amount per kind — 急难型, 支出型 and, on its own columns, 特别救助 (五(七): county-approved, outside the yearly
  cap of temporary relief).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr
from django.http import Http404

from accounts.models import Region
from accounts.permissions import can_read_reports
from accounts.scope import ALL, in_scope, region_prefix, scope_filter
from applications.models import Application, ApplicationTimes, Category
from benefits.compute import COMPONENT_LABELS
from benefits.models import (
    Enrolment,
    EnrolmentMember,
    EnrolmentPeriod,
    PaymentRoll,
    PaymentRollTotal,
    ReliefGrant,
)
from benefits.models.rolls import TOTAL_COMPONENTS
from common.dates import add_months, month_count, month_end, months_between, parse_month, years_before
from common.money import round_half_up
from config.errors import ServiceError
from eligibility.ages import WORKING_AGE_UNTIL
from eligibility.standard_entry import gap_percent, guidance
from eligibility.standards import StandardsLookup
from help.models import SchoolRecord
from households.models import Household, Person
from ledgers.models import Extract, ExtractRow, Finding, ReviewTask
from ledgers.rules import RULES

CHILD = {2: 4, 4: 6, 6: 9, 9: 12}
CATEGORIES = [(c.value, short) for c, short in zip(Category, ("低保", "特困", "支出型"), strict=True)]
PAYING = EnrolmentPeriod.PAYING
TZ = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
WORK_MEM = "64MB"  # per sort/hash of a report query, this transaction only (see _analytic_session)
KINDS = {
    "custom": "统计报表",
    "quarterly": "每季一调度",
    "half": "半年一通报",
    "yearly": "全年一考核",
}
# The sections each ready-made view combines.
SECTIONS = {
    "custom": (
        "beneficiaries",
        "coverage",
        "flows",
        "money",
        "subsidy",
        "standards",
        "relief",
        "timeliness",
        "findings",
    ),
    "quarterly": ("beneficiaries", "coverage", "flows", "money", "relief", "timeliness", "findings"),
    "half": ("beneficiaries", "coverage", "flows", "money", "relief", "subsidy", "timeliness", "findings"),
    "yearly": (
        "beneficiaries",
        "coverage",
        "flows",
        "money",
        "relief",
        "subsidy",
        "standards",
        "timeliness",
        "findings",
    ),
}
DAY_BUCKETS = ((0, 30, "30天以内"), (31, 45, "31–45天"), (46, 60, "46–60天"), (61, None, "60天以上"))
STEPS = (
    ("intake", "visit", "受理→入户调查"),
    ("visit", "review", "调查→民主评议"),
    ("review", "street", "评议→街道审核"),
    ("street", "notice", "审核→公示"),
    ("notice", "decided", "公示→县级审批"),
    ("intake", "decided", "受理→审批（合计）"),
)


# --- who, where, when -------------------------------------------------------------------------------


def report_regions(*, user):
    """The regions a user may pick: their own and every city/county inside it (streets through drill-down)."""
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    if not can_read_reports(user):
        return qs.none()
    return scope_filter(qs, user, "code").order_by("code")


def report_region(*, user, code: str | None) -> Region:
    """The region to report on: the one asked for if it is in scope (province to street), else a 404;
    without one, the user's own region (the province for auditors)."""
    if not can_read_reports(user):
        raise Http404
    if not code:
        code = user.region_id if region_prefix(user) != ALL and user.region_id else "360000"
    region = Region.objects.filter(code=code, level__lte=Region.Level.STREET).first()
    if region is None or not in_scope(user, region.code):
        raise Http404
    return region


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day of the first month
    end: dt.date  # first day of the last month
    kind: str = "range"  # month | quarter | half | year | range
    key: str = ""

    @property
    def last_day(self) -> dt.date:
        return month_end(self.end)

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.start, None, limit=add_months(self.end, 1))

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month + 2) // 3}季度"
        if self.kind == "half":
            return f"{self.start.year}年{'上' if self.start.month == 1 else '下'}半年"
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.start == self.end:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年{self.start.month}月至{self.end.year}年{self.end.month}月"

    def aware(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in Asia/Shanghai (for created_at / resolved_at)."""
        after = add_months(self.end, 1)
        return (dt.datetime.combine(self.start, dt.time(), TZ), dt.datetime.combine(after, dt.time(), TZ))


PERIOD_KEY = re.compile(r"^(\d{4})(?:(Q)([1-4])|(H)([12]))?$")
MAX_MONTHS = 36


def period_from_key(key: str) -> Period:
    """ "2026Q1", "2026H2", "2026" → the quarter, half-year or year."""
    m = PERIOD_KEY.match((key or "").strip().upper())
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise ServiceError("统计期格式应为 2026Q1（季度）、2026H1（半年）或 2026（全年）", field="period")
    year = int(m.group(1))
    if m.group(2):
        q = int(m.group(3))
        return Period(dt.date(year, 3 * q - 2, 1), dt.date(year, 3 * q, 1), "quarter", f"{year}Q{q}")
    if m.group(4):
        h = int(m.group(5))
        return Period(dt.date(year, 6 * h - 5, 1), dt.date(year, 6 * h, 1), "half", f"{year}H{h}")
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 1), "year", str(year))


def _month(value: str, name: str) -> dt.date:
    month = parse_month(value)
    if month is None or not 2000 <= month.year <= 2100:
        raise ServiceError("月份格式应为 2026-01", field=name)
    return month


def period_from_months(start: str, end: str) -> Period:
    first, last = _month(start, "from"), _month(end, "to")
    if last < first:
        raise ServiceError("截止月份不能早于起始月份", field="to")
    if month_count(first, last) > MAX_MONTHS:
        raise ServiceError(f"统计期最长 {MAX_MONTHS} 个月", field="to")
    key = f"{first:%Y-%m}~{last:%Y-%m}"
    return Period(first, last, "month" if first == last else "range", key)


def latest_complete(kind: str, today: dt.date) -> Period:
    """The quarter / half-year / year that ended most recently before `today` (custom: the last 12 months)."""
    if kind == "quarterly":
        q = (today.month - 1) // 3  # quarters finished this year
        return period_from_key(f"{today.year}Q{q}" if q else f"{today.year - 1}Q4")
    if kind == "half":
        return period_from_key(f"{today.year}H1" if today.month > 6 else f"{today.year - 1}H2")
    if kind == "yearly":
        return period_from_key(str(today.year - 1))
    last = add_months(today.replace(day=1), -1)
    return Period(add_months(last, -11), last, "range", "")


def period_choices(kind: str, today: dt.date, n: int = 8) -> list[tuple[str, str]]:
    """The recent periods of a kind, newest first (the picker of the ready-made views)."""
    out: list[Period] = [latest_complete(kind, today)]
    while len(out) < n:
        prev = add_months(out[-1].start, -1)
        if kind == "quarterly":
            out.append(period_from_key(f"{prev.year}Q{(prev.month + 2) // 3}"))
        elif kind == "half":
            out.append(period_from_key(f"{prev.year}H{1 if prev.month <= 6 else 2}"))
        else:
            out.append(period_from_key(str(prev.year)))
    return [(p.key, p.label) for p in out]


# --- the tables -----------------------------------------------------------------------------------


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    footer: list[list[Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    region: Region
    period: Period
    kind: str
    areas: list[tuple[str, str, str]]  # (prefix, name, code) of the child regions
    tables: list[Table] = field(default_factory=list)
    charts: dict[str, Any] = field(default_factory=dict)
    tiles: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.region.name}{self.period.label}{KINDS[self.kind]}"


# The charts a report may carry, in page order: (key, caption, the table's first column, drawn as lines?).
CHARTS = (
    ("trend", "逐月在保人数、户次", "月份", True),
    ("coverage", "整户保障比例、三保障均达到比例（%）", "区划", False),
    ("money", "资金发放按构成（元）", "构成", False),
    ("money_months", "逐月发放总额（元）", "月份", False),
    ("subsidy", "实际人均补差与目标（元/人/月）", "区划", False),
    ("timeliness", "审批办结用时分布（件）", "办结用时", False),
    ("findings", "比对疑点按规则", "规则", False),
)


@dataclass(frozen=True)
class Figure:
    """One chart of a report with its numbers as a table, for the page (beside the chart) and the workbook."""

    key: str
    caption: str
    line: bool
    data: dict[str, Any]
    table: Table


def _cell(value: Any) -> Any:
    # Money reaches the charts as float (JSON); the table shows it as the yuan amount it was.
    return Decimal(str(value)).quantize(Decimal("0.01")) if isinstance(value, float) else value


def chart_figures(report: Report) -> list[Figure]:
    """The report's charts, each with a table of exactly the numbers it draws (one row per label, one column per
    series), so a reader who cannot see the chart reads the same figures."""
    figures = []
    for key, caption, first, line in CHARTS:
        data = report.charts.get(key)
        if not data:
            continue
        series = data["series"]
        rows = [[label, *(_cell(s["values"][i]) for s in series)] for i, label in enumerate(data["labels"])]
        table = Table(f"chart-{key}", caption, [first, *(s["name"] for s in series)], rows)
        figures.append(Figure(key, caption, line, data, table))
    return figures


def _yuan(value) -> Decimal:
    return round_half_up(Decimal(value or 0))


def _ratio(num: Decimal, den: int) -> Decimal | None:
    return (Decimal(num) / den).quantize(CENT, rounding=ROUND_HALF_UP) if den else None


def _avg_days(total: int, n: int) -> Decimal | None:
    return (Decimal(total) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if n else None


class _Ctx:
    def __init__(self, region: Region, period: Period, today: dt.date):
        self.region, self.period, self.today = region, period, today
        self.prefix = region.prefix
        self.child = CHILD[len(self.prefix)]
        found = list(
            Region.objects.filter(parent=region).order_by("code").values_list("prefix", "name", "code")
        )
        self.children = [(prefix, name) for prefix, name, _ in found]
        self.codes = {prefix: code for prefix, _, code in found}

    def rows(self, by_area: dict[str, list], width: int) -> list[list[Any]]:
        """One row per child region (zeros where it has nothing), named "名称（前缀）"."""
        out = [[f"{name}（{prefix}）", *by_area.get(prefix, [0] * width)] for prefix, name in self.children]
        known = {p for p, _ in self.children}
        out += [
            [f"（未知区划 {area}）", *vals] for area, vals in sorted(by_area.items()) if area not in known
        ]
        return out


def _sum_columns(rows: list[list[Any]]) -> list[Any]:
    """Column totals of rows [label, numbers…] (None cells stay None)."""
    if not rows:
        return []
    out = []
    for i in range(1, len(rows[0])):
        cells = [r[i] for r in rows if r[i] is not None]
        out.append(sum(cells) if cells else 0)
    return out


# -- 在保对象 ---------------------------------------------------------------------------------------


def _periods(ctx: _Ctx):
    return EnrolmentPeriod.objects.filter(
        superseded_at__isnull=True, status__in=PAYING, enrolment__community_code__startswith=ctx.prefix
    )


def _covers(month: dt.date) -> Q:
    return Q(start_month__lte=month) & (Q(end_month__isnull=True) | Q(end_month__gte=month))


def beneficiaries(ctx: _Ctx, report: Report) -> None:
    end = ctx.period.end
    aggs: dict[str, Any] = {"hh": Count("enrolment__household_id", distinct=True), "pp": Sum("covered_count")}
    for code, _ in CATEGORIES:
        aggs[f"h_{code}"] = Count(
            "enrolment_id", filter=Q(enrolment__category=code)
        )  # index-only: no period id
        aggs[f"p_{code}"] = Sum("covered_count", filter=Q(enrolment__category=code))
    rows = (
        _periods(ctx)
        .filter(_covers(end))
        .annotate(area=Substr("enrolment__community_code", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(**aggs)
    )
    by_area = {}
    for r in rows:
        vals = [r["hh"], r["pp"] or 0]
        for code, _ in CATEGORIES:
            vals += [r[f"h_{code}"], r[f"p_{code}"] or 0]
        by_area[r["area"]] = vals
    header = ["区划", "合计户数", "合计人数"] + [
        f"{short}{what}" for _, short in CATEGORIES for what in ("户数", "人数")
    ]
    table_rows = ctx.rows(by_area, len(header) - 1)
    totals = _sum_columns(table_rows)
    report.tables.append(
        Table(
            "beneficiaries",
            f"在保对象（{end.year}年{end.month}月）",
            header,
            table_rows,
            [["合计", *totals]] if totals else [],
            "在保：当月有正常或渐退发放期间的救助对象；户数按类别计，合计户数按家庭去重。",
        )
    )
    report.tiles += [("在保户数", totals[0] if totals else 0), ("在保人数", totals[1] if totals else 0)]

    # Trend: the paying periods overlapping the period, counted per (start, end) pair — a few hundred groups — and
    # spread over the months here. The province needs no join to the households: every code starts with its prefix.
    months = ctx.period.months
    overlapping = Q(start_month__lte=ctx.period.end) & (
        Q(end_month__isnull=True) | Q(end_month__gte=ctx.period.start)
    )
    if len(ctx.prefix) <= 2:
        qs = EnrolmentPeriod.objects.filter(superseded_at__isnull=True, status__in=PAYING)
    else:
        qs = _periods(ctx)
    spans = (
        qs.filter(overlapping)
        .values("start_month", "end_month")
        .order_by()
        .annotate(n=Count("enrolment_id"), p=Sum("covered_count"))
    )
    households, persons = [0] * len(months), [0] * len(months)
    for span in spans:
        for i, m in enumerate(months):
            if span["start_month"] <= m and (span["end_month"] is None or span["end_month"] >= m):
                households[i] += span["n"]
                persons[i] += span["p"] or 0
    labels = [f"{m.year}-{m.month:02d}" for m in months]
    report.tables.append(
        Table(
            "trend",
            "逐月在保户次、人数",
            ["月份", "在保户次", "在保人数"],
            [[lab, h, p] for lab, h, p in zip(labels, households, persons, strict=True)],
            note="户次：一户同时享受两类救助时计两次。",
        )
    )
    report.charts["trend"] = {
        "labels": labels,
        "series": [
            {"name": "在保人数", "cls": "new", "values": persons},
            {"name": "在保户次", "cls": "old", "values": households},
        ],
    }


# -- 保障覆盖 (policy.md §8.8) -------------------------------------------------------------------------

SAFE_HOUSING = (Household.Housing.OWN, Household.Housing.PUBLIC_RENTAL)
COMPULSORY_SCHOOL_AGE = (6, 16)  # 九年义务教育: 6 ≤ age < 16


def _pct(num: int, den: int) -> Decimal | None:
    return (Decimal(100 * num) / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if den else None


def coverage(ctx: _Ctx, report: Report) -> None:
    """The figures 五(一)1 asks to raise and 三's 三保障, in the period's last month, four grouped queries:

    户均保障人数 = covered persons of 低保 enrolments ÷ 低保 households; 整户保障比例 = 低保 households whose covered
    count equals their number of members ÷ 低保 households; 常补对象保障比例 = covered persons (all categories) aged
    ≥ 60, with a grade 1–2 disability or without labour capacity ÷ covered persons; 三保障 = covered households
    (any category) with (1) every covered member on a loaded 医保 premium ledger (medical_premium extract),
    (2) every member of compulsory-school age (6–15) on file as in school, (3) own or public-rental housing."""
    end = ctx.period.end
    paying = _periods(ctx).filter(_covers(end))
    members = (
        Person.objects.filter(household_id=OuterRef("enrolment__household_id"))
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    dibao = (
        paying.filter(enrolment__category=Category.DIBAO)
        .annotate(area=Substr("enrolment__community_code", 1, ctx.child), members=Subquery(members))
        .values("area")
        .order_by("area")
        .annotate(
            hh=Count("enrolment_id"),
            pp=Sum("covered_count"),
            whole=Count("enrolment_id", filter=Q(covered_count__gte=F("members"))),
        )
    )
    enrolments = paying.values("enrolment_id")
    old = years_before(end, WORKING_AGE_UNTIL)  # aged 60 or more: past working age
    persons = (
        EnrolmentMember.objects.filter(enrolment_id__in=Subquery(enrolments))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=end))
        .annotate(area=Substr("enrolment__community_code", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(
            n=Count("id"),
            long_term=Count(
                "id",
                filter=Q(person__birth_date__lte=old)
                | Q(person__disability_grade__in=[1, 2])
                | Q(person__labor_capacity=Person.Labor.NONE),
            ),
        )
    )
    premium_extracts = list(
        Extract.objects.filter(
            kind="benefit", program="medical_premium", status=Extract.Status.LOADED
        ).values_list("pk", flat=True)
    )
    school_from, school_to = (
        years_before(end, COMPULSORY_SCHOOL_AGE[1]),
        years_before(end, COMPULSORY_SCHOOL_AGE[0]),
    )
    out_of_school = Person.objects.filter(
        household_id=OuterRef("pk"), birth_date__gt=school_from, birth_date__lte=school_to
    ).exclude(school_record__status=SchoolRecord.Status.IN_SCHOOL)
    uninsured = EnrolmentMember.objects.filter(
        enrolment__household_id=OuterRef("pk"), enrolment_id__in=Subquery(enrolments), ended_on__isnull=True
    ).exclude(
        Exists(
            ExtractRow.objects.filter(
                extract_id__in=premium_extracts, id_number=OuterRef("person__id_number")
            )
        )
    )
    medical, school, housing = ~Exists(uninsured), ~Exists(out_of_school), Q(housing__in=SAFE_HOUSING)
    households = (
        Household.objects.filter(pk__in=Subquery(paying.values("enrolment__household_id")))
        .annotate(area=Substr("community_id", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(
            n=Count("id"),
            ok_medical=Count("id", filter=Q(medical)),
            ok_school=Count("id", filter=Q(school)),
            ok_housing=Count("id", filter=housing),
            ok_all3=Count("id", filter=Q(medical) & Q(school) & housing),
        )
    )
    counts: dict[str, dict[str, int]] = {}
    for r in dibao:
        counts.setdefault(r["area"], {}).update(hh=r["hh"], pp=r["pp"] or 0, whole=r["whole"])
    for r in persons:
        counts.setdefault(r["area"], {}).update(persons=r["n"], long_term=r["long_term"])
    for r in households:
        counts.setdefault(r["area"], {}).update(
            households=r["n"],
            medical=r["ok_medical"],
            school=r["ok_school"],
            housing=r["ok_housing"],
            all3=r["ok_all3"],
        )

    def line(c: dict[str, int]) -> list[Any]:
        hh = c.get("households", 0)
        return [
            c.get("hh", 0),
            _ratio(Decimal(c.get("pp", 0)), c.get("hh", 0)),
            _pct(c.get("whole", 0), c.get("hh", 0)),
            c.get("persons", 0),
            _pct(c.get("long_term", 0), c.get("persons", 0)),
            hh,
            _pct(c.get("medical", 0), hh),
            _pct(c.get("school", 0), hh),
            _pct(c.get("housing", 0), hh),
            _pct(c.get("all3", 0), hh),
        ]

    by_area = {area: line(c) for area, c in counts.items()}
    header = [
        "区划",
        "低保户数",
        "户均保障人数",
        "整户保障比例（%）",
        "保障人数",
        "常补对象保障比例（%）",
        "保障户数",
        "基本医保参保（%）",
        "义务教育（%）",
        "住房安全（%）",
        "三保障均达到（%）",
    ]
    table_rows = ctx.rows(by_area, len(header) - 1)
    total: dict[str, int] = {}
    for c in counts.values():
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
    report.tables.append(
        Table(
            "coverage",
            f"保障覆盖（{end.year}年{end.month}月）",
            header,
            table_rows,
            [["合计", *line(total)]] if counts else [],
            "赣发〔2018〕7号 五(一)1“提高…户均保障人数、整户保障比例和常补对象保障比例”，三“三保障”（policy.md §8.8）。"
            "常补对象：60周岁以上、一二级残疾或无劳动能力的保障人员；基本医保参保以已导入的医保参保台账为准，"
            "未导入的地区显示为0；义务教育：家中6–15周岁成员均登记在校；住房安全：自有住房或公租房/廉租房。",
        )
    )
    report.charts["coverage"] = {
        "labels": [row[0] for row in table_rows],
        "series": [
            {"name": "整户保障比例（%）", "cls": "new", "values": [row[3] or 0 for row in table_rows]},
            {"name": "三保障均达到（%）", "cls": "old", "values": [row[10] or 0 for row in table_rows]},
        ],
    }
    report.tiles += [("户均保障人数", line(total)[1] if counts else None)]


# -- 新增与退出 ---------------------------------------------------------------------------------------


def flows(ctx: _Ctx, report: Report) -> None:
    p = ctx.period
    base = Enrolment.objects.filter(community_code__startswith=ctx.prefix).annotate(
        area=Substr("community_code", 1, ctx.child)
    )
    aggs = {
        f"in_{code}": Count("id", filter=Q(category=code, start_month__gte=p.start, start_month__lte=p.end))
        for code, _ in CATEGORIES
    }
    aggs.update(
        {
            f"out_{code}": Count(
                "id", filter=Q(category=code, ended_on__gte=p.start, ended_on__lte=p.last_day)
            )
            for code, _ in CATEGORIES
        }
    )
    reasons = Enrolment.ExitReason.choices
    aggs.update(
        {
            f"why_{code}": Count(
                "id", filter=Q(exit_reason=code, ended_on__gte=p.start, ended_on__lte=p.last_day)
            )
            for code, _ in reasons
        }
    )
    rows = (
        base.filter(
            Q(start_month__gte=p.start, start_month__lte=p.end)
            | Q(ended_on__gte=p.start, ended_on__lte=p.last_day)
        )
        .values("area")
        .order_by("area")
        .annotate(**aggs)
    )
    by_area, why_area = {}, {}
    for r in rows:
        ins = [r[f"in_{c}"] for c, _ in CATEGORIES]
        outs = [r[f"out_{c}"] for c, _ in CATEGORIES]
        by_area[r["area"]] = [sum(ins), *ins, sum(outs), *outs, sum(ins) - sum(outs)]
        why_area[r["area"]] = [r[f"why_{c}"] for c, _ in reasons]
    header = (
        ["区划", "新增合计"]
        + [f"新增{s}" for _, s in CATEGORIES]
        + ["退出合计"]
        + [f"退出{s}" for _, s in CATEGORIES]
        + ["净增"]
    )
    table_rows = ctx.rows(by_area, len(header) - 1)
    totals = _sum_columns(table_rows)
    report.tables.append(
        Table(
            "flows",
            "新增与退出（户）",
            header,
            table_rows,
            [["合计", *totals]] if totals else [],
            "新增：起始发放月份在统计期内；退出：最后发放日在统计期内。",
        )
    )
    why_rows = ctx.rows(why_area, len(reasons))
    why_totals = _sum_columns(why_rows)
    report.tables.append(
        Table(
            "exit_reasons",
            "退出原因（户）",
            ["区划", *[label for _, label in reasons]],
            why_rows,
            [["合计", *why_totals]] if why_totals else [],
        )
    )
    if totals:
        report.tiles += [("新增户数", totals[0]), ("退出户数", totals[len(CATEGORIES) + 1])]


# -- 临时救助 --------------------------------------------------------------------------------------


def relief(ctx: _Ctx, report: Report) -> None:
    """Paid temporary relief by kind, 特别救助 on its own columns (one GROUP BY)."""
    p = ctx.period
    kinds = ReliefGrant.Kind.choices
    aggs: dict[str, Any] = {}
    for code, _ in kinds:
        aggs[f"n_{code}"] = Count("id", filter=Q(kind=code))
        aggs[f"a_{code}"] = Sum("amount", filter=Q(kind=code))
    rows = (
        ReliefGrant.objects.filter(
            status=ReliefGrant.Status.PAID,
            decided_on__gte=p.start,
            decided_on__lte=p.last_day,
            household__community__code__startswith=ctx.prefix,
        )
        .annotate(area=Substr("household__community_id", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(**aggs)
    )
    by_area = {}
    for r in rows:
        cells: list[Any] = []
        for code, _ in kinds:
            cells += [r[f"n_{code}"], _yuan(r[f"a_{code}"])]
        cells += [sum(r[f"n_{c}"] for c, _ in kinds), sum(_yuan(r[f"a_{c}"]) for c, _ in kinds)]
        by_area[r["area"]] = cells
    header = ["区划"]
    for _, label in kinds:
        header += [f"{label}（件）", f"{label}（元）"]
    header += ["合计（件）", "合计（元）"]
    table_rows = ctx.rows(by_area, len(header) - 1)
    totals = _sum_columns(table_rows)
    report.tables.append(
        Table(
            "relief",
            "临时救助发放（按类型）",
            header,
            table_rows,
            [["合计", *totals]] if totals else [],
            "已发放的临时救助，按审批发放日期计入统计期。特别救助（五(七)）单列：由县级民政部门审批发放，"
            "可超过单次救助上限，不计入临时救助年度封顶线。",
        )
    )


# -- 资金发放 --------------------------------------------------------------------------------------


def _totals(ctx: _Ctx):
    return PaymentRollTotal.objects.filter(
        roll__status=PaymentRoll.Status.LOCKED,
        month__gte=ctx.period.start,
        month__lte=ctx.period.end,
        community_code__startswith=ctx.prefix,
    )


def money(ctx: _Ctx, report: Report) -> None:
    parts = [*TOTAL_COMPONENTS, "arrears", "supplement"]
    labels = {**COMPONENT_LABELS, "arrears": "补发", "supplement": "增发"}
    rows = (
        _totals(ctx)
        .annotate(area=Substr("community_code", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(total=Sum("amount"), n=Sum("lines"), **{f"s_{c}": Sum(c) for c in parts})
    )
    by_area = {
        r["area"]: [_yuan(r["total"]), r["n"] or 0, *[_yuan(r[f"s_{c}"]) for c in parts]] for r in rows
    }
    header = ["区划", "发放总额（元）", "发放笔数", *[labels[c] for c in parts]]
    table_rows = ctx.rows(by_area, len(header) - 1)
    totals = _sum_columns(table_rows)
    report.tables.append(
        Table(
            "money",
            "资金发放（已锁定花名册，元）",
            header,
            table_rows,
            [["合计", *totals]] if totals else [],
            "只计已确认锁定的花名册中正常发放（未暂缓）的明细；补发、增发（五(一)1，policy.md §8.1）单列。",
        )
    )
    by_month = dict(
        _totals(ctx).values("month").order_by("month").annotate(t=Sum("amount")).values_list("month", "t")
    )
    months = ctx.period.months
    labels_m = [f"{m.year}-{m.month:02d}" for m in months]
    month_money = [_yuan(by_month.get(m)) for m in months]
    report.tables.append(
        Table(
            "money_months",
            "逐月发放总额（元）",
            ["月份", "发放总额（元）"],
            [[lab, v] for lab, v in zip(labels_m, month_money, strict=True)],
        )
    )
    comp = totals[2:] if totals else [ZERO] * len(parts)
    report.charts["money"] = {
        "labels": [labels[c] for c in parts],
        "series": [{"name": "发放金额（元）", "cls": "new", "values": [float(v) for v in comp]}],
    }
    report.charts["money_months"] = {
        "labels": labels_m,
        "series": [{"name": "发放总额（元）", "cls": "new", "values": [float(v) for v in month_money]}],
    }
    report.tiles.append(("发放资金（元）", totals[0] if totals else ZERO))


# -- 人均补差 --------------------------------------------------------------------------------------


def _standards(ctx: _Ctx) -> tuple[StandardsLookup, int]:
    if not hasattr(ctx, "lookup"):
        ctx.lookup = StandardsLookup(preload=True)
    return ctx.lookup, ctx.period.end.year


def _standard(lookup: StandardsLookup, code: str, year: int):
    try:
        return lookup.standards_for(code, year)
    except ServiceError:
        return None


def subsidy(ctx: _Ctx, report: Report) -> None:
    rows = (
        _totals(ctx)
        .filter(program__in=[Category.DIBAO, Category.ZHICHU])
        .annotate(area=Substr("community_code", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(s=Sum("dibao_subsidy"), z=Sum("zhichu_subsidy"), p=Sum("persons"))
    )
    sums = {r["area"]: (_yuan(r["s"]) + _yuan(r["z"]), r["p"] or 0) for r in rows}
    lookup, year = _standards(ctx)
    guide = guidance(year)["subsidy_target"]

    def line(name: str, code: str, paid: Decimal, persons: int) -> list[Any]:
        std = _standard(lookup, code, year)
        target = std.subsidy_target if std else None
        actual = _ratio(paid, persons)
        return [
            name,
            paid,
            persons,
            actual,
            target,
            gap_percent(actual, target) if target else None,
            guide,
            gap_percent(actual, guide),
        ]

    table_rows = [
        line(f"{name}（{prefix}）", ctx.codes[prefix], *sums.get(prefix, (ZERO, 0)))
        for prefix, name in ctx.children
    ]
    paid = sum((v[0] for v in sums.values()), ZERO)
    persons = sum(v[1] for v in sums.values())
    total = line("合计", ctx.region.code, paid, persons)
    header = [
        "区划",
        "低保补差发放（元）",
        "保障人次（人·月）",
        "实际人均补差（元/人/月）",
        "人均补差目标",
        "与目标差（%）",
        f"{year}年省指导",
        "与指导差（%）",
    ]
    report.tables.append(
        Table(
            "subsidy",
            f"实际人均补差与目标（{year}年标准）",
            header,
            table_rows,
            [total],
            "实际人均补差 = 低保、支出型花名册的补差金额 ÷ 正常发放明细的保障人次；"
            "目标取当地（或上级）年度标准，指导为 380×1.09^(年度−2018)。",
        )
    )
    report.tiles.append(("实际人均补差（元）", total[3] if total[3] is not None else "—"))
    names = [name for _, name in ctx.children] + ["合计"]
    report.charts["subsidy"] = {
        "labels": names,
        "series": [
            {
                "name": "实际人均补差",
                "cls": "new",
                "values": [float(r[3] or 0) for r in table_rows] + [float(total[3] or 0)],
            },
            {
                "name": "目标",
                "cls": "old",
                "values": [float(r[4] or 0) for r in table_rows] + [float(total[4] or 0)],
            },
        ],
    }


# -- 标准与省指导 -----------------------------------------------------------------------------------


def standards(ctx: _Ctx, report: Report) -> None:
    lookup, year = _standards(ctx)
    guide = guidance(year)

    def line(name: str, code: str) -> list[Any]:
        std = _standard(lookup, code, year)
        if std is None:
            return [name, "未录入", None, None, None, None, None, None, None]
        own = "本级" if std.region == code else f"沿用 {std.region}"
        tekun_min = guidance(year, dibao=std.dibao)["tekun_min"] if std.dibao is not None else None
        return [
            name,
            own,
            std.dibao,
            gap_percent(std.dibao, guide["dibao"]),
            std.subsidy_target,
            gap_percent(std.subsidy_target, guide["subsidy_target"]) if std.subsidy_target else None,
            std.tekun,
            tekun_min,
            "是" if std.tekun is not None and tekun_min is not None and std.tekun >= tekun_min else "否",
        ]

    header = [
        "区划",
        "标准来源",
        "低保标准",
        "与指导差（%）",
        "人均补差目标",
        "与指导差（%）",
        "特困供养标准",
        "应不低于（1.3×低保）",
        "特困标准达标",
    ]
    rows = [line(f"{name}（{prefix}）", ctx.codes[prefix]) for prefix, name in ctx.children]
    report.tables.append(
        Table(
            "standards",
            f"{year}年各地标准与省指导（低保 {guide['dibao']}，人均补差 {guide['subsidy_target']}）",
            header,
            rows,
            [line(f"{ctx.region.name}（本级适用）", ctx.region.code)],
            "省指导：低保 580×1.10^(年度−2018)，人均补差 380×1.09^(年度−2018)；特困不低于低保的 1.3 倍。",
        )
    )


# -- 办理时效 --------------------------------------------------------------------------------------


def _days(a: str, b: str) -> str:
    if connection.vendor == "postgresql":
        return f"({b} - {a})"
    return f"CAST(julianday({b}) - julianday({a}) AS INTEGER)"


def _timeliness_sql(child: int) -> str:
    """One GROUP BY over the applications' milestone rows (applications.ApplicationTimes, kept from their events by the
    event writer): a narrow row per decided application, read through its (decided_on, decided_region) index."""
    times = connection.ops.quote_name(ApplicationTimes._meta.db_table)
    names = {
        "intake": "intake_on",
        "visit": "visit_on",
        "review": "review_on",
        "street": "street_on",
        "notice": "notice_on",
        "decided": "decided_on",
    }
    sums = []
    for i, (a, b, _) in enumerate(STEPS):
        d = _days(f"t.{names[a]}", f"t.{names[b]}")
        sums.append(f"SUM({d}) AS s{i}, COUNT({d}) AS n{i}")
    total = _days("t.intake_on", "t.decided_on")
    buckets = []
    for i, (lo, hi, _) in enumerate(DAY_BUCKETS):
        cond = f"{total} >= {lo}" + (f" AND {total} <= {hi}" if hi is not None else "")
        buckets.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS b{i}")
    return f"""
        SELECT SUBSTR(t.decided_region, 1, {child}) AS area, COUNT(*) AS decided, {", ".join(sums)},
               {", ".join(buckets)}
        FROM {times} t
        WHERE t.decided_on >= %s AND t.decided_on <= %s AND t.decided_region LIKE %s
        GROUP BY SUBSTR(t.decided_region, 1, {child})"""


def timeliness(ctx: _Ctx, report: Report) -> None:
    p = ctx.period
    with connection.cursor() as cur:
        cur.execute(_timeliness_sql(ctx.child), [p.start, p.last_day, f"{ctx.prefix}%"])
        cols = [c[0] for c in cur.description]
        found = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    raw = {r["area"]: r for r in found}
    overdue_rows = (
        Application.objects.filter(
            status__in=Application.OPEN, household__community__code__startswith=ctx.prefix
        )
        .annotate(area=Substr("household__community_id", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=ctx.today)))
    )
    overdue = {r["area"]: (r["open"], r["overdue"]) for r in overdue_rows}

    def line(r: dict | None, od: tuple[int, int]) -> list[Any]:
        r = r or {}
        vals: list[Any] = [int(r.get("decided") or 0)]
        vals += [_avg_days(int(r.get(f"s{i}") or 0), int(r.get(f"n{i}") or 0)) for i in range(len(STEPS))]
        vals += [int(r.get(f"b{i}") or 0) for i in range(len(DAY_BUCKETS))]
        return [*vals, od[0], od[1]]

    header = (
        ["区划", "审批办结（件）"]
        + [f"{label}（平均天数）" for _, _, label in STEPS]
        + [f"办结用时{label}（件）" for _, _, label in DAY_BUCKETS]
        + ["在办（件）", "超期（件）"]
    )
    known = {pfx for pfx, _ in ctx.children}
    table_rows = [
        [f"{name}（{prefix}）", *line(raw.get(prefix), overdue.get(prefix, (0, 0)))]
        for prefix, name in ctx.children
    ]
    table_rows += [
        [f"（未知区划 {a}）", *line(raw.get(a), overdue.get(a, (0, 0)))]
        for a in sorted((set(raw) | set(overdue)) - known)
    ]
    total_raw: dict[str, int] = {}
    for r in found:
        for k, v in r.items():
            if k != "area":
                total_raw[k] = total_raw.get(k, 0) + int(v or 0)
    od_total = (sum(v[0] for v in overdue.values()), sum(v[1] for v in overdue.values()))
    total = ["合计", *line(total_raw, od_total)]
    report.tables.append(
        Table(
            "timeliness",
            "办理时效",
            header,
            table_rows,
            [total],
            f"统计期内县级审批办结的申请；平均天数为自然日。超期：截至{ctx.today:%Y-%m-%d}在办且超过"
            "当前环节办理时限的申请。",
        )
    )
    n = len(STEPS)
    report.charts["timeliness"] = {
        "labels": [label for _, _, label in DAY_BUCKETS],
        "series": [{"name": "办结件数", "cls": "new", "values": total[2 + n : 2 + n + len(DAY_BUCKETS)]}],
    }
    report.tiles += [("审批办结（件）", total[1]), ("超期在办（件）", od_total[1])]


# -- 比对疑点 --------------------------------------------------------------------------------------


def findings(ctx: _Ctx, report: Report) -> None:
    start, after = ctx.period.aware()
    raised = (
        Finding.objects.filter(
            region__code__startswith=ctx.prefix, created_at__gte=start, created_at__lt=after
        )
        .annotate(area=Substr("region_id", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(
            n=Count("id"),
            still_open=Count("id", filter=Q(task__status=ReviewTask.Status.OPEN)),
            **{f"r_{r.code}": Count("id", filter=Q(rule=r.code)) for r in RULES},
        )
    )
    resolved = (
        ReviewTask.objects.filter(
            finding__region__code__startswith=ctx.prefix, resolved_at__gte=start, resolved_at__lt=after
        )
        .annotate(area=Substr("finding__region_id", 1, ctx.child))
        .values("area")
        .order_by("area")
        .annotate(
            ok=Count("id", filter=Q(status=ReviewTask.Status.CONFIRMED)),
            fa=Count("id", filter=Q(status=ReviewTask.Status.FALSE_ALARM)),
        )
    )
    done = {r["area"]: (r["ok"], r["fa"]) for r in resolved}
    by_area: dict[str, list] = {}
    by_rule: dict[str, list] = {}
    for r in raised:
        by_area[r["area"]] = [r["n"], *done.get(r["area"], (0, 0)), r["still_open"]]
        by_rule[r["area"]] = [r[f"r_{rule.code}"] for rule in RULES]
    for area, (ok, fa) in done.items():
        by_area.setdefault(area, [0, ok, fa, 0])
    header = ["区划", "发现疑点", "核实属实", "核实误报", "本期疑点仍待核实"]
    table_rows = ctx.rows(by_area, 4)
    totals = _sum_columns(table_rows)
    report.tables.append(
        Table(
            "findings",
            "比对疑点发现与核实",
            header,
            table_rows,
            [["合计", *totals]] if totals else [],
            "发现：统计期内比对发现的疑点；核实：统计期内办结的核实任务。",
        )
    )
    rule_rows = ctx.rows(by_rule, len(RULES))
    rule_totals = _sum_columns(rule_rows)
    report.tables.append(
        Table(
            "findings_rules",
            "疑点按规则",
            ["区划", *[r.label for r in RULES]],
            rule_rows,
            [["合计", *rule_totals]] if rule_totals else [],
        )
    )
    report.charts["findings"] = {
        "labels": [r.label for r in RULES],
        "series": [{"name": "发现疑点", "cls": "new", "values": rule_totals or [0] * len(RULES)}],
    }
    report.tiles.append(("发现疑点", totals[0] if totals else 0))


BUILDERS = {
    "beneficiaries": beneficiaries,
    "flows": flows,
    "money": money,
    "relief": relief,
    "coverage": coverage,
    "subsidy": subsidy,
    "standards": standards,
    "timeliness": timeliness,
    "findings": findings,
}


def report_build(
    *,
    region: Region,
    period: Period,
    kind: str = "custom",
    today: dt.date,
    sections: tuple[str, ...] | None = None,
) -> Report:
    """The report of `kind` for a region (already checked to be in the user's scope) and a period."""
    with transaction.atomic():
        _analytic_session()
        ctx = _Ctx(region, period, today)
        report = Report(
            region=region,
            period=period,
            kind=kind,
            areas=[(prefix, name, ctx.codes[prefix]) for prefix, name in ctx.children],
        )
        for name in sections or SECTIONS[kind]:
            BUILDERS[name](ctx, report)
    return report


def _analytic_session() -> None:
    """PostgreSQL, for this transaction only: no JIT (compiling the aggregates cost 60–220 ms per query and saved
    nothing at these sizes) and room for the sorts and hashes of a province's rows in memory instead of temp files
    (the 4 MB default spilled them to disk)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)", [WORK_MEM])
