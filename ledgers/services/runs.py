"""Reconciliation runs: start (refusing overlapping scopes), execute, restart, fail.

A run goes snapshot → one step per rule → close:

* **snapshot** — one transaction: our ledger (every member of a household with a paid enrolment in scope,
  `ledgers_ledgerentry`), its households (`ledgers_ledgerhousehold`) and the limits of the nearest
  standards for each of their communities (`ledgers_runlimit`). Rules and restarts all read this copy.
* **rules** — `ledgers.rules.RULES`, each one SQL statement in its own transaction together with its
  `RunStep` row and the progress figure. The orchestrating task queues one Celery task per pending rule,
  so rules spread over whatever workers there are (scale-out); in embedded mode they run one after
  another in-process.
* **close** — when the last rule is done: review tasks for every finding (one INSERT … SELECT), open tasks
  of earlier runs for the same (rule, person, source) closed as superseded, counts by rule, working
  tables emptied, status done — one transaction under the run's row lock.

Killed anywhere, a run loses at most the step in flight (its transaction rolls back). Restarted
(`run_restart`), it skips the steps recorded as done and reruns the rest; findings are keyed
(run, rule, person, source) and written with ON CONFLICT DO NOTHING, so it ends with exactly the
findings an uninterrupted run would have and no duplicates.

On PostgreSQL each task working on a run holds a shared advisory lock on it, and the orchestrator an
exclusive one: a second delivery of the same task waits its turn or gives up, and a run nobody holds
and that has not moved for RECONCILE_STALE_SECONDS is known to be dead and may be restarted.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Region
from accounts.permissions import can_act_for_region
from accounts.services import event_record
from common import locks
from common.money import round_half_up
from config.errors import PermissionDenied, ServiceError
from eligibility.standards import StandardsLookup
from ledgers import periods
from ledgers.models import Extract, ReconciliationRun, RunStep
from ledgers.rules import BY_CODE, RULES, Context, Dialect

log = logging.getLogger(__name__)
Run = ReconciliationRun

# Advisory lock classes (two-int form: class, run id).
LOCK_START, LOCK_LIVE, LOCK_ORCHESTRATE = locks.RUN_START, locks.RUN_LIVE, locks.RUN_ORCHESTRATE
STEP_SNAPSHOT, STEP_FINISH = "snapshot", "finish"


def steps_total() -> int:
    return len(RULES) + 2


def ledger_statuses() -> tuple[str, ...]:
    """Enrolment statuses that are in our ledger (being paid): "active", whatever the benefits app declares
    as paid (`Enrolment.PAID_STATUSES`), and a gradual-exit status (渐退 keeps paying, policy.md §5).
    Statuses the benefits app adds later (suspended, …) are not in the ledger unless it says so."""
    from benefits.models import Enrolment

    values = set(Enrolment.Status.values)
    paid = set(getattr(Enrolment, "PAID_STATUSES", ()) or ()) | {"active"}
    paid |= {v for v in values if "gradual" in v}
    return tuple(sorted(v for v in paid if v in values and v.replace("_", "").isalpha()))


def member_condition() -> str:
    """A covered member is in the ledger until their coverage ends (`EnrolmentMember.ended_on`, when the benefits
    app has it)."""
    from benefits.models import EnrolmentMember

    names = {f.name for f in EnrolmentMember._meta.get_fields()}
    return " AND em.ended_on IS NULL" if "ended_on" in names else ""


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _lock_held(run_id: int) -> bool:
    """Whether any task holds the run (PostgreSQL only; False elsewhere)."""
    return locks.held(LOCK_LIVE, run_id)


def _serialise_starts() -> None:
    if _pg():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [LOCK_START])


def _overlapping(region: Region, exclude_id: int | None):
    prefix = region.prefix
    above = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
    return (
        Run.objects.filter(status__in=Run.ACTIVE)
        .filter(Q(region__prefix__startswith=prefix) | Q(region__prefix__in=above))
        .exclude(pk=exclude_id)
        .select_related("region")
    )


def _refuse_overlap(region: Region, exclude_id: int | None) -> None:
    other = _overlapping(region, exclude_id).order_by("id").first()
    if other is not None:
        raise ServiceError(
            f"比对范围与正在进行的比对#{other.pk}（{other.region.name}，{periods.label(other.period)}，"
            f"{other.get_status_display()}）重叠，须等其结束后再发起",
            field="region",
            code="overlap",
        )


def _overlap_error() -> ServiceError:
    return ServiceError("该范围已有正在进行的比对，须等其结束后再发起", field="region", code="overlap")


def _queue_run(run_id: int) -> None:
    from config.queueing import enqueue
    from ledgers.tasks import reconcile_run

    enqueue(reconcile_run, run_id)  # broker down: the run waits, and the sweeper queues it again


def run_start(*, acting_user, region: Region, period: str, trigger: str = Run.Trigger.MANUAL) -> Run:
    """Create a run for a county, a city or the province and queue it; refuse one whose scope overlaps an
    active run. The extracts it compares are the loaded ones of the period whose region overlaps the
    scope, taken now (a restart compares the same ones)."""
    if trigger == Run.Trigger.MANUAL and not can_act_for_region(acting_user, region):
        raise PermissionDenied("只有县级及以上民政可以发起本辖区的比对", field="region")
    if region is None or region.level > Region.Level.COUNTY:
        raise ServiceError("比对范围应为县（市、区）、设区市或全省", field="region")
    try:
        period = periods.normalise(period)
    except periods.InvalidPeriod as exc:
        raise ServiceError(str(exc), field="period") from None
    try:
        with transaction.atomic():
            _serialise_starts()
            _refuse_overlap(region, None)
            run = Run.objects.create(
                region=region,
                period=period,
                trigger=trigger,
                requested_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
            _refuse_overlap(region, run.pk)  # SQLite: the insert took the write lock, so look again
            prefix = region.prefix
            extracts = [
                e
                for e in Extract.objects.filter(period=period, status=Extract.Status.LOADED).select_related(
                    "region"
                )
                if e.region.prefix.startswith(prefix) or prefix.startswith(e.region.prefix)
            ]
            run.extracts.set(extracts)
            event_record(
                actor=run.requested_by,
                verb=f"发起比对：{region.name}{periods.label(period)}",
                target=run,
                region_code=region.code,
                data={"trigger": trigger, "extracts": [e.pk for e in extracts]},
            )
            transaction.on_commit(lambda: _queue_run(run.pk))
    except IntegrityError:
        raise _overlap_error() from None
    return run


def run_is_stalled(run: Run) -> bool:
    """Active, silent for RECONCILE_STALE_SECONDS and (on PostgreSQL) held by no task: its worker died."""
    if run.status not in Run.ACTIVE:
        return False
    last = run.heartbeat_at or run.created_at
    if timezone.now() - last < timedelta(seconds=settings.RECONCILE_STALE_SECONDS):
        return False
    return not _lock_held(run.pk)


def run_restart(*, acting_user, run: Run) -> Run:
    """Start a failed or dead run again; it continues from the steps already done."""
    if not can_act_for_region(acting_user, run.region):
        raise PermissionDenied("只有县级及以上民政可以重新开始本辖区的比对")
    try:
        with transaction.atomic():
            _serialise_starts()
            run = Run.objects.select_for_update().select_related("region").get(pk=run.pk)
            if run.status == Run.Status.DONE:
                raise ServiceError("该比对已完成，不能重新开始", code="done")
            if run.status in Run.ACTIVE and not run_is_stalled(run):
                raise ServiceError("该比对仍在进行中，不能重新开始", code="running")
            _refuse_overlap(run.region, run.pk)
            was = run.get_status_display()
            run.status, run.error, run.finished_at = Run.Status.QUEUED, "", None
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at", "heartbeat_at"])
            done = RunStep.objects.filter(run=run).count()
            event_record(
                actor=acting_user,
                verb=f"重新开始比对（原状态：{was}，已完成{done}步）",
                target=run,
                region_code=run.region_id,
            )
            transaction.on_commit(lambda: _queue_run(run.pk))
    except IntegrityError:
        raise _overlap_error() from None
    return run


def run_fail(*, run_id: int, message: str) -> None:
    with transaction.atomic():
        run = Run.objects.filter(pk=run_id).first()
        if run is None:
            return
        if Run.objects.filter(pk=run_id, status__in=Run.ACTIVE).update(
            status=Run.Status.FAILED, error=message[:4000], finished_at=timezone.now()
        ):
            event_record(
                actor=None,
                verb="比对失败",
                target=run,
                region_code=run.region_id,
                data={"error": message[:500]},
            )


# --- execution ---------------------------------------------------------------------------------


def _context(run: Run) -> Context:
    extracts: dict[str, list[int]] = {}
    for pk, kind, program in run.extracts.values_list("id", "kind", "program"):
        extracts.setdefault(f"benefit:{program}" if kind == "benefit" else kind, []).append(pk)
    return Context(
        run_id=run.pk,
        period_end=periods.bounds(run.period)[1].isoformat(),
        prefix=run.region.prefix,
        extracts=extracts,
        now=connection.ops.adapt_datetimefield_value(timezone.now()),
    )


def _tune(cursor, planner: tuple[str, ...] = ()) -> None:
    """The statement's memory, and the planner settings its rule asks for (`Rule.planner`), for this
    transaction only."""
    if _pg():
        cursor.execute(f"SET LOCAL work_mem = '{int(settings.RECONCILE_WORK_MEM_MB)}MB'")
        for setting in planner:
            cursor.execute(f"SET LOCAL {setting}")


def _step_done(run_id: int, step: str, *, rows: int = 0, skipped: bool = False, seconds: float = 0.0) -> None:
    RunStep.objects.bulk_create(
        [RunStep(run_id=run_id, step=step, rows=max(rows, 0), skipped=skipped, seconds=round(seconds, 3))],
        ignore_conflicts=True,
    )
    done = RunStep.objects.filter(run_id=run_id).count()
    Run.objects.filter(pk=run_id).update(
        progress=min(100, 100 * done // steps_total()), heartbeat_at=timezone.now()
    )


SNAPSHOT_SQL = """WITH cov AS (
  SELECT em.person_id, MIN(en.id) AS enrolment_id, COUNT(*) AS n,
         MIN(en.household_id) AS hmin, MAX(en.household_id) AS hmax
  FROM benefits_enrolmentmember em
  JOIN benefits_enrolment en ON en.id = em.enrolment_id
  WHERE en.status IN ({statuses}){members}
  GROUP BY em.person_id
)
INSERT INTO ledgers_ledgerentry (run_id, person_id, id_number, name, household_id, community_code, is_head,
  employment, declared_income, enrolment_id, category, enrolment_status, monthly_amount, enrolments, other_household)
