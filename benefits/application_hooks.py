"""What benefits does at the points of the application flow and the household services (registered in
applications/hooks.py and households/hooks.py at start-up): say which categories a household is already enrolled
in, price a category from a determination, enrol the household when the county approves, and name the members
an enrolment covers (who may not be deleted from the household)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from benefits.compute import category_share
from benefits.models import Enrolment, EnrolmentMember
from benefits.services import enrolment_create


def current_categories(household) -> set[str]:
    return set(
        Enrolment.objects.filter(household=household, status__in=Enrolment.CURRENT).values_list(
            "category", flat=True
        )
    )


def category_amount(determination: dict[str, Any], category: str) -> Decimal:
    return category_share(determination=determination, category=category)["amount"]


def on_county_approve(application, determination: dict[str, Any], acting_user, today: dt.date) -> dict:
    enrolment = enrolment_create(
        application=application, determination=determination, acting_user=acting_user, today=today
    )
    return {
        "enrolment": enrolment.pk,
        "category": enrolment.category,
        "monthly_amount": str(enrolment.monthly_amount),
        "start_month": enrolment.start_month.isoformat(),
    }


def covered_members(person_ids) -> set[int]:
    return set(EnrolmentMember.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True))
