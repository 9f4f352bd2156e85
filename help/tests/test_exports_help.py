"""Excel exports of the application and help lists (applications, leads, pairings, job help, students): exact rows,
masking, scope, filters, the access log, a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessLog, Region
from applications.tests.factories import FAST_HASHERS, TODAY, application_at, standard_make
from common.idnumber import mask
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, export_sheets, query_count
from help.services import charity, students
from help.services import pairing as pairing_services
from help.tests.factories import enrolled_household, lead_make
from households.models import Person
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    clock(TODAY)


def build(caseworker, street, county, *, community=HOME_COMMUNITY, name="张三"):
    """In `community`: an enrolled household with a pairing and a child in school, an open application of another
    household, a lead."""
    enrolled = enrolled_household(caseworker=caseworker, street=street, county=county, community_id=community)
    pairing = pairing_services.pairing_create(
        acting_user=caseworker,
        household=enrolled,
        helper_name="周建国",
        helper_kind="cadre",
        helper_unit="东湖区财政局",
        started_on=TODAY,
        today=TODAY,
    )
    child = enrolled.members.get(relation="child")
    record = students.school_record_save(
        acting_user=caseworker,
        person=child,
        school="滕王阁小学",
        stage="primary",
        grade="六年级",
        today=TODAY,
    )
    applicant = household_make(community_id=community, members=1)
    application = application_at("investigating", household=applicant, caseworker=caseworker)
    lead = lead_make(caseworker=caseworker, name=name)
    need = charity.aid_need_publish(
        acting_user=caseworker,
        household=enrolled,
        kind="education",
        description="孩子上学，学杂费有缺口",
        amount_needed="3000",
        consent=True,
        consent_on=TODAY,
        today=TODAY,
    )
    offer = charity.aid_offer_register(
        acting_user=county,
        provider_name="江西省慈善总会",
        provider_kind="organisation",
        title="秋送助学",
        kind="education",
        region=Region.objects.get(code="360102"),
        amount="2000",
        places=2,
        conditions="在读中小学生",
        today=TODAY,
    )
    match = charity.aid_match_create(
        acting_user=caseworker,
        offer=offer,
        household=applicant,
        consent=True,
        consent_on=TODAY,
        consent_by="户主本人",
        today=TODAY,
    )
    return {
        "enrolled": enrolled,
        "pairing": pairing,
        "record": record,
        "application": application,
        "lead": lead,
        "need": need,
        "match": match,
    }


@pytest.fixture
def worlds(caseworker, make_user, street_officer, county_officer):
    other = make_user("caseworker", HOME_COMMUNITY_2)
    return (
        build(caseworker, street_officer, county_officer),
        build(other, street_officer, county_officer, community=HOME_COMMUNITY_2, name="李四"),
    )


def sheet(client, name, params=None):
    rows = export_sheets(client.get(reverse(name), params or {}))
    ((title, rows),) = rows.items()
    assert rows[0][0].startswith(title)
    return rows[1], rows[2:]


def head_of(household):
    return household.members.get(relation="head")


def test_application_export(client, county_officer, worlds):
    client.force_login(county_officer)
    header, rows = sheet(client, "application_export")
    assert header == (
        "编号",
        "户主",
        "身份证号码",
        "社区代码",
        "社区",
        "申请类别",
        "状态",
        "受理日期",
        "办理时限",
        "超期（工作日）",
        "决定日期",
    )
    a = worlds[0]["application"]
    head = head_of(a.household)
    expected = (
        a.pk,
        head.name,
        mask(head.id_number),
        HOME_COMMUNITY,
        a.household.community.name,
        a.get_category_display(),
        a.get_status_display(),
        dt.datetime(2018, 6, 4),
        dt.datetime.combine(a.due_on, dt.time()),
        None,
        None,
    )
    assert expected in rows and len(rows) == 2  # the open ones (default filter), not the approved
    assert AccessLog.objects.get().what == "导出救助申请（状态：办理中）"
    _, rows = sheet(client, "application_export", {"status": "approved"})
    assert sorted(r[0] for r in rows) == sorted(w["enrolled"].applications.get().pk for w in worlds)
    assert all(r[6] == "县级批准" for r in rows)


def test_lead_export(client, caseworker, worlds):
    client.force_login(caseworker)
    header, rows = sheet(client, "lead_export")
    lead = worlds[0]["lead"]
    assert header[:3] == ("编号", "姓名", "身份证号码")
    assert rows == [
        (
            lead.pk,
            "张三",
            None,
            HOME_COMMUNITY,
            lead.community.name,
            lead.get_source_display(),
            None,
            lead.get_reason_display(),
            dt.datetime(2018, 6, 4),
            dt.datetime.combine(lead.visit_due_on, dt.time()),
            None,
            "待走访",
        )
    ]
    _, rows = sheet(client, "lead_export", {"status": "closed"})
    assert rows == []


def test_pairing_export(client, make_user, worlds):
    client.force_login(make_user("caseworker", HOME_COMMUNITY_2))
    header, rows = sheet(client, "pairing_export")
    p = worlds[1]["pairing"]
    head = head_of(p.household)
    assert rows == [
        (
            p.pk,
            p.household_id,
            head.name,
            mask(head.id_number),
            p.household.community.name,
            "周建国",
            "机关企事业单位干部",
            "东湖区财政局",
            dt.datetime(2018, 6, 4),
            "帮扶中",
            None,
            0,
            "从未走访",
        )
    ]
    _, rows = sheet(client, "pairing_export", {"status": "ended"})
    assert rows == []


def test_job_export(client, street_officer, worlds):
    client.force_login(street_officer)
    header, rows = sheet(client, "job_export")
    heads = [head_of(w["enrolled"]) for w in worlds]
    by_id = {r[1]: r for r in rows}
    for head in heads:
        assert by_id[mask(head.id_number)][:4] == (
            head.name,
            mask(head.id_number),
            head.household_id,
            head.household.community.name,
        )
    assert not any(h.id_number in repr(rows) for h in heads)
    _, rows = sheet(client, "job_export", {"employment": "employed"})
    assert all(r[5] == dict(Person.Employment.choices)["employed"] for r in rows)


def test_student_export(client, county_officer, worlds):
    client.force_login(county_officer)
    header, rows = sheet(client, "student_export")
    r = worlds[0]["record"]
    child = r.person
    assert (
        child.name,
        mask(child.id_number),
        child.household_id,
        child.household.community.name,
        "滕王阁小学",
        "小学",
        "六年级",
        "在读",
        "是",
        0,
        None,
    ) == next(row for row in rows if row[0] == child.name)[:11]
    assert len(rows) == 2
    _, rows = sheet(client, "student_export", {"status": "graduated"})
    assert rows == []


def test_need_and_match_exports(client, caseworker, worlds):
    client.force_login(caseworker)
    header, rows = sheet(client, "need_export")
    need = worlds[0]["need"]
    head = head_of(need.household)
    assert rows == [
        (
            need.pk,
            need.household_id,
            head.name,
            mask(head.id_number),
            need.household.community.name,
            need.get_kind_display(),
            "孩子上学，学杂费有缺口",
            3000,
            dt.datetime(2018, 6, 4),
            "公开征集中",
        )
    ]
    header, rows = sheet(client, "match_export")
    match = worlds[0]["match"]
    head = head_of(match.household)
    assert rows == [
        (
            match.pk,
            match.household_id,
            head.name,
            mask(head.id_number),
            match.household.community.name,
            "秋送助学",
            "江西省慈善总会",
            "户主本人",
            dt.datetime(2018, 6, 4),
            match.get_status_display(),
            None,
            None,
        )
    ]
    _, rows = sheet(client, "match_export", {"status": "delivered"})
    assert rows == []


def test_exports_follow_the_page_filters(client, street_officer, worlds):
    """An export holds exactly the rows its filtered page shows: community, month and stage narrow it too."""
    client.force_login(street_officer)
    _, rows = sheet(client, "job_export")
    assert {r[3] for r in rows} == {w["enrolled"].community.name for w in worlds}
    _, rows = sheet(client, "job_export", {"community": HOME_COMMUNITY_2})
    assert rows and {r[3] for r in rows} == {Region.objects.get(code=HOME_COMMUNITY_2).name}
    _, rows = sheet(client, "need_export", {"month": "2018-06", "community": HOME_COMMUNITY})
    assert [r[0] for r in rows] == [worlds[0]["need"].pk]
    _, rows = sheet(client, "need_export", {"month": "2018-07"})
    assert rows == []
    _, rows = sheet(client, "match_export", {"month": "2018-05"})
    assert rows == []
    _, rows = sheet(client, "student_export", {"stage": "junior"})
    assert rows == []
    _, rows = sheet(client, "pairing_export", {"community": HOME_COMMUNITY})
    assert [r[0] for r in rows] == [worlds[0]["pairing"].pk]


@pytest.mark.parametrize(
    "name",
    [
        "application_export",
        "lead_export",
        "pairing_export",
        "job_export",
        "student_export",
        "need_export",
        "match_export",
    ],
)
def test_exports_are_scoped_logged_and_constant_in_queries(
    client, make_user, caseworker, street_officer, county_officer, name
):
    build(caseworker, street_officer, county_officer)
    client.force_login(county_officer)
    small = query_count(client, reverse(name))
    far = make_user("county", "360103")
    client.force_login(far)
    _, rows = sheet(client, name)
    assert rows == [] and not AccessLog.objects.filter(user=far).exists()  # nothing read, nothing to log
    for _ in range(3):
        build(caseworker, street_officer, county_officer)
    client.force_login(county_officer)
    assert query_count(client, reverse(name)) == small
    _, rows = sheet(client, name)
    assert len(rows) >= 4 and AccessLog.objects.filter(user=county_officer).order_by(
        "id"
    ).last().count == len(rows)
