"""The inbox pages: 我的待办 (the home page), the notifications and their read mark, and the navigation's counts
(JSON, fetched by static/js/inbox-counts.js so that no page pays for them in queries)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.views import overview_context
from inbox import search as search_module
from inbox import selectors, services


@login_required
def home(request):
    user, today, now = request.user, timezone.localdate(), timezone.now()
    sections = selectors.inbox_sections(user=user, today=today)
    recent = selectors.notifications(user=user, now=now, read_through=services.read_through_of(user), limit=5)
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
    user = request.user
    items = selectors.notifications(
        user=user, now=timezone.now(), read_through=services.read_through_of(user)
    )
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
def counts(request):
    user = request.user
    data = selectors.inbox_counts(user=user, today=timezone.localdate())
    read_through = services.read_through_of(user)
    data["unread"] = sum(
        1
        for n in selectors.notifications(user=user, now=timezone.now(), read_through=read_through)
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
