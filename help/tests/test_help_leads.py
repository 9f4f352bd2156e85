"""Leads (主动发现, 六(三)): reported by a caseworker or a 协理员, pushed by a department, raised by the system;
visited within the quick-response deadline; turned into an application or closed with a reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AccessLog, ApiClient, Event, Region
from accounts.services import api_client_save, api_key_issue
from applications.models import Application
from applications.tests.factories import FAST_HASHERS, TODAY, standard_make
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, make_id
from help.models import Lead, LeadVisit
from help.selectors import lead_counts, lead_overdue
from help.services import leads as services
from help.tests.factories import help_state, lead_make, queries_of
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    clock(TODAY)
    cache.clear()


@pytest.fixture
def household():
    return household_make(community_id=HOME_COMMUNITY, members=2, address="滕王阁路7号")


def test_a_caseworker_reports_a_lead_due_for_a_visit_in_three_working_days(caseworker, household):
    head = household.members.get(relation="head")
    lead = services.lead_report(
        acting_user=caseworker,
        community=Region.objects.get(code=HOME_COMMUNITY),
        name=head.name,
        reason="death",
        detail="主要劳动力去世，家中无收入",
        source="helper",
        reporter_name="协理员刘芳",
        id_number=head.id_number,
        today=D(2018, 6, 7),
    )  # a Thursday
    assert (lead.status, lead.source, lead.reporter_name) == ("open", "helper", "协理员刘芳")
    assert (lead.reported_on, lead.visit_due_on) == (D(2018, 6, 7), D(2018, 6, 12))  # Fri, Mon, Tue
    assert (lead.household_id, lead.person_id) == (
        household.pk,
        head.pk,
    )  # found by ID number in the community
    assert lead.history.get().history_user == caseworker
    event = Event.objects.get(target_type="help.lead", target_id=str(lead.pk))
    assert (event.verb, event.actor, event.region_code) == ("登记主动发现线索", caseworker, HOME_COMMUNITY)


def test_report_errors_are_per_field_in_chinese_and_write_nothing(caseworker):
    before = help_state()
    with pytest.raises(ServiceError) as exc:
        services.lead_report(
            acting_user=caseworker,
            community=Region.objects.get(code=HOME_COMMUNITY),
            name="",
            reason="nope",
            detail="",
            source="helper",
            id_number="110105194912310021",
        )
    assert {(e["field"], e["message"]) for e in exc.value.errors} == {
        ("name", "请填写姓名"),
        ("reason", "请选择发现原因"),
        ("detail", "请填写情况说明"),
        ("reporter_name", "协理员报告的线索须填写协理员姓名"),
        ("id_number", "身份证号码校验位错误"),
    }
    assert help_state() == before


def test_only_the_caseworker_of_the_community_reports_and_a_refusal_changes_nothing(
    caseworker, street_officer, auditor, make_user, household
):
    other_caseworker = make_user("caseworker", HOME_COMMUNITY_2)
    before = help_state()
    for user in (street_officer, auditor, other_caseworker):
        with pytest.raises(PermissionDenied):
            lead_make(caseworker=user, household=household)
    assert help_state() == before


def test_a_lead_is_visited_and_turned_into_an_application(caseworker, household):
    lead = lead_make(caseworker=caseworker, household=household)
    with pytest.raises(ServiceError, match="当前状态为“待走访”，不能转为救助申请"):
        services.lead_convert(
            acting_user=caseworker,
            lead=lead,
            category="dibao",
            reasons="因病致贫",
            check_authorised=True,
            check_authorised_on=TODAY,
            today=TODAY,
        )
    visit = services.lead_visit_record(
        acting_user=caseworker,
        lead=lead,
        visited_on=TODAY,
        visitors=["李敏", "王强"],
        findings="户主住院，收入低于低保标准",
        today=TODAY,
    )
    lead.refresh_from_db()
    assert (lead.status, lead.visited_on, visit.visitors) == ("visited", TODAY, ["李敏", "王强"])

    application = services.lead_convert(
        acting_user=caseworker,
        lead=lead,
        category="dibao",
        reasons="因病致贫",
        check_authorised=True,
        check_authorised_on=TODAY,
        today=TODAY,
    )
    lead.refresh_from_db()
    assert (lead.status, lead.application) == ("converted", application)
    assert (application.household, application.status, application.category) == (
        household,
        "investigating",
        "dibao",
    )
    assert list(
        Event.objects.filter(target_type="help.lead").order_by("pk").values_list("verb", flat=True)
    ) == ["登记主动发现线索", "线索首次走访", "线索转为救助申请"]
    assert [h.status for h in lead.history.order_by("history_date")] == ["open", "visited", "converted"]


def test_a_conversion_the_intake_refuses_leaves_the_lead_as_it_was(caseworker, household):
    lead = lead_make(caseworker=caseworker, household=household)
    services.lead_visit_record(
        acting_user=caseworker, lead=lead, visited_on=TODAY, visitors=["李敏"], findings="属实", today=TODAY
    )
    before = help_state()
    with pytest.raises(ServiceError) as exc:
        services.lead_convert(
            acting_user=caseworker,
            lead=lead,
            category="dibao",
            reasons="困难",
            check_authorised=False,
            check_authorised_on=None,
            today=TODAY,
        )
    assert exc.value.errors[0]["field"] == "check_authorised"
    assert help_state() == before and not Application.objects.exists()


def test_a_lead_without_a_household_is_linked_before_it_becomes_an_application(caseworker):
    lead = lead_make(caseworker=caseworker, name="无档案人员")
    services.lead_visit_record(
        acting_user=caseworker,
        lead=lead,
        visited_on=TODAY,
        visitors=["李敏"],
        findings="需登记家庭档案",
        today=TODAY,
    )
    with pytest.raises(ServiceError, match="请先关联或登记家庭档案"):
        services.lead_convert(
            acting_user=caseworker,
            lead=lead,
            category="dibao",
            reasons="困难",
            check_authorised=True,
            check_authorised_on=TODAY,
            today=TODAY,
        )
    elsewhere = household_make(community_id=HOME_COMMUNITY_2)
    with pytest.raises(ServiceError, match="请选择本社区的家庭档案"):
        services.lead_link_household(acting_user=caseworker, lead=lead, household=elsewhere)
    household = household_make(community_id=HOME_COMMUNITY)
    services.lead_link_household(acting_user=caseworker, lead=lead, household=household)
    application = services.lead_convert(
        acting_user=caseworker,
        lead=lead,
        category="dibao",
        reasons="困难",
        check_authorised=True,
        check_authorised_on=TODAY,
        today=TODAY,
    )
    assert application.household == household


def test_a_lead_is_closed_with_a_reason_after_a_visit(caseworker, household):
    lead = lead_make(caseworker=caseworker, household=household)
    before = help_state()
    with pytest.raises(ServiceError) as exc:
        services.lead_close(acting_user=caseworker, lead=lead, reason="not_in_need", note="", today=TODAY)
    assert {(e["field"], e["message"]) for e in exc.value.errors} == {
        ("note", "请填写关闭说明"),
        ("reason", "关闭线索前须先走访核实（重复线索除外）"),
    }
    assert help_state() == before
    services.lead_visit_record(
        acting_user=caseworker,
        lead=lead,
        visited_on=TODAY,
        visitors=["李敏"],
        findings="子女每月接济，生活无困难",
        in_need=False,
        today=TODAY,
    )
    services.lead_close(
        acting_user=caseworker, lead=lead, reason="not_in_need", note="经走访生活不困难", today=TODAY
    )
    lead.refresh_from_db()
    assert (lead.status, lead.close_reason, lead.closed_on, lead.close_note) == (
        "closed",
        "not_in_need",
        TODAY,
        "经走访生活不困难",
    )
    with pytest.raises(ServiceError, match="当前状态为“已关闭”，不能录入走访"):
        services.lead_visit_record(
            acting_user=caseworker,
            lead=lead,
            visited_on=TODAY,
            visitors=["李敏"],
            findings="再访",
            today=TODAY,
        )


def test_a_duplicate_is_closed_without_a_visit_and_a_second_open_lead_is_refused(caseworker, household):
    first = lead_make(caseworker=caseworker, household=household)
    with pytest.raises(ServiceError, match=f"该家庭已有未办结的线索#{first.pk}"):
        lead_make(caseworker=caseworker, household=household)
    services.lead_close(
        acting_user=caseworker, lead=first, reason="duplicate", note="与社区台账重复", today=TODAY
    )
    assert Lead.objects.get(pk=first.pk).status == "closed"


def test_overdue_leads_show_in_the_selector_the_dashboard_and_the_home_tile(
    client, caseworker, county_officer, household, clock
):
    late = lead_make(caseworker=caseworker, household=household, today=D(2018, 6, 4))  # due Thu 7 June
    on_time = lead_make(caseworker=caseworker, name="李四", today=D(2018, 6, 6))  # due Mon 11 June
    visited = lead_make(caseworker=caseworker, name="王五", today=D(2018, 6, 1))
    services.lead_visit_record(
        acting_user=caseworker,
        lead=visited,
        visited_on=D(2018, 6, 1),
        visitors=["李敏"],
        findings="已走访",
        today=D(2018, 6, 1),
    )
    friday = D(2018, 6, 8)
    assert list(lead_overdue(user=county_officer, today=D(2018, 6, 7))) == []  # due today is not late
    assert list(lead_overdue(user=county_officer, today=friday)) == [late]
    assert lead_counts(user=county_officer, today=friday) == {"open": 3, "overdue": 1, "converted": 0}

    clock(friday)
    for user in (caseworker, county_officer):
        client.force_login(user)
        page = client.get(reverse("lead_list")).content.decode()
        overdue = page.split('id="overdue"')[1].split("</section>")[0]
        assert f"#{late.pk}" in overdue and "超期1个工作日" in overdue and f"#{on_time.pk}<" not in overdue
        home = client.get(reverse("home")).content.decode()
        assert 'id="tile-overdue-leads"' in home and "条线索走访超期" in home
    late.refresh_from_db()
    assert late.status == "open"


def test_a_late_first_visit_is_recorded_as_late(caseworker, household):
    lead = lead_make(caseworker=caseworker, household=household, today=D(2018, 6, 4))
    services.lead_visit_record(
        acting_user=caseworker,
        lead=lead,
        visited_on=D(2018, 6, 11),
        visitors=["李敏"],
        findings="走访",
        today=D(2018, 6, 11),
    )
    assert Event.objects.get(verb="线索首次走访").data["late"] is True


def test_lead_pages_from_report_to_application(client, caseworker, household):
    client.force_login(caseworker)
    head = household.members.get(relation="head")
    response = client.post(
        reverse("lead_create"),
        {
            "community": HOME_COMMUNITY,
            "source": "caseworker",
            "name": head.name,
            "id_number": head.id_number,
            "reason": "medical",
            "detail": "大病住院",
        },
    )
    lead = Lead.objects.get()
    assert response.url == reverse("lead_detail", args=[lead.pk]) and lead.household == household
    page = client.get(response.url).content.decode()
    assert "录入走访" in page and "转为救助申请" not in page
    response = client.post(
        reverse("lead_visit", args=[lead.pk]),
        {"visited_on": "2018-06-04", "visitors": "李敏、王强", "findings": "属实", "in_need": "yes"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("lead_apply", args=[lead.pk]),
        {
            "category": "dibao",
            "reasons": "大病住院",
            "check_authorised": "on",
            "residence_basis": "hukou",
            "check_authorised_on": "2018-06-04",
        },
    )
    application = Application.objects.get()
    assert response.url == reverse("application_detail", args=[application.pk])
    assert Lead.objects.get().status == "converted"


def test_lead_pages_refuse_other_roles(client, caseworker, street_officer, make_user, household):
    lead = lead_make(caseworker=caseworker, household=household)
    client.force_login(street_officer)
    assert client.get(reverse("lead_detail", args=[lead.pk])).status_code == 200  # street reads its area
    assert client.get(reverse("lead_create")).status_code == 403
    assert (
        client.post(
            reverse("lead_visit", args=[lead.pk]),
            {"visited_on": "2018-06-04", "visitors": "x", "findings": "x", "in_need": "yes"},
        ).status_code
        == 403
    )
    client.force_login(make_user("caseworker", HOME_COMMUNITY_2))
    assert client.get(reverse("lead_detail", args=[lead.pk])).status_code == 404
    assert not LeadVisit.objects.exists()


def test_the_lead_list_runs_a_constant_number_of_queries(client, caseworker, county_officer):
    for i in range(5):
        lead_make(caseworker=caseworker, name=f"甲{i}")
    client.force_login(county_officer)
    five, _ = queries_of(client, reverse("lead_list"))
    for i in range(45):
        lead_make(caseworker=caseworker, name=f"乙{i}", today=D(2018, 5, 1))
    fifty, page = queries_of(client, reverse("lead_list"))
    assert fifty == five and "条走访超期" in page


# --------------------------------------------------------------------------------------------------
# From departments (API) and from the system


@pytest.fixture
def department_key(make_user):
    def make(region=None, scopes=("findings",), department="医保"):
        province = make_user("province", "360000")
        client = api_client_save(
            acting_user=province,
            values={
                "name": f"c{ApiClient.objects.count()}",
                "department": department,
                "scopes": list(scopes),
                "region": Region.objects.get(code=region) if region else None,
                "rate_per_minute": 10000,
            },
        )
        return client, api_key_issue(acting_user=province, client=client)[1]

    return make


def _post(client, key, body):
    return client.post(
        "/api/v1/leads",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )


def test_a_department_pushes_a_lead_once_per_reference(client, department_key, household):
    api_client, key = department_key(region="360102")
    head = household.members.get(relation="head")
    body = {
        "community": HOME_COMMUNITY,
        "name": head.name,
        "id_number": head.id_number,
        "reason": "medical",
        "detail": "本年度住院自付医疗费用8.6万元",
        "reference": "YB-2018-0001",
    }
    response = _post(client, key, body)
    assert response.status_code == 201
    lead = Lead.objects.get()
    assert response.json() == {
        "id": lead.pk,
        "status": "open",
        "reported_on": "2018-06-04",
        "visit_due_on": "2018-06-07",
        "duplicate": False,
    }
    assert (lead.source, lead.api_client, lead.reporter_name, lead.household, lead.created_by) == (
        "department",
        api_client,
        "医保",
        household,
        None,
    )
    again = _post(client, key, {**body, "detail": "重发"})
    assert again.status_code == 200 and again.json()["duplicate"] is True and Lead.objects.count() == 1
    assert Event.objects.get(target_type="help.lead").verb == "医保推送主动发现线索"


def test_a_department_lead_is_refused_outside_its_region_and_for_staff(
    client, department_key, county_officer
):
    _, key = department_key(region="360702")
    body = {"community": HOME_COMMUNITY, "name": "张三", "reason": "job_loss", "detail": "失业"}
    response = _post(client, key, body)
    assert response.status_code == 403 and response.json()["errors"][0]["field"] == "community"
    bad = _post(client, key, {"community": "999", "name": "", "reason": "x", "detail": ""})
    assert bad.status_code == 400 and {e["field"] for e in bad.json()["errors"]} == {
        "name",
        "reason",
        "detail",
    }
    client.force_login(county_officer)
    staff = client.post("/api/v1/leads", json.dumps(body), content_type="application/json")
    assert staff.status_code == 401  # a session is no credential on the departments' door
    assert not Lead.objects.exists() and not AccessLog.objects.exists()


def test_the_system_raises_one_lead_per_signal(household):
    person = household.members.get(relation="head")
    lead = services.lead_raise(
        person=person, reason="death", detail="户籍比对：户主死亡", signal="extract:9:row:1", today=TODAY
    )
    assert (lead.source, lead.household, lead.name, lead.id_number) == (
        "system",
        household,
        person.name,
        person.id_number,
    )
    assert services.lead_raise(person=person, reason="death", detail="重复", signal="extract:9:row:1") == lead
    other = household.members.exclude(pk=person.pk).get()
    assert (
        services.lead_raise(person=other, reason="medical", detail="医保", signal="extract:9:row:2") is None
    )
    assert Lead.objects.count() == 1
    assert Event.objects.get(target_type="help.lead").actor is None


def test_a_department_id_number_in_another_community_does_not_link(client, department_key):
    elsewhere = household_make(community_id=HOME_COMMUNITY_2)
    person = elsewhere.members.first()
    _, key = department_key()
    response = _post(
        client,
        key,
        {
            "community": HOME_COMMUNITY,
            "name": person.name,
            "id_number": person.id_number,
            "reason": "medical",
            "detail": "住院",
        },
    )
    assert response.status_code == 201
    assert Lead.objects.get().household is None
    assert make_id()  # keeps the ID sequence moving for other tests
