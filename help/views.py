"""Pages for help beyond money: leads (主动发现), pairings (结对帮扶), job help, students, charity matching.

Each page parses input, calls one service or selector and renders the result. Records outside the user's
area answer 404 (the selectors never return them); a refused action answers 403 (wrong role or community) or
shows the service's message next to the form (wrong state, bad input). The public needs page needs no login
and shows no personal data.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import can_manage_offer
from accounts.personal_exports import list_export_response
from accounts.scope import can_write_region, communities_for, filter_communities, narrow_to_region
from applications.forms import IntakeForm
from common.errors import apply_to_form, flash
from config.errors import PermissionDenied, ServiceError
from config.listing import ListQuery, list_page, sort_order
from config.params import positive_int
from help import exports, forms
from help import selectors as help_selectors
from help.models import AidKind, AidMatch, AidNeed, AidOffer, Lead, Pairing, SchoolRecord, WorkRefusal
from help.services import charity, jobs, leads, pairing, students
from households import selectors
from households.exports import choice_label
from households.models import Person

PAGE_SIZE = 20
PAIRING_SORTS = {"id": "id", "started_on": "started_on", "last_visit": "last_visit"}
JOB_SORTS = {"household": "household_id", "name": "name", "community": "household__community__code"}
JOB_SORTS |= {"support_count": "support_count", "last_support": "last_support"}
STUDENT_SORTS = {"name": "person__name", "community": "person__household__community__code"}
STUDENT_SORTS |= {"school": "school", "stage": "stage", "updated_at": "updated_at"}
OFFER_SORTS = {"id": "id", "title": "title", "amount": "amount", "valid_until": "valid_until"}
NEED_SORTS = {"id": "id", "community": "household__community__code", "amount": "amount_needed"}
NEED_SORTS |= {"published_on": "published_on"}
MATCH_SORTS = {"id": "id", "community": "household__community__code", "consent_on": "consent_on"}
MATCH_SORTS |= {"delivered_on": "delivered_on"}
PAIRING_SORTS |= {"community": "household__community__code", "visit_count": "visit_count"}
LEAD_ACTIONS = {  # action → (url name, button text)
    "visit": ("lead_visit", "录入走访"),
    "link": ("lead_link", "关联家庭档案"),
    "convert": ("lead_apply", "转为救助申请"),
    "close": ("lead_close", "关闭线索"),
}


def _page(request, qs, param: str = "page"):
    return list_page(request, qs, PAGE_SIZE, param)


def lead_filters(request, today) -> tuple[dict, list[str]]:
    """The lead list's filters and sort (the page and its Excel export read the same), and the notes on values
    typed wrong."""
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", Lead.Status.choices, "状态", default="open", extra=("open", "all")),
        "source": q.choice("source", Lead.Source.choices, "来源"),
        "community": q.region(),
        "month": q.month("month", "发现月份"),
        "deadline": q.choice("deadline", (), "走访时限", extra=("overdue", "soon")),
        "today": today,
        "sort": q.sort(help_selectors.LEAD_SORTS),
    }
    return filters, q.notes


def _form_page(
    request,
    *,
    form,
    title: str,
    call: Callable[[dict], tuple[str, str]],
    back: str,
    context: dict | None = None,
    template: str = "help/form.html",
):
    """GET shows the form; a valid POST calls the service: a refusal is a 403, a bad input a message on the form,
    success a message and a redirect to the URL `call` returns."""
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            message, url = call(form.cleaned_data)
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ServiceError as exc:
            apply_to_form(exc, form)
        else:
            messages.success(request, message)
            return redirect(url)
    return render(request, template, {"form": form, "title": title, "back": back, **(context or {})})


def _guard(request, check: Callable[[], None], back: str):
    """Run a service's check before showing its form: a refusal is a 403, a wrong state a message on `back`."""
    try:
        check()
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ServiceError as exc:
        flash(request, exc)
        return redirect(back)
    return None


def _bound(request, form_class, **kwargs):
    return form_class(request.POST if request.method == "POST" else None, **kwargs)


# --------------------------------------------------------------------------------------------------
# 主动发现


