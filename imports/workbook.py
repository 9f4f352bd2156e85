"""The household import workbook: its layout, its template and the one streaming pass that reads and checks it.

Layout. County and street ledgers (低保/特困花名册) are one row per person with the household's columns repeated
on every member's row, so the import is the same: one sheet 「家庭成员」, one row per person, the ledger's own
household number (户编号) tying the members of a household together. The household's columns (community,
address, property, enrolment) are read from the household's first row; on its other rows they may be left
blank or repeated, but a repeated value that differs is an error. Incomes are the person's five monthly income
columns; the enrolment is the household's category, monthly amount and start month, with a per-person
「纳入保障」 saying who is covered. The template's 「填写说明」 sheet says this column by column.

Checking. Columns are found by their Chinese header (or an alias) in any order; unknown columns are ignored
and listed. Each cell is checked with ledgers.validation.CellChecker (the same ID-number, amount and date checks
the department extracts use) and common.idnumber; every error names the row and the column letter of the
uploaded file: 「第12行 C列「身份证号码」：身份证号码校验位错误」. Nothing here touches the database: the caller
passes the communities and two predicates (may the user import into a community, may they enrol there); the
check against persons already registered is the service's (imports.services).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accounts.kinds import normalise_header
from applications.models import Category
from common import idnumber
from common.dates import next_month
from common.spreadsheets import Sheet, display_width
from common.validators import hidden_message
from common.workbook_upload import NumericCell, WorkbookRefused, WorkbookRows
from households.models import Household, Person
from ledgers.validation import CellChecker, ExtractFileError

DATA_SHEET = "家庭成员"
MAX_ROWS = 100_000
ERROR_LIMIT = 10_000
PREVIEW_ROWS = 20
HEADER_SEARCH_ROWS = 10
PROGRESS_EVERY = 5_000
ZERO = Decimal("0.00")

YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "n", "no", "false", "0", "×"}
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})日?|\s*月?)?$")
_DIGITS = re.compile(r"^\d+$")
_PHONE = re.compile(r"^[\d\-+() ]{5,20}$")
CATEGORY_NAMES = {
    "低保": Category.DIBAO,
    "特困": Category.TEKUN,
    "支出型": Category.ZHICHU,
    "支出型贫困": Category.ZHICHU,
    "特困人员": Category.TEKUN,
    "城市低保": Category.DIBAO,
}
DISABILITY = {
    "无": 0,
    "一级": 1,
    "二级": 2,
    "三级": 3,
    "四级": 4,
    "0": 0,
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
}


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    type: str  # key | community | text | phone | account | amount | count | yesno | choice | id | month
    level: str  # household | person
    required: bool
    meaning: str
    fmt: str
    example: str
    aliases: tuple[str, ...] = ()
    max_length: int = 64
    choices: tuple[tuple[str, Any], ...] = ()  # (label, stored value); the stored value is accepted too
    default: Any = None


def _choices(text_choices) -> tuple[tuple[str, Any], ...]:
    return tuple((label, value) for value, label in text_choices.choices)


_INCOME = "元/月，数字，最多两位小数，不填为0"
COLUMNS: tuple[Col, ...] = (
    Col(
        "key",
        "户编号",
        "key",
        "household",
        True,
        "原台账中的户号或序号，同一户的每名成员填相同的户编号",
        "文字或数字，最多32个字符",
        "DH-0001",
        ("户号", "家庭编号", "户序号"),
        32,
    ),
    Col(
        "community",
        "社区区划代码",
        "community",
        "household",
        True,
        "家庭所在社区（居委会）的12位统计用区划代码，见「社区代码」表；须在本人辖区内",
        "12位数字（请设为文本格式）",
        "360102002001",
        ("社区代码", "区划代码", "所在社区代码"),
        12,
    ),
    Col(
        "address",
        "住址",
        "text",
        "household",
        True,
        "家庭现住址",
        "最多200个字符",
        "滕王阁街道民巷12号",
        ("家庭住址", "现住址", "地址"),
        200,
    ),
    Col(
        "phone",
        "联系电话",
        "phone",
        "household",
        False,
        "家庭联系电话",
        "数字，最多20位",
        "13800000000",
        ("电话", "手机号码", "联系方式"),
        20,
        default="",
    ),
    Col(
        "housing",
        "住房情况",
        "choice",
        "household",
        False,
        "家庭住房类型",
        "、".join(label for _, label in Household.Housing.choices) + "；不填为自有住房",
        "公租房/廉租房",
        ("住房",),
        choices=_choices(Household.Housing),
        default=Household.Housing.OWN,
    ),
    Col(
        "bank_name",
        "开户银行",
        "text",
        "household",
        False,
        "救助金发放账户的开户银行",
        "最多64个字符",
        "中国农业银行南昌东湖支行",
        ("银行",),
        64,
        default="",
    ),
    Col(
        "bank_account",
        "银行账号",
        "account",
        "household",
        False,
        "救助金发放账号（无账号则花名册暂缓发放）",
        "数字，最多32位（请设为文本格式）",
        "6228480000000000000",
        ("账号", "银行卡号", "发放账号"),
        32,
        default="",
    ),
    Col(
        "financial_assets",
        "金融资产（元）",
        "amount",
        "household",
        False,
        "家庭存款、理财等金融资产合计",
        "元，数字，最多两位小数，不填为0",
        "3000.00",
        ("金融资产",),
        default=ZERO,
    ),
    Col(
        "vehicles",
        "机动车辆（辆）",
        "count",
        "household",
        False,
        "家庭拥有的机动车辆数（不含残疾人代步车）",
        "整数，不填为0",
        "0",
        ("车辆", "机动车辆"),
        default=0,
    ),
    Col(
        "houses",
        "房产（套）",
        "count",
        "household",
        False,
        "家庭拥有的房产套数",
        "整数，不填为0",
        "1",
        ("房产",),
        default=0,
    ),
    Col(
        "business",
        "有营业执照",
        "yesno",
        "household",
        False,
        "家庭成员是否有工商营业执照",
        "是/否，不填为否",
        "否",
        ("营业执照",),
        default=False,
    ),
    Col(
        "monthly_rigid_expenditure",
        "刚性支出（元/月）",
        "amount",
        "household",
        False,
        "家庭每月医疗、教育等刚性支出（支出型贫困家庭认定用）",
        "元，数字，最多两位小数，不填为0",
        "0",
        ("刚性支出", "月刚性支出"),
        default=ZERO,
    ),
    Col("name", "姓名", "text", "person", True, "成员姓名", "最多32个字符", "张三", ("成员姓名",), 32),
    Col(
        "id_number",
        "身份证号码",
        "id",
        "person",
        True,
        "成员的18位公民身份号码；同一人在文件中只能出现一次，且不能已登记在系统的其他家庭中",
        "18位，末位可为X（请把该列设为文本格式，否则末几位会丢失）",
        "360102198001010012",
        ("身份证号", "公民身份号码", "证件号码", "身份证"),
        18,
    ),
    Col(
        "relation",
        "与户主关系",
        "choice",
        "person",
        True,
        "成员与户主的关系；每户须有且只有一名户主",
        "、".join(label for _, label in Person.Relation.choices),
        "户主",
        ("关系", "家庭关系"),
        choices=(
            *_choices(Person.Relation),
            ("本人", Person.Relation.HEAD),
            ("妻", Person.Relation.SPOUSE),
            ("夫", Person.Relation.SPOUSE),
            ("子", Person.Relation.CHILD),
            ("女", Person.Relation.CHILD),
        ),
    ),
    Col(
        "labor_capacity",
        "劳动能力",
        "choice",
        "person",
        False,
        "成员的劳动能力",
        "、".join(label for _, label in Person.Labor.choices) + "；不填为有劳动能力",
        "无劳动能力",
        (),
        choices=_choices(Person.Labor),
        default=Person.Labor.FULL,
    ),
    Col(
        "disability_grade",
        "残疾等级",
        "choice",
        "person",
        False,
        "残疾证上的等级",
        "无、一级、二级、三级、四级；不填为无",
        "二级",
        ("残疾",),
        choices=tuple(DISABILITY.items()),
        default=0,
    ),
    Col(
        "self_care",
        "生活自理能力",
        "choice",
        "person",
        False,
        "成员的生活自理能力",
        "、".join(label for _, label in Person.SelfCare.choices) + "；不填为全自理",
        "全自理",
        ("自理能力",),
        choices=_choices(Person.SelfCare),
        default=Person.SelfCare.FULL,
    ),
    Col(
        "has_able_supporter",
        "有赡养抚养扶养人",
        "yesno",
        "person",
        False,
        "是否有履行能力的法定赡养、抚养或扶养义务人（特困认定用）",
        "是/否，不填为是",
        "是",
        ("有法定赡养抚养扶养人", "有履行能力的法定赡养/抚养/扶养人", "有赡养人"),
        default=True,
    ),
    Col(
        "orphan",
        "孤儿",
        "choice",
        "person",
        False,
        "是否孤儿",
        "散居孤儿、机构供养孤儿；不是则不填",
        "",
        (),
        choices=(*_choices(Person.Orphan), ("否", ""), ("无", "")),
        default="",
    ),
    Col(
        "employment",
        "就业状况",
        "choice",
        "person",
        False,
        "成员的就业状况",
        "、".join(label for _, label in Person.Employment.choices) + "；不填为不适用",
        "灵活就业",
        ("就业",),
        choices=_choices(Person.Employment),
        default=Person.Employment.NOT_APPLICABLE,
    ),
    Col(
        "income_wage",
        "工资性收入（元/月）",
        "amount",
        "person",
        False,
        "成员每月工资性收入",
        _INCOME,
        "1200.00",
        ("工资性收入", "工资收入"),
        default=ZERO,
    ),
    Col(
        "income_business",
        "经营性收入（元/月）",
        "amount",
        "person",
        False,
        "成员每月经营性收入",
        _INCOME,
        "0",
        ("经营性收入", "经营收入"),
        default=ZERO,
    ),
    Col(
        "income_property",
        "财产性收入（元/月）",
        "amount",
        "person",
        False,
        "成员每月财产性收入（租金、利息等）",
        _INCOME,
        "0",
        ("财产性收入", "财产收入"),
        default=ZERO,
    ),
    Col(
        "income_transfer",
        "转移性收入（元/月）",
        "amount",
        "person",
        False,
        "成员每月转移性收入（养老金、赡养费等）",
        _INCOME,
        "0",
        ("转移性收入", "养老金"),
        default=ZERO,
    ),
    Col(
        "income_other",
        "其他收入（元/月）",
        "amount",
        "person",
        False,
        "成员每月其他收入",
        _INCOME,
        "0",
        ("其他收入",),
        default=ZERO,
    ),
    Col(
        "category",
        "救助类别",
        "choice",
        "household",
        False,
        "该户正在享受的救助类别；不是救助对象则不填。只有县级民政可以导入救助对象",
        "低保、特困、支出型；不享受则不填",
        "低保",
        ("保障类别", "救助类型"),
        choices=(*CATEGORY_NAMES.items(), *_choices(Category)),
        default="",
    ),
    Col(
        "monthly_amount",
        "月救助金（元）",
        "amount",
        "household",
        False,
        "该户每月发放的救助金合计；填了救助类别则必填，须大于0。记为该类别的主项（低保补差、特困基本生活费或"
        "支出型补差），分项在下次复核测算时更新",
        "元，数字，最多两位小数",
        "580.00",
        ("月保障金", "月救助金", "保障金额"),
        default=None,
    ),
    Col(
        "start_month",
        "起始月份",
        "month",
        "household",
        False,
        "该户开始享受救助的月份；填了救助类别则必填，最晚为下月。导入后的发放花名册从此月起包括该户",
        "YYYY-MM，如2024-03",
        "2024-03",
        ("享受起始月份", "起始发放月份", "纳入月份"),
        default=None,
    ),
    Col(
        "covered",
        "纳入保障",
        "yesno",
        "person",
        False,
        "该成员是否为救助保障成员；该户有救助类别时不填为是，没有救助类别时须不填",
        "是/否",
        "是",
        ("是否保障对象", "保障成员"),
        default=None,
    ),
    # Added with policy version 2, at the end so that the columns of older templates keep their letters.
    Col(
        "disability_kind",
        "残疾类别",
        "choice",
        "person",
        False,
        "残疾证上的类别（特困认定按类别和等级判断劳动能力）；无残疾不填",
        "、".join(label for _, label in Person.DisabilityKind.choices) + "；有残疾等级却不填的，记为待补充",
        "智力",
        ("残疾类型", "残疾种类"),
        choices=(
            *_choices(Person.DisabilityKind),
            *((f"{label}残疾", v) for v, label in Person.DisabilityKind.choices),
        ),
        default="",
    ),
    Col(
        "supporter_unable_reason",
        "义务人无履行能力原因",
        "text",
        "person",
        False,
        "家中有法定赡养、抚养、扶养义务人却填“否”时，写明其无履行能力的原因",
        "文字，最多200个字；没有则不填",
        "儿子服刑中",
        ("无赡养能力原因", "法定义务人无履行能力的原因"),
        max_length=200,
        default="",
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
HOUSEHOLD_KEYS = tuple(c.key for c in COLUMNS if c.level == "household")
PERSON_KEYS = tuple(c.key for c in COLUMNS if c.level == "person")
HOUSEHOLD_FIELDS = tuple(
    k for k in HOUSEHOLD_KEYS if k not in ("key", "community", "category", "monthly_amount", "start_month")
)
PERSON_FIELDS = tuple(k for k in PERSON_KEYS if k != "covered")


def header_names() -> dict[str, Col]:
    names: dict[str, Col] = {}
    for col in COLUMNS:
        for name in (col.label, col.label.split("（")[0], col.key, *col.aliases):
            names[normalise_header(name)] = col
    return names


# --- the template -----------------------------------------------------------------------------------

EXPLANATION = (
    "每行一名家庭成员；同一户的成员填相同的「户编号」（原台账的户号），可不相邻。",
    "家庭的列（户编号至刚性支出，以及救助类别、月救助金、起始月份）以该户第一行为准，其余成员行可不填或重复填写，"
    "但重复填写的值须与第一行相同。",
    "身份证号码、银行账号、区划代码列请设为「文本」格式，否则 Excel 会把末几位变成0。",
    "一个文件最多10万行。导入前系统逐行校验，每条错误都写明行号和列；有任何错误则整个文件都不导入，改正后重新上传。",
    "校验通过后先预览，确认后一次性全部导入：要么全部成功，要么一条都不写入。",
    "一户同时享受两类救助（如低保家庭中的特困人员）时，先导入一类，另一类在系统中办理。",
)


# The values a dropdown offers where the accepted spellings (aliases, codes) are more than a person should pick from.
_DROPDOWNS = {
    "relation": tuple(label for _, label in Person.Relation.choices),
    "disability_grade": ("无", "一级", "二级", "三级", "四级"),
    "orphan": tuple(label for _, label in Person.Orphan.choices),
    "category": ("低保", "特困", "支出型"),
    "disability_kind": tuple(label for _, label in Person.DisabilityKind.choices),
}
TEXT_TYPES = ("key", "community", "id", "account", "phone")  # typed as text: Excel would drop digits


def dropdown_values(col: Col) -> tuple[str, ...]:
    """What the template's dropdown offers for a column with fixed values (empty for free columns)."""
    if col.type == "yesno":
        return ("是", "否")
    if col.type != "choice":
        return ()
    return _DROPDOWNS.get(col.key) or tuple(dict.fromkeys(label for label, _ in col.choices if label))


