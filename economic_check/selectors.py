"""Reads of the economic check: the latest check of an application as its page shows it."""

from __future__ import annotations

from accounts.models import Event
from applications.models import Application
from economic_check.models import CheckObjection, EconomicCheck, EconomicContradiction
from economic_check.sources import CHECKED

AUTO_STOPPED = "受理后的自动核对多次未能完成，已停止"  # the event the sweeper records (services.AUTO_KIND)


def economic_check_auto_stopped(application: Application) -> bool:
    """The automatic check stopped after the sweeper's re-queues and no check has been run since."""
    return (
        not EconomicCheck.objects.filter(application=application).exists()
        and Event.objects.filter(
            target_type="applications.application", target_id=str(application.pk), verb=AUTO_STOPPED
        ).exists()
    )


def economic_check_page(*, application: Application) -> dict:
    """The latest economic check of an application (already in the user's scope) as its page shows it: a
    member × source table, the sources not checked, the contradictions and the objections, in a fixed
    number of queries."""
    checks = list(
        EconomicCheck.objects.filter(application=application).select_related("run_by").order_by("-id")[:2]
    )
    objections = list(
        CheckObjection.objects.filter(application=application)
        .select_related("recorded_by", "recheck", "contradiction")
        .order_by("id")
    )
    if not checks:
        return {
            "check": None,
            "objections": objections,
            "auto_stopped": economic_check_auto_stopped(application),
        }
    check = checks[0]
    contradictions = list(
        EconomicContradiction.objects.filter(check_run=check).select_related("resolved_by").order_by("id")
    )
    sources = check.sources
    rows: dict[str, dict] = {}
    for item in check.items.order_by("id"):
        row = rows.setdefault(item.id_number, {"name": item.name, "id_masked": item.id_masked, "cells": {}})
        row["cells"][item.source] = item
    table = [
        {
            "name": r["name"],
            "id_masked": r["id_masked"],
            "cells": [
                {"source": s, "item": r["cells"].get(s["kind"]), "checked": s["status"] == CHECKED}
                for s in sources
            ],
        }
        for r in rows.values()
    ]
    return {
        "check": check,
        "sources": sources,
        "table": table,
        "not_checked": check.not_checked,
        "contradictions": contradictions,
        "open_contradictions": [c for c in contradictions if c.is_open],
        "objections": objections,
        "earlier": len(checks) > 1,
    }
