"""Corrections of locked payment rolls (冲正): a wrong line is never edited. A caseworker of the line's community
or the county office asks for the correction with the amount that should have been paid and why; the county
approves (or refuses) it; the next roll of the county and program, when it is filled, carries a 冲正 line that
cancels the wrong amount and a 更正 line that pays the right one, each naming the original line. Both show on
the household's payment history (they are lines of its enrolment) and in the roll's export.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.scope import can_write_region
from accounts.services import event_record
from benefits.models import PaymentCorrection, PaymentLine, PaymentRoll
from common import money
from config.errors import PermissionDenied, ServiceError

C = PaymentCorrection.Status
L = PaymentLine.Kind


def _event(correction: PaymentCorrection, acting_user, verb: str, data: dict | None = None) -> None:
    event_record(
        actor=acting_user,
        verb=verb,
        target=correction,
        region_code=correction.line.community_code,
        data={"line": correction.line_id, **(data or {})},
    )


@transaction.atomic
def correction_request(*, line: PaymentLine, corrected_amount, reason: str, acting_user) -> PaymentCorrection:
    line = PaymentLine.objects.select_related("roll").get(pk=line.pk)
    roll = line.roll
    if not (
        can_write_region(acting_user, line.community_code)
        or permissions.can_manage_roll(acting_user, roll.county_id)
    ):
        raise PermissionDenied("只有本社区的社区工作人员或本县（区）民政部门可以申请更正")
    errors: list[dict[str, str]] = []
    # Zero is an answer: nothing should have been paid (the 冲正 line alone cancels the payment).
    amount = money.collect(corrected_amount, "corrected_amount", errors, label="应发金额", required=True)
    reason = (reason or "").strip()
    if not reason:
        errors.append({"field": "reason", "message": "请写明原发放有什么错误"})
    if errors:
        raise ServiceError(errors=errors)
    if not roll.is_locked:
        raise ServiceError("花名册尚未锁定，请直接在花名册上暂缓该笔或重新生成，无需冲正", code="not_locked")
    if line.kind in (L.REVERSAL, L.CORRECTED):
        raise ServiceError("冲正或更正明细不能再次更正，请更正原发放明细", code="wrong_line")
    if amount == line.amount:
        raise ServiceError("应发金额与原发放金额相同，无需更正", field="corrected_amount", code="same_amount")
    PaymentLine.objects.select_for_update().get(pk=line.pk)  # one correction per line at a time
    if PaymentCorrection.objects.filter(line=line, status__in=[C.PENDING, C.APPROVED, C.SETTLED]).exists():
        raise ServiceError("这笔发放已有更正申请", code="duplicate")
    correction = PaymentCorrection(
        line=line, corrected_amount=amount, reason=reason, requested_by=acting_user
    )
    correction._history_user = acting_user
    correction.save()
    _event(
        correction,
        acting_user,
        f"申请更正{roll.month:%Y年%m月}花名册明细#{line.pk}：原发 {line.amount} 元，应发 {amount} 元",
        {"from": str(line.amount), "to": str(amount)},
    )
    return correction


def _pending(correction: PaymentCorrection, acting_user) -> PaymentCorrection:
    correction = (
        PaymentCorrection.objects.select_for_update(of=("self",))
        .select_related("line__roll")
        .get(pk=correction.pk)
    )
    if not permissions.can_manage_roll(acting_user, correction.line.roll.county_id):
        raise PermissionDenied("只有本县（区）民政部门可以审批更正")
    if correction.status != C.PENDING:
        raise ServiceError(f"该更正当前为“{correction.get_status_display()}”，不能再审批", code="wrong_state")
    return correction


@transaction.atomic
def correction_approve(*, correction: PaymentCorrection, acting_user, note: str = "") -> PaymentCorrection:
    correction = _pending(correction, acting_user)
    if not permissions.can_approve_correction(
        acting_user, correction.line.roll.county_id, correction.requested_by_id
    ):
        raise ServiceError(
            "这笔更正是您本人申请的，须由本县（区）民政部门的另一名工作人员审批", code="same_person"
        )
    correction.status, correction.decided_by, correction.decided_at = C.APPROVED, acting_user, timezone.now()
    correction.decision_note = (note or "").strip()
    correction._history_user = acting_user
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(correction, acting_user, "县级批准更正，下期花名册冲正并按应发金额发放")
    return correction


@transaction.atomic
def correction_reject(*, correction: PaymentCorrection, acting_user, reason: str) -> PaymentCorrection:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请写明不予更正的理由", field="note")
    correction = _pending(correction, acting_user)
    correction.status, correction.decided_by, correction.decided_at = C.REJECTED, acting_user, timezone.now()
    correction.decision_note = reason
    correction._history_user = acting_user
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(correction, acting_user, "县级不予更正", {"reason": reason})
    return correction


def corrections_settle(roll: PaymentRoll) -> int:
    """Inside roll_fill (its transaction and county lock): the county's approved corrections of this program from
    earlier rolls become a 冲正 and a 更正 line of `roll`. Returns how many corrections were settled."""
    corrections = list(
        PaymentCorrection.objects.select_for_update(of=("self",))
        .filter(
            status=C.APPROVED,
            roll__isnull=True,
            line__roll__county_id=roll.county_id,
            line__roll__program=roll.program,
            line__roll__month__lt=roll.month,
        )
        .select_related("line__roll")
        .order_by("line__community_code", "id")
    )
    lines = []
    for c in corrections:
        wrong = c.line
        ref = f"{wrong.roll.month:%Y年%m月}花名册明细#{wrong.pk}"
        common = {
            "roll": roll,
            "enrolment_id": wrong.enrolment_id,
            "month": wrong.month,
            "community_code": wrong.community_code,
            "name": wrong.name,
            "id_number": wrong.id_number,
            "bank_name": wrong.bank_name,
            "bank_account": wrong.bank_account,
            "covered_count": 0,
            "components": {},
        }
        lines.append(
            PaymentLine(
                **common,
                kind=L.REVERSAL,
                amount=-wrong.amount,
                label=f"冲正{ref}（原发 {wrong.amount} 元）：{c.reason}"[:200],
            )
        )
        if c.corrected_amount > Decimal("0"):
            lines.append(
                PaymentLine(
                    **common,
                    kind=L.CORRECTED,
                    amount=c.corrected_amount,
                    label=f"更正{ref}：应发 {c.corrected_amount} 元",
                )
            )
    PaymentLine.objects.bulk_create(lines)
    PaymentCorrection.objects.filter(pk__in=[c.pk for c in corrections]).update(status=C.SETTLED, roll=roll)
    return len(corrections)
