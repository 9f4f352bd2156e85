"""Monthly payment rolls: requested by the county, filled in one set-based statement, locked on confirmation.

- `roll_request` finds or creates the one roll of (county, month, program) — the unique constraint makes a
  second request, even a concurrent one, return the same roll — and queues its generation.
- `roll_fill` (run by the Celery task) writes every line with one INSERT … SELECT from the current enrolment
  periods paying in the month, a second writes the 增发 lines (Supplement), then it claims the county's unpaid
  arrears and writes them as their own labelled lines, then the county's approved corrections of earlier locked
  rolls as a 冲正 and a 更正 line each (benefits.services.corrections). It holds the county lock
  (timeline.lock_counties), so it never reads a half-applied change, and runs in one transaction: a roll is
  either empty and generating, or complete.
- `roll_lock` confirms it. A locked roll never changes: every service refuses, and changes nothing.
- A roll 生成中 and silent longer than `ROLL_STALE_MINUTES` (its message never sent, its worker dead) is queued
  again by the one sweeper (`ROLL_KIND`, common/background.py), twice, then it ends 生成失败 with a reason; the
  county then retries it (`roll_retry`, 重试) or gives it up (`roll_abandon`, 放弃: the empty roll is deleted and
  may be asked for again).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import Region
from accounts.services import event_record, event_times
from applications.models import Category
from benefits.models import Arrear, Enrolment, EnrolmentPeriod, PaymentLine, PaymentRoll, Supplement
from benefits.services import corrections, timeline
from common import background
from common.dates import month_label, next_month, parse_month
from config.errors import PermissionDenied, ServiceError
from households.models import Household, Person

log = logging.getLogger(__name__)
R = PaymentRoll.Status
NO_ACCOUNT = "未登记银行账号"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _regular_lines_sql() -> str:
    line, period, enrolment = (
        PaymentLine._meta.db_table,
        EnrolmentPeriod._meta.db_table,
        Enrolment._meta.db_table,
    )
    person, household = Person._meta.db_table, Household._meta.db_table
    return f"""
        INSERT INTO {_q(line)} (roll_id, enrolment_id, kind, month, label, community_code, name, id_number,
                                bank_name, bank_account, covered_count, amount, components, held, hold_reason)
        SELECT %s, e.id, 'regular', %s, '', h.community_id, pp.name, pp.id_number,
               h.bank_name, h.bank_account, p.covered_count, p.monthly_amount, p.components,
               (h.bank_account = ''), CASE WHEN h.bank_account = '' THEN %s ELSE '' END
        FROM {_q(period)} p
        JOIN {_q(enrolment)} e ON e.id = p.enrolment_id
        JOIN {_q(household)} h ON h.id = e.household_id
        JOIN {_q(person)} pp ON pp.id = e.payee_id
        WHERE e.category = %s AND h.community_id LIKE %s
          AND p.superseded_at IS NULL AND p.status IN ('active', 'gradual')
          AND p.start_month <= %s AND (p.end_month IS NULL OR p.end_month >= %s)
          AND p.monthly_amount > 0
        ORDER BY h.community_id, e.id
    """


def _arrears_lines_sql() -> str:
    line, arrear, enrolment = PaymentLine._meta.db_table, Arrear._meta.db_table, Enrolment._meta.db_table
    person, household = Person._meta.db_table, Household._meta.db_table
    return f"""
        INSERT INTO {_q(line)} (roll_id, enrolment_id, kind, month, label, community_code, name, id_number,
                                bank_name, bank_account, covered_count, amount, components, held, hold_reason)
        SELECT %s, e.id, 'arrears', a.month, a.label, h.community_id, pp.name, pp.id_number,
               h.bank_name, h.bank_account, 0, a.amount, %s,
               (h.bank_account = ''), CASE WHEN h.bank_account = '' THEN %s ELSE '' END
        FROM {_q(arrear)} a
        JOIN {_q(enrolment)} e ON e.id = a.enrolment_id
        JOIN {_q(household)} h ON h.id = e.household_id
        JOIN {_q(person)} pp ON pp.id = e.payee_id
        WHERE a.roll_id = %s
        ORDER BY h.community_id, e.id, a.month, a.id
    """


def _supplement_lines_sql() -> str:
    """增发 (policy.md §8.1): one line per supplement in force in the month, on an enrolment whose current period
    pays in the month; the supplement is not part of the period, so no recomputation ever drops it."""
    line, period, enrolment = (
        PaymentLine._meta.db_table,
        EnrolmentPeriod._meta.db_table,
        Enrolment._meta.db_table,
    )
    supplement, person, household = Supplement._meta.db_table, Person._meta.db_table, Household._meta.db_table
    return f"""
        INSERT INTO {_q(line)} (roll_id, enrolment_id, kind, month, label, community_code, name, id_number,
                                bank_name, bank_account, covered_count, amount, components, held, hold_reason)
        SELECT %s, e.id, 'supplement', %s, %s || s.reason, h.community_id, pp.name, pp.id_number,
               h.bank_name, h.bank_account, 0, s.amount, %s,
               (h.bank_account = ''), CASE WHEN h.bank_account = '' THEN %s ELSE '' END
        FROM {_q(supplement)} s
        JOIN {_q(enrolment)} e ON e.id = s.enrolment_id
        JOIN {_q(period)} p ON p.enrolment_id = e.id
        JOIN {_q(household)} h ON h.id = e.household_id
        JOIN {_q(person)} pp ON pp.id = e.payee_id
        WHERE e.category = %s AND h.community_id LIKE %s
          AND s.cancelled = %s AND s.start_month <= %s AND s.end_month >= %s
          AND p.superseded_at IS NULL AND p.status IN ('active', 'gradual')
          AND p.start_month <= %s AND (p.end_month IS NULL OR p.end_month >= %s)
          AND p.monthly_amount > 0
        ORDER BY h.community_id, e.id, s.id
    """


SUPPLEMENT_LABEL = "增发："


def roll_request(
    *, acting_user, county: str, month, program: str, today: dt.date | None = None, queue: bool = True
) -> tuple[PaymentRoll, bool]:
    """The roll of (county, month, program): the existing one, or a new one whose generation is queued.
    Returns (roll, created). Asking again never makes a second roll."""
    today = today or timezone.localdate()
    if not permissions.can_manage_roll(acting_user, county):
        raise PermissionDenied("只有本县（区）民政部门可以生成发放花名册", field="county")
    errors: list[dict[str, str]] = []
    first = parse_month(month)
    if first is None:
        errors.append({"field": "month", "message": "请选择发放月份"})
    elif first > next_month(today):
        errors.append(
            {"field": "month", "message": f"最多提前生成下月（{month_label(next_month(today))}）的花名册"}
        )
    if program not in Category.values:
        errors.append({"field": "program", "message": "请选择救助项目"})
    if errors:
        raise ServiceError(errors=errors)
    with transaction.atomic():
        roll = PaymentRoll.objects.filter(county_id=county, month=first, program=program).first()
        created = False
        if roll is None:
            try:
                with transaction.atomic():
                    roll = PaymentRoll(county_id=county, month=first, program=program, created_by=acting_user)
                    roll._history_user = acting_user
                    roll.save()
                    created = True
            except IntegrityError:  # a concurrent request made it first: that one is the roll
                roll = PaymentRoll.objects.get(county_id=county, month=first, program=program)
        if created:
            event_record(
                actor=acting_user,
                verb=f"申请生成{month_label(first)}{Category(program).label}发放花名册",
                target=roll,
                region_code=county,
            )
        if queue and roll.status == R.GENERATING:
            _queue(roll)
    return roll, created


def _queue(roll: PaymentRoll) -> None:
    """Queue the roll's generation once the transaction commits; its task id is kept for the progress."""
    from benefits.tasks import roll_generate

    roll.task_id = uuid.uuid4().hex
    roll.save(update_fields=["task_id"])
    roll_id, task_id = roll.pk, roll.task_id
    transaction.on_commit(lambda: _send(roll_generate, roll_id, task_id))


