"""Every URL of the project, as every role, against records of another region: nothing is shown and
nothing changes. URL patterns are discovered from the resolver, so a URL added later is covered
without editing this test; its integer arguments are filled with the primary keys of every
out-of-region record, its text arguments with their codes and ID numbers."""

from __future__ import annotations

import itertools
import json

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Region
from conftest import body_text, make_id
from eligibility.models import Standard
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "外区机密地址"
SNAPSHOT_APPS = (
    "accounts",
    "households",
    "eligibility",
    "applications",
    "economic_check",
    "benefits",
    "ledgers",
    "help",
    "imports",
    "papers",
)
SNAPSHOT_SKIP = {"accounts.loginfailure"}
SKIP_NAMESPACES = {"admin"}  # superuser only; covered by test_admin_is_for_superusers_only


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def fill(route: str, pattern: URLPattern, ints: list[int], texts: list[str]) -> list[str]:
    """Every concrete URL for a route, its <converter:name> parts filled with candidate values."""
    import re

    parts = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not parts:
        if route.startswith("^"):
            return []  # regex routes (none of ours) are not generated
        return ["/" + route]
    choices = [ints if (conv or "str") == "int" else texts for conv, _ in parts]
    urls = []
    for combo in itertools.product(*choices):
        url = route
        for (conv, name), value in zip(parts, combo, strict=True):
            url = re.sub(rf"<(?:{conv}:)?{name}>", str(value), url, count=1)
        urls.append("/" + url)
    return urls


def snapshot() -> dict:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in SNAPSHOT_APPS and label not in SNAPSHOT_SKIP:
            rows = list(model.objects.order_by("pk").values())
            for row in rows:
                row.pop("last_login", None)
            state[label] = rows
    return state


@pytest.fixture
def foreign_world(db):
    """Records only in 九江 and 赣州 (outside 南昌), with personal data that must never leak."""
    communities = list(Region.objects.filter(level=5).exclude(code__startswith="3601").order_by("code")[:2])
    households = [
        household_make(community_id=c.code, members=2, address=f"{SECRET_ADDRESS}{i}号")
        for i, c in enumerate(communities)
    ]
    county = communities[0].code[:6]
    standard = Standard.objects.create(region_id=county, year=2019, dibao=600, tekun=800)
    secrets = [SECRET_ADDRESS]
    for h in households:
        for p in h.members.all():
            secrets += [p.id_number, p.name, p.id_masked]
    extra = _foreign_application_with_check(households[0])
    extra |= {_foreign_export_job(county)}
    ints = sorted(
        {h.pk for h in households}
        | {p.pk for h in households for p in h.members.all()}
        | {standard.pk}
        | extra
    )
    texts = [communities[0].code, county, households[0].members.first().id_number, str(households[0].pk)]
    return {"secrets": secrets, "ints": ints, "texts": texts, "communities": communities}


def _foreign_export_job(county: str) -> int:
    """A finished background export of a foreign officer: its page, progress and file are that officer's alone."""
    from accounts.models import ExportJob, User

    officer = User.objects.create(username="foreign-county", role="county", region_id=county)
    job = ExportJob.objects.create(
        user=officer,
        region_id=county,
        title="家庭档案",
        path="/households/export.xlsx",
        status=ExportJob.Status.DONE,
        rows_total=2,
        rows_done=2,
        stored_name="missing.xlsx",
        filename="家庭档案.xlsx",
    )
    return job.pk


def _foreign_application_with_check(household) -> set[int]:
    """An application of the foreign household with an economic check holding a contradiction and an
    objection, so the check's pages are walked with real ids."""
    import datetime as dt

    from accounts.models import User
    from applications.models import Application
    from economic_check.models import CheckObjection, EconomicCheck, EconomicCheckItem, EconomicContradiction

    clerk = User.objects.create(username="foreign-clerk", role="caseworker", region_id=household.community_id)
    application = Application.objects.create(
        household=household,
        category="dibao",
        reasons="外区申请",
        status="street_review",
        received_on=dt.date(2019, 3, 1),
        check_authorised=True,
        check_authorised_on=dt.date(2019, 3, 1),
        created_by=clerk,
    )
    person = household.members.first()
    check = EconomicCheck.objects.create(
        application=application, trigger="auto", as_of=dt.date(2019, 3, 1), members=2, sources=[]
    )
    EconomicCheckItem.objects.create(
        check_run=check,
        id_number=person.id_number,
        name=person.name,
        source="vehicle",
        summary="1项：赣G00001",
        contradiction=True,
    )
    c = EconomicContradiction.objects.create(
        check_run=check,
        source="vehicle",
        rule="vehicle_undeclared",
        clause="四(二)",
        id_number=person.id_number,
        name=person.name,
        message=f"{person.name}名下机动车未申报",
        key="k",
    )
    objection = CheckObjection.objects.create(
        application=application,
        check_run=check,
        contradiction=c,
        received_on=dt.date(2019, 3, 2),
        content="外区异议",
        recorded_by=clerk,
    )
    return {application.pk, check.pk, c.pk, objection.pk}


def post_payload(world) -> dict:
    code = world["communities"][0].code
    return {
        "community": code,
        "region": code,
        "region_id": code[:6],
        "address": "改写",
        "year": "2019",
        "dibao": "1",
        "tekun": "2",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-name": "入侵",
        "members-0-id_number": make_id(county="360102"),
        "members-0-relation": "head",
        "reason": "越权说明",
        "content": "越权异议",
        "received_on": "2019-03-05",
    }


@pytest.mark.parametrize(
    "role,region",
    [
        ("caseworker", "360102002001"),
        ("street", "360102002000"),
        ("county", "360102"),
        ("city", "360100"),
    ],
)
def test_no_role_reads_or_writes_another_region_through_any_url(
    client, make_user, foreign_world, role, region
):
    user = make_user(role, region)
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) >= 6  # the walk really found the project's URLs
    before = snapshot()
    checked = 0
    for route, pattern in routes:
        for url in fill(route, pattern, foreign_world["ints"], foreign_world["texts"]):
            client.force_login(user)
            response = client.get(url)
            text = body_text(response)
            for secret in foreign_world["secrets"]:
                assert secret not in text, f"{role} saw {secret!r} at GET {url}"
            client.force_login(user)
            form = client.post(url, post_payload(foreign_world))
            client.force_login(user)
            api = client.post(
                url, json.dumps({"region": foreign_world["texts"][1]}), content_type="application/json"
            )
            for r in (form, api):
                text = body_text(r)
                for secret in foreign_world["secrets"]:
                    assert secret not in text, f"{role} saw {secret!r} at POST {url}"
            checked += 1
    assert checked >= len(routes)
    assert snapshot() == before


def test_auditor_writes_nothing_through_any_url(client, make_user, foreign_world):
    user = make_user("auditor", "360000")
    before = snapshot()
    for route, pattern in walk(get_resolver().url_patterns):
        for url in fill(route, pattern, foreign_world["ints"], foreign_world["texts"]):
            client.force_login(user)
            client.post(url, post_payload(foreign_world))
            client.force_login(user)
            client.post(url, json.dumps({"region": "360102"}), content_type="application/json")
    assert snapshot() == before


def test_admin_is_for_superusers_only(client, make_user):
    client.force_login(make_user("county", "360102"))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
