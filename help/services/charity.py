"""Writes for charity matching (五(八)): social organisations, companies and volunteers register aid offers
(recorded by civil-affairs staff of the area); households' needs are published without personal data; the
caseworker matches an offer to a household with the household's consent and records the aid given.

Offers are registered by caseworkers, street and county officers for a region within their own area. Needs
and matches are case data: the caseworker of the household's community writes them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction

from accounts.checks import (
    Errors,
    choice,
    d,
    date_check,
    optional_text,
    raise_errors,
    require_caseworker,
    text,
    today_or,
    touch,
)
from accounts.models import Region
from accounts.permissions import can_manage_offer
from accounts.services import event_record
from common import money
from config.errors import PermissionDenied, ServiceError
from help.models import AidKind, AidMatch, AidNeed, AidOffer
from households.models import Household

NEED_MAX_LENGTH = 500
# What a published text must not contain, whoever the household: ID numbers, phone numbers, house numbers.
PERSONAL_PATTERNS = (
    (re.compile(r"\d{17}[\dXx]|\d{15}"), "身份证号码"),
    (re.compile(r"1[3-9]\d{9}|\d{3,4}-?\d{7,8}"), "电话号码"),
    (re.compile(r"\d+\s*(号|栋|幢|单元|室|弄)"), "门牌号"),
)


def personal_data_in(value: str, household: Household) -> list[str]:
    """The kinds of personal data of the household (or any ID number, phone or house number) found in `value`."""
    found: list[str] = []
    members = list(household.members.all())
    checks = [
        ("姓名", [m.name for m in members if len(m.name) >= 2]),
        ("身份证号码", [m.id_number for m in members]),
        ("住址", [household.address] if len(household.address) >= 2 else []),
        ("电话号码", [household.phone] if household.phone else []),
        ("银行账号", [household.bank_account] if household.bank_account else []),
    ]
    for label, strings in checks:
        if any(s and s in value for s in strings) and label not in found:
            found.append(label)
    for pattern, label in PERSONAL_PATTERNS:
        if pattern.search(value) and label not in found:
            found.append(label)
    return found


# --------------------------------------------------------------------------------------------------
# Offers


@transaction.atomic
def aid_offer_register(
    *,
    acting_user,
    provider_name: str,
    provider_kind: str,
    title: str,
    kind: str,
    region: Region | None,
    amount: Decimal | str | None = None,
    places: int | None = None,
    conditions: str = "",
    contact: str = "",
    valid_until: dt.date | None = None,
    today: dt.date | None = None,
) -> AidOffer:
    today = today_or(today)
    if region is None or not can_manage_offer(acting_user, region.code):
        raise PermissionDenied("只能为本辖区登记社会帮扶资源", field="region")
    errors: Errors = []
    provider_name = text(
        provider_name, "provider_name", "请填写提供方名称", errors, max_length=100, label="提供方"
    )
    choice(provider_kind, AidOffer.ProviderKind, "provider_kind", "请选择提供方类型", errors)
    title = text(title, "title", "请填写项目名称", errors, max_length=100, label="项目名称")
    choice(kind, AidKind, "kind", "请选择帮扶类别", errors)
    value = money.collect(amount, "amount", errors, label="每户金额")
    if places is not None and (not isinstance(places, int) or places < 1):
        errors.append({"field": "places", "message": "可帮扶户数须为正整数（不限则不填）"})
    conditions = optional_text(conditions, "conditions", errors, max_length=2000, label="帮扶条件")
    contact = optional_text(contact, "contact", errors, max_length=100, label="联系人及电话")
    if valid_until is not None and valid_until < today:
        errors.append({"field": "valid_until", "message": "有效期不能早于今天"})
    raise_errors(errors)
    offer = AidOffer(
        provider_name=provider_name,
        provider_kind=provider_kind,
        title=title,
        kind=kind,
        amount=value,
        places=places,
        region=region,
        conditions=conditions,
        contact=contact,
        valid_until=valid_until,
        registered_by=acting_user,
    )
    offer._history_user = acting_user
    offer.save()
    event_record(
        actor=acting_user,
        verb="登记社会帮扶资源",
        target=offer,
        region_code=region.code,
        data={
            "provider": provider_name,
            "kind": kind,
            "places": places,
            "amount": str(value) if value is not None else None,
        },
    )
    return offer


@transaction.atomic
def aid_offer_close(*, acting_user, offer: AidOffer, reason: str) -> AidOffer:
    offer = AidOffer.objects.select_for_update().get(pk=offer.pk)
    if not can_manage_offer(acting_user, offer.region_id):
        raise PermissionDenied("只能管理本辖区登记的社会帮扶资源")
    if offer.status != AidOffer.Status.OPEN:
        raise ServiceError("该帮扶资源已结束", code="wrong_state")
    errors: Errors = []
    reason = text(reason, "reason", "请填写结束原因", errors)
    raise_errors(errors)
    offer.status = AidOffer.Status.CLOSED
    touch(offer, acting_user, ["status"])
    event_record(
        actor=acting_user,
        verb="结束社会帮扶资源",
        target=offer,
        region_code=offer.region_id,
        data={"reason": reason},
    )
    return offer


# --------------------------------------------------------------------------------------------------
# Needs


@transaction.atomic
def aid_need_publish(
    *,
    acting_user,
    household: Household,
    kind: str,
    description: str,
    amount_needed: Decimal | str | None = None,
    consent: bool,
    consent_on: dt.date | None,
    today: dt.date | None = None,
) -> AidNeed:
    """Publish a household's need, with its consent; the text is refused if it holds personal data."""
    today = today_or(today)
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_caseworker(acting_user, household.community_id, "发布帮扶需求")
    errors: Errors = []
    choice(kind, AidKind, "kind", "请选择需求类别", errors)
    description = text(
        description, "description", "请填写需求说明", errors, max_length=NEED_MAX_LENGTH, label="需求说明"
    )
    if description and (found := personal_data_in(description, household)):
        errors.append(
            {
                "field": "description",
                "message": f"需求说明将公开发布，不得含有个人信息（发现：{'、'.join(found)}）",
            }
        )
    value = money.collect(amount_needed, "amount_needed", errors, label="所需金额")
    if not consent:
        errors.append({"field": "consent", "message": "须经家庭同意后才能公开发布需求"})
    else:
        date_check(consent_on, "consent_on", "同意日期", errors, today=today)
    if kind in AidKind.values and (
        same := household.aid_needs.filter(kind=kind, status=AidNeed.Status.PUBLISHED).first()
    ):
        errors.append({"field": "kind", "message": f"该家庭已发布同类需求#{same.pk}"})
    raise_errors(errors)
    need = AidNeed(
        household=household,
        kind=kind,
        description=description,
        amount_needed=value,
        consent_on=consent_on,
        published_on=today,
        published_by=acting_user,
    )
    need._history_user = acting_user
    need.save()
    event_record(
        actor=acting_user,
        verb="发布帮扶需求",
        target=need,
        region_code=household.community_id,
        data={"household": household.pk, "kind": kind, "consent_on": consent_on.isoformat()},
    )
    return need


