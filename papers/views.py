"""The print pages and their PDFs. Views translate: read in scope through papers.selectors, issue a notice
through papers.services, render the paper (HTML for the browser's print, or the same HTML through WeasyPrint)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Region
from common.errors import flash
from common.idnumber import mask
from config.errors import ServiceError
from papers import selectors, services
from papers.pdf import pdf_response

# 行政复议法 第二十条 (60 days), 行政诉讼法 第四十六条 (6 months).
APPEAL_DAYS, LAWSUIT_MONTHS = 60, 6
PAPERS = (("form", "申请审批表"), ("visit", "入户调查表"), ("review", "民主评议记录"))


def _paper(request, template: str, context: dict, filename: str, pdf: bool):
    context = {**context, "pdf": pdf}
    if pdf:
        return pdf_response(render_to_string(template, context, request=request), filename)
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


def _offices(application) -> dict:
    community = application.household.community
    street = community.parent
    county = street.parent
    return {"community": community, "street": street, "county": county}


def _head(application):
    members = list(application.household.members.all())
    heads = [m for m in members if m.relation == "head"]
    return heads[0] if heads else (members[0] if members else None)


@login_required
@require_safe
def application_papers(request, pk: int):
    """What can be printed for an application: its forms and a notice for each decision."""
    application = selectors.application_for_papers(user=request.user, pk=pk)
    issued = {n.decision: n for n in application.notices.all()}
    decisions = [
        {
            "decision": d,
            "notice": issued.get(d.key),
            "can_issue": d.key not in issued and services.can_issue(request.user, application, d),
        }
        for d in services.decisions_of(application)
    ]
    return render(
        request,
        "papers/application_papers.html",
        {"application": application, "decisions": decisions, "papers": PAPERS, **_offices(application)},
    )


@login_required
@require_POST
def notice_issue(request, pk: int):
    application = selectors.application_for_papers(user=request.user, pk=pk)
    try:
        notice = services.notice_issue(
            application=application, decision_key=request.POST.get("decision", ""), acting_user=request.user
        )
    except PermissionDenied:
        raise
    except ServiceError as exc:
        flash(request, exc)
        return redirect("application_papers", pk=pk)
    messages.success(request, f"已出具{notice.get_kind_display()}，文号 {notice.reference}")
    return redirect("notice_print", pk=notice.pk)


@login_required
@require_safe
def application_form(request, pk: int, paper: str, pdf: bool = False):
    """申请审批表 (form), 入户调查表 (visit), 民主评议记录 (review)."""
    templates = {
        "form": "papers/approval_form.html",
        "visit": "papers/visit_form.html",
        "review": "papers/review_record.html",
    }
    if paper not in templates:
        raise Http404
    application = selectors.application_for_papers(user=request.user, pk=pk)
    template, title = templates[paper], dict(PAPERS)[paper]
    members = list(application.household.members.all())
    context = {
        "application": application,
        "household": application.household,
        "members": [{"person": m, "id_masked": mask(m.id_number)} for m in members],
        "head": _head(application),
        "events": list(application.events.all()),
        "visits": list(application.visits.all()),
        "reviews": list(application.reviews.all()),
        "title": title,
        "paper": paper,
        **_offices(application),
    }
    return _paper(request, template, context, f"{title}-申请{application.pk}.pdf", pdf)


@login_required
@require_safe
def notice_print(request, pk: int, pdf: bool = False):
    notice = selectors.notice_get(user=request.user, pk=pk)
    application = notice.application
    head = _head(application)
    context = {
        "notice": notice,
        "application": application,
        "facts": notice.facts,
        "head": head,
        "head_id": mask(head.id_number) if head else "",
        "appeal_days": APPEAL_DAYS,
        "lawsuit_months": LAWSUIT_MONTHS,
        "title": notice.get_kind_display(),
        **_offices(application),
    }
    return _paper(request, "papers/notice.html", context, f"{notice.reference}.pdf", pdf)


@login_required
@require_safe
def public_notice(request, pdf: bool = False):
    """公示名单 for a community's board: the households on notice now, without ID numbers or incomes."""
    # A community's own staff see their community's board; others pick a community in their scope.
    region = request.user.region
    own = region.code if region is not None and region.level == Region.Level.COMMUNITY else ""
    code = request.GET.get("community") or own
    if not code:
        return render(
            request,
            "papers/public_notice_pick.html",
            {"communities": selectors.notice_communities(user=request.user)},
        )
    community, rows = selectors.public_notice(user=request.user, community_code=code)
    lines = []
    for a in rows:
        heads = a.household.heads
        members = (a.determination or {}).get("members") or []
        category = a.proposed_category or a.category
        covered = [m for m in members if m.get("category") == category] or members
        lines.append(
            {
                "name": heads[0].name if heads else "",
                "category": dict(a._meta.get_field("category").choices)[category],
                "persons": len(covered),
                "amount": a.proposed_amount,
                "start": a.notice_started_on,
                "end": a.notice_ends_on,
            }
        )
    periods = sorted({(line["start"], line["end"]) for line in lines if line["start"]})
    context = {
        "community": community,
        "street": community.parent,
        "county": community.parent.parent,
        "lines": lines,
        "periods": periods,
        "title": "城镇贫困群众救助对象公示",
    }
    return _paper(request, "papers/public_notice.html", context, f"公示名单-{community.name}.pdf", pdf)
