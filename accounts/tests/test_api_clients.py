import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiClient, ApiKey, Event
from accounts.services import api_client_save, api_key_issue, api_key_revoke
from config.errors import PermissionDenied, ServiceError

pytestmark = pytest.mark.django_db
EVALUATE = "/api/v1/eligibility/evaluate"
BODY = {
    "region": "360102",
    "as_of": "2018-06-01",
    "household": {"members": [{"id_number": "11010519491231002X", "monthly_income": "300"}]},
}


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()


@pytest.fixture
def province(make_user):
    return make_user("province", "360000")


def make_client(user, scopes=("evaluate",), region=None, rate=600):
    return api_client_save(
        acting_user=user,
        values={
            "name": f"客户端{ApiClient.objects.count()}",
            "department": "医保",
            "scopes": list(scopes),
            "region": region,
            "rate_per_minute": rate,
        },
    )


def call(client, key, body=BODY, **headers):
    return client.post(
        EVALUATE,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        **headers,
    )


def test_key_is_shown_once_and_stored_hashed(province):
    c = make_client(province)
    key, text = api_key_issue(acting_user=province, client=c)
    stored = ApiKey.objects.get()
    assert text.startswith(f"jk_{stored.prefix}_") and text.split("_")[2] not in stored.digest
    assert len(stored.digest) == 64 and stored.expires_at > timezone.now() + timedelta(days=364)
    assert Event.objects.filter(verb="签发接口密钥").count() == 1


def test_valid_key_with_scope_evaluates(client, province):
    c = make_client(province, scopes=["evaluate"])
    _, text = api_key_issue(acting_user=province, client=c)
    response = call(client, text)
    assert response.status_code == 200
    assert response.json()["categories"] == ["dibao"] and response.json()["dibao_subsidy"] == "280.00"


def test_key_without_the_scope_gets_403(client, province):
    c = make_client(province, scopes=["person_lookup"])
    _, text = api_key_issue(acting_user=province, client=c)
    response = call(client, text)
    assert response.status_code == 403
    assert response.json() == {"errors": [{"field": "__all__", "message": "无权访问此接口"}]}


@pytest.mark.parametrize(
    "mutate,message",
    [
        (
            lambda k: ApiKey.objects.filter(pk=k.pk).update(expires_at=timezone.now() - timedelta(seconds=1)),
            "已过期",
        ),
        (lambda k: ApiKey.objects.filter(pk=k.pk).update(revoked_at=timezone.now()), "已吊销"),
        (lambda k: ApiClient.objects.filter(pk=k.client_id).update(is_active=False), "已停用"),
    ],
)
def test_expired_revoked_or_disabled_keys_are_refused(client, province, mutate, message):
    c = make_client(province)
    key, text = api_key_issue(acting_user=province, client=c)
    mutate(key)
    response = call(client, text)
    assert response.status_code == 401 and message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("header", ["Api-Key nonsense", "Api-Key jk_abcd_wrongsecret", "Api-Key jk__x"])
def test_malformed_or_unknown_keys_are_refused(client, header):
    response = client.post(
        EVALUATE, json.dumps(BODY), content_type="application/json", HTTP_AUTHORIZATION=header
    )
    assert response.status_code == 401 and response.json()["errors"][0]["field"] == "__all__"


def test_throttling_per_client(client, province):
    c = make_client(province, rate=3)
    _, text = api_key_issue(acting_user=province, client=c)
    codes = [call(client, text).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_throttle_counts_per_minute_and_says_when_to_retry(client, province, monkeypatch):
    import accounts.api_auth as api_auth

    c, other = make_client(province, rate=2), make_client(province, rate=2)
    _, text = api_key_issue(acting_user=province, client=c)
    _, other_text = api_key_issue(acting_user=province, client=other)
    clock = [1_800_000_010.0]  # 10 s into a clock minute
    monkeypatch.setattr(api_auth.time, "time", lambda: clock[0])
    assert [call(client, text).status_code for _ in range(2)] == [200, 200]
    refused = call(client, text)
    assert refused.status_code == 429 and refused["Retry-After"] == "50"
    assert refused.json()["errors"][0]["field"] == "__all__"
    assert call(client, other_text).status_code == 200  # another client has its own counter
    clock[0] += 50  # the next minute
    assert [call(client, text).status_code for _ in range(3)] == [200, 200, 429]


def test_revoke(province):
    c = make_client(province)
    key, _ = api_key_issue(acting_user=province, client=c)
    api_key_revoke(acting_user=province, key=key)
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.is_usable
    with pytest.raises(ServiceError, match="已吊销"):
        api_key_revoke(acting_user=province, key=key)


def test_county_officer_manages_only_clients_of_their_county(make_user, province):
    county = make_user("county", "360102")
    from accounts.models import Region

    own = make_client(county, region=Region.objects.get(code="360102"))
    assert own.region_id == "360102"
    with pytest.raises(PermissionDenied):
        make_client(county, region=None)  # province-wide
    with pytest.raises(PermissionDenied):
        make_client(county, region=Region.objects.get(code="360702"))
    provincial = make_client(province)
    with pytest.raises(PermissionDenied):
        api_key_issue(acting_user=county, client=provincial)
    assert ApiKey.objects.count() == 0 and ApiClient.objects.count() == 2


@pytest.mark.parametrize(
    "role,region",
    [("caseworker", "360102002001"), ("street", "360102002000"), ("auditor", "360000"), ("city", "360100")],
)
def test_other_roles_cannot_manage_clients(client, make_user, role, region):
    client.force_login(make_user(role, region))
    assert client.get(reverse("api_client_list")).status_code == 403
    response = client.post(
        reverse("api_client_create"),
        {"name": "x", "department": "y", "scopes": ["evaluate"], "rate_per_minute": "10"},
    )
    assert response.status_code == 403 and ApiClient.objects.count() == 0


def test_client_form_errors_are_field_level(client, province):
    client.force_login(province)
    response = client.post(
        reverse("api_client_create"),
        {"name": "", "department": "医保", "scopes": ["bogus"], "rate_per_minute": "0"},
    )
    form = response.context["form"]
    assert set(form.errors) == {"name", "scopes", "rate_per_minute"}
    assert ApiClient.objects.count() == 0


def test_key_page_shows_the_new_key_once(client, province):
    c = make_client(province)
    client.force_login(province)
    response = client.post(reverse("api_client_detail", args=[c.pk]), {"days": "30"})
    key_text = response.context["new_key"]
    assert key_text in response.content.decode()
    again = client.get(reverse("api_client_detail", args=[c.pk])).content.decode()
    assert key_text not in again and ApiKey.objects.get().prefix in again