@transaction.atomic
def aid_need_withdraw(*, acting_user, need: AidNeed, reason: str) -> AidNeed:
    need = AidNeed.objects.select_for_update(of=("self",)).select_related("household").get(pk=need.pk)
    require_caseworker(acting_user, need.household.community_id, "撤回帮扶需求")
    if need.status != AidNeed.Status.PUBLISHED:
        raise ServiceError(f"需求当前状态为“{need.get_status_display()}”，不能撤回", code="wrong_state")
    errors: Errors = []
    reason = text(reason, "reason", "请填写撤回原因", errors)
    raise_errors(errors)
    need.status = AidNeed.Status.WITHDRAWN
    touch(need, acting_user, ["status"])
    event_record(
        actor=acting_user,
        verb="撤回帮扶需求",
        target=need,
        region_code=need.household.community_id,
        data={"reason": reason},
    )
    return need


# --------------------------------------------------------------------------------------------------
# Matches


@transaction.atomic
def aid_match_create(
    *,
    acting_user,
    offer: AidOffer,
    household: Household,
    need: AidNeed | None = None,
    consent: bool,
    consent_on: dt.date | None,
    consent_by: str,
    note: str = "",
    today: dt.date | None = None,
) -> AidMatch:
    """Match an offer to a household. The household must consent (who, when); the offer must be open, cover the
    household's community and have a place left. The offer row is locked: two matches cannot take its last place."""
    today = today_or(today)
    require_caseworker(acting_user, household.community_id, "对接社会帮扶资源")
    offer = AidOffer.objects.select_for_update(of=("self",)).select_related("region").get(pk=offer.pk)
    errors: Errors = []
    if offer.status != AidOffer.Status.OPEN:
        errors.append({"field": "offer", "message": "该帮扶资源已结束"})
    elif offer.valid_until is not None and offer.valid_until < today:
        errors.append({"field": "offer", "message": f"该帮扶资源有效期至{d(offer.valid_until)}，已过期"})
    if not household.community_id.startswith(offer.region.prefix):
        errors.append(
            {"field": "household", "message": f"该家庭不在此资源的帮扶范围（{offer.region.name}）内"}
        )
    if need is not None and (need.household_id != household.pk or need.status != AidNeed.Status.PUBLISHED):
        errors.append({"field": "need", "message": "请选择该家庭公开征集中的需求"})
    if not consent:
        errors.append({"field": "consent", "message": "须经家庭同意后才能对接帮扶资源"})
    else:
        date_check(consent_on, "consent_on", "同意日期", errors, today=today)
        consent_by = text(
            consent_by, "consent_by", "请填写表示同意的家庭成员", errors, max_length=32, label="同意人"
        )
    live = offer.matches.exclude(status=AidMatch.Status.CANCELLED)
    if live.filter(household=household).exists():
        errors.append({"field": "household", "message": "该家庭已对接此帮扶资源"})
    elif offer.places is not None and live.count() >= offer.places:
        errors.append({"field": "offer", "message": f"该帮扶资源可帮扶{offer.places}户，已全部对接"})
    raise_errors(errors)
    match = AidMatch(
        offer=offer,
        household=household,
        need=need,
        consent=True,
        consent_on=consent_on,
        consent_by=consent_by,
        note=(note or "").strip(),
        matched_by=acting_user,
    )
    match._history_user = acting_user
    match.save()
    if need is not None:
        need = AidNeed.objects.select_for_update().get(pk=need.pk)
        need.status = AidNeed.Status.MATCHED
        touch(need, acting_user, ["status"])
    event_record(
        actor=acting_user,
        verb=f"对接社会帮扶资源：{offer.provider_name}",
        target=match,
        region_code=household.community_id,
        data={
            "offer": offer.pk,
            "household": household.pk,
            "need": need.pk if need else None,
            "consent_on": consent_on.isoformat(),
            "consent_by": consent_by,
        },
    )
    return match


