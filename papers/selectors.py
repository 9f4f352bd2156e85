"""Reads for the printed papers, narrowed to the user's region by accounts.scope (out of scope: 404)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Region
from accounts.scope import in_scope, scope_filter
from applications.models import Application, ApplicationEvent
from households.models import Person
from papers.models import DecisionNotice


def application_for_papers(*, user, pk: int) -> Application:
    """One application in scope with everything its papers print: household, members, steps, visits, reviews."""
    qs = scope_filter(Application.objects.all(), user, "household__community__code")
    qs = qs.select_related(
        "household__community__parent__parent", "created_by", "enrolment"
    ).prefetch_related(
        Prefetch("household__members", queryset=Person.objects.order_by("id")),
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor").order_by("at", "id")),
        "visits__recorded_by",
        "reviews__recorded_by",
        Prefetch("notices", queryset=DecisionNotice.objects.order_by("issued_at", "id")),
    )
    return get_object_or_404(qs, pk=pk)


def notice_get(*, user, pk: int) -> DecisionNotice:
    qs = scope_filter(DecisionNotice.objects.all(), user, "community_code")
    qs = qs.select_related("application__household__community__parent__parent", "enrolment", "issued_by")
    qs = qs.prefetch_related(
        Prefetch("application__household__members", queryset=Person.objects.order_by("id"))
    )
    return get_object_or_404(qs, pk=pk)


def notice_communities(*, user) -> QuerySet[Region]:
    """The communities in scope that have households on public notice now (for the 公示名单 picker)."""
    codes = (
        scope_filter(
            Application.objects.filter(status=Application.Status.NOTICE), user, "household__community__code"
        )
        .values_list("household__community_id", flat=True)
        .distinct()
    )
    return Region.objects.filter(code__in=codes).order_by("code")


def public_notice(*, user, community_code: str) -> tuple[Region, list[Application]]:
    """A community's applications on public notice now, for its board: in scope or 404."""
    if not in_scope(user, community_code):
        community_code = ""
    community = get_object_or_404(
        Region.objects.select_related("parent__parent"), code=community_code, level=Region.Level.COMMUNITY
    )
    heads = Person.objects.filter(relation=Person.Relation.HEAD)
    rows = list(
        Application.objects.filter(status=Application.Status.NOTICE, household__community_id=community.code)
        .prefetch_related(Prefetch("household__members", queryset=heads, to_attr="heads"))
        .order_by("notice_started_on", "id")
    )
    return community, rows
