"""Writes to applications: one service per transition of the state machine.

    受理 intake (caseworker)                      → investigating (+ the economic check, queued)
    investigating  —入户调查 visit (caseworker)    → reviewing
    reviewing      —民主评议 review (caseworker)   → street_review
    street_review  —街道审核通过 (street)          → street_approved (not while the economic check has
                                                    open contradictions: economic_check/services.py)
                   —退回 return (street)          → investigating
                   —不予通过 reject (street)       → street_rejected
    street_approved—开始公示 notice (street)       → notice (7 days)
    notice         —异议 objection (street)       → investigating
                   —县级批准 (county, notice over) → approved (+ enrolment)
                   —不予批准 (county, notice over) → rejected

Every service runs in one transaction, locks the application row first (two clicks on the same
decision: the second waits, then sees the new state and is refused), checks role, region, state and
dates before it writes, records the acting user in the history and writes one ApplicationEvent.
`today` is the business date (Asia/Shanghai); tests pass it to move the clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import Region, User
from accounts.services import event_record
from applications import hooks
from applications.models import (
    Application,
    ApplicationEvent,
    Category,
    DemocraticReview,
    Document,
    HomeVisit,
    Objection,
    StepLimit,
)
from applications.selectors import step_limits_for
from applications.services import documents as document_services
from applications.services.application_times import application_times_refresh
from common import money
from common.dates import calendar_days_end
from config.errors import PermissionDenied, ServiceError
from households.models import Household
from workcalendar.calendar import work_calendar

S = Application.Status
Step = ApplicationEvent.Step
Limit = StepLimit.Step
Role = User.Role

# action → (states it may be taken from, what it is called in messages); who takes it: accounts.permissions
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "document": (tuple(Application.OPEN), "补充申请材料"),
    "visit": ((S.INVESTIGATING,), "录入入户调查"),
    "review": ((S.REVIEWING,), "录入民主评议"),
    "street_approve": ((S.STREET_REVIEW,), "街道审核"),
    "street_return": ((S.STREET_REVIEW,), "退回重新调查"),
    "street_reject": ((S.STREET_REVIEW,), "街道审核"),
    "notice_start": ((S.STREET_APPROVED,), "开始公示"),
    "objection": ((S.NOTICE,), "录入公示异议"),
    "county_approve": ((S.NOTICE,), "县级审批"),
    "county_reject": ((S.NOTICE,), "县级审批"),
}
COUNTY_ACTIONS = ("county_approve", "county_reject")
MIN_INVESTIGATORS = 2


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _d(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def application_check(action: str, application: Application, user, today: dt.date) -> None:
    """Raise PermissionDenied (wrong role or region) or ServiceError (wrong state, notice not over)."""
    states, label = ACTIONS[action]
    if not permissions.takes_step(user, action):
        raise PermissionDenied(f"只有{permissions.step_taker(action)}可以{label}")
    if not permissions.can_take_application_step(user, action, application.household.community_id):
        raise PermissionDenied("无权办理其他地区的申请")
    if application.status not in states:
        raise ServiceError(
            f"申请当前状态为“{application.get_status_display()}”，不能{label}", code="wrong_state"
        )
    if action in COUNTY_ACTIONS and (
        application.notice_ends_on is None or today <= application.notice_ends_on
    ):
        raise ServiceError(
            f"公示期至{_d(application.notice_ends_on)}结束，公示期满后才能审批", code="notice_not_over"
        )


def application_actions(*, application: Application, user, today: dt.date | None = None) -> list[str]:
    """The actions `user` may take on `application` now (the same checks the services make)."""
    today = _today(today)
    allowed = []
    for action in ACTIONS:
        try:
            application_check(action, application, user, today)
        except ServiceError:
            continue
        allowed.append(action)
    return allowed


def _lock(application: Application) -> Application:
    """The application row, locked until the transaction ends, read fresh."""
    return (
        Application.objects.select_for_update(of=("self",)).select_related("household").get(pk=application.pk)
    )


def _save(application: Application, acting_user, fields: list[str]) -> None:
    application.updated_at = timezone.now()
    application._history_user = acting_user
    application.save(update_fields=[*fields, "updated_at"])


def _event(
    application: Application,
    *,
    step: str,
    from_status: str,
    acting_user,
    today: dt.date,
    note: str = "",
    data: dict | None = None,
) -> ApplicationEvent:
    event = ApplicationEvent.objects.create(
        application=application,
        step=step,
        verb=Step(step).label,
        from_status=from_status,
        to_status=application.status,
        actor=acting_user,
        at=timezone.now(),
        on_date=today,
        note=note,
        data=data or {},
        region_code=application.household.community_id,
    )
    application_times_refresh(application_ids=[application.pk])
    return event


def _require_text(value: str, field: str, message: str, errors: list[dict[str, str]]) -> str:
    value = (value or "").strip()
    if not value:
        errors.append({"field": field, "message": message})
    return value


def _date_errors(
    day: dt.date | None,
    field: str,
    label: str,
    *,
    today: dt.date,
    not_before: dt.date | None,
    not_before_label: str,
    errors: list[dict[str, str]],
) -> None:
    if day is None:
        errors.append({"field": field, "message": f"请填写{label}"})
    elif day > today:
        errors.append({"field": field, "message": f"{label}不能晚于今天"})
    elif not_before is not None and day < not_before:
        errors.append({"field": field, "message": f"{label}不能早于{not_before_label}（{_d(not_before)}）"})


def _raise(errors: list[dict[str, str]]) -> None:
    if errors:
        raise ServiceError(errors=errors)


def _due(application: Application, step: str, start: dt.date) -> dt.date:
    return work_calendar().add_working_days(
        start, step_limits_for(region_code=application.household.community_id)[step]
    )


# --------------------------------------------------------------------------------------------------
# 受理


@transaction.atomic
def application_intake(
    *,
    acting_user,
    household: Household,
    category: str,
    reasons: str,
    check_authorised: bool,
    check_authorised_on: dt.date | None,
    documents: list[tuple[str, Any]] | tuple = (),
    today: dt.date | None = None,
    residence_basis: str | None = None,
    residence_months: Any = None,
) -> Application:
    """Receive an application for a household: category, reasons, the signed authorisation of the economic
    check, and the proofs (`documents`: (kind, uploaded file) pairs). The investigation is due within the
    region's limit in working days.

    Where to apply (policy.md §8.5): `residence_basis` is "hukou" (a member's 户籍 is here), "permit" (a local
    居住证 held `residence_months` months, at least settings.RESIDENCE_MONTHS) or "none" (neither: refused, with
    the reason). The intake page always asks; None is only for callers of version 1 that do not ask yet."""
    today = _today(today)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not permissions.is_caseworker(acting_user):
        raise PermissionDenied("只有社区工作人员可以受理申请")
    if not permissions.can_receive_application(acting_user, household.community_id):
        raise PermissionDenied("只能受理本人负责社区的家庭的申请")
    errors: list[dict[str, str]] = []
    if category not in Category.values:
        errors.append({"field": "category", "message": "请选择申请类别"})
    reasons = _require_text(reasons, "reasons", "请填写申请理由", errors)
    if not check_authorised:
        errors.append(
            {"field": "check_authorised", "message": "申请人须签署家庭经济状况核对授权书，授权核对后才能受理"}
        )
    else:
        _date_errors(
            check_authorised_on,
            "check_authorised_on",
            "授权日期",
            today=today,
            not_before=None,
            not_before_label="",
            errors=errors,
        )
    basis, months = _residence_check(residence_basis, residence_months, errors)
    open_app = household.applications.filter(status__in=Application.OPEN).first()
    if open_app is not None:
        errors.append(
            {
                "field": "__all__",
                "message": f"该家庭已有办理中的申请#{open_app.pk}"
                f"（{open_app.get_status_display()}），不能重复受理",
            }
        )
    if category in Category.values and category in hooks.call("current_categories", household):
        errors.append({"field": "category", "message": f"该家庭已是{Category(category).label}保障对象"})
    checked = _check_documents(documents, errors)
    _raise(errors)

    application = Application(
        household=household,
        category=category,
        reasons=reasons,
        check_authorised=True,
        check_authorised_on=check_authorised_on,
        residence_basis=basis,
        residence_months=months,
        status=S.INVESTIGATING,
        received_on=today,
        created_by=acting_user,
    )
    application.due_on = _due(application, Limit.INVESTIGATION, today)
    application._history_user = acting_user
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # another intake for this household committed first (the constraint holds)
        raise ServiceError("该家庭已有办理中的申请，不能重复受理", code="duplicate") from None
    stored = _store_documents(application, checked, acting_user)
    _event(
        application,
        step=Step.INTAKE,
        from_status="",
        acting_user=acting_user,
        today=today,
        note=reasons,
        data={
            "category": category,
            "documents": [d.pk for d in stored],
            "due_on": application.due_on.isoformat(),
        },
    )
    hooks.call("after_intake", application)  # the economic check runs once this has committed
    return application


RESIDENCE_CLAUSE = (
    "中办国办《关于改革完善社会救助制度的意见》（2020）：在户籍地申请，或在持有居住证的经常居住地申请"
)


def _residence_check(basis: str | None, months: Any, errors: list[dict[str, str]]) -> tuple[str, int | None]:
    """(basis, months) to record, or field errors (policy.md §8.5)."""
    if basis is None:
        return "", None
    need = settings.RESIDENCE_MONTHS
    if basis not in ("hukou", "permit", "none"):
        errors.append({"field": "residence_basis", "message": "请选择申请地依据：本地户籍或本地居住证"})
        return "", None
    if basis == "none":
        errors.append(
            {
                "field": "residence_basis",
                "message": f"家庭成员均无本地户籍、也未持本地居住证满{need}个月，不能在本地受理：请到户籍地申请（{RESIDENCE_CLAUSE}）",
            }
        )
        return "", None
    if basis == "hukou":
        return basis, None
    try:
        value = int(str(months).strip())
    except (TypeError, ValueError):
        errors.append({"field": "residence_months", "message": "请填写持本地居住证居住的月数（整数）"})
        return "", None
    if value < 0 or value > 1200:
        errors.append({"field": "residence_months", "message": "居住月数应在0到1200之间"})
    elif value < need:
        errors.append(
            {
                "field": "residence_months",
                "message": f"持本地居住证居住满{need}个月方可在本地申请（现{value}个月）：请到户籍地申请（{RESIDENCE_CLAUSE}）",
            }
        )
    return basis, value


def _check_documents(
    documents, errors: list[dict[str, str]]
) -> list[tuple[str, document_services.CheckedUpload]]:
    checked = []
    for i, (kind, upload) in enumerate(documents):
        if kind not in Document.Kind.values:
            errors.append({"field": f"documents[{i}].kind", "message": "请选择材料类型"})
            continue
        try:
            checked.append(
                (kind, document_services.document_check(upload=upload, field=f"documents[{i}].file"))
            )
        except ServiceError as exc:
            errors.extend(exc.errors)
    return checked


def _store_documents(application: Application, checked, acting_user) -> list[Document]:
    """Write the files, then their rows; if anything fails the files written are removed again."""
    written: list[str] = []
    try:
        rows = []
        for kind, item in checked:
            stored_name, sha = document_services.document_write(checked=item)
            written.append(stored_name)
            rows.append(
                Document(
                    application=application,
                    kind=kind,
                    original_name=item.original_name,
                    stored_name=stored_name,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=sha,
                    uploaded_by=acting_user,
                )
            )
        for row in rows:
            row.save()
        return rows
    except BaseException:
        document_services.document_discard(stored_names=written)
        raise


@transaction.atomic
def application_document_add(
    *, acting_user, application: Application, kind: str, upload, today: dt.date | None = None
) -> Document:
    """Add a proof to an application in progress (caseworker of its community)."""
    today = _today(today)
    application = _lock(application)
    application_check("document", application, acting_user, today)
    errors: list[dict[str, str]] = []
    checked = _check_documents([(kind, upload)], errors)
    _raise([{**e, "field": e["field"].replace("documents[0].", "")} for e in errors])
    (document,) = _store_documents(application, checked, acting_user)
    _event(
        application,
        step=Step.DOCUMENT,
        from_status=application.status,
        acting_user=acting_user,
        today=today,
        note=f"{document.get_kind_display()}：{document.original_name}",
        data={"document": document.pk},
    )
    return document


# --------------------------------------------------------------------------------------------------
# 入户调查, 民主评议


@transaction.atomic
def application_visit_record(
    *,
    acting_user,
    application: Application,
    visited_on: dt.date | None,
    investigators: list[str],
    findings: str,
    facts_confirmed: bool = True,
    corrections: str = "",
    today: dt.date | None = None,
) -> HomeVisit:
    """入户调查 by at least two investigators; 民主评议 is then due within the region's limit."""
    today = _today(today)
    application = _lock(application)
    application_check("visit", application, acting_user, today)
    errors: list[dict[str, str]] = []
    names = list(dict.fromkeys(n.strip() for n in investigators if n and n.strip()))
    if len(names) < MIN_INVESTIGATORS:
        errors.append(
            {
                "field": "investigators",
                "message": f"入户调查须有至少{MIN_INVESTIGATORS}名调查人员，现有{len(names)}名",
            }
        )
    _date_errors(
        visited_on,
        "visited_on",
        "调查日期",
        today=today,
        not_before=application.received_on,
        not_before_label="受理日期",
        errors=errors,
    )
    findings = _require_text(findings, "findings", "请填写调查情况", errors)
    corrections = (corrections or "").strip()
    if not facts_confirmed and not corrections:
        errors.append({"field": "corrections", "message": "家庭信息有出入时须写明更正情况"})
    _raise(errors)

    visit = HomeVisit.objects.create(
        application=application,
        visited_on=visited_on,
        investigators=names,
        findings=findings,
        facts_confirmed=facts_confirmed,
        corrections=corrections,
        recorded_by=acting_user,
    )
    before = application.status
    application.status = S.REVIEWING
    application.due_on = _due(application, Limit.DEMOCRATIC_REVIEW, visited_on)
    _save(application, acting_user, ["status", "due_on"])
    _event(
        application,
        step=Step.VISIT,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=findings,
        data={
            "visit": visit.pk,
            "visited_on": visited_on.isoformat(),
            "investigators": names,
            "facts_confirmed": facts_confirmed,
            "due_on": application.due_on.isoformat(),
        },
    )
    return visit


