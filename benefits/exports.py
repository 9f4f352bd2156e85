"""Bank exports of a locked roll, both through common/spreadsheets.py (the one writer: formula-looking text
neutralised, money as numbers with two decimals, IDs and accounts as text): CSV streamed row by row, XLSX written
in openpyxl's write-only mode to a temporary file and then streamed. Memory stays flat whatever the roll's size:
lines are read from a server-side cursor in chunks. The XLSX prints as the bank and the office file it: landscape
A4, one page wide, the header row on every page, the office and the month in the page header, the roll's totals
and the page numbers in the footer.

Columns: 序号, 社区, 姓名, 身份证号码, 开户银行, 银行账号, 保障人数, 所属月份, 类型, 说明, one column per amount
component, 金额; the last row is the total (number of lines and amount). Held lines are not paid and not
exported. ID numbers are masked unless the caller may see them in full (accounts.permissions.sees_full_ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from benefits.compute import COMPONENT_LABELS
from benefits.models import PaymentLine, PaymentRoll
from common import idnumber
from common.spreadsheets import Month, PrintSetup, Sheet

COMPONENTS = tuple(COMPONENT_LABELS)
HEADER = (
    "序号",
    "社区代码",
    "姓名",
    "身份证号码",
    "开户银行",
    "银行账号",
    "保障人数",
    "所属月份",
    "类型",
    "说明",
    *(f"{COMPONENT_LABELS[c]}（元）" for c in COMPONENTS),
    "金额（元）",
)
KIND_LABELS = dict(PaymentLine.Kind.choices)
CHUNK = 5000


def filename(roll: PaymentRoll, ext: str) -> str:
    return f"发放花名册_{roll.county_id}_{roll.month:%Y%m}_{roll.program}.{ext}"


def rows(roll: PaymentRoll, *, full_ids: bool) -> Iterator[tuple]:
    """The header, one tuple per paid line (in line order), and the totals row."""
    yield HEADER
    count, total = 0, Decimal("0.00")
    lines = (
        roll.lines.filter(held=False)
        .order_by("id")
        .values_list(
            "community_code",
            "name",
            "id_number",
            "bank_name",
            "bank_account",
            "covered_count",
            "month",
            "kind",
            "label",
            "components",
            "amount",
        )
    )
    for (
        community,
        name,
        number,
        bank,
        account,
        covered,
        month,
        kind,
        text,
        components,
        amount,
    ) in lines.iterator(chunk_size=CHUNK):
        count += 1
        total += amount
        parts = tuple(Decimal(components[c]) if c in components else None for c in COMPONENTS)
        yield (
            count,
            community,
            name,
            number if full_ids else idnumber.mask(number),
            bank,
            account,
            covered or None,
            Month.of(month),
            KIND_LABELS[kind],
            text,
            *parts,
            amount,
        )
    yield totals_row(roll, count, total)


def totals_row(roll: PaymentRoll, count: int, total: Decimal) -> tuple:
    """The last row of the bank export: the number of paid lines and their amount."""
    return (
        "合计",
        "",
        f"共{count}笔",
        "",
        "",
        "",
        None,
        Month.of(roll.month),
        "",
        "",
        *(None for _ in COMPONENTS),
        total,
    )


def csv_chunks(roll: PaymentRoll, *, full_ids: bool, batch: int | None = None) -> Iterator[str | bytes]:
    """The bank CSV of a roll: written by PostgreSQL (benefits/roll_csv.py, COPY … TO STDOUT) when the database
    is PostgreSQL, by the Python writer otherwise (the embedded SQLite mode). Both give the same bytes."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from benefits import roll_csv

        return roll_csv.chunks(roll, full_ids=full_ids, **({"batch": batch} if batch else {}))
    return python_csv_chunks(roll, full_ids=full_ids)


def python_csv_chunks(roll: PaymentRoll, *, full_ids: bool) -> Iterator[str]:
    from common.spreadsheets import csv_chunks as write_csv

    lines = rows(roll, full_ids=full_ids)
    return write_csv(next(lines), lines)


