from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Event
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, make_id
from households.models import Household, Person
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db

MEMBER_DEFAULTS = {
    "relation": "head",
    "labor_capacity": "full",
    "disability_grade": "0",
    "self_care": "full",
    "has_able_supporter": "on",
    "orphan": "",
    "income_wage": "300",
    "income_business": "0",
    "income_property": "0",
    "income_transfer": "0",
    "income_other": "0",
    "employment": "employed",
    "newly_employed_since": "",
}


def form_data(members, community=HOME_COMMUNITY, initial=0, **household):
    data = {
        "community": community,
        "address": "滕王阁路8号",
        "phone": "13800000000",
        "housing": "own",
        "bank_name": "",
        "bank_account": "",
        "financial_assets": "0",
        "vehicles": "0",
        "houses": "1",
        "monthly_rigid_expenditure": "0",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(initial),
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
    }
    data.update(household)
    for i, member in enumerate(members):
        for key, value in {**MEMBER_DEFAULTS, **member}.items():
            data[f"members-{i}-{key}"] = value
    return data


def test_caseworker_creates_a_household_with_two_members(client, caseworker):
    client.force_login(caseworker)
    head, child = make_id(birth="19750310"), make_id(birth="20100101", sex="F")
    response = client.post(
        reverse("household_create"),
        form_data(
            [
                {"name": "张三", "id_number": head},
                {
                    "name": "张小妹",
                    "id_number": child,
                    "relation": "child",
                    "income_wage": "0",
                    "employment": "student",
                },
            ],
            hardship_causes=["illness"],
        ),
    )
    household = Household.objects.get()
    assert response.status_code == 302 and response.url == reverse("household_detail", args=[household.pk])
    assert household.community_id == HOME_COMMUNITY and household.hardship_causes == ["illness"]
    people = {p.name: p for p in household.members.all()}
    assert people["张小妹"].sex == "F" and str(people["张小妹"].birth_date) == "2010-01-01"
    assert people["张三"].monthly_income == Decimal("300.00")
    assert household.history.get().history_user == caseworker
    assert Person.history.filter(history_user=caseworker).count() == 2
    assert Event.objects.get().verb == "新建家庭档案"