def _send(task, roll_id: int, task_id: str) -> None:
    """Broker down: the roll waits 生成中, and the sweeper queues it again (common/background.py)."""
    try:
        task.apply_async(args=[roll_id], task_id=task_id)
    except Exception as exc:  # noqa: BLE001 — kombu OperationalError, redis ConnectionError, OSError
        log.error("could not queue the generation of roll %s, the sweeper will retry: %s", roll_id, exc)


def roll_fill(*, roll_id: int, progress: Callable[[str, int], None] | None = None) -> PaymentRoll:
    """Write the lines of a generating roll (the task's work). A roll that is not generating any more is
    returned as it is: running this twice gives the same roll."""
    progress = progress or (lambda stage, n: None)
    started = time.perf_counter()
    with transaction.atomic():
        county = PaymentRoll.objects.values_list("county_id", flat=True).get(pk=roll_id)
        timeline.lock_counties([county])
        roll = PaymentRoll.objects.select_for_update().get(pk=roll_id)
        if roll.status != R.GENERATING:
            return roll
        progress("写入正常发放明细", 0)
        with connection.cursor() as cursor:
            cursor.execute(
                _regular_lines_sql(),
                [roll.pk, roll.month, NO_ACCOUNT, roll.program, f"{county}%", roll.month, roll.month],
            )
            regular = cursor.rowcount
            cursor.execute(
                _supplement_lines_sql(),
                [roll.pk, roll.month, SUPPLEMENT_LABEL, "{}", NO_ACCOUNT, roll.program, f"{county}%", False]
                + [roll.month] * 4,
            )
            regular += cursor.rowcount
        progress("写入补发明细", regular)
        claimed = Arrear.objects.filter(
            roll__isnull=True,
            enrolment__category=roll.program,
            enrolment__household__community__code__startswith=county,
        ).update(roll=roll)
        if claimed:
            with connection.cursor() as cursor:
                cursor.execute(_arrears_lines_sql(), [roll.pk, "{}", NO_ACCOUNT, roll.pk])
        corrected = corrections.corrections_settle(roll)
        progress("汇总", regular + claimed + corrected)
        timeline.roll_totals_refresh(roll)
        roll.status = R.READY
        roll.generated_at = timezone.now()
        roll.generate_seconds = round(time.perf_counter() - started, 3)
        roll._history_user = roll.created_by
        roll.save(update_fields=["status", "generated_at", "generate_seconds"])
        event_record(
            actor=roll.created_by,
            verb=f"生成发放花名册：{roll.line_count}笔，合计{roll.total_amount}元",
            target=roll,
            region_code=county,
            data={
                "regular": regular,
                "arrears": claimed,
                "corrections": corrected,
                "held": roll.held_count,
                "seconds": roll.generate_seconds,
            },
        )
    return roll


