"""Writes of the benefits app. For now: the enrolment an approved application becomes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from benefits.models import Enrolment, EnrolmentMember
from cases.deadlines import first_of_next_month
from cases.models import Application, Category
from config.errors import ServiceError

MEMBER_COMPONENTS = ("tekun_basic", "orphan", "care", "disability_living", "disability_care")
ZERO = Decimal("0.00")


def category_share(*, determination: dict[str, Any], category: str) -> dict[str, Any]:
    """The part of a §7 determination that one category pays: its members, its components and their sum.

    dibao pays the unit's 补差 (`dibao_subsidy`), zhichu the 补差 of a unit taken into dibao
    (`zhichu.subsidy`), and each category the member components of its own members (policy.md §5).
    When the rules put nobody in `category` (an approval that overrides the rules), the members the
    rules left without a category are covered, or else all members, with no member amounts.
    """
    members = determination.get("members", [])
    own = [m for m in members if m.get("category") == category]
    if not own:
        own = [m for m in members if not m.get("category")] or list(members)
        own = [{**m, "amounts": {k: "0.00" for k in MEMBER_COMPONENTS}} for m in own]
    components = {
        "dibao_subsidy": Decimal(determination.get("dibao_subsidy") or "0") if category == Category.DIBAO else ZERO,
        "zhichu_subsidy": (Decimal((determination.get("zhichu") or {}).get("subsidy") or "0")
                           if category == Category.ZHICHU else ZERO),
    }
    for name in MEMBER_COMPONENTS:
        components[name] = sum((Decimal(m["amounts"].get(name, "0")) for m in own), ZERO)
    return {
        "category": category,
        "members": own,
        "components": components,
        "amount": sum(components.values(), ZERO),
    }


@transaction.atomic
def enrolment_create(*, application: Application, determination: dict[str, Any], acting_user,
                     today: dt.date | None = None) -> Enrolment:
    """The enrolment of an application the county approves, inside the approval's transaction.

    Category and monthly amount are those the street approved and the notice published; the components
    and covered members come from the rules' determination taken at the street review. If the amount was
    adjusted, the difference is the `adjustment` component, so the components always sum to the amount.
    Payment starts the month after approval.
    """
    today = today or timezone.localdate()
    category = application.proposed_category
    amount = application.proposed_amount
    if not category or amount is None:
        raise ServiceError("申请没有街道审核的类别和金额", code="no_proposal")
    share = category_share(determination=determination, category=category)
    household = application.household
    people = {p.id_number: p for p in household.members.all()}
    missing = [m["id_number"] for m in share["members"] if m["id_number"] not in people]
    if missing:
        raise ServiceError(f"街道审核后家庭成员已变动（{len(missing)}名保障成员已不在本户），须重新调查后再审批",
                           code="members_changed")
    if Enrolment.objects.filter(household=household, category=category, status=Enrolment.Status.ACTIVE).exists():
        raise ServiceError(f"该家庭已是{Category(category).label}保障对象", code="already_enrolled")
    components = {k: str(v.quantize(Decimal("0.01"))) for k, v in share["components"].items()}
    adjustment = amount - share["amount"]
    if adjustment:
        components["adjustment"] = str(adjustment.quantize(Decimal("0.01")))
    enrolment = Enrolment(
        household=household, application=application, category=category, components=components,
        monthly_amount=amount, start_month=first_of_next_month(today), created_by=acting_user,
    )
    enrolment._history_user = acting_user
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise ServiceError("该申请已生成救助对象，不能重复审批", code="already_enrolled") from None
    EnrolmentMember.objects.bulk_create([
        EnrolmentMember(enrolment=enrolment, person=people[m["id_number"]], category=category,
                        amounts=dict(m["amounts"]))
        for m in share["members"]
    ])
    return enrolment
