"""Importing households, members, incomes and enrolments from a county or street office's Excel ledger.

Who may import (accounts.scope decides the region; accounts.permissions adds the role):

* households, members and incomes: county officers (their county), street officers (their street) and
  caseworkers (their community). Typing case data stays the caseworker's job (households.services); an
  import is the office moving its existing ledger, which the issue gives to county and street staff — each row's
  community must be inside the uploader's region, exactly as `in_scope` says;
* enrolments (救助类别/月救助金/起始月份): county officers only, in their county — an enrolment is what the county
  approves (accounts.permissions.can_import_enrolments), so a street office's workbook with enrolment rows is
  refused row by row. City, province and auditors import nothing.

Flow: `import_upload` stores the file and queues `imports.tasks.import_process`, which checks it
(`import_validate`, one streaming pass, then the check against persons already registered) and leaves it
CHECKED with a preview, or REJECTED with every error's row and column. The uploader confirms
(`import_confirm`) and the task runs `import_execute`: one transaction that checks the workbook again (the
database may have changed since the preview) and, only if it is still clean, writes everything with bulk
inserts and their history rows, and one Event for the batch. Any error: nothing is written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from accounts.models import Region
from accounts.permissions import (
    can_import_enrolments,
    can_import_households,
    can_import_into,
    can_retry_or_abandon_import,
)
from accounts.scope import in_scope
from accounts.services import event_record, event_times
from applications.models import Application, Category
from benefits.compute import household_facts
from benefits.schedule import next_review
from benefits.services.enrolments import review_schedule
from common import background, locks
from common.dates import month_label
from common.workbook_upload import file_format
from config.errors import PermissionDenied, ServiceError
from config.uploads import upload_store
from households.models import Household, Person
from imports import workbook as importing
from imports.bulk import TableWriter
from imports.models import ImportBatch, ImportIssue
from ledgers.validation import ExtractFileError

log = logging.getLogger(__name__)
B = ImportBatch.Status
BATCH = 1000  # issues per INSERT
CHUNK = 5000  # households written per step (bounds the objects held in memory)
ID_QUERY_CHUNK = (
    20_000  # ID numbers a query: 2,000 took 11.4 s for 100,000 numbers, 20,000 6.1 s (query building)
)
MAX_BYTES = 64 * 2**20  # 100,000 rows as Excel saves them are about 6 MB; as openpyxl writes them about 11 MB
# The main component of each category: an imported amount is recorded under it (components sum to the amount).
MAIN_COMPONENT = {
    Category.DIBAO: "dibao_subsidy",
    Category.TEKUN: "tekun_basic",
    Category.ZHICHU: "zhichu_subsidy",
}


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(batch: ImportBatch) -> Path:
    return storage_dir() / batch.stored_name


def _checked_path(batch: ImportBatch) -> Path:
    return storage_dir() / (batch.stored_name + ".checked.jsonl")


def _remove_file(batch: ImportBatch) -> None:
    _path(batch).unlink(missing_ok=True)
    _checked_path(batch).unlink(missing_ok=True)


def _progress_key(batch_id: int) -> str:
    return f"import-progress-{batch_id}"


def progress_of(batch: ImportBatch) -> dict[str, Any]:
    """What the status endpoint shows: the batch's own counters, and while it imports (inside one transaction,
    invisible to other connections until it commits) the stage the task reports through the cache."""
    percent = 0
    stage = batch.stage
    if batch.status == B.VALIDATING and batch.rows_total:
        percent = min(99, int(batch.rows_checked * 100 / batch.rows_total))
    elif batch.status == B.IMPORTING:
        reported = cache.get(_progress_key(batch.pk)) or {}
        stage = reported.get("stage", stage)
        percent = reported.get("percent", 0)
    elif batch.status in (B.DONE,):
        percent = 100
    return {
        "id": batch.pk,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "stage": stage,
        "percent": percent,
        "rows_checked": batch.rows_checked,
        "rows_total": batch.rows_total,
        "busy": batch.busy,
    }


# --- upload ---------------------------------------------------------------------------------------


def import_upload(*, acting_user, file, original_name: str) -> ImportBatch:
    """Store an uploaded workbook as a new batch and queue its check."""
    if not can_import_households(acting_user):
        raise PermissionDenied("只有县级、街道民政和社区工作人员可以导入本辖区的家庭台账")
    if file is None:
        raise ServiceError("请选择要上传的文件", field="file")
    fmt = file_format(original_name)
    if fmt is None:
        raise ServiceError(
            "仅支持 Excel（.xlsx、.xls）或 LibreOffice（.ods）文件，请用下载的导入模板填写", field="file"
        )
    limit = getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES)
    stored, sha256, size = upload_store(
        file=file,
        directory=storage_dir(),
        suffix=fmt,
        max_bytes=limit,
        too_large=f"文件超过 {limit // 2**20} MB 的上限，请分成几个文件导入",
    )
    target = storage_dir() / stored
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                region_id=acting_user.region_id,
                uploaded_by=acting_user,
                original_name=(original_name or "")[:200],
                stored_name=stored,
                size=size,
                sha256=sha256,
                stage="排队等待校验",
            )
            event_record(
                actor=acting_user,
                verb="上传家庭台账导入文件",
                target=batch,
                region_code=batch.region_id,
                data={"name": batch.original_name, "size": size, "sha256": batch.sha256},
            )
            transaction.on_commit(lambda: _queue(batch.pk))
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return batch


def _queue(batch_id: int) -> None:
    from config.queueing import enqueue
    from imports.tasks import import_process

    enqueue(import_process, batch_id)  # broker down: the batch waits, and imports_sweep queues it again


# --- stuck work: the sweeper's kind, and the owner's 重试 / 放弃 ------------------------------------

REQUEUED = "台账导入重新排队"
STUCK_MESSAGE = "后台处理多次中断，已停止，未导入；请检查文件后重新上传"


def _busy(cutoff: dt.datetime):
    return ImportBatch.objects.filter(status__in=ImportBatch.BUSY, created_at__lt=cutoff).select_related(
        "uploaded_by"
    )


def _last_activity(batch: ImportBatch) -> dt.datetime:
    return batch.confirmed_at if batch.status == B.IMPORTING and batch.confirmed_at else batch.created_at


def _requeues(batch: ImportBatch) -> list:
    return event_times(target=batch, verb=REQUEUED)


def _requeue(batch: ImportBatch, actor) -> None:
    with transaction.atomic():
        event_record(
            actor=actor,
            verb=REQUEUED,
            target=batch,
            region_code=batch.region_id,
            data={"status": batch.status},
        )
        transaction.on_commit(lambda: _queue(batch.pk))


def _expire(cutoff: dt.datetime) -> int:
    removed = 0
    for batch in ImportBatch.objects.filter(status=B.CHECKED, validated_at__lt=cutoff):
        with transaction.atomic():
            event_record(
                actor=None,
                verb="未确认的台账导入已过期删除",
                target=batch,
                region_code=batch.region_id,
                data={"original_name": batch.original_name, "uploaded_by": batch.uploaded_by_id},
            )
            batch.delete()
            transaction.on_commit(lambda b=batch: _remove_file(b))
        removed += 1
    return removed


KIND = background.Kind(
    key="import",
    label="台账导入",
    stuck_after=lambda: dt.timedelta(minutes=settings.IMPORT_STALE_MINUTES),
    busy=_busy,
    last_activity=_last_activity,
    requeues=_requeues,
    requeue=_requeue,
    fail=lambda batch: _fail(batch, STUCK_MESSAGE),
    held=lambda batch: locks.held(locks.IMPORT_LIVE, batch.pk),
    expire=_expire,
    unconfirmed_after=lambda: dt.timedelta(hours=settings.IMPORT_UNCONFIRMED_HOURS),
)


def import_is_stuck(batch: ImportBatch, now: dt.datetime | None = None) -> bool:
    """Busy (待校验, 校验中, 导入中) and silent longer than IMPORT_STALE_MINUTES since it was queued last."""
    return batch.busy and background.is_stuck(KIND, batch, now)


def imports_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The sweeper for imports alone (see common/background.py): re-queue batches whose worker died or whose
    message was never sent (a batch is checked and imported idempotently, all or nothing), fail them visibly
    after MAX_REQUEUES, and remove batches checked but never confirmed within IMPORT_UNCONFIRMED_HOURS (the
    file and the record)."""
    return background.sweep_kind(KIND, now)


