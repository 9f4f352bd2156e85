"""Writes to pairings (结对帮扶, 六(二)): a cadre or party member from a unit in the region is paired with a
household; each visit is logged with its date and what was done; a pairing ends with a reason.

The caseworker of the household's community records them (the units arrange the pairing itself)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from accounts.checks import (
    Errors,
    choice,
    date_check,
    optional_text,
    raise_errors,
    require_caseworker,
    text,
    today_or,
    touch,
)
from accounts.services import event_record
from config.errors import ServiceError
from help.models import Pairing, PairingVisit
from households.models import Household


def _lock(pairing: Pairing) -> Pairing:
    return Pairing.objects.select_for_update(of=("self",)).select_related("household").get(pk=pairing.pk)


@transaction.atomic
def pairing_create(
    *,
    acting_user,
    household: Household,
    helper_name: str,
    helper_kind: str,
    helper_unit: str,
    helper_phone: str = "",
    started_on: dt.date | None,
    today: dt.date | None = None,
) -> Pairing:
    """Pair a cadre or party member with a household (one accountable helper per household at a time)."""
    today = today_or(today)
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_caseworker(acting_user, household.community_id, "登记结对帮扶")
    errors: Errors = []
    helper_name = text(
        helper_name, "helper_name", "请填写帮扶责任人姓名", errors, max_length=32, label="姓名"
    )
    choice(helper_kind, Pairing.HelperKind, "helper_kind", "请选择帮扶责任人身份", errors)
    helper_unit = text(
        helper_unit, "helper_unit", "请填写帮扶责任人所在单位", errors, max_length=100, label="单位"
    )
    helper_phone = optional_text(helper_phone, "helper_phone", errors, max_length=20, label="联系电话")
    date_check(started_on, "started_on", "结对日期", errors, today=today)
    current = household.pairings.filter(status=Pairing.Status.ACTIVE).first()
    if current is not None:
        errors.append(
            {
                "field": "__all__",
                "message": f"该家庭已与{current.helper_name}结对帮扶，请先结束原结对再重新结对",
            }
        )
    raise_errors(errors)
    pairing = Pairing(
        household=household,
        helper_name=helper_name,
        helper_kind=helper_kind,
        helper_unit=helper_unit,
        helper_phone=helper_phone,
        started_on=started_on,
        created_by=acting_user,
    )
    pairing._history_user = acting_user
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:  # another pairing of this household committed first (the constraint holds)
        raise ServiceError("该家庭已有结对帮扶", code="duplicate") from None
    event_record(
        actor=acting_user,
        verb="登记结对帮扶",
        target=pairing,
        region_code=household.community_id,
        data={
            "household": household.pk,
            "helper_kind": helper_kind,
            "helper_unit": helper_unit,
            "started_on": started_on.isoformat(),
        },
    )
    return pairing


@transaction.atomic
def pairing_visit_record(
    *,
    acting_user,
    pairing: Pairing,
    visited_on: dt.date | None,
    activities: str,
    today: dt.date | None = None,
) -> PairingVisit:
    """A visit of the helper to the household: when, and what was done."""
    today = today_or(today)
    pairing = _lock(pairing)
    require_caseworker(acting_user, pairing.household.community_id, "录入结对帮扶走访")
    if pairing.status != Pairing.Status.ACTIVE:
        raise ServiceError("该结对帮扶已结束，不能再录入走访", code="wrong_state")
    errors: Errors = []
    date_check(
        visited_on,
        "visited_on",
        "走访日期",
        errors,
        today=today,
        not_before=pairing.started_on,
        not_before_label="结对日期",
    )
    activities = text(activities, "activities", "请填写帮扶内容", errors)
    raise_errors(errors)
    visit = PairingVisit.objects.create(
        pairing=pairing, visited_on=visited_on, activities=activities, recorded_by=acting_user
    )
    event_record(
        actor=acting_user,
        verb="结对帮扶走访",
        target=pairing,
        region_code=pairing.household.community_id,
        data={"visit": visit.pk, "visited_on": visited_on.isoformat()},
    )
    return visit


@transaction.atomic
def pairing_end(
    *, acting_user, pairing: Pairing, ended_on: dt.date | None, reason: str, today: dt.date | None = None
) -> Pairing:
    today = today_or(today)
    pairing = _lock(pairing)
    require_caseworker(acting_user, pairing.household.community_id, "结束结对帮扶")
    if pairing.status != Pairing.Status.ACTIVE:
        raise ServiceError("该结对帮扶已结束", code="wrong_state")
    errors: Errors = []
    date_check(
        ended_on,
        "ended_on",
        "结束日期",
        errors,
        today=today,
        not_before=pairing.started_on,
        not_before_label="结对日期",
    )
    reason = text(reason, "reason", "请填写结束原因", errors)
    raise_errors(errors)
    pairing.status, pairing.ended_on, pairing.end_reason = Pairing.Status.ENDED, ended_on, reason
    touch(pairing, acting_user, ["status", "ended_on", "end_reason"])
    event_record(
        actor=acting_user,
        verb="结束结对帮扶",
        target=pairing,
        region_code=pairing.household.community_id,
        data={"ended_on": ended_on.isoformat(), "reason": reason},
    )
    return pairing
