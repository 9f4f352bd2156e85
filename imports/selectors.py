"""Reads of import batches, narrowed to the user's region by accounts.scope: the list page's filters and sort."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.scope import narrow_to_region, scope_filter
from common.dates import add_months
from config.listing import sort_order
from imports.models import ImportBatch

# The columns the import list sorts by (config.listing.sort_order).
IMPORT_SORTS = {"id": "id", "created_at": "created_at", "rows": "rows_total", "status": "status"}


def import_scope(*, user) -> QuerySet[ImportBatch]:
    return scope_filter(ImportBatch.objects.all(), user, "region__code")


def import_list(
    *, user, status: str = "", community: str = "", month: dt.date | None = None, sort: str = ""
) -> QuerySet[ImportBatch]:
    """Batches in scope, filtered by status, the region they were uploaded for and the month of upload, sorted by
    one of IMPORT_SORTS (newest first)."""
    qs = narrow_to_region(import_scope(user=user), community, "region__code")
    if status in ImportBatch.Status.values:
        qs = qs.filter(status=status)
    if month is not None:
        qs = qs.filter(created_at__date__gte=month, created_at__date__lt=add_months(month, 1))
    return qs.select_related("uploaded_by", "region").order_by(*sort_order(sort, IMPORT_SORTS, "-id"))
