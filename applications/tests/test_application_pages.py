"""The application pages and the read-only API: each step through its form, refusals as 403/404 or a
message on the form, the printable notice, the household page, scoped and masked API reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application, ApplicationEvent
from applications.tests.factories import FAST_HASHERS, TODAY, application_at, standard_make
from benefits.models import Enrolment
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    clock(TODAY)


@pytest.fixture
def household():
    return household_make(community_id=HOME_COMMUNITY, members=2)


def test_intake_page_is_for_the_caseworker_of_the_community(
    client, household, caseworker, street_officer, make_user
):
    url = reverse("application_intake", args=[household.pk])
    client.force_login(street_officer)
    assert client.get(url).status_code == 403
    client.force_login(make_user("caseworker", HOME_COMMUNITY_2))
    assert client.get(url).status_code == 404  # another community's household does not exist for them
    client.force_login(caseworker)
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": "dibao", "reasons": "困难", "check_authorised_on": "2018-06-01"})
    assert "须签署家庭经济状况核对授权书" in " ".join(response.context["form"].errors["check_authorised"])
    assert not Application.objects.exists()


def test_the_whole_path_through_the_pages(
    client, clock, household, caseworker, street_officer, county_officer, django_capture_on_commit_callbacks
):
    client.force_login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):  # intake queues the economic check on commit
        response = client.post(
            reverse("application_intake", args=[household.pk]),
            {
                "category": "dibao",
                "reasons": "因病致贫",
                "check_authorised": "on",
                "residence_basis": "hukou",
                "check_authorised_on": "2018-06-04",
            },
        )
    application = Application.objects.get()
    assert application.economic_checks.count() == 1
    detail = reverse("application_detail", args=[application.pk])
    assert response.url == detail
    page = client.get(detail).content.decode()
    assert "录入入户调查" in page and "街道审核" not in page.split('id="actions"')[1].split("</div>")[0]

    response = client.post(
        reverse("application_visit", args=[application.pk]),
        {"visited_on": "2018-06-04", "investigators": "李敏", "findings": "属实", "facts_confirmed": "yes"},
    )
    assert "至少2名调查人员，现有1名" in response.content.decode()
    response = client.post(
        reverse("application_visit", args=[application.pk]),
        {
            "visited_on": "2018-06-04",
            "investigators": "李敏、王强",
            "findings": "属实",
            "facts_confirmed": "yes",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("application_review", args=[application.pk]),
        {"held_on": "2018-06-04", "participants": "居民代表", "representatives": "6", "conclusion": "agree"},
    )
    assert response.status_code == 302

    client.force_login(street_officer)
    page = client.get(reverse("application_street", args=[application.pk])).content.decode()
    assert 'data-category="dibao">560.00<' in page
    response = client.post(
        reverse("application_street", args=[application.pk]),
        {"decision": "approve", "category": "dibao", "amount": "700"},
    )
    assert "调整须写明理由" in response.content.decode()
    response = client.post(
        reverse("application_street", args=[application.pk]), {"decision": "approve", "category": "dibao"}
    )
    assert response.status_code == 302
    assert client.post(reverse("application_notice", args=[application.pk])).status_code == 302

    client.force_login(county_officer)
    response = client.get(reverse("application_county", args=[application.pk]))
    assert response.status_code == 302  # not yet: back to the detail page with the reason
    assert "公示期满后才能审批" in client.get(response.url).content.decode()
    response = client.post(reverse("application_county", args=[application.pk]), {"decision": "approve"})
    assert "公示期至2018年6月10日结束，公示期满后才能审批" in response.content.decode()
    assert not Enrolment.objects.exists()

    clock(D(2018, 6, 11))
    client.force_login(county_officer)
    response = client.post(
        reverse("application_county", args=[application.pk]), {"decision": "approve", "reason": "同意"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_on == D(2018, 6, 11)
    enrolment = Enrolment.objects.get()
    assert (enrolment.monthly_amount, enrolment.start_month) == (Decimal("560.00"), D(2018, 7, 1))
    # a second click on the same decision is refused with a message and changes nothing
    response = client.post(reverse("application_county", args=[application.pk]), {"decision": "approve"})
    assert response.status_code == 200 and "当前状态为“县级批准”，不能县级审批" in response.content.decode()
    assert Enrolment.objects.count() == 1 and application.events.filter(step="county_approve").count() == 1

    letter = client.get(reverse("application_letter", args=[application.pk])).content.decode()
    assert (
        "审批通知书" in letter
        and "560.00" in letter
        and "2018年7月起" in letter
        and "css/letter.css" in letter  # its print styles (no inline style: CSP)
    )
    household_page = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "月救助金 <strong>560.00</strong> 元，自 2018年7月 起" in household_page


def test_a_refused_post_is_a_message_on_the_form_and_a_wrong_role_a_403(
    client, household, caseworker, street_officer, auditor
):
    application = application_at("street_review", household=household, caseworker=caseworker)
    before = ApplicationEvent.objects.count()
    for user in (caseworker, auditor):
        client.force_login(user)
        assert client.get(reverse("application_street", args=[application.pk])).status_code == 403
        response = client.post(
            reverse("application_street", args=[application.pk]), {"decision": "reject", "reason": "x"}
        )
        assert response.status_code == 403
    client.force_login(street_officer)
    response = client.post(reverse("application_street", args=[application.pk]), {"decision": "reject"})
    assert "不予通过须写明理由" in response.content.decode()
    assert ApplicationEvent.objects.count() == before
    assert Application.objects.get().status == "street_review"


def test_wrong_state_pages_send_the_user_back_with_the_reason(client, household, caseworker):
    application = application_at("reviewing", household=household, caseworker=caseworker)
    client.force_login(caseworker)
    response = client.get(reverse("application_visit", args=[application.pk]), follow=True)
    assert "当前状态为“待民主评议”，不能录入入户调查" in response.content.decode()


def test_return_and_objection_through_the_pages(client, household, caseworker, street_officer):
    application = application_at("street_review", household=household, caseworker=caseworker)
    client.force_login(street_officer)
    client.post(
        reverse("application_street", args=[application.pk]), {"decision": "return", "reason": "补材料"}
    )
    assert Application.objects.get().status == "investigating"
    other = application_at(
        "notice",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=caseworker,
        street=street_officer,
    )
    response = client.post(
        reverse("application_objection", args=[other.pk]),
        {"received_on": "2018-06-04", "objector": "", "content": "有车"},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=other.pk).status == "investigating"


@pytest.mark.parametrize(
    "status,title", [("rejected", "不予批准通知书"), ("street_rejected", "审核不予通过通知书")]
)
def test_rejection_letters_give_the_reason(
    client, clock, household, caseworker, street_officer, county_officer, status, title
):
    application = application_at(
        status, household=household, caseworker=caseworker, street=street_officer, county=county_officer
    )
    client.force_login(street_officer)
    letter = client.get(reverse("application_letter", args=[application.pk])).content.decode()
    assert title in letter and application.decision_reason in letter and "行政复议" in letter


def test_no_letter_before_a_decision(client, household, caseworker):
    application = application_at("reviewing", household=household, caseworker=caseworker)
    client.force_login(caseworker)
    assert client.get(reverse("application_letter", args=[application.pk])).status_code == 404


def test_detail_shows_the_timeline_events_and_history(client, household, caseworker, street_officer):
    application = application_at("notice", household=household, caseworker=caseworker, street=street_officer)
    client.force_login(street_officer)
    response = client.get(reverse("application_detail", args=[application.pk]))
    states = [s["state"] for s in response.context["timeline"]]
    assert states == ["done", "done", "done", "done", "done", "current"]
    body = response.content.decode()
    for verb in ("受理申请", "入户调查", "民主评议", "街道审核通过", "开始公示"):
        assert verb in body
    assert len(response.context["history"]) == 5
    assert response.context["history"][0]["user"] == street_officer
    assert "录入公示异议" in body and household.members.get(relation="head").id_number in body


def test_detail_page_runs_a_constant_number_of_queries(client, household, caseworker):
    application = application_at("investigating", household=household, caseworker=caseworker)
    client.force_login(caseworker)
    url = reverse("application_detail", args=[application.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    from applications.services import applications as services
    from applications.tests.factories import pdf

    for i in range(6):
        services.application_document_add(
            acting_user=caseworker,
            application=application,
            kind="other",
            upload=pdf(f"材料{i}.pdf"),
            today=TODAY,
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_household_page_lists_applications_and_keeps_its_query_count(client, household, caseworker):
    client.force_login(caseworker)
    url = reverse("household_detail", args=[household.pk])
    body = client.get(url).content.decode()
    assert "受理救助申请" in body and "尚未纳入救助" in body
    street, county = _user("street", "360102002000"), _user("county", "360102")
    application_at("approved", household=household, caseworker=caseworker, street=street, county=county)
    with CaptureQueriesContext(connection) as one:
        body = client.get(url).content.decode()
    assert "城镇最低生活保障（低保）</strong>（享受中）" in body
    Enrolment.objects.update(status="exited")
    application_at(
        "approved",
        household=household,
        caseworker=caseworker,
        street=street,
        county=county,
        today=D(2018, 8, 1),
    )
    application_at(
        "street_rejected",
        household=household,
        caseworker=caseworker,
        street=street,
        today=D(2018, 9, 3),
        category="zhichu",
    )
    with CaptureQueriesContext(connection) as three:
        body = client.get(url).content.decode()
    assert body.count("保障成员") == 2 and body.count("/households/applications/") >= 3
    assert len(three.captured_queries) == len(one.captured_queries)


def _user(role, region):
    from accounts.models import User

    return User.objects.create_user(username=f"{role}-{region}", password="x", role=role, region_id=region)


# ------------------------------------------------------------------------------------------------
# API


def test_api_lists_scoped_applications_with_masked_ids(
    client, household, caseworker, street_officer, make_user
):
    mine = application_at("notice", household=household, caseworker=caseworker, street=street_officer)
    other_cw = make_user("caseworker", "360103001001")
    elsewhere = application_at(
        "investigating", household=household_make(community_id="360103001001"), caseworker=other_cw
    )
    head = household.members.get(relation="head")
    client.force_login(street_officer)
    response = client.get("/api/v1/applications")
    assert response.status_code == 200
    data = response.json()
    assert [row["id"] for row in data["results"]] == [mine.pk]
    row = data["results"][0]
    assert row["head"] == {"name": head.name, "id_number": head.id_masked}
    assert (row["status"], row["proposed_amount"], row["notice_ends_on"]) == (
        "notice",
        "560.00",
        "2018-06-10",
    )
    assert head.id_number not in response.content.decode()
    assert client.get(f"/api/v1/applications/{elsewhere.pk}").status_code == 404
    assert client.get(f"/api/v1/applications/{elsewhere.pk}/events").status_code == 404
    detail = client.get(f"/api/v1/applications/{mine.pk}").json()
    assert [e["step"] for e in detail["events"]] == [
        "intake",
        "visit",
        "review",
        "economic_check",
        "street_approve",
        "notice_start",
    ]
    assert head.id_number not in str(detail)
    # policy.md §8.5: where the application may be made (empty for one received without the question)
    assert (detail["residence_basis"], detail["residence_months"]) == (None, None)
    events = client.get(f"/api/v1/applications/{mine.pk}/events").json()
    assert [e["verb"] for e in events["results"]] == [
        "受理申请",
        "入户调查",
        "民主评议",
        "家庭经济状况核对（系统自动）",
        "街道审核通过",
        "开始公示",
    ]


def test_api_is_read_only_and_needs_a_login(client, household, caseworker):
    application = application_at("investigating", household=household, caseworker=caseworker)
    assert client.get("/api/v1/applications").status_code in (401, 403)
    client.force_login(caseworker)
    response = client.post("/api/v1/applications", {}, content_type="application/json")
    assert response.status_code == 405 and "errors" in response.json()
    assert client.delete(f"/api/v1/applications/{application.pk}").status_code == 405
    assert client.get(f"/api/v1/applications/{application.pk + 999}").json() == {
        "errors": [{"field": "__all__", "message": "未找到"}]
    }


def test_api_list_pages_with_a_cursor_and_a_constant_number_of_queries(client, caseworker):
    for _ in range(3):
        application_at(
            "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
        )
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/applications?page_size=2")
    for _ in range(5):
        application_at(
            "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=caseworker
        )
    with CaptureQueriesContext(connection) as large:
        first = client.get("/api/v1/applications?page_size=2").json()
    assert len(large.captured_queries) == len(small.captured_queries)
    seen = [r["id"] for r in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == sorted(Application.objects.values_list("id", flat=True), reverse=True)


def test_department_clients_cannot_read_applications(client, household, caseworker, make_user):
    from django.core.cache import cache

    from accounts.models import ApiClient
    from accounts.services import api_client_save, api_key_issue

    cache.clear()
    application = application_at("investigating", household=household, caseworker=caseworker)
    province = make_user("province", "360000")
    department = api_client_save(
        acting_user=province,
        values={
            "name": "医保客户端",
            "department": "医保",
            "scopes": list(ApiClient.SCOPES),
            "region": None,
            "rate_per_minute": 600,
        },
    )
    _, key = api_key_issue(acting_user=province, client=department)
    for url in (
        "/api/v1/applications",
        f"/api/v1/applications/{application.pk}",
        f"/api/v1/applications/{application.pk}/events",
    ):
        response = client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}")
        assert response.status_code == 403, url
        assert household.members.get(relation="head").name not in response.content.decode()


def test_api_reads_of_personal_data_are_in_the_access_log(client, household, caseworker):
    from accounts.models import AccessLog

    application = application_at("investigating", household=household, caseworker=caseworker)
    client.force_login(caseworker)
    client.get("/api/v1/applications", HTTP_X_PURPOSE="核对本社区在办申请")
    client.get(f"/api/v1/applications/{application.pk}")
    rows = list(AccessLog.objects.order_by("id").values_list("user", "what", "purpose", "count", "subject"))
    head = household.members.get(relation="head").id_number
    assert rows == [
        (caseworker.pk, "救助申请列表", "核对本社区在办申请", 1, ""),
        (caseworker.pk, f"救助申请#{application.pk}", "工作人员业务查阅", 1, head),
    ]
    client.get("/api/v1/applications?status=approved")  # nothing returned, nothing to log
    assert AccessLog.objects.count() == 2
