"""我的待办: everything that waits for one user, read from the apps that own the work, and the notifications of
what changed on the cases in their scope.

The inbox owns no workflow data. Each section asks the owning app's selector (already narrowed by
accounts.scope) and adds only which desk the work lands on; every row links to the page where it is done, so
done work leaves the list by itself. Each section costs two queries (a count and the first rows), whatever
the number of rows, so the page's query count is constant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from accounts import permissions
from accounts.scope import scope_filter
from applications.models import Application, ApplicationEvent
from applications.selectors import application_queue
from benefits import selectors as benefit_selectors
from benefits.models import (
    CountyTask,
    Enrolment,
    EnrolmentReview,
    PaymentCorrection,
    PaymentRoll,
    ReliefGrant,
)
from common.dates import month_end
from help.models import Lead
from help.selectors import lead_scope
from households.models import Person
from imports.models import ImportBatch
from ledgers.models import Extract, ReviewTask
from ledgers.selectors import extract_scope
from workcalendar.calendar import work_calendar

ROWS = 20  # rows shown per section; the count says how many there are in all
NOTIFICATION_DAYS = 30


@dataclass
class Row:
    title: str
    detail: str
    url: str
    due_on: dt.date | None = None
    days_left: int | None = None  # calendar days to the deadline; negative when past it
    overdue_days: int = 0  # working days past the deadline


@dataclass
class Section:
    key: str
    label: str
    count: int
    rows: list[Row] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def _deadline(due_on: dt.date | None, today: dt.date) -> dict:
    if due_on is None:
        return {}
    return {
        "due_on": due_on,
        "days_left": (due_on - today).days,
        "overdue_days": work_calendar().working_days_after(due_on, today),
    }


def _heads() -> QuerySet[Person]:
    return Person.objects.filter(relation=Person.Relation.HEAD)


def _head_name(household) -> str:
    heads = getattr(household, "heads", None)
    return heads[0].name if heads else f"家庭 #{household.pk}"


# --- the sections ------------------------------------------------------------------------------------------


def _applications(user, today: dt.date) -> QuerySet:
    return application_queue(user=user, today=today)


def _application_rows(qs, today: dt.date) -> list[Row]:
    out = []
    for a in qs[:ROWS]:
        if a.status == Application.Status.NOTICE:
            stage, due = "公示期满，待县级审批", a.due_on
        else:
            stage, due = a.get_status_display(), a.due_on
        out.append(
            Row(
                title=f"{_head_name(a.household)}家 {a.get_category_display()}申请",
                detail=f"{a.household.community.name} · {stage}",
                url=reverse("application_detail", args=[a.pk]),
                **_deadline(due, today),
            )
        )
    return out


def _reviews(user, today: dt.date) -> QuerySet:
    """Reviews due by the end of this month, for the caseworkers who do them."""
    if not permissions.is_caseworker(user):
        return EnrolmentReview.objects.none()
    return benefit_selectors.review_queue(user=user, today=today).filter(due_on__lte=month_end(today))


def _review_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"{_head_name(r.enrolment.household)}家 {r.get_kind_display()}",
            detail=r.raised_because
            or f"{r.enrolment.household.community.name} 应于{r.due_on:%Y-%m-%d}前复核",
            url=reverse("review_complete", args=[r.pk]),
            **_deadline(r.due_on, today),
        )
        for r in qs[:ROWS]
    ]


def _findings(user, today: dt.date) -> QuerySet:
    """Open review tasks of the reconciliation this user resolves (accounts.permissions.can_review's rule)."""
    qs = scope_filter(ReviewTask.objects.filter(status=ReviewTask.Status.OPEN), user, "region_id")
    community = Q(region__code__regex=r"^\d{12}$") & ~Q(region__code__endswith="000")
    if permissions.is_caseworker(user):
        qs = qs.filter(community)
    elif permissions.is_officer(user):
        qs = qs.exclude(community)
    else:
        return qs.none()
    return qs.select_related("finding", "region").order_by("created_at", "id")


def _finding_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"{t.finding.name or t.finding.id_masked} · {t.finding.rule_label}",
            detail=f"{t.region.name} · 比对发现，待核实",
            url=reverse("ledger_finding_detail", args=[t.finding_id]),
        )
        for t in qs[:ROWS]
    ]


def _exits(user, today: dt.date) -> QuerySet:
    """Reviews that found the household no longer eligible while it is still paid: the county decides the exit."""
    if not permissions.is_county_officer(user):
        return EnrolmentReview.objects.none()
    qs = scope_filter(EnrolmentReview.objects.all(), user, "enrolment__household__community__code")
    return (
        qs.filter(
            status=EnrolmentReview.Status.DONE,
            outcome=EnrolmentReview.Outcome.INELIGIBLE,
            enrolment__status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.SUSPENDED],
        )
        .select_related("enrolment__household__community")
        .prefetch_related(Prefetch("enrolment__household__members", queryset=_heads(), to_attr="heads"))
        .order_by("completed_at", "id")
    )