SELECT %(run)s, p.id, p.id_number, p.name, p.household_id, h.community_id, p.relation = 'head', p.employment,
       p.income_wage + p.income_business + p.income_property + p.income_transfer + p.income_other,
       cov.enrolment_id, COALESCE(e1.category, ''), COALESCE(e1.status, ''), e1.monthly_amount, COALESCE(cov.n, 0),
       CASE WHEN cov.hmin <> p.household_id OR cov.hmax <> p.household_id THEN 1 = 1 ELSE 1 = 0 END
FROM cases_person p
JOIN cases_household h ON h.id = p.household_id
LEFT JOIN cov ON cov.person_id = p.id
LEFT JOIN benefits_enrolment e1 ON e1.id = cov.enrolment_id
WHERE h.community_id LIKE %(prefix_like)s
  AND (cov.person_id IS NOT NULL OR EXISTS (
       SELECT 1 FROM benefits_enrolment en2 WHERE en2.household_id = p.household_id AND en2.status IN ({statuses})))"""

HOUSEHOLD_SQL = """INSERT INTO ledgers_ledgerhousehold (run_id, household_id, community_code, subject_person_id, members)
SELECT le.run_id, le.household_id, MIN(le.community_code),
       COALESCE(MIN(CASE WHEN le.is_head THEN le.person_id END), MIN(le.person_id)), COUNT(*)
