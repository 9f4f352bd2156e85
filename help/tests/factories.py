"""Builders for the help tests (leads, pairings, job help, students, charity), through the real services."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Region
from applications.tests.factories import TODAY, application_at
from conftest import HOME_COMMUNITY
from help.models import Lead
from help.services import leads as lead_services
from households.models import Household
from households.tests.factories import household_make

D = dt.date


def enrolled_household(
    *,
    caseworker,
    street,
    county,
    community_id: str = HOME_COMMUNITY,
    members: int = 2,
    today: dt.date = TODAY,
    **fields,
) -> Household:
    """A household approved for dibao through the application services (paid from the next month)."""
    household = household_make(community_id=community_id, members=members, **fields)
    application_at(
        "approved", household=household, caseworker=caseworker, street=street, county=county, today=today
    )
    return Household.objects.get(pk=household.pk)


def lead_make(
    *,
    caseworker,
    household: Household | None = None,
    name: str = "张三",
    reason: str = "medical",
    today: dt.date = TODAY,
    **kwargs,
) -> Lead:
    community = Region.objects.get(code=household.community_id if household else caseworker.region_id)
    return lead_services.lead_report(
        acting_user=caseworker,
        community=community,
        name=name,
        reason=reason,
        detail="住院花费较大，家庭生活困难",
        household=household,
        today=today,
        **kwargs,
    )


def help_state() -> dict:
    """Every row of the help models, persons (and their history) and applications, and the events: what a
    refused action must not change."""
    from accounts.models import Event

    state = {"events": list(Event.objects.order_by("pk").values_list("pk", "verb"))}
    models = [*apps.get_app_config("help").get_models(), *apps.get_app_config("households").get_models()]
    for model in [*models, apps.get_model("applications", "Application")]:
        if model._meta.app_label == "help" or model._meta.label_lower in (
            "households.person",
            "households.historicalperson",
            "applications.application",
        ):
            state[model._meta.label_lower] = list(model.objects.order_by("pk").values())
    assert len(state) > 10, "help_state sees the help models"
    return state


def queries_of(client, url: str) -> tuple[int, str]:
    """(the number of queries a GET of `url` runs, the page)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries), response.content.decode()