def _exit_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"{_head_name(r.enrolment.household)}家 需办理退出",
            detail=f"{r.enrolment.household.community.name} · 复核结论：{r.get_outcome_display()}",
            url=reverse("enrolment_detail", args=[r.enrolment_id]),
        )
        for r in qs[:ROWS]
    ]


def _county_tasks(user, today: dt.date) -> QuerySet:
    """Exit/adjustment and overpayment tasks after a confirmed death, move or fraud (benefits.services.followups):
    assigned to the county office of the enrolment, so every county officer of it sees them until one closes it."""
    if not permissions.is_county_officer(user):
        return CountyTask.objects.none()
    return benefit_selectors.county_tasks(user=user, status="open")


def _county_task_rows(qs, today: dt.date) -> list[Row]:
    out = []
    for t in qs[:ROWS]:
        fact = t.fact
        if t.kind == CountyTask.Kind.OVERPAYMENT:
            detail = f"{fact.get_kind_display()}后仍发放，多发合计 {t.total} 元，须追回"
        else:
            detail = f"{fact.get_kind_display()}（{fact.event_on:%Y-%m-%d}），须办理退出或变更"
        out.append(
            Row(
                title=f"{fact.person.name} · {t.get_kind_display()}",
                detail=f"{t.enrolment.household.community.name} · {detail}",
                url=reverse("county_task_list") + f"#task-{t.pk}",
                **_deadline(t.due_on, today),
            )
        )
    return out


def _leads(user, today: dt.date) -> QuerySet:
    if not permissions.is_caseworker(user):
        return Lead.objects.none()
    return (
        lead_scope(user=user)
        .filter(status__in=Lead.OPEN_STATUSES)
        .select_related("community")
        .order_by("visit_due_on", "id")
    )


def _lead_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"{lead.name} · {lead.get_reason_display()}",
            detail=f"{lead.community.name} · {lead.get_status_display()}",
            url=reverse("lead_detail", args=[lead.pk]),
            **(_deadline(lead.visit_due_on, today) if lead.status == Lead.Status.OPEN else {}),
        )
        for lead in qs[:ROWS]
    ]


def _relief(user, today: dt.date) -> QuerySet:
    return benefit_selectors.relief_queue(user=user)


def _relief_rows(qs, today: dt.date) -> list[Row]:
    out = []
    for g in qs[:ROWS]:
        if g.status in (ReliefGrant.Status.SUBMITTED, ReliefGrant.Status.COUNTY_REVIEW):
            what = g.get_status_display()
        else:
            what = g.get_filing_display()
        out.append(
            Row(
                title=f"{g.person.name} 临时救助 {g.amount} 元",
                detail=f"{g.household.community.name} · {what}",
                url=reverse("relief_detail", args=[g.pk]),
            )
        )
    return out


def _rolls(user, today: dt.date) -> QuerySet:
    if not permissions.manages_rolls(user):
        return PaymentRoll.objects.none()
    return (
        benefit_selectors.roll_scope(user=user)
        .filter(status=PaymentRoll.Status.READY)
        .order_by("month", "id")
    )


def _roll_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"{r.month:%Y年%m月} {r.get_program_display()}发放花名册",
            detail="已生成，待核对确认锁定",
            url=reverse("roll_detail", args=[r.pk]),
        )
        for r in qs[:ROWS]
    ]


def _corrections(user, today: dt.date) -> QuerySet:
    """Corrections of locked rolls waiting for the county's decision."""
    if not permissions.is_county_officer(user):
        return PaymentCorrection.objects.none()
    return benefit_selectors.correction_list(user=user, status=PaymentCorrection.Status.PENDING).order_by(
        "id"
    )


def _correction_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"{c.line.name} {c.line.roll.month:%Y年%m月}发放更正",
            detail=f"原发 {c.line.amount} 元，应发 {c.corrected_amount} 元：{c.reason[:40]}",
            url=reverse("correction_list") + f"?status=pending#correction-{c.pk}",
        )
        for c in qs[:ROWS]
    ]


def _imports(user, today: dt.date) -> QuerySet:
    """Household workbooks this user uploaded and must confirm."""
    return ImportBatch.objects.filter(uploaded_by=user, status=ImportBatch.Status.CHECKED).order_by("id")


def _import_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"台账导入：{b.original_name}",
            detail=f"校验通过，{b.households} 户 {b.persons} 人，待确认导入",
            url=reverse("import_detail", args=[b.pk]),
        )
        for b in qs[:ROWS]
    ]


def _extracts(user, today: dt.date) -> QuerySet:
    """Department extracts checked and waiting for the officer's decision to load them."""
    if not permissions.is_officer(user):
        return Extract.objects.none()
    return (
        extract_scope(user=user).filter(status=Extract.Status.CHECKED).select_related("region").order_by("id")
    )