FROM ledgers_ledgerentry le
WHERE le.run_id = %(run)s
GROUP BY le.run_id, le.household_id"""

WORKING_TABLES = ("ledgers_ledgerentry", "ledgers_ledgerhousehold", "ledgers_runlimit")

LIMIT_FIELDS = {
    "dibao": "低保标准",
    "zhichu_multiplier": "支出型贫困收入上限倍数",
    "property_months": "人均金融资产上限（月数）",
    "property_vehicles": "允许机动车辆",
    "property_houses": "允许房产",
    "property_business_allowed": "允许有营业执照",
}


LIMIT_COLUMNS = (
    "run_id",
    "community_code",
    "standard_region",
    "dibao",
    "zhichu_ceiling",
    "asset_limit",
    "vehicles",
    "houses",
    "business_allowed",
)
LIMIT_BATCH = 100  # 900 parameters a statement: within any SQLite build's limit


def _insert_limits(cursor, rows: list[tuple]) -> None:
    """The limits in multi-row INSERTs (a few thousand rows: model instances and bulk_create cost a second)."""
    one = "(" + ", ".join(["%s"] * len(LIMIT_COLUMNS)) + ")"
    for start in range(0, len(rows), LIMIT_BATCH):
        batch = rows[start : start + LIMIT_BATCH]
        cursor.execute(
            f"INSERT INTO ledgers_runlimit ({', '.join(LIMIT_COLUMNS)}) VALUES {', '.join([one] * len(batch))}",
            [value for row in batch for value in row],
        )


def _limits(run: Run, year: int) -> tuple[list[tuple], list[str]]:
    """The limits of the nearest standard for each community of the snapshot (a few thousand at most),
    as rows of `ledgers_runlimit` (LIMIT_COLUMNS), and warnings naming what is missing: a rule skips the
    communities whose limit is unknown."""
    from ledgers.models import LedgerHousehold

    codes = list(
        LedgerHousehold.objects.filter(run=run)
        .order_by("community_code")
        .values_list("community_code", flat=True)
        .distinct()
    )
    lookup = StandardsLookup(preload=True)
    rows, no_standard, empty = [], [], {}
    for code in codes:
        try:
            s = lookup.standards_for(code, year)
        except ServiceError:
            no_standard.append(code)
            continue
        for name in LIMIT_FIELDS:
            if getattr(s, name) is None:
                empty.setdefault((s.region, name), 0)
                empty[(s.region, name)] += 1
        dibao = s.dibao
        rows.append(
            (
                run.pk,
                code,
                s.region,
                dibao,
                round_half_up(dibao * s.zhichu_multiplier)
                if dibao is not None and s.zhichu_multiplier is not None
                else None,
                round_half_up(dibao * s.property_months)
                if dibao is not None and s.property_months is not None
                else None,
                s.property_vehicles,
                s.property_houses,
                s.property_business_allowed,
            )
        )
    warnings = []
    if no_standard:
        warnings.append(
            f"{len(no_standard)}个社区没有{year}年度标准（如 {'、'.join(no_standard[:3])}），"
            "收入和财产规则未对其比对"
        )
    names = dict(Region.objects.filter(code__in={r for r, _ in empty}).values_list("code", "name"))
    for (region, name), n in sorted(empty.items()):
        warnings.append(
            f"{names.get(region, region)}（{region}）{year}年度标准未填写“{LIMIT_FIELDS[name]}”"
            f"（{name}），相关规则未对{n}个社区比对"
        )
    return rows, warnings


def _snapshot(run: Run) -> None:
    started = time.perf_counter()
    statuses = ", ".join(f"'{s}'" for s in ledger_statuses())
    year = periods.bounds(run.period)[1].year
    params = {"run": run.pk, "prefix_like": run.region.prefix + "%"}
    with transaction.atomic(), connection.cursor() as cursor:
        _tune(cursor)
        for table in WORKING_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE run_id = %s", [run.pk])
        cursor.execute(SNAPSHOT_SQL.format(statuses=statuses, members=member_condition()), params)
        cursor.execute(HOUSEHOLD_SQL, params)
        limits, warnings = _limits(run, year)
        _insert_limits(cursor, limits)
        cursor.execute(
            "SELECT COUNT(*) FROM ledgers_ledgerentry WHERE run_id = %s AND enrolment_id IS NOT NULL",
            [run.pk],
        )
        persons = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM ledgers_ledgerhousehold WHERE run_id = %s", [run.pk])
        households = cursor.fetchone()[0]
        if _pg():  # fresh statistics for the rules' plans; each extract's staging partition was analysed by
            # its load (ledgers/staging.py), so the staging table is not sampled again here (that was 60 % of
            # the snapshot at 100 k rows an extract)
            cursor.execute("ANALYZE ledgers_ledgerentry, ledgers_ledgerhousehold, ledgers_runlimit")
        Run.objects.filter(pk=run.pk).update(persons=persons, households=households, warnings=warnings)
        _step_done(run.pk, STEP_SNAPSHOT, rows=persons, seconds=time.perf_counter() - started)


def run_execute(*, run_id: int) -> None:
    """The orchestrating task's body: mark running, take the snapshot if not done, queue the pending rules."""
    with locks.advisory(LOCK_ORCHESTRATE, run_id) as got:
        if not got:
            log.info("run %s is being orchestrated by another worker", run_id)
            return
        with locks.advisory(LOCK_LIVE, run_id, shared=True):
            run = Run.objects.select_related("region").filter(pk=run_id).first()
            if run is None or run.status not in Run.ACTIVE:
                return
            now = timezone.now()
            Run.objects.filter(pk=run_id).update(
                status=Run.Status.RUNNING,
                heartbeat_at=now,
                started_at=Coalesce(F("started_at"), now),
                attempts=F("attempts") + 1,
            )
            if not RunStep.objects.filter(run_id=run_id, step=STEP_SNAPSHOT).exists():
                try:
                    _snapshot(run)
                except Exception as exc:
                    log.exception("run %s: snapshot failed", run_id)
                    run_fail(run_id=run_id, message=f"台账快照失败：{exc}")
                    return
    done = set(RunStep.objects.filter(run_id=run_id).values_list("step", flat=True))
    pending = [r.code for r in RULES if r.code not in done]
    if not pending:
        run_finish(run_id=run_id)
        return
    from ledgers.tasks import reconcile_rule

    for code in pending:
        reconcile_rule.delay(run_id, code)


