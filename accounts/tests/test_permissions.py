"""accounts.permissions: each decision for every role, on both sides of the line, with exact answers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from accounts import permissions as p
from accounts.api_auth import DepartmentPrincipal
from accounts.models import ApiClient, Region, User

COMMUNITY = "360102002001"  # 南昌市东湖区 滕王阁街道 民巷社区
STREET = "360102002000"
COUNTY = "360102"
CITY = "360100"
PROVINCE = "360000"
FAR_COMMUNITY = "360402001001"  # 九江市: outside 南昌市
FAR_COUNTY = "360402"

REGION_OF = {
    "caseworker": COMMUNITY,
    "street": STREET,
    "county": COUNTY,
    "city": CITY,
    "province": PROVINCE,
    "auditor": PROVINCE,
}
ROLES = list(REGION_OF)


def user(role: str, *, active: bool = True, region: str | None = None) -> User:
    return User(username=role, role=role, region_id=region or REGION_OF[role], is_active=active)


def superuser() -> User:
    return User(username="root", role="", region_id=None, is_active=True, is_superuser=True)


def department() -> DepartmentPrincipal:
    return DepartmentPrincipal(ApiClient(pk=7, name="医保", department="医保局", scopes=[], region_id=None))


def who(fn, *args) -> set[str]:
    """The roles (and "superuser") for which fn(user, *args) is true."""
    out = {role for role in ROLES if fn(user(role), *args)}
    if fn(superuser(), *args):
        out.add("superuser")
    return out


OVERSIGHT = {"county", "city", "province", "auditor"}


@pytest.mark.parametrize(
    ("fn", "args", "expected"),
    [
        (p.is_caseworker, (), {"caseworker"}),
        (p.has_staff_role, (), set(ROLES) | {"superuser"}),
        (p.can_decide_enrolment, (COMMUNITY,), {"county"}),
        (p.can_decide_enrolment, (FAR_COMMUNITY,), set()),
        (p.can_recompute, (COMMUNITY,), {"caseworker", "county"}),
        (p.can_recompute, (FAR_COMMUNITY,), set()),
        (p.can_manage_roll, (COUNTY,), {"county"}),
        (p.can_manage_roll, (FAR_COUNTY,), set()),
        (p.manages_rolls, (), {"county"}),
        (p.can_read_rolls, (), OVERSIGHT | {"superuser"}),
        (p.sees_full_ids, (COUNTY,), {"county", "superuser"}),
        (p.sees_full_ids, (FAR_COUNTY,), {"superuser"}),
        (p.can_apply_relief, (COMMUNITY,), {"caseworker", "street"}),
        (p.can_apply_relief, (FAR_COMMUNITY,), set()),
        (p.receives_relief, (), {"caseworker", "street"}),
        (p.can_read_relief_filings, (), OVERSIGHT),
        (p.can_import_households, (), {"caseworker", "street", "county"}),
        (p.can_import_into, (COMMUNITY,), {"caseworker", "street", "county"}),
        (p.can_import_into, (FAR_COMMUNITY,), set()),
        (p.can_import_enrolments, (COMMUNITY,), {"county"}),
        (p.can_import_enrolments, (FAR_COMMUNITY,), set()),
        (p.can_manage_offer, (STREET,), {"street", "county"}),
        (p.can_manage_offer, (COMMUNITY,), {"caseworker", "street", "county"}),
        (p.can_read_reports, (), OVERSIGHT | {"superuser"}),
        (p.can_read_ledgers, (), OVERSIGHT | {"street", "superuser"}),
        (p.is_officer, (), {"county", "city", "province"}),
        (p.sees_overdue, (), OVERSIGHT | {"superuser"}),
        (p.can_set_step_limits, (), {"county"}),
        (p.can_model_standards, (), {"county", "province"}),
        (p.can_open_api_clients, (), {"county", "province", "superuser"}),
        (p.sees_all_api_clients, (), {"province", "superuser"}),
        (p.can_manage_api_clients, (COUNTY,), {"county", "province", "superuser"}),
        (p.can_manage_api_clients, (FAR_COUNTY,), {"province", "superuser"}),
        (p.can_read_access_log, (), {"auditor", "province", "superuser"}),
        (p.can_administer, (), {"superuser"}),
        (p.can_manage_lockouts, (), {"county", "city", "province", "superuser"}),
        (p.sees_every_lockout, (), {"superuser"}),
        (p.can_receive_application, (COMMUNITY,), {"caseworker"}),
        (p.can_receive_application, (FAR_COMMUNITY,), set()),
    ],
)
def test_who_may(fn, args, expected):
    assert who(fn, *args) == expected


@pytest.mark.parametrize(
    ("action", "taker", "name"),
    [
        ("document", "caseworker", "本社区的社区工作人员"),
        ("visit", "caseworker", "本社区的社区工作人员"),
        ("review", "caseworker", "本社区的社区工作人员"),
        ("street_approve", "street", "本街道的民政专干"),
        ("street_return", "street", "本街道的民政专干"),
        ("street_reject", "street", "本街道的民政专干"),
        ("notice_start", "street", "本街道的民政专干"),
        ("objection", "street", "本街道的民政专干"),
        ("county_approve", "county", "本县（区）的民政部门"),
        ("county_reject", "county", "本县（区）的民政部门"),
    ],
)
def test_application_steps(action, taker, name):
    assert who(p.takes_step, action) == {taker}
    assert who(p.can_take_application_step, action, COMMUNITY) == {taker}
    assert who(p.can_take_application_step, action, FAR_COMMUNITY) == set()
    assert p.step_taker(action) == name
    assert p.takes_step(user(taker), "no_such_step") is False


def test_relief_desk():
    assert {role: p.relief_desk(user(role)) for role in ROLES} == {
        "caseworker": None,
        "street": "street",
        "county": "county",
        "city": None,
        "province": None,
        "auditor": None,
    }
    assert p.relief_desk(superuser()) is None


def test_standards_entry_by_region_level():
    county = Region(code=COUNTY, level=Region.Level.COUNTY)
    province = Region(code=PROVINCE, level=Region.Level.PROVINCE)
    far = Region(code=FAR_COUNTY, level=Region.Level.COUNTY)
    assert who(p.can_enter_standard, county) == {"county", "superuser"}
    assert who(p.can_enter_standard, province) == {"province", "superuser"}
    assert who(p.can_enter_standard, far) == {"superuser"}
    assert who(p.can_enter_standard, None) == set()


def test_ledger_review_tasks():
    community_task = SimpleNamespace(region_id=COMMUNITY)
    county_task = SimpleNamespace(region_id=COUNTY)
    assert who(p.can_review, community_task) == {"caseworker"}
    assert who(p.can_review, county_task) == {"county", "city", "province"}
    assert who(p.can_review, SimpleNamespace(region_id=FAR_COUNTY)) == {"province"}


def test_auditor_reads_and_never_writes():
    auditor = user("auditor")
    reads = [p.can_read_reports, p.can_read_ledgers, p.can_read_rolls, p.sees_overdue, p.can_read_access_log]
    assert all(fn(auditor) for fn in reads)
    writes = [
        p.can_decide_enrolment(auditor, COMMUNITY),
        p.can_recompute(auditor, COMMUNITY),
        p.can_manage_roll(auditor, COUNTY),
        p.sees_full_ids(auditor, COUNTY),
        p.can_apply_relief(auditor, COMMUNITY),
        p.can_import_into(auditor, COMMUNITY),
        p.can_manage_offer(auditor, COMMUNITY),
        p.can_receive_application(auditor, COMMUNITY),
        p.is_officer(auditor),
        p.can_manage_api_clients(auditor, COUNTY),
        p.can_review(auditor, SimpleNamespace(region_id=COMMUNITY)),
    ] + [p.takes_step(auditor, action) for action in p.STEP_ROLES]
    assert writes == [False] * len(writes)


@pytest.mark.parametrize("role", ROLES)
def test_inactive_users_may_nothing(role):
    u = user(role, active=False)
    answers = [
        p.is_caseworker(u),
        p.can_decide_enrolment(u, COMMUNITY),
        p.can_recompute(u, COMMUNITY),
        p.can_manage_roll(u, COUNTY),
        p.sees_full_ids(u, COUNTY),
        p.can_apply_relief(u, COMMUNITY),
        p.can_read_rolls(u),
        p.can_import_households(u),
        p.can_import_enrolments(u, COMMUNITY),
        p.can_manage_offer(u, COMMUNITY),
        p.can_read_reports(u),
        p.can_read_ledgers(u),
        p.sees_overdue(u),
        p.can_set_step_limits(u),
        p.can_open_api_clients(u),
        p.can_read_access_log(u),
        p.can_enter_standard(u, Region(code=COUNTY, level=Region.Level.COUNTY)),
        p.can_review(u, SimpleNamespace(region_id=COMMUNITY)),
    ] + [p.takes_step(u, action) for action in p.STEP_ROLES]
    assert answers == [False] * len(answers)


def test_inactive_superuser_may_nothing():
    root = superuser()
    root.is_active = False
    assert [p.sees_full_ids(root, COUNTY), p.can_read_reports(root), p.can_administer(root)] == [False] * 3


def test_department_client_is_not_staff():
    client = department()
    assert [
        p.has_staff_role(client),
        p.can_read_reports(client),
        p.can_read_ledgers(client),
        p.is_officer(client),
        p.can_review(client, SimpleNamespace(region_id=COUNTY)),
    ] == [False] * 5
    assert p.can_decide_extract(client, SimpleNamespace(client_id=7, region_id=COUNTY)) is True
    assert p.can_decide_extract(client, SimpleNamespace(client_id=8, region_id=COUNTY)) is False


def test_extract_decisions_of_officers():
    extract = SimpleNamespace(client_id=None, region_id=COUNTY)
    assert who(p.can_decide_extract, extract) == {"county", "city", "province"}


@pytest.mark.django_db
def test_region_lists():
    assert list(p.entry_regions(user("county")).values_list("code", flat=True)) == [COUNTY]
    assert list(p.entry_regions(user("province")).values_list("code", flat=True)) == [PROVINCE]
    assert p.entry_regions(user("street")).count() == 0
    assert set(p.officer_regions(user("county")).values_list("code", flat=True)) == {COUNTY}
    assert p.officer_regions(user("caseworker")).count() == 0
    assert p.can_act_for_region(user("county"), Region.objects.get(code=COUNTY)) is True
    assert p.can_act_for_region(user("county"), Region.objects.get(code=FAR_COUNTY)) is False
    assert p.can_act_for_region(user("auditor"), Region.objects.get(code=COUNTY)) is False