def _extract_rows(qs, today: dt.date) -> list[Row]:
    return [
        Row(
            title=f"比对数据：{e.kind_label} {e.period}",
            detail=f"{e.region.name} · {e.get_status_display()}",
            url=reverse("ledger_extract_detail", args=[e.pk]),
        )
        for e in qs[:ROWS]
    ]


SECTIONS = (
    ("applications", "救助申请待办理", _applications, _application_rows),
    ("reviews", "本月应复核", _reviews, _review_rows),
    ("findings", "比对疑点待核实", _findings, _finding_rows),
    ("exits", "需办理退出", _exits, _exit_rows),
    ("county_tasks", "核实事实后的退出变更与追回", _county_tasks, _county_task_rows),
    ("leads", "主动发现线索待答复", _leads, _lead_rows),
    ("relief", "临时救助待审批/备案", _relief, _relief_rows),
    ("rolls", "发放花名册待确认", _rolls, _roll_rows),
    ("corrections", "发放更正待审批", _corrections, _correction_rows),
    ("imports", "台账导入待确认", _imports, _import_rows),
    ("extracts", "比对数据待确认导入", _extracts, _extract_rows),
)


def _querysets(user, today: dt.date):
    for key, label, source, rows in SECTIONS:
        qs = source(user, today)
        if qs is None or qs.query.is_empty():
            continue
        yield key, label, qs, rows


def inbox_sections(*, user, today: dt.date) -> list[Section]:
    """The sections with work in them, each with its count and first rows (two queries per section)."""
    out = []
    for key, label, qs, rows in _querysets(user, today):
        count = qs.count()
        if count:
            out.append(Section(key=key, label=label, count=count, rows=rows(qs, today)))
    return out


def inbox_counts(*, user, today: dt.date) -> dict[str, int]:
    """How much waits in each section, and in all (one query per section the user's role can have)."""
    counts = {key: qs.count() for key, _label, qs, _rows in _querysets(user, today)}
    counts["total"] = sum(counts.values())
    return counts


# --- notifications ----------------------------------------------------------------------------------------

# What changed on a case that the people responsible for it want to hear about.
NOTIFY_STEPS = (
    ApplicationEvent.Step.STREET_APPROVE,
    ApplicationEvent.Step.STREET_RETURN,
    ApplicationEvent.Step.STREET_REJECT,
    ApplicationEvent.Step.OBJECTION,
    ApplicationEvent.Step.COUNTY_APPROVE,
    ApplicationEvent.Step.COUNTY_REJECT,
)


@dataclass
class Notification:
    at: dt.datetime
    text: str
    url: str
    unread: bool
    key: str = ""  # what inbox.models.NotificationRead stores when this one is marked read on its own


def notifications(
    *,
    user,
    now: dt.datetime,
    read_through: dt.datetime | None,
    limit: int = 50,
    read_keys: frozenset[str] | set[str] = frozenset(),
) -> list[Notification]:
    """Decisions, returned applications and new findings on the cases in the user's scope, made by someone else,
    in the last 30 days, newest first (two queries). A notification is read when it is older than the user's
    "all read" mark or its key is among `read_keys` (marked read on its own)."""
    since = now - dt.timedelta(days=NOTIFICATION_DAYS)

    def unread(key: str, at: dt.datetime) -> bool:
        return key not in read_keys and (read_through is None or at > read_through)

    events = (
        scope_filter(ApplicationEvent.objects.all(), user, "region_code")
        .filter(step__in=NOTIFY_STEPS, at__gte=since)
        .exclude(actor=user)
        .select_related("actor", "application__household")
        .prefetch_related(Prefetch("application__household__members", queryset=_heads(), to_attr="heads"))
        .order_by("-at", "-id")[:limit]
    )
    out = [
        Notification(
            at=e.at,
            text=f"{_head_name(e.application.household)}家的{e.application.get_category_display()}申请：{e.verb}"
            + (f"（{e.actor}）" if e.actor else ""),
            url=reverse("application_detail", args=[e.application_id]),
            unread=unread(f"event-{e.pk}", e.at),
            key=f"event-{e.pk}",
        )
        for e in events
    ]
    tasks = _findings(user, now.date()).filter(created_at__gte=since).order_by("-created_at", "-id")[:limit]
    out += [
        Notification(
            at=t.created_at,
            text=f"新的比对疑点：{t.finding.name or t.finding.id_masked}，{t.finding.rule_label}",
            url=reverse("ledger_finding_detail", args=[t.finding_id]),
            unread=unread(f"finding-{t.pk}", t.created_at),
            key=f"finding-{t.pk}",
        )
        for t in tasks
    ]
    out.sort(key=lambda n: n.at, reverse=True)
    return out[:limit]
