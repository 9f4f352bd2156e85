"""Coverage figures (policy.md §8.8; 五(一)1 户均保障人数、整户保障比例、常补对象保障比例; 三 三保障) in the oversight
reports, per region and period, computed on paper from the rows made here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benefits.models import EnrolmentMember
from common import idnumber
from conftest import make_id
from households.models import Household, Person
from ledgers.models import Extract, ExtractRow
from reports.tests.test_reports import A1, BAIHUA, Q2, TENGWANG, B, D, _build, _enrol, _table

pytestmark = pytest.mark.django_db


def person(household, birth: str, relation: str, **fields) -> Person:
    number = make_id(birth=birth, county=household.community_id[:6])
    return Person.objects.create(
        household=household,
        name=f"{relation}{birth}",
        id_number=number,
        birth_date=idnumber.parse(number).birth_date,
        sex=idnumber.parse(number).sex,
        relation=relation,
        **fields,
    )


def enrolled(household, category, people, *, user):
    e = _enrol(
        household,
        category,
        D(2025, 1, 1),
        covered=len(people),
        amount=Decimal("300"),
        component="dibao_subsidy",
        user=user,
    )
    EnrolmentMember.objects.bulk_create(
        [EnrolmentMember(enrolment=e, person=p, category=category) for p in people]
    )
    return e


@pytest.fixture
def world(make_user):
    user = make_user("county", "360102")
    # H1 (滕王阁): 3 members all covered by 低保; one aged 65 (常补); own housing; insured; nobody of school age
    h1 = Household.objects.create(community_id=A1, address="一号", housing="own")
    p1 = [person(h1, "19700101", "head"), person(h1, "20050101", "child"), person(h1, "19600101", "parent")]
    enrolled(h1, "dibao", p1, user=user)
    # H2 (滕王阁): 2 members, only the head covered; shanty; a child of 10 not at school; not insured
    h2 = Household.objects.create(community_id=A1, address="二号", housing="shanty")
    head2 = person(h2, "19800101", "head")
    person(h2, "20150101", "child")
    enrolled(h2, "dibao", [head2], user=user)
    # H3 (百花洲): a 特困 person of 75 on their own; public rental; insured
    h3 = Household.objects.create(community_id=B, address="三号", housing="public_rental")
    p3 = person(h3, "19500101", "head", labor_capacity="none")
    enrolled(h3, "tekun", [p3], user=user)
    extract = Extract.objects.create(
        kind="benefit",
        program="medical_premium",
        period="2025H1",
        region_id="360102",
        original_name="参保.csv",
        stored_name="x1",
        file_format="csv",
        status=Extract.Status.LOADED,
    )
    ExtractRow.objects.bulk_create(
        [ExtractRow(extract=extract, line=i + 2, id_number=p.id_number) for i, p in enumerate([*p1, p3])]
    )
    return user


def test_the_coverage_figures_by_street_and_in_total(world):
    rows, table = _table(_build("360102"), "coverage")
    assert table.header[1:] == [
        "低保户数",
        "户均保障人数",
        "整户保障比例（%）",
        "保障人数",
        "常补对象保障比例（%）",
        "保障户数",
        "基本医保参保（%）",
        "义务教育（%）",
        "住房安全（%）",
        "三保障均达到（%）",
    ]
    half = Decimal("50.0")
    assert rows[TENGWANG] == [2, Decimal("2.00"), half, 4, Decimal("25.0"), 2, half, half, half, half]
    hundred = Decimal("100.0")
    assert rows[BAIHUA] == [0, None, None, 1, hundred, 1, hundred, hundred, hundred, hundred]
    third = Decimal("66.7")
    assert rows["合计"] == [2, Decimal("2.00"), half, 5, Decimal("40.0"), 3, third, third, third, third]


def test_the_coverage_section_is_on_the_page_chart_and_excel_with_constant_queries(client, world, make_user):
    client.force_login(make_user("city", "360100"))
    url = "/ledgers/reports/half-year/?period=2025H1"
    page = client.get(url).content.decode()
    assert 'id="table-coverage"' in page and 'data-chart="chart-coverage"' in page and "整户保障比例" in page

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    before = count()
    h = Household.objects.create(community_id=A1, address="四号", housing="own")
    enrolled(h, "dibao", [person(h, "19900101", "head"), person(h, "20120101", "child")], user=world)
    assert count() == before
    assert Q2.end == dt.date(2025, 6, 1)