def template_sheets(communities: list[tuple[str, str]]) -> list[Sheet]:
    """The downloadable template: the empty data sheet (ID, account and code columns formatted as text, a
    dropdown on every column with fixed values), the explanation, an example and the user's communities."""
    header = [c.label for c in COLUMNS]
    widths = [max(display_width(c.label), len(c.example)) + 4 for c in COLUMNS]
    text_columns = [c.label for c in COLUMNS if c.type in TEXT_TYPES]
    dropdowns = [(c.label, dropdown_values(c)) for c in COLUMNS if dropdown_values(c)]
    example = [
        [
            "DH-0001",
            "360102002001",
            "滕王阁街道民巷12号",
            "13800000000",
            "公租房/廉租房",
            "中国农业银行",
            "6228480000000000000",
            "3000.00",
            "0",
            "0",
            "否",
            "0",
            "张三",
            "360102198001010012",
            "户主",
            "部分劳动能力",
            "",
            "全自理",
            "是",
            "",
            "灵活就业",
            "900.00",
            "0",
            "0",
            "0",
            "0",
            "低保",
            "580.00",
            "2024-03",
            "是",
        ],
        [
            "DH-0001",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "李四",
            "36010219820202002X",
            "配偶",
            "无劳动能力",
            "二级",
            "半失能",
            "是",
            "",
            "不适用",
            "0",
            "0",
            "0",
            "0",
            "0",
            "",
            "",
            "",
            "是",
        ],
    ]
    return [
        Sheet(
            DATA_SHEET,
            header,
            iter(()),
            widths=widths,
            text_columns=text_columns,
            dropdowns=dropdowns,
            form_rows=MAX_ROWS,
        ),
        Sheet(
            "填写说明",
            ["列", "列名", "含义", "格式", "是否必填", "示例"],
            (
                [_letter(i), c.label, c.meaning, c.fmt, "必填" if c.required else "选填", c.example]
                for i, c in enumerate(COLUMNS)
            ),
            caption=["城镇困难家庭台账导入模板 填写说明", *EXPLANATION],
            widths=[6, 22, 60, 50, 10, 24],
        ),
        Sheet(
            "填写示例",
            header,
            example,
            caption=[
                "示例（本表不会被导入，数据请填在「家庭成员」表；示例身份证号码为虚构且校验位不对，照抄会被拒绝）"
            ],
            widths=widths,
            text_columns=text_columns,
        ),
        Sheet("社区代码", ["社区区划代码", "社区名称", "所属街道"], communities, widths=[16, 30, 30]),
    ]


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --- the result of a pass ---------------------------------------------------------------------------


