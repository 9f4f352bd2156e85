"""The department API client list runs the same number of queries for 3 clients as for 15, keys included."""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiClient, ApiKey
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