def office_name(roll: PaymentRoll) -> str:
    return f"{roll.county.name}民政局"


def xlsx_sheet(roll: PaymentRoll, *, full_ids: bool) -> Sheet:
    """The roll as one sheet: the same rows as the CSV, header and totals in bold, set up to print."""
    lines = rows(roll, full_ids=full_ids)
    next(lines)  # the header
    totals: list[tuple] = []  # filled when the lines run out; the writer reads it after the rows

    def paid() -> Iterator[tuple]:
        for row in lines:
            if row[0] == "合计":
                totals.append(row)
            else:
                yield row

    return roll_sheet(roll, paid(), totals)


def roll_sheet(roll: PaymentRoll, lines: Iterable[tuple], totals: list[tuple]) -> Sheet:
    """The sheet of the roll's XLSX around its `lines`; `totals` holds the totals row (totals_row) by the time the
    writer reaches the footer."""

    def footer() -> str:
        count, amount = (totals[0][2], totals[0][-1]) if totals else ("共0笔", Decimal("0.00"))
        return f"合计：{count}，金额{amount:.2f}元"

    title = f"{office_name(roll)} {roll.month:%Y年%m月} {roll.get_program_display()}发放花名册"
    return Sheet(
        title=f"{roll.month:%Y年%m月}",
        header=HEADER,
        rows=lines,
        footer=totals,
        printing=PrintSetup(header=title, footer=footer),
    )


