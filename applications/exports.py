"""Excel rows of the application list (same selector, scope and filters as the page; heads as subqueries)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from common.idnumber import mask
from households.exports import CHUNK, head_subqueries
from households.exports import day as _day

APPLICATION_HEADER = (
    "编号",
    "户主",
    "身份证号码",
    "社区代码",
    "社区",
    "申请类别",
    "状态",
    "受理日期",
    "办理时限",
    "超期（工作日）",
    "决定日期",
)


def application_rows(applications: QuerySet, today) -> Iterator[tuple]:
    """Model rows (the stage and deadline are computed as on the page, with no query), heads as subqueries."""
    from applications.selectors import deadline_of, stage_label

    rows = (
        applications.prefetch_related(None)
        .select_related("household__community")
        .annotate(**head_subqueries("household_id"))
    )
    for a in rows.iterator(chunk_size=CHUNK):
        overdue = deadline_of(a, today).overdue_days
        yield (
            a.pk,
            a.x_head_name or "（未登记户主）",
            mask(a.x_head_id),
            a.household.community_id,
            a.household.community.name,
            a.get_category_display(),
            stage_label(a, today),
            _day(a.received_on),
            _day(a.due_on) if a.is_open else None,
            overdue or None,
            _day(a.decided_on),
        )