def import_retry(*, acting_user, batch: ImportBatch) -> None:
    """The uploader queues a stuck batch again (重试)."""
    _own(acting_user, batch)
    if not import_is_stuck(batch):
        raise ServiceError("本次导入没有停滞，无需重试", code="not_stuck")
    _requeue(batch, acting_user)


def import_abandon(*, acting_user, batch: ImportBatch) -> ImportBatch:
    """The uploader gives up a stuck batch (放弃): it ends 已放弃, nothing imported, the file removed."""
    _own(acting_user, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not import_is_stuck(batch):
            raise ServiceError("本次导入没有停滞，不能在处理中放弃", code="not_stuck")
        batch.status, batch.stage, batch.error = B.DISCARDED, "", "上传人放弃了停滞的导入，未导入"
        batch.save(update_fields=["status", "stage", "error"])
        event_record(actor=acting_user, verb="放弃停滞的台账导入", target=batch, region_code=batch.region_id)
        transaction.on_commit(lambda: _remove_file(batch))
    return batch


# --- checking -------------------------------------------------------------------------------------


def _communities() -> dict[str, str]:
    return dict(Region.objects.filter(level=Region.Level.COMMUNITY).values_list("code", "name"))


def _check(batch: ImportBatch, user, today: dt.date, on_progress=None) -> importing.Parsed:
    """The streaming pass over the workbook, then the persons it names who are already registered."""
    parsed = importing.read_workbook(
        path=str(_path(batch)),
        communities=_communities(),
        may_import=lambda code: can_import_into(user, code),
        may_enrol=lambda code: can_import_enrolments(user, code),
        today=today,
        on_progress=on_progress,
        fmt=batch.stored_name.rsplit(".", 1)[-1],
    )
    if "id_number" in parsed.columns:
        _check_registered(parsed, user)
    parsed.issues.sort(key=lambda i: (i.line, i.column))
    return parsed


def _recheck(columns: dict[str, str], households, user) -> tuple[importing.Parsed, list[str], int]:
    """At the confirmation, what may have changed since the preview: the uploader's role and region, and the
    persons registered meanwhile. One pass over the checked households as stored (codes and ID numbers are all
    it reads); returns the issues, the counties whose rolls the import must lock and the number of households."""
    parsed = importing.Parsed(columns=columns)
    community, category = columns.get("community", ""), columns.get("category", "")
    allowed: dict[str, tuple[bool, bool]] = {}  # code -> (may import, may enrol): asked once per community
    counties = set()
    total = 0
    for h in households:
        total += 1
        code = h.values["community"]
        if code not in allowed:
            allowed[code] = (can_import_into(user, code), can_import_enrolments(user, code))
        may_import, may_enrol = allowed[code]
        enrolled = bool(h.values.get("category"))
        if not may_import:
            parsed.add(importing.Issue(h.line, community, "社区区划代码", "不在本人辖区内，不能导入", code))
        elif enrolled and not may_enrol:
            parsed.add(
                importing.Issue(
                    h.line, category, "救助类别", "只有县级民政可以导入救助对象（纳入保障由县级审批）"
                )
            )
        if enrolled:
            counties.add(code[:6])
        for m in h.members:
            parsed.id_lines[m[2]] = m[0]
    _check_registered(parsed, user)
    parsed.issues.sort(key=lambda i: (i.line, i.column))
    return parsed, sorted(counties), total


def _check_registered(parsed: importing.Parsed, user) -> None:
    """A person is in at most one household (households.services._check_members): anyone the file names
    who is already registered is an error on their row."""
    letter = parsed.columns["id_number"]
    numbers = list(parsed.id_lines)
    found = []
    for start in range(0, len(numbers), ID_QUERY_CHUNK):
        found += list(
            Person.objects.filter(id_number__in=numbers[start : start + ID_QUERY_CHUNK]).values_list(
                "id_number",
                "household_id",
                "household__community_id",
                "household__community__name",
                "household__address",
            )
        )
    if not found:
        return
    bad_lines = set()
    for number, household_id, code, community, address in found:
        line = parsed.id_lines[number]
        bad_lines.add(line)
        if in_scope(user, code):
            message = f"此人已是家庭#{household_id}（{community} {address}）的成员，一人只能属于一个家庭"
        else:
            message = "此人已在其他地区的家庭中登记，一人只能属于一个家庭，请联系其所在地核实"
        parsed.add(importing.Issue(line, letter, "身份证号码", message))
    for household in parsed.households:  # they will not be written; keep the counts honest
        household.members = [m for m in household.members if m[0] not in bad_lines]


def _store_issues(batch_id: int, parsed: importing.Parsed) -> None:
    ImportIssue.objects.filter(batch_id=batch_id).delete()
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                batch_id=batch_id,
                line=i.line,
                column=i.column[:4],
                label=i.label[:40],
                message=i.message[:300],
                value=i.value[:64],
            )
            for i in parsed.issues
        ],
        batch_size=BATCH,
    )