@dataclass
class Issue:
    line: int
    column: str  # the column letter in the uploaded file ("" for the file or the header as a whole)
    label: str
    message: str
    value: str = ""


@dataclass
class ParsedHousehold:
    key: str
    line: int
    values: dict[str, Any]  # HOUSEHOLD_KEYS
    # While checking, each accepted member as (line, is the head, covered, offset, length): what the checks of
    # the whole household need, and where the member's checked JSON is in the pass's spill file. From `load`:
    # (line, PERSON_FIELDS values, id number, birth date, sex, covered).
    members: list[tuple] = field(default_factory=list)
    bad_rows: int = 0


@dataclass
class Parsed:
    households: list[ParsedHousehold] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    rows: int = 0
    persons: int = 0
    enrolments: int = 0
    header_line: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key -> letter
    preview: list[dict[str, str]] = field(default_factory=list)
    # id_number -> (line, letter of the ID column): for the service's check against registered persons
    id_lines: dict[str, int] = field(default_factory=dict)
    # The accepted members' checked JSON, written as each row is read (a temporary file when reading a
    # workbook): the pass keeps only what the cross-row checks need, `dump` reads the members back from here.
    spill: Any = field(default_factory=io.BytesIO, repr=False, compare=False)
    spilled: int = 0  # bytes written to it

    def add(self, issue: Issue) -> None:
        self.issue_count += 1
        if len(self.issues) < ERROR_LIMIT:
            self.issues.append(issue)

    @property
    def ok(self) -> bool:
        return self.issue_count == 0


