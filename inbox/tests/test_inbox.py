"""我的待办: each role sees the work at its level in its scope, with deadlines; done work leaves the list; the
page costs the same number of queries whatever the number of rows; notifications and their read mark; the
daily digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.services import applications as app_services
from applications.tests.factories import TODAY, application_at, standard_make
from benefits.models import EnrolmentReview
from benefits.tests.factories import enrol
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from help.models import Lead
from households.tests.factories import household_make
from inbox import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(clock):
    standard_make(year=2018)
    clock(TODAY)


def keys(user, today=TODAY) -> dict[str, int]:
    return {s.key: s.count for s in selectors.inbox_sections(user=user, today=today)}


def test_each_role_sees_the_step_at_its_level(caseworker, street_officer, county_officer, make_user):
    h1, h2 = household_make(community_id=HOME_COMMUNITY), household_make(community_id=HOME_COMMUNITY)
    application_at("investigating", household=h1, caseworker=caseworker)
    application_at("street_review", household=h2, caseworker=caseworker)
    assert keys(caseworker) == {"applications": 1}
    assert keys(street_officer) == {"applications": 1}
    assert keys(county_officer) == {}
    # another community's caseworker sees none of it
    assert keys(make_user("caseworker", HOME_COMMUNITY_2)) == {}


def test_done_work_leaves_the_list_and_the_county_sees_the_notice_once_it_is_over(
    caseworker, street_officer, county_officer
):
    application = application_at(
        "street_approved",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        street=street_officer,
    )
    assert keys(street_officer) == {"applications": 1}
    app_services.application_notice_start(acting_user=street_officer, application=application, today=TODAY)
    application.refresh_from_db()
    assert keys(street_officer) == {}
    assert keys(county_officer, today=application.notice_ends_on) == {}
    assert keys(county_officer, today=application.notice_ends_on + dt.timedelta(days=1)) == {
        "applications": 1
    }


def test_rows_carry_the_deadline_and_days_left_and_overdue(caseworker):
    application = application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
    )
    due = application.due_on
    [section] = selectors.inbox_sections(user=caseworker, today=due - dt.timedelta(days=2))
    row = section.rows[0]
    assert (row.due_on, row.days_left, row.overdue_days) == (due, 2, 0)
    assert row.url == reverse("application_detail", args=[application.pk])
    later = due + dt.timedelta(days=7)
    [section] = selectors.inbox_sections(user=caseworker, today=later)
    assert section.rows[0].days_left == -7 and section.rows[0].overdue_days > 0


def test_reviews_due_this_month_and_leads_for_the_caseworker(caseworker, county_officer):
    household = household_make(community_id=HOME_COMMUNITY)
    enrolment = enrol(household, acting_user=county_officer, today=dt.date(2018, 1, 10))
    EnrolmentReview.objects.create(enrolment=enrolment, due_on=dt.date(2018, 6, 28))
    EnrolmentReview.objects.create(enrolment=enrolment, due_on=dt.date(2018, 7, 2), kind="recheck")
    Lead.objects.create(
        community_id=HOME_COMMUNITY,
        source="caseworker",
        name="张三",
        reason="medical",
        detail="住院",
        reported_on=TODAY,
        visit_due_on=TODAY + dt.timedelta(days=3),
        created_by=caseworker,
    )
    assert keys(caseworker) == {"reviews": 1, "leads": 1}
    assert keys(county_officer) == {}


def test_the_page_lists_the_work_and_its_query_count_does_not_grow(
    client, caseworker, django_assert_num_queries
):
    application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
    )
    client.force_login(caseworker)
    response = client.get("/")
    page = response.content.decode()
    assert "我的待办" in page and 'id="inbox-applications"' in page and "还剩" in page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for _ in range(3):
        application_at(
            "reviewing", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/")
    assert response.content.decode().count("/households/applications/") >= 4


def test_counts_for_the_navigation(client, caseworker):
    application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
    )
    client.force_login(caseworker)
    assert client.get(reverse("inbox_counts")).json() == {
        "applications": 1,
        "reviews": 0,
        "findings": 0,
        "leads": 0,
        "imports": 0,
        "total": 1,
        "unread": 0,
    }


def test_a_decision_notifies_the_caseworker_until_marked_read(
    client, caseworker, street_officer, county_officer
):
    application = application_at(
        "approved",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )
    now = timezone.now() + dt.timedelta(days=20)
    items = selectors.notifications(user=caseworker, now=now, read_through=None)
    texts = [n.text for n in items]
    assert len(items) == 2 and all(n.unread for n in items)
    head = application.household.members.get(relation="head").name
    assert texts == [
        f"{head}家的城镇最低生活保障（低保）申请：县级审批批准（co）",
        f"{head}家的城镇最低生活保障（低保）申请：街道审核通过（st）",
    ]
    assert all(n.url == reverse("application_detail", args=[application.pk]) for n in items)
    # the county's own decision is not news to the county; the street hears of it
    assert [
        n.text for n in selectors.notifications(user=county_officer, now=now, read_through=None)
    ] == texts[1:]
    client.force_login(caseworker)
    assert client.get(reverse("inbox_counts")).json()["unread"] == 2
    client.post(reverse("notifications_read"))
    assert client.get(reverse("inbox_counts")).json()["unread"] == 0
    assert "已读" in client.get(reverse("notifications")).content.decode()


def test_one_notification_is_marked_read_on_its_own(client, caseworker, street_officer, county_officer):
    from inbox.models import NotificationRead, NotificationState

    application_at(
        "approved",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )
    client.force_login(caseworker)
    items = selectors.notifications(user=caseworker, now=timezone.now(), read_through=None)
    decision, street = items
    assert decision.key.startswith("event-") and street.key.startswith("event-")
    page = client.get(reverse("notifications")).content.decode()
    assert page.count("mark-one") == 2
    response = client.post(reverse("notification_read", args=[decision.key]))
    assert response.status_code == 302 and response.url == reverse("notifications")
    assert client.get(reverse("inbox_counts")).json()["unread"] == 1
    after = {
        n.key: n.unread
        for n in selectors.notifications(
            user=caseworker, now=timezone.now(), read_through=None, read_keys={decision.key}
        )
    }
    assert after == {decision.key: False, street.key: True}
    page = client.get(reverse("notifications")).content.decode()
    assert page.count("mark-one") == 1 and reverse("notification_read", args=[street.key]) in page
    # marking it again changes nothing; the "all read" mark is untouched
    client.post(reverse("notification_read", args=[decision.key]))
    assert NotificationRead.objects.filter(user=caseworker).count() == 1
    assert not NotificationState.objects.filter(user=caseworker).exists()


def test_a_notification_that_is_not_the_users_own_is_not_marked(
    client, caseworker, street_officer, county_officer
):
    from inbox.models import NotificationRead

    application_at(
        "approved",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )
    decision = selectors.notifications(user=caseworker, now=timezone.now(), read_through=None)[0]
    client.force_login(county_officer)  # the county made that decision: it is not news to the county
    response = client.post(reverse("notification_read", args=[decision.key]), follow=True)
    assert "这条消息不存在或已超过30天，无法标为已读" in response.content.decode()
    client.post(reverse("notification_read", args=["event-999999"]))
    assert not NotificationRead.objects.exists()


def test_the_digest_is_sent_once_a_day_to_users_with_an_address(caseworker, street_officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caseworker.email = "cw@example.org"
    caseworker.save()
    application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
    )
    assert services.digest_send_daily(today=TODAY) == 1  # the street officer has no address
    [message] = mail.outbox
    assert message.to == ["cw@example.org"]
    assert message.subject == "解困系统每日待办提醒（2018年06月04日）"
    assert "【救助申请待办理】共 1 项" in message.body and "请登录系统办理" in message.body
    assert services.digest_send_daily(today=TODAY) == 0 and len(mail.outbox) == 1