# --- stuck generation: the sweeper's kind, and the county's 重试 / 放弃 --------------------------------

REQUEUED = "发放花名册重新排队生成"
STUCK_MESSAGE = "后台生成多次中断，已停止；请点“重试”重新生成，或“放弃”后重新申请"


def _requeue(roll: PaymentRoll, actor) -> None:
    with transaction.atomic():
        roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
        if roll.status == R.FAILED:
            roll.status, roll.error = R.GENERATING, ""
            roll._history_user = actor
            roll.save(update_fields=["status", "error"])
        event_record(actor=actor, verb=REQUEUED, target=roll, region_code=roll.county_id)
        _queue(roll)


def _fail(roll: PaymentRoll) -> None:
    with transaction.atomic():
        if PaymentRoll.objects.filter(pk=roll.pk, status=R.GENERATING).update(
            status=R.FAILED, error=STUCK_MESSAGE
        ):
            event_record(
                actor=None,
                verb="发放花名册生成失败",
                target=roll,
                region_code=roll.county_id,
                data={"error": STUCK_MESSAGE},
            )


ROLL_KIND = background.Kind(
    key="roll",
    label="发放花名册生成",
    stuck_after=lambda: dt.timedelta(minutes=settings.ROLL_STALE_MINUTES),
    busy=lambda cutoff: PaymentRoll.objects.filter(status=R.GENERATING, created_at__lt=cutoff),
    last_activity=lambda roll: roll.created_at,
    requeues=lambda roll: event_times(target=roll, verb=REQUEUED),
    requeue=_requeue,
    fail=_fail,
)


def roll_is_stuck(roll: PaymentRoll, now: dt.datetime | None = None) -> bool:
    """Failed, or generating and silent longer than ROLL_STALE_MINUTES: its county may retry or abandon it."""
    return roll.status == R.FAILED or (
        roll.status == R.GENERATING and background.is_stuck(ROLL_KIND, roll, now)
    )


def _stuck_or_refuse(acting_user, roll: PaymentRoll) -> PaymentRoll:
    if not permissions.can_retry_or_abandon_roll(acting_user, roll):
        raise PermissionDenied("只有本县（区）民政部门可以处理本县的发放花名册")
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if not roll_is_stuck(roll):
        raise ServiceError(
            f"该花名册当前状态为“{roll.get_status_display()}”，没有停滞，不能重试或放弃", code="not_stuck"
        )
    return roll


