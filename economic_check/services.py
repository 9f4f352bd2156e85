"""Writes of the economic check at intake (赣发〔2018〕7号 四(三)、六(三)).

    economic_check_run          run the check (caseworker, or the system after intake)
    economic_check_auto         the task's entry: run once after intake, idempotent
    economic_contradiction_explain   the caseworker explains a contradiction with a reason
    economic_check_objection_record  the applicant objects to the result; recorded with the re-check
    AUTO_KIND                   the automatic check that never came, for the one sweeper (common/background.py)

A check asks every source (economic_check.sources: one adapter per source, one query each) about every member, and
compares the answers with the declaration (economic_check.rules, pure). It is kept on the application:
per member and source what was found and from which extract, the sources not checked and why, and every
contradiction with its rule. An open contradiction of the latest check blocks the street review
(`economic_block`, called by application_street_approve) until it is resolved:

* corrected — the caseworker corrects the household's facts (household page), then runs the check again:
  a contradiction the new check no longer finds, from a source it did check, is closed as corrected;
* explained — the caseworker writes why it does not change the decision; the same contradiction found again
  by a later check (same rule, member and evidence) keeps the explanation.

A contradiction from a source that a later check could not read (no or stale extract) is carried into the
new check as it was: it is never dropped because the data went missing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.checks import d, date_check, raise_errors, text, today_or
from accounts.kinds import PROGRAMS
from accounts.permissions import is_caseworker
from accounts.scope import can_write_region
from accounts.services import event_record, event_times
from applications.models import Application, ApplicationEvent
from common import background
from config.errors import PermissionDenied, ServiceError
from economic_check.models import CheckObjection, EconomicCheck, EconomicCheckItem, EconomicContradiction
from economic_check.rules import DeclaredHousehold, DeclaredMember, compare
from economic_check.selectors import AUTO_STOPPED
from economic_check.sources import sources_for

S = Application.Status
C = EconomicContradiction.Status
# The states in which the household is still being checked: up to the street review.
CHECK_STATES = (S.INVESTIGATING, S.REVIEWING, S.STREET_REVIEW)
AUTHORISATION_MESSAGE = "申请人尚未签署家庭经济状况核对授权书（赣发〔2018〕7号 四(三)），不能进行核对"


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",)).select_related("household").get(pk=application.pk)
    )


def economic_check_refusal(*, application: Application, user) -> str | None:
    """Why `user` may not run or resolve a check on `application` now (None: they may)."""
    if not is_caseworker(user):
        return "只有本社区的社区工作人员可以办理家庭经济状况核对"
    if not can_write_region(user, application.household.community_id):
        return "只能核对本人负责社区的家庭"
    return None


def _require(application: Application, user, label: str) -> None:
    """Role and region (PermissionDenied), then state and authorisation (field errors)."""
    if user is not None:
        refusal = economic_check_refusal(application=application, user=user)
        if refusal:
            raise PermissionDenied(refusal)
    if application.status not in CHECK_STATES:
        raise ServiceError(
            f"申请当前状态为“{application.get_status_display()}”，不能{label}（核对在街道审核之前进行）",
            code="wrong_state",
        )
    if not application.check_authorised or application.check_authorised_on is None:
        raise ServiceError(AUTHORISATION_MESSAGE, field="check_authorised", code="not_authorised")


def latest_check(application: Application) -> EconomicCheck | None:
    return EconomicCheck.objects.filter(application=application).order_by("-id").first()


def economic_block(*, application: Application) -> None:
    """ServiceError if the household has not been checked yet, or the latest check has open contradictions:
    the street review waits for the check (四(三): the check comes before the review)."""
    latest = (
        EconomicCheck.objects.filter(application=application).order_by("-id").values_list("id", flat=True)[:1]
    )
    latest = list(latest)
    if not latest:
        raise ServiceError(
            "尚未进行家庭经济状况核对：受理后系统会自动核对；如仍未完成，请社区工作人员在申请页进行核对后再街道审核",
            field="economic_check",
            code="check_missing",
        )
    open_ = list(
        EconomicContradiction.objects.filter(check_run_id=latest[0], status=C.OPEN)
        .order_by("id")
        .values_list("message", flat=True)
    )
    if open_:
        listed = "；".join(open_[:3]) + ("……" if len(open_) > 3 else "")
        raise ServiceError(
            f"家庭经济状况核对发现{len(open_)}项与申报不符的情况尚未处理（{listed}）：须由社区工作人员更正申报后"
            "重新核对，或写明理由作出说明，才能街道审核通过",
            field="economic_check",
            code="check_contradiction",
        )


def _declared(application: Application):
    household = application.household
    members = list(household.members.order_by("id"))
    return (
        household,
        members,
        DeclaredHousehold(
            region=household.community_id,
            financial_assets=household.financial_assets,
            vehicles=household.vehicles,
            houses=household.houses,
            business=household.business,
        ),
        [
            DeclaredMember(
                id_number=p.id_number,
                name=p.name,
                income_wage=p.income_wage,
                income_business=p.income_business,
                income_property=p.income_property,
                income_transfer=p.income_transfer,
                income_other=p.income_other,
            )
            for p in members
        ],
    )


def _run(application: Application, *, acting_user, trigger: str, today: dt.date) -> EconomicCheck:
    """The check itself, under the caller's lock on the application."""
    household, people, declared_household, declared_members = _declared(application)
    region = household.community_id
    results = [
        source.check([m.id_number for m in declared_members], region, today)
        for source in sources_for(region=region, as_of=today)
    ]
    outcome = compare(
        household=declared_household,
        members=declared_members,
        results=results,
        as_of=today,
        program_labels={code: p.label for code, p in PROGRAMS.items()},
    )
    checked = {r.kind for r in results if r.checked}

    previous = latest_check(application)
    before = list(previous.contradictions.all()) if previous else []
    explained = {c.key: c for c in before if c.status == C.EXPLAINED}
    now = timezone.now()
    check = EconomicCheck.objects.create(
        application=application,
        trigger=trigger,
        run_at=now,
        run_by=acting_user,
        as_of=today,
        members=len(people),
        sources=[
            {
                "kind": r.kind,
                "label": r.label,
                "status": r.status,
                "reason": r.reason,
                "extracts": r.extracts,
                "adapter": r.adapter,
            }
            for r in results
        ],
    )
    EconomicCheckItem.objects.bulk_create(
        [
            EconomicCheckItem(
                check_run=check,
                id_number=i.id_number,
                name=i.name,
                source=i.source,
                found=i.found,
                summary=i.summary,
                extract_id=i.extract_id,
                extract_date=i.extract_date,
                contradiction=i.contradiction,
            )
            for i in outcome.items
        ]
    )

    rows: list[EconomicContradiction] = []
    new_keys = set()
    for c in outcome.contradictions:
        row = EconomicContradiction(
            check_run=check,
            source=c.source,
            rule=c.rule,
            clause=c.clause,
            id_number=c.id_number,
            name=c.name,
            message=c.message[:300],
            evidence=c.evidence,
            key=c.key,
            extract_id=c.extract_id,
            extract_date=c.extract_date,
        )
        new_keys.add(c.key)
        kept = explained.get(c.key)
        if kept is not None:  # explained before, found again unchanged: the explanation stands
            row.status, row.reason = C.EXPLAINED, kept.reason
            row.resolved_by_id, row.resolved_at = kept.resolved_by_id, kept.resolved_at
        rows.append(row)
    corrected = []
    for old in before:
        if old.key in new_keys:
            continue
        if old.source not in checked:  # the source could not be read this time: carry the finding over
            rows.append(
                EconomicContradiction(
                    check_run=check,
                    source=old.source,
                    rule=old.rule,
                    clause=old.clause,
                    id_number=old.id_number,
                    name=old.name,
                    message=old.message,
                    evidence=old.evidence,
                    key=old.key,
                    extract_id=old.extract_id,
                    extract_date=old.extract_date,
                    carried=True,
                    status=old.status,
                    reason=old.reason,
                    resolved_by_id=old.resolved_by_id,
                    resolved_at=old.resolved_at,
                )
            )
        elif old.status == C.OPEN:
            corrected.append(old)
    if rows:
        bulk_create_with_history(rows, EconomicContradiction, default_user=acting_user, default_date=now)
    for old in corrected:  # the new check no longer finds it: the declaration was corrected
        old.status, old.resolved_by, old.resolved_at = C.CORRECTED, acting_user, now
        old.reason = f"{d(today)}重新核对（核对#{check.pk}）未再发现，家庭申报已更正"
        old._history_user = acting_user
        old.save(update_fields=["status", "resolved_by", "resolved_at", "reason"])

    open_count = sum(1 for r in rows if r.status == C.OPEN)
    unchecked = [r for r in results if not r.checked]
    note = (
        f"核对{len(people)}人、{len(checked)}个数据来源：发现{len(rows)}项与申报不符"
        f"（待处理{open_count}项）"
        + (f"；未核对：{'、'.join(r.label for r in unchecked)}" if unchecked else "")
    )
    ApplicationEvent.objects.create(
        application=application,
        step=ApplicationEvent.Step.ECONOMIC_CHECK,
        verb="家庭经济状况核对" + ("（系统自动）" if acting_user is None else ""),
        from_status=application.status,
        to_status=application.status,
        actor_id=acting_user.pk if acting_user else application.created_by_id,
        at=now,
        on_date=today,
        note=note,
        data={
            "check": check.pk,
            "trigger": trigger,
            "contradictions": len(rows),
            "open": open_count,
            "corrected": [c.pk for c in corrected],
            "not_checked": [r.kind for r in unchecked],
        },
        region_code=region,
    )
    event_record(
        actor=acting_user,
        verb="家庭经济状况核对",
        target=check,
        region_code=region,
        data={"application": application.pk, "trigger": trigger, "open": open_count},
    )
    return check


