import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_effective_standard_walks_up_to_the_province(client):
    response = client.get("/api/v1/eligibility/standards/effective", {"region": "360102002001", "year": "2018"})
    assert response.status_code == 200
    body = response.json()
    assert (body["region"], body["year"], body["dibao"], body["tekun"]) == ("360000", 2018, "580.00", "755.00")
    assert body["min_wage"] is None


@pytest.mark.parametrize("params,field", [
    ({"region": "360102", "year": "x"}, "year"),
    ({"year": "2018"}, "region"),
    ({"region": "999999", "year": "2018"}, "region"),
    ({"region": "360102", "year": "2017"}, "standards"),
])
def test_effective_standard_bad_input(client, params, field):
    response = client.get("/api/v1/eligibility/standards/effective", params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_list_is_public_and_filters(client):
    response = client.get("/api/v1/eligibility/standards", {"year": "2018"})
    assert response.status_code == 200
    assert [(r["region"], r["year"], r["dibao"]) for r in response.json()["results"]] == [("360000", 2018, "580.00")]
    assert client.get("/api/v1/eligibility/standards", {"year": "abc"}).status_code == 400
