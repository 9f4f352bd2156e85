"""Deadlines in working days, step limits per region (data, changeable by the county), and the queues
with overdue cases in red."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Event
from applications.models import Application, StepLimit
from applications.selectors import application_overdue, application_queue, step_limits_for
from applications.services import applications as services
from applications.tests.factories import FAST_HASHERS, TODAY, application_at, standard_make
from common.dates import PACKAGE_YEARS
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from households.tests.factories import household_make
from workcalendar.calendar import work_calendar

pytestmark = pytest.mark.django_db

D = dt.date
DEFAULTS = {"investigation": 10, "democratic_review": 5, "street_review": 10, "notice": 7, "county": 5}


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    if not StepLimit.objects.filter(region_id="360000").exists():  # flushed by a transactional test
        importlib.import_module("cases.migrations.0003_step_limit_defaults").load(apps, None)


# ------------------------------------------------------------------------------------------------
# The calendar: China's official working days (common.dates; the province's table in workcalendar)


@pytest.mark.parametrize(
    "start,days,due",
    [
        (D(2018, 6, 4), 9, D(2018, 6, 15)),  # Monday + 9 working days = Friday of the next week
        (D(2018, 6, 4), 10, D(2018, 6, 19)),  # Monday 18 June 2018 is 端午节: the 10th is Tuesday
        (D(2018, 6, 1), 1, D(2018, 6, 4)),  # Friday + 1 = Monday
        (D(2018, 6, 2), 1, D(2018, 6, 4)),  # Saturday + 1 = Monday
        (D(2018, 6, 8), 5, D(2018, 6, 15)),
        (D(2018, 6, 4), 0, D(2018, 6, 4)),
        (D(2018, 12, 28), 1, D(2018, 12, 29)),  # Saturday 29 December 2018 was a working day (调休)
        (D(2018, 12, 28), 2, D(2019, 1, 2)),  # 30 December – 1 January: 元旦
    ],
)
def test_add_working_days(start, days, due):
    assert work_calendar().add_working_days(start, days) == due


@pytest.mark.parametrize(
    "due,today,over",
    [
        (D(2018, 6, 8), D(2018, 6, 8), 0),
        (D(2018, 6, 8), D(2018, 6, 9), 0),  # Friday's deadline is not overdue on Saturday
        (D(2018, 6, 8), D(2018, 6, 10), 0),
        (D(2018, 6, 8), D(2018, 6, 11), 1),
        (D(2018, 6, 8), D(2018, 6, 18), 5),  # 18 June is a holiday
        (D(2018, 6, 15), D(2018, 6, 18), 0),  # nor on the holiday Monday after it
        (D(2018, 6, 18), D(2018, 6, 8), 0),
    ],
)
def test_working_days_overdue(due, today, over):
    calendar = work_calendar()
    assert calendar.working_days_after(due, today) == over
    assert (due < calendar.overdue_cutoff(today)) == (over > 0)


# ------------------------------------------------------------------------------------------------
# Step limits are data


def test_the_province_defaults_come_from_the_data_migration():
    rows = dict(StepLimit.objects.filter(region_id="360000").values_list("step", "days"))
    assert rows == DEFAULTS
    assert step_limits_for(region_code=HOME_COMMUNITY) == DEFAULTS


def test_the_nearest_region_wins():
    StepLimit.objects.create(region_id="360102", step="investigation", days=15)
    StepLimit.objects.create(region_id="360102002000", step="investigation", days=12)
    StepLimit.objects.create(region_id="360102", step="county", days=3)
    assert step_limits_for(region_code=HOME_COMMUNITY) == {**DEFAULTS, "investigation": 12, "county": 3}
    assert step_limits_for(region_code="360102004001") == {**DEFAULTS, "investigation": 15, "county": 3}
    assert step_limits_for(region_code="360103001001") == DEFAULTS


def test_without_any_row_the_national_defaults_apply():
    StepLimit.objects.all().delete()
    assert step_limits_for(region_code=HOME_COMMUNITY) == DEFAULTS


def test_a_county_changes_its_limits_and_new_steps_use_them(county_officer, caseworker):
    limits = services.step_limits_save(
        acting_user=county_officer, days={**DEFAULTS, "investigation": 20, "notice": 10}
    )
    assert limits == {**DEFAULTS, "investigation": 20, "notice": 10}
    assert dict(StepLimit.objects.filter(region_id="360102").values_list("step", "days")) == {
        **DEFAULTS,
        "investigation": 20,
        "notice": 10,
    }
    assert StepLimit.history.filter(region_id="360102", history_user=county_officer).count() == 5
    event = Event.objects.get(verb="修改办理时限")
    assert event.actor == county_officer and event.data["changed"]["investigation"] == {
        "old": None,
        "new": 20,
    }
    application = application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
    )
    assert application.due_on == D(2018, 7, 3)  # 20 working days after 4 June (18 June is 端午节)
    # saving the same values again changes nothing and writes no event
    services.step_limits_save(
        acting_user=county_officer, days={**DEFAULTS, "investigation": 20, "notice": 10}
    )
    assert Event.objects.filter(verb="修改办理时限").count() == 1


@pytest.mark.parametrize(
    "days,field,message",
    [
        ({**DEFAULTS, "notice": 5}, "notice", "公示期不少于7天"),
        ({**DEFAULTS, "investigation": 0}, "investigation", "时限须为1–60个工作日"),
        ({**DEFAULTS, "county": 61}, "county", "时限须为1–60个工作日"),
        (
            {k: v for k, v in DEFAULTS.items() if k != "democratic_review"},
            "democratic_review",
            "时限须为1–60个工作日",
        ),
    ],
)
def test_bad_limits_are_refused(county_officer, days, field, message):
    with pytest.raises(ServiceError) as exc:
        services.step_limits_save(acting_user=county_officer, days=days)
    assert {
        "field": field,
        "message": message if field != "notice" else "公示期不少于7天，不超过60天",
    } in exc.value.errors or message in str(exc.value)
    assert not StepLimit.objects.filter(region_id="360102").exists()


@pytest.mark.parametrize("fixture", ["caseworker", "street_officer", "auditor"])
def test_only_county_officers_set_limits(request, fixture):
    with pytest.raises(PermissionDenied, match="只有县级民政部门"):
        services.step_limits_save(acting_user=request.getfixturevalue(fixture), days=DEFAULTS)
    assert StepLimit.objects.exclude(region_id="360000").count() == 0


def test_limits_page(client, county_officer, street_officer):
    url = reverse("application_step_limits")
    client.force_login(street_officer)
    body = client.get(url).content.decode()
    assert "办理时限由县级民政部门设置" in body
    assert client.post(url, {**DEFAULTS, "investigation": 3}).status_code == 403
    client.force_login(county_officer)
    response = client.post(url, {**DEFAULTS, "notice": "6"})
    assert "公示期不少于7天" in response.content.decode()
    response = client.post(url, {**DEFAULTS, "investigation": "8"})
    assert response.status_code == 302
    assert step_limits_for(region_code=HOME_COMMUNITY)["investigation"] == 8
    assert step_limits_for(region_code="360103001001")["investigation"] == 10


# ------------------------------------------------------------------------------------------------
# Queues and overdue


@pytest.fixture
def cases(caseworker, street_officer, county_officer, make_user):
    """An application in each step in the caseworker's community, one in the next community of the county,
    and one in another county."""
    cw2 = make_user("caseworker", HOME_COMMUNITY_2)
    made = {}
    for status in ("investigating", "reviewing", "street_review", "street_approved", "notice", "approved"):
        made[status] = application_at(
            status,
            household=household_make(community_id=HOME_COMMUNITY),
            caseworker=caseworker,
            street=street_officer,
            county=county_officer,
        )
    made["neighbour"] = application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY_2), caseworker=cw2
    )
    other_county = make_user("caseworker", "360103001001")
    made["elsewhere"] = application_at(
        "investigating", household=household_make(community_id="360103001001"), caseworker=other_county
    )
    return made


def test_each_role_sees_its_own_queue(cases, caseworker, street_officer, county_officer, auditor):
    def queue(user, today):
        return [a.pk for a in application_queue(user=user, today=today)]

    assert queue(caseworker, TODAY) == [cases["reviewing"].pk, cases["investigating"].pk]  # most urgent first
    assert queue(street_officer, TODAY) == [cases["street_review"].pk, cases["street_approved"].pk]
    assert queue(county_officer, D(2018, 6, 10)) == []  # the notice is still running
    assert queue(county_officer, D(2018, 6, 11)) == [cases["notice"].pk]
    assert queue(auditor, TODAY) == []


def test_the_county_sees_every_overdue_case_of_its_area(cases, county_officer, caseworker, make_user):
    # on 20 June: 民主评议 was due 11 June, the county decision 15 June, the investigations and the street
    # review (and starting the notice) 19 June (18 June is 端午节); the approved case has no deadline any more
    overdue = [a.pk for a in application_overdue(user=county_officer, today=D(2018, 6, 20))]
    assert overdue == [
        cases[k].pk
        for k in ("reviewing", "notice", "investigating", "street_review", "street_approved", "neighbour")
    ]
    assert cases["elsewhere"].pk not in overdue
    assert list(application_overdue(user=caseworker, today=D(2018, 6, 20))) == []
    # on 19 June, the day they are due, the investigations are not overdue yet
    assert [a.pk for a in application_overdue(user=county_officer, today=D(2018, 6, 19))] == [
        cases["reviewing"].pk,
        cases["notice"].pk,
    ]
    city = make_user("city", "360100")
    assert len(application_overdue(user=city, today=D(2018, 6, 20))) == 7  # 南昌市 includes 西湖区
    assert list(application_overdue(user=county_officer, today=D(2018, 6, 11))) == []  # due that day
    assert [a.pk for a in application_overdue(user=county_officer, today=D(2018, 6, 12))] == [
        cases["reviewing"].pk
    ]


def test_dashboard_shows_overdue_in_red_with_the_working_days(
    client, clock, cases, caseworker, county_officer
):
    clock(D(2018, 6, 21))  # Thursday: investigation due Tuesday 19 June → 2 working days over
    client.force_login(caseworker)
    body = client.get(reverse("application_list")).content.decode()
    assert '<span class="overdue">超期2个工作日</span>' in body
    assert '<span class="overdue">超期7个工作日</span>' in body  # 民主评议 due 11 June; 18 June is a holiday
    client.force_login(county_officer)
    response = client.get(reverse("application_list"))
    assert [a.pk for a in response.context["overdue"]] == [
        cases[k].pk
        for k in ("reviewing", "notice", "investigating", "street_review", "street_approved", "neighbour")
    ]
    assert [a.overdue_days for a in response.context["overdue"]] == [7, 3, 2, 2, 2, 2]
    assert "辖区超期案件（6）" in response.content.decode()
    detail = client.get(reverse("application_detail", args=[cases["notice"].pk])).content.decode()
    assert '<span class="overdue">超期3个工作日</span>' in detail


def test_a_deadline_in_a_year_without_known_holidays_says_so(client, clock, cases, caseworker):
    unknown = max(PACKAGE_YEARS) + 1
    application = cases["investigating"]
    Application.objects.filter(pk=application.pk).update(due_on=D(unknown, 1, 6))
    client.force_login(caseworker)
    note = f"（{unknown}年节假日安排尚未录入，此时限按周一至周五估算）"
    assert note in client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert note in client.get(reverse("application_list")).content.decode()
    Application.objects.filter(pk=application.pk).update(due_on=D(unknown - 1, 12, 30))
    assert (
        "节假日安排尚未录入"
        not in client.get(reverse("application_detail", args=[application.pk])).content.decode()
    )


def test_nothing_is_overdue_on_time(client, clock, cases, county_officer):
    clock(D(2018, 6, 11))  # the 民主评议 is due today
    client.force_login(county_officer)
    response = client.get(reverse("application_list"))
    assert list(response.context["overdue"]) == []
    assert 'class="overdue"' not in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_runs_a_constant_number_of_queries(client, county_officer, caseworker, street_officer):
    client.force_login(county_officer)
    for _ in range(3):
        application_at(
            "notice",
            household=household_make(community_id=HOME_COMMUNITY),
            caseworker=caseworker,
            street=street_officer,
        )
    small = _queries(client, reverse("application_list"))
    for _ in range(12):
        application_at(
            "notice",
            household=household_make(community_id=HOME_COMMUNITY),
            caseworker=caseworker,
            street=street_officer,
        )
    assert _queries(client, reverse("application_list")) == small
    assert Application.objects.count() == 15