def roll_retry(*, acting_user, roll: PaymentRoll) -> PaymentRoll:
    """The county queues a failed or stuck generation again (重试)."""
    with transaction.atomic():
        roll = _stuck_or_refuse(acting_user, roll)
        _requeue(roll, acting_user)
    roll.refresh_from_db()
    return roll


def roll_abandon(*, acting_user, roll: PaymentRoll) -> None:
    """The county gives up a failed or stuck generation (放弃): the roll, which has no line yet (a roll is
    filled in one transaction), is deleted, and the same month and program may be asked for again."""
    with transaction.atomic():
        roll = _stuck_or_refuse(acting_user, roll)
        event_record(
            actor=acting_user,
            verb=f"放弃生成{month_label(roll.month)}{Category(roll.program).label}发放花名册",
            target=roll,
            region_code=roll.county_id,
            data={"status": roll.status},
        )
        roll._history_user = acting_user
        roll.delete()


def _locked_roll(roll: PaymentRoll, acting_user, action: str) -> PaymentRoll:
    timeline.lock_counties([roll.county_id])
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if not permissions.can_manage_roll(acting_user, roll.county_id):
        raise PermissionDenied(f"只有本县（区）民政部门可以{action}")
    if roll.is_locked:
        raise ServiceError(
            f"花名册已于{timezone.localtime(roll.locked_at):%Y-%m-%d %H:%M}确认锁定，不能{action}",
            code="locked",
        )
    if roll.status != R.READY:
        raise ServiceError(f"花名册尚在生成中，不能{action}", code="not_ready")
    return roll


@transaction.atomic
def roll_lock(*, roll: PaymentRoll, acting_user) -> PaymentRoll:
    """The county confirms the roll; from now on nothing about it changes."""
    roll = _locked_roll(roll, acting_user, "确认锁定")
    timeline.roll_totals_refresh(roll)
    timeline.roll_community_totals_refresh(roll)  # what the reports read: a locked roll never changes again
    roll.status, roll.locked_at, roll.locked_by = R.LOCKED, timezone.now(), acting_user
    roll._history_user = acting_user
    roll.save(update_fields=["status", "locked_at", "locked_by"])
    event_record(
        actor=acting_user,
        verb=f"确认锁定发放花名册：{roll.line_count}笔，合计{roll.total_amount}元",
        target=roll,
        region_code=roll.county_id,
        data={"lines": roll.line_count, "total": str(roll.total_amount), "held": roll.held_count},
    )
    return roll


@transaction.atomic
def roll_line_hold(*, line: PaymentLine, acting_user, reason: str) -> PaymentLine:
    """Withhold one line of an unlocked roll (e.g. the account is wrong), with the reason."""
    roll = _locked_roll(line.roll, acting_user, "暂缓发放")
    line = PaymentLine.objects.select_for_update().get(pk=line.pk, roll=roll)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请写明暂缓发放的原因", field="reason")
    if line.held:
        raise ServiceError("该笔已暂缓发放", code="already_held")
    line.held, line.hold_reason = True, reason[:200]
    line.save(update_fields=["held", "hold_reason"])
    timeline.roll_totals_refresh(roll)
    event_record(
        actor=acting_user,
        verb=f"暂缓发放：{line.name} {line.amount}元",
        target=roll,
        region_code=roll.county_id,
        data={"line": line.pk, "reason": reason},
    )
    return line


@transaction.atomic
def roll_line_release(*, line: PaymentLine, acting_user) -> PaymentLine:
    """Pay a withheld line after all (an unlocked roll; a line without an account stays held)."""
    roll = _locked_roll(line.roll, acting_user, "恢复发放")
    line = PaymentLine.objects.select_for_update().get(pk=line.pk, roll=roll)
    if not line.held:
        raise ServiceError("该笔未暂缓发放", code="not_held")
    if not line.bank_account:
        raise ServiceError("该户未登记银行账号，请先在家庭档案中登记后再生成下月花名册", code="no_account")
    line.held, line.hold_reason = False, ""
    line.save(update_fields=["held", "hold_reason"])
    timeline.roll_totals_refresh(roll)
    event_record(
        actor=acting_user,
        verb=f"恢复发放：{line.name} {line.amount}元",
        target=roll,
        region_code=roll.county_id,
        data={"line": line.pk},
    )
    return line


def county_of(user) -> Region | None:
    if user.region_id and len(user.region_id) == 6:
        return Region.objects.filter(code=user.region_id).first()
    return None
