"""The departments' REST door: upload with strict/lenient/check, status, bad rows, load/discard, own findings."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import AccessLog, ApiClient
from accounts.services import api_client_save, api_key_issue
from conftest import make_id
from ledgers.models import Extract, ExtractRow
from ledgers.services import run_start
from ledgers.tests.factories import PERIOD, csv_upload
from ledgers.tests.scenario import build_world, county

pytestmark = pytest.mark.django_db
EXTRACTS = "/api/v1/ledgers/extracts"
FINDINGS = "/api/v1/ledgers/findings"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()


@pytest.fixture
def province(make_user):
    return make_user("province", "360000")


def key_for(province, scopes=("extract_upload", "findings"), region=None) -> str:
    c = api_client_save(
        acting_user=province,
        values={
            "name": f"医保{ApiClient.objects.count()}",
            "department": "医保",
            "scopes": list(scopes),
            "region": region,
        },
    )
    return api_key_issue(acting_user=province, client=c)[1]


def auth(key, **extra):
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}", **extra}


def death_file(bad: int = 1):
    rows = [[make_id(), "甲", "2025-08-01"], [make_id(), "乙", "2025-08-02"]] + [
        ["bad", "丙", "2025-08-03"]
    ] * bad
    return csv_upload(["身份证号码", "姓名", "死亡日期"], rows)


def post(client, key, mode, file=None, **fields):
    data = {"file": file or death_file(), "kind": "death", "period": PERIOD, "mode": mode, **fields}
    return client.post(EXTRACTS, data, **auth(key))


def test_strict_upload_with_a_bad_row_loads_nothing(client, province, django_capture_on_commit_callbacks):
    key = key_for(province)
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, key, "strict")
    assert r.status_code == 202 and r["Location"] == f"{EXTRACTS}/{r.json()['id']}"
    body = client.get(r["Location"], **auth(key)).json()
    assert (body["status"], body["rows_good"], body["rows_bad"], body["rows_loaded"]) == ("rejected", 2, 1, 0)
    errors = client.get(f"{r['Location']}/errors", **auth(key)).json()["results"]
    assert errors == [
        {"line": 4, "field": "身份证号码", "message": "身份证号码应为18位，实为3位", "value": "bad"}
    ]
    assert not ExtractRow.objects.exists()


def test_lenient_upload_loads_the_good_rows(client, province, django_capture_on_commit_callbacks):
    key = key_for(province)
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, key, "lenient")
    body = client.get(r["Location"], **auth(key)).json()
    assert (body["status"], body["rows_loaded"], body["rows_bad"]) == ("loaded", 2, 1)
    assert ExtractRow.objects.count() == 2
    e = Extract.objects.get()
    assert e.client.name == "医保0" and e.region_id == "360000" and e.department == "医保"


def test_check_then_load_or_discard(client, province, django_capture_on_commit_callbacks):
    key = key_for(province)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, key, "check").json()["id"]
        second = post(client, key, "check").json()["id"]
    assert client.get(f"{EXTRACTS}/{first}", **auth(key)).json()["status"] == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        loaded = client.post(f"{EXTRACTS}/{first}/load", **auth(key))
    assert loaded.status_code == 202
    assert client.get(f"{EXTRACTS}/{first}", **auth(key)).json()["status"] == "loaded"
    discarded = client.post(f"{EXTRACTS}/{second}/discard", **auth(key))
    assert discarded.json()["status"] == "discarded"
    again = client.post(f"{EXTRACTS}/{second}/load", **auth(key))
    assert again.status_code == 400 and "不能导入" in again.json()["errors"][0]["message"]
    assert ExtractRow.objects.count() == 2


def test_field_errors_are_json(client, province):
    key = key_for(province)
    r = client.post(EXTRACTS, {"kind": "nope", "mode": "strict"}, **auth(key))
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"file", "kind"}
    r = post(client, key, "strict", kind="benefit")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "program"


def test_a_client_sees_only_its_own_extracts(client, province, django_capture_on_commit_callbacks):
    mine, theirs = key_for(province), key_for(province)
    with django_capture_on_commit_callbacks(execute=True):
        their_id = post(client, theirs, "check").json()["id"]
        post(client, mine, "strict")
    assert [e["id"] for e in client.get(EXTRACTS, **auth(mine)).json()["results"]] != [their_id]
    assert len(client.get(EXTRACTS, **auth(mine)).json()["results"]) == 1
    for url in (f"{EXTRACTS}/{their_id}", f"{EXTRACTS}/{their_id}/errors"):
        assert client.get(url, **auth(mine)).status_code == 404
    assert client.post(f"{EXTRACTS}/{their_id}/discard", **auth(mine)).status_code == 404
    assert Extract.objects.get(pk=their_id).status == "checked"


def test_scopes_and_staff(client, province, county_officer):
    only_lookup = key_for(province, scopes=("person_lookup",))
    assert post(client, only_lookup, "strict").status_code == 403
    assert client.get(FINDINGS, **auth(only_lookup)).status_code == 403
    client.force_login(county_officer)  # staff have the pages; a session is no credential here
    assert client.get(EXTRACTS).status_code == 401
    assert not Extract.objects.exists()


def test_findings_of_own_extracts_with_a_stated_purpose(
    client, province, county_officer, django_capture_on_commit_callbacks
):
    key = key_for(province)
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world(county_officer)
        ids = [
            [p.id_number, "", "30"]
            for h in world.households.values()
            for p in h.members.all()
            if h is not world.households["clean"]
        ]
        # The first half-year: the only extract of that period is this client's.
        post(
            client,
            key,
            "strict",
            file=csv_upload(["身份证号码", "姓名", "待遇金额（元）"], ids),
            kind="benefit",
            program="medical_premium",
            period="2025H1",
        )
    with django_capture_on_commit_callbacks(execute=True):
        run_start(acting_user=county_officer, region=county(), period="2025H1")
    assert client.get(FINDINGS, **auth(key)).status_code == 400  # no X-Purpose
    r = client.get(FINDINGS, {"period": "2025H1"}, **auth(key, HTTP_X_PURPOSE="医保资助核对"))
    results = r.json()["results"]
    clean = {p.id_number for p in world.households["clean"].members.all()}
    assert {(f["rule"], f["id_number"]) for f in results} == {("missing_theirs", i) for i in clean}
    assert results[0]["review_status"] == "open" and "应享受" in results[0]["description"]
    assert AccessLog.objects.get(purpose="医保资助核对").count == 2
    other = key_for(province)
    assert client.get(FINDINGS, **auth(other, HTTP_X_PURPOSE="核对")).json()["results"] == []
