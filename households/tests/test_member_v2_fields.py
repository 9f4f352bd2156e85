"""Policy version 2 member facts on the pages and in the import: relation, disability kind, and the reason
a legal supporter cannot support (issue 15 item 2). Each test fails on the version-1 code."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from common import idnumber
from conftest import HOME_COMMUNITY, make_id
from households.models import Household, Person
from households.tests.factories import household_make
from households.tests.test_household_pages import form_data
from imports import workbook as importing
from imports.tests.test_import import counts, messages, row, upload, workbook

pytestmark = pytest.mark.django_db


def _person(household: Household, birth: str, **kw) -> Person:
    number = make_id(birth=birth, sex=kw.pop("sex", "M"))
    info = idnumber.parse(number)
    return Person.objects.create(
        household=household,
        name=kw.pop("name", "成员"),
        id_number=number,
        birth_date=info.birth_date,
        sex=info.sex,
        **kw,
    )


# -- the household form ---------------------------------------------------------------------------


def test_new_member_starts_without_the_supporter_box_ticked(client, caseworker):
    client.force_login(caseworker)
    page = client.get(reverse("household_create")).content.decode()
    box = re.search(r'<input[^>]*name="members-0-has_able_supporter"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    assert 'name="members-0-supporter_unable_reason"' in page
    # the relation is a picker with the contract's eight relations
    picker = re.search(r'<select name="members-0-relation".*?</select>', page, re.S)
    assert picker is not None and picker.group(0).count("<option") == 9  # with the empty choice


def test_edit_form_shows_the_legal_supporters_and_whether_they_are_able(client, caseworker):
    household = Household.objects.create(community_id=HOME_COMMUNITY, address="滕王阁路2号")
    _person(household, "19830301", name="王强", relation="head", income_wage=Decimal("2500"))
    _person(household, "19460101", name="王母", relation="parent", sex="F", labor_capacity="none")
    _person(household, "20100101", name="王小", relation="child")
    client.force_login(caseworker)
    page = client.get(reverse("household_edit", args=[household.pk])).content.decode()
    # the mother's supporters: the head, able; the head's: the child (8, not able)
    assert "户主 王强" in page and "法定赡养义务人，<strong>有履行能力</strong>" in page
    assert "子女 王小" in page and "法定赡养义务人，无履行能力" in page


def test_kind_and_reason_are_saved_and_shown(client, caseworker):
    client.force_login(caseworker)
    head, mother = make_id(birth="19830301"), make_id(birth="19460101", sex="F")
    response = client.post(
        reverse("household_create"),
        form_data(
            [
                {"name": "王强", "id_number": head, "disability_grade": "2", "disability_kind": "physical"},
                {
                    "name": "王母",
                    "id_number": mother,
                    "relation": "parent",
                    "labor_capacity": "none",
                    "has_able_supporter": "",
                    "supporter_unable_reason": "  儿子服刑中 ",
                    "income_wage": "0",
                    "employment": "retired",
                },
            ]
        ),
    )
    assert response.status_code == 302
    people = {p.name: p for p in Household.objects.get().members.all()}
    assert people["王强"].disability_kind == "physical"
    assert people["王母"].has_able_supporter is False
    assert people["王母"].supporter_unable_reason == "儿子服刑中"
    page = client.get(response.url).content.decode()
    assert "二级·肢体" in page and "无（儿子服刑中）" in page


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ({"disability_grade": "0", "disability_kind": "visual"}, "残疾等级为“无”时不应填写残疾类别"),
        ({"disability_grade": "1", "disability_kind": ""}, "请选择残疾类别"),
        ({"disability_grade": "1", "disability_kind": "alien"}, "选择一个有效的选项"),
    ],
)
def test_bad_kind_is_a_field_error_and_nothing_is_saved(client, caseworker, member, message):
    client.force_login(caseworker)
    before = Person.objects.count()
    response = client.post(
        reverse("household_create"), form_data([{"name": "张三", "id_number": make_id(), **member}])
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert any(message in e for e in errors["disability_kind"]), errors
    assert Person.objects.count() == before


def test_records_from_before_v2_keep_an_empty_kind_shown_as_to_complete(client, caseworker):
    household = household_make(community_id=HOME_COMMUNITY, members=1)
    person = household.members.get()
    Person.objects.filter(pk=person.pk).update(disability_grade=2)  # as the migration leaves it: no kind
    person.refresh_from_db()
    assert person.disability_kind == "" and person.to_complete == ["残疾类别"]
    client.force_login(caseworker)
    page = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "类别待补充" in page
    # editing something else does not force the kind now: it is completed at the next review
    data = form_data(
        [
            {
                "id": person.pk,
                "name": person.name,
                "id_number": person.id_number,
                "disability_grade": "2",
                "disability_kind": "",
                "income_wage": "400",
            }
        ],
        initial=1,
    )
    response = client.post(reverse("household_edit", args=[household.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.monthly_income == Decimal("400.00") and person.disability_kind == ""


def test_detail_page_names_the_member_and_the_supporter_when_the_check_fires(client, caseworker):
    household = Household.objects.create(community_id=HOME_COMMUNITY, address="滕王阁路3号")
    son = _person(household, "19830301", name="王强", relation="head", income_wage=Decimal("2500"))
    _person(
        household, "19460101", name="王母", relation="parent", labor_capacity="none", has_able_supporter=False
    )
    from eligibility.models import Standard

    Standard.objects.create(
        region_id="360000", year=dt.date.today().year, dibao=Decimal("800"), tekun=Decimal("1040")
    )
    client.force_login(caseworker)
    page = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    age = dt.date.today().year - 1983 - ((dt.date.today().month, dt.date.today().day) < (3, 1))
    assert f"王母：户主 {idnumber.mask(son.id_number)}（{age}岁，有劳动能力）是法定赡养义务人" in page


# -- the import ------------------------------------------------------------------------------------


def test_template_has_the_v2_columns_at_the_end():
    labels = [c.label for c in importing.COLUMNS]
    assert labels[-2:] == ["残疾类别", "义务人无履行能力原因"]


def _rows(ids, **second):
    return [
        row(
            key="H1",
            community=HOME_COMMUNITY,
            address="民巷9号",
            name="王强",
            id_number=ids[0],
            relation="户主",
            income_wage="2500",
        ),
        row(
            key="H1",
            name="王母",
            id_number=ids[1],
            relation="父母",
            labor_capacity="无劳动能力",
            has_able_supporter="否",
            **second,
        ),
    ]


def test_import_reads_kind_and_reason(county_officer, django_capture_on_commit_callbacks):
    from imports.tests.test_import import confirm

    ids = [make_id(birth="19830301"), make_id(birth="19460101", sex="F")]
    batch = upload(
        county_officer,
        workbook(
            _rows(
                ids, disability_grade="一级", disability_kind="视力残疾", supporter_unable_reason="儿子服刑"
            )
        ),
        django_capture_on_commit_callbacks,
    )
    assert messages(batch) == []
    confirm(county_officer, batch, django_capture_on_commit_callbacks)
    mother = Person.objects.get(id_number=ids[1])
    assert (mother.disability_grade, mother.disability_kind) == (1, "visual")
    assert mother.supporter_unable_reason == "儿子服刑"


def test_import_refuses_a_kind_without_a_grade(county_officer, django_capture_on_commit_callbacks):
    ids = [make_id(birth="19830301"), make_id(birth="19460101", sex="F")]
    before = counts()
    batch = upload(
        county_officer, workbook(_rows(ids, disability_kind="智力")), django_capture_on_commit_callbacks
    )
    column = importing.COLUMNS.index(importing.BY_KEY["disability_kind"])
    letter = chr(ord("A") + column) if column < 26 else "A" + chr(ord("A") + column - 26)
    assert messages(batch) == [f"第3行 {letter}列「残疾类别」：残疾等级为“无”时不应填写残疾类别"]
    assert counts() == before


# -- the export ------------------------------------------------------------------------------------


def test_member_export_carries_relation_kind_and_reason(client, caseworker, other_community):
    from conftest import export_sheets

    household = Household.objects.create(community_id=HOME_COMMUNITY, address="滕王阁路5号")
    son = _person(household, "19830301", name="王强", relation="head", disability_grade=2)
    mother = _person(
        household,
        "19460101",
        name="王母",
        relation="parent",
        sex="F",
        disability_grade=1,
        disability_kind="visual",
        has_able_supporter=False,
        supporter_unable_reason="儿子服刑",
    )
    elsewhere = household_make(community_id=other_community.code, members=1)
    client.force_login(caseworker)
    rows = export_sheets(client.get(reverse("member_export")))["家庭成员明细"]
    assert rows[1][:3] == ("家庭编号", "姓名", "与户主关系") and rows[1][8] == "残疾类别"
    body = rows[2:]
    assert [r[1] for r in body] == ["王强", "王母"]  # scope: the other community's household is not there
    assert body[0][2:4] == ("户主", idnumber.mask(son.id_number))
    assert body[0][7:11] == ("二级", "待补充", "全自理", "是")
    assert body[1][2] == "父母" and body[1][8] == "视力" and body[1][10:12] == ("否", "儿子服刑")
    assert mother.id_number not in repr(rows) and elsewhere.pk not in [r[0] for r in body]


def test_detail_page_lists_each_members_legal_supporters(client, caseworker):
    household = Household.objects.create(community_id=HOME_COMMUNITY, address="滕王阁路6号")
    _person(household, "19830301", name="王强", relation="head", income_wage=Decimal("2500"))
    _person(household, "19460101", name="王母", relation="parent", sex="F", labor_capacity="none")
    client.force_login(caseworker)
    page = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    today = dt.date.today()
    son_age = today.year - 1983 - ((today.month, today.day) < (3, 1))
    assert f"同户法定义务人：户主 王强（{son_age}岁，有履行能力）" in page
    assert "同户法定义务人：父母 王母" not in page  # a parent is no legal supporter of the head
