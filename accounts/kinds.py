"""What departments send (赣发〔2018〕7号 六(三): 户籍、社保、工商、税务、房产、车辆、公积金、金融…) and what each
column of a file means.

Every extract has one kind. Its file has a header row; each column is found by its Chinese label, one of
its aliases or the staging column name, in any order; other columns are ignored. The staging table
(`ExtractRow`) has generic columns, and `Column.field` says which one a file column goes to.

A department's own beneficiary ledger (医保's subsidised premiums, 教育's student aid, 工会's 困难职工, …) is
the kind "benefit" with a `program`; `Program.should_hold` says which of our enrolled persons the
department's ledger must contain (None: no such duty, only the other direction is checked).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import LINKED_BENEFITS


@dataclass(frozen=True)
class Column:
    field: str  # staging column: id_number, name, on_date, amount, code, ref, note
    label: str
    type: str = (
        "text"  # id | text | date | amount | region (a code in our division table) | code (6–12 digits)
    )
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int = 64


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    department: str
    columns: tuple[Column, ...]
    purpose: str


ID = Column(
    "id_number",
    "身份证号码",
    "id",
    True,
    ("身份证号", "公民身份号码", "证件号码", "身份证", "id_number", "sfzh"),
)
NAME = Column("name", "姓名", "text", False, ("name", "xm"), 32)

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "death",
            "户籍死亡注销",
            "公安",
            (
                ID,
                NAME,
                Column("on_date", "死亡日期", "date", True, ("注销日期", "died_on", "death_date")),
            ),
            "死亡人员仍在享受救助",
        ),
        Kind(
            "move",
            "户籍迁出",
            "公安",
            (
                ID,
                NAME,
                Column("on_date", "迁出日期", "date", True, ("moved_on", "move_date")),
                Column("code", "迁入地区划代码", "code", True, ("迁入地代码", "to_region")),
            ),
            "户籍已迁出本县仍在本地享受",
        ),
        Kind(
            "vehicle",
            "机动车登记",
            "公安交管",
            (
                ID,
                NAME,
                Column("ref", "号牌号码", "text", True, ("车牌号码", "车牌号", "plate")),
                Column("note", "车辆类型", "text", False, ("vehicle_type",)),
                Column("on_date", "登记日期", "date", False, ("registered_on",)),
            ),
            "家庭车辆超过当地规定",
        ),
        Kind(
            "business",
            "市场主体登记",
            "市场监管",
            (
                ID,
                NAME,
                Column("ref", "统一社会信用代码", "text", True, ("注册号", "营业执照号", "credit_code")),
                Column("note", "登记状态", "text", False, ("状态", "status")),
                Column("on_date", "成立日期", "date", False, ("established_on",)),
            ),
            "家庭有工商登记",
        ),
        Kind(
            "real_estate",
            "不动产登记",
            "自然资源",
            (
                ID,
                NAME,
                Column("ref", "不动产权证号", "text", True, ("产权证号", "房产证号", "certificate")),
                Column("amount", "建筑面积（平方米）", "amount", False, ("建筑面积", "area")),
            ),
            "家庭房产超过当地规定",
        ),
        Kind(
            "tax_income",
            "个人所得税收入",
            "税务",
            (
                ID,
                NAME,
                Column("amount", "月均收入（元）", "amount", True, ("月均收入", "月收入", "monthly_income")),
            ),
            "收入超过认定标准",
        ),
        Kind(
            "social_insurance",
            "社会保险缴费与养老金",
            "人社",
            (
                ID,
                NAME,
                Column(
                    "amount",
                    "月缴费基数或月养老金（元）",
                    "amount",
                    True,
                    ("月缴费基数", "月养老金", "缴费基数", "养老金", "monthly_amount"),
                ),
                Column("note", "险种", "text", False, ("insurance",)),
            ),
            "收入超过认定标准",
        ),
        Kind(
            "housing_fund",
            "住房公积金缴存",
            "公积金中心",
            (
                ID,
                NAME,
                Column("amount", "月缴存基数（元）", "amount", True, ("缴存基数", "monthly_base")),
            ),
            "收入超过认定标准",
        ),
        Kind(
            "financial",
            "金融资产",
            "人民银行/金融机构",
            (
                ID,
                NAME,
                Column("amount", "余额（元）", "amount", True, ("存款余额", "资产余额", "balance")),
                Column("ref", "账户", "text", False, ("账号", "account")),
            ),
            "人均金融资产超过当地规定",
        ),
        Kind(
            "medical_expense",
            "大额个人医疗费用",
            "医保",
            (
                ID,
                NAME,
                Column(
                    "amount",
                    "个人负担医疗费用（元）",
                    "amount",
                    True,
                    ("个人自付", "个人负担", "自付金额", "self_paid"),
                ),
                Column("on_date", "结算日期", "date", False, ("settled_on",)),
                Column("code", "所在社区区划代码", "region", False, ("社区代码", "community")),
            ),
            "主动发现：大额医疗支出可能致贫（五(七)、六(三)，policy.md §8.7）",
        ),
        Kind(
            "benefit",
            "部门待遇台账",
            "各部门",
            (
                ID,
                NAME,
                Column("amount", "待遇金额（元）", "amount", False, ("金额", "amount")),
                Column("code", "区划代码", "region", False, ("所在地区划代码", "region")),
                Column("note", "备注", "text", False, ("note",)),
            ),
            "与部门待遇名单双向比对",
        ),
    )
}

INCOME_KINDS = ("tax_income", "social_insurance", "housing_fund")


@dataclass(frozen=True)
class Program:
    code: str
    label: str
    department: str
    clause: str
    should_hold: str | None  # SQL predicate over the snapshot row `le`: who the department must hold


PROGRAMS: dict[str, Program] = {
    p.code: p
    for p in (
        Program("medical_premium", LINKED_BENEFITS["medical_premium"], "医保", "五(三)", "1 = 1"),
        Program("medical_relief", LINKED_BENEFITS["medical_relief"], "医保", "五(三)", None),
        Program("student_aid", LINKED_BENEFITS["student_aid"], "教育", "五(四)", "le.employment = 'student'"),
        Program("pension_contribution", LINKED_BENEFITS["pension_contribution"], "人社", "五(五)", None),
        Program("housing", LINKED_BENEFITS["housing"], "住建", "五(六)", None),
        Program("job_help", LINKED_BENEFITS["job_help"], "人社", "五(二)", None),
        Program("union_hardship", "工会困难职工帮扶", "工会", "五(八)", None),
    )
}


def kind_label(kind: str, program: str = "") -> str:
    k = KINDS.get(kind)
    if k is None:
        return kind
    if kind == "benefit" and program:
        p = PROGRAMS.get(program)
        return f"{k.label}：{p.label if p else program}"
    return k.label


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, f"{k.label}（{k.department}）") for k in KINDS.values()]


def program_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.label}（{p.department}）") for p in PROGRAMS.values()]


def header_names(kind: Kind) -> dict[str, Column]:
    """Every accepted header text (normalised) → its column."""
    names: dict[str, Column] = {}
    for col in kind.columns:
        short = col.label.split("（")[0]
        for name in (col.label, short, col.field, *col.aliases):
            names[normalise_header(name)] = col
    return names


def normalise_header(text: object) -> str:
    value = str(text or "").replace("\ufeff", "").strip().lower()
    for a, b in (("(", "（"), (")", "）"), (" ", ""), ("\u3000", ""), ("*", "")):
        value = value.replace(a, b)
    return value
