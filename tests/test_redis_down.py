"""With Redis down the department and public API keep answering (throttles count in process memory), and /healthz
reports each dependency on its own, whatever ALLOWED_HOSTS says (issue 20 item 5, issue 17 item 5)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.api_auth import ClientAddressAnonThrottle
from accounts.models import ApiClient
from accounts.services import api_client_save, api_key_issue

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
REDIS_DOWN = override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}},
    REDIS_URL=DEAD_REDIS,
)


@pytest.fixture
def department_key(make_user):
    province = make_user("province", "360000")
    client = api_client_save(
        acting_user=province,
        values={
            "name": "医保",
            "department": "医保",
            "scopes": ["list:medical_premium"],
            "rate_per_minute": 3,
        },
    )
    return api_key_issue(acting_user=province, client=client)[1]


@REDIS_DOWN
def test_department_api_answers_and_still_throttles_with_redis_down(client, department_key):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {department_key}", "HTTP_X_PURPOSE": "医保缴费资助核对"}
    codes = [client.get("/api/v1/lists/benefits/medical_premium", **headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert ApiClient.objects.get().rate_per_minute == 3


@REDIS_DOWN
def test_public_api_answers_with_redis_down(client, monkeypatch):
    monkeypatch.setattr(ClientAddressAnonThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    codes = [
        client.get("/api/v1/eligibility/standards?region=360102", REMOTE_ADDR="192.0.2.50").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_anonymous_throttle_takes_the_address_only_through_the_trusted_proxy(client, monkeypatch):
    monkeypatch.setattr(ClientAddressAnonThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    from django.core.cache import cache

    cache.clear()
    codes = [
        client.get(
            "/api/v1/eligibility/standards",
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",  # a forged first hop, the real client last
        ).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    other = client.get(
        "/api/v1/eligibility/standards", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert other.status_code == 200


@REDIS_DOWN
@override_settings(ALLOWED_HOSTS=["jiekun.example.gov.cn"])
def test_healthz_reports_each_dependency_whatever_the_host(client):
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "redis": "error"}


@override_settings(ALLOWED_HOSTS=["jiekun.example.gov.cn"])
def test_healthz_with_everything_up(client, settings):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5")
    expected_redis = "ok" if settings.REDIS_URL else "not configured"
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": expected_redis}
    assert client.get("/login/", HTTP_HOST="10.0.0.5").status_code == 400  # other paths still check the host