def import_validate(*, batch_id: int, today: dt.date | None = None) -> ImportBatch:
    """Check an uploaded batch (idempotent: a second pass replaces the first's results)."""
    today = today or timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (B.UPLOADED, B.VALIDATING):
            return batch
        batch.status, batch.stage = B.VALIDATING, "逐行校验"
        batch.save(update_fields=["status", "stage"])
    user = batch.uploaded_by

    def progress(n: int, total: int | None = None) -> None:
        if total is not None:  # the sheet's declared size, for the progress bar
            ImportBatch.objects.filter(pk=batch_id).update(rows_total=total)
        else:
            ImportBatch.objects.filter(pk=batch_id).update(rows_checked=n)

    try:
        parsed = _check(batch, user, today, progress)
    except (ExtractFileError, OSError) as exc:
        return _fail(
            batch,
            str(exc) if isinstance(exc, ExtractFileError) else "上传的文件已不存在或无法读取，请重新上传",
        )
    ok = parsed.ok
    with parsed.spill:
        if ok:
            with open(_checked_path(batch), "w", encoding="utf-8") as f:
                importing.dump(parsed, f)
    with transaction.atomic():
        _store_issues(batch_id, parsed)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=B.CHECKED if ok else B.REJECTED,
            stage="",
            rows_total=parsed.rows,
            rows_checked=parsed.rows,
            households=len(parsed.households),
            persons=parsed.persons,
            enrolments=parsed.enrolments,
            error_count=parsed.issue_count,
            ignored_columns=parsed.ignored_columns,
            preview=parsed.preview,
            validated_at=timezone.now(),
            validate_seconds=round(time.perf_counter() - started, 3),
        )
        event_record(
            actor=user,
            verb="台账导入文件校验通过，待确认导入"
            if ok
            else f"台账导入文件有{parsed.issue_count}处错误，未导入",
            target=batch,
            region_code=batch.region_id,
            data={
                "rows": parsed.rows,
                "households": len(parsed.households),
                "persons": parsed.persons,
                "enrolments": parsed.enrolments,
                "errors": parsed.issue_count,
            },
        )
    if not ok:
        _remove_file(batch)
    batch.refresh_from_db()
    return batch


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=B.FAILED, stage="", error=message, validated_at=batch.validated_at or timezone.now()
        )
        event_record(
            actor=batch.uploaded_by,
            verb="台账导入失败，未导入",
            target=batch,
            region_code=batch.region_id,
            data={"error": message},
        )
    _remove_file(batch)
    batch.refresh_from_db()
    return batch