@login_required
def lead_list(request):
    user, today = request.user, timezone.localdate()
    filters, notes = lead_filters(request, today)
    status, source = filters["status"], filters["source"]
    page = _page(request, help_selectors.lead_list(user=user, **filters))
    return render(
        request,
        "help/lead_list.html",
        {
            "page": page,
            "rows": help_selectors.annotate_leads(page.object_list, today),
            "overdue": help_selectors.annotate_leads(
                help_selectors.lead_overdue(user=user, today=today)[:PAGE_SIZE], today
            ),
            "counts": help_selectors.lead_counts(user=user, today=today),
            "status": status,
            "source": source,
            "statuses": Lead.Status.choices,
            "sources": Lead.Source.choices,
            "filters": filters,
            "filter_notes": notes,
            "communities": filter_communities(user),
            "can_create": communities_for(user).exists(),
            "today": today,
        },
    )


@login_required
def lead_create(request):
    user = request.user
    if not communities_for(user).exists():
        return HttpResponseForbidden("只有社区工作人员可以登记主动发现线索")
    household = None
    household_pk = positive_int(request.GET.get("household", ""))
    if household_pk is not None:
        household = selectors.household_get(user=user, pk=household_pk)
    initial = {}
    if household is not None:
        head = household.head
        initial = {
            "community": household.community_id,
            "address": household.address,
            "phone": household.phone,
            "name": head.name if head else "",
            "id_number": head.id_number if head else "",
        }
    form = _bound(request, forms.LeadForm, user=user, initial=initial)

    def call(data):
        lead = leads.lead_report(
            acting_user=user,
            community=data["community"],
            name=data["name"],
            reason=data["reason"],
            detail=data["detail"],
            source=data["source"],
            reporter_name=data["reporter_name"],
            id_number=data["id_number"],
            address=data["address"],
            phone=data["phone"],
            household=household,
        )
        return (
            f"已登记线索#{lead.pk}，请在{lead.visit_due_on:%Y-%m-%d}前上门走访",
            reverse("lead_detail", args=[lead.pk]),
        )

    return _form_page(
        request,
        form=form,
        title="登记主动发现线索",
        call=call,
        back=reverse("lead_list"),
        context={"household": household},
    )


@login_required
def lead_detail(request, pk: int):
    user, today = request.user, timezone.localdate()
    lead = help_selectors.lead_get(user=user, pk=pk)
    help_selectors.annotate_leads([lead], today)
    actions = [LEAD_ACTIONS[a] for a in leads.lead_actions(lead=lead, user=user)]
    return render(
        request,
        "help/lead_detail.html",
        {
            "lead": lead,
            "visits": list(lead.visits.all()),
            "actions": actions,
            "history": help_selectors.lead_history(lead=lead),
            "today": today,
        },
    )


def _lead_step(request, pk: int, action: str):
    """The lead, or the response that refuses the step."""
    lead = help_selectors.lead_get(user=request.user, pk=pk)
    denied = _guard(
        request, lambda: leads.lead_check(action, lead, request.user), reverse("lead_detail", args=[lead.pk])
    )
    return lead, denied


@login_required
def lead_visit(request, pk: int):
    lead, denied = _lead_step(request, pk, "visit")
    if denied:
        return denied
    form = _bound(request, forms.LeadVisitForm, initial={"visited_on": timezone.localdate()})

    def call(data):
        leads.lead_visit_record(
            acting_user=request.user,
            lead=lead,
            visited_on=data["visited_on"],
            visitors=forms.names(data["visitors"]),
            findings=data["findings"],
            in_need=data["in_need"],
        )
        return "已录入走访", reverse("lead_detail", args=[lead.pk])

    return _form_page(
        request,
        form=form,
        title="线索走访",
        call=call,
        back=reverse("lead_detail", args=[lead.pk]),
        context={"lead": lead},
    )


@login_required
def lead_link(request, pk: int):
    lead, denied = _lead_step(request, pk, "link")
    if denied:
        return denied
    form = _bound(request, forms.LeadLinkForm, initial={"household": lead.household_id})

    def call(data):
        household = selectors.household_scope(user=request.user).filter(pk=data["household"]).first()
        leads.lead_link_household(acting_user=request.user, lead=lead, household=household)
        return "已关联家庭档案", reverse("lead_detail", args=[lead.pk])

    return _form_page(
        request,
        form=form,
        title="关联家庭档案",
        call=call,
        back=reverse("lead_detail", args=[lead.pk]),
        context={"lead": lead},
    )


