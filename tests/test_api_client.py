"""A department's developer, from the outside: generate a client with `openapi-python-client` from the
schema the running server serves, install it with pip, import it and call every endpoint through it.
Any drift between the schema and the code (a body the client cannot build, an answer it cannot parse, a
content type it cannot send) fails here. Slow (~30 s: the generator, and pip building the package)."""

from __future__ import annotations

import datetime
import importlib
import pkgutil
import subprocess
import sys
import urllib.request
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client as DjangoClient

from accounts.models import ApiClient
from accounts.services import api_client_save, api_key_issue
from applications.tests.factories import application_at, standard_make
from conftest import HOME_COMMUNITY, make_id
from households.tests.factories import household_make

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tools" / "openapi" / "client-config.yaml"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def _run(*command: str, cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture
def generated_client(live_server, tmp_path):
    """Generate, pip-install (into a directory of its own) and import the client; unload it afterwards."""
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as answer:
        (tmp_path / "openapi.json").write_bytes(answer.read())
    _run(
        str(GENERATOR),
        "generate",
        "--path",
        "openapi.json",
        "--config",
        str(CONFIG),
        "--output-path",
        "client",
        "--meta",
        "setup",
        cwd=tmp_path,
    )
    _run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--target",
        "site",
        str(tmp_path / "client"),
        cwd=tmp_path,
    )
    sys.path.insert(0, str(tmp_path / "site"))
    try:
        yield importlib.import_module("jiekun_api_client")
    finally:
        sys.path.remove(str(tmp_path / "site"))
        for name in [n for n in sys.modules if n.split(".")[0] == "jiekun_api_client"]:
            del sys.modules[name]


@pytest.fixture
def world(transactional_db, make_user, caseworker, street_officer, county_officer):
    cache.clear()
    province = make_user("province", "360000")
    department = api_client_save(
        acting_user=province,
        values={
            "name": "生成客户端",
            "department": "测试",
            "scopes": list(ApiClient.SCOPES),
            "region": None,
            "rate_per_minute": 100000,
        },
    )
    standard_make(year=datetime.date.today().year)
    standard_make(year=2018)
    household = household_make(community_id=HOME_COMMUNITY, members=2)
    application = application_at(
        "approved", household=household, caseworker=caseworker, street=street_officer, county=county_officer
    )
    staff = DjangoClient()
    staff.force_login(caseworker)
    return {
        "key": api_key_issue(acting_user=province, client=department)[1],
        "session": staff.cookies["sessionid"].value,
        "application": application.pk,
        "person": household.members.order_by("id").first().id_number,
    }


