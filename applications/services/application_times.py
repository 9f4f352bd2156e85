"""The milestones row of an application (applications.ApplicationTimes), derived from its events.

One statement per refresh, the same on SQLite and PostgreSQL: the row is rewritten from the application's
ApplicationEvent rows (first 受理, last 入户调查 / 民主评议 / 街道审核通过 / 开始公示, first 县级审批 and the community recorded on
the decision), so it is exact whatever order the events were written in. `applications/services/applications.py` calls it
after every event it writes; the migration that added the table filled it the same way for every application.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from applications.models import ApplicationEvent, ApplicationTimes


def select_sql(where: str) -> str:
    """The SELECT of the milestones rows (application_id first, then the columns in table order) of the events
    matching `where`."""
    decision = "step IN ('county_approve', 'county_reject')"
    return f"""
        SELECT application_id,
               MIN(CASE WHEN step = 'intake' THEN on_date END),
               MAX(CASE WHEN step = 'visit' THEN on_date END),
               MAX(CASE WHEN step = 'review' THEN on_date END),
               MAX(CASE WHEN step = 'street_approve' THEN on_date END),
               MAX(CASE WHEN step = 'notice_start' THEN on_date END),
               MIN(CASE WHEN {decision} THEN on_date END),
               COALESCE(MIN(CASE WHEN {decision} THEN region_code END), '')
        FROM {ApplicationEvent._meta.db_table}
        WHERE {where}
        GROUP BY application_id"""


def application_times_refresh(*, application_ids: Iterable[int]) -> None:
    """Rewrite the milestones rows of these applications from their events (derived data: no event row, no
    history; runs inside the caller's transaction)."""
    ids = sorted({int(i) for i in application_ids})
    if not ids:
        return
    table = ApplicationTimes._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE application_id IN ({marks})", ids)
        cur.execute(
            f"""
            INSERT INTO {table} (application_id, intake_on, visit_on, review_on, street_on, notice_on, decided_on,
                                 decided_region)
            {select_sql(f"application_id IN ({marks})")}""",
            ids,
        )
