"""Shared by the benefits pages: the page size, and the filters each list page and its Excel export read from
the query string (config.listing.ListQuery: a value typed wrong is dropped with a Chinese note)."""

from __future__ import annotations

from applications.models import Category
from benefits import selectors
from benefits.models import CountyTask, EnrolmentReview, PaymentCorrection, PaymentRoll, ReliefGrant
from config.listing import ListQuery

PAGE_SIZE = 30


def relief_filters(request) -> tuple[dict, list[str]]:
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", ReliefGrant.Status.choices, "状态"),
        "kind": q.choice("kind", ReliefGrant.Kind.choices, "救助类型"),
        "community": q.region(),
        "month": q.month("month", "受理月份"),
        "sort": q.sort(selectors.RELIEF_SORTS),
    }
    return filters, q.notes


def review_filters(request) -> tuple[dict, list[str]]:
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", (), "状态", default="open", extra=("open", "done", "all")),
        "kind": q.choice("kind", EnrolmentReview.Kind.choices, "复核类型"),
        "community": q.region(),
        "deadline": q.choice("deadline", (), "复核时限", extra=("overdue", "month")),
        "sort": q.sort(selectors.REVIEW_SORTS),
    }
    return filters, q.notes


def roll_filters(request) -> tuple[dict, list[str]]:
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", PaymentRoll.Status.choices, "状态"),
        "program": q.choice("program", Category.choices, "救助项目"),
        "month": q.month("month", "发放月份"),
        "county": q.region("county"),
        "sort": q.sort(selectors.ROLL_SORTS),
    }
    return filters, q.notes


def correction_filters(request) -> tuple[dict, list[str]]:
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", PaymentCorrection.Status.choices, "状态"),
        "community": q.region(),
    }
    return filters, q.notes


def county_task_filters(request) -> tuple[dict, list[str]]:
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", (), "状态", default="open", extra=("open", "done")),
        "kind": q.choice("kind", CountyTask.Kind.choices, "事项"),
        "community": q.region(),
    }
    return filters, q.notes
