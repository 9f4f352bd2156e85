"""Extracts: upload, validate (one streaming pass), load (COPY) or discard — never half-loaded.

An upload stores the file under MEDIA_ROOT/ledgers/ (shared by web and workers) and queues
`ledgers.tasks.extract_process`. That task validates the file row by row, writing good rows to a second
file in COPY text format and keeping the first errors with their line numbers, then:

* mode `strict`: any bad row → the extract is rejected and nothing is loaded; else it is loaded;
* mode `lenient`: the good rows are loaded, the bad rows are reported;
* mode `check`: the extract waits, checked, until the uploader chooses to load the good rows
  (`extract_request_load`) or nothing (`extract_discard`).

On PostgreSQL, strict and lenient extracts take one streamed pass instead (`extract_check_and_load`): the
good rows go from the check straight into COPY, and the check's results and the load commit together, ending
exactly where the two steps end.

A load is one transaction: the COPY into the extract's own partition of the staging table (PostgreSQL,
ledgers/staging.py) or the chunked executemany (SQLite) of the good rows and
the status change commit together, under a row lock on the extract, so an extract is either fully loaded
or not at all, and a second load of the same extract does nothing.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.api_auth import DepartmentPrincipal
from accounts.kinds import KINDS, PROGRAMS
from accounts.models import PROVINCE_CODE, Region
from accounts.permissions import can_act_for_region, can_decide_extract
from accounts.services import event_record
from common import locks
from config.errors import PermissionDenied, ServiceError
from config.uploads import upload_store
from ledgers import periods
from ledgers.models import Extract, ExtractError
from ledgers.signals import extract_loaded
from ledgers.staging import copy_into_partition, has_rows
from ledgers.validation import CheckedRows, ExtractFileError, Result, read_good_rows, validate_file

log = logging.getLogger(__name__)
SQLITE_CHUNK = 5_000

logger = logging.getLogger(__name__)


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "ledgers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(extract: Extract) -> tuple[Path, Path]:
    base = storage_dir() / extract.stored_name
    return base, base.with_name(base.name + ".good")


def _remove_files(extract: Extract) -> None:
    for path in _paths(extract):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _format_of(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return "csv"
    return None


def _actor(principal):
    return None if isinstance(principal, DepartmentPrincipal) else principal


def extract_upload(
    *,
    principal,
    file,
    original_name: str,
    kind: str,
    period: str,
    mode: str = "strict",
    program: str = "",
    region: Region | None = None,
) -> Extract:
    """Store an uploaded file as a new extract and queue its validation.

    `principal` is a staff user (an officer; `region` is one of their regions, default their own) or a
    department client (`DepartmentPrincipal`; the region is the client's limit, else the province).
    """
    errors = []
    if kind not in KINDS:
        errors.append({"field": "kind", "message": "未知的数据类型"})
    if kind == "benefit":
        if program not in PROGRAMS:
            errors.append({"field": "program", "message": "部门待遇台账须选择待遇项目"})
    else:
        program = ""
    try:
        period = periods.normalise(period)
    except periods.InvalidPeriod as exc:
        errors.append({"field": "period", "message": str(exc)})
    if mode not in Extract.Mode.values:
        errors.append({"field": "mode", "message": "导入方式应为 strict、lenient 或 check"})
    file_format = _format_of(original_name or "")
    if file is None:
        errors.append({"field": "file", "message": "请选择要上传的文件"})
    elif file_format is None:
        errors.append({"field": "file", "message": "仅支持 CSV（.csv）或 Excel（.xlsx）文件"})

    if isinstance(principal, DepartmentPrincipal):
        client = principal.client
        region = client.region or Region.objects.get(code=PROVINCE_CODE)
        department = client.department
    else:
        client = None
        region = region or getattr(principal, "region", None)
        if not can_act_for_region(principal, region):
            raise PermissionDenied("只有县级及以上民政可以上传本辖区的比对数据", field="region")
        department = ""
    if errors:
        raise ServiceError(errors=errors)

    stored, sha256, size = upload_store(file=file, directory=storage_dir(), suffix=file_format)
    target = storage_dir() / stored
    try:
        with transaction.atomic():
            extract = Extract.objects.create(
                kind=kind,
                program=program,
                period=period,
                region=region,
                client=client,
                uploaded_by=_actor(principal),
                department=department,
                original_name=(original_name or "")[:200],
                stored_name=stored,
                file_format=file_format,
                size=size,
                sha256=sha256,
                mode=mode,
            )
            event_record(
                actor=_actor(principal),
                verb=f"上传比对数据：{extract.kind_label}",
                target=extract,
                region_code=region.code,
                data={
                    "period": period,
                    "mode": mode,
                    "size": size,
                    "client": client.name if client else None,
                },
            )
            transaction.on_commit(lambda: _queue_process(extract.pk))
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return extract


def _queue_process(extract_id: int) -> None:
    from config.queueing import enqueue
    from ledgers.tasks import extract_process

    enqueue(extract_process, extract_id)  # broker down: the extract waits, and the sweeper queues it again


def _region_codes(kind: str) -> frozenset[str]:
    if any(c.type == "region" for c in KINDS[kind].columns):
        return frozenset(Region.objects.values_list("code", flat=True))
    return frozenset()


def extract_validate(*, extract_id: int) -> Extract:
    """Check every row (idempotent: a second pass replaces the first's results)."""
    with transaction.atomic():
        extract = Extract.objects.select_for_update().get(pk=extract_id)
        if extract.status not in (Extract.Status.UPLOADED, Extract.Status.VALIDATING):
            return extract
        extract.status = Extract.Status.VALIDATING
        extract.save(update_fields=["status"])
    ExtractError.objects.filter(extract_id=extract_id).delete()
    source, good = _paths(extract)

    def progress(n: int) -> None:
        Extract.objects.filter(pk=extract_id).update(rows_checked=n)

    try:
        with open(good, "w", encoding="utf-8", newline="\n") as out:
            result = validate_file(
                path=str(source),
                file_format=extract.file_format,
                kind=extract.kind,
                extract_id=extract.pk,
                out=out,
                regions=_region_codes(extract.kind),
                error_limit=settings.LEDGERS_ERROR_LIST_LIMIT,
                on_progress=progress,
            )
    except Exception as exc:  # noqa: BLE001 — whatever stops the check, the extract ends FAILED, never 校验中
        return _check_failed(extract, exc)
    status, verb = _checked_status(extract, result)
    with transaction.atomic():
        _record_check(extract, result, status, verb)
    if status == Extract.Status.REJECTED:
        _remove_files(extract)
    extract.refresh_from_db()
    return extract


def _check_failed(extract: Extract, exc: Exception) -> Extract:
    """The check could not finish: the extract ends FAILED with a reason the uploader can act on."""
    if isinstance(exc, ExtractFileError):
        message = str(exc)
    elif isinstance(exc, FileNotFoundError | OSError):
        message = "上传的文件已不存在或无法读取，请重新上传"
    else:
        logger.exception("extract %s: the check stopped", extract.pk, exc_info=exc)
        message = "校验时发生意外错误，已停止，未导入；请检查文件（编码、格式）后重新上传"
    with transaction.atomic():
        Extract.objects.filter(pk=extract.pk).update(
            status=Extract.Status.FAILED, error=message, validated_at=timezone.now()
        )
        event_record(
            actor=None,
            verb="比对数据无法读取，未导入",
            target=extract,
            region_code=extract.region_id,
            data={"error": message},
        )
    _remove_files(extract)
    extract.refresh_from_db()
    return extract


def _checked_status(extract: Extract, result: Result) -> tuple[str, str]:
    """The status a finished check leaves (rejected or checked) and the event's words."""
    if extract.mode == Extract.Mode.STRICT and result.rows_bad:
        return Extract.Status.REJECTED, f"比对数据有{result.rows_bad}行错误，按严格方式全部不导入"
    if result.rows_good == 0:
        return Extract.Status.REJECTED, "比对数据没有可导入的正确行"
    return Extract.Status.CHECKED, f"比对数据校验完成：{result.rows_good}行正确，{result.rows_bad}行错误"


def _record_check(extract: Extract, result: Result, status: str, verb: str) -> None:
    """The check's errors, counts and event (inside the caller's transaction)."""
    ExtractError.objects.bulk_create(
        [
            ExtractError(
                extract_id=extract.pk,
                line=e.line,
                field=e.field[:40],
                message=e.message[:200],
                value=e.value[:64],
            )
            for e in result.errors
        ],
        batch_size=1000,
    )
    Extract.objects.filter(pk=extract.pk).update(
        status=status,
        rows_checked=result.rows_total,
        rows_total=result.rows_total,
        rows_good=result.rows_good,
        rows_bad=result.rows_bad,
        columns=result.columns,
        validated_at=timezone.now(),
        validate_seconds=round(result.seconds, 3),
    )
    event_record(
        actor=None,
        verb=verb,
        target=extract,
        region_code=extract.region_id,
        data={"rows": result.rows_total, "good": result.rows_good, "bad": result.rows_bad},
    )


def _copy(path: Path, extract_id: int, columns: list[str]) -> int:
    """COPY the good-rows file into the extract's staging partition."""
    with open(path, encoding="utf-8", newline="\n") as f:
        return copy_into_partition(extract_id, columns, f)


class _CheckStopped(Exception):
    """The streamed check stopped (the file, not the database): carries what stopped it."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause


class _ChunkReader:
    """A file-like `read()` over the checked rows' chunks, for COPY; an exception of the check is kept, so the
    caller can tell it from the database's."""

    def __init__(self, checked: CheckedRows):
        self.chunks = checked.chunks()
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        try:
            for chunk in self.chunks:
                if chunk:
                    return chunk
        except Exception as exc:
            self.error = exc
            raise
        return ""


def _insert_chunks(path: Path, columns: list[str]) -> int:
    names = ", ".join(columns)
    sql = f"INSERT INTO ledgers_extractrow ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    total = 0
    chunk: list[tuple] = []
    with connection.cursor() as cursor:
        for row in read_good_rows(str(path), columns):
            chunk.append(row)
            if len(chunk) >= SQLITE_CHUNK:
                cursor.executemany(sql, chunk)
                total += len(chunk)
                chunk.clear()
        if chunk:
            cursor.executemany(sql, chunk)
            total += len(chunk)
    return total


def extract_load(*, extract_id: int) -> Extract:
    """Load the good rows of a checked extract, all or nothing (the task calls this)."""
    started = time.perf_counter()
    with transaction.atomic():
        extract = Extract.objects.select_for_update().get(pk=extract_id)
        if extract.status != Extract.Status.CHECKED:
            return extract
        _, good = _paths(extract)
        if not good.exists():
            raise ServiceError("校验结果文件已不存在，请重新上传", code="missing_file")
        # A load interrupted before its commit left nothing behind; a stray row would be a bug, so fail loudly.
        if has_rows(extract_id):
            raise ServiceError("该比对数据已有导入行，不能重复导入", code="already_loaded")
        if connection.vendor == "postgresql":
            rows = _copy(good, extract.pk, extract.columns)
        else:
            rows = _insert_chunks(good, extract.columns)
        _record_load(extract, rows, started)
    return extract


def _record_load(extract: Extract, rows: int, started: float | None) -> None:
    """Inside the load's transaction: the count checked against the check's, the status, the event, the files
    removed after the commit and the extract_loaded signal. `started` None: loaded in the check's pass (its
    time is the check's, `validate_seconds`)."""
    if rows != extract.rows_good:
        raise ServiceError(
            f"导入行数 {rows} 与校验正确行数 {extract.rows_good} 不一致，已全部撤销",
            code="count_mismatch",
        )
    extract.status = Extract.Status.LOADED
    extract.rows_loaded = rows
    extract.loaded_at = timezone.now()
    extract.load_seconds = None if started is None else round(time.perf_counter() - started, 3)
    extract.save(update_fields=["status", "rows_loaded", "loaded_at", "load_seconds"])
    event_record(
        actor=extract.decided_by,
        verb=f"导入比对数据{rows}行",
        target=extract,
        region_code=extract.region_id,
        data={"rows": rows, "skipped": extract.rows_bad},
    )
    transaction.on_commit(lambda: _remove_files(extract))
    extract_loaded.send(sender=Extract, extract_id=extract.pk, kind=extract.kind)


def extract_check_and_load(*, extract_id: int) -> Extract:
    """Strict and lenient extracts on PostgreSQL: the check's good rows go straight into COPY as they are
    checked (the database loads one chunk while Python checks the next), in one transaction that also
    records the check and the load, so the end state is exactly the two-step path's (extract_validate, then
    extract_load): rows, errors, counts, status and events. A strict file with a bad row, or one with no good
    row, is rolled back to its savepoint and rejected; a file that cannot be read ends FAILED. The row
    progress (`rows_checked`) is written at the end only: the connection is busy with the COPY meanwhile."""
    with transaction.atomic():
        extract = Extract.objects.select_for_update().get(pk=extract_id)
        if extract.status not in (Extract.Status.UPLOADED, Extract.Status.VALIDATING):
            return extract
        extract.status = Extract.Status.VALIDATING
        extract.save(update_fields=["status"])
    ExtractError.objects.filter(extract_id=extract_id).delete()
    source, _ = _paths(extract)
    try:
        with transaction.atomic():
            extract = Extract.objects.select_for_update().get(pk=extract_id)
            if extract.status != Extract.Status.VALIDATING:  # another delivery of the task finished it
                return extract
            if has_rows(extract_id):
                raise ServiceError("该比对数据已有导入行，不能重复导入", code="already_loaded")
            try:
                checked = CheckedRows(
                    path=str(source),
                    file_format=extract.file_format,
                    kind=extract.kind,
                    extract_id=extract.pk,
                    regions=_region_codes(extract.kind),
                    error_limit=settings.LEDGERS_ERROR_LIST_LIMIT,
                )
            except Exception as exc:  # noqa: BLE001 — the file, not the database
                raise _CheckStopped(exc) from exc
            reader = _ChunkReader(checked)
            loading = transaction.savepoint()
            try:
                rows = copy_into_partition(extract.pk, checked.result.columns, reader)
            except Exception as exc:
                transaction.savepoint_rollback(loading)
                checked.close()
                if reader.error is not None:
                    raise _CheckStopped(reader.error) from exc
                raise
            result = checked.result
            status, verb = _checked_status(extract, result)
            if status == Extract.Status.REJECTED:
                transaction.savepoint_rollback(loading)
            else:
                transaction.savepoint_commit(loading)
            _record_check(extract, result, status, verb)
            if status != Extract.Status.REJECTED:
                extract.refresh_from_db()
                _record_load(extract, rows, None)
    except _CheckStopped as stopped:
        return _check_failed(extract, stopped.cause)
    if status == Extract.Status.REJECTED:
        _remove_files(extract)
    extract.refresh_from_db()
    return extract


def extract_process(*, extract_id: int) -> Extract:
    """The task's body: validate if not yet done, then load when the mode or the uploader says so (strict and
    lenient extracts on PostgreSQL in one streamed pass, `extract_check_and_load`). The extract's lock is held
    throughout, so the sweeper never calls it stuck while this worker is on it."""
    with locks.working_on(locks.EXTRACT_LIVE, extract_id):
        return _extract_process(extract_id)


def _extract_process(extract_id: int) -> Extract:
    mode = Extract.objects.filter(pk=extract_id).values_list("mode", flat=True).first()
    if connection.vendor == "postgresql" and mode in (Extract.Mode.STRICT, Extract.Mode.LENIENT):
        return extract_check_and_load(extract_id=extract_id)
    extract = extract_validate(extract_id=extract_id)
    if extract.status == Extract.Status.CHECKED and (
        extract.mode != Extract.Mode.CHECK or extract.load_requested_at is not None
    ):
        extract = extract_load(extract_id=extract_id)
    return extract


def extract_request_load(*, principal, extract: Extract) -> Extract:
    """The uploader chooses to load the good rows of a checked extract (skipping its bad rows)."""
    if not can_decide_extract(principal, extract):
        raise PermissionDenied("只能处理本部门/本辖区上传的比对数据")
    with transaction.atomic():
        extract = Extract.objects.select_for_update().get(pk=extract.pk)
        if extract.status != Extract.Status.CHECKED:
            raise ServiceError(
                f"该比对数据当前状态为“{extract.get_status_display()}”，不能导入", code="not_checked"
            )
        if extract.load_requested_at is not None:
            return extract
        extract.load_requested_at = timezone.now()
        extract.decided_by = _actor(principal)
        extract.save(update_fields=["load_requested_at", "decided_by"])
        event_record(
            actor=_actor(principal),
            verb=f"确认导入比对数据正确行{extract.rows_good}行"
            + (f"，跳过错误行{extract.rows_bad}行" if extract.rows_bad else ""),
            target=extract,
            region_code=extract.region_id,
        )
        transaction.on_commit(lambda: _queue_process(extract.pk))
    return extract


def extract_discard(*, principal, extract: Extract) -> Extract:
    """The uploader chooses to load nothing."""
    if not can_decide_extract(principal, extract):
        raise PermissionDenied("只能处理本部门/本辖区上传的比对数据")
    with transaction.atomic():
        extract = Extract.objects.select_for_update().get(pk=extract.pk)
        if extract.status != Extract.Status.CHECKED or extract.load_requested_at is not None:
            raise ServiceError(
                f"该比对数据当前状态为“{extract.get_status_display()}”，不能放弃", code="not_checked"
            )
        extract.status = Extract.Status.DISCARDED
        extract.decided_by = _actor(principal)
        extract.save(update_fields=["status", "decided_by"])
        event_record(
            actor=_actor(principal), verb="放弃导入比对数据", target=extract, region_code=extract.region_id
        )
        transaction.on_commit(lambda: _remove_files(extract))
    return extract
