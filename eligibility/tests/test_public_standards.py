import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_effective_standard_walks_up_to_the_province(client):
    response = client.get(
        "/api/v1/eligibility/standards/effective", {"region": "360102002001", "year": "2018"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["region"], body["year"], body["dibao"], body["tekun"]) == (
        "360000",
        2018,
        "580.00",
        "755.00",
    )
    assert body["min_wage"] is None


@pytest.mark.parametrize(
    "params,field",
    [
        ({"region": "360102", "year": "x"}, "year"),
        ({"year": "2018"}, "region"),
        ({"region": "999999", "year": "2018"}, "region"),
        ({"region": "360102", "year": "2017"}, "standards"),
        ({"region": "36x102", "year": "2018"}, "region"),
        ({"region": "360102", "year": "²⁰¹⁸"}, "year"),  # digits to str.isdigit, not to int()
        ({"region": "360102", "year": "99999999999999999999"}, "year"),
    ],
)
def test_effective_standard_bad_input(client, params, field):
    response = client.get("/api/v1/eligibility/standards/effective", params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_list_is_public_and_filters(client):
    response = client.get("/api/v1/eligibility/standards", {"year": "2018"})
    assert response.status_code == 200
    assert [(r["region"], r["year"], r["dibao"]) for r in response.json()["results"]] == [
        ("360000", 2018, "580.00")
    ]
    assert client.get("/api/v1/eligibility/standards", {"year": "abc"}).status_code == 400


@pytest.mark.parametrize(
    "params,field",
    [
        ({"year": "abc"}, "year"),
        ({"year": "²"}, "year"),
        ({"year": "99999999999"}, "year"),
        ({"region": "3601;--"}, "region"),
    ],
)
def test_list_bad_filters_are_field_errors(client, params, field):
    response = client.get("/api/v1/eligibility/standards", params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/eligibility/standards?region=36%00",
        "/api/v1/persons/1%00",
        "/api/v1/eligibility/standards?year=20%0018",
    ],
)
def test_nul_in_the_request_is_a_400_in_the_error_format(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "__all__", "message": "请求中含有不允许的空字符（NUL）"}]}


def test_nul_on_a_page_is_a_400(client):
    response = client.get("/households/?q=%00")
    assert response.status_code == 400 and "空字符" in response.content.decode()