def xlsx_response(roll: PaymentRoll, *, full_ids: bool):
    """The roll's XLSX as an attachment: its rows written by PostgreSQL (benefits/roll_xlsx.py) when the
    database is PostgreSQL, every cell by openpyxl otherwise (the embedded SQLite mode). Both give the same
    cells."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from benefits import roll_xlsx

        return roll_xlsx.response(roll, full_ids=full_ids)
    from common.spreadsheets import workbook_response

    return workbook_response(filename(roll, "xlsx"), [xlsx_sheet(roll, full_ids=full_ids)])


# --------------------------------------------------------------------------------------------------
# List exports: each takes the queryset its list page shows (same selector, scope and filters) and streams it
# as one values_list query; heads and counts come as subqueries. ID numbers masked, as in the lists.


def _label(choices) -> dict:
    return dict(choices)


def _day(value):
    """A date for the writer (a real date cell); None stays an empty cell."""
    return value or None


def _who(full_name, username) -> str:
    return full_name or username or ""


ENROLMENT_HEADER = (
    "编号",
    "户主",
    "身份证号码",
    "社区代码",
    "社区",
    "类别",
    "状态",
    "渐退至",
    "终止日期",
    "保障人数",
    "月救助金（元）",
    "起始月份",
    "下次复核",
)


def enrolment_rows(enrolments) -> Iterator[tuple]:
    from applications.models import Category
    from benefits.models import Enrolment
    from households.exports import CHUNK, head_subqueries

    categories, statuses = _label(Category.choices), _label(Enrolment.Status.choices)
    rows = (
        enrolments.prefetch_related(None)
        .annotate(**head_subqueries("household_id"))
        .values_list(
            "pk",
            "x_head_name",
            "x_head_id",
            "household__community_id",
            "household__community__name",
            "category",
            "status",
            "gradual_until",
            "ended_on",
            "covered_now",
            "monthly_amount",
            "start_month",
            "next_review_on",
        )
    )
    for (
        pk,
        name,
        number,
        code,
        community,
        category,
        status,
        gradual,
        ended,
        covered,
        amount,
        start,
        review,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            pk,
            name or "",
            idnumber.mask(number),
            code,
            community,
            categories.get(category, category),
            statuses.get(status, status),
            _day(gradual),
            _day(ended),
            covered,
            amount,
            Month.of(start),
            _day(review),
        )


REVIEW_HEADER = (
    "任务编号",
    "类型",
    "救助对象编号",
    "类别",
    "户主",
    "身份证号码",
    "社区",
    "事由",
    "应复核日期",
    "状态",
    "结论",
    "复核人",
    "完成时间",
)


def review_rows(reviews) -> Iterator[tuple]:

    from applications.models import Category
    from benefits.models import EnrolmentReview
    from households.exports import CHUNK, head_subqueries

    kinds, statuses = _label(EnrolmentReview.Kind.choices), _label(EnrolmentReview.Status.choices)
    outcomes, categories = _label(EnrolmentReview.Outcome.choices), _label(Category.choices)
    rows = (
        reviews.prefetch_related(None)
        .annotate(**head_subqueries("enrolment__household_id"))
        .values_list(
            "pk",
            "kind",
            "enrolment_id",
            "enrolment__category",
            "x_head_name",
            "x_head_id",
            "enrolment__household__community__name",
            "raised_because",
            "due_on",
            "status",
            "outcome",
            "completed_by__full_name",
            "completed_by__username",
            "completed_at",
        )
    )
    for (
        pk,
        kind,
        enrolment,
        category,
        name,
        number,
        community,
        because,
        due,
        status,
        outcome,
        full_name,
        username,
        completed,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            pk,
            kinds.get(kind, kind),
            enrolment,
            categories.get(category, category),
            name or "",
            idnumber.mask(number),
            community,
            because,
            _day(due),
            statuses.get(status, status),
            outcomes.get(outcome, outcome),
            _who(full_name, username),
            completed,
        )


RELIEF_HEADER = (
    "编号",
    "救助对象",
    "身份证号码",
    "三类对象",
    "社区代码",
    "社区",
    "类型",
    "金额（元）",
    "审批层级",
    "状态",
    "备案",
    "受理日期",
)


def relief_rows(grants) -> Iterator[tuple]:
    from benefits.models import ReliefGrant
    from households.exports import CHUNK

    kinds, routes = _label(ReliefGrant.Kind.choices), _label(ReliefGrant.Route.choices)
    statuses, filings = _label(ReliefGrant.Status.choices), _label(ReliefGrant.Filing.choices)
    rows = grants.values_list(
        "pk",
        "person__name",
        "person__id_number",
        "in_categories",
        "household__community_id",
        "household__community__name",
        "kind",
        "amount",
        "route",
        "status",
        "filing",
        "received_on",
    )
    for (
        pk,
        name,
        number,
        in_categories,
        code,
        community,
        kind,
        amount,
        route,
        status,
        filing,
        received,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            pk,
            name,
            idnumber.mask(number),
            "是" if in_categories else "否",
            code,
            community,
            kinds.get(kind, kind),
            amount,
            routes.get(route, route),
            statuses.get(status, status),
            filings.get(filing, filing),
            _day(received),
        )


FILED_HEADER = (
    "编号",
    "街道",
    "救助对象",
    "身份证号码",
    "类型",
    "金额（元）",
    "审批人",
    "审批日期",
    "备案时间",
    "备案状态",
)


def relief_filed_rows(grants) -> Iterator[tuple]:

    from benefits.models import ReliefGrant
    from households.exports import CHUNK

    kinds, filings = _label(ReliefGrant.Kind.choices), _label(ReliefGrant.Filing.choices)
    rows = grants.values_list(
        "pk",
        "household__community__parent__name",
        "person__name",
        "person__id_number",
        "kind",
        "amount",
        "decided_by__full_name",
        "decided_by__username",
        "decided_on",
        "filed_at",
        "filing",
    )
    for pk, street, name, number, kind, amount, full_name, username, decided, filed, filing in rows.iterator(
        chunk_size=CHUNK
    ):
        yield (
            pk,
            street,
            name,
            idnumber.mask(number),
            kinds.get(kind, kind),
            amount,
            _who(full_name, username),
            _day(decided),
            filed,
            filings.get(filing, filing),
        )
