"""Excel rows of the household list, and the pieces every case-list export shares: the head of household as
subqueries, the masked search term, dates as text, choice labels.

Each export takes the very queryset its list page shows (same selector, same scope, same filters), reshapes it
into one streamed `values_list` query (heads and counts come as subqueries, never as a query per row), masks ID
numbers as the lists do, and hands the rows to common/spreadsheets.py. Views log the read (common.spreadsheets
.personal_export_response)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery

from common.idnumber import mask
from households.models import Person

CHUNK = 2000


def head_subqueries(household_ref: str = "pk") -> dict:
    """The household head's name and ID number as subquery annotations (the first head by id)."""
    heads = Person.objects.filter(household=OuterRef(household_ref), relation=Person.Relation.HEAD).order_by(
        "id"
    )
    return {
        "x_head_name": Subquery(heads.values("name")[:1]),
        "x_head_id": Subquery(heads.values("id_number")[:1]),
    }


HOUSEHOLD_HEADER = ("编号", "户主", "身份证号码", "人数", "社区代码", "社区", "住址")


def household_rows(households: QuerySet) -> Iterator[tuple]:
    rows = (
        households.prefetch_related(None)
        .annotate(**head_subqueries())
        .values_list(
            "pk", "x_head_name", "x_head_id", "member_count", "community_id", "community__name", "address"
        )
    )
    for pk, name, number, members, code, community, address in rows.iterator(chunk_size=CHUNK):
        yield (pk, name or "（未登记户主）", mask(number), members, code, community, address)


MEMBER_HEADER = (
    "家庭编号",
    "姓名",
    "与户主关系",
    "身份证号码",
    "性别",
    "出生日期",
    "劳动能力",
    "残疾等级",
    "残疾类别",
    "生活自理能力",
    "有履行能力的法定赡养/抚养/扶养人",
    "法定义务人无履行能力的原因",
    "孤儿",
    "月收入（元）",
)


def member_rows(households: QuerySet) -> Iterator[tuple]:
    """Every member of the listed households with the facts the rules read (policy.md §3, version 2): an
    empty disability kind beside a grade is 待补充 (a record from before version 2, nothing guessed)."""
    labels = {
        "relation": dict(Person.Relation.choices),
        "labor": dict(Person.Labor.choices),
        "kind": dict(Person.DisabilityKind.choices),
        "care": dict(Person.SelfCare.choices),
        "orphan": dict(Person.Orphan.choices),
        "grade": {0: "无", 1: "一级", 2: "二级", 3: "三级", 4: "四级"},
        "sex": {"M": "男", "F": "女"},
    }
    rows = (
        Person.objects.filter(household__in=households.order_by().values("pk"))
        .order_by("household_id", "id")
        .values_list(
            "household_id",
            "name",
            "relation",
            "id_number",
            "sex",
            "birth_date",
            "labor_capacity",
            "disability_grade",
            "disability_kind",
            "self_care",
            "has_able_supporter",
            "supporter_unable_reason",
            "orphan",
            *Person.INCOME_FIELDS,
        )
    )
    for (
        hid,
        name,
        rel,
        number,
        sex,
        birth,
        labor,
        grade,
        kind,
        care,
        able,
        reason,
        orphan,
        *incomes,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            hid,
            name,
            labels["relation"].get(rel, "待补充"),
            mask(number),
            labels["sex"].get(sex, ""),
            birth.isoformat() if birth else "",
            labels["labor"].get(labor, ""),
            labels["grade"].get(grade, ""),
            labels["kind"].get(kind, "") if kind else ("待补充" if grade else ""),
            labels["care"].get(care, ""),
            "是" if able else "否",
            reason,
            labels["orphan"].get(orphan, ""),
            sum(incomes),
        )


def query_label(query: str) -> str:
    """A search term as it may appear in a workbook or the access log: a full ID number masked."""
    from common import idnumber

    query = (query or "").strip()
    return mask(query.upper()) if len(query) == 18 and idnumber.is_valid(query.upper()) else query


def day(value):
    """A date for the writer (a real date cell); None stays an empty cell."""
    return value or None


def choice_label(choices, value: str, extra: dict | None = None) -> str:
    return {**(extra or {}), **dict(choices)}.get(value, "")
