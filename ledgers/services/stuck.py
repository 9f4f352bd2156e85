"""Extracts and reconciliation runs that stopped moving: their kinds for the one sweeper (common/background.py),
and the owner's 重试 / 放弃.

* An extract waits 待校验 / 校验中, or 待导入 (checked, its load asked for by its mode or its uploader): silent
  longer than `EXTRACT_STALE_MINUTES` and held by no worker (common.locks), it is queued again (validation and load are idempotent), twice, then it
  ends 失败 with a reason. One checked in the 先校验 mode and never decided is removed, file and record, after
  `EXTRACT_UNCONFIRMED_HOURS`.
* A run 排队中 / 比对中 silent longer than `RECONCILE_STALE_SECONDS` and held by no task (PostgreSQL advisory
  lock) is queued again (a run resumes from its recorded steps), twice, then it ends 失败. An officer of its
  region restarts it (重新开始, `run_restart`) or gives it up (放弃, `run_abandon`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.permissions import can_retry_or_abandon_extract, can_retry_or_abandon_run
from accounts.services import event_record, event_times
from common import background, locks
from config.errors import PermissionDenied, ServiceError
from ledgers.models import Extract, ReconciliationRun
from ledgers.services import extracts, runs
from ledgers.services.extracts import _actor, _remove_files
from ledgers.services.runs import _lock_held, run_fail, run_is_stalled

X = Extract.Status
Run = ReconciliationRun

EXTRACT_REQUEUED = "比对数据重新排队"
EXTRACT_STUCK_MESSAGE = "后台处理多次中断，已停止，未导入；请检查文件后重新上传"
RUN_REQUEUED = "比对重新排队"
RUN_STUCK_MESSAGE = "后台比对多次中断，已停止；请点“重新开始”继续（已完成的步骤不会重做）"

# Busy: waiting for the task to check it, or checked and waiting for the task to load it.
_EXTRACT_BUSY = Q(status__in=[X.UPLOADED, X.VALIDATING]) | (
    Q(status=X.CHECKED) & (~Q(mode=Extract.Mode.CHECK) | Q(load_requested_at__isnull=False))
)


def extract_is_busy(extract: Extract) -> bool:
    return extract.status in (X.UPLOADED, X.VALIDATING) or (
        extract.status == X.CHECKED
        and (extract.mode != Extract.Mode.CHECK or extract.load_requested_at is not None)
    )


def _extract_last(extract: Extract) -> dt.datetime:
    return max(t for t in (extract.created_at, extract.validated_at, extract.load_requested_at) if t)


def _extract_requeue(extract: Extract, actor) -> None:
    with transaction.atomic():
        event_record(
            actor=actor,
            verb=EXTRACT_REQUEUED,
            target=extract,
            region_code=extract.region_id,
            data={"status": extract.status},
        )
        transaction.on_commit(lambda: extracts._queue_process(extract.pk))


def _extract_fail(extract: Extract, message: str = EXTRACT_STUCK_MESSAGE, actor=None, verb: str = "") -> None:
    with transaction.atomic():
        Extract.objects.filter(pk=extract.pk).update(
            status=X.FAILED, error=message, validated_at=extract.validated_at or timezone.now()
        )
        event_record(
            actor=actor,
            verb=verb or "比对数据处理停滞，未导入",
            target=extract,
            region_code=extract.region_id,
            data={"error": message},
        )
        transaction.on_commit(lambda: _remove_files(extract))


def _extract_expire(cutoff: dt.datetime) -> int:
    removed = 0
    for extract in Extract.objects.filter(
        status=X.CHECKED, mode=Extract.Mode.CHECK, load_requested_at__isnull=True, validated_at__lt=cutoff
    ):
        with transaction.atomic():
            event_record(
                actor=None,
                verb="未确认的比对数据已过期删除",
                target=extract,
                region_code=extract.region_id,
                data={"original_name": extract.original_name, "kind": extract.kind, "period": extract.period},
            )
            extract.delete()
            transaction.on_commit(lambda e=extract: _remove_files(e))
        removed += 1
    return removed


EXTRACT_KIND = background.Kind(
    key="extract",
    label="部门比对数据",
    stuck_after=lambda: dt.timedelta(minutes=settings.EXTRACT_STALE_MINUTES),
    busy=lambda cutoff: Extract.objects.filter(_EXTRACT_BUSY, created_at__lt=cutoff),
    last_activity=_extract_last,
    requeues=lambda extract: event_times(target=extract, verb=EXTRACT_REQUEUED),
    requeue=_extract_requeue,
    fail=_extract_fail,
    held=lambda extract: locks.held(locks.EXTRACT_LIVE, extract.pk),
    expire=_extract_expire,
    unconfirmed_after=lambda: dt.timedelta(hours=settings.EXTRACT_UNCONFIRMED_HOURS),
)


def extract_is_stuck(extract: Extract, now: dt.datetime | None = None) -> bool:
    return extract_is_busy(extract) and background.is_stuck(EXTRACT_KIND, extract, now)


def extract_retry(*, principal, extract: Extract) -> None:
    """The uploading side queues a stuck extract again (重试)."""
    if not can_retry_or_abandon_extract(principal, extract):
        raise PermissionDenied("只能处理本部门/本辖区上传的比对数据")
    if not extract_is_stuck(extract):
        raise ServiceError("该比对数据没有停滞，无需重试", code="not_stuck")
    _extract_requeue(extract, _actor(principal))


def extract_abandon(*, principal, extract: Extract) -> Extract:
    """The uploading side gives up a stuck extract (放弃): it ends 失败, nothing loaded, the file removed."""
    if not can_retry_or_abandon_extract(principal, extract):
        raise PermissionDenied("只能处理本部门/本辖区上传的比对数据")
    with transaction.atomic():
        extract = Extract.objects.select_for_update().get(pk=extract.pk)
        if not extract_is_stuck(extract):
            raise ServiceError("该比对数据没有停滞，不能在处理中放弃", code="not_stuck")
        _extract_fail(
            extract, "上传方放弃了停滞的处理，未导入", actor=_actor(principal), verb="放弃停滞的比对数据"
        )
    extract.refresh_from_db()
    return extract


# --- reconciliation runs -------------------------------------------------------------------------


def _run_requeue(run: Run, actor) -> None:
    with transaction.atomic():
        event_record(
            actor=actor, verb=RUN_REQUEUED, target=run, region_code=run.region_id, data={"status": run.status}
        )
        transaction.on_commit(lambda: runs._queue_run(run.pk))


RUN_KIND = background.Kind(
    key="reconciliation",
    label="比对",
    stuck_after=lambda: dt.timedelta(seconds=settings.RECONCILE_STALE_SECONDS),
    busy=lambda cutoff: Run.objects.filter(status__in=Run.ACTIVE).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    ),
    last_activity=lambda run: run.heartbeat_at or run.created_at,
    requeues=lambda run: event_times(target=run, verb=RUN_REQUEUED),
    requeue=_run_requeue,
    fail=lambda run: run_fail(run_id=run.pk, message=RUN_STUCK_MESSAGE),
    held=lambda run: _lock_held(run.pk),
)


def run_abandon(*, acting_user, run: Run) -> Run:
    """An officer of the run's region gives up a stuck run (放弃): it ends 失败 and frees its scope."""
    if not can_retry_or_abandon_run(acting_user, run):
        raise PermissionDenied("只有县级及以上民政可以放弃本辖区的比对")
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        if not run_is_stalled(run):
            raise ServiceError("该比对没有停滞，不能放弃", code="not_stuck")
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.FAILED, error="发起方放弃了停滞的比对", finished_at=timezone.now()
        )
        event_record(actor=acting_user, verb="放弃停滞的比对", target=run, region_code=run.region_id)
    run.refresh_from_db()
    return run