@login_required
def lead_apply(request, pk: int):
    lead, denied = _lead_step(request, pk, "convert")
    if denied:
        return denied
    back = reverse("lead_detail", args=[lead.pk])
    if lead.household_id is None:
        messages.error(request, "请先关联或登记家庭档案，再转为救助申请")
        return redirect(back)
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                application = leads.lead_convert(
                    acting_user=request.user,
                    lead=lead,
                    category=form.cleaned_data["category"],
                    reasons=form.cleaned_data["reasons"],
                    check_authorised=form.cleaned_data["check_authorised"],
                    check_authorised_on=form.cleaned_data["check_authorised_on"],
                    documents=[(kind, upload) for _, kind, upload in form.documents()],
                    residence_basis=form.cleaned_data["residence_basis"] or "",
                    residence_months=form.cleaned_data["residence_months"],
                )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                apply_to_form(exc, form)
            else:
                messages.success(
                    request, f"线索#{lead.pk}已转为救助申请#{application.pk}，请在办理时限内开展入户调查"
                )
                return redirect("application_detail", pk=application.pk)
    else:
        form = IntakeForm(initial={"check_authorised_on": timezone.localdate(), "reasons": lead.detail})
    return render(request, "help/lead_apply.html", {"form": form, "lead": lead, "household": lead.household})


@login_required
def lead_close(request, pk: int):
    lead, denied = _lead_step(request, pk, "close")
    if denied:
        return denied
    form = _bound(request, forms.LeadCloseForm)

    def call(data):
        leads.lead_close(acting_user=request.user, lead=lead, reason=data["reason"], note=data["note"])
        return f"线索#{lead.pk}已关闭", reverse("lead_detail", args=[lead.pk])

    return _form_page(
        request,
        form=form,
        title="关闭线索",
        call=call,
        back=reverse("lead_detail", args=[lead.pk]),
        context={"lead": lead},
    )


# --------------------------------------------------------------------------------------------------
# 结对帮扶


def _pairing_query(request):
    """The pairing list's filters, the notes on values typed wrong, and its rows (the page and its export)."""
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice("status", Pairing.Status.choices, "状态", default="active", extra=("all",)),
        "helper_kind": q.choice("helper_kind", Pairing.HelperKind.choices, "帮扶责任人身份"),
        "community": q.region(),
        "month": q.month("month", "结对月份"),
        "sort": q.sort(PAIRING_SORTS),
    }
    qs = help_selectors.pairing_list(user=request.user, status=filters["status"])
    qs = narrow_to_region(qs, filters["community"], "household__community__code")
    if filters["helper_kind"]:
        qs = qs.filter(helper_kind=filters["helper_kind"])
    if filters["month"]:
        qs = qs.filter(started_on__year=filters["month"].year, started_on__month=filters["month"].month)
    return filters, q.notes, qs.order_by(*sort_order(filters["sort"], PAIRING_SORTS, "-id"))


@login_required
def pairing_list(request):
    user, today = request.user, timezone.localdate()
    filters, notes, qs = _pairing_query(request)
    page = _page(request, qs)
    stale = _page(request, help_selectors.pairings_without_recent_visit(user=user, today=today), "stale_page")
    unpaired = _page(request, help_selectors.households_without_pairing(user=user), "unpaired_page")
    return render(
        request,
        "help/pairing_list.html",
        {
            "page": page,
            "stale": stale,
            "unpaired": unpaired,
            "status": filters["status"],
            "filters": filters,
            "filter_notes": notes,
            "helper_kinds": Pairing.HelperKind.choices,
            "communities": filter_communities(user),
            "visit_days": help_selectors.PAIRING_VISIT_DAYS,
            "cutoff": help_selectors.pairing_cutoff(today),
            "counts": help_selectors.pairing_counts(user=user, today=today),
            "can_write": communities_for(user).exists(),
        },
    )


