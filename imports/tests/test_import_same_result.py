"""The household import gives the same result as before the streaming pass (issue 18): on a small workbook with
every kind of error, the same issues (row, column, label, message, value) and preview; on a clean workbook whose
households' rows are not adjacent, the same checked JSON lines, byte for byte, and the same database rows.

The expected values below are what the import produced before the pass streamed its rows to a spill file
(commit a494f2d), so a change that alters any message, value or row fails here."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from common import idnumber
from common.spreadsheets import Sheet, write_workbook
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from imports import workbook as importing

TODAY = dt.date(2026, 12, 7)
FOREIGN = "360102002099"  # a community of the province outside the uploader's region
COMMUNITIES = {HOME_COMMUNITY: "民巷社区", HOME_COMMUNITY_2: "第二社区", FOREIGN: "外区社区"}


def fixed_id(n: int, birth: str = "19800101") -> str:
    first17 = f"360102{birth}{n:03d}"
    return first17 + idnumber.check_char(first17)


def row(**values) -> list:
    return [values.get(c.key, "") for c in importing.COLUMNS]


def household(key, community=HOME_COMMUNITY, **values) -> dict:
    return {"key": key, "community": community, "address": f"民巷{key}号", **values}


def error_rows() -> list[list]:
    bad_check = fixed_id(5)[:17] + ("0" if fixed_id(5)[17] != "0" else "1")
    return [
        row(**household("E1"), name="甲", id_number=fixed_id(1), relation="户主", vehicles="100"),
        row(key="E1", address="别处", name="乙", id_number=fixed_id(2), relation="配偶"),  # differs
        row(**household("E2", phone="电话"), name="丙", id_number=fixed_id(1), relation="户主"),  # dup ID
        row(key="E3", name="丁", id_number=fixed_id(3), relation="户主"),  # first row without household
        row(**household("E4", community="36010200200"), name="戊", id_number=bad_check, relation="户主"),
        row(**household("E5", community="999999999999"), name="己", id_number=fixed_id(6), relation="户主"),
        row(**household("E6", community=FOREIGN), name="庚", id_number=fixed_id(7), relation="户主"),
        row(
            **household("E7", community=HOME_COMMUNITY_2, category="低保"),
            name="辛",
            id_number=fixed_id(8),
            relation="户主",
        ),
        row(**household("E8", monthly_amount="100", start_month="2024-03"), name="壬", id_number=fixed_id(9)),
        row(key="E8", name="癸", id_number=fixed_id(10), relation="户主", covered="是"),
        row(
            **household("E9", category="特困", monthly_amount="300", start_month="2024-03"),
            name="子",
            id_number=fixed_id(11),
            relation="户主",
            covered="否",
        ),
        row(**household("E10"), name="丑", id_number=fixed_id(12), relation="配偶"),  # no head
        row(**household("E11"), name="寅", id_number=fixed_id(13), relation="户主"),
        row(key="E11", name="卯", id_number=fixed_id(14), relation="户主"),  # two heads
        row(
            **household("E12", bank_account="62x", financial_assets="1.234", business="也许"),
            name="辰\u202e",
            id_number=fixed_id(15),
            relation="叔叔",
            disability_kind="智力",
            income_wage="-5",
        ),
        row(
            **household("E13", start_month="三月", category="低保"), name="巳", id_number="", relation="户主"
        ),
        row(**household("E14", housing="城堡"), name="午", id_number=fixed_id(16), relation="户主"),
    ]


def clean_rows() -> list[list]:
    """Three households, the first two interleaved, one 低保 and one 特困 with a member not covered."""
    start = "2024-03"
    return [
        row(
            **household("C1", phone="13800000001", bank_name="农业银行", bank_account="6228 4800 0001"),
            housing="公租房/廉租房",
            financial_assets="1500.5",
            vehicles="0",
            houses="1",
            business="否",
            monthly_rigid_expenditure="200",
            name="王一",
            id_number=fixed_id(21),
            relation="户主",
            labor_capacity="部分劳动能力",
            self_care="全自理",
            has_able_supporter="是",
            employment="灵活就业",
            income_wage="900",
            income_transfer="120.35",
            category="低保",
            monthly_amount="580.00",
            start_month=start,
            covered="是",
        ),
        row(
            **household("C2"),
            name="李一",
            id_number=fixed_id(22, "19500505"),
            relation="户主",
            has_able_supporter="否",
            supporter_unable_reason="儿子服刑中\t（外省）",
            category="特困",
            monthly_amount="1,200",
            start_month="2024年4月",
        ),
        row(
            key="C1",
            name="王二",
            id_number=fixed_id(23, "20100202"),
            relation="子",
            disability_grade="二级",
            disability_kind="智力残疾",
            self_care="半失能",
            income_other="50",
        ),
        row(key="C2", name="李二", id_number=fixed_id(24, "19520606"), relation="配偶", covered="否"),
        row(
            **household("C3", community=HOME_COMMUNITY_2),
            name="张一",
            id_number=fixed_id(25),
            relation="本人",
            income_business="1234.56",
        ),
    ]


def workbook_file(tmp_path, rows) -> str:
    path = tmp_path / "ledger.xlsx"
    out = io.BytesIO()
    write_workbook([Sheet(importing.DATA_SHEET, [c.label for c in importing.COLUMNS], rows)], out)
    path.write_bytes(out.getvalue())
    return str(path)


def read(path: str) -> importing.Parsed:
    return importing.read_workbook(
        path=path,
        communities=COMMUNITIES,
        may_import=lambda code: code != FOREIGN,
        may_enrol=lambda code: code == HOME_COMMUNITY,
        today=TODAY,
    )


def observed_issues(parsed: importing.Parsed) -> list[tuple]:
    return [(i.line, i.column, i.label, i.message, i.value) for i in parsed.issues]


def observed_dump(parsed: importing.Parsed) -> list[str]:
    out = io.StringIO()
    importing.dump(parsed, out)
    return out.getvalue().splitlines()


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.WORKBOOK_MAX_ROWS = settings.WORKBOOK_MAX_ROWS  # read from settings, no database needed


def test_every_kind_of_error_gives_the_same_issues_as_before(tmp_path):
    parsed = read(workbook_file(tmp_path, error_rows()))
    assert observed_issues(parsed) == EXPECTED_ISSUES
    assert (parsed.rows, parsed.issue_count, len(parsed.households), parsed.persons) == EXPECTED_ERROR_COUNTS
    assert parsed.preview == EXPECTED_ERROR_PREVIEW


def test_a_clean_workbook_gives_the_same_checked_lines_and_preview_as_before(tmp_path):
    parsed = read(workbook_file(tmp_path, clean_rows()))
    assert parsed.ok, observed_issues(parsed)
    assert observed_dump(parsed) == EXPECTED_DUMP
    assert parsed.preview == EXPECTED_CLEAN_PREVIEW


def test_the_checked_lines_load_back_to_the_values_checked(tmp_path):
    parsed = read(workbook_file(tmp_path, clean_rows()))
    columns, households = importing.load(observed_dump(parsed))
    loaded = list(households)
    assert columns == parsed.columns
    assert [(h.key, h.line, h.values) for h in loaded] == [
        (h.key, h.line, h.values) for h in parsed.households
    ]
    assert [[(m[0], m[2], m[3], m[4], m[5]) for m in h.members] for h in loaded] == EXPECTED_LOADED_MEMBERS
    wage = importing.PERSON_FIELDS.index("income_wage")
    assert loaded[0].members[0][1][wage] == importing.Decimal("900.00")


def observed_rows(batch) -> dict[str, list]:
    """The rows the import wrote, without ids, times or today's dates (the batch number written as N)."""
    from applications.models import Application
    from benefits.models import Enrolment, EnrolmentMember, EnrolmentPeriod
    from households.models import Household, Person

    def plain(rows):
        return [tuple(str(v).replace(f"#{batch.pk}", "#N") for v in r) for r in rows]

    by_id = "id"
    return {
        "households": plain(
            Household.objects.order_by(by_id).values_list("community_id", *importing.HOUSEHOLD_FIELDS)
        ),
        "persons": plain(
            Person.objects.order_by(by_id).values_list(
                "household__address", *importing.PERSON_FIELDS, "birth_date", "sex"
            )
        ),
        "applications": plain(
            Application.objects.order_by(by_id).values_list(
                "household__address",
                "category",
                "status",
                "reasons",
                "received_on",
                "proposed_category",
                "proposed_amount",
                "decision_reason",
                "from_ledger",
            )
        ),
        "enrolments": plain(
            Enrolment.objects.order_by(by_id).values_list(
                "household__address",
                "community_code",
                "category",
                "components",
                "monthly_amount",
                "start_month",
                "status",
                "payee__id_number",
                "dibao_paid",
                "review_months",
            )
        ),
        "members": plain(
            EnrolmentMember.objects.order_by(by_id).values_list(
                "enrolment__household__address", "person__id_number", "category", "amounts"
            )
        ),
        "periods": plain(
            EnrolmentPeriod.objects.order_by(by_id).values_list(
                "enrolment__household__address",
                "start_month",
                "status",
                "monthly_amount",
                "components",
                "covered_count",
                "facts",
                "reason",
            )
        ),
        "history": plain(
            (
                m._meta.label,
                m.history.filter(history_type="+", history_change_reason=f"台账导入#{batch.pk}").count(),
            )
            for m in (Household, Person, Application, Enrolment)
        ),
    }


