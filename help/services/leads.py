"""Writes to leads (主动发现, 六(三)): report, visit, link to a household, convert into an application, close.

    open     —走访 visit (caseworker)                           → visited
    visited  —转为申请 convert (caseworker, household known)    → converted (+ application_intake)
    open/visited —关闭 close (caseworker; after a visit unless a duplicate) → closed

Leads come from the community's caseworker (or a 协理员 through them), from a department over the API
(`lead_receive_from_department`) and from the system (`lead_raise`: called by the jobs service on a job loss,
and meant for ledgers' extracts — a large medical expense, the death of the main earner). The first visit is
due within LEAD_FIRST_VISIT_WORKING_DAYS working days of the report (快速响应).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum

from accounts.checks import (
    Errors,
    choice,
    date_check,
    optional_text,
    raise_errors,
    require_caseworker,
    text,
    today_or,
    touch,
)
from accounts.models import Region
from accounts.scope import in_scope
from accounts.services import event_record
from applications.models import Application
from applications.services import applications as application_services
from benefits.models import Enrolment
from common import idnumber
from config.errors import PermissionDenied, ServiceError
from help.models import Lead, LeadVisit
from households.models import Household, Person
from ledgers.models import ExtractRow
from workcalendar.calendar import work_calendar

# 快速响应: the seed asks for a quick response (六(三)) without a figure; three working days is the local
# practice this system assumes.
LEAD_FIRST_VISIT_WORKING_DAYS = 3
S = Lead.Status

# action → (states it may be taken from, what it is called in messages)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "visit": ((S.OPEN, S.VISITED), "录入走访"),
    "link": ((S.OPEN, S.VISITED), "关联家庭档案"),
    "convert": ((S.VISITED,), "转为救助申请"),
    "close": ((S.OPEN, S.VISITED), "关闭线索"),
}


def lead_check(action: str, lead: Lead, user) -> None:
    """Raise PermissionDenied (not the community's caseworker) or ServiceError (wrong state)."""
    states, label = ACTIONS[action]
    require_caseworker(user, lead.community_id, label)
    if lead.status not in states:
        raise ServiceError(f"线索当前状态为“{lead.get_status_display()}”，不能{label}", code="wrong_state")


def lead_actions(*, lead: Lead, user) -> list[str]:
    """The actions `user` may take on `lead` now (the same checks the services make)."""
    allowed = []
    for action in ACTIONS:
        try:
            lead_check(action, lead, user)
        except ServiceError:
            continue
        allowed.append(action)
    return allowed


def _lock(lead: Lead) -> Lead:
    return Lead.objects.select_for_update(of=("self",)).select_related("household").get(pk=lead.pk)


def _subject(
    *, community_code: str, id_number: str, name: str, address: str, phone: str, errors: Errors
) -> tuple[str, str, str, str, Household | None, Person | None]:
    """Clean the person's details; find the member with that ID number in a household of the same community."""
    name = text(name, "name", "请填写姓名", errors, max_length=32, label="姓名")
    id_number = str(id_number or "").strip()
    address = optional_text(address, "address", errors, max_length=200, label="住址")
    phone = optional_text(phone, "phone", errors, max_length=20, label="联系电话")
    household = person = None
    if id_number:
        try:
            id_number = idnumber.parse(id_number).number
        except idnumber.InvalidIdNumber as exc:
            errors.append({"field": "id_number", "message": str(exc)})
        else:
            person = (
                Person.objects.select_related("household")
                .filter(id_number=id_number, household__community_id=community_code)
                .first()
            )
            household = person.household if person else None
    return name, id_number, address, phone, household, person


def _open_lead_errors(
    *, community_code: str, household: Household | None, id_number: str, errors: Errors
) -> None:
    qs = Lead.objects.filter(community_id=community_code, status__in=Lead.OPEN_STATUSES)
    if household is not None and (same := qs.filter(household=household).first()):
        errors.append(
            {"field": "__all__", "message": f"该家庭已有未办结的线索#{same.pk}，请在原线索上继续办理"}
        )
    elif id_number and (same := qs.filter(id_number=id_number).first()):
        errors.append(
            {"field": "id_number", "message": f"此人已有未办结的线索#{same.pk}，请在原线索上继续办理"}
        )


def _data(lead: Lead) -> dict[str, Any]:
    return {
        "source": lead.source,
        "reason": lead.reason,
        "household": lead.household_id,
        "visit_due_on": lead.visit_due_on.isoformat(),
    }


@transaction.atomic
def lead_report(
    *,
    acting_user,
    community: Region,
    name: str,
    reason: str,
    detail: str,
    source: str = Lead.Source.CASEWORKER,
    reporter_name: str = "",
    id_number: str = "",
    address: str = "",
    phone: str = "",
    household: Household | None = None,
    today: dt.date | None = None,
) -> Lead:
    """A caseworker records a lead found by them or reported by a community helper (协理员, named)."""
    today = today_or(today)
    require_caseworker(acting_user, getattr(community, "code", None), "登记主动发现线索")
    errors: Errors = []
    if community.level != Region.Level.COMMUNITY:
        errors.append({"field": "community", "message": "请选择社区"})
    if source not in (Lead.Source.CASEWORKER, Lead.Source.HELPER):
        errors.append({"field": "source", "message": "请选择线索来源（社区工作人员或社区协理员）"})
    choice(reason, Lead.Reason, "reason", "请选择发现原因", errors)
    detail = text(detail, "detail", "请填写情况说明", errors)
    reporter_name = optional_text(reporter_name, "reporter_name", errors, max_length=64, label="报告人")
    if source == Lead.Source.HELPER and not reporter_name:
        errors.append({"field": "reporter_name", "message": "协理员报告的线索须填写协理员姓名"})
    name, id_number, address, phone, found, person = _subject(
        community_code=community.code,
        id_number=id_number,
        name=name,
        address=address,
        phone=phone,
        errors=errors,
    )
    if household is not None:
        if household.community_id != community.code:
            errors.append({"field": "household", "message": "家庭档案须属于线索所在社区"})
        elif found is not None and found.pk != household.pk:
            errors.append(
                {"field": "id_number", "message": f"此身份证号码属于家庭#{found.pk}，与所选家庭不一致"}
            )
    household = household or found
    _open_lead_errors(community_code=community.code, household=household, id_number=id_number, errors=errors)
    raise_errors(errors)

    lead = Lead(
        community=community,
        household=household,
        person=person,
        name=name,
        id_number=id_number,
        address=address,
        phone=phone,
        source=source,
        reason=reason,
        detail=detail,
        reporter_name=reporter_name,
        reported_on=today,
        visit_due_on=work_calendar().add_working_days(today, LEAD_FIRST_VISIT_WORKING_DAYS),
        created_by=acting_user,
    )
    lead._history_user = acting_user
    lead.save()
    event_record(
        actor=acting_user, verb="登记主动发现线索", target=lead, region_code=community.code, data=_data(lead)
    )
    return lead


@transaction.atomic
def lead_receive_from_department(
    *,
    principal,
    community_code: str,
    name: str,
    reason: str,
    detail: str,
    id_number: str = "",
    address: str = "",
    phone: str = "",
    reporter_name: str = "",
    reference: str = "",
    today: dt.date | None = None,
) -> tuple[Lead, bool]:
    """A lead a department pushes over the API; its client is the source. The community must lie within the
    client's region limit. With a `reference`, a repeated push returns the first lead: (lead, created)."""
    today = today_or(today)
    client = principal.client
    errors: Errors = []
    community = Region.objects.filter(code=str(community_code or ""), level=Region.Level.COMMUNITY).first()
    if community is None:
        raise ServiceError("未知的社区区划代码（须为12位社区代码）", field="community")
    if not in_scope(principal, community.code):
        raise PermissionDenied("该社区不在本客户端的区划范围内", field="community")
    reference = optional_text(reference, "reference", errors, max_length=64, label="来源编号")
    key = f"api:{client.pk}:{reference}" if reference else ""
    if key and (existing := Lead.objects.filter(dedupe_key=key).first()):
        return existing, False
    choice(reason, Lead.Reason, "reason", "未知的发现原因", errors)
    detail = text(detail, "detail", "请填写情况说明", errors, max_length=2000, label="情况说明")
    reporter_name = optional_text(reporter_name, "reporter_name", errors, max_length=64, label="经办人")
    name, id_number, address, phone, household, person = _subject(
        community_code=community.code,
        id_number=id_number,
        name=name,
        address=address,
        phone=phone,
        errors=errors,
    )
    raise_errors(errors)

    lead = Lead(
        community=community,
        household=household,
        person=person,
        name=name,
        id_number=id_number,
        address=address,
        phone=phone,
        source=Lead.Source.DEPARTMENT,
        reason=reason,
        detail=detail,
        reporter_name=reporter_name or client.department,
        api_client=client,
        reference=reference,
        dedupe_key=key,
        reported_on=today,
        visit_due_on=work_calendar().add_working_days(today, LEAD_FIRST_VISIT_WORKING_DAYS),
    )
    lead._history_user = None  # no staff user: the source is on the row (api_client / "system")
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:  # the same reference arrived twice at once; the first one stands
        return Lead.objects.get(dedupe_key=key), False
    event_record(
        actor=None,
        verb=f"{client.department}推送主动发现线索",
        target=lead,
        region_code=community.code,
        data={**_data(lead), "client": client.pk, "reference": reference},
    )
    return lead, True


@transaction.atomic
def lead_raise(
    *, person: Person, reason: str, detail: str, signal: str, today: dt.date | None = None
) -> Lead | None:
    """A lead the system raises about a member of a household on file: a job loss (help/services/jobs.py), or
    — for ledgers' extracts — a large medical expense or the death of the main earner. `signal` names the fact
    ("job_loss:12:2018-06-04", "extract:7:row:33"): one signal never raises two leads. Nothing is raised while
    the household has an open lead. Returns the lead, or None."""
    today = today_or(today)
    if reason not in Lead.Reason.values:
        raise ServiceError("未知的发现原因", field="reason")
    key = f"system:{signal}"[:120]
    if existing := Lead.objects.filter(dedupe_key=key).first():
        return existing
    household = person.household
    if Lead.objects.filter(household=household, status__in=Lead.OPEN_STATUSES).exists():
        return None
    lead = Lead(
        community_id=household.community_id,
        household=household,
        person=person,
        name=person.name,
        id_number=person.id_number,
        address=household.address,
        phone=household.phone,
        source=Lead.Source.SYSTEM,
        reason=reason,
        detail=detail,
        dedupe_key=key,
        reported_on=today,
        visit_due_on=work_calendar().add_working_days(today, LEAD_FIRST_VISIT_WORKING_DAYS),
    )
    lead._history_user = None  # no staff user: the source is on the row (api_client / "system")
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        return Lead.objects.get(dedupe_key=key)
    event_record(
        actor=None,
        verb="系统预警生成主动发现线索",
        target=lead,
        region_code=household.community_id,
        data={**_data(lead), "signal": signal},
    )
    return lead


@transaction.atomic
def lead_visit_record(
    *,
    acting_user,
    lead: Lead,
    visited_on: dt.date | None,
    visitors: list[str],
    findings: str,
    in_need: bool = True,
    today: dt.date | None = None,
) -> LeadVisit:
    """A visit on the lead; the first one answers the quick-response deadline."""
    today = today_or(today)
    lead = _lock(lead)
    lead_check("visit", lead, acting_user)
    errors: Errors = []
    names = list(dict.fromkeys(n.strip() for n in visitors if n and n.strip()))
    if not names:
        errors.append({"field": "visitors", "message": "请填写走访人员"})
    date_check(
        visited_on,
        "visited_on",
        "走访日期",
        errors,
        today=today,
        not_before=lead.reported_on,
        not_before_label="发现日期",
    )
    findings = text(findings, "findings", "请填写走访情况", errors)
    raise_errors(errors)
    visit = LeadVisit.objects.create(
        lead=lead,
        visited_on=visited_on,
        visitors=names,
        findings=findings,
        in_need=bool(in_need),
        recorded_by=acting_user,
    )
    first = lead.status == S.OPEN
    if first:
        lead.status, lead.visited_on = S.VISITED, visited_on
        touch(lead, acting_user, ["status", "visited_on"])
    event_record(
        actor=acting_user,
        verb="线索首次走访" if first else "线索再次走访",
        target=lead,
        region_code=lead.community_id,
        data={
            "visit": visit.pk,
            "visited_on": visited_on.isoformat(),
            "in_need": bool(in_need),
            "late": first and visited_on > lead.visit_due_on,
        },
    )
    return visit


@transaction.atomic
def lead_link_household(*, acting_user, lead: Lead, household: Household | None) -> Lead:
    """Attach the household file (found, or registered after the visit) the lead is about."""
    lead = _lock(lead)
    lead_check("link", lead, acting_user)
    if household is None or household.community_id != lead.community_id:
        raise ServiceError("请选择本社区的家庭档案", field="household")
    other = (
        Lead.objects.filter(household=household, status__in=Lead.OPEN_STATUSES).exclude(pk=lead.pk).first()
    )
    if other is not None:
        raise ServiceError(f"该家庭已有未办结的线索#{other.pk}", field="household")
    person = None
    if lead.id_number:
        person = next((m for m in household.members.all() if m.id_number == lead.id_number), None)
        if person is None:
            raise ServiceError("线索中的身份证号码不是该家庭的成员，请核对", field="household")
    lead.household, lead.person = household, person
    touch(lead, acting_user, ["household", "person"])
    event_record(
        actor=acting_user,
        verb="线索关联家庭档案",
        target=lead,
        region_code=lead.community_id,
        data={"household": household.pk},
    )
    return lead


@transaction.atomic
def lead_convert(
    *,
    acting_user,
    lead: Lead,
    category: str,
    reasons: str,
    check_authorised: bool,
    check_authorised_on: dt.date | None,
    documents: list[tuple[str, Any]] | tuple = (),
    today: dt.date | None = None,
    residence_basis: str | None = None,
    residence_months: Any = None,
) -> Application:
    """The visited lead becomes an application (受理) of its household; the intake's own checks apply."""
    today = today_or(today)
    lead = _lock(lead)
    lead_check("convert", lead, acting_user)
    if lead.household_id is None:
        raise ServiceError("请先关联或登记家庭档案，再转为救助申请", field="household", code="no_household")
    application = application_services.application_intake(
        acting_user=acting_user,
        household=lead.household,
        category=category,
        reasons=reasons,
        check_authorised=check_authorised,
        check_authorised_on=check_authorised_on,
        documents=documents,
        today=today,
        residence_basis=residence_basis,
        residence_months=residence_months,
    )
    lead.status, lead.application = S.CONVERTED, application
    touch(lead, acting_user, ["status", "application"])
    event_record(
        actor=acting_user,
        verb="线索转为救助申请",
        target=lead,
        region_code=lead.community_id,
        data={"application": application.pk, "category": category},
    )
    return application


@transaction.atomic
def lead_close(*, acting_user, lead: Lead, reason: str, note: str, today: dt.date | None = None) -> Lead:
    """Close with a reason; a lead is visited before it is closed, unless it repeats another."""
    today = today_or(today)
    lead = _lock(lead)
    lead_check("close", lead, acting_user)
    errors: Errors = []
    choice(reason, Lead.CloseReason, "reason", "请选择关闭原因", errors)
    note = text(note, "note", "请填写关闭说明", errors)
    if reason != Lead.CloseReason.DUPLICATE and lead.status == S.OPEN:
        errors.append({"field": "reason", "message": "关闭线索前须先走访核实（重复线索除外）"})
    raise_errors(errors)
    lead.status, lead.closed_on, lead.close_reason, lead.close_note = S.CLOSED, today, reason, note
    touch(lead, acting_user, ["status", "closed_on", "close_reason", "close_note"])
    event_record(
        actor=acting_user,
        verb="关闭主动发现线索",
        target=lead,
        region_code=lead.community_id,
        data={"reason": reason, "note": note, "closed_on": today.isoformat()},
    )
    return lead


# --------------------------------------------------------------------------------------------------
# Leads from department data (policy.md §8.7: 五(七) 主动发现, 六(三))


# A person's medical costs borne personally, in one extract, from which a household not yet covered is worth a
# visit: the seed's 支出型 households are those whose rigid expenditure exceeds what they can bear; 10,000 元 is
# the county's working threshold (about 1.5 years of the 2018 低保 standard). Settings: MEDICAL_EXPENSE_LEAD_MIN.
def leads_from_medical_expense(*, extract_id: int, today: dt.date | None = None) -> dict[str, int]:
    """Raise a proactive-discovery lead for every person of a `medical_expense` extract whose personal medical
    costs reach settings.MEDICAL_EXPENSE_LEAD_MIN and whose household is not covered now: members on file through
    `lead_raise` (one signal per extract and person), people not on file in the community the department gave.
    Running it again raises nothing new. Returns counts: raised, covered (skipped), no_community."""
    today = today_or(today)
    floor = Decimal(str(settings.MEDICAL_EXPENSE_LEAD_MIN))
    totals = {
        r["id_number"]: r
        for r in ExtractRow.objects.filter(extract_id=extract_id)
        .values("id_number")
        .annotate(total=Sum("amount"), name=Max("name"), code=Max("code"))
        if (r["total"] or 0) >= floor
    }
    people = {
        p.id_number: p for p in Person.objects.filter(id_number__in=list(totals)).select_related("household")
    }
    covered = set(
        Enrolment.objects.filter(
            household_id__in={p.household_id for p in people.values()}, status__in=Enrolment.CURRENT
        ).values_list("household_id", flat=True)
    )
    communities = set(
        Region.objects.filter(
            code__in=[r["code"] for r in totals.values() if r["code"]], level=Region.Level.COMMUNITY
        ).values_list("code", flat=True)
    )
    keys = {number: f"system:medical_expense:{extract_id}:{number}"[:120] for number in totals}
    done = set(Lead.objects.filter(dedupe_key__in=list(keys.values())).values_list("dedupe_key", flat=True))
    counts = {"raised": 0, "covered": 0, "no_community": 0}
    for number, row in sorted(totals.items()):
        detail = f"医保部门推送：个人负担医疗费用{row['total']}元（比对数据#{extract_id}），可能因病致贫，请入户了解是否符合支出型救助条件"
        signal = f"medical_expense:{extract_id}:{number}"
        person = people.get(number)
        key = keys[number]
        if key in done:  # raised by an earlier pass over this extract
            continue
        if person is not None:
            if person.household_id in covered:
                counts["covered"] += 1
            elif lead_raise(
                person=person, reason=Lead.Reason.MEDICAL, detail=detail, signal=signal, today=today
            ):
                counts["raised"] += 1
            continue
        if row["code"] not in communities:
            counts["no_community"] += 1
            continue
        lead = Lead(
            community_id=row["code"],
            name=(row["name"] or "（医保推送）")[:32],
            id_number=number,
            source=Lead.Source.DEPARTMENT,
            reason=Lead.Reason.MEDICAL,
            detail=detail,
            reporter_name="医保部门",
            dedupe_key=key,
            reported_on=today,
            visit_due_on=work_calendar().add_working_days(today, LEAD_FIRST_VISIT_WORKING_DAYS),
        )
        lead._history_user = None
        lead.save()
        event_record(
            actor=None,
            verb="医保大额医疗费用生成主动发现线索",
            target=lead,
            region_code=row["code"],
            data=_data(lead),
        )
        counts["raised"] += 1
    return counts
