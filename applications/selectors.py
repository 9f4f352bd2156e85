"""Reads of applications, always narrowed to the user's region by accounts.scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.scope import narrow_to_region, scope_filter
from applications.models import Application, ApplicationEvent, Category, Document, StepLimit
from config.listing import sort_order
from households.models import Person
from workcalendar.calendar import work_calendar

SCOPE = "household__community__code"

# The statuses that wait in a queue, each with the step its taker takes next (the county's also need the notice
# to be over); who takes which step is accounts.permissions.takes_step.
QUEUE_STEPS = (
    (Application.Status.INVESTIGATING, "visit"),
    (Application.Status.REVIEWING, "review"),
    (Application.Status.STREET_REVIEW, "street_approve"),
    (Application.Status.STREET_APPROVED, "notice_start"),
    (Application.Status.NOTICE, "county_approve"),
)


def region_chain(code: str) -> list[str]:
    """A region code and its ancestors' codes by GB/T 2260 (360102002001 → 360102002000, 360102, 360100, 360000)."""
    out = [code]
    if len(code) == 12:
        out += [code[:9] + "000", code[:6]]
    out += [code[:4] + "00", code[:2] + "0000"]
    return list(dict.fromkeys(out))


def step_limits_for(*, region_code: str) -> dict[str, int]:
    """The limit of every step for a region: the nearest row up the tree, else the national default."""
    chain = region_chain(region_code)
    rank = {code: i for i, code in enumerate(chain)}
    found: dict[str, tuple[int, int]] = {}
    for region_id, step, days in StepLimit.objects.filter(region_id__in=chain).values_list(
        "region_id", "step", "days"
    ):
        if step not in found or rank[region_id] < found[step][0]:
            found[step] = (rank[region_id], days)
    return {
        step: found[step][1] if step in found else default for step, default in StepLimit.DEFAULTS.items()
    }


def step_limits_own(*, region_code: str) -> dict[str, int]:
    """The rows a region has set itself (not inherited)."""
    return dict(StepLimit.objects.filter(region_id=region_code).values_list("step", "days"))


def application_scope(*, user) -> QuerySet[Application]:
    return scope_filter(Application.objects.all(), user, SCOPE)


def _with_heads(qs: QuerySet[Application]) -> QuerySet[Application]:
    heads = Person.objects.filter(relation=Person.Relation.HEAD)
    return qs.select_related("household__community").prefetch_related(
        Prefetch("household__members", queryset=heads, to_attr="heads")
    )


# The columns the application list sorts by (config.listing.sort_order).
APPLICATION_SORTS = {
    "id": "id",
    "received_on": "received_on",
    "due_on": "due_on",
    "community": "household__community_id",
}


def application_list(
    *,
    user,
    status: str = "",
    category: str = "",
    community: str = "",
    deadline: str = "",
    today: dt.date | None = None,
    sort: str = "",
) -> QuerySet[Application]:
    """Applications in scope, filtered: status ("open" or one status), category, community (a region code
    prefix: a county, a street or a community inside the user's scope), deadline ("overdue", or "soon": due
    within three days), sorted by one of APPLICATION_SORTS (newest first by default)."""
    qs = application_scope(user=user)
    if status == "open":
        qs = qs.filter(status__in=Application.OPEN)
    elif status in Application.Status.values:
        qs = qs.filter(status=status)
    if category in Category.values:
        qs = qs.filter(category=category)
    qs = narrow_to_region(qs, community, SCOPE)
    if deadline and today is not None:
        qs = qs.filter(status__in=Application.OPEN)
        if deadline == "overdue":
            qs = qs.filter(due_on__lt=work_calendar().overdue_cutoff(today))
        elif deadline == "soon":
            qs = qs.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=3))
    return _with_heads(qs).order_by(*sort_order(sort, APPLICATION_SORTS, "-id"))


def application_queue(*, user, today: dt.date) -> QuerySet[Application]:
    """The applications waiting for this user's action, most urgent first."""
    statuses = [status for status, step in QUEUE_STEPS if permissions.takes_step(user, step)]
    if not statuses:
        return Application.objects.none()
    qs = application_scope(user=user).filter(status__in=statuses)
    if permissions.takes_step(user, "county_approve"):
        qs = qs.filter(notice_ends_on__lt=today)
    return _with_heads(qs).order_by("due_on", "id")


def application_overdue(*, user, today: dt.date) -> QuerySet[Application]:
    """Every open application of the user's area past its deadline (county and above)."""
    if not permissions.sees_overdue(user):
        return Application.objects.none()
    qs = application_scope(user=user).filter(
        status__in=Application.OPEN, due_on__lt=work_calendar().overdue_cutoff(today)
    )
    return _with_heads(qs).order_by("due_on", "id")