def _snapshot_lost(run: Run) -> bool:
    """The working tables are UNLOGGED on PostgreSQL: after a database crash they are empty although the
    snapshot step is recorded. Then the run starts over — findings, steps and all — and this task stops."""
    from ledgers.models import Finding, LedgerHousehold

    if run.households == 0 or LedgerHousehold.objects.filter(run_id=run.pk).exists():
        return False
    with transaction.atomic():
        locked = Run.objects.select_for_update().get(pk=run.pk)
        if locked.status != Run.Status.RUNNING or LedgerHousehold.objects.filter(run_id=run.pk).exists():
            return True
        Finding.objects.filter(run_id=run.pk).delete()
        RunStep.objects.filter(run_id=run.pk).delete()
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.QUEUED, progress=0, households=0, persons=0, warnings=[]
        )
        event_record(
            actor=None,
            verb="比对工作数据已丢失（数据库重启），重新开始比对",
            target=run,
            region_code=run.region_id,
        )
        transaction.on_commit(lambda: _queue_run(run.pk))
    return True


def run_rule_execute(*, run_id: int, code: str) -> None:
    """One rule's task body: its statement, its step row and the progress, in one transaction."""
    rule = BY_CODE[code]
    with locks.advisory(LOCK_LIVE, run_id, shared=True):
        run = Run.objects.select_related("region").filter(pk=run_id).first()
        if run is None or run.status != Run.Status.RUNNING:
            return
        if not RunStep.objects.filter(run_id=run_id, step=code).exists():
            if _snapshot_lost(run):
                return
            Run.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
            ctx = _context(run)
            started = time.perf_counter()
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    if rule.ledger_only or rule.needs(ctx):
                        _tune(cursor, rule.planner)
                        cursor.execute(rule.sql(Dialect(connection.vendor), ctx), ctx.params)
                        rows, skipped = cursor.rowcount, False
                    else:
                        rows, skipped = 0, True
                    _step_done(
                        run_id, code, rows=rows, skipped=skipped, seconds=time.perf_counter() - started
                    )
            except Exception as exc:
                log.exception("run %s: rule %s failed", run_id, code)
                run_fail(run_id=run_id, message=f"规则“{rule.label}”（{code}）执行失败：{exc}")
                return
    run_finish(run_id=run_id)


