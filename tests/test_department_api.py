"""Department clients: the scope matrix (every scope × every department endpoint: allowed or 403),
person lookup with minimal disclosure and its access log."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache

from accounts.models import LINKED_BENEFITS, AccessLog, ApiClient, Region
from accounts.services import api_client_save, api_key_issue
from applications.tests.factories import application_at, standard_make
from conftest import HOME_COMMUNITY, make_id
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db
PURPOSE = {"HTTP_X_PURPOSE": "医保缴费资助核对"}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def province(make_user):
    return make_user("province", "360000")


@pytest.fixture
def key_for(province):
    def make(scopes, region=None):
        client = api_client_save(
            acting_user=province,
            values={
                "name": f"c{ApiClient.objects.count()}",
                "department": "医保",
                "scopes": list(scopes),
                "region": Region.objects.get(code=region) if region else None,
                "rate_per_minute": 10000,
            },
        )
        return api_key_issue(acting_user=province, client=client)[1]

    return make


@pytest.fixture
def enrolled(caseworker, street_officer, county_officer):
    standard_make(year=2026)
    household = household_make(community_id=HOME_COMMUNITY, members=2)
    application_at(
        "approved", household=household, caseworker=caseworker, street=street_officer, county=county_officer
    )
    return household


# (method, path, body, the scope that opens it). Add a row for every department endpoint.
ENDPOINTS = [
    ("get", "/api/v1/ledgers/extracts", None, "extract_upload"),
    ("get", "/api/v1/ledgers/findings", None, "findings"),
    *[("get", f"/api/v1/lists/benefits/{code}", None, f"list:{code}") for code in LINKED_BENEFITS],
    ("get", f"/api/v1/persons/{make_id()}", None, "person_lookup"),
    (
        "post",
        "/api/v1/eligibility/evaluate",
        {
            "region": "360102",
            "as_of": "2018-06-01",
            "household": {"members": [{"id_number": "11010519491231002X", "monthly_income": "300"}]},
        },
        "evaluate",
    ),
    ("get", "/api/v1/lists/students", None, "list:student_aid"),
]


@pytest.mark.parametrize("scope", sorted(ApiClient.SCOPES))
@pytest.mark.parametrize("method,path,body,needed", ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_scope_matrix(client, key_for, scope, method, path, body, needed):
    key = key_for([scope])
    kwargs = {"HTTP_AUTHORIZATION": f"Api-Key {key}", **PURPOSE}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method)(path, **kwargs)
    if scope == needed:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403
        assert response.json()["errors"][0]["field"] == "__all__"


def test_lookup_of_a_covered_person_discloses_only_category_since_and_county(client, key_for, enrolled):
    person = enrolled.members.order_by("id").first()
    key = key_for(["person_lookup"])
    response = client.get(
        f"/api/v1/persons/{person.id_number}", HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE
    )
    enrolment = enrolled.enrolments.get()
    assert response.json() == {
        "id_number": person.id_number,
        "covered": True,
        "category": enrolment.category,
        "category_label": "低保",
        "since": enrolment.start_month.isoformat(),
        "region": "360102",
    }
    log = AccessLog.objects.get()
    assert (log.subject, log.purpose, log.count, log.client.scopes) == (
        person.id_number,
        "医保缴费资助核对",
        1,
        ["person_lookup"],
    )


@pytest.mark.parametrize(
    "status,covered", [("active", True), ("gradual", True), ("suspended", False), ("exited", False)]
)
def test_coverage_follows_the_enrolment_status(client, key_for, enrolled, status, covered):
    """渐退 still pays, so the person is still covered; a suspended or exited enrolment pays nothing."""
    person = enrolled.members.order_by("id").first()
    enrolled.enrolments.update(
        status=status, gradual_until=datetime.date(2027, 6, 30) if status == "gradual" else None
    )
    key = key_for(["person_lookup"])
    body = client.get(
        f"/api/v1/persons/{person.id_number}", HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE
    ).json()
    assert body["covered"] is covered
    assert body["category"] == ("dibao" if covered else None)
    assert AccessLog.objects.get().count == (1 if covered else 0)


def test_a_client_limited_to_another_region_learns_nothing(client, key_for, enrolled):
    person = enrolled.members.order_by("id").first()
    key = key_for(["person_lookup"], region="360702")
    body = client.get(
        f"/api/v1/persons/{person.id_number}", HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE
    ).json()
    assert body["covered"] is False and body["region"] is None and body["since"] is None


def test_lookup_needs_a_purpose_and_a_valid_number(client, key_for):
    key = key_for(["person_lookup"])
    response = client.get(f"/api/v1/persons/{make_id()}", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "X-Purpose"
    response = client.get(
        "/api/v1/persons/110105194912310021", HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "id_number", "message": "身份证号码校验位错误"}]}
    assert AccessLog.objects.count() == 0


def test_staff_sessions_cannot_use_the_department_lookup(client, county_officer):
    client.force_login(county_officer)
    # The departments' endpoints take a key only: a session is no credential there.
    response = client.get(f"/api/v1/persons/{make_id()}", **PURPOSE)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Api-Key"
    assert AccessLog.objects.count() == 0


def test_medical_premium_list_holds_every_covered_member_and_syncs_by_change(client, key_for, enrolled):
    key = key_for(["list:medical_premium"])
    url = "/api/v1/lists/benefits/medical_premium"
    body = client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE).json()
    members = sorted(enrolled.members.values_list("id_number", flat=True))
    assert [r["id_number"] for r in body["results"]] == members
    assert {(r["county_code"], r["status"], r["until"]) for r in body["results"]} == {
        ("360102", "active", None)
    }
    later = client.get(
        url, {"changed_since": "2099-01-01"}, HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE
    ).json()
    assert later["results"] == []
    log = AccessLog.objects.order_by("id").first()
    assert (log.what, log.count, log.purpose) == (
        "关联待遇名单：城乡居民医保个人缴费全额资助",
        2,
        "医保缴费资助核对",
    )


def test_linked_list_is_limited_to_the_client_region_and_validates_input(client, key_for, enrolled):
    key = key_for(["list:medical_premium"], region="360702")
    url = "/api/v1/lists/benefits/medical_premium"
    assert client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE).json()["results"] == []
    bad = client.get(url, {"changed_since": "yesterday"}, HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "changed_since"
    assert client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 400  # no purpose


@pytest.mark.parametrize("path", ["/api/v1/lists/benefits/student_aid", "/api/v1/lists/students"])
@pytest.mark.parametrize("value", ["1810-08-08T08:58:15-17:16", "2018-06-01T00:00:00+15:00"])
def test_changed_since_with_an_impossible_offset_is_a_field_error(client, key_for, path, value):
    key = key_for(["list:student_aid"])
    response = client.get(path, {"changed_since": value}, HTTP_AUTHORIZATION=f"Api-Key {key}", **PURPOSE)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "changed_since"
