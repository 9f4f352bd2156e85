"""The household import (imports/workbook.py, imports/services.py): template, row/column errors, all or
nothing, exact records, duplicates, scope, and enrolments that the next payment roll pays."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Event, Region
from applications.models import Application
from benefits.compute import household_facts
from benefits.models import Enrolment, EnrolmentMember, EnrolmentPeriod, PaymentLine
from benefits.services.rolls import roll_fill, roll_request
from common import idnumber
from common.spreadsheets import Sheet, write_workbook
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, make_id
from households.models import Household, Person
from households.tests.factories import household_make
from imports import services as imports
from imports import workbook as importing
from imports.models import ImportBatch

pytestmark = pytest.mark.django_db
HEADER = [c.label for c in importing.COLUMNS]
TODAY = timezone.localdate()
START = dt.date(TODAY.year - 1, 3, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def name(code: str) -> str:
    return Region.objects.get(code=code).name


def row(**values) -> list:
    return [values.get(c.key, "") for c in importing.COLUMNS]


def workbook(rows, header=HEADER, sheet=importing.DATA_SHEET) -> bytes:
    out = io.BytesIO()
    write_workbook([Sheet(sheet, header, rows)], out)
    return out.getvalue()


def upload(user, data: bytes, capture, name="台账.xlsx") -> ImportBatch:
    with capture(execute=True):
        batch = imports.import_upload(acting_user=user, file=io.BytesIO(data), original_name=name)
    batch.refresh_from_db()
    return batch


def confirm(user, batch, capture) -> ImportBatch:
    with capture(execute=True):
        imports.import_confirm(acting_user=user, batch=batch)
    batch.refresh_from_db()
    return batch


def counts() -> dict[str, int]:
    models = [
        Household,
        Person,
        Application,
        Enrolment,
        EnrolmentMember,
        EnrolmentPeriod,
        Household.history.model,
        Person.history.model,
        Application.history.model,
        Enrolment.history.model,
    ]
    return {m._meta.label: m.objects.count() for m in models}


def messages(batch) -> list[str]:
    return [i.text for i in batch.issues.order_by("line", "column", "id")]


def good_rows(ids):
    """Two households: a 低保 household of two (both covered) and a household without enrolment."""
    return [
        row(
            key="H1",
            community=HOME_COMMUNITY,
            address="民巷1号",
            phone="13800000001",
            housing="公租房/廉租房",
            bank_name="农业银行",
            bank_account="6228480000000000001",
            financial_assets="1500.5",
            vehicles="0",
            houses="1",
            business="否",
            monthly_rigid_expenditure="200",
            name="王一",
            id_number=ids[0],
            relation="户主",
            labor_capacity="部分劳动能力",
            disability_grade="",
            self_care="全自理",
            has_able_supporter="是",
            employment="灵活就业",
            income_wage="900",
            income_transfer="120.35",
            category="低保",
            monthly_amount="580.00",
            start_month=START.strftime("%Y-%m"),
            covered="是",
        ),
        row(
            key="H1",
            name="王二",
            id_number=ids[1],
            relation="配偶",
            labor_capacity="无劳动能力",
            disability_grade="二级",
            self_care="半失能",
            income_other="50",
        ),
        row(
            key="H2",
            community=HOME_COMMUNITY_2,
            address="民巷2号",
            name="李三",
            id_number=ids[2],
            relation="户主",
            income_business="1234.56",
        ),
    ]


# --- template ----------------------------------------------------------------------------------------


def test_template_has_chinese_headers_and_an_explanation_of_every_column(client, county_officer):
    client.force_login(county_officer)
    response = client.get("/households/import/template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["家庭成员", "填写说明", "填写示例", "社区代码"]
    assert [c for c in next(book["家庭成员"].iter_rows(values_only=True))] == HEADER
    explanation = list(book["填写说明"].iter_rows(values_only=True))
    header_at = explanation.index(("列", "列名", "含义", "格式", "是否必填", "示例"))
    lines = explanation[header_at + 1 :]
    assert [r[1] for r in lines] == HEADER
    assert lines[0] == (
        "A",
        "户编号",
        importing.COLUMNS[0].meaning,
        "文字或数字，最多32个字符",
        "必填",
        "DH-0001",
    )
    assert all(r[2] and r[3] and r[4] in ("必填", "选填") for r in lines)
    codes = [r[0] for r in list(book["社区代码"].iter_rows(values_only=True))[1:]]
    assert HOME_COMMUNITY in codes and all(c.startswith("360102") for c in codes)


def test_the_template_types_id_and_account_columns_as_text_and_offers_dropdowns(client, county_officer):
    client.force_login(county_officer)
    response = client.get("/households/import/template/")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["家庭成员"]
    letter = {label: importing._letter(i) for i, label in enumerate(HEADER)}
    text = [label for label in HEADER if sheet.column_dimensions[letter[label]].number_format == "@"]
    assert text == ["户编号", "社区区划代码", "联系电话", "银行账号", "身份证号码"]
    dropdowns = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert dropdowns == {
        "E2:E100001": '"自有住房,公租房/廉租房,租赁私房,棚户区/危旧房,无固定住所,其他"',
        "K2:K100001": '"是,否"',
        "O2:O100001": '"户主,配偶,子女,父母,孙子女,祖父母,兄弟姐妹,其他"',
        "P2:P100001": '"有劳动能力,部分劳动能力,无劳动能力"',
        "Q2:Q100001": '"无,一级,二级,三级,四级"',
        "R2:R100001": '"全自理,半失能,全失能"',
        "S2:S100001": '"是,否"',
        "T2:T100001": '"散居孤儿,机构供养孤儿"',
        "U2:U100001": '"就业,灵活就业,失业/未就业,在校学生,退休,不适用"',
        "AA2:AA100001": '"低保,特困,支出型"',
        "AD2:AD100001": '"是,否"',
        "AE2:AE100001": '"视力,听力,言语,肢体,智力,精神,多重"',
    }
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{letter[HEADER[-1]]}1"


def test_the_template_example_sheet_is_not_imported_and_a_blank_template_is_refused(
    county_officer, django_capture_on_commit_callbacks
):
    out = io.BytesIO()
    write_workbook(importing.template_sheets([]), out)
    batch = upload(county_officer, out.getvalue(), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.REJECTED
    assert messages(batch) == ["第1行：表头下没有数据行"]


# --- malformed workbooks -------------------------------------------------------------------------


def test_wrong_columns_are_refused_naming_the_header_row(county_officer, django_capture_on_commit_callbacks):
    before = counts()
    header = [h for h in HEADER if h not in ("住址", "与户主关系")] + ["序号"]
    rows = [
        [
            v
            for h, v in zip(
                HEADER,
                row(
                    key="H1",
                    community=HOME_COMMUNITY,
                    address="x",
                    name="甲",
                    id_number=make_id(),
                    relation="户主",
                ),
                strict=True,
            )
            if h not in ("住址", "与户主关系")
        ]
        + ["1"]
    ]
    batch = upload(county_officer, workbook(rows, header), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.REJECTED
    assert messages(batch) == ["第1行「表头」：缺少必填列：住址、与户主关系（请使用下载的导入模板）"]
    assert counts() == before


def test_a_file_without_a_header_or_not_xlsx_is_refused(county_officer, django_capture_on_commit_callbacks):
    batch = upload(
        county_officer, workbook([["a", "b"]] * 3, ["甲", "乙"]), django_capture_on_commit_callbacks
    )
    assert batch.status == ImportBatch.Status.FAILED and "找不到表头" in batch.error
    batch = upload(county_officer, b"not a zip file", django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.FAILED and batch.error.startswith("无法读取该 .xlsx 文件")
    with pytest.raises(imports.ServiceError):
        imports.import_upload(acting_user=county_officer, file=io.BytesIO(b"x"), original_name="a.csv")


def test_malformed_rows_are_refused_with_row_and_column_and_nothing_is_imported(
    county_officer, django_capture_on_commit_callbacks
):
    registered = household_make(community_id=HOME_COMMUNITY, members=1)
    elsewhere_id = registered.members.get().id_number
    foreign = household_make(
        community_id=Region.objects.filter(level=5)
        .exclude(code__startswith="3601")
        .order_by("code")
        .first()
        .code,
        members=1,
        address="外区机密地址",
    )
    good = make_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    outside = (
        Region.objects.filter(level=5, code__startswith="3601")
        .exclude(code__startswith="360102")
        .order_by("code")
        .first()
    )
    ids = [make_id() for _ in range(8)]
    rows = [
        row(
            key="H1", community=HOME_COMMUNITY, address="甲1", name="甲", id_number=bad_check, relation="户主"
        ),  # 2
        row(
            key="H2",
            community=HOME_COMMUNITY,
            address="乙1",
            name="乙",
            id_number=ids[0],
            relation="户主",
            income_wage="一千二",
        ),  # 3
        row(
            key="H3", community=HOME_COMMUNITY, address="丙1", name="丙", id_number=ids[1], relation="户主"
        ),  # 4
        row(key="H3", name="丙二", id_number=ids[1], relation="子女"),  # 5
        row(
            key="H4",
            community=HOME_COMMUNITY,
            address="丁1",
            name="丁",
            id_number=elsewhere_id,
            relation="户主",
        ),  # 6
        row(
            key="H5", community="360102999999", address="戊1", name="戊", id_number=ids[2], relation="户主"
        ),  # 7
        row(
            key="H6", community=outside.code, address="己1", name="己", id_number=ids[3], relation="户主"
        ),  # 8
        row(
            key="H7",
            community=HOME_COMMUNITY,
            address="庚1",
            name="庚",
            id_number=ids[4],
            relation="户主",
            category="五保",
            start_month="2024-13",
        ),  # 9
        row(
            key="H8",
            community=HOME_COMMUNITY,
            address="辛1",
            name="辛",
            id_number=ids[5],
            relation="户主",
            category="低保",
        ),  # 10
        row(
            key="H9",
            community=HOME_COMMUNITY,
            address="壬1",
            name="壬",
            id_number=ids[6],
            relation="户主",
            monthly_amount="300",
        ),  # 11
        row(key="H9", address="别处", name="壬二", id_number=ids[7], relation="户主"),  # 12
        row(
            key="H10",
            community=HOME_COMMUNITY,
            address="癸1",
            name="癸",
            id_number=foreign.members.get().id_number,
            relation="户主",
        ),  # 13
        row(
            key="H11",
            community=HOME_COMMUNITY,
            address="子1",
            name="子",
            id_number=int(ids[0][:17]),
            relation="户主",
        ),  # 14
    ]
    before = counts()
    batch = upload(county_officer, workbook(rows), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.REJECTED
    assert counts() == before
    assert messages(batch) == [
        "第2行 N列「身份证号码」：身份证号码校验位错误",
        "第3行 V列「工资性收入（元/月）」：应为数字，如 1000 或 1,000.50",
        "第5行 N列「身份证号码」：与第4行身份证号码重复，同一人只能登记一次",
        f"第6行 N列「身份证号码」：此人已是家庭#{registered.pk}（{name(HOME_COMMUNITY)} 滕王阁路1号）的成员，一人只能属于一个家庭",
        "第7行 B列「社区区划代码」：不是本省的社区（居委会）区划代码",
        f"第8行 B列「社区区划代码」：{outside.name}不在本人辖区内，不能导入",
        "第9行 AA列「救助类别」：应为以下之一：低保、特困、支出型、支出型贫困、特困人员、城市低保、"
        "城镇最低生活保障（低保）、城镇特困人员供养（特困）、支出型贫困低收入家庭",
        "第9行 AC列「起始月份」：月份格式应为 YYYY-MM，如2024-03",
        "第10行 AB列「月救助金（元）」：填了救助类别则须填写大于0的月救助金（在该户第一行填写）",
        "第10行 AC列「起始月份」：填了救助类别则须填写起始月份（在该户第一行填写）",
        "第11行 AB列「月救助金（元）」：该户没有填写救助类别，此列须不填",
        "第12行 C列「住址」：与本户（户编号H9）第11行的值不一致",
        "第13行 N列「身份证号码」：此人已在其他地区的家庭中登记，一人只能属于一个家庭，请联系其所在地核实",
        "第14行 N列「身份证号码」：身份证号码被存成了数字（末几位已丢失），请把该列设为文本格式",
    ]
    # An ID number shown back is masked; the foreign household's address never appears.
    assert all(len(i.value) < 18 or "*" in i.value for i in batch.issues.all())
    assert not any(foreign.address in m for m in messages(batch))
    assert batch.error_count == 14 and not imports._path(batch).exists()


def test_a_household_needs_exactly_one_head_and_a_covered_member(
    county_officer, django_capture_on_commit_callbacks
):
    ids = [make_id() for _ in range(4)]
    rows = [
        row(key="A", community=HOME_COMMUNITY, address="1", name="甲", id_number=ids[0], relation="子女"),
        row(
            key="B",
            community=HOME_COMMUNITY,
            address="2",
            name="乙",
            id_number=ids[1],
            relation="户主",
            category="低保",
            monthly_amount="100",
            start_month="2024-03",
            covered="否",
        ),
        row(
            key="C",
            community=HOME_COMMUNITY,
            address="3",
            name="丙",
            id_number=ids[2],
            relation="户主",
            covered="是",
        ),
    ]
    batch = upload(county_officer, workbook(rows), django_capture_on_commit_callbacks)
    assert messages(batch) == [
        "第2行 O列「与户主关系」：户编号A的家庭须有且只有一名户主，现有0名",
        "第3行 AD列「纳入保障」：户编号B填了救助类别，却没有一名成员纳入保障",
        "第4行 AD列「纳入保障」：该户没有填写救助类别，不能纳入保障",
    ]


# --- a good workbook -------------------------------------------------------------------------------


def test_a_good_workbook_is_previewed_then_imported_exactly(
    client, county_officer, django_capture_on_commit_callbacks
):
    ids = [make_id(birth="19750305"), make_id(birth="19780808", sex="F"), make_id(birth="19600101")]
    before = counts()
    events_before = Event.objects.count()
    batch = upload(county_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.CHECKED, messages(batch)
    assert (batch.rows_total, batch.households, batch.persons, batch.enrolments) == (3, 2, 3, 1)
    assert counts() == before  # the preview writes nothing
    assert batch.preview[0] == {
        "line": 2,
        "key": "H1",
        "community": HOME_COMMUNITY,
        "name": "王一",
        "id": idnumber.mask(ids[0]),
        "relation": "户主",
        "income": "1020.35",
        "category": "城镇最低生活保障（低保）",
        "amount": "580.00",
        "start": START.strftime("%Y-%m"),
        "covered": "是",
    }
    client.force_login(county_officer)
    page = client.get(f"/households/import/{batch.pk}/").content.decode()
    assert "确认导入全部 2 户 3 人" in page and ids[0] not in page and idnumber.mask(ids[0]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/households/import/{batch.pk}/confirm/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert client.get(f"/households/import/{batch.pk}/status/").json() == {
        "id": batch.pk,
        "status": "done",
        "status_label": "已导入",
        "stage": "",
        "percent": 100,
        "rows_checked": 3,
        "rows_total": 3,
        "busy": False,
    }

    after = counts()
    assert {k: after[k] - before[k] for k in after} == {
        "households.Household": 2,
        "households.Person": 3,
        "applications.Application": 1,
        "benefits.Enrolment": 1,
        "benefits.EnrolmentMember": 2,
        "benefits.EnrolmentPeriod": 1,
        "households.HistoricalHousehold": 2,
        "households.HistoricalPerson": 3,
        "applications.HistoricalApplication": 1,
        "benefits.HistoricalEnrolment": 1,
    }
    h1 = Household.objects.get(members__id_number=ids[0])
    assert (
        h1.community_id,
        h1.address,
        h1.phone,
        h1.housing,
        h1.bank_name,
        h1.bank_account,
        h1.financial_assets,
        h1.vehicles,
        h1.houses,
        h1.business,
        h1.monthly_rigid_expenditure,
        h1.hardship_causes,
    ) == (
        HOME_COMMUNITY,
        "民巷1号",
        "13800000001",
        "public_rental",
        "农业银行",
        "6228480000000000001",
        Decimal("1500.50"),
        0,
        1,
        False,
        Decimal("200.00"),
        [],
    )
    head = Person.objects.get(id_number=ids[0])
    assert (
        head.household_id,
        head.name,
        head.birth_date,
        head.sex,
        head.relation,
        head.labor_capacity,
        head.disability_grade,
        head.self_care,
        head.has_able_supporter,
        head.orphan,
        head.employment,
        head.income_wage,
        head.income_business,
        head.income_property,
        head.income_transfer,
        head.income_other,
    ) == (
        h1.pk,
        "王一",
        dt.date(1975, 3, 5),
        "M",
        "head",
        "partial",
        0,
        "full",
        True,
        "",
        "flexible",
        Decimal("900.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("120.35"),
        Decimal("0.00"),
    )
    spouse = Person.objects.get(id_number=ids[1])
    assert (
        spouse.household_id,
        spouse.name,
        spouse.sex,
        spouse.relation,
        spouse.labor_capacity,
        spouse.disability_grade,
        spouse.self_care,
        spouse.income_other,
    ) == (h1.pk, "王二", "F", "spouse", "none", 2, "semi", Decimal("50.00"))
    h2 = Household.objects.get(members__id_number=ids[2])
    assert (h2.community_id, h2.address, h2.housing, h2.bank_account) == (
        HOME_COMMUNITY_2,
        "民巷2号",
        "own",
        "",
    )
    assert not h2.enrolments.exists()

    enrolment = Enrolment.objects.get(household=h1)
    assert (
        enrolment.category,
        enrolment.status,
        enrolment.monthly_amount,
        enrolment.start_month,
        enrolment.components,
        enrolment.payee_id,
        enrolment.dibao_paid,
        enrolment.created_by_id,
        enrolment.review_months,
    ) == (
        "dibao",
        "active",
        Decimal("580.00"),
        START,
        {"dibao_subsidy": "580.00"},
        head.pk,
        True,
        county_officer.pk,
        6,
    )
    assert enrolment.next_review_on > TODAY
    assert enrolment.community_code == h1.community_id  # what the oversight reports group by
    assert sorted(enrolment.covered.values_list("person_id", "category")) == sorted(
        [(head.pk, "dibao"), (spouse.pk, "dibao")]
    )
    application = enrolment.application
    assert (
        application.status,
        application.category,
        application.proposed_category,
        application.proposed_amount,
        application.received_on,
        application.created_by_id,
    ) == ("approved", "dibao", "dibao", Decimal("580.00"), START, county_officer.pk)
    period = EnrolmentPeriod.objects.get(enrolment=enrolment)
    assert (
        period.start_month,
        period.end_month,
        period.status,
        period.monthly_amount,
        period.components,
        period.covered_count,
        period.superseded_at,
    ) == (START, None, "active", Decimal("580.00"), {"dibao_subsidy": "580.00"}, 2, None)
    assert period.facts == household_facts(h1)

    # History rows carry the acting user; one Event for the batch says what happened.
    assert set(Person.history.filter(id_number__in=ids).values_list("history_user_id", "history_type")) == {
        (county_officer.pk, "+")
    }
    assert Household.history.get(id=h1.pk).history_change_reason == f"台账导入#{batch.pk}"
    events = list(Event.objects.order_by("id")[events_before:].values_list("verb", flat=True))
    assert events[-1] == "台账导入：新建2户家庭档案、3名成员、1个救助对象"
    assert not imports._path(batch).exists()

    # The same workbook again: every person is now registered, nothing more is written.
    again = upload(county_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks)
    assert again.status == ImportBatch.Status.REJECTED
    assert messages(again) == [
        f"第{line}行 N列「身份证号码」：此人已是家庭#{pk}（{name} {address}）的成员，一人只能属于一个家庭"
        for line, pk, name, address in (
            (2, h1.pk, name(HOME_COMMUNITY), "民巷1号"),
            (3, h1.pk, name(HOME_COMMUNITY), "民巷1号"),
            (4, h2.pk, h2.community.name, "民巷2号"),
        )
    ]
    assert counts() == after


def test_imported_enrolments_are_paid_by_the_next_roll(county_officer, django_capture_on_commit_callbacks):
    ids = [make_id(), make_id(), make_id()]
    batch = upload(county_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks)
    batch = confirm(county_officer, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.DONE
    roll, _ = roll_request(
        acting_user=county_officer, county="360102", month=TODAY.replace(day=1), program="dibao", queue=False
    )
    roll = roll_fill(roll_id=roll.pk)
    lines = list(
        PaymentLine.objects.filter(roll=roll).values_list(
            "id_number", "amount", "covered_count", "bank_account", "held", "components"
        )
    )
    assert lines == [
        (ids[0], Decimal("580.00"), 2, "6228480000000000001", False, {"dibao_subsidy": "580.00"})
    ]
    assert roll.total_amount == Decimal("580.00")


def test_a_change_between_preview_and_confirm_refuses_everything(
    county_officer, caseworker, django_capture_on_commit_callbacks
):
    ids = [make_id(), make_id(), make_id()]
    batch = upload(county_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.CHECKED
    # Meanwhile the caseworker registers one of these persons by hand.
    home = household_make(community_id=HOME_COMMUNITY, members=0)
    info = idnumber.parse(ids[2])
    Person.objects.create(
        household=home,
        name="李三",
        id_number=ids[2],
        birth_date=info.birth_date,
        sex=info.sex,
        relation="head",
    )
    before = counts()
    batch = confirm(county_officer, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.REJECTED
    assert "全部未导入" in batch.error
    assert messages(batch) == [
        f"第4行 N列「身份证号码」：此人已是家庭#{home.pk}（{name(HOME_COMMUNITY)} 滕王阁路1号）的成员，一人只能属于一个家庭"
    ]
    assert counts() == before


def test_households_with_non_contiguous_rows_and_repeated_columns(
    county_officer, django_capture_on_commit_callbacks
):
    ids = [make_id(), make_id(), make_id()]
    rows = [
        row(key="7", community=HOME_COMMUNITY, address="甲", name="甲", id_number=ids[0], relation="户主"),
        row(key="8", community=HOME_COMMUNITY, address="乙", name="乙", id_number=ids[1], relation="户主"),
        row(
            key="7",
            community=HOME_COMMUNITY,
            address="甲",
            name="甲子",
            id_number=ids[2].lower(),
            relation="子女",
        ),
    ]
    batch = upload(county_officer, workbook(rows), django_capture_on_commit_callbacks)
    assert (batch.status, batch.households, batch.persons) == ("checked", 2, 3), messages(batch)
    confirm(county_officer, batch, django_capture_on_commit_callbacks)
    assert set(
        Person.objects.get(id_number=ids[0]).household.members.values_list("id_number", flat=True)
    ) == {ids[0], ids[2]}


# --- who may import what --------------------------------------------------------------------------


def test_a_street_officer_imports_households_but_not_enrolments(
    street_officer, django_capture_on_commit_callbacks
):
    ids = [make_id(), make_id(), make_id()]
    before = counts()
    batch = upload(street_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks)
    assert messages(batch) == ["第2行 AA列「救助类别」：只有县级民政可以导入救助对象（纳入保障由县级审批）"]
    assert counts() == before
    rows = [r[:26] for r in good_rows(ids)]  # the same ledger without the enrolment columns
    batch = upload(street_officer, workbook(rows, HEADER[:26]), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.CHECKED
    batch = confirm(street_officer, batch, django_capture_on_commit_callbacks)
    assert (batch.status, batch.households, batch.persons, batch.enrolments) == ("done", 2, 3, 0)


def test_rows_outside_the_uploaders_region_are_refused(
    caseworker, make_user, django_capture_on_commit_callbacks
):
    ids = [make_id(), make_id(), make_id()]
    rows = [r[:26] for r in good_rows(ids)]
    before = counts()
    batch = upload(caseworker, workbook(rows, HEADER[:26]), django_capture_on_commit_callbacks)
    assert messages(batch) == [f"第4行 B列「社区区划代码」：{name(HOME_COMMUNITY_2)}不在本人辖区内，不能导入"]
    other_county = make_user("county", "360103")
    batch = upload(other_county, workbook(rows, HEADER[:26]), django_capture_on_commit_callbacks)
    assert [m.split("：")[0] for m in messages(batch)] == [
        "第2行 B列「社区区划代码」",
        "第4行 B列「社区区划代码」",
    ]
    assert counts() == before


@pytest.mark.parametrize("role,region", [("city", "360100"), ("province", "360000"), ("auditor", "360000")])
def test_oversight_roles_import_nothing(client, make_user, role, region):
    user = make_user(role, region)
    with pytest.raises(imports.PermissionDenied):
        imports.import_upload(acting_user=user, file=io.BytesIO(workbook([])), original_name="a.xlsx")
    client.force_login(user)
    assert client.get("/households/import/template/").status_code == 403
    assert client.post("/households/import/", {"file": io.BytesIO(b"x")}).status_code == 403
    assert ImportBatch.objects.count() == 0


def test_only_the_uploader_confirms_and_others_outside_never_see_the_batch(
    client, county_officer, make_user, django_capture_on_commit_callbacks
):
    ids = [make_id(), make_id(), make_id()]
    batch = upload(county_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks)
    colleague = make_user("county", "360102")
    with pytest.raises(imports.PermissionDenied):
        imports.import_confirm(acting_user=colleague, batch=batch)
    client.force_login(make_user("county", "360103"))
    for url in (f"/households/import/{batch.pk}/", f"/households/import/{batch.pk}/status/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/households/import/{batch.pk}/confirm/").status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    imports.import_discard(acting_user=county_officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    with pytest.raises(imports.ServiceError):
        imports.import_confirm(acting_user=county_officer, batch=batch)


def test_the_detail_page_uses_a_constant_number_of_queries(
    client, county_officer, django_capture_on_commit_callbacks
):
    def queries_for(n: int) -> int:
        rows = [
            row(
                key=f"K{i}",
                community="360102999999",
                address="x",
                name="甲",
                id_number=make_id(),
                relation="户主",
            )
            for i in range(n)
        ]
        batch = upload(county_officer, workbook(rows), django_capture_on_commit_callbacks)
        assert batch.error_count == n
        client.force_login(county_officer)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/households/import/{batch.pk}/").status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(3) == queries_for(60)


def test_imported_records_open_on_the_existing_pages(
    client, caseworker, county_officer, django_capture_on_commit_callbacks
):
    ids = [make_id(), make_id(), make_id()]
    confirm(
        county_officer,
        upload(county_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    )
    enrolment = Enrolment.objects.get()
    client.force_login(caseworker)
    for url in (
        f"/households/{enrolment.household_id}/",
        f"/households/applications/{enrolment.application_id}/",
        f"/benefits/enrolments/{enrolment.pk}/",
        f"/households/{enrolment.household_id}/edit/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "王一" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(county_officer, settings):
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(imports.ServiceError) as exc:
        imports.import_upload(acting_user=county_officer, file=io.BytesIO(b"x" * 11), original_name="a.xlsx")
    assert exc.value.errors == [{"field": "file", "message": "文件超过 0 MB 的上限，请分成几个文件导入"}]
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_give_the_same_row_and_column_report_as_xlsx(
    fmt, county_officer, django_capture_on_commit_callbacks, soffice, tmp_path
):
    good = make_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    ids = [make_id() for _ in range(2)]
    rows = [
        row(
            key="H1", community=HOME_COMMUNITY, address="甲1", name="甲", id_number=bad_check, relation="户主"
        ),
        row(
            key="H2",
            community=HOME_COMMUNITY,
            address="乙1",
            name="乙",
            id_number=ids[0],
            relation="户主",
            income_wage="一千二",
        ),
        row(key="H3", community=HOME_COMMUNITY, address="丙1", name="丙", id_number=ids[1], relation="户主"),
        row(key="H3", name="丙二", id_number=ids[1], relation="子女"),
    ]
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook(rows))
    converted = soffice([path], fmt) / f"台账.{fmt}"
    before = counts()
    xlsx = upload(county_officer, path.read_bytes(), django_capture_on_commit_callbacks)
    other = upload(
        county_officer, converted.read_bytes(), django_capture_on_commit_callbacks, name=f"台账.{fmt}"
    )
    assert other.status == xlsx.status == ImportBatch.Status.REJECTED and counts() == before
    assert (
        messages(other)
        == messages(xlsx)
        == [
            "第2行 N列「身份证号码」：身份证号码校验位错误",
            "第3行 V列「工资性收入（元/月）」：应为数字，如 1000 或 1,000.50",
            "第5行 N列「身份证号码」：与第4行身份证号码重复，同一人只能登记一次",
        ]
    )


def test_a_clean_ods_file_imports_like_the_xlsx(
    county_officer, django_capture_on_commit_callbacks, soffice, tmp_path
):
    number = make_id()
    path = tmp_path / "台账.xlsx"
    path.write_bytes(
        workbook(
            [
                row(
                    key="H1",
                    community=HOME_COMMUNITY,
                    address="甲1",
                    name="甲",
                    id_number=number,
                    relation="户主",
                    bank_account="6228480000000000000",
                    income_wage="1200.50",
                )
            ]
        )
    )
    converted = soffice([path], "ods") / "台账.ods"
    batch = upload(
        county_officer, converted.read_bytes(), django_capture_on_commit_callbacks, name="台账.ods"
    )
    assert batch.status == ImportBatch.Status.CHECKED, messages(batch)
    batch = confirm(county_officer, batch, django_capture_on_commit_callbacks)
    person = Person.objects.get(id_number=number)
    assert (person.household.bank_account, person.income_wage) == ("6228480000000000000", Decimal("1200.50"))


def test_a_workbook_over_a_limit_is_refused_with_the_limit_and_nothing_is_read(
    county_officer, django_capture_on_commit_callbacks, settings
):
    settings.WORKBOOK_MAX_ROWS = 50
    data = workbook([row(key="H1")] + [[] for _ in range(60)])
    before = counts()
    batch = upload(county_officer, data, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.FAILED and counts() == before
    assert batch.error == "工作表超过50行的上限（空行也计算在内），请删除多余的空行或分成几个文件导入"


def test_an_imported_application_is_marked_imported_on_its_page_and_its_paper(
    county_officer, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    ids = [make_id() for _ in range(3)]
    batch = upload(county_officer, workbook(good_rows(ids)), django_capture_on_commit_callbacks)
    confirm(county_officer, batch, django_capture_on_commit_callbacks)
    application = Application.objects.get()
    assert application.from_ledger is True and application.status == Application.Status.APPROVED
    client.force_login(county_officer)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert 'id="imported-mark"' in page and "打印在册记录" in page and "打印通知书" not in page
    paper = client.get(reverse("application_letter", args=[application.pk])).content.decode()
    assert "原台账在册记录" in paper and "不是本系统出具的通知书" in paper
    # nothing of a decision the product issued: no document number, no seal, no appeal rights, no notice dates
    assert all(text not in paper for text in ("审批通知书", "民救〔", "盖章", "行政复议", "公示，"))
    from papers.services import decisions_of

    # no notice (文号) can be issued for a decision the product did not make
    assert [d for d in decisions_of(application) if d.kind == "approve"] == []


def test_a_decided_application_of_the_product_is_not_marked_imported(
    county_officer, caseworker, street_officer, client
):
    from django.urls import reverse

    from applications.tests.factories import application_at, standard_make

    standard_make(year=2018)
    application = application_at(
        "approved",
        household=household_make(community_id=HOME_COMMUNITY, members=2),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )
    assert application.from_ledger is False
    client.force_login(county_officer)
    paper = client.get(reverse("application_letter", args=[application.pk])).content.decode()
    assert "审批通知书" in paper and "原台账" not in paper


def test_the_error_report_exports_through_the_one_writer_with_formulas_as_text(
    county_officer, client, django_capture_on_commit_callbacks
):
    import csv

    from django.urls import reverse

    from accounts.models import AccessLog

    rows = [
        row(
            key="H1",
            community=HOME_COMMUNITY,
            address="甲1",
            name="甲",
            id_number=make_id(),
            relation="户主",
            income_wage='=HYPERLINK("http://ev.il")',
        ),
        row(
            key="H2",
            community=HOME_COMMUNITY,
            address="乙1",
            name="乙",
            id_number=make_id(),
            relation="@SUM(1)",
        ),
    ]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = importing.DATA_SHEET
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    for cell in (sheet["V2"], sheet["O3"]):
        cell.data_type = "s"  # as typed text in the uploaded file, not as a formula
    data = io.BytesIO()
    book.save(data)
    batch = upload(county_officer, data.getvalue(), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.REJECTED
    assert list(batch.issues.values_list("value", flat=True)) == ['=HYPERLINK("http://ev.il")', "@SUM(1)"]
    client.force_login(county_officer)
    expected = [
        (2, "V", "工资性收入（元/月）", "应为数字，如 1000 或 1,000.50", '\'=HYPERLINK("http://ev.il")'),
        (
            3,
            "O",
            "与户主关系",
            "应为以下之一：户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、其他、本人、妻、夫、子、女",
            "'@SUM(1)",
        ),
    ]
    response = client.get(reverse("import_issues_export", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["错误清单"]
    assert [tuple(c.value for c in r) for r in sheet.iter_rows(min_row=3)] == expected
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    response = client.get(reverse("import_issues_csv", args=[batch.pk]))
    text = b"".join(response.streaming_content).decode("utf-8")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert lines[0] == ["行号", "列", "列名", "错误", "原值"] and lines[1:] == [
        [str(line), *rest] for line, *rest in expected
    ]
    assert list(AccessLog.objects.order_by("id").values_list("count", flat=True)) == [2, 2]
