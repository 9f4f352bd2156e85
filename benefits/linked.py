"""Linked benefits (五(二)–(六)): for each enrolled person, the entitlements other departments act on.

`linked_benefit_persons(code=…)` is one set-based queryset per code of accounts.models.LINKED_BENEFITS,
each row: id_number, name, category, county_code (the household's community code[:6]), since (the
enrolment's start month), updated_at (the enrolment's, for `changed_since` sync), status, until (the last
day the entitlement runs for an exited enrolment; null while enrolled). The rule of each code, from the
policy text:

- ``medical_premium`` — 五(三) "城镇贫困群众参加城乡居民基本医疗保险的个人缴费部分，由财政全额补助":
  every covered member of a 特困, 低保 or 支出型 enrolment (the three categories are 城镇贫困群众).
- ``medical_relief`` — 五(三), **[v2] policy.md §8.4**: every covered member of the three categories — 特困
  (纳入医疗救助筹资人群), 低保 (relief ratio raised by the region's `medical_uplift_pp`, 5 percentage points in
  the seed: "在现行救助比例的基础上提高5个百分点") and 支出型 (纳入医疗救助范围, with the region's 大病起付线).
  `MEDICAL_RELIEF_BASIS` says which applies to a row's category (version 1 listed 低保 only);
  `with_medical_settings` adds to each row its region's figures for the year asked (the county's standards,
  field by field up the chain, eligibility.standards): `medical_uplift_pp` on 低保 rows, `serious_illness_threshold`
  on 支出型 rows, and `medical_basis` in words — "待设置" where the region has not set the figure (the seed
  gives no 大病起付线: it is never guessed).
- ``student_aid`` — 五(四) "城镇贫困群众家庭上学子女…享受相应助学政策": covered members whose employment
  status is 在校学生, in any of the three categories.
- ``pension_contribution`` — 五(五) "对确实无力缴纳居民基本养老保险的贫困群众，由政府代为缴纳…最低标准的居民基本
  养老保险费": covered members aged 16–59 on the day asked (the ages of 城乡居民基本养老保险 [national]) who
  are neither in school, employed (employees pay into the employees' scheme) nor retired.
- ``housing`` — 五(六) "切实解决好城镇特困人员、城镇最低生活保障对象、支出型贫困低收入家庭住房困难问题": covered
  members of households without housing of their own or of public rental: no fixed home, shanty/dangerous
  housing, or private rental.
- ``job_help`` — 五(二) "确保有就业能力和就业愿望的零就业家庭至少有1人就业": in 低保 and 支出型 households where
  no member is employed (employed or flexibly employed) — 零就业家庭 — the covered members aged 16–59
  with full or partial labour capacity who are not in school.

Who is listed: members covered now by an enrolment that is active, in 渐退 (the household keeps its benefits
until the 渐退 date, 五(一)1) or suspended (still in the category while it is verified; the status column says
so). After an exit, some entitlements run on for a time, because they are granted for a period that has begun
(the continuation rules are local practice, not the seed's; they are here, in one place):

- ``medical_premium`` and ``pension_contribution``: to the end of the calendar year of the exit (both are
  paid by insurance year);
- ``student_aid``: to the end of the school year in progress at the exit (31 August);
- the others stop at the exit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.models import LINKED_BENEFITS
from applications.models import Category
from benefits.models import Enrolment, EnrolmentMember
from config.errors import ServiceError
from eligibility import rules
from eligibility.ages import working_age_births
from eligibility.standards import StandardsLookup
from households.models import Household, Person

# The lookup a caller narrows rows by with accounts.scope.scope_filter.
SCOPE_FIELD = "enrolment__household__community__code"

CURRENT = tuple(Enrolment.CURRENT)
CONTINUES = {"medical_premium": "year", "pension_contribution": "year", "student_aid": "school_year"}
HOUSING_NEED = (Household.Housing.NONE, Household.Housing.SHANTY, Household.Housing.RENTED)
WORKING = (Person.Employment.EMPLOYED, Person.Employment.FLEXIBLE)
# What the medical-insurance department applies to each category on the medical-relief list (policy.md §8.4).
MEDICAL_RELIEF_BASIS = {
    Category.TEKUN: "纳入医疗救助筹资人群，个人缴费全额资助",
    Category.DIBAO: "医疗救助比例在现行基础上提高本地规定的百分点，个人缴费全额资助",
    Category.ZHICHU: "纳入医疗救助范围，按本地大病起付线救助，个人缴费全额资助",
}


UNSET = "待设置"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def medical_settings(
    county_code: str, year: int, lookup: StandardsLookup | None = None
) -> rules.Standards | None:
    """The standards in force for a county in a year (None when none is entered anywhere on its chain)."""
    try:
        return (lookup or StandardsLookup()).standards_for(county_code, year)
    except ServiceError:
        return None


def medical_basis(category: str, standards: rules.Standards | None) -> str:
    """What the medical-insurance department applies to a row, with the region's figure or 待设置."""
    points = standards.medical_uplift_pp if standards else None
    threshold = standards.serious_illness_threshold if standards else None
    if category == Category.DIBAO:
        figure = f"{rules.number(points)}个百分点" if points is not None else f"的百分点{UNSET}"
        return f"医疗救助比例在现行基础上提高{figure}，个人缴费全额资助"
    if category == Category.ZHICHU:
        figure = f"{_money(threshold)} 元" if threshold is not None else UNSET
        return f"纳入医疗救助范围，大病起付线 {figure}，个人缴费全额资助"
    return MEDICAL_RELIEF_BASIS.get(category, "")