@pytest.mark.django_db
def test_the_import_writes_the_same_rows_as_before(
    tmp_path, settings, county_officer, django_capture_on_commit_callbacks
):
    from households.models import Household
    from imports import services as imports
    from imports.models import ImportBatch

    settings.MEDIA_ROOT = tmp_path / "media"
    before = Household.objects.count()
    with (
        open(workbook_file(tmp_path, clean_rows()), "rb") as f,
        django_capture_on_commit_callbacks(execute=True),
    ):
        batch = imports.import_upload(acting_user=county_officer, file=f, original_name="台账.xlsx")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(acting_user=county_officer, batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.households, batch.persons, batch.enrolments) == ("done", 3, 5, 2)
    assert before == 0
    assert observed_rows(batch) == EXPECTED_ROWS


# What the import produced before (commit a494f2d), printed by running these helpers against it.
EXPECTED_ISSUES = [
    (2, "I", "机动车辆（辆）", "应为0至99的整数", "100"),
    (3, "C", "住址", "与本户（户编号E1）第2行的值不一致", "别处"),
    (4, "D", "联系电话", "联系电话应为数字，最多20位", "电话"),
    (4, "N", "身份证号码", "与第2行身份证号码重复，同一人只能登记一次", "3601**********0013"),
    (5, "B", "社区区划代码", "必填（在该户第一行填写）", ""),
    (5, "C", "住址", "必填（在该户第一行填写）", ""),
    (6, "B", "社区区划代码", "社区区划代码应为12位数字", "36010200200"),
    (6, "N", "身份证号码", "身份证号码校验位错误", "3601**********0050"),
    (7, "B", "社区区划代码", "不是本省的社区（居委会）区划代码", "999999999999"),
    (8, "B", "社区区划代码", "外区社区不在本人辖区内，不能导入", "360102002099"),
    (9, "AA", "救助类别", "只有县级民政可以导入救助对象（纳入保障由县级审批）", ""),
    (9, "AB", "月救助金（元）", "填了救助类别则须填写大于0的月救助金（在该户第一行填写）", ""),
    (9, "AC", "起始月份", "填了救助类别则须填写起始月份（在该户第一行填写）", ""),
    (10, "O", "与户主关系", "必填", ""),
    (10, "AB", "月救助金（元）", "该户没有填写救助类别，此列须不填", ""),
    (10, "AC", "起始月份", "该户没有填写救助类别，此列须不填", ""),
    (11, "AD", "纳入保障", "该户没有填写救助类别，不能纳入保障", ""),
    (16, "G", "银行账号", "银行账号应为数字，最多32位", "62x"),
    (16, "H", "金融资产（元）", "最多保留两位小数（到分）", "1.234"),
    (16, "K", "有营业执照", "应填“是”或“否”", "也许"),
    (16, "M", "姓名", "不能含有不可见的控制字符（U+202E），它们会让打印或导出的文字与实际不符", "辰\u202e"),
    (
        16,
        "O",
        "与户主关系",
        "应为以下之一：户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、其他、本人、妻、夫、子、女",
        "叔叔",
    ),
    (16, "V", "工资性收入（元/月）", "应为数字，如 1000 或 1,000.50", "'-5"),
    (16, "AE", "残疾类别", "残疾等级为“无”时不应填写残疾类别", "intellectual"),
    (17, "N", "身份证号码", "必填", ""),
    (17, "AC", "起始月份", "月份格式应为 YYYY-MM，如2024-03", "三月"),
    (17, "AB", "月救助金（元）", "填了救助类别则须填写大于0的月救助金（在该户第一行填写）", ""),
    (
        18,
        "E",
        "住房情况",
        "应为以下之一：自有住房、公租房/廉租房、租赁私房、棚户区/危旧房、无固定住所、其他",
        "城堡",
    ),
    (12, "AD", "纳入保障", "户编号E9填了救助类别，却没有一名成员纳入保障", ""),
    (13, "O", "与户主关系", "户编号E10的家庭须有且只有一名户主，现有0名", ""),
    (15, "O", "与户主关系", "户编号E11的家庭须有且只有一名户主，现有2名", ""),
]
EXPECTED_ERROR_COUNTS = (17, 31, 14, 7)
EXPECTED_ERROR_PREVIEW = [
    {
        "line": 7,
        "key": "E5",
        "community": "999999999999",
        "name": "己",
        "id": "3601**********0064",
        "relation": "户主",
        "income": "0.00",
        "category": "",
        "amount": "",
        "start": "",
        "covered": "否",
    },
    {
        "line": 8,
        "key": "E6",
        "community": "360102002099",
        "name": "庚",
        "id": "3601**********0072",
        "relation": "户主",
        "income": "0.00",
        "category": "",
        "amount": "",
        "start": "",
        "covered": "否",
    },
    {
        "line": 9,
        "key": "E7",
        "community": "360102002002",
        "name": "辛",
        "id": "3601**********0080",
        "relation": "户主",
        "income": "0.00",
        "category": "城镇最低生活保障（低保）",
        "amount": "",
        "start": "",
        "covered": "是",
    },
    {
        "line": 12,
        "key": "E9",
        "community": "360102002001",
        "name": "子",
        "id": "3601**********011X",
        "relation": "户主",
        "income": "0.00",
        "category": "城镇特困人员供养（特困）",
        "amount": "300.00",
        "start": "2024-03",
        "covered": "否",
    },
    {
        "line": 13,
        "key": "E10",
        "community": "360102002001",
        "name": "丑",
        "id": "3601**********0128",
        "relation": "配偶",
        "income": "0.00",
        "category": "",
        "amount": "",
        "start": "",
        "covered": "否",
    },
    {
        "line": 14,
        "key": "E11",
        "community": "360102002001",
        "name": "寅",
        "id": "3601**********0136",
        "relation": "户主",
        "income": "0.00",
        "category": "",
        "amount": "",
        "start": "",
        "covered": "否",
    },
    {
        "line": 15,
        "key": "E11",
        "community": "360102002001",
        "name": "卯",
        "id": "3601**********0144",
        "relation": "户主",
        "income": "0.00",
        "category": "",
        "amount": "",
        "start": "",
        "covered": "否",
    },
]
EXPECTED_DUMP = [
    '{"key": "A", "community": "B", "address": "C", "phone": "D", "housing": "E", "bank_name": "F", "bank_account": "G", "financial_assets": "H", "vehicles": "I", "houses": "J", "business": "K", "monthly_rigid_expenditure": "L", "name": "M", "id_number": "N", "relation": "O", "labor_capacity": "P", "disability_grade": "Q", "self_care": "R", "has_able_supporter": "S", "orphan": "T", "employment": "U", "income_wage": "V", "income_business": "W", "income_property": "X", "income_transfer": "Y", "income_other": "Z", "category": "AA", "monthly_amount": "AB", "start_month": "AC", "covered": "AD", "disability_kind": "AE", "supporter_unable_reason": "AF"}',
    '["C1",2,{"key":"C1","community":"360102002001","address":"民巷C1号","phone":"13800000001","housing":"public_rental","bank_name":"农业银行","bank_account":"622848000001","financial_assets":"1500.50","vehicles":0,"houses":1,"business":false,"monthly_rigid_expenditure":"200.00","category":"dibao","monthly_amount":"580.00","start_month":"2024-03-01"},[[2,["王一","360102198001010216","head","partial",0,"full",true,"","flexible","900.00","0.00","0.00","120.35","0.00","",""],"360102198001010216","1980-01-01","M",true],[4,["王二","360102201002020234","child","full",2,"semi",true,"","na","0.00","0.00","0.00","0.00","50.00","intellectual",""],"360102201002020234","2010-02-02","M",true]]]',
    '["C2",3,{"key":"C2","community":"360102002001","address":"民巷C2号","phone":"","housing":"own","bank_name":"","bank_account":"","financial_assets":"0.00","vehicles":0,"houses":0,"business":false,"monthly_rigid_expenditure":"0.00","category":"tekun","monthly_amount":"1200.00","start_month":"2024-04-01"},[[3,["李一","36010219500505022X","head","full",0,"full",false,"","na","0.00","0.00","0.00","0.00","0.00","","儿子服刑中\\t（外省）"],"36010219500505022X","1950-05-05","F",true],[5,["李二","360102195206060248","spouse","full",0,"full",true,"","na","0.00","0.00","0.00","0.00","0.00","",""],"360102195206060248","1952-06-06","F",false]]]',
    '["C3",6,{"key":"C3","community":"360102002002","address":"民巷C3号","phone":"","housing":"own","bank_name":"","bank_account":"","financial_assets":"0.00","vehicles":0,"houses":0,"business":false,"monthly_rigid_expenditure":"0.00","category":"","monthly_amount":null,"start_month":null},[[6,["张一","360102198001010259","head","full",0,"full",true,"","na","0.00","1234.56","0.00","0.00","0.00","",""],"360102198001010259","1980-01-01","M",false]]]',
]
EXPECTED_CLEAN_PREVIEW = [
    {
        "line": 2,
        "key": "C1",
        "community": "360102002001",
        "name": "王一",
        "id": "3601**********0216",
        "relation": "户主",
        "income": "1020.35",
        "category": "城镇最低生活保障（低保）",
        "amount": "580.00",
        "start": "2024-03",
        "covered": "是",
    },
    {
        "line": 3,
        "key": "C2",
        "community": "360102002001",
        "name": "李一",
        "id": "3601**********022X",
        "relation": "户主",
        "income": "0.00",
        "category": "城镇特困人员供养（特困）",
        "amount": "1200.00",
        "start": "2024-04",
        "covered": "是",
    },
    {
        "line": 4,
        "key": "C1",
        "community": "360102002001",
        "name": "王二",
        "id": "3601**********0234",
        "relation": "子女",
        "income": "50.00",
        "category": "城镇最低生活保障（低保）",
        "amount": "580.00",
        "start": "2024-03",
        "covered": "是",
    },
    {
        "line": 5,
        "key": "C2",
        "community": "360102002001",
        "name": "李二",
        "id": "3601**********0248",
        "relation": "配偶",
        "income": "0.00",
        "category": "城镇特困人员供养（特困）",
        "amount": "1200.00",
        "start": "2024-04",
        "covered": "否",
    },
    {
        "line": 6,
        "key": "C3",
        "community": "360102002002",
        "name": "张一",
        "id": "3601**********0259",
        "relation": "户主",
        "income": "1234.56",
        "category": "",
        "amount": "",
        "start": "",
        "covered": "否",
    },
]
EXPECTED_LOADED_MEMBERS = [
    [
        (2, "360102198001010216", dt.date(1980, 1, 1), "M", True),
        (4, "360102201002020234", dt.date(2010, 2, 2), "M", True),
    ],
    [
        (3, "36010219500505022X", dt.date(1950, 5, 5), "F", True),
        (5, "360102195206060248", dt.date(1952, 6, 6), "F", False),
    ],
    [(6, "360102198001010259", dt.date(1980, 1, 1), "M", False)],
]
EXPECTED_ROWS = {
    "households": [
        (
            "360102002001",
            "民巷C1号",
            "13800000001",
            "public_rental",
            "农业银行",
            "622848000001",
            "1500.50",
            "0",
            "1",
            "False",
            "200.00",
        ),
        ("360102002001", "民巷C2号", "", "own", "", "", "0.00", "0", "0", "False", "0.00"),
        ("360102002002", "民巷C3号", "", "own", "", "", "0.00", "0", "0", "False", "0.00"),
    ],
    "persons": [
        (
            "民巷C1号",
            "王一",
            "360102198001010216",
            "head",
            "partial",
            "0",
            "full",
            "True",
            "",
            "flexible",
            "900.00",
            "0.00",
            "0.00",
            "120.35",
            "0.00",
            "",
            "",
            "1980-01-01",
            "M",
        ),
        (
            "民巷C1号",
            "王二",
            "360102201002020234",
            "child",
            "full",
            "2",
            "semi",
            "True",
            "",
            "na",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "50.00",
            "intellectual",
            "",
            "2010-02-02",
            "M",
        ),
        (
            "民巷C2号",
            "李一",
            "36010219500505022X",
            "head",
            "full",
            "0",
            "full",
            "False",
            "",
            "na",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "",
            "儿子服刑中\t（外省）",
            "1950-05-05",
            "F",
        ),
        (
            "民巷C2号",
            "李二",
            "360102195206060248",
            "spouse",
            "full",
            "0",
            "full",
            "True",
            "",
            "na",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "",
            "",
            "1952-06-06",
            "F",
        ),
        (
            "民巷C3号",
            "张一",
            "360102198001010259",
            "head",
            "full",
            "0",
            "full",
            "True",
            "",
            "na",
            "0.00",
            "1234.56",
            "0.00",
            "0.00",
            "0.00",
            "",
            "",
            "1980-01-01",
            "M",
        ),
    ],
    "applications": [
        (
            "民巷C1号",
            "dibao",
            "approved",
            "原台账导入（台账导入#N，户编号C1）",
            "2024-03-01",
            "dibao",
            "580.00",
            "原台账在册对象，台账导入#N",
            "True",
        ),
        (
            "民巷C2号",
            "tekun",
            "approved",
            "原台账导入（台账导入#N，户编号C2）",
            "2024-04-01",
            "tekun",
            "1200.00",
            "原台账在册对象，台账导入#N",
            "True",
        ),
    ],
    "enrolments": [
        (
            "民巷C1号",
            "360102002001",
            "dibao",
            "{'dibao_subsidy': '580.00'}",
            "580.00",
            "2024-03-01",
            "active",
            "360102198001010216",
            "True",
            "6",
        ),
        (
            "民巷C2号",
            "360102002001",
            "tekun",
            "{'tekun_basic': '1200.00'}",
            "1200.00",
            "2024-04-01",
            "active",
            "36010219500505022X",
            "False",
            "12",
        ),
    ],
    "members": [
        ("民巷C1号", "360102198001010216", "dibao", "{}"),
        ("民巷C1号", "360102201002020234", "dibao", "{}"),
        ("民巷C2号", "36010219500505022X", "tekun", "{}"),
    ],
    "periods": [
        (
            "民巷C1号",
            "2024-03-01",
            "active",
            "580.00",
            "{'dibao_subsidy': '580.00'}",
            "2",
            "{'members': [{'orphan': None, 'relation': 'head', 'id_number': '360102198001010216', 'self_care': 'full', 'labor_capacity': 'partial', 'monthly_income': '1020.35', 'disability_grade': 0, 'has_able_supporter': True, 'newly_employed_since': None}, {'orphan': None, 'relation': 'child', 'id_number': '360102201002020234', 'self_care': 'semi', 'labor_capacity': 'full', 'monthly_income': '50.00', 'disability_kind': 'intellectual', 'disability_grade': 2, 'has_able_supporter': True, 'newly_employed_since': None}], 'property': {'houses': 1, 'business': False, 'vehicles': 0, 'financial_assets': '1500.50'}, 'hardship_causes': [], 'monthly_rigid_expenditure': '200.00'}",
            "原台账在册对象导入（台账导入#N），自2024年3月起发放",
        ),
        (
            "民巷C2号",
            "2024-04-01",
            "active",
            "1200.00",
            "{'tekun_basic': '1200.00'}",
            "1",
            "{'members': [{'orphan': None, 'relation': 'head', 'id_number': '36010219500505022X', 'self_care': 'full', 'labor_capacity': 'full', 'monthly_income': '0.00', 'disability_grade': 0, 'has_able_supporter': False, 'newly_employed_since': None, 'supporter_unable_reason': '儿子服刑中\\t（外省）'}, {'orphan': None, 'relation': 'spouse', 'id_number': '360102195206060248', 'self_care': 'full', 'labor_capacity': 'full', 'monthly_income': '0.00', 'disability_grade': 0, 'has_able_supporter': True, 'newly_employed_since': None}], 'property': {'houses': 0, 'business': False, 'vehicles': 0, 'financial_assets': '0.00'}, 'hardship_causes': [], 'monthly_rigid_expenditure': '0.00'}",
            "原台账在册对象导入（台账导入#N），自2024年4月起发放",
        ),
    ],
    "history": [
        ("households.Household", "3"),
        ("households.Person", "5"),
        ("applications.Application", "2"),
        ("benefits.Enrolment", "2"),
    ],
}
