"""Every application URL (pages and API), as every role of 南昌, against applications of another city in
every state, with documents: nothing is shown, no file is served and nothing changes.

tests/test_scope_every_url.py walks all URLs with the pks of foreign households and persons; this test adds
foreign applications and documents, whose pks that walk does not know."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Region
from applications.tests.factories import FAST_HASHERS, PDF, application_at, pdf, standard_make
from applications.tests.factories import application_state as state
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db

SECRET = "外市机密地址"


def routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and "applications" in prefix + str(p.pattern):
            yield prefix + str(p.pattern)


def fill(route: str, ints: list[int]) -> list[str]:
    parts = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    urls = []
    for combo in itertools.product(*[ints for _ in parts]):
        url = route
        for (conv, name), value in zip(parts, combo, strict=True):
            url = re.sub(rf"<(?:{conv}:)?{name}>", str(value), url, count=1)
        urls.append("/" + url)
    return urls


@pytest.fixture
def foreign(settings, tmp_path, make_user):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    community = Region.objects.filter(level=5).exclude(code__startswith="3601").order_by("code").first()
    standard_make(year=2018, region_id=community.code[:6])
    cw = make_user("caseworker", community.code)
    street = make_user("street", community.code[:9] + "000")
    county = make_user("county", community.code[:6])
    applications = []
    for i, status in enumerate(
        [
            "investigating",
            "reviewing",
            "street_review",
            "street_approved",
            "notice",
            "approved",
            "rejected",
            "street_rejected",
        ]
    ):
        household = household_make(community_id=community.code, address=f"{SECRET}{i}号")
        applications.append(
            application_at(
                status,
                household=household,
                caseworker=cw,
                street=street,
                county=county,
                documents=[("id_card", pdf(f"机密材料{i}.pdf"))],
            )
        )
    secrets = [SECRET]
    for a in applications:
        for p in a.household.members.all():
            secrets += [p.id_number, p.name, p.id_masked]
        secrets += [d.original_name for d in a.documents.all()]
    ints = sorted(
        {a.pk for a in applications}
        | {d.pk for a in applications for d in a.documents.all()}
        | {a.household_id for a in applications}
    )
    return {"secrets": secrets, "ints": ints, "media": tmp_path}


@pytest.mark.parametrize(
    "role,region",
    [
        ("caseworker", "360102002001"),
        ("street", "360102002000"),
        ("county", "360102"),
        ("city", "360100"),
    ],
)
def test_no_role_reads_or_changes_another_citys_applications(client, make_user, foreign, role, region):
    user = make_user(role, region)
    found = list(routes(get_resolver().url_patterns))
    assert len(found) >= 15  # the pages and the API
    before = state(foreign["media"])
    for route in found:
        for url in fill(route, foreign["ints"]):
            for method in ("get", "post", "json"):
                client.force_login(user)
                if method == "get":
                    response = client.get(url)
                elif method == "post":
                    response = client.post(
                        url,
                        {
                            "decision": "approve",
                            "reason": "x",
                            "content": "x",
                            "received_on": "2018-06-04",
                            "kind": "other",
                            "file": pdf(),
                        },
                    )
                else:
                    response = client.post(
                        url, json.dumps({"status": "approved"}), content_type="application/json"
                    )
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert PDF not in body, f"{role} got a document at {method} {url}"
                text = body.decode("utf-8", "replace")
                for secret in foreign["secrets"]:
                    assert secret not in text, f"{role} saw {secret!r} at {method} {url}"
    assert state(foreign["media"]) == before
