from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import can_apply_relief
from accounts.personal_exports import list_export_response
from accounts.scope import can_write_region, communities_for, filter_communities
from applications.models import CATEGORY_SHORT_LABELS
from applications.selectors import household_applications
from benefits.linked import household_linked_benefits
from benefits.selectors import household_enrolments, household_relief
from common.errors import apply_to_form
from config.errors import PermissionDenied, ServiceError
from config.listing import ListQuery, list_page
from eligibility.services import determine_household
from help.selectors import household_help
from households import exports, selectors, services
from households.forms import HouseholdForm, PersonFormSet
from households.models import Household, Person


def household_filters(request) -> tuple[dict, list[str]]:
    """The list's filters and sort from the query string (the page and its two Excel exports read the same),
    and the notes on values typed wrong."""
    q = ListQuery(request.GET)
    filters = {
        "query": q.text("q"),
        "community": q.region(),
        "month": q.month("month", "建档月份"),
        "housing": q.choice("housing", Household.Housing.choices, "住房情况"),
        "sort": q.sort(selectors.HOUSEHOLD_SORTS),
    }
    return filters, q.notes


@login_required
def household_list(request):
    filters, notes = household_filters(request)
    page = list_page(request, selectors.household_list(user=request.user, **filters))
    return render(
        request,
        "households/household_list.html",
        {
            "page": page,
            "query": filters["query"],
            "filters": filters,
            "filter_notes": notes,
            "housings": Household.Housing.choices,
            "communities": filter_communities(request.user),
            "can_create": communities_for(request.user).exists(),
        },
    )


def _present_determination(result: dict, members: list) -> dict:
    """The §7 result with names and Chinese labels for the page."""
    from eligibility.models import Standard

    names = {m.id_number: m.name for m in members}
    std = result["standards"]
    stored = (
        Standard.objects.filter(region_id=std["region"], year=std["year"]).select_related("region").first()
    )
    return {
        **result,
        "category_labels": [CATEGORY_SHORT_LABELS[c] for c in result["categories"]],
        "member_rows": [
            {
                **row,
                "name": names.get(row["id_number"], ""),
                "category_label": CATEGORY_SHORT_LABELS.get(row["category"]),
            }
            for row in result["members"]
        ],
        "standard_region_name": stored.region.name if stored else std["region"],
        "placeholder_fields": [
            str(Standard._meta.get_field(f).verbose_name)
            for f in (stored.placeholder_fields if stored else [])
        ],
    }


@login_required
def household_detail(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    members = list(household.members.all())
    supporters = _supporters_by_member(household, members)
    for m in members:
        m.supporters = supporters[m.pk]
    as_of = timezone.localdate()
    determination, determination_errors = None, []
    try:
        determination = _present_determination(determine_household(household=household, as_of=as_of), members)
    except ServiceError as exc:
        determination_errors = exc.errors
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": members,
            "history": selectors.household_history(household=household),
            "can_edit": can_write_region(request.user, household.community_id),
            "determination": determination,
            "determination_errors": determination_errors,
            "as_of": as_of,
            "household_applications": household_applications(household=household),
            "enrolments": household_enrolments(household=household),
            "can_apply": can_write_region(request.user, household.community_id),
            "linked": household_linked_benefits(household=household, today=as_of),
            "relief_grants": household_relief(household=household),
            "can_relief": can_apply_relief(request.user, household.community_id),
            "help": household_help(household=household, today=as_of),
        },
    )


def _supporters_by_member(household, people: list) -> dict[int, list[dict]]:
    """For each member (by pk), the legal supporters the rules see in the stored household (policy.md §4)
    and whether each can support: the caseworker sees whom the "has able supporter" finding is about."""
    from eligibility.facts import household_from_models
    from eligibility.rules import LABOR_LABELS, supporter_overview

    overview = supporter_overview(household_from_models(household, people), timezone.localdate())
    return {
        person.pk: [
            {
                "name": people[v.index].name,
                "relation": people[v.index].get_relation_display(),
                "duty": v.duty,
                "age": v.age,
                "able": v.able,
                "labor": LABOR_LABELS[people[v.index].labor_capacity],
            }
            for v in views
        ]
        for person, views in zip(people, overview, strict=True)
    }


def _attach_supporters(formset, household) -> None:
    by_pk = _supporters_by_member(household, list(household.members.all()))
    for f in formset.forms:
        if f.instance.pk in by_pk:
            f.supporters = by_pk[f.instance.pk]


@login_required
def household_edit(request, pk: int | None = None):
    household = selectors.household_get(user=request.user, pk=pk) if pk else None
    if household is not None and not can_write_region(request.user, household.community_id):
        return HttpResponseForbidden("无权修改此家庭档案")
    if household is None and not communities_for(request.user).exists():
        return HttpResponseForbidden("只有社区工作人员可以登记家庭档案")
    instance = household or Household()
    if request.method == "POST":
        form = HouseholdForm(request.POST, instance=instance, user=request.user)
        formset = PersonFormSet(request.POST, instance=instance, prefix="members")
        if form.is_valid() and formset.is_valid():
            members, removed = [], []
            for f in formset.forms:
                data = f.cleaned_data
                if not data:
                    continue
                if data.get("DELETE"):
                    if f.instance.pk:
                        removed.append(f.instance.pk)
                    continue
                members.append(
                    {
                        **{k: v for k, v in data.items() if k not in ("DELETE", "household", "id")},
                        "id": f.instance.pk,
                    }
                )
            try:
                with transaction.atomic():
                    saved = services.household_save(
                        acting_user=request.user,
                        household=household,
                        data=form.cleaned_data,
                        members=members,
                        removed_member_ids=removed,
                    )
            except PermissionDenied as exc:
                return HttpResponseForbidden(exc.message)
            except ServiceError as exc:
                live = [f for f in formset.forms if not (f.cleaned_data or {}).get("DELETE")]
                apply_to_form(exc, form, formsets={"members": live})
            else:
                return redirect("household_detail", pk=saved.pk)
    else:
        form = HouseholdForm(instance=instance, user=request.user)
        formset = PersonFormSet(instance=instance, prefix="members")
    if household is not None:
        _attach_supporters(formset, household)
    return render(
        request, "households/household_form.html", {"form": form, "formset": formset, "household": household}
    )


@require_GET
@login_required
def member_export(request):
    """家庭成员明细: the members of the listed households, with the facts the rules read."""
    filters, _ = household_filters(request)
    query = filters["query"]
    qs = selectors.household_list(user=request.user, **filters)
    members = Person.objects.filter(household__in=qs.order_by().values("pk"))
    return list_export_response(
        request,
        title="家庭成员明细",
        header=exports.MEMBER_HEADER,
        count=members.count,
        rows=exports.member_rows(qs),
        filters=[("查询", exports.query_label(query))],
        widths=[8, 10, 10, 22, 6, 12, 14, 8, 8, 12, 10, 24, 12, 12],
    )


@require_GET
@login_required
def household_export(request):
    filters, _ = household_filters(request)
    query = filters["query"]
    qs = selectors.household_list(user=request.user, **filters)
    return list_export_response(
        request,
        title="家庭档案",
        header=exports.HOUSEHOLD_HEADER,
        count=qs.count,
        rows=exports.household_rows(qs),
        filters=[("查询", exports.query_label(query))],
        widths=[8, 10, 22, 6, 14, 16, 30],
    )