@transaction.atomic
def application_review_record(
    *,
    acting_user,
    application: Application,
    held_on: dt.date | None,
    participants: str,
    representatives: int | None,
    conclusion: str,
    note: str = "",
    today: dt.date | None = None,
) -> DemocraticReview:
    """民主评议: date, participants, number of resident representatives and the conclusion; then the
    street reviews within the region's limit."""
    today = _today(today)
    application = _lock(application)
    application_check("review", application, acting_user, today)
    errors: list[dict[str, str]] = []
    last_visit = application.visits.order_by("-visited_on").first()
    _date_errors(
        held_on,
        "held_on",
        "评议日期",
        today=today,
        not_before=last_visit.visited_on if last_visit else application.received_on,
        not_before_label="入户调查日期",
        errors=errors,
    )
    participants = _require_text(participants, "participants", "请填写参加人员", errors)
    if representatives is None or representatives < 1:
        errors.append({"field": "representatives", "message": "民主评议须有居民代表参加（至少1名）"})
    if conclusion not in DemocraticReview.Conclusion.values:
        errors.append({"field": "conclusion", "message": "请选择评议结论"})
    _raise(errors)

    review = DemocraticReview.objects.create(
        application=application,
        held_on=held_on,
        participants=participants,
        representatives=representatives,
        conclusion=conclusion,
        note=(note or "").strip(),
        recorded_by=acting_user,
    )
    before = application.status
    application.status = S.STREET_REVIEW
    application.due_on = _due(application, Limit.STREET_REVIEW, held_on)
    _save(application, acting_user, ["status", "due_on"])
    _event(
        application,
        step=Step.REVIEW,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=review.note,
        data={
            "review": review.pk,
            "held_on": held_on.isoformat(),
            "conclusion": conclusion,
            "representatives": representatives,
            "due_on": application.due_on.isoformat(),
        },
    )
    return review


