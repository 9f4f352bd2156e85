"""The department API client list and the login-lockout list run the same number of queries for 3 rows as
for 15."""

from __future__ import annotations

import datetime as dt
import itertools

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiClient, ApiKey, User
from conftest import assert_constant_queries

_serial = itertools.count(1)


def _clients(count: int, user) -> None:
    for _ in range(count):
        n = next(_serial)
        client = ApiClient.objects.create(
            name=f"人社局接口{n}", department="hrss", region_id="360102", created_by=user
        )
        for k in range(2):
            ApiKey.objects.create(
                client=client,
                prefix=f"k{n:05d}{k}",
                digest="0" * 64,
                created_by=user,
                expires_at=timezone.now() + dt.timedelta(days=30),
            )


def test_api_client_list_queries_do_not_grow_with_the_clients(
    client, county_officer, django_assert_num_queries
):
    _clients(3, county_officer)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("api_client_list"), lambda: _clients(12, county_officer)
    )
    assert len(response.context["clients"]) == 15
    assert response.content.decode().count("人社局接口") >= 15


def _locked(count: int) -> None:
    for _ in range(count):
        n = next(_serial)
        User.objects.create(username=f"cw{n}", role="caseworker", region_id="360102002001")
        AccessAttempt.objects.create(
            username=f"cw{n}",
            ip_address=f"10.0.0.{n % 250}",
            user_agent="test",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
            attempt_time=timezone.now(),
        )


def test_lockout_list_queries_do_not_grow_with_the_lockouts(
    client, county_officer, django_assert_num_queries
):
    _locked(3)
    client.force_login(county_officer)
    response = assert_constant_queries(
        client, django_assert_num_queries, reverse("lockout_list"), lambda: _locked(12)
    )
    assert len(response.context["lockouts"]) == 15