@pytest.mark.parametrize(
    "member,field,message",
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位错误"),
        ({"id_number": "1101051949123100A2"}, "id_number", "末位为数字或X"),
        ({"id_number": "99010519491231002X"}, "id_number", "不是有效的省级行政区划代码"),
        ({"id_number": "1101051949123100"}, "id_number", "应为18位"),
        ({"income_wage": "-5"}, "income_wage", "工资性收入不能为负数"),
        ({"income_wage": "abc"}, "income_wage", "工资性收入应为数字，如 1000 或 1,000.50"),
        ({"income_wage": "1e3"}, "income_wage", "工资性收入应为数字，如 1000 或 1,000.50"),
        ({"income_wage": "NaN"}, "income_wage", "工资性收入应为数字，如 1000 或 1,000.50"),
        ({"income_wage": "1.225"}, "income_wage", "工资性收入最多保留两位小数（到分）"),
        ({"newly_employed_since": "2999-01-01"}, "newly_employed_since", "不能晚于今天"),
        ({"labor_capacity": "lots"}, "labor_capacity", "选择一个有效的选项"),
        ({"disability_grade": "5"}, "disability_grade", "选择一个有效的选项"),
        ({"name": ""}, "name", "必填"),
    ],
)
def test_bad_member_input_gets_a_field_error_and_nothing_is_saved(client, caseworker, member, field, message):
    client.force_login(caseworker)
    response = client.post(
        reverse("household_create"), form_data([{"name": "李四", "id_number": make_id(), **member}])
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert message in " ".join(errors[field])
    assert Household.objects.count() == 0 and Person.objects.count() == 0 and Event.objects.count() == 0


def test_id_numbers_and_amounts_are_read_as_people_type_them(client, caseworker):
    client.force_login(caseworker)
    number = make_id(birth="19750310")
    typed = "".join(chr(ord(c) + 0xFEE0) for c in number[:-1].lower()) + number[-1].lower()  # full-width
    response = client.post(
        reverse("household_create"),
        form_data(
            [{"name": "张三", "id_number": typed, "income_wage": "１,２００.５"}],
            financial_assets="12,000",
            monthly_rigid_expenditure="¥300",
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.id_number, person.income_wage) == (number, Decimal("1200.50"))
    household = Household.objects.get()
    assert (household.financial_assets, household.monthly_rigid_expenditure) == (
        Decimal("12000"),
        Decimal("300"),
    )


@pytest.mark.parametrize(
    "household,field,message",
    [
        ({"address": ""}, "address", "必填"),
        ({"financial_assets": "-1"}, "financial_assets", "金融资产不能为负数"),
        ({"financial_assets": "Infinity"}, "financial_assets", "金融资产应为数字"),
        ({"financial_assets": "1" * 13}, "financial_assets", "金融资产超出合理范围"),
        ({"vehicles": "-1"}, "vehicles", "大于或等于0"),
        ({"phone": "abc"}, "phone", "7–12位数字"),
        ({"bank_account": "12"}, "bank_account", "12–30位数字"),
        ({"community": HOME_COMMUNITY_2}, "community", "只能选择本人负责的社区"),
        ({"hardship_causes": ["war"]}, "hardship_causes", "war 不在可用的选项中"),
    ],
)
def test_bad_household_input_gets_a_field_error_and_nothing_is_saved(
    client, caseworker, household, field, message
):
    client.force_login(caseworker)
    response = client.post(
        reverse("household_create"), form_data([{"name": "李四", "id_number": make_id()}], **household)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_household_needs_exactly_one_head(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("household_create"),
        form_data(
            [
                {"name": "甲", "id_number": make_id()},
                {"name": "乙", "id_number": make_id()},
            ]
        ),
    )
    assert "有且只有一名户主，现有2名" in response.content.decode()
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_the_same_id_twice_in_one_household_is_refused(client, caseworker):
    client.force_login(caseworker)
    number = make_id()
    response = client.post(
        reverse("household_create"),
        form_data(
            [
                {"name": "甲", "id_number": number},
                {"name": "乙", "id_number": number, "relation": "child"},
            ]
        ),
    )
    assert "与第1名成员身份证号码重复" in " ".join(response.context["formset"].forms[1].errors["id_number"])
    assert Person.objects.count() == 0


def test_a_person_already_in_a_household_in_scope_is_refused_naming_it(client, caseworker):
    existing = household_make(community_id=HOME_COMMUNITY, members=1)
    taken = existing.members.get().id_number
    client.force_login(caseworker)
    response = client.post(reverse("household_create"), form_data([{"name": "甲", "id_number": taken}]))
    message = " ".join(response.context["formset"].forms[0].errors["id_number"])
    assert f"已是家庭#{existing.pk}" in message and "民巷社区" in message
    assert Household.objects.count() == 1 and Person.objects.count() == 1


def test_a_person_in_a_household_elsewhere_is_refused_without_naming_it(client, caseworker, other_community):
    elsewhere = household_make(community_id=other_community.code, members=1, address="秘密地址9号")
    taken = elsewhere.members.get().id_number
    client.force_login(caseworker)
    response = client.post(reverse("household_create"), form_data([{"name": "甲", "id_number": taken}]))
    body = response.content.decode()
    assert "此人已在其他地区的家庭中登记" in body
    assert "秘密地址9号" not in body and f"家庭#{elsewhere.pk}" not in body
    assert Household.objects.count() == 1


def test_edit_changes_head_adds_and_removes_members(client, caseworker):
    household = household_make(community_id=HOME_COMMUNITY, members=2)
    head, child = household.members.order_by("id")
    client.force_login(caseworker)
    newcomer = make_id(birth="19900101")
    data = form_data(
        [
            {"id": head.pk, "name": head.name, "id_number": head.id_number, "relation": "spouse"},
            {
                "id": child.pk,
                "name": child.name,
                "id_number": child.id_number,
                "relation": "child",
                "DELETE": "on",
            },
            {"name": "新户主", "id_number": newcomer, "relation": "head"},
        ],
        initial=2,
    )
    response = client.post(reverse("household_edit", args=[household.pk]), data)
    assert response.status_code == 302
    members = {p.name: p.relation for p in household.members.all()}
    assert members == {head.name: "spouse", "新户主": "head"}
    assert not Person.objects.filter(pk=child.pk).exists()
    assert Person.history.filter(id=child.pk, history_type="-").get().history_user == caseworker


def test_street_officer_and_auditor_read_but_cannot_write(client, street_officer, auditor):
    household = household_make(community_id=HOME_COMMUNITY)
    for user in (street_officer, auditor):
        client.force_login(user)
        assert client.get(reverse("household_detail", args=[household.pk])).status_code == 200
        assert client.get(reverse("household_edit", args=[household.pk])).status_code == 403
        response = client.post(
            reverse("household_edit", args=[household.pk]),
            form_data([{"name": "篡改", "id_number": make_id()}]),
        )
        assert response.status_code == 403
        assert client.get(reverse("household_create")).status_code == 403
    assert not Person.objects.filter(name="篡改").exists() and Household.objects.count() == 1


def test_list_masks_id_numbers_and_searches(client, caseworker):
    household = household_make(community_id=HOME_COMMUNITY, members=1)
    person = household.members.get()
    household_make(community_id=HOME_COMMUNITY, members=1)
    client.force_login(caseworker)
    body = client.get(reverse("household_list")).content.decode()
    assert person.id_masked in body and person.id_number not in body
    found = client.get(reverse("household_list"), {"q": person.id_number})
    assert [h.pk for h in found.context["page"]] == [household.pk]
    found = client.get(reverse("household_list"), {"q": person.name})
    assert [h.pk for h in found.context["page"]] == [household.pk]
    assert list(client.get(reverse("household_list"), {"q": "查无此人"}).context["page"]) == []


def test_detail_shows_full_id_and_history(client, caseworker):
    household = household_make(community_id=HOME_COMMUNITY, members=1)
    client.force_login(caseworker)
    body = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert household.members.get().id_number in body and "修改历史" in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["household_list", "household_detail"])
def test_pages_run_a_constant_number_of_queries(client, caseworker, url_name):
    client.force_login(caseworker)
    first = household_make(community_id=HOME_COMMUNITY, members=5)
    for _ in range(4):
        household_make(community_id=HOME_COMMUNITY, members=5)
    url = reverse(url_name, args=[first.pk]) if url_name == "household_detail" else reverse(url_name)
    small = _queries(client, url)
    for _ in range(45):
        household_make(community_id=HOME_COMMUNITY, members=5)
    if url_name == "household_detail":
        # fifty more changes to the household itself must not add queries either
        for i in range(45):
            first.address = f"变更{i}号"
            first.save()
    assert _queries(client, url) == small


def test_an_enrolled_member_cannot_be_deleted_from_the_household(
    client, caseworker, street_officer, county_officer
):
    from applications.tests.factories import application_at, standard_make
    from benefits.models import Enrolment

    standard_make(year=2026)
    household = household_make(community_id=HOME_COMMUNITY, members=2)
    application_at(
        "approved", household=household, caseworker=caseworker, street=street_officer, county=county_officer
    )
    assert Enrolment.objects.count() == 1
    head, child = household.members.order_by("id")
    client.force_login(caseworker)
    data = form_data(
        [
            {"id": head.pk, "name": head.name, "id_number": head.id_number, "relation": "head"},
            {
                "id": child.pk,
                "name": child.name,
                "id_number": child.id_number,
                "relation": "child",
                "DELETE": "on",
            },
        ],
        initial=2,
    )
    response = client.post(reverse("household_edit", args=[household.pk]), data)
    assert response.status_code == 200
    assert f"{child.name}已纳入救助保障，不能从家庭中删除" in response.content.decode()
    assert household.members.count() == 2