@login_required
def pairing_create(request, household_pk: int):
    household = selectors.household_get(user=request.user, pk=household_pk)
    if not can_write_region(request.user, household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以登记结对帮扶")
    form = _bound(request, forms.PairingForm, initial={"started_on": timezone.localdate()})

    def call(data):
        created = pairing.pairing_create(acting_user=request.user, household=household, **data)
        return f"已登记{created.helper_name}与本户结对帮扶", reverse("pairing_detail", args=[created.pk])

    return _form_page(
        request,
        form=form,
        title="登记结对帮扶",
        call=call,
        back=reverse("household_detail", args=[household.pk]),
        context={"household": household},
    )


@login_required
def pairing_detail(request, pk: int):
    item = help_selectors.pairing_get(user=request.user, pk=pk)
    return render(
        request,
        "help/pairing_detail.html",
        {
            "pairing": item,
            "visits": list(item.visits.all()),
            "head": help_selectors.head_of(item.household),
            "can_write": item.status == Pairing.Status.ACTIVE
            and can_write_region(request.user, item.household.community_id),
            "history": list(
                item.history.select_related("history_user").order_by("-history_date", "-history_id")
            ),
        },
    )


def _pairing_step(request, pk: int, title: str, form_class, initial: dict, service, message: str):
    item = help_selectors.pairing_get(user=request.user, pk=pk)
    back = reverse("pairing_detail", args=[item.pk])
    if not can_write_region(request.user, item.household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以办理结对帮扶")
    if item.status != Pairing.Status.ACTIVE:
        messages.error(request, "该结对帮扶已结束")
        return redirect(back)
    form = _bound(request, form_class, initial=initial)

    def call(data):
        service(acting_user=request.user, pairing=item, **data)
        return message, back

    return _form_page(request, form=form, title=title, call=call, back=back, context={"pairing": item})


@login_required
def pairing_visit(request, pk: int):
    return _pairing_step(
        request,
        pk,
        "录入结对帮扶走访",
        forms.PairingVisitForm,
        {"visited_on": timezone.localdate()},
        pairing.pairing_visit_record,
        "已录入帮扶走访",
    )


@login_required
def pairing_end(request, pk: int):
    return _pairing_step(
        request,
        pk,
        "结束结对帮扶",
        forms.PairingEndForm,
        {"ended_on": timezone.localdate()},
        pairing.pairing_end,
        "结对帮扶已结束",
    )


# --------------------------------------------------------------------------------------------------
# 就业帮扶


def _job_query(request, today):
    """The job-help list's filters, the notes on values typed wrong, and its rows (the page and its export)."""
    q = ListQuery(request.GET)
    filters = {
        "employment": q.choice("employment", Person.Employment.choices, "就业状况"),
        "community": q.region(),
        "sort": q.sort(JOB_SORTS),
    }
    qs = help_selectors.able_members(user=request.user, today=today, employment=filters["employment"])
    qs = narrow_to_region(qs, filters["community"], "household__community__code")
    return filters, q.notes, qs.order_by(*sort_order(filters["sort"], JOB_SORTS, "household"))


@login_required
def job_list(request):
    user, today = request.user, timezone.localdate()
    filters, notes, qs = _job_query(request, today)
    employment = filters["employment"]
    zero = _page(request, help_selectors.zero_employment_households(user=user, today=today), "zero_page")
    page = _page(request, qs)
    return render(
        request,
        "help/job_list.html",
        {
            "zero": zero,
            "page": page,
            "employment": employment,
            "employments": Person.Employment.choices,
            "filters": filters,
            "filter_notes": notes,
            "communities": filter_communities(user),
            "counts": help_selectors.job_counts(user=user, today=today),
        },
    )


@login_required
def job_person(request, person_pk: int):
    person = help_selectors.person_get(user=request.user, pk=person_pk)
    today = timezone.localdate()
    members = list(person.household.members.all())
    return render(
        request,
        "help/job_person.html",
        {
            "person": person,
            "household": person.household,
            "changes": list(person.employment_changes.all()),
            "supports": list(person.job_supports.all()),
            "refusals": list(person.work_refusals.all()),
            "refusals_in_a_row": len(WorkRefusal.unjustified_in_a_row(person)),
            "employed": person.employment in help_selectors.EMPLOYED,
            "able": help_selectors.able_to_work(person, today),
            "members": members,
            "can_write": can_write_region(request.user, person.household.community_id),
        },
    )


def _job_step(request, person_pk: int, title: str, form_class, initial: dict, call_service):
    person = help_selectors.person_get(user=request.user, pk=person_pk)
    if not can_write_region(request.user, person.household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以登记就业帮扶")
    back = reverse("job_person", args=[person.pk])
    form = _bound(request, form_class, initial=initial)

    def call(data):
        return call_service(person, data), back

    return _form_page(request, form=form, title=title, call=call, back=back, context={"person": person})


@login_required
def job_start(request, person_pk: int):
    def call(person, data):
        jobs.job_start_record(acting_user=request.user, person=person, **data)
        return f"已登记{person.name}就业"

    return _job_step(
        request, person_pk, "登记就业", forms.JobStartForm, {"started_on": timezone.localdate()}, call
    )


@login_required
def job_end(request, person_pk: int):
    def call(person, data):
        jobs.job_end_record(acting_user=request.user, person=person, **data)
        return f"已登记{person.name}失业"

    return _job_step(
        request, person_pk, "登记失业", forms.JobEndForm, {"ended_on": timezone.localdate()}, call
    )


@login_required
def job_support(request, person_pk: int):
    def call(person, data):
        support = jobs.job_support_record(acting_user=request.user, person=person, **data)
        return f"已登记{support.get_kind_display()}"

    return _job_step(
        request, person_pk, "登记就业帮扶", forms.JobSupportForm, {"on_date": timezone.localdate()}, call
    )


@login_required
def job_refusal(request, person_pk: int):
    """A refused job offer (policy.md §8.2; 社会救助暂行办法 第四十五条)."""

    def call(person, data):
        jobs.work_refusal_record(acting_user=request.user, person=person, **data)
        in_a_row = len(WorkRefusal.unjustified_in_a_row(person))
        return f"已登记{person.name}拒绝介绍的工作（连续无正当理由{in_a_row}次）"

    return _job_step(
        request,
        person_pk,
        "登记拒绝介绍的工作",
        forms.WorkRefusalForm,
        {"offered_on": timezone.localdate()},
        call,
    )


# --------------------------------------------------------------------------------------------------
# 在校学生


def _student_query(request):
    """The student list's filters, the notes on values typed wrong, and its rows (the page and its export)."""
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice(
            "status",
            SchoolRecord.Status.choices,
            "在读状态",
            default=SchoolRecord.Status.IN_SCHOOL,
            extra=("all",),
        ),
        "stage": q.choice("stage", SchoolRecord.Stage.choices, "学段"),
        "community": q.region(),
        "sort": q.sort(STUDENT_SORTS),
    }
    status = filters["status"]
    qs = help_selectors.student_list(user=request.user, status=status)
    qs = narrow_to_region(qs, filters["community"], "person__household__community__code")
    if filters["stage"]:
        qs = qs.filter(stage=filters["stage"])
    if filters["sort"]:
        qs = qs.order_by(*sort_order(filters["sort"], STUDENT_SORTS, "-updated_at"))
    return filters, q.notes, qs


@login_required
def student_list(request):
    filters, notes, qs = _student_query(request)
    status = filters["status"]
    page = _page(request, qs)
    return render(
        request,
        "help/student_list.html",
        {
            "page": page,
            "status": status,
            "statuses": SchoolRecord.Status.choices,
            "stages": SchoolRecord.Stage.choices,
            "filters": filters,
            "filter_notes": notes,
            "communities": filter_communities(request.user),
        },
    )


@login_required
def student_edit(request, person_pk: int):
    person = help_selectors.person_get(user=request.user, pk=person_pk)
    if not can_write_region(request.user, person.household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以登记在校学生")
    record = SchoolRecord.objects.filter(person=person).first()
    initial = (
        {f: getattr(record, f) for f in ("school", "stage", "grade", "student_no", "status")}
        if record
        else {"status": SchoolRecord.Status.IN_SCHOOL}
    )
    form = _bound(request, forms.SchoolRecordForm, initial=initial)

    def call(data):
        saved = students.school_record_save(acting_user=request.user, person=person, **data)
        return f"已保存{person.name}的在校信息", reverse("student_detail", args=[saved.pk])

    return _form_page(
        request,
        form=form,
        title="登记在校学生" if record is None else "更新在校信息",
        call=call,
        back=reverse("household_detail", args=[person.household_id]),
        context={"person": person},
    )


@login_required
def student_detail(request, pk: int):
    record = help_selectors.student_get(user=request.user, pk=pk)
    return render(
        request,
        "help/student_detail.html",
        {
            "record": record,
            "person": record.person,
            "aids": list(record.aids.all()),
            "can_write": can_write_region(request.user, record.person.household.community_id),
            "history": list(
                record.history.select_related("history_user").order_by("-history_date", "-history_id")
            ),
        },
    )


@login_required
def student_aid(request, pk: int):
    record = help_selectors.student_get(user=request.user, pk=pk)
    if not can_write_region(request.user, record.person.household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以登记学生资助")
    back = reverse("student_detail", args=[record.pk])
    form = _bound(request, forms.StudentAidForm)

    def call(data):
        aid = students.student_aid_record(acting_user=request.user, school_record=record, **data)
        return f"已登记{aid.get_kind_display()}", back

    return _form_page(
        request, form=form, title="登记学生资助", call=call, back=back, context={"record": record}
    )


# --------------------------------------------------------------------------------------------------
# 社会力量帮扶


def _charity_can_register(user) -> bool:
    return bool(getattr(user, "region_id", None)) and can_manage_offer(user, user.region_id)


@login_required
def charity_home(request):
    user = request.user
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice(
            "status", AidOffer.Status.choices, "状态", default=AidOffer.Status.OPEN, extra=("all",)
        ),
        "kind": q.choice("kind", AidKind.choices, "帮扶类别"),
        "provider_kind": q.choice("provider_kind", AidOffer.ProviderKind.choices, "提供方类型"),
        "sort": q.sort(OFFER_SORTS),
    }
    status = filters["status"]
    qs = help_selectors.offer_list(user=user, status=status)
    for key in ("kind", "provider_kind"):
        if filters[key]:
            qs = qs.filter(**{key: filters[key]})
    page = _page(request, qs.order_by(*sort_order(filters["sort"], OFFER_SORTS, "-id")))
    return render(
        request,
        "help/charity_home.html",
        {
            "page": page,
            "status": status,
            "statuses": AidOffer.Status.choices,
            "kinds": AidKind.choices,
            "provider_kinds": AidOffer.ProviderKind.choices,
            "filters": filters,
            "filter_notes": q.notes,
            "counts": help_selectors.charity_counts(user=user),
            "can_register": _charity_can_register(user),
        },
    )


def _need_query(request):
    """The need list's filters, the notes on values typed wrong, and its rows (the page and its export)."""
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice(
            "status", AidNeed.Status.choices, "状态", default=AidNeed.Status.PUBLISHED, extra=("all",)
        ),
        "kind": q.choice("kind", AidKind.choices, "需求类别"),
        "community": q.region(),
        "month": q.month("month", "发布月份"),
        "sort": q.sort(NEED_SORTS),
    }
    status = filters["status"]
    qs = help_selectors.need_list(user=request.user, status=status)
    qs = narrow_to_region(qs, filters["community"], "household__community__code")
    if filters["kind"]:
        qs = qs.filter(kind=filters["kind"])
    if filters["month"]:
        qs = qs.filter(published_on__year=filters["month"].year, published_on__month=filters["month"].month)
    return filters, q.notes, qs.order_by(*sort_order(filters["sort"], NEED_SORTS, "-id"))


@login_required
def need_list(request):
    filters, notes, qs = _need_query(request)
    status = filters["status"]
    page = _page(request, qs)
    return render(
        request,
        "help/need_list.html",
        {
            "page": page,
            "status": status,
            "statuses": AidNeed.Status.choices,
            "kinds": AidKind.choices,
            "filters": filters,
            "filter_notes": notes,
            "communities": filter_communities(request.user),
        },
    )


def _match_query(request):
    """The match list's filters, the notes on values typed wrong, and its rows (the page and its export)."""
    q = ListQuery(request.GET)
    filters = {
        "status": q.choice(
            "status", AidMatch.Status.choices, "状态", default=AidMatch.Status.MATCHED, extra=("all",)
        ),
        "community": q.region(),
        "month": q.month("month", "同意月份"),
        "sort": q.sort(MATCH_SORTS),
    }
    status = filters["status"]
    qs = help_selectors.match_list(user=request.user, status=status)
    qs = narrow_to_region(qs, filters["community"], "household__community__code")
    if filters["month"]:
        qs = qs.filter(consent_on__year=filters["month"].year, consent_on__month=filters["month"].month)
    return filters, q.notes, qs.order_by(*sort_order(filters["sort"], MATCH_SORTS, "-id"))


@login_required
def match_list(request):
    filters, notes, qs = _match_query(request)
    status = filters["status"]
    return render(
        request,
        "help/match_list.html",
        {
            "page": _page(request, qs),
            "status": status,
            "statuses": AidMatch.Status.choices,
            "filters": filters,
            "filter_notes": notes,
            "communities": filter_communities(request.user),
        },
    )


@login_required
def offer_create(request):
    user = request.user
    if not _charity_can_register(user):
        return HttpResponseForbidden("只有社区、街道和县级民政工作人员可以登记社会帮扶资源")
    form = _bound(request, forms.AidOfferForm, user=user, initial={"region": user.region_id})

    def call(data):
        offer = charity.aid_offer_register(acting_user=user, **data)
        return f"已登记帮扶资源“{offer.title}”", reverse("offer_detail", args=[offer.pk])

    return _form_page(request, form=form, title="登记社会帮扶资源", call=call, back=reverse("charity_home"))


@login_required
def offer_detail(request, pk: int):
    user, today = request.user, timezone.localdate()
    offer = help_selectors.offer_get(user=user, pk=pk)
    candidates = []
    if communities_for(user).exists() and offer.status == AidOffer.Status.OPEN:
        candidates = list(
            help_selectors.need_list(user=user).filter(
                kind=offer.kind, household__community__code__startswith=offer.region.prefix
            )[:PAGE_SIZE]
        )
    return render(
        request,
        "help/offer_detail.html",
        {
            "offer": offer,
            "matches": list(help_selectors.offer_matches(user=user, offer=offer)[:200]),
            "candidates": candidates,
            "can_match": communities_for(user).exists() and offer.status == "open",
            "can_close": offer.status == AidOffer.Status.OPEN and can_manage_offer(user, offer.region_id),
            "today": today,
        },
    )


@login_required
def offer_close(request, pk: int):
    offer = help_selectors.offer_get(user=request.user, pk=pk)
    back = reverse("offer_detail", args=[offer.pk])
    if not can_manage_offer(request.user, offer.region_id):
        return HttpResponseForbidden("只能管理本辖区登记的社会帮扶资源")
    form = _bound(request, forms.ReasonForm)

    def call(data):
        charity.aid_offer_close(acting_user=request.user, offer=offer, reason=data["reason"])
        return "帮扶资源已结束", back

    return _form_page(
        request, form=form, title="结束帮扶资源", call=call, back=back, context={"offer": offer}
    )


@login_required
def offer_match(request, pk: int):
    user = request.user
    offer = help_selectors.offer_get(user=user, pk=pk)
    back = reverse("offer_detail", args=[offer.pk])
    if not communities_for(user).exists():
        return HttpResponseForbidden("只有社区工作人员可以对接帮扶资源")
    initial = {"consent_on": timezone.localdate()}
    for key in ("household", "need"):
        if positive_int(request.GET.get(key, "")) is not None:
            initial[key] = positive_int(request.GET[key])
    form = _bound(request, forms.AidMatchForm, initial=initial)

    def call(data):
        household = selectors.household_scope(user=user).filter(pk=data["household"]).first()
        if household is None:
            raise ServiceError("未找到本社区的该家庭档案", field="household")
        need = help_selectors.need_scope(user=user).filter(pk=data["need"]).first() if data["need"] else None
        if data["need"] and need is None:
            raise ServiceError("未找到该需求", field="need")
        charity.aid_match_create(
            acting_user=user,
            offer=offer,
            household=household,
            need=need,
            consent=data["consent"],
            consent_on=data["consent_on"],
            consent_by=data["consent_by"],
            note=data["note"],
        )
        return f"已将“{offer.title}”对接给家庭#{household.pk}", back

    return _form_page(
        request, form=form, title="对接帮扶资源", call=call, back=back, context={"offer": offer}
    )


@login_required
def need_create(request, household_pk: int):
    household = selectors.household_get(user=request.user, pk=household_pk)
    if not can_write_region(request.user, household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以发布帮扶需求")
    back = reverse("household_detail", args=[household.pk])
    form = _bound(request, forms.AidNeedForm, initial={"consent_on": timezone.localdate()})

    def call(data):
        need = charity.aid_need_publish(acting_user=request.user, household=household, **data)
        return f"已公开发布需求#{need.pk}（不含个人信息）", back

    return _form_page(
        request, form=form, title="发布帮扶需求", call=call, back=back, context={"household": household}
    )


@login_required
def need_withdraw(request, pk: int):
    need = help_selectors.need_get(user=request.user, pk=pk)
    back = reverse("need_list")
    if not can_write_region(request.user, need.household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以撤回帮扶需求")
    form = _bound(request, forms.ReasonForm)

    def call(data):
        charity.aid_need_withdraw(acting_user=request.user, need=need, reason=data["reason"])
        return f"需求#{need.pk}已撤回", back

    return _form_page(request, form=form, title=f"撤回需求#{need.pk}", call=call, back=back)


def _match_step(request, pk: int, title: str, form_class, initial: dict, call_service):
    match = help_selectors.match_get(user=request.user, pk=pk)
    back = reverse("household_detail", args=[match.household_id])
    if not can_write_region(request.user, match.household.community_id):
        return HttpResponseForbidden("只有本社区的社区工作人员可以办理帮扶对接")
    if match.status != AidMatch.Status.MATCHED:
        messages.error(request, f"对接当前状态为“{match.get_status_display()}”")
        return redirect(back)
    form = _bound(request, form_class, initial=initial)

    def call(data):
        return call_service(match, data), back

    return _form_page(request, form=form, title=title, call=call, back=back, context={"match": match})


@login_required
def match_deliver(request, pk: int):
    def call(match, data):
        charity.aid_match_deliver(acting_user=request.user, match=match, **data)
        return "已登记帮扶落实情况"

    return _match_step(
        request, pk, "登记帮扶落实情况", forms.AidDeliverForm, {"delivered_on": timezone.localdate()}, call
    )


@login_required
def match_cancel(request, pk: int):
    def call(match, data):
        charity.aid_match_cancel(acting_user=request.user, match=match, reason=data["reason"])
        return "已取消对接"

    return _match_step(request, pk, "取消帮扶对接", forms.ReasonForm, {}, call)


def charity_public(request):
    """The public page of published needs: kind, text, amount and community — never a name, ID, address."""
    kind = request.GET.get("kind", "")
    page = _page(request, help_selectors.public_needs(kind=kind))
    return render(
        request,
        "help/public_needs.html",
        {"page": page, "kind": kind, "kinds": AidKind.choices},
    )


@require_GET
@login_required
def lead_export(request):
    filters, _ = lead_filters(request, timezone.localdate())
    status, source = filters["status"], filters["source"]
    qs = help_selectors.lead_list(user=request.user, **filters)
    return list_export_response(
        request,
        title="主动发现线索",
        header=exports.LEAD_HEADER,
        count=qs.count,
        rows=exports.lead_rows(qs, timezone.localdate()),
        filters=[
            ("状态", choice_label(Lead.Status.choices, status, {"open": "未办结"})),
            ("来源", choice_label(Lead.Source.choices, source)),
        ],
    )


@require_GET
@login_required
def pairing_export(request):
    filters, _, qs = _pairing_query(request)
    status = filters["status"]
    return list_export_response(
        request,
        title="结对帮扶",
        header=exports.PAIRING_HEADER,
        count=qs.count,
        rows=exports.pairing_rows(qs),
        filters=[("状态", choice_label(Pairing.Status.choices, status, {"all": "全部"}))],
    )


@require_GET
@login_required
def job_export(request):
    filters, _, qs = _job_query(request, timezone.localdate())
    employment = filters["employment"]
    return list_export_response(
        request,
        title="就业帮扶",
        header=exports.JOB_HEADER,
        count=qs.count,
        rows=exports.able_member_rows(qs),
        filters=[("就业状况", choice_label(Person.Employment.choices, employment))],
    )


@require_GET
@login_required
def student_export(request):
    filters, _, qs = _student_query(request)
    status = filters["status"]
    return list_export_response(
        request,
        title="在校学生",
        header=exports.STUDENT_HEADER,
        count=qs.count,
        rows=exports.student_rows(qs),
        filters=[("在读状态", choice_label(SchoolRecord.Status.choices, status, {"all": "全部"}))],
    )


@require_GET
@login_required
def need_export(request):
    filters, _, qs = _need_query(request)
    status = filters["status"]
    return list_export_response(
        request,
        title="帮扶需求",
        header=exports.NEED_HEADER,
        count=qs.count,
        rows=exports.need_rows(qs),
        filters=[("状态", choice_label(AidNeed.Status.choices, status, {"all": "全部"}))],
    )


@require_GET
@login_required
def match_export(request):
    filters, _, qs = _match_query(request)
    status = filters["status"]
    return list_export_response(
        request,
        title="帮扶对接",
        header=exports.MATCH_HEADER,
        count=qs.count,
        rows=exports.match_rows(qs),
        filters=[("状态", choice_label(AidMatch.Status.choices, status, {"all": "全部"}))],
    )
