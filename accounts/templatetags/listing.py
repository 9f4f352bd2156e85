"""Template tags of list pages: links that change one parameter of the current query and keep the others
(paging keeps the filters and the sort; a new sort or filter goes back to page 1), and sortable column headers."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


def _with(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """`?status=open&sort=due_on&page=3` from the current query with `page=3` set."""
    return _with(context["request"], **changes)


@register.simple_tag(takes_context=True)
def page_url(context, number, param: str = "page") -> str:
    """The link to page `number` of the list whose page parameter is `param` (a page with two lists pages
    them separately), keeping every other parameter."""
    return _with(context["request"], **{param or "page": number})


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, default: str = "") -> str:
    """A column header that sorts by `key` (ascending first, then descending), marked with ▲/▼ when active."""
    request = context["request"]
    current = request.GET.get("sort", default)
    if current == key:
        target, mark = f"-{key}", " ▲"
    elif current == f"-{key}":
        target, mark = key, " ▼"
    else:
        target, mark = key, ""
    return format_html(
        '<a href="{}" class="sort">{}{}</a>', _with(request, sort=target, page=None), label, mark
    )