# --------------------------------------------------------------------------------------------------
# 街道审核


def application_determination(*, application: Application, today: dt.date | None = None) -> dict[str, Any]:
    """The rules' determination for the application's household today (policy.md §7); ServiceError if the
    rules cannot decide (e.g. no standard entered for the year)."""
    from eligibility.services import determine_household

    try:
        return determine_household(household=application.household, as_of=_today(today))
    except ServiceError as exc:
        raise ServiceError(
            errors=[{"field": "__all__", "message": f"无法按规则测算：{e['message']}"} for e in exc.errors],
            code="no_determination",
        ) from None


@transaction.atomic
def application_street_approve(
    *,
    acting_user,
    application: Application,
    category: str | None = None,
    amount: Decimal | str | None = None,
    override_reason: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> Application:
    """Approve with the category and monthly amount the rules give; a different category or amount is an
    override and needs a written reason. The rules' determination is kept: the county's enrolment is
    built from it, and the notice publishes this category and amount."""
    today = _today(today)
    application = _lock(application)
    application_check("street_approve", application, acting_user, today)
    hooks.call("before_street_approve", application)
    determination = application_determination(application=application, today=today)
    errors: list[dict[str, str]] = []
    category = category or application.category
    if category not in Category.values:
        errors.append({"field": "category", "message": "请选择审核类别"})
        _raise(errors)
    rules_amount = hooks.call("category_amount", determination, category)
    approved = rules_amount if amount in (None, "") else money.collect(amount, "amount", errors)
    _raise(errors)
    override_reason = (override_reason or "").strip()
    differs = []
    if category not in determination["categories"]:
        found = "、".join(Category(c).label for c in determination["categories"]) or "不符合三类救助条件"
        differs.append(f"规则认定类别为{found}")
    if approved != rules_amount:
        differs.append(f"规则测算月救助金为{rules_amount}元")
    if differs and not override_reason:
        raise ServiceError(
            f"审核结果与规则测算不一致（{'；'.join(differs)}），调整须写明理由",
            field="override_reason",
            code="override_without_reason",
        )
    if not differs:
        override_reason = ""

    before = application.status
    application.status = S.STREET_APPROVED
    application.proposed_category = category
    application.proposed_amount = approved
    application.rules_amount = rules_amount
    application.override_reason = override_reason
    application.determination = determination
    application.street_reviewed_on = today
    _save(
        application,
        acting_user,
        [
            "status",
            "proposed_category",
            "proposed_amount",
            "rules_amount",
            "override_reason",
            "determination",
            "street_reviewed_on",
        ],
    )
    _event(
        application,
        step=Step.STREET_APPROVE,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=(note or "").strip(),
        data={
            "category": category,
            "amount": str(approved),
            "rules_amount": str(rules_amount),
            "override": bool(differs),
            "override_reason": override_reason,
        },
    )
    return application


@transaction.atomic
def application_street_return(
    *, acting_user, application: Application, reason: str, today: dt.date | None = None
) -> Application:
    """Send the case back to the caseworker for a new investigation, with the reason."""
    today = _today(today)
    application = _lock(application)
    application_check("street_return", application, acting_user, today)
    errors: list[dict[str, str]] = []
    reason = _require_text(reason, "reason", "退回须写明理由", errors)
    _raise(errors)
    before = application.status
    application.status = S.INVESTIGATING
    application.due_on = _due(application, Limit.INVESTIGATION, today)
    _save(application, acting_user, ["status", "due_on"])
    _event(
        application,
        step=Step.STREET_RETURN,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=reason,
        data={"due_on": application.due_on.isoformat()},
    )
    return application


@transaction.atomic
def application_street_reject(
    *, acting_user, application: Application, reason: str, today: dt.date | None = None
) -> Application:
    """Refuse at the street level, with the reason the applicant is told in writing."""
    today = _today(today)
    application = _lock(application)
    application_check("street_reject", application, acting_user, today)
    errors: list[dict[str, str]] = []
    reason = _require_text(reason, "reason", "不予通过须写明理由", errors)
    _raise(errors)
    before = application.status
    application.status = S.STREET_REJECTED
    application.due_on = None
    application.decided_on = today
    application.decision_reason = reason
    _save(application, acting_user, ["status", "due_on", "decided_on", "decision_reason"])
    _event(
        application,
        step=Step.STREET_REJECT,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=reason,
    )
    return application


# --------------------------------------------------------------------------------------------------
# 公示


@transaction.atomic
def application_notice_start(
    *, acting_user, application: Application, today: dt.date | None = None
) -> Application:
    """Start the public notice today; it lasts the region's notice period in calendar days, and the county
    decides within its limit in working days after the last day."""
    today = _today(today)
    application = _lock(application)
    application_check("notice_start", application, acting_user, today)
    limits = step_limits_for(region_code=application.household.community_id)
    before = application.status
    application.status = S.NOTICE
    application.notice_started_on = today
    application.notice_ends_on = calendar_days_end(today, limits[Limit.NOTICE])
    application.due_on = work_calendar().add_working_days(application.notice_ends_on, limits[Limit.COUNTY])
    _save(application, acting_user, ["status", "notice_started_on", "notice_ends_on", "due_on"])
    _event(
        application,
        step=Step.NOTICE_START,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=f"公示期{_d(application.notice_started_on)}至{_d(application.notice_ends_on)}",
        data={
            "notice_started_on": today.isoformat(),
            "notice_ends_on": application.notice_ends_on.isoformat(),
            "days": limits[Limit.NOTICE],
            "due_on": application.due_on.isoformat(),
        },
    )
    return application


@transaction.atomic
def application_objection_record(
    *,
    acting_user,
    application: Application,
    received_on: dt.date | None,
    content: str,
    objector: str = "",
    today: dt.date | None = None,
) -> Objection:
    """Record an objection raised during the notice; the case goes back for a new investigation and the
    street's approval and the notice are cleared (the history keeps them)."""
    today = _today(today)
    application = _lock(application)
    application_check("objection", application, acting_user, today)
    errors: list[dict[str, str]] = []
    _date_errors(
        received_on,
        "received_on",
        "收到日期",
        today=today,
        not_before=application.notice_started_on,
        not_before_label="公示开始日期",
        errors=errors,
    )
    content = _require_text(content, "content", "请填写异议内容", errors)
    _raise(errors)
    objection = Objection.objects.create(
        application=application,
        received_on=received_on,
        content=content,
        objector=(objector or "").strip(),
        recorded_by=acting_user,
    )
    before = application.status
    published = {
        "notice_started_on": application.notice_started_on.isoformat(),
        "notice_ends_on": application.notice_ends_on.isoformat(),
        "category": application.proposed_category,
        "amount": str(application.proposed_amount),
    }
    application.status = S.INVESTIGATING
    application.due_on = _due(application, Limit.INVESTIGATION, today)
    application.notice_started_on = application.notice_ends_on = None
    application.proposed_category, application.proposed_amount, application.rules_amount = "", None, None
    application.override_reason, application.determination, application.street_reviewed_on = "", None, None
    _save(
        application,
        acting_user,
        [
            "status",
            "due_on",
            "notice_started_on",
            "notice_ends_on",
            "proposed_category",
            "proposed_amount",
            "rules_amount",
            "override_reason",
            "determination",
            "street_reviewed_on",
        ],
    )
    _event(
        application,
        step=Step.OBJECTION,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=content,
        data={"objection": objection.pk, "published": published, "due_on": application.due_on.isoformat()},
    )
    return objection


# --------------------------------------------------------------------------------------------------
# 县级审批


@transaction.atomic
def application_county_approve(
    *, acting_user, application: Application, note: str = "", today: dt.date | None = None
) -> Application:
    """Approve after the notice has ended: the household is enrolled in the category and amount the street
    approved and the notice published, paid from the month after today."""
    today = _today(today)
    application = _lock(application)
    application_check("county_approve", application, acting_user, today)
    enrolled = hooks.call(
        "on_county_approve", application, application.determination or {}, acting_user, today
    )
    before = application.status
    application.status = S.APPROVED
    application.due_on = None
    application.decided_on = today
    application.decision_reason = (note or "").strip()
    _save(application, acting_user, ["status", "due_on", "decided_on", "decision_reason"])
    _event(
        application,
        step=Step.COUNTY_APPROVE,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=application.decision_reason,
        data=enrolled,
    )
    return application


@transaction.atomic
def application_county_reject(
    *, acting_user, application: Application, reason: str, today: dt.date | None = None
) -> Application:
    """Refuse after the notice has ended, with the reason the applicant is told in writing."""
    today = _today(today)
    application = _lock(application)
    application_check("county_reject", application, acting_user, today)
    errors: list[dict[str, str]] = []
    reason = _require_text(reason, "reason", "不予批准须写明理由", errors)
    _raise(errors)
    before = application.status
    application.status = S.REJECTED
    application.due_on = None
    application.decided_on = today
    application.decision_reason = reason
    _save(application, acting_user, ["status", "due_on", "decided_on", "decision_reason"])
    _event(
        application,
        step=Step.COUNTY_REJECT,
        from_status=before,
        acting_user=acting_user,
        today=today,
        note=reason,
    )
    return application


# --------------------------------------------------------------------------------------------------
# 办理时限


NOTICE_MIN_DAYS = 7
LIMIT_MAX_DAYS = 60


@transaction.atomic
def step_limits_save(*, acting_user, days: dict[str, int | None]) -> dict[str, int]:
    """A county officer sets the time limits of their county (they apply to steps that start afterwards)."""
    if not permissions.can_set_step_limits(acting_user):
        raise PermissionDenied("只有县级民政部门可以设置本县（区）的办理时限")
    region = Region.objects.get(pk=acting_user.region_id)
    errors: list[dict[str, str]] = []
    for step in Limit.values:
        try:
            value = int(days.get(step))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = None
        low = NOTICE_MIN_DAYS if step == Limit.NOTICE else 1
        if value is None or not low <= value <= LIMIT_MAX_DAYS:
            message = (
                f"公示期不少于{NOTICE_MIN_DAYS}天，不超过{LIMIT_MAX_DAYS}天"
                if step == Limit.NOTICE
                else f"时限须为1–{LIMIT_MAX_DAYS}个工作日"
            )
            errors.append({"field": step, "message": message})
    _raise(errors)
    current = {row.step: row for row in StepLimit.objects.select_for_update().filter(region=region)}
    changed = {}
    for step in Limit.values:
        value = int(days[step])
        row = current.get(step)
        if row is not None and row.days == value:
            continue
        row = row or StepLimit(region=region, step=step)
        changed[step] = {"old": row.days, "new": value}
        row.days = value
        row._history_user = acting_user
        row.save()
    if changed:
        event_record(
            actor=acting_user,
            verb="修改办理时限",
            target=region,
            region_code=region.code,
            data={"changed": changed},
        )
    return step_limits_for(region_code=region.code)