def _lock_match(match: AidMatch) -> AidMatch:
    return (
        AidMatch.objects.select_for_update(of=("self",)).select_related("household", "offer").get(pk=match.pk)
    )


@transaction.atomic
def aid_match_deliver(
    *,
    acting_user,
    match: AidMatch,
    delivered_on: dt.date | None,
    description: str,
    amount: Decimal | str | None = None,
    today: dt.date | None = None,
) -> AidMatch:
    """Record the aid the household received (recorded on the household's page)."""
    today = today_or(today)
    match = _lock_match(match)
    require_caseworker(acting_user, match.household.community_id, "登记帮扶落实情况")
    if match.status != AidMatch.Status.MATCHED:
        raise ServiceError(f"对接当前状态为“{match.get_status_display()}”，不能登记落实", code="wrong_state")
    errors: Errors = []
    date_check(
        delivered_on,
        "delivered_on",
        "落实日期",
        errors,
        today=today,
        not_before=match.consent_on,
        not_before_label="同意日期",
    )
    description = text(description, "description", "请填写帮扶落实情况", errors)
    value = money.collect(amount, "amount", errors, label="实际帮扶金额")
    raise_errors(errors)
    match.status, match.delivered_on = AidMatch.Status.DELIVERED, delivered_on
    match.delivered_amount, match.delivered_description = value, description
    touch(match, acting_user, ["status", "delivered_on", "delivered_amount", "delivered_description"])
    event_record(
        actor=acting_user,
        verb=f"社会帮扶已落实：{match.offer.provider_name}",
        target=match,
        region_code=match.household.community_id,
        data={"delivered_on": delivered_on.isoformat(), "amount": str(value) if value is not None else None},
    )
    return match


@transaction.atomic
def aid_match_cancel(*, acting_user, match: AidMatch, reason: str) -> AidMatch:
    """Undo a match not yet delivered (the household changed its mind, the provider withdrew); its need is
    published again."""
    match = _lock_match(match)
    require_caseworker(acting_user, match.household.community_id, "取消帮扶对接")
    if match.status != AidMatch.Status.MATCHED:
        raise ServiceError(f"对接当前状态为“{match.get_status_display()}”，不能取消", code="wrong_state")
    errors: Errors = []
    reason = text(reason, "reason", "请填写取消原因", errors)
    raise_errors(errors)
    match.status, match.note = (
        AidMatch.Status.CANCELLED,
        "\n".join(filter(None, [match.note, f"取消：{reason}"])),
    )
    touch(match, acting_user, ["status", "note"])
    if match.need_id is not None:
        need = AidNeed.objects.select_for_update().get(pk=match.need_id)
        others = need.matches.exclude(pk=match.pk).exclude(status=AidMatch.Status.CANCELLED).exists()
        if need.status == AidNeed.Status.MATCHED and not others:
            need.status = AidNeed.Status.PUBLISHED
            touch(need, acting_user, ["status"])
    event_record(
        actor=acting_user,
        verb="取消帮扶对接",
        target=match,
        region_code=match.household.community_id,
        data={"reason": reason},
    )
    return match