def with_medical_settings(rows, *, today: dt.date | None = None) -> list[dict]:
    """The medical-relief rows with their region's settings (§8.4): one standards lookup per county."""
    year = (today or timezone.localdate()).year
    lookup = StandardsLookup()
    found: dict[str, rules.Standards | None] = {}
    out = []
    for row in rows:
        county = row["county_code"]
        if county not in found:
            found[county] = medical_settings(county, year, lookup)
        standards = found[county]
        category = row["category"]
        out.append(
            {
                **row,
                "medical_uplift_pp": (
                    _money(standards.medical_uplift_pp) if standards and category == Category.DIBAO else None
                ),
                "serious_illness_threshold": (
                    _money(standards.serious_illness_threshold)
                    if standards and category == Category.ZHICHU
                    else None
                ),
                "medical_basis": medical_basis(category, standards),
            }
        )
    return out


def continues_until(code: str, ended_on: dt.date | None) -> dt.date | None:
    """The last day an entitlement runs after an exit that ended on `ended_on` (None: it stops then)."""
    if ended_on is None:
        return None
    rule = CONTINUES.get(code)
    if rule == "year":
        return dt.date(ended_on.year, 12, 31)
    if rule == "school_year":
        return dt.date(ended_on.year + (ended_on.month >= 9), 8, 31)
    return None


def _exited_since(code: str, today: dt.date) -> dt.date | None:
    """The earliest `ended_on` whose continuation still runs on `today` (None: no continuation)."""
    rule = CONTINUES.get(code)
    if rule == "year":
        return dt.date(today.year, 1, 1)
    if rule == "school_year":
        return dt.date(today.year - (today.month < 9), 9, 1)
    return None


def linked_benefit_persons(
    *, code: str, queryset_scope: QuerySet | None = None, today: dt.date | None = None
) -> QuerySet:
    """The persons entitled to linked benefit `code` on `today`, as value rows (see the module docstring).

    `queryset_scope` narrows the rows: an EnrolmentMember queryset already filtered, e.g.
    `scope_filter(EnrolmentMember.objects.all(), user, SCOPE_FIELD)`; None means every region.
    Ordered by county, person ID number; one query however many rows.
    """
    if code not in LINKED_BENEFITS:
        raise ValueError(f"unknown linked benefit {code!r}; one of {', '.join(LINKED_BENEFITS)}")
    today = today or timezone.localdate()
    qs = queryset_scope if queryset_scope is not None else EnrolmentMember.objects.all()

    current = Q(enrolment__status__in=CURRENT, ended_on__isnull=True)
    since = _exited_since(code, today)
    if since is not None:
        current |= Q(
            enrolment__status=Enrolment.Status.EXITED, enrolment__ended_on__gte=since, ended_on__gte=since
        )
    qs = qs.filter(current)
    born_after, born_by = working_age_births(today)

    if code == "student_aid":
        qs = qs.filter(person__employment=Person.Employment.STUDENT)
    elif code == "pension_contribution":
        qs = qs.filter(person__birth_date__gt=born_after, person__birth_date__lte=born_by).exclude(
            person__employment__in=[*WORKING, Person.Employment.STUDENT, Person.Employment.RETIRED]
        )
    elif code == "housing":
        qs = qs.filter(enrolment__household__housing__in=HOUSING_NEED)
    elif code == "job_help":
        someone_works = Person.objects.filter(
            household_id=OuterRef("enrolment__household_id"), employment__in=WORKING
        )
        qs = (
            qs.filter(enrolment__category__in=[Category.DIBAO, Category.ZHICHU])
            .exclude(Exists(someone_works))
            .filter(
                person__birth_date__gt=born_after,
                person__birth_date__lte=born_by,
                person__labor_capacity__in=[Person.Labor.FULL, Person.Labor.PARTIAL],
            )
            .exclude(person__employment=Person.Employment.STUDENT)
        )

    return (
        qs.annotate(
            id_number=F("person__id_number"),
            name=F("person__name"),
            county_code=Substr("enrolment__household__community_id", 1, 6),
            since=F("enrolment__start_month"),
            updated_at=F("enrolment__updated_at"),
            status=F("enrolment__status"),
            ended=F("enrolment__ended_on"),
            benefit=Value(code),
        )
        .order_by("county_code", "id_number")
        .values(
            "id_number",
            "name",
            "category",
            "county_code",
            "since",
            "updated_at",
            "status",
            "ended",
            "benefit",
        )
    )


def household_linked_benefits(*, household, today: dt.date | None = None) -> list[dict]:
    """The linked benefits of one household's members (six small queries, whatever the household's size):
    [{code, label, id_number, name, status, until}], until set for those continuing after an exit."""
    today = today or timezone.localdate()
    scope = EnrolmentMember.objects.filter(enrolment__household=household)
    rows = []
    for code, text in LINKED_BENEFITS.items():
        found = list(linked_benefit_persons(code=code, queryset_scope=scope, today=today))
        if code == "medical_relief":
            found = with_medical_settings(found, today=today)
        for row in found:
            until = continues_until(code, row["ended"]) if row["status"] == Enrolment.Status.EXITED else None
            rows.append(
                {
                    "code": code,
                    "label": text,
                    "id_number": row["id_number"],
                    "name": row["name"],
                    "status": row["status"],
                    "until": until,
                    "basis": row.get("medical_basis", ""),
                }
            )
    return rows