# --- confirm, discard -----------------------------------------------------------------------------


def _own(acting_user, batch: ImportBatch) -> None:
    if not can_retry_or_abandon_import(acting_user, batch):
        raise PermissionDenied("只有上传人可以确认或放弃本次导入")


def import_confirm(*, acting_user, batch: ImportBatch) -> ImportBatch:
    """The uploader, having seen the preview, asks for the import; the task writes it."""
    _own(acting_user, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == B.IMPORTING:
            return batch
        if batch.status != B.CHECKED:
            raise ServiceError(
                f"本次导入当前状态为“{batch.get_status_display()}”，不能确认导入", code="not_checked"
            )
        batch.status, batch.stage, batch.confirmed_at = B.IMPORTING, "排队等待导入", timezone.now()
        batch.save(update_fields=["status", "stage", "confirmed_at"])
        event_record(
            actor=acting_user,
            verb=f"确认导入台账：{batch.households}户{batch.persons}人",
            target=batch,
            region_code=batch.region_id,
        )
        transaction.on_commit(lambda: _queue(batch.pk))
    return batch


def import_discard(*, acting_user, batch: ImportBatch) -> ImportBatch:
    _own(acting_user, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != B.CHECKED:
            raise ServiceError(
                f"本次导入当前状态为“{batch.get_status_display()}”，不能放弃", code="not_checked"
            )
        batch.status = B.DISCARDED
        batch.save(update_fields=["status"])
        event_record(actor=acting_user, verb="放弃台账导入", target=batch, region_code=batch.region_id)
        transaction.on_commit(lambda: _remove_file(batch))
    return batch


# --- the import -----------------------------------------------------------------------------------


def import_process(*, batch_id: int, today: dt.date | None = None) -> ImportBatch:
    """The task's body: check an uploaded batch, or import a confirmed one. The batch's lock is held throughout,
    so the sweeper never calls it stuck while this worker is on it."""
    with locks.working_on(locks.IMPORT_LIVE, batch_id):
        batch = ImportBatch.objects.get(pk=batch_id)
        if batch.status in (B.UPLOADED, B.VALIDATING):
            return import_validate(batch_id=batch_id, today=today)
        if batch.status == B.IMPORTING:
            return import_execute(batch_id=batch_id, today=today)
        return batch


def import_execute(*, batch_id: int, today: dt.date | None = None) -> ImportBatch:
    """Write a confirmed batch, all or nothing. Idempotent: a batch already done (or refused) is returned as is."""
    today = today or timezone.localdate()
    started = time.perf_counter()
    key = _progress_key(batch_id)

    def progress(stage: str, percent: int) -> None:
        cache.set(key, {"stage": stage, "percent": percent}, 3600)

    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != B.IMPORTING:
                return batch
            user = batch.uploaded_by
            progress("再次校验", 1)
            with open(_checked_path(batch), encoding="utf-8") as f:
                columns, households = importing.load(f, typed=False)
                parsed, counties, total = _recheck(columns, households, user)
            if not parsed.ok:
                # The database changed since the preview (someone registered one of these persons): refuse all.
                _store_issues(batch_id, parsed)
                batch.status, batch.stage, batch.error_count = B.REJECTED, "", parsed.issue_count
                batch.error = "确认导入时再次校验发现错误（预览后数据库已有变化），全部未导入"
                batch.save(update_fields=["status", "stage", "error_count", "error"])
                event_record(
                    actor=user,
                    verb=f"确认导入时发现{parsed.issue_count}处错误，全部未导入",
                    target=batch,
                    region_code=batch.region_id,
                    data={"errors": parsed.issue_count},
                )
                transaction.on_commit(lambda: _remove_file(batch))
                return batch
            with open(_checked_path(batch), encoding="utf-8") as f:
                _columns, households = importing.load(f)
                counts = _write(households, total, counties, batch, user, today, progress)
            batch.status, batch.stage = B.DONE, ""
            batch.households, batch.persons, batch.enrolments = counts
            batch.imported_at = timezone.now()
            batch.import_seconds = round(time.perf_counter() - started, 3)
            batch.save(
                update_fields=[
                    "status",
                    "stage",
                    "households",
                    "persons",
                    "enrolments",
                    "imported_at",
                    "import_seconds",
                ]
            )
            event_record(
                actor=user,
                verb=f"台账导入：新建{counts[0]}户家庭档案、{counts[1]}名成员、{counts[2]}个救助对象",
                target=batch,
                region_code=batch.region_id,
                data={
                    "households": counts[0],
                    "persons": counts[1],
                    "enrolments": counts[2],
                    "file": batch.original_name,
                    "sha256": batch.sha256,
                    "seconds": batch.import_seconds,
                },
            )
            transaction.on_commit(lambda: _remove_file(batch))
    except (ExtractFileError, OSError) as exc:
        batch = ImportBatch.objects.get(pk=batch_id)
        return _fail(
            batch,
            str(exc) if isinstance(exc, ExtractFileError) else "上传的文件已不存在或无法读取，请重新上传",
        )
    except (IntegrityError, DatabaseError) as exc:
        log.warning("import %s failed: %s", batch_id, exc)
        batch = ImportBatch.objects.get(pk=batch_id)
        return _fail(batch, "导入时与其他同时进行的登记冲突（如同一人被同时登记），全部未导入，请重新上传")
    finally:
        cache.delete(key)
    return batch


def _write(
    households, total_h: int, counties: list[str], batch: ImportBatch, user, today: dt.date, progress
) -> tuple[int, int, int]:
    """Insert the checked households (read one at a time) chunk by chunk (imports.bulk: COPY on PostgreSQL),
    with their history rows."""
    from benefits.models import Enrolment, EnrolmentMember, EnrolmentPeriod
    from benefits.services import timeline

    if counties:
        timeline.lock_counties(counties)  # as every enrolment change does: a roll never reads half an import
    now = timezone.now()
    reason = f"台账导入#{batch.pk}"
    writers = {
        m: TableWriter(m, history_user=user, history_date=now, history_reason=reason)
        for m in (Household, Person, Application, Enrolment, EnrolmentMember, EnrolmentPeriod)
    }
    households = iter(households)
    start = 0
    while chunk := list(itertools.islice(households, CHUNK)):
        progress(
            f"写入家庭 {start + 1}–{start + len(chunk)} / {total_h}", 5 + int(90 * start / max(total_h, 1))
        )
        _write_chunk(chunk, writers, batch, user, now, today, reason)
        start += len(chunk)
    progress("提交", 99)
    return writers[Household].rows, writers[Person].rows, writers[Enrolment].rows


def _write_chunk(chunk, writers, batch, user, now, today, reason) -> None:
    from benefits.models import Enrolment, EnrolmentMember, EnrolmentPeriod

    household_ids = writers[Household].reserve_ids(len(chunk))
    writers[Household].write(
        [
            {
                "id": pk,
                "community_id": h.values["community"],
                "created_at": now,
                "updated_at": now,
                **{f: h.values[f] for f in importing.HOUSEHOLD_FIELDS},
            }
            for pk, h in zip(household_ids, chunk, strict=True)
        ]
    )
    person_ids = iter(writers[Person].reserve_ids(sum(len(h.members) for h in chunk)))
    people, members_of = [], []
    for household_id, h in zip(household_ids, chunk, strict=True):
        mine = []
        for _line, values, number, birth, sex, covered in h.members:
            person = dict(zip(importing.PERSON_FIELDS, values, strict=True))
            person.update(
                id=next(person_ids), household_id=household_id, id_number=number, birth_date=birth, sex=sex
            )
            mine.append((person, covered))
        people += [p for p, _ in mine]
        members_of.append(mine)
    writers[Person].write(people)

    enrolled = [
        (h, household_id, mine)
        for h, household_id, mine in zip(chunk, household_ids, members_of, strict=True)
        if h.values.get("category")
    ]
    if not enrolled:
        return
    application_ids = writers[Application].reserve_ids(len(enrolled))
    enrolment_ids = writers[Enrolment].reserve_ids(len(enrolled))
    applications, enrolments, covered_rows, periods = [], [], [], []
    for (h, household_id, mine), application_id, enrolment_id in zip(
        enrolled, application_ids, enrolment_ids, strict=True
    ):
        category, amount, start = h.values["category"], h.values["monthly_amount"], h.values["start_month"]
        applications.append(
            {
                "id": application_id,
                "household_id": household_id,
                "category": category,
                "reasons": f"原台账导入（{reason}，户编号{h.key}）",
                "status": Application.Status.APPROVED,
                "received_on": start,
                "proposed_category": category,
                "proposed_amount": amount,
                "decided_on": today,
                "decision_reason": f"原台账在册对象，{reason}",
                "from_ledger": True,
                "created_by_id": user.pk,
                "created_at": now,
                "updated_at": now,
            }
        )
        covered = [p for p, is_covered in mine if is_covered]
        facts = household_facts(
            SimpleNamespace(
                community_id=h.values["community"],
                **{
                    f: h.values[f]
                    for f in (
                        "financial_assets",
                        "vehicles",
                        "houses",
                        "business",
                        "monthly_rigid_expenditure",
                    )
                },
                hardship_causes=[],
                members=SimpleNamespace(all=lambda mine=mine: [_member(p) for p, _ in mine]),
            )
        )
        months, next_on = review_schedule(category, facts, {p["id_number"] for p in covered}, start)
        while next_on <= today:  # a ledger household is reviewed on its cycle from now on, not months overdue
            next_on = next_review(next_on, months)
        heads = [p for p in covered if p["relation"] == Person.Relation.HEAD]
        components = {MAIN_COMPONENT[category]: str(amount)}
        enrolments.append(
            {
                "id": enrolment_id,
                "household_id": household_id,
                "community_code": h.values["community"],
                "application_id": application_id,
                "category": category,
                "components": components,
                "monthly_amount": amount,
                "start_month": start,
                "status": Enrolment.Status.ACTIVE,
                "payee_id": (heads[0] if heads else covered[0])["id"],
                "dibao_paid": category == Category.DIBAO,
                "review_months": months,
                "next_review_on": next_on,
                "computed_at": now,
                "created_by_id": user.pk,
                "created_at": now,
                "updated_at": now,
            }
        )
        covered_rows += [
            {"enrolment_id": enrolment_id, "person_id": p["id"], "category": category, "amounts": {}}
            for p in covered
        ]
        periods.append(
            {
                "enrolment_id": enrolment_id,
                "start_month": start,
                "status": EnrolmentPeriod.Status.ACTIVE,
                "monthly_amount": amount,
                "components": components,
                "covered_count": len(covered),
                "facts": facts,
                "reason": f"原台账在册对象导入（{reason}），自{month_label(start)}起发放",
                "created_by_id": user.pk,
                "created_at": now,
            }
        )
    writers[Application].write(applications)
    writers[Enrolment].write(enrolments)
    for model, rows in ((EnrolmentMember, covered_rows), (EnrolmentPeriod, periods)):
        ids = writers[model].reserve_ids(len(rows))
        writers[model].write([{"id": pk, **row} for pk, row in zip(ids, rows, strict=True)])


def _member(person: dict[str, Any]) -> SimpleNamespace:
    """What eligibility.facts.household_from_models reads of a person, from the row about to be written."""
    return SimpleNamespace(
        monthly_income=sum((person[f] for f in Person.INCOME_FIELDS), Decimal("0")),
        **{
            k: person[k]
            for k in (
                "id_number",
                "birth_date",
                "sex",
                "relation",
                "labor_capacity",
                "disability_grade",
                "self_care",
                "has_able_supporter",
                "orphan",
            )
        },
        disability_kind=person["disability_kind"],
        supporter_unable_reason=person["supporter_unable_reason"],
        newly_employed_since=None,
    )