def test_a_generated_client_installs_imports_and_calls_every_endpoint(generated_client, live_server, world):
    jk = generated_client
    from jiekun_api_client import AuthenticatedClient, Client
    from jiekun_api_client.api.applications import (
        applications_events_list,
        applications_list,
        applications_retrieve,
    )
    from jiekun_api_client.api.eligibility import (
        eligibility_evaluate_create,
        eligibility_standards_effective_retrieve,
        eligibility_standards_list,
    )
    from jiekun_api_client.api.leads import leads_create
    from jiekun_api_client.api.ledgers import (
        ledgers_extracts_create,
        ledgers_extracts_discard_create,
        ledgers_extracts_errors_list,
        ledgers_extracts_list,
        ledgers_extracts_load_create,
        ledgers_extracts_retrieve,
        ledgers_findings_list,
    )
    from jiekun_api_client.api.lists import lists_benefits_list, lists_students_list
    from jiekun_api_client.api.persons import persons_retrieve
    from jiekun_api_client.models import (
        Error,
        EvaluateHouseholdRequest,
        EvaluateMemberRequest,
        EvaluateRequest,
        ExtractUploadKindEnum,
        ExtractUploadRequest,
        LeadInRequest,
        LinkedBenefitCodeEnum,
        ModeEnum,
        ReasonEnum,
    )
    from jiekun_api_client.types import File

    base = live_server.url
    department = AuthenticatedClient(base_url=base, token=world["key"], prefix="Api-Key")
    staff = AuthenticatedClient(
        base_url=base, token="-", auth_header_name="X-Unused", cookies={"sessionid": world["session"]}
    )
    public = Client(base_url=base)
    purpose = "UTF-8''" + quote("接口联调测试")
    called = set()

    def call(module, expected_status, **kwargs):
        called.add(module.__name__.rsplit(".", 1)[1])
        response = module.sync_detailed(**kwargs)
        assert response.status_code == expected_status, (module.__name__, response.content[:300])
        assert response.parsed is not None, module.__name__
        return response.parsed

    # Persons and lists
    coverage = call(
        persons_retrieve, 200, client=department, id_number=world["person"], x_purpose="medical_aid"
    )
    assert coverage.covered is True and coverage.region == "360102"
    rows = call(
        lists_benefits_list,
        200,
        client=department,
        code=LinkedBenefitCodeEnum("medical_premium"),
        x_purpose=purpose,
    )
    assert world["person"] in [row.id_number for row in rows.results]
    call(lists_students_list, 200, client=department, x_purpose=purpose)

    # A lead, reported twice with one reference
    lead = LeadInRequest(
        community=HOME_COMMUNITY,
        name="王某",
        reason=ReasonEnum("medical"),
        detail="大额医疗支出",
        reference="T-1",
    )
    first = call(leads_create, 201, client=department, body=lead)
    again = call(leads_create, 200, client=department, body=lead)
    assert (again.id, again.duplicate, first.duplicate) == (first.id, True, False)

    # An extract, uploaded as multipart, checked, then read, its errors listed, loaded; another discarded
    def upload():
        csv = f"身份证号码,姓名,死亡日期\n{make_id()},甲,2025-08-01\nbad,乙,2025-08-02\n".encode()
        body = ExtractUploadRequest(
            file=File(payload=BytesIO(csv), file_name="death.csv", mime_type="text/csv"),
            kind=ExtractUploadKindEnum("death"),
            period="2025H2",
            mode=ModeEnum("check"),
        )
        return call(ledgers_extracts_create, 202, client=department, body=body)

    extract = upload()
    assert call(ledgers_extracts_retrieve, 200, client=department, id=extract.id).status == "checked"
    errors = call(ledgers_extracts_errors_list, 200, client=department, id=extract.id)
    assert [(e.line, e.value) for e in errors.results] == [(3, "bad")]
    call(ledgers_extracts_load_create, 202, client=department, id=extract.id)
    call(ledgers_extracts_discard_create, 202, client=department, id=upload().id)
    listed = call(ledgers_extracts_list, 200, client=department)
    assert len(listed.results) == 2
    call(ledgers_findings_list, 200, client=department, x_purpose=purpose)

    # Evaluation (typed request and answer) and the public standards
    member = EvaluateMemberRequest(id_number=make_id("19490101"), monthly_income="300")
    evaluation = call(
        eligibility_evaluate_create,
        200,
        client=department,
        body=EvaluateRequest(
            region="360102",
            as_of=datetime.date(2018, 6, 1),
            household=EvaluateHouseholdRequest(members=[member]),
        ),
    )
    assert evaluation.members[0].id_number == member.id_number and evaluation.total_monthly
    call(eligibility_standards_list, 200, client=public, region="360102")
    call(eligibility_standards_effective_retrieve, 200, client=public, region="360102", year=2018)

    # The staff endpoints, with the signed-in session
    assert world["application"] in [a.id for a in call(applications_list, 200, client=staff).results]
    assert call(applications_retrieve, 200, client=staff, id=world["application"]).id == world["application"]
    call(applications_events_list, 200, client=staff, id=world["application"])

    # A failure parses into the shared Error type
    missing = call(ledgers_extracts_retrieve, 404, client=department, id=999999)
    assert isinstance(missing, Error) and missing.errors[0].field == "__all__"
    refused = call(persons_retrieve, 400, client=department, id_number=world["person"], x_purpose="%E5%8C")
    assert isinstance(refused, Error) and refused.errors[0].field == "X-Purpose"

    every = {
        name
        for group in pkgutil.iter_modules(jk.api.__path__)
        for name in (m.name for m in pkgutil.iter_modules([str(Path(jk.api.__path__[0]) / group.name)]))
    }
    assert called == every and len(every) == 17