@transaction.atomic
def economic_check_run(
    *,
    acting_user,
    application: Application,
    trigger: str = EconomicCheck.Trigger.MANUAL,
    today: dt.date | None = None,
) -> EconomicCheck:
    """Check every member against every source now. `acting_user` None: the system (after intake)."""
    today = today_or(today)
    application = _lock(application)
    _require(application, acting_user, "进行家庭经济状况核对")
    return _run(application, acting_user=acting_user, trigger=trigger, today=today)


def economic_check_auto(*, application_id: int, today: dt.date | None = None) -> EconomicCheck | None:
    """The automatic check after intake: runs once (a second delivery finds the check and does nothing);
    an application that is not authorised, or no longer before the street review, is left alone."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("household")
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            return None
        existing = latest_check(application)
        if existing is not None:
            return existing
        if application.status not in CHECK_STATES or not application.check_authorised:
            return None
        return _run(application, acting_user=None, trigger=EconomicCheck.Trigger.AUTO, today=today_or(today))


def _queue(application_id: int) -> None:
    from config.queueing import enqueue
    from economic_check.tasks import economic_check_auto as task

    enqueue(task, application_id)  # broker down: the sweeper queues it again (AUTO_KIND)


def queue_after_intake(application: Application) -> None:
    """Called by the intake inside its transaction: the check runs once it has committed."""
    pk = application.pk
    transaction.on_commit(lambda: _queue(pk), robust=True)  # a failed check never fails the intake


# --- the automatic check that never came: the sweeper's kind -------------------------------------------
# An authorised application still being checked with no check at all is waiting for the automatic check. Silent
# longer than ECONOMIC_CHECK_STALE_MINUTES it is queued again (a second delivery finds the check and stops),
# twice; then the wait ends visibly: the page says the automatic check stopped, and the caseworker's 进行核对
# button is the retry (there is no 放弃: policy does not let an application pass without its check).

AUTO_REQUEUED = "自动核对重新排队"


def _auto_waiting(cutoff: dt.datetime):
    from django.db.models import IntegerField
    from django.db.models.functions import Cast

    from accounts.models import Event

    stopped = Event.objects.filter(target_type="applications.application", verb=AUTO_STOPPED).values_list(
        Cast("target_id", IntegerField()), flat=True
    )
    return (
        Application.objects.filter(
            status__in=CHECK_STATES,
            check_authorised=True,
            economic_checks__isnull=True,
            created_at__lt=cutoff,
        )
        .exclude(pk__in=stopped)
        .select_related("household")
    )


def _auto_requeue(application: Application, actor) -> None:
    with transaction.atomic():
        event_record(
            actor=actor,
            verb=AUTO_REQUEUED,
            target=application,
            region_code=application.household.community_id,
        )
        transaction.on_commit(lambda: _queue(application.pk))


def _auto_stop(application: Application) -> None:
    event_record(
        actor=None, verb=AUTO_STOPPED, target=application, region_code=application.household.community_id
    )


AUTO_KIND = background.Kind(
    key="economic_check",
    label="受理后自动核对",
    stuck_after=lambda: dt.timedelta(minutes=settings.ECONOMIC_CHECK_STALE_MINUTES),
    busy=_auto_waiting,
    last_activity=lambda application: application.created_at,
    requeues=lambda application: event_times(target=application, verb=AUTO_REQUEUED),
    requeue=_auto_requeue,
    fail=_auto_stop,
)


@transaction.atomic
def economic_contradiction_explain(
    *, acting_user, application: Application, contradiction_id: int, reason: str, today: dt.date | None = None
) -> EconomicContradiction:
    """Explain an open contradiction of the latest check with the reason it does not change the facts
    (e.g. the car was sold and the transfer is not yet registered)."""
    today = today_or(today)
    application = _lock(application)
    _require(application, acting_user, "处理核对不符情况")
    latest = latest_check(application)
    row = (
        EconomicContradiction.objects.select_for_update()
        .filter(pk=contradiction_id, check_run=latest)
        .first()
        if latest
        else None
    )
    if row is None:
        raise ServiceError("该不符情况不属于本申请最近一次核对", field="contradiction", code="not_found")
    errors: list[dict[str, str]] = []
    if row.status != C.OPEN:
        errors.append(
            {"field": "contradiction", "message": f"该不符情况已处理（{row.get_status_display()}）"}
        )
    reason = text(reason, "reason", "请写明说明理由", errors, max_length=500, label="说明理由")
    raise_errors(errors)
    row.status, row.reason, row.resolved_by, row.resolved_at = (
        C.EXPLAINED,
        reason,
        acting_user,
        timezone.now(),
    )
    row._history_user = acting_user
    row.save(update_fields=["status", "reason", "resolved_by", "resolved_at"])
    ApplicationEvent.objects.create(
        application=application,
        step=ApplicationEvent.Step.CHECK_EXPLAIN,
        verb=ApplicationEvent.Step.CHECK_EXPLAIN.label,
        from_status=application.status,
        to_status=application.status,
        actor=acting_user,
        on_date=today,
        note=f"{row.message}：{reason}",
        data={"check": latest.pk, "contradiction": row.pk, "rule": row.rule},
        region_code=application.household.community_id,
    )
    event_record(
        actor=acting_user,
        verb="说明核对不符情况",
        target=row,
        region_code=application.household.community_id,
        data={"application": application.pk, "rule": row.rule},
    )
    return row


@transaction.atomic
def economic_check_objection_record(
    *,
    acting_user,
    application: Application,
    received_on: dt.date | None,
    content: str,
    contradiction_id: int | None = None,
    today: dt.date | None = None,
) -> CheckObjection:
    """The applicant objects to the check's result (2021《最低生活保障审核确认办法》第十八条) and gives their
    proof: the objection is recorded and the household is checked again at once; the outcome says what the
    re-check found. A contradiction the proof accounts for is then explained (or the facts corrected)."""
    today = today_or(today)
    application = _lock(application)
    _require(application, acting_user, "录入核对结果异议")
    latest = latest_check(application)
    errors: list[dict[str, str]] = []
    if latest is None:
        raise ServiceError("该申请尚未进行家庭经济状况核对，没有可提出异议的核对结果", code="no_check")
    contradiction = None
    if contradiction_id:
        contradiction = latest.contradictions.filter(pk=contradiction_id).first()
        if contradiction is None:
            errors.append({"field": "contradiction", "message": "请选择本次核对发现的不符情况"})
    date_check(
        received_on,
        "received_on",
        "收到日期",
        errors,
        today=today,
        not_before=latest.as_of,
        not_before_label="核对日期",
    )
    content = text(
        content, "content", "请填写异议内容及申请人提供的证明", errors, max_length=2000, label="异议内容"
    )
    raise_errors(errors)
    objection = CheckObjection.objects.create(
        application=application,
        check_run=latest,
        contradiction=contradiction,
        received_on=received_on,
        content=content,
        recorded_by=acting_user,
    )
    recheck = _run(application, acting_user=acting_user, trigger=EconomicCheck.Trigger.OBJECTION, today=today)
    rows = list(recheck.contradictions.all())
    still = [r for r in rows if r.status == C.OPEN]
    objection.recheck = recheck
    objection.outcome = (
        f"复查（核对#{recheck.pk}）：{len(rows)}项不符，待处理{len(still)}项"
        + (
            "；所异议的情况复查后未再发现"
            if contradiction is not None and contradiction.key not in {r.key for r in rows}
            else ""
        )
    )[:300]
    objection.save(update_fields=["recheck", "outcome"])
    ApplicationEvent.objects.create(
        application=application,
        step=ApplicationEvent.Step.CHECK_OBJECTION,
        verb=ApplicationEvent.Step.CHECK_OBJECTION.label,
        from_status=application.status,
        to_status=application.status,
        actor=acting_user,
        on_date=today,
        note=f"{content}\n{objection.outcome}",
        data={"objection": objection.pk, "check": latest.pk, "recheck": recheck.pk},
        region_code=application.household.community_id,
    )
    event_record(
        actor=acting_user,
        verb="录入核对结果异议并复查",
        target=objection,
        region_code=application.household.community_id,
        data={"application": application.pk},
    )
    return objection
