"""The inbox pages: 我的待办 (the home page), the notifications and their read mark, and the navigation's counts
(JSON, fetched by static/js/inbox-counts.js so that no page pays for them in queries)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.views import overview_context
from common.errors import flash
from config.errors import ServiceError
from inbox import search as search_module
from inbox import selectors, services


@login_required
def home(request):
    user, today, now = request.user, timezone.localdate(), timezone.now()
    sections = selectors.inbox_sections(user=user, today=today)
    recent = selectors.notifications(user=user, now=now, limit=5, **services.read_state_of(user, now=now))
    return render(
        request,
        "inbox/home.html",
        {
            **overview_context(user=user, today=today),
            "sections": sections,
            "total": sum(s.count for s in sections),
            "today": today,
            "recent": recent,
            "unread": sum(1 for n in recent if n.unread),
        },
    )


@login_required
def notifications(request):
    user, now = request.user, timezone.now()
    items = selectors.notifications(user=user, now=now, **services.read_state_of(user, now=now))
    return render(
        request,
        "inbox/notifications.html",
        {"items": items, "unread": sum(1 for n in items if n.unread)},
    )


@login_required
@require_POST
def notifications_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("notifications")


@login_required
@require_POST
def notification_read(request, key: str):
    """One notification marked read; back to the list (or the home page it was marked on)."""
    try:
        services.notification_mark_read(user=request.user, key=key)
    except ServiceError as exc:
        flash(request, exc)
    return redirect("home" if request.POST.get("back") == "home" else "notifications")


@login_required
def counts(request):
    user = request.user
    data = selectors.inbox_counts(user=user, today=timezone.localdate())
    now = timezone.now()
    data["unread"] = sum(
        1
        for n in selectors.notifications(user=user, now=now, **services.read_state_of(user, now=now))
        if n.unread
    )
    return JsonResponse(data)


@login_required
def search(request):
    raw = request.GET.get("q", "")
    criteria, persons = search_module.search(user=request.user, raw=raw)
    return render(
        request,
        "inbox/search.html",
        {"q": raw, "criteria": criteria, "persons": persons, "limit": search_module.LIMIT},
    )
