"""Every help URL (leads, pairings, job help, students, charity; pages and API), as every role of 南昌, against
help records of another city: nothing is shown and nothing changes.

tests/test_scope_every_url.py walks all URLs with the pks of foreign households and persons; this test adds
foreign leads, pairings, school records, offers, needs and matches, whose pks that walk does not know."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Region
from applications.tests.factories import FAST_HASHERS, TODAY, standard_make
from conftest import body_text
from help.services import charity, jobs, leads, pairing, students
from help.tests.factories import enrolled_household, help_state
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db

SECRET = "外市机密地址"
PREFIXES = ("leads", "pairings", "jobs", "students", "charity", "api/v1/lists", "api/v1/leads")


def routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            if any(part in route for part in PREFIXES):
                yield route


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
def foreign(settings, tmp_path, make_user, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    clock(TODAY)
    community = Region.objects.filter(level=5).exclude(code__startswith="3601").order_by("code").first()
    standard_make(year=2018, region_id=community.code[:6])
    cw = make_user("caseworker", community.code)
    street, county = make_user("street", community.code[:9] + "000"), make_user("county", community.code[:6])
    household = enrolled_household(
        caseworker=cw, street=street, county=county, community_id=community.code, address=f"{SECRET}1号"
    )
    plain = household_make(community_id=community.code, address=f"{SECRET}2号")
    head, child = household.members.get(relation="head"), household.members.get(relation="child")
    lead = leads.lead_report(
        acting_user=cw,
        community=community,
        name="外市线索人",
        reason="medical",
        detail=f"{SECRET}住院",
        household=plain,
        today=TODAY,
    )
    leads.lead_visit_record(
        acting_user=cw, lead=lead, visited_on=TODAY, visitors=["外市走访员"], findings="属实", today=TODAY
    )
    paired = pairing.pairing_create(
        acting_user=cw,
        household=household,
        helper_name="外市帮扶人",
        helper_kind="cadre",
        helper_unit="外市某局",
        started_on=TODAY,
        today=TODAY,
    )
    pairing.pairing_visit_record(
        acting_user=cw, pairing=paired, visited_on=TODAY, activities="外市走访内容", today=TODAY
    )
    jobs.job_support_record(
        acting_user=cw,
        person=head,
        kind="training",
        on_date=TODAY,
        provider="外市培训中心",
        detail="外市培训",
        today=TODAY,
    )
    record = students.school_record_save(acting_user=cw, person=child, school="外市机密学校", stage="junior")
    students.student_aid_record(
        acting_user=cw, school_record=record, kind="grant", school_year="2018-2019", amount="625", today=TODAY
    )
    offer = charity.aid_offer_register(
        acting_user=county,
        provider_name="外市慈善会",
        provider_kind="organisation",
        title="外市助学项目",
        kind="education",
        region=Region.objects.get(code=community.code[:6]),
        places=5,
        today=TODAY,
    )
    need = charity.aid_need_publish(
        acting_user=cw,
        household=household,
        kind="education",
        description="孩子上学",
        consent=True,
        consent_on=TODAY,
        today=TODAY,
    )
    match = charity.aid_match_create(
        acting_user=cw,
        offer=offer,
        household=household,
        need=need,
        consent=True,
        consent_on=TODAY,
        consent_by="外市同意人",
        today=TODAY,
    )
    secrets = [
        SECRET,
        "外市线索人",
        "外市走访员",
        "外市帮扶人",
        "外市某局",
        "外市走访内容",
        "外市培训中心",
        "外市机密学校",
        "外市慈善会",
        "外市助学项目",
        "外市同意人",
    ]
    for h in (household, plain):
        for p in h.members.all():
            secrets += [p.id_number, p.name, p.id_masked]
    ints = sorted(
        {
            lead.pk,
            paired.pk,
            record.pk,
            offer.pk,
            need.pk,
            match.pk,
            household.pk,
            plain.pk,
            head.pk,
            child.pk,
        }
    )
    return {"secrets": secrets, "ints": ints}


@pytest.mark.parametrize(
    "role,region",
    [
        ("caseworker", "360102002001"),
        ("street", "360102002000"),
        ("county", "360102"),
        ("city", "360100"),
    ],
)
def test_no_role_reads_or_changes_another_citys_help_records(client, make_user, foreign, role, region):
    user = make_user(role, region)
    found = list(routes(get_resolver().url_patterns))
    assert len(found) >= 30
    before = help_state()
    payload = {
        "reason": "x",
        "note": "x",
        "visited_on": "2018-06-04",
        "visitors": "x",
        "findings": "x",
        "in_need": "yes",
        "activities": "x",
        "ended_on": "2018-06-04",
        "started_on": "2018-06-04",
        "employer": "x",
        "kind": "training",
        "on_date": "2018-06-04",
        "provider": "x",
        "detail": "x",
        "school": "x",
        "stage": "junior",
        "status": "in_school",
        "school_year": "2018-2019",
        "amount": "1",
        "household": foreign["ints"][0],
        "consent": "on",
        "consent_by": "x",
        "consent_on": "2018-06-04",
        "delivered_on": "2018-06-04",
        "description": "x",
        "category": "dibao",
        "reasons": "x",
        "check_authorised": "on",
        "residence_basis": "hukou",
        "check_authorised_on": "2018-06-04",
    }
    for route in found:
        for url in fill(route, foreign["ints"]):
            for method in ("get", "post", "json"):
                client.force_login(user)
                if method == "get":
                    response = client.get(url)
                elif method == "post":
                    response = client.post(url, payload)
                else:
                    response = client.post(url, json.dumps(payload), content_type="application/json")
                assert response.status_code < 500, (method, url)
                text = body_text(response)  # an Excel export unzipped: its cells are compressed
                for secret in foreign["secrets"]:
                    assert secret not in text, f"{role} saw {secret!r} at {method} {url}"
    assert help_state() == before