def application_get(*, user, pk: int, for_update: bool = False) -> Application:
    """One application in scope with what its page shows, or 404 (out of scope looks like not found)."""
    qs = application_scope(user=user).select_related(
        "household__community__parent__parent", "created_by", "enrolment"
    )
    qs = qs.prefetch_related(
        Prefetch("household__members", queryset=Person.objects.order_by("id")),
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor").order_by("at", "id")),
        "visits",
        "reviews",
        "objections",
        Prefetch("documents", queryset=Document.objects.select_related("uploaded_by").order_by("id")),
    )
    return get_object_or_404(qs, pk=pk)


def application_events(*, user, pk: int) -> QuerySet[ApplicationEvent]:
    application = get_object_or_404(application_scope(user=user), pk=pk)
    return application.events.select_related("actor").order_by("at", "id")


def document_get(*, user, application_pk: int, pk: int) -> Document:
    """A document whose household is in the user's scope, or 404."""
    qs = scope_filter(Document.objects.all(), user, "application__" + SCOPE)
    return get_object_or_404(qs, pk=pk, application_id=application_pk)


def household_applications(*, household) -> list[Application]:
    """The household's applications for its page (the caller has checked scope on the household)."""
    return list(Application.objects.filter(household=household).order_by("-id"))


@dataclass(frozen=True)
class Deadline:
    due_on: dt.date | None
    overdue_days: int


def deadline_of(application: Application, today: dt.date) -> Deadline:
    if not application.is_open or application.due_on is None:
        return Deadline(None, 0)
    return Deadline(application.due_on, work_calendar().working_days_after(application.due_on, today))


def stage_label(application: Application, today: dt.date) -> str:
    """The status as a queue shows it: a notice that has run its course waits for the county."""
    if (
        application.status == Application.Status.NOTICE
        and application.notice_ends_on
        and today > application.notice_ends_on
    ):
        return "公示期满，待县级审批"
    return application.get_status_display()


def annotate_deadlines(applications, today: dt.date) -> list[Application]:
    """Attach `overdue_days`, `stage` and `head` to each application of a list (no queries)."""
    out = []
    for a in applications:
        a.overdue_days = deadline_of(a, today).overdue_days
        a.stage = stage_label(a, today)
        heads = getattr(a.household, "heads", None)
        a.head = heads[0] if heads else None
        out.append(a)
    return out


def application_counts(*, user, today: dt.date) -> dict[str, int]:
    qs = application_scope(user=user)
    return qs.aggregate(
        open=Count("id", filter=Q(status__in=Application.OPEN)),
        overdue=Count(
            "id",
            filter=Q(status__in=Application.OPEN, due_on__lt=work_calendar().overdue_cutoff(today)),
        ),
        approved=Count("id", filter=Q(status=Application.Status.APPROVED)),
    )


# The steps of the flow as the detail page shows them: (key, label, the events that complete it).
TIMELINE = (
    ("intake", "受理", (ApplicationEvent.Step.INTAKE,)),
    ("visit", "入户调查", (ApplicationEvent.Step.VISIT,)),
    ("review", "民主评议", (ApplicationEvent.Step.REVIEW,)),
    ("street", "街道审核", (ApplicationEvent.Step.STREET_APPROVE, ApplicationEvent.Step.STREET_REJECT)),
    ("notice", "公示", (ApplicationEvent.Step.NOTICE_START,)),
    ("county", "县级审批", (ApplicationEvent.Step.COUNTY_APPROVE, ApplicationEvent.Step.COUNTY_REJECT)),
)
CURRENT_STEP = {
    Application.Status.INVESTIGATING: 1,
    Application.Status.REVIEWING: 2,
    Application.Status.STREET_REVIEW: 3,
    Application.Status.STREET_APPROVED: 4,
    Application.Status.NOTICE: 5,
    Application.Status.APPROVED: 6,
    Application.Status.REJECTED: 6,
    Application.Status.STREET_REJECTED: 4,
}


def application_timeline(*, application: Application) -> list[dict]:
    """Each step: done / current / todo / skipped, with the last event that completed it (uses the
    prefetched events, no query)."""
    events = list(application.events.all())
    current = CURRENT_STEP[application.status]
    closed = application.status in Application.CLOSED
    out = []
    for index, (key, label, steps) in enumerate(TIMELINE):
        last = next((e for e in reversed(events) if e.step in steps), None)
        if index < current:
            state = "done"
        elif closed:
            state = "skipped"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        out.append({"key": key, "label": label, "state": state, "event": last if state == "done" else None})
    return out


def application_history(*, application: Application) -> list[dict]:
    """The application's recorded versions, newest first, with the fields each one changed (one query)."""
    records = list(application.history.select_related("history_user").order_by("history_date", "history_id"))
    out, previous = [], None
    skip = {"updated_at", "determination"}
    for rec in records:
        changes = []
        if previous is not None:
            for change in rec.diff_against(previous).changes:
                if change.field not in skip:
                    changes.append(str(Application._meta.get_field(change.field).verbose_name))
        out.append(
            {
                "at": rec.history_date,
                "user": rec.history_user,
                "kind": {"+": "新建", "~": "修改", "-": "删除"}[rec.history_type],
                "status": Application.Status(rec.status).label,
                "changes": changes,
            }
        )
        previous = rec
    out.reverse()
    return out
