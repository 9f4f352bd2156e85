"""Linked benefits (五(二)–(六)): who each department's list holds, set-based, with the continuation after exit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scope import scope_filter
from benefits.linked import SCOPE_FIELD, continues_until, linked_benefit_persons, with_medical_settings
from benefits.models import EnrolmentMember
from benefits.services import enrolments as services
from benefits.tests.factories import enrol, household
from eligibility.models import Standard
from eligibility.standard_entry import check_entry_rules

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


# --- policy.md §8.4: the medical-relief list carries its region's settings ----------------------------


def medical_rows(today: dt.date = ASKED) -> dict[str, dict]:
    rows = with_medical_settings(linked_benefit_persons(code="medical_relief", today=today), today=today)
    return {row["name"]: row for row in rows}


def test_the_medical_relief_list_carries_the_region_settings_or_says_unset(world):
    rows = medical_rows()
    # 5 percentage points from the shipped provincial 2018 row (the seed); no 大病起付线 anywhere: 待设置
    assert (
        rows["父亲"]["category"],
        rows["父亲"]["medical_uplift_pp"],
        rows["父亲"]["serious_illness_threshold"],
    ) == (
        "dibao",
        "5.00",
        None,
    )
    assert rows["父亲"]["medical_basis"] == "医疗救助比例在现行基础上提高5个百分点，个人缴费全额资助"
    assert (rows["支出户主"]["medical_uplift_pp"], rows["支出户主"]["serious_illness_threshold"]) == (
        None,
        None,
    )
    assert rows["支出户主"]["medical_basis"] == "纳入医疗救助范围，大病起付线 待设置，个人缴费全额资助"
    assert rows["特困老人"]["medical_basis"] == "纳入医疗救助筹资人群，个人缴费全额资助"
    assert (rows["特困老人"]["medical_uplift_pp"], rows["特困老人"]["serious_illness_threshold"]) == (
        None,
        None,
    )

    # the county sets its own figures: each row takes its region's
    Standard.objects.filter(region_id="360102", year=2018).update(
        medical_uplift_pp=Decimal("8"), serious_illness_threshold=Decimal("15000")
    )
    rows = medical_rows()
    assert rows["父亲"]["medical_uplift_pp"] == "8.00"
    assert rows["父亲"]["medical_basis"] == "医疗救助比例在现行基础上提高8个百分点，个人缴费全额资助"
    assert rows["支出户主"]["serious_illness_threshold"] == "15000.00"
    assert rows["支出户主"]["medical_basis"] == "纳入医疗救助范围，大病起付线 15000.00 元，个人缴费全额资助"


def test_no_standard_for_the_year_is_unset_not_guessed(world):
    rows = medical_rows(dt.date(2030, 3, 1))
    assert rows["父亲"]["medical_basis"] == "医疗救助比例在现行基础上提高的百分点待设置，个人缴费全额资助"
    assert rows["父亲"]["medical_uplift_pp"] is None


def test_the_medical_relief_api_rows_carry_the_settings(world, client, make_user, clock):
    clock(ASKED)
    Standard.objects.filter(region_id="360102", year=2018).update(serious_illness_threshold=Decimal("15000"))
    province = make_user("province", "360000")

    def province_api_key(scopes):
        from accounts.services import api_client_save, api_key_issue

        made = api_client_save(
            acting_user=province,
            values={
                "name": f"c{len(scopes)}{scopes[0]}",
                "department": "医保",
                "scopes": scopes,
                "rate_per_minute": 10000,
            },
        )
        return api_key_issue(acting_user=province, client=made)[1]

    key = province_api_key(["list:medical_relief"])
    body = client.get(
        "/api/v1/lists/benefits/medical_relief",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_PURPOSE="医疗救助",
    ).json()
    rows = {r["name"]: r for r in body["results"]}
    assert (rows["父亲"]["medical_uplift_pp"], rows["父亲"]["serious_illness_threshold"]) == ("5.00", None)
    assert (rows["支出户主"]["medical_uplift_pp"], rows["支出户主"]["serious_illness_threshold"]) == (
        None,
        "15000.00",
    )
    assert rows["支出户主"]["medical_basis"] == "纳入医疗救助范围，大病起付线 15000.00 元，个人缴费全额资助"
    # the other lists are unchanged
    key = province_api_key(["list:medical_premium"])
    other = client.get(
        "/api/v1/lists/benefits/medical_premium", HTTP_AUTHORIZATION=f"Api-Key {key}", HTTP_X_PURPOSE="医保"
    ).json()
    assert "medical_basis" not in other["results"][0]


def test_the_household_page_shows_the_medical_basis(world, caseworker, client, clock):
    clock(ASKED)
    client.force_login(caseworker)
    body = client.get(reverse("household_detail", args=[world["zhichu"].household_id])).content.decode()
    assert "纳入医疗救助范围，大病起付线 待设置，个人缴费全额资助" in body


@pytest.mark.parametrize(
    "values,field",
    [
        ({"medical_uplift_pp": Decimal("4.99")}, "medical_uplift_pp"),
        ({"medical_uplift_pp": Decimal("5")}, None),
        ({"medical_uplift_pp": Decimal("100.01")}, "medical_uplift_pp"),
        ({"serious_illness_threshold": Decimal("0")}, "serious_illness_threshold"),
        ({"serious_illness_threshold": Decimal("0.01")}, None),
    ],
)
def test_the_medical_settings_entry_rules(values, field):
    errors, _ = check_entry_rules(values)
    assert [e["field"] for e in errors] == ([field] if field else [])
    if field == "medical_uplift_pp" and values[field] < 5:
        assert errors[0]["message"] == (
            "低保对象医疗救助比例应在现行救助比例基础上提高不少于5个百分点（五(三)），现填 4.99"
        )


def test_the_standard_form_refuses_a_low_uplift_with_a_field_error(client, county_officer):
    client.force_login(county_officer)
    response = client.post(
        reverse("standard_create"),
        {"region": "360102", "year": "2031", "dibao": "900", "medical_uplift_pp": "3"},
    )
    assert "提高不少于5个百分点" in response.content.decode()
    assert not Standard.objects.filter(year=2031).exists()
