"""The derived data the oversight reports read instead of joining every household or pivoting every event:
Enrolment.community_code (the household's current community) and applications.ApplicationTimes (an application's
milestones). Each refresh path is exercised here and checked against the rows it is derived from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Region
from applications.models import Application, ApplicationEvent, ApplicationTimes
from applications.services.application_times import application_times_refresh
from applications.tests.factories import TODAY, application_at, standard_make
from benefits.models import Enrolment
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from households.tests.factories import household_make
from reports import figures as reports

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def approved(caseworker, street_officer, county_officer):
    standard_make(year=2018)
    household = household_make(community_id=HOME_COMMUNITY, members=2)
    return application_at(
        "approved", household=household, caseworker=caseworker, street=street_officer, county=county_officer
    )


def _times(application) -> tuple:
    t = ApplicationTimes.objects.get(application=application)
    return (t.intake_on, t.visit_on, t.review_on, t.street_on, t.notice_on, t.decided_on, t.decided_region)


def test_the_services_keep_the_milestones_of_each_application(approved):
    notice_ends = approved.notice_ends_on
    # application_at runs every step on TODAY and the county decides the day after the notice ends.
    assert _times(approved) == (
        TODAY,
        TODAY,
        TODAY,
        TODAY,
        TODAY,
        notice_ends + dt.timedelta(days=1),
        HOME_COMMUNITY,
    )
    assert (
        approved.enrolment.community_code == HOME_COMMUNITY
    )  # enrolment_create copies the household's community


def test_an_open_application_has_its_milestones_so_far(caseworker, street_officer):
    household = household_make(community_id=HOME_COMMUNITY, members=2)
    standard_make(year=2018)
    application = application_at(
        "reviewing", household=household, caseworker=caseworker, street=street_officer
    )
    assert _times(application) == (TODAY, TODAY, None, None, None, None, "")


def test_refresh_rewrites_from_the_events_first_intake_last_visit_first_decision(approved, county_officer):
    def add(step, day):
        ApplicationEvent.objects.create(
            application=approved,
            step=step,
            verb=step,
            to_status="approved",
            actor=county_officer,
            on_date=day,
            region_code=HOME_COMMUNITY_2,
        )

    add("intake", TODAY - dt.timedelta(days=3))  # an earlier intake: the first counts
    add("visit", TODAY + dt.timedelta(days=5))  # a later visit (after a return): the last counts
    add("county_reject", D(2030, 1, 1))  # a later decision never moves the first one
    before = _times(approved)
    application_times_refresh(application_ids=[approved.pk])
    after = _times(approved)
    assert after == (TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=5), *before[2:])
    application_times_refresh(application_ids=[approved.pk])  # idempotent
    assert _times(approved) == after
    assert ApplicationTimes.objects.count() == 1


def test_refresh_matches_the_migration_backfill_for_every_application(approved, caseworker, street_officer):
    household = household_make(community_id=HOME_COMMUNITY, members=1)
    application_at("street_review", household=household, caseworker=caseworker, street=street_officer)
    expected = {a: _times(a) for a in Application.objects.all()}
    from importlib import import_module

    backfill = import_module("cases.migrations.0007_report_application_times").BACKFILL
    ApplicationTimes.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute(backfill)
    assert {a: _times(a) for a in Application.objects.all()} == expected


def test_timeliness_reads_the_milestones(approved):
    decided = approved.notice_ends_on + dt.timedelta(days=1)
    period = reports.period_from_months(f"{decided:%Y-%m}", f"{decided:%Y-%m}")
    county = Region.objects.get(code="360102")
    report = reports.report_build(region=county, period=period, today=decided, sections=("timeliness",))
    total = report.tables[0].footer[0]
    assert total[:2] == ["合计", 1]
    ApplicationTimes.objects.filter(application=approved).delete()  # the report reads only the derived rows
    report = reports.report_build(region=county, period=period, today=decided, sections=("timeliness",))
    assert report.tables[0].footer[0][:2] == ["合计", 0]


def _beneficiaries(code):
    report = reports.report_build(
        region=Region.objects.get(code=code),
        period=reports.period_from_key("2018"),
        today=D(2019, 1, 2),
        sections=("beneficiaries",),
    )
    return {row[0]: row[1] for row in report.tables[0].rows}


def test_an_enrolment_without_its_community_is_refused(approved, county_officer):
    e = approved.enrolment
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=e.pk).update(community_code="")
    assert Enrolment.objects.get(pk=e.pk).community_code == HOME_COMMUNITY