TASKS_SQL = """INSERT INTO ledgers_reviewtask (finding_id, region_id, status, note, follow_up, created_at)
SELECT f.id, f.region_id, 'open', '', '', %(now)s FROM ledgers_finding f WHERE f.run_id = %(run)s
ON CONFLICT (finding_id) DO NOTHING"""

SUPERSEDE_SQL = """UPDATE ledgers_reviewtask SET status = 'superseded', note = %(note)s
WHERE status = 'open' AND finding_id IN (
  SELECT o.id FROM ledgers_finding o
  JOIN ledgers_finding n ON n.rule = o.rule AND n.id_number = o.id_number AND n.source = o.source
  WHERE n.run_id = %(run)s AND o.run_id < %(run)s)"""


def run_finish(*, run_id: int) -> None:
    """Close the run once every rule is done (any task may call this; only the last one does anything)."""
    started = time.perf_counter()
    with transaction.atomic():
        run = Run.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != Run.Status.RUNNING:
            return
        done = set(RunStep.objects.filter(run_id=run_id).values_list("step", flat=True))
        if STEP_SNAPSHOT not in done or any(r.code not in done for r in RULES):
            return
        params = {
            "run": run_id,
            "now": connection.ops.adapt_datetimefield_value(timezone.now()),
            "note": f"同一疑点已由比对#{run_id}重新下发",
        }
        with connection.cursor() as cursor:
            cursor.execute(TASKS_SQL, params)
            cursor.execute(SUPERSEDE_SQL, params)
            for table in WORKING_TABLES:
                cursor.execute(f"DELETE FROM {table} WHERE run_id = %s", [run_id])
        from ledgers.models import Finding

        summary = dict(
            Finding.objects.filter(run_id=run_id)
            .values_list("rule")
            .annotate(n=Count("id"))
            .values_list("rule", "n")
        )
        run.status, run.progress, run.finished_at, run.summary = Run.Status.DONE, 100, timezone.now(), summary
        run.heartbeat_at = run.finished_at
        run.save(update_fields=["status", "progress", "finished_at", "summary", "heartbeat_at"])
        RunStep.objects.bulk_create(
            [
                RunStep(
                    run_id=run_id,
                    step=STEP_FINISH,
                    rows=sum(summary.values()),
                    seconds=round(time.perf_counter() - started, 3),
                )
            ],
            ignore_conflicts=True,
        )
        event_record(
            actor=None,
            verb=f"比对完成：疑点{sum(summary.values())}条",
            target=run,
            region_code=run.region_id,
            data=summary,
        )


def run_scheduled(*, today=None) -> Run | None:
    """Celery beat's half-yearly run: the province, for the half-year that just ended. Once per period:
    a second beat delivery finds the run it already started."""
    today = today or timezone.localdate()
    period = periods.default_period(today)
    province = Region.objects.get(level=Region.Level.PROVINCE)
    if Run.objects.filter(region=province, period=period, trigger=Run.Trigger.SCHEDULE).exists():
        return None
    return run_start(acting_user=None, region=province, period=period, trigger=Run.Trigger.SCHEDULE)