class _Cells:
    """Turns one cell's text into its stored value or a reason: one named step per column type."""

    def __init__(self, today: dt.date):
        self.checker = CellChecker()
        self.latest_month = next_month(today)
        self.choice_maps = {
            c.key: {normalise_header(label): value for label, value in c.choices}
            | {normalise_header(str(value)): value for _, value in c.choices if value != ""}
            for c in COLUMNS
            if c.type == "choice"
        }
        self.by_type: dict[str, Callable[[Col, str, str], tuple[Any, str | None]]] = {
            "id": self.id_number,
            "key": self.text,
            "text": self.text,
            "community": self.community,
            "phone": self.phone,
            "account": self.account,
            "amount": self.amount,
            "count": self.count,
            "yesno": self.yesno,
            "choice": self.choice,
            "month": self.month,
        }

    def parse(self, col: Col, raw: str) -> tuple[Any, str | None]:
        v = raw.strip()
        if not v:
            # A household's column is required on its first row only (checked by the caller).
            return (
                (None, "必填")
                if col.required and col.level == "person" or col.key == "key"
                else (col.default, None)
            )
        if isinstance(raw, NumericCell) and col.type in ("community", "account") and len(v) > 15:
            return None, "被存成了数字（末几位已丢失），请把该列设为文本格式"
        return self.by_type[col.type](col, raw, v)

    def id_number(self, col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        # The checker refuses a number Excel stored as a number, then asks common.idnumber.
        return self.checker.id_info(raw)

    @staticmethod
    def text(col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        hidden = hidden_message(v)  # a name, an address or a reason printed later must not hide characters
        if hidden:
            return None, hidden
        return (v, None) if len(v) <= col.max_length else (None, f"不能超过{col.max_length}个字符")

    @staticmethod
    def community(col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        return (v, None) if len(v) == 12 and _DIGITS.match(v) else (None, "社区区划代码应为12位数字")

    @staticmethod
    def phone(col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        return (v, None) if _PHONE.match(v) else (None, "联系电话应为数字，最多20位")

    @staticmethod
    def account(col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        v = v.replace(" ", "")
        return (v, None) if _DIGITS.match(v) and len(v) <= 32 else (None, "银行账号应为数字，最多32位")

    def amount(self, col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        text, reason = self.checker.amount(raw)
        return (None, reason) if reason else (Decimal(text).quantize(ZERO), None)

    @staticmethod
    def count(col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        return (int(v), None) if _DIGITS.match(v) and int(v) <= 99 else (None, "应为0至99的整数")

    @staticmethod
    def yesno(col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        low = v.lower()
        if low in YES:
            return True, None
        if low in NO:
            return False, None
        return None, "应填“是”或“否”"

    def choice(self, col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        choices = self.choice_maps[col.key]
        value = choices.get(v)
        if value is None:
            value = choices.get(normalise_header(v))
            if value is not None and len(choices) < 200:
                choices[v] = value  # remember the spelling as written
        if value is None:
            return None, "应为以下之一：" + "、".join(
                dict.fromkeys(label for label, _ in col.choices if label)
            )
        return value, None

    def month(self, col: Col, raw: str, v: str) -> tuple[Any, str | None]:
        m = _MONTH.match(v.split(" ")[0].split("T")[0])
        try:
            month = dt.date(int(m.group(1)), int(m.group(2)), 1) if m else None
        except ValueError:
            month = None
        if month is None:
            return None, "月份格式应为 YYYY-MM，如2024-03"
        if month < dt.date(2000, 1, 1) or month > self.latest_month:
            return (
                None,
                f"起始月份应在2000年1月至{self.latest_month.year}年{self.latest_month.month}月之间",
            )
        return month, None


def read_workbook(
    *,
    path: str,
    communities: dict[str, str],
    may_import: Callable[[str], bool],
    may_enrol: Callable[[str], bool],
    today: dt.date,
    on_progress: Callable[..., None] | None = None,
    fmt: str = "xlsx",
) -> Parsed:
    """Read and check the data sheet of an uploaded workbook (.xlsx, .xls or .ods: `fmt`) in one pass.

    `communities` maps every community code to its name; `may_import(code)` / `may_enrol(code)` say whether the
    uploader may file households / enrolments there. Raises ExtractFileError for a file that cannot be read or
    that passes a limit (common/workbook_upload.py checks them before reading).
    """
    try:
        rows = WorkbookRows(path, fmt, DATA_SHEET)
    except WorkbookRefused as exc:
        raise ExtractFileError(str(exc)) from None
    if on_progress is not None:  # the size of the sheet (known once it is read, no extra pass)
        on_progress(0, max(0, rows.size - 1))
    try:
        spill = tempfile.TemporaryFile(buffering=1 << 20)
        return _read(rows, communities, may_import, may_enrol, today, on_progress, spill)
    finally:
        rows.close()


def _find_header(rows: Iterator[list[str]], names: dict[str, Col], source) -> tuple[list[str], int]:
    seen = 0
    for values in rows:
        if not values:
            continue
        seen += 1
        if any(names.get(normalise_header(v)) is BY_KEY["id_number"] for v in values):
            return values, source.line_num
        if seen >= HEADER_SEARCH_ROWS:
            break
    raise ExtractFileError(
        f"「{DATA_SHEET}」表的前{HEADER_SEARCH_ROWS}行中找不到表头（应有「身份证号码」等列，"
        "请使用下载的导入模板）"
    )


def _map_header(header: list[str], names: dict[str, Col], out: Parsed) -> dict[str, int]:
    """Column positions by key from the header row; duplicates, missing required columns and an enrolment
    without its category are issues on the header line, unknown columns are listed as ignored."""
    positions: dict[str, int] = {}
    for i, text in enumerate(header):
        if not str(text).strip():
            continue
        col = names.get(normalise_header(text))
        if col is None:
            out.ignored_columns.append(f"{_letter(i)}列「{str(text).strip()[:30]}」")
        elif col.key in positions:
            message = f"与{_letter(positions[col.key])}列重复，同一列只能出现一次"
            out.add(Issue(out.header_line, _letter(i), col.label, message))
        else:
            positions[col.key] = i
    missing = [c.label for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        out.add(
            Issue(out.header_line, "", "表头", f"缺少必填列：{'、'.join(missing)}（请使用下载的导入模板）")
        )
    enrolment_cols = [k for k in ("category", "monthly_amount", "start_month", "covered") if k in positions]
    if enrolment_cols and "category" not in positions:
        out.add(Issue(out.header_line, "", "表头", "有月救助金、起始月份或纳入保障列，却缺少「救助类别」列"))
    return positions


# Column types whose few distinct spellings repeat row after row (amounts, yes/no, choices, months, codes): a
# cell's result is remembered by its text, so a 100,000-row ledger checks "0" or "低保" once, not 100,000 times.
_REMEMBERED = frozenset({"community", "amount", "count", "yesno", "choice", "month"})
_REMEMBER_AT_MOST = 10_000  # distinct texts per column (amounts can be many): past it, start again


@dataclass
class _Pass:
    """What one reading pass carries from row to row once the header is known."""

    out: Parsed
    positions: dict[str, int]
    cells: _Cells
    communities: dict[str, str]
    may_import: Callable[[str], bool]
    may_enrol: Callable[[str], bool]
    # (column, position, letter, the results remembered by cell text or None for columns of unique values)
    plan: list[tuple[Col, int, str, dict | None]] = field(default_factory=list)
    width: int = 0
    by_key: dict[str, ParsedHousehold] = field(default_factory=dict)
    community_ok: dict[str, tuple[str | None, bool]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.out.columns = {k: _letter(p) for k, p in self.positions.items()}
        self.plan = [
            (c, self.positions[c.key], self.out.columns[c.key], {} if c.type in _REMEMBERED else None)
            for c in COLUMNS
            if c.key in self.positions
        ]
        self.width = max(self.positions.values()) + 1


def _parse_cells(state: _Pass, values: list[str], line: int) -> tuple[dict[str, Any], set[str]]:
    """Every planned cell of a row parsed; each reason an issue at its row and column."""
    parsed: dict[str, Any] = {}
    failed: set[str] = set()
    parse = state.cells.parse
    for col, pos, letter, remembered in state.plan:
        raw = values[pos]
        if remembered is None or type(raw) is not str:  # a NumericCell may be judged differently
            value, reason = parse(col, raw)
        else:
            result = remembered.get(raw)
            if result is None:
                if len(remembered) >= _REMEMBER_AT_MOST:
                    remembered.clear()
                result = remembered[raw] = parse(col, raw)
            value, reason = result
        if reason:
            shown = str(raw).strip()
            state.out.add(
                Issue(
                    line, letter, col.label, reason, idnumber.mask(shown) if col.type == "id" else shown[:64]
                )
            )
            failed.add(col.key)
        parsed[col.key] = value
    return parsed, failed


def _start_household(state: _Pass, key: str, parsed: dict[str, Any], failed: set[str], line: int):
    """A household's first row: its values, its required columns, its community and enrolment. Returns the
    household and whether the row had an error."""
    out = state.out
    household = ParsedHousehold(key, line, {k: parsed.get(k, BY_KEY[k].default) for k in HOUSEHOLD_KEYS})
    state.by_key[key] = household
    out.households.append(household)
    bad = False
    for col, _pos, letter, _remembered in state.plan:
        if col.level == "household" and col.required and col.key not in failed and not parsed[col.key]:
            out.add(Issue(line, letter, col.label, "必填（在该户第一行填写）"))
            failed.add(col.key)
            bad = True
    _check_household_first_row(
        out, household, line, failed, state.communities, state.may_import, state.may_enrol, state.community_ok
    )
    return household, bad


def _check_repeated_row(
    state: _Pass, household: ParsedHousehold, values: list[str], parsed: dict[str, Any], line: int
) -> bool:
    """A household's later row may repeat its household columns, but not differ from the first row."""
    bad = False
    for col, pos, letter, _remembered in state.plan:
        if col.level != "household" or col.key == "key" or not str(values[pos]).strip():
            continue
        first = household.values[col.key]
        if parsed[col.key] is not None and first is not None and parsed[col.key] != first:
            state.out.add(
                Issue(
                    line,
                    letter,
                    col.label,
                    f"与本户（户编号{household.key}）第{household.line}行的值不一致",
                    str(values[pos]).strip()[:64],
                )
            )
            bad = True
    return bad


def _check_duplicate_id(out: Parsed, info, line: int) -> bool:
    """The same person twice in the file: an error on the later row."""
    first = out.id_lines.get(info.number)
    if first is None:
        out.id_lines[info.number] = line
        return False
    message = f"与第{first}行身份证号码重复，同一人只能登记一次"
    out.add(Issue(line, out.columns["id_number"], "身份证号码", message, idnumber.mask(info.number)))
    return True


def _check_disability(out: Parsed, parsed: dict[str, Any], line: int) -> bool:
    """A disability kind needs a disability grade."""
    if not (parsed.get("disability_kind") and not parsed.get("disability_grade")):
        return False
    message = "残疾等级为“无”时不应填写残疾类别"
    out.add(
        Issue(
            line, out.columns.get("disability_kind", ""), "残疾类别", message, str(parsed["disability_kind"])
        )
    )
    return True


def _covered(
    state: _Pass, household: ParsedHousehold, parsed: dict[str, Any], line: int
) -> tuple[bool, bool]:
    """(whether the member is covered by the enrolment, whether the row had an error)."""
    category = household.values.get("category")
    covered = parsed.get("covered")
    if covered is None:
        return bool(category), False
    if covered and not category and "covered" in state.positions:
        state.out.add(
            Issue(line, state.out.columns["covered"], "纳入保障", "该户没有填写救助类别，不能纳入保障")
        )
        return covered, True
    return covered, False


def _read_row(state: _Pass, values: list[str], line: int) -> None:
    """One data row: its cells, its household (first or repeated row), the duplicate check, the member."""
    if len(values) < state.width:
        values = values + [""] * (state.width - len(values))
    parsed, failed = _parse_cells(state, values, line)
    key = parsed.get("key")
    if key is None:
        return
    household = state.by_key.get(key)
    if household is None:
        household, bad = _start_household(state, key, parsed, failed, line)
    else:
        bad = _check_repeated_row(state, household, values, parsed, line)
    bad = bool(failed) or bad
    info = parsed.get("id_number")
    if info is not None:
        bad = _check_duplicate_id(state.out, info, line) or bad
    bad = _check_disability(state.out, parsed, line) or bad
    covered, wrong = _covered(state, household, parsed, line)
    if bad or wrong or info is None:
        household.bad_rows += 1
        return
    parsed["id_number"] = info.number
    person = [parsed.get(k, default) for k, default in _PERSON_DEFAULTS]
    data = _COMPACT.encode([line, person, info.number, info.birth_date, info.sex, covered]).encode()
    out = state.out
    out.spill.write(data)
    is_head = parsed.get("relation", BY_KEY["relation"].default) == Person.Relation.HEAD
    household.members.append((line, is_head, covered, out.spilled, len(data)))
    out.spilled += len(data)
    if len(state.out.preview) < PREVIEW_ROWS:
        state.out.preview.append(_preview_row(line, household, parsed, info, covered))


def _finish(out: Parsed) -> Parsed:
    if out.rows == 0:
        out.add(Issue(out.header_line, "", "", "表头下没有数据行"))
    for household in out.households:
        _check_household_end(out, household)
    out.persons = sum(len(h.members) for h in out.households)
    out.enrolments = sum(1 for h in out.households if h.values.get("category"))
    return out


def _read(rows: WorkbookRows, communities, may_import, may_enrol, today, on_progress, spill) -> Parsed:
    """The header, then each data row (stopping past MAX_ROWS), then the checks of each whole household.
    Each accepted member's checked JSON goes to `spill` as its row is read (see Parsed.spill)."""
    out = Parsed(spill=spill)
    names = header_names()
    source_rows = iter(rows)
    header, out.header_line = _find_header(source_rows, names, rows)
    positions = _map_header(header, names, out)
    if not out.ok:
        return out
    state = _Pass(out, positions, _Cells(today), communities, may_import, may_enrol)
    for values in source_rows:
        if not values:
            continue
        out.rows += 1
        if on_progress is not None and out.rows % PROGRESS_EVERY == 0:
            on_progress(out.rows)
        if out.rows > MAX_ROWS:
            out.add(Issue(rows.line_num, "", "", f"超过{MAX_ROWS}行的上限，请分成几个文件导入"))
            break
        _read_row(state, values, rows.line_num)
    return _finish(out)


def _check_household_first_row(
    out: Parsed,
    household: ParsedHousehold,
    line: int,
    failed: set[str],
    communities,
    may_import,
    may_enrol,
    cache,
) -> None:
    code = household.values.get("community")
    letter = out.columns["community"]
    if code is not None:
        if code not in cache:
            name = communities.get(code)
            cache[code] = (name, name is not None and may_import(code))
        name, allowed = cache[code]
        if name is None:
            out.add(Issue(line, letter, "社区区划代码", "不是本省的社区（居委会）区划代码", code))
        elif not allowed:
            out.add(Issue(line, letter, "社区区划代码", f"{name}不在本人辖区内，不能导入", code))
    category = household.values.get("category")
    if category:
        cat_letter = out.columns["category"]
        if code is not None and code in communities and not may_enrol(code):
            out.add(Issue(line, cat_letter, "救助类别", "只有县级民政可以导入救助对象（纳入保障由县级审批）"))
        if household.values.get("monthly_amount") in (None, ZERO) and "monthly_amount" not in failed:
            out.add(
                Issue(
                    line,
                    out.columns.get("monthly_amount", ""),
                    "月救助金（元）",
                    "填了救助类别则须填写大于0的月救助金（在该户第一行填写）",
                )
            )
        if household.values.get("start_month") is None and "start_month" not in failed:
            out.add(
                Issue(
                    line,
                    out.columns.get("start_month", ""),
                    "起始月份",
                    "填了救助类别则须填写起始月份（在该户第一行填写）",
                )
            )
    elif "category" not in failed:
        for key in ("monthly_amount", "start_month"):
            if household.values.get(key) is not None:
                out.add(Issue(line, out.columns[key], BY_KEY[key].label, "该户没有填写救助类别，此列须不填"))


def _check_household_end(out: Parsed, household: ParsedHousehold) -> None:
    if household.bad_rows:
        return  # some of its rows had errors, already reported: counting heads now would mislead
    heads = [m for m in household.members if m[1]]
    if len(heads) != 1:
        where = heads[1][0] if len(heads) > 1 else household.line
        out.add(
            Issue(
                where,
                out.columns["relation"],
                "与户主关系",
                f"户编号{household.key}的家庭须有且只有一名户主，现有{len(heads)}名",
            )
        )
    if household.values.get("category") and not any(m[2] for m in household.members):
        out.add(
            Issue(
                household.line,
                out.columns.get("covered", out.columns["category"]),
                "纳入保障",
                f"户编号{household.key}填了救助类别，却没有一名成员纳入保障",
            )
        )


def _preview_row(line: int, household: ParsedHousehold, parsed: dict[str, Any], info, covered: bool) -> dict:
    category = household.values.get("category")
    relation = dict(Person.Relation.choices).get(parsed.get("relation"), "")
    return {
        "line": line,
        "key": household.key,
        "community": household.values.get("community") or "",
        "name": parsed.get("name") or "",
        "id": idnumber.mask(info.number),
        "relation": relation,
        "income": str(sum((parsed.get(k) or ZERO for k in Person.INCOME_FIELDS), ZERO)),
        "category": Category(category).label if category else "",
        "amount": str(household.values.get("monthly_amount") or "") if category else "",
        "start": household.values["start_month"].strftime("%Y-%m")
        if category and household.values.get("start_month")
        else "",
        "covered": "是" if covered else "否",
    }


# --- the checked result kept between the preview and the confirmation ------------------------------


def _plain(value):
    """A checked value as JSON holds it: amounts as text, dates ISO (called by the encoder for those only)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a checked value")


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain)
_PERSON_DEFAULTS = tuple((k, BY_KEY[k].default) for k in PERSON_FIELDS)


def dump(parsed: Parsed, out) -> None:
    """Write the checked households to `out` as JSON lines (the column letters first, then one household a
    line: key, first line, values, members), the members read back from the pass's spill file in their
    household's order: what the confirmation imports."""
    out.write(json.dumps(parsed.columns, ensure_ascii=False) + "\n")
    spill, position = parsed.spill, -1
    for h in parsed.households:
        head = _COMPACT.encode([h.key, h.line, h.values])
        members = []
        for m in h.members:
            if m[3] != position:  # a household's rows need not be adjacent; when they are, no seek
                spill.seek(m[3])
            members.append(spill.read(m[4]))
            position = m[3] + m[4]
        out.write(f"{head[:-1]},[{b','.join(members).decode()}]]\n")


_AMOUNTS = frozenset(c.key for c in COLUMNS if c.type == "amount")
_MONTHS = frozenset(c.key for c in COLUMNS if c.type == "month")
_PERSON_AMOUNTS = tuple(i for i, k in enumerate(PERSON_FIELDS) if k in _AMOUNTS)


def _typed(key: str, value):
    if value is None:
        return None
    if key in _AMOUNTS:
        return Decimal(value)
    if key in _MONTHS:
        return dt.date.fromisoformat(value)
    return value


def load(lines, *, typed: bool = True) -> tuple[dict[str, str], Iterator[ParsedHousehold]]:
    """The column letters, and the checked households one at a time, from the lines `dump` wrote (streaming:
    the caller holds what it keeps). `typed=False` leaves the values as stored (amounts and dates as text),
    for a pass that reads only codes and ID numbers."""
    lines = iter(lines)
    columns = json.loads(next(lines))

    def households() -> Iterator[ParsedHousehold]:
        for text in lines:
            key, line, values, members = json.loads(text)
            if not typed:
                yield ParsedHousehold(key, line, values, members)
                continue
            household = ParsedHousehold(key, line, {k: _typed(k, v) for k, v in values.items()})
            for m in members:
                person = m[1]
                for i in _PERSON_AMOUNTS:
                    if person[i] is not None:
                        person[i] = Decimal(person[i])
                household.members.append((m[0], tuple(person), m[2], dt.date.fromisoformat(m[3]), m[4], m[5]))
            yield household

    return columns, households()
