"""Linked benefits (五(二)–(六)): who each department's list holds, set-based, with the continuation after exit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scope import scope_filter
from benefits.linked import SCOPE_FIELD, continues_until, linked_benefit_persons
from benefits.models import EnrolmentMember
from benefits.services import enrolments as services
from benefits.tests.factories import enrol, household

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)
ASKED = dt.date(2018, 8, 1)


def names(code: str, today: dt.date = ASKED, **kw) -> set[str]:
    return {row["name"] for row in linked_benefit_persons(code=code, today=today, **kw)}


@pytest.fixture
def world(std2018, county_officer):
    """A renting 低保 family where nobody works (zero-employment), a 支出型 family with a worker, and a 支出型
    family taken into 低保."""
    dibao = household(
        {"birth": "19750101", "income": "300", "name": "父亲", "employment": "unemployed"},
        {"birth": "20050101", "income": "0", "name": "学生", "employment": "student", "relation": "child"},
        {
            "birth": "19450101",
            "income": "0",
            "name": "祖母",
            "labor_capacity": "none",
            "employment": "retired",
            "relation": "grandparent",
        },
        housing="rented",
    )
    zhichu = household(
        {"birth": "19800101", "income": "700", "name": "支出户主", "employment": "employed"},
        hardship_causes=["illness"],
    )
    via = household(
        {"birth": "19800101", "income": "700", "name": "纳入低保户主", "employment": "flexible"},
        hardship_causes=["illness"],
        monthly_rigid_expenditure="200",
    )
    alone = household(
        {
            "birth": "19400101",
            "income": "0",
            "name": "特困老人",
            "labor_capacity": "none",
            "has_able_supporter": False,
        }
    )
    enrol(alone, acting_user=county_officer, today=APPROVED, category="tekun")
    return {
        "dibao": enrol(dibao, acting_user=county_officer, today=APPROVED),
        "zhichu": enrol(zhichu, acting_user=county_officer, today=APPROVED, category="zhichu"),
        "via": enrol(via, acting_user=county_officer, today=APPROVED, category="zhichu"),
    }


def test_each_department_list(world):
    assert world["dibao"].monthly_amount == 1440  # 580 × 3 − 300
    assert world["via"].monthly_amount == 80 and world["via"].dibao_paid  # 580 − (700 − 200)
    assert world["zhichu"].monthly_amount == 0 and not world["zhichu"].dibao_paid
    everyone = {"父亲", "学生", "祖母", "支出户主", "纳入低保户主"}
    assert names("medical_premium") == everyone | {"特困老人"}
    # policy.md §8.4: all three categories (version 1 left out 特困 and 支出型)
    assert names("medical_relief") == everyone | {"特困老人"}
    assert names("student_aid") == {"学生"}
    assert names("pension_contribution") == {"父亲"}  # 16–59, not working, not at school, not retired
    assert names("housing") == {"父亲", "学生", "祖母"}
    assert names("job_help") == {"父亲"}  # the zero-employment household's able member of working age


def test_a_row_says_who_where_since_and_when_it_changed(world):
    row = next(r for r in linked_benefit_persons(code="student_aid", today=ASKED))
    member = EnrolmentMember.objects.select_related("person", "enrolment").get(person__name="学生")
    assert row == {
        "id_number": member.person.id_number,
        "name": "学生",
        "category": "dibao",
        "county_code": "360102",
        "since": dt.date(2018, 7, 1),
        "updated_at": member.enrolment.updated_at,
        "status": "active",
        "ended": None,
        "benefit": "student_aid",
    }


def test_a_list_is_one_query_and_narrows_by_scope(world, make_user, other_community):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(linked_benefit_persons(code="medical_premium", today=ASKED))
    assert len(rows) == 6 and len(ctx.captured_queries) == 1
    elsewhere = make_user("county", other_community.code[:6])
    scoped = scope_filter(EnrolmentMember.objects.all(), elsewhere, SCOPE_FIELD)
    assert names("medical_premium", queryset_scope=scoped) == set()


def test_after_exit_premiums_run_to_the_year_end_and_student_aid_to_the_school_year_end(
    world, county_officer
):
    services.enrolment_exit(
        enrolment=world["dibao"],
        acting_user=county_officer,
        reason="income",
        note="收入超标",
        today=dt.date(2018, 9, 12),
    )
    october = dt.date(2018, 10, 15)
    assert {"父亲", "学生", "祖母"} <= names("medical_premium", october)
    assert "父亲" in names("pension_contribution", october)
    assert names("student_aid", october) == {"学生"}
    assert names("medical_relief", october) == {"支出户主", "纳入低保户主", "特困老人"}
    assert names("housing", october) == set() and names("job_help", october) == set()
    assert names("medical_premium", dt.date(2019, 1, 10)) == {"支出户主", "纳入低保户主", "特困老人"}
    assert names("student_aid", dt.date(2019, 8, 31)) == {"学生"}
    assert names("student_aid", dt.date(2019, 9, 1)) == set()
    assert continues_until("medical_premium", dt.date(2018, 9, 30)) == dt.date(2018, 12, 31)
    assert continues_until("student_aid", dt.date(2018, 9, 30)) == dt.date(2019, 8, 31)
    assert continues_until("student_aid", dt.date(2018, 5, 31)) == dt.date(2018, 8, 31)
    assert continues_until("housing", dt.date(2018, 9, 30)) is None


def test_unknown_code():
    with pytest.raises(ValueError):
        linked_benefit_persons(code="lottery")


def test_the_household_page_shows_status_gradual_date_linked_and_continuing_benefits(
    world, county_officer, caseworker, client, clock
):
    clock(dt.date(2018, 10, 15))
    services.enrolment_exit(
        enrolment=world["dibao"],
        acting_user=county_officer,
        reason="income",
        note="收入超标",
        today=dt.date(2018, 9, 12),
    )
    client.force_login(caseworker)
    body = client.get(reverse("household_detail", args=[world["dibao"].household_id])).content.decode()
    assert "已退出" in body and "城乡居民医保个人缴费全额资助" in body and "已退出，延续至" in body
    gradual = world["via"]
    head = gradual.household.members.get()
    head.income_wage, head.newly_employed_since = 2000, dt.date(2018, 8, 15)
    head.save()
    services.enrolment_recompute(
        enrolment=gradual, acting_user=caseworker, reason="就业", today=dt.date(2018, 8, 20)
    )
    body = client.get(reverse("household_detail", args=[gradual.household_id])).content.decode()
    assert "渐退中" in body and "渐退至 <strong>2019年8月15日</strong>" in body and "渐退期内继续享受" in body
