"""Reads of enrolments. Callers narrow by scope first (a household they got from a scoped selector)."""

from __future__ import annotations

from django.db.models import Prefetch

from benefits.models import Enrolment, EnrolmentMember


def household_enrolments(*, household) -> list[Enrolment]:
    """The household's enrolments, active first, with their covered members (two queries)."""
    covered = EnrolmentMember.objects.select_related("person").order_by("id")
    return list(
        Enrolment.objects.filter(household=household)
        .prefetch_related(Prefetch("covered", queryset=covered))
        .order_by("status", "-id")
    )
