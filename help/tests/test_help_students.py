"""School-age children (五(四)): school records kept current with the aid each receives, and the list the
education department reads over the API — scoped to its region, synced with changed_since, logged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, ApiClient, Region
from accounts.services import api_client_save, api_key_issue
from applications.tests.factories import FAST_HASHERS, TODAY, standard_make
from benefits.models import Enrolment
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from help.models import SchoolRecord, StudentAid
from help.services import students as services
from help.tests.factories import enrolled_household, help_state, queries_of
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/api/v1/lists/students"
PURPOSE = {"HTTP_X_PURPOSE": "2018年秋季学期学生资助认定"}
OTHER_COUNTY_COMMUNITY = "360702001001"  # 赣州


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    standard_make(year=2018, region_id="360702")
    clock(TODAY)
    cache.clear()


@pytest.fixture
def enrolled(caseworker, street_officer, county_officer):
    return enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer)


def _child(household):
    return household.members.get(relation="child")


def _student(caseworker, household, **kw):
    return services.school_record_save(
        acting_user=caseworker,
        person=_child(household),
        school=kw.pop("school", "南昌市第十九中学"),
        stage=kw.pop("stage", "junior"),
        grade=kw.pop("grade", "初二"),
        **kw,
    )


@pytest.fixture
def education_key(make_user):
    def make(region=None, scopes=("list:student_aid",)):
        province = make_user("province", "360000")
        client = api_client_save(
            acting_user=province,
            values={
                "name": f"edu{ApiClient.objects.count()}",
                "department": "教育",
                "scopes": list(scopes),
                "region": Region.objects.get(code=region) if region else None,
                "rate_per_minute": 10000,
            },
        )
        return api_key_issue(acting_user=province, client=client)[1]

    return make


def _get(client, key, url=URL, **extra):
    return client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}", **{**PURPOSE, **extra})


def test_a_school_record_is_kept_current_with_its_history(caseworker, enrolled):
    record = _student(caseworker, enrolled)
    assert (record.school, record.stage, record.status, record.recorded_by) == (
        "南昌市第十九中学",
        "junior",
        "in_school",
        caseworker,
    )
    again = services.school_record_save(
        acting_user=caseworker,
        person=_child(enrolled),
        school="南昌市第十九中学",
        stage="junior",
        grade="初三",
    )
    assert again.pk == record.pk and again.grade == "初三"
    assert [h.grade for h in record.history.order_by("history_date")] == ["初二", "初三"]
    assert record.history.last().history_user == caseworker


def test_aid_is_recorded_once_per_kind_and_school_year(caseworker, enrolled, clock):
    record = _student(caseworker, enrolled)
    before = SchoolRecord.objects.get().updated_at
    clock(TODAY, hour=11)
    aid = services.student_aid_record(
        acting_user=caseworker,
        school_record=record,
        kind="grant",
        school_year="2018-2019",
        amount="625",
        provider="南昌市教育局",
        granted_on=TODAY,
        today=TODAY,
    )
    assert (aid.amount, aid.get_kind_display()) == (Decimal("625.00"), "助（助学金）")
    assert SchoolRecord.objects.get().updated_at > before  # the department's sync sees the new aid
    state = help_state()
    with pytest.raises(ServiceError) as exc:
        services.student_aid_record(
            acting_user=caseworker,
            school_record=record,
            kind="grant",
            school_year="2018-2020",
            amount="",
            today=TODAY,
        )
    assert {(e["field"], e["message"]) for e in exc.value.errors} == {
        ("school_year", "学年格式应为“2018-2019”"),
        ("amount", "请填写金额"),
    }
    with pytest.raises(ServiceError, match="2018-2019学年已登记“助（助学金）”"):
        services.student_aid_record(
            acting_user=caseworker,
            school_record=record,
            kind="grant",
            school_year="2018-2019",
            amount="100",
            today=TODAY,
        )
    assert help_state() == state


def test_only_the_caseworker_of_the_community_records_students(
    caseworker, street_officer, make_user, enrolled
):
    record = _student(caseworker, enrolled)
    before = help_state()
    for user in (street_officer, make_user("caseworker", HOME_COMMUNITY_2)):
        with pytest.raises(PermissionDenied):
            _student(user, enrolled, grade="高一")
        with pytest.raises(PermissionDenied):
            services.student_aid_record(
                acting_user=user,
                school_record=record,
                kind="waiver",
                school_year="2018-2019",
                amount="100",
                today=TODAY,
            )
    assert help_state() == before


def test_the_department_list_holds_its_regions_students_with_their_aid(
    client, caseworker, street_officer, county_officer, make_user, enrolled, education_key
):
    record = _student(caseworker, enrolled)
    services.student_aid_record(
        acting_user=caseworker,
        school_record=record,
        kind="waiver",
        school_year="2018-2019",
        amount="1200",
        today=TODAY,
    )
    _student(caseworker, household_make(community_id=HOME_COMMUNITY))  # never enrolled: not on the list
    cw2 = make_user("caseworker", OTHER_COUNTY_COMMUNITY)
    far = enrolled_household(
        caseworker=cw2,
        street=make_user("street", "360702001000"),
        county=make_user("county", "360702"),
        community_id=OTHER_COUNTY_COMMUNITY,
    )
    far_record = _student(cw2, far, school="赣州一中", stage="senior")

    child = _child(enrolled)
    body = _get(client, education_key(region="360102")).json()
    assert body["next"] is None and body["previous"] is None
    assert body["results"] == [
        {
            "id": record.pk,
            "id_number": child.id_number,
            "name": child.name,
            "sex": child.sex,
            "birth_date": child.birth_date.isoformat(),
            "household": enrolled.pk,
            "community": HOME_COMMUNITY,
            "community_name": enrolled.community.name,
            "covered": True,
            "category": "dibao",
            "school": "南昌市第十九中学",
            "stage": "junior",
            "stage_label": "初中",
            "grade": "初二",
            "student_no": "",
            "status": "in_school",
            "status_label": "在读",
            "aids": [
                {
                    "kind": "waiver",
                    "kind_label": "免（学杂费减免）",
                    "school_year": "2018-2019",
                    "amount": "1200.00",
                    "provider": "",
                    "granted_on": None,
                }
            ],
            "updated_at": body["results"][0]["updated_at"],
        }
    ]
    province_wide = _get(client, education_key()).json()["results"]
    assert [r["id"] for r in province_wide] == [record.pk, far_record.pk]
    log = AccessLog.objects.order_by("pk").first()
    assert (log.what, log.purpose, log.count, log.client.department) == (
        "在校学生资助名单",
        "2018年秋季学期学生资助认定",
        1,
        "教育",
    )


def test_changed_since_returns_changed_records_and_coverage_changes(
    client, caseworker, make_user, clock, street_officer, county_officer, education_key
):
    first = enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer)
    second = enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer)
    one, two = _student(caseworker, first), _student(caseworker, second)
    key = education_key(region="360102")
    clock(D(2018, 9, 3))
    mark = timezone.now() - dt.timedelta(hours=1)  # 2018-09-03T09:00+08:00
    services.student_aid_record(
        acting_user=caseworker,
        school_record=one,
        kind="grant",
        school_year="2018-2019",
        amount="625",
        today=D(2018, 9, 3),
    )
    since = mark.isoformat().replace("+", "%2B")
    assert [r["id"] for r in _get(client, key, url=f"{URL}?changed_since={since}").json()["results"]] == [
        one.pk
    ]
    clock(D(2018, 10, 8))
    enrolment = Enrolment.objects.get(household=second)
    enrolment.status, enrolment._history_user = "exited", county_officer
    if hasattr(enrolment, "ended_on"):
        enrolment.ended_on = D(2018, 10, 31)
    enrolment.save()
    rows = _get(client, key, url=f"{URL}?changed_since=2018-10-01").json()["results"]
    assert [(r["id"], r["covered"], r["category"]) for r in rows] == [(two.pk, False, None)]
    bad = _get(client, key, url=f"{URL}?changed_since=yesterday")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "changed_since"


def test_the_list_needs_its_scope_and_a_purpose_and_refuses_staff(client, education_key, county_officer):
    response = client.get(
        URL, HTTP_AUTHORIZATION=f"Api-Key {education_key(scopes=['person_lookup'])}", **PURPOSE
    )
    assert response.status_code == 403
    response = client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {education_key()}")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "X-Purpose"
    client.force_login(county_officer)
    assert (
        client.get(URL, **PURPOSE).status_code == 401
    )  # a session is no credential on the departments' door
    assert not AccessLog.objects.exists()


def test_the_list_pages_by_cursor_in_a_constant_number_of_queries(
    client, caseworker, street_officer, county_officer, education_key
):
    def add(n):
        for _ in range(n):
            household = enrolled_household(
                caseworker=caseworker, street=street_officer, county=county_officer
            )
            record = _student(caseworker, household)
            services.student_aid_record(
                acting_user=caseworker,
                school_record=record,
                kind="grant",
                school_year="2018-2019",
                amount="625",
                today=TODAY,
            )

    key = education_key()
    add(5)
    _get(client, key)  # the key's first use of the minute also stamps last_used_at
    with CaptureQueriesContext(connection) as five:
        assert len(_get(client, key).json()["results"]) == 5
    add(45)
    with CaptureQueriesContext(connection) as fifty:
        assert len(_get(client, key).json()["results"]) == 50
    assert len(fifty.captured_queries) == len(five.captured_queries)
    first = _get(client, key, url=f"{URL}?page_size=20").json()
    second = client.get(first["next"], HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == 40 and ids == sorted(ids) and len(set(ids)) == 40


def test_student_pages(client, caseworker, county_officer, enrolled):
    client.force_login(caseworker)
    child = _child(enrolled)
    response = client.post(
        reverse("student_edit", args=[child.pk]),
        {"school": "南昌市第十九中学", "stage": "junior", "grade": "初二", "status": "in_school"},
    )
    record = SchoolRecord.objects.get()
    assert response.url == reverse("student_detail", args=[record.pk])
    response = client.post(
        reverse("student_aid", args=[record.pk]),
        {"kind": "scholarship", "school_year": "2018-2019", "amount": "500"},
    )
    assert response.status_code == 302 and StudentAid.objects.count() == 1
    client.force_login(county_officer)
    assert client.get(reverse("student_edit", args=[child.pk])).status_code == 403
    five, page = queries_of(client, reverse("student_list"))
    assert child.name in page and "奖（奖学金） 500.00元" in page
