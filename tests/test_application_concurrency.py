"""Two clicks at the same moment on PostgreSQL: one decision, one enrolment; the other click gets a clear
message. (SQLite serialises every write, so the race can only be shown on PostgreSQL.)"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from applications.models import Application, ApplicationEvent
from applications.services import applications as services
from applications.tests.factories import FAST_HASHERS, TODAY, application_at, standard_make
from benefits import application_hooks
from benefits import services as benefit_services
from benefits.models import Enrolment
from config.errors import ServiceError
from conftest import HOME_COMMUNITY
from households.tests.factories import household_make

pytestmark = [pytest.mark.django_db(transaction=True)]

NOTICE_OVER = dt.date(2018, 6, 11)


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): SQLite cannot run two writers at once")
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)


def run_together(*calls):
    """Run the calls in threads released at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return results


def test_two_simultaneous_approvals_make_one_decision_and_one_enrolment(
    caseworker, street_officer, county_officer, monkeypatch
):
    application = application_at(
        "notice",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )

    def slow_enrolment_create(**kwargs):
        time.sleep(0.5)  # hold the row lock long enough for the other click to arrive and wait on it
        return benefit_services.enrolment_create(**kwargs)

    monkeypatch.setattr(application_hooks, "enrolment_create", slow_enrolment_create)  # what approval calls

    def click():
        # each click loads the application afresh, as a request would
        stale = Application.objects.get(pk=application.pk)
        return services.application_county_approve(
            acting_user=county_officer, application=stale, today=NOTICE_OVER
        )

    results = run_together(click, click)
    approved = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert refused[0].code == "wrong_state"
    assert refused[0].message == "申请当前状态为“县级批准”，不能县级审批"
    assert Enrolment.objects.filter(application_id=application.pk).count() == 1
    assert ApplicationEvent.objects.filter(application_id=application.pk, step="county_approve").count() == 1
    assert Application.objects.get(pk=application.pk).status == "approved"
    assert Application.history.filter(id=application.pk, status="approved").count() == 1


def test_an_approval_and_a_rejection_at_once_make_one_decision(caseworker, street_officer, county_officer):
    application = application_at(
        "notice",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )
    results = run_together(
        lambda: services.application_county_approve(
            acting_user=county_officer, application=application, today=NOTICE_OVER
        ),
        lambda: services.application_county_reject(
            acting_user=county_officer, application=application, reason="不符合", today=NOTICE_OVER
        ),
    )
    assert sum(isinstance(r, Application) for r in results) == 1
    assert sum(isinstance(r, ServiceError) and r.code == "wrong_state" for r in results) == 1
    final = Application.objects.get(pk=application.pk)
    assert (
        ApplicationEvent.objects.filter(
            application=final, step__in=["county_approve", "county_reject"]
        ).count()
        == 1
    )
    assert Enrolment.objects.filter(application=final).count() == (1 if final.status == "approved" else 0)


def test_two_simultaneous_intakes_for_one_household_make_one_application(caseworker):
    household = household_make(community_id=HOME_COMMUNITY)

    def intake():
        return services.application_intake(
            acting_user=caseworker,
            household=household,
            category="dibao",
            reasons="困难",
            check_authorised=True,
            check_authorised_on=TODAY,
            today=TODAY,
        )

    results = run_together(intake, intake)
    assert sum(isinstance(r, Application) for r in results) == 1
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(refused) == 1 and "该家庭已有办理中的申请" in refused[0].message
    assert Application.objects.filter(household=household).count() == 1
