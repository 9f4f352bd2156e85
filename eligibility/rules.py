"""The category rules and amounts of 赣发〔2018〕7号 (policy.md §3–§5, version 2), as pure functions.

Facts and standards come in as plain values, a `Result` with its trace comes out. Nothing here touches
the database, the clock or settings, so every rule can be tested case by case and run fast in batch.

Money is `Decimal` throughout. Comparisons against a per-capita figure are made by cross-multiplying
(Σ income < dibao × members), so no division ever rounds before a decision is taken; each amount is
rounded half-up to 0.01 once, at its end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, NamedTuple

from common.dates import add_months, age_on
from common.idnumber import mask as mask_id
from common.money import round_half_up as round_money

CENT = Decimal("0.01")
ZERO = Decimal("0")

TEKUN, DIBAO, ZHICHU = "tekun", "dibao", "zhichu"
CATEGORY_ORDER = (TEKUN, DIBAO, ZHICHU)

LABOR_CAPACITIES = ("full", "partial", "none")
SELF_CARE_LEVELS = ("full", "semi", "none")
ORPHAN_KINDS = ("scattered", "institutional")
HARDSHIP_CAUSES = ("illness", "disability", "accident", "schooling", "unemployment", "no_housing")
DISABILITY_GRADES = (0, 1, 2, 3, 4)
RELATIONS = ("head", "spouse", "child", "parent", "grandparent", "grandchild", "sibling", "other")
DISABILITY_KINDS = ("visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple")

CAUSE_LABELS = {
    "illness": "因病",
    "disability": "因残",
    "accident": "因灾/意外",
    "schooling": "因学",
    "unemployment": "失业",
    "no_housing": "无房",
}
GRADE_LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
LABOR_LABELS = {"full": "有劳动能力", "partial": "有部分劳动能力", "none": "无劳动能力"}
ORPHAN_LABELS = {"scattered": "散居孤儿", "institutional": "机构供养孤儿"}
RELATION_LABELS = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandparent": "祖父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
DISABILITY_KIND_LABELS = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}

TEKUN_AGE = 60
MINOR_AGE = 16
ORPHAN_AGE = 18
SUPPORTER_MIN_AGE = 18  # an able legal supporter: 18 ≤ age < 60 (policy.md §4, §8.6)

# [national] Deemed without labour capacity (policy.md §4): the 特困人员认定办法 in force on `as_of`.
DEEMING_SWITCH = dt.date(2021, 7, 1)
DEEMING_DOC_2016 = "民发〔2016〕178号"
DEEMING_DOC_2021 = "民发〔2021〕43号 第六条"
# kind → the highest grade (1 = 一级 … 4 = 四级) deemed without labour capacity.
DEEMED_KINDS_2016 = {"intellectual": 2, "mental": 2, "physical": 1}
DEEMED_KINDS_2021 = {"intellectual": 3, "mental": 3, "physical": 2, "visual": 1}

# The supporter check (policy.md §4): a member's legal supporters in the household, by relation to the
# head, and the duty each owes (赡养 to elders, 抚养 to children, 扶养 between spouses and siblings).
LEGAL_SUPPORTERS: dict[str, dict[str, str]] = {
    "head": {"spouse": "扶养", "child": "赡养"},
    "spouse": {"head": "扶养", "child": "赡养"},
    "child": {"head": "抚养", "spouse": "抚养"},
    "parent": {"head": "赡养", "sibling": "赡养"},
    "grandparent": {"parent": "赡养"},
    "grandchild": {"child": "抚养"},
    "sibling": {"parent": "抚养"},
    "other": {},
}
# How a supporter is named in a message: their relation to the head, by sex where Chinese has a word.
_KIN_NAMES = {
    "head": ("户主", "户主"),
    "spouse": ("户主之夫", "户主之妻"),
    "child": ("户主之子", "户主之女"),
    "parent": ("户主之父", "户主之母"),
    "grandparent": ("户主之祖父", "户主之祖母"),
    "grandchild": ("户主之孙", "户主之孙女"),
    "sibling": ("户主之兄弟", "户主之姐妹"),
}


# ---------------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Standards:
    """A region's yearly standards (§2). None means unknown (the stored field is empty).

    `region` is the nearest region on the chain with a record for the year (the request's region when
    the overrides alone give the figures); `sources` maps each known field to the code of the region its
    value came from, or "request" for an override (§2, §7).
    """

    region: str
    year: int
    dibao: Decimal | None = None
    subsidy_target: Decimal | None = None
    tekun: Decimal | None = None
    care_ratio_full: Decimal | None = None
    care_ratio_semi: Decimal | None = None
    min_wage: Decimal | None = None
    orphan_scattered: Decimal | None = None
    orphan_institutional: Decimal | None = None
    disability_living: Decimal | None = None
    disability_care: Decimal | None = None
    zhichu_multiplier: Decimal | None = None
    extension_months: int | None = None
    extension_months_disabled: int | None = None
    property_months: Decimal | None = None
    property_vehicles: int | None = None
    property_houses: int | None = None
    property_business_allowed: bool | None = None
    per_event_cap: Decimal | None = None
    annual_cap: Decimal | None = None
    annual_times: int | None = None
    extra_times: int | None = None
    street_limit: Decimal | None = None
    uplift_max: Decimal | None = None
    medical_uplift_pp: Decimal | None = None
    serious_illness_threshold: Decimal | None = None
    sources: tuple[tuple[str, str], ...] = ()

    def source(self, name: str) -> str | None:
        return dict(self.sources).get(name)


STANDARD_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Standards) if f.name not in ("region", "year", "sources")
)
MONEY_FIELDS = frozenset(
    {
        "dibao",
        "subsidy_target",
        "tekun",
        "min_wage",
        "orphan_scattered",
        "orphan_institutional",
        "disability_living",
        "disability_care",
        "per_event_cap",
        "annual_cap",
        "street_limit",
        "serious_illness_threshold",
    }
)
RATIO_FIELDS = frozenset(
    {
        "care_ratio_full",
        "care_ratio_semi",
        "zhichu_multiplier",
        "property_months",
        "uplift_max",
        "medical_uplift_pp",
    }
)
INT_FIELDS = frozenset(
    {
        "extension_months",
        "extension_months_disabled",
        "property_vehicles",
        "property_houses",
        "annual_times",
        "extra_times",
    }
)
BOOL_FIELDS = frozenset({"property_business_allowed"})

STANDARD_LABELS = {
    "dibao": "低保标准",
    "subsidy_target": "人均补差目标",
    "tekun": "特困供养标准",
    "care_ratio_full": "全失能护理费比例",
    "care_ratio_semi": "半失能护理费比例",
    "min_wage": "当地最低工资",
    "orphan_scattered": "散居孤儿基本生活费标准",
    "orphan_institutional": "机构供养孤儿基本生活费标准",
    "disability_living": "困难残疾人生活补贴标准",
    "disability_care": "重度残疾人护理补贴标准",
    "zhichu_multiplier": "支出型贫困收入上限倍数",
    "extension_months": "就业渐退期",
    "extension_months_disabled": "有残疾成员的渐退期",
    "property_months": "人均金融资产上限（月数）",
    "property_vehicles": "允许机动车辆数",
    "property_houses": "允许房产套数",
    "property_business_allowed": "是否允许有营业执照",
    "per_event_cap": "临时救助单次上限",
    "annual_cap": "临时救助年度上限",
    "annual_times": "临时救助年度次数",
    "extra_times": "三类对象可增加次数",
    "street_limit": "街道备用金审批额度",
    "uplift_max": "支出型救助上浮比例上限",
    "medical_uplift_pp": "低保对象医疗救助比例提高百分点",
    "serious_illness_threshold": "支出型家庭大病起付线",
}


@dataclass(frozen=True)
class Member:
    """One member's facts (§3). `relation` None: not given (no supporter check for or by this member);
    `disability_kind` None with a grade: unknown (no deeming by kind)."""

    id_number: str
    birth_date: dt.date
    monthly_income: Decimal
    relation: str | None = None
    labor_capacity: str = "full"
    disability_grade: int = 0
    disability_kind: str | None = None
    self_care: str = "full"
    has_able_supporter: bool = True
    supporter_unable_reason: str | None = None
    orphan: str | None = None
    newly_employed_since: dt.date | None = None
    sex: str | None = None  # "M" / "F", from the ID number; only for naming a supporter

    @property
    def unable_reason(self) -> str | None:
        """The caseworker's reason, or None when none is given (empty or blank text counts as none)."""
        reason = (self.supporter_unable_reason or "").strip()
        return reason or None


@dataclass(frozen=True)
class Property:
    financial_assets: Decimal = ZERO
    vehicles: int = 0
    houses: int = 0
    business: bool = False


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    property: Property = field(default_factory=Property)
    monthly_rigid_expenditure: Decimal = ZERO
    hardship_causes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------
# Outputs


class TraceEntry(NamedTuple):
    # A named tuple rather than a frozen dataclass: a batch creates tens of entries per household.
    rule: str
    clause: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class MemberAmounts:
    tekun_basic: Decimal = ZERO
    orphan: Decimal = ZERO
    care: Decimal = ZERO
    disability_living: Decimal = ZERO
    disability_care: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.tekun_basic + self.orphan + self.care + self.disability_living + self.disability_care


@dataclass(frozen=True)
class MemberResult:
    id_number: str
    category: str | None
    amounts: MemberAmounts


@dataclass(frozen=True)
class ZhichuResult:
    eligible: bool = False
    dibao_via_expenditure: bool = False
    disposable_per_capita: Decimal | None = None  # unrounded; present when eligible
    subsidy: Decimal = ZERO


@dataclass(frozen=True)
class Result:
    standards: Standards
    categories: tuple[str, ...]
    per_capita_income: Decimal | None  # unrounded; None when every member is tekun
    dibao_subsidy: Decimal
    zhichu: ZhichuResult
    members: tuple[MemberResult, ...]
    gradual_exit_until: dt.date | None
    total_monthly: Decimal
    trace: tuple[TraceEntry, ...]


class RulesError(Exception):
    """The rules cannot decide: a needed standard is unknown. `errors` is [{field, message}]."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


# ---------------------------------------------------------------------------------------------------
# Small formulas


def deemed_without_labor(member: Member, as_of: dt.date) -> tuple[str, str] | None:
    """[national] (document, ground) when the 特困人员认定办法 in force on `as_of` deems the member
    without labour capacity (policy.md §4), else None."""
    age = age_on(member.birth_date, as_of)
    doc = DEEMING_DOC_2021 if as_of >= DEEMING_SWITCH else DEEMING_DOC_2016
    if age >= TEKUN_AGE:
        return doc, f"{age} 岁，年满60周岁"
    if age < MINOR_AGE:
        return doc, f"{age} 岁，未满16周岁"
    kinds = DEEMED_KINDS_2021 if as_of >= DEEMING_SWITCH else DEEMED_KINDS_2016
    kind, grade = member.disability_kind, member.disability_grade
    if kind is not None and 1 <= grade <= kinds.get(kind, 0):
        return doc, f"{DISABILITY_KIND_LABELS[kind]}残疾{GRADE_LABELS[grade]}"
    return None


def is_able_supporter(member: Member, as_of: dt.date) -> bool:
    """Able to support (policy.md §4): 18 ≤ age < 60, not deemed without labour capacity, and
    `labor_capacity` not `none`."""
    age = age_on(member.birth_date, as_of)
    return (
        SUPPORTER_MIN_AGE <= age < TEKUN_AGE
        and member.labor_capacity != "none"
        and deemed_without_labor(member, as_of) is None
    )


def legal_supporters(household: Household, index: int) -> list[tuple[int, str]]:
    """(index, duty) of the member's legal supporters in the household, by relation to the head (§4).
    A member without a relation has none and supports nobody."""
    relation = household.members[index].relation
    duties = LEGAL_SUPPORTERS.get(relation, {}) if relation else {}
    return [
        (j, duties[other.relation])
        for j, other in enumerate(household.members)
        if j != index and other.relation in duties
    ]


@dataclass(frozen=True)
class SupporterView:
    """One legal supporter of a member as the household page shows it (policy.md §4)."""

    index: int
    duty: str  # 赡养 / 抚养 / 扶养
    able: bool
    age: int


def supporter_overview(household: Household, as_of: dt.date) -> tuple[tuple[SupporterView, ...], ...]:
    """For each member, the legal supporters the rules see in the household and whether each is able."""
    return tuple(
        tuple(
            SupporterView(
                j,
                duty,
                is_able_supporter(household.members[j], as_of),
                age_on(household.members[j].birth_date, as_of),
            )
            for j, duty in legal_supporters(household, i)
        )
        for i in range(len(household.members))
    )


def kin_name(member: Member) -> str:
    """户主之子 …: the member's relation to the head, by sex where there is a word for it."""
    if member.relation is None or member.relation not in _KIN_NAMES:
        return "成员"
    male, female = _KIN_NAMES[member.relation]
    return female if member.sex == "F" else male


def yuan(value: Decimal) -> str:
    """Money for a trace sentence: two decimals, and 约 when rounding hid something."""
    rounded = round_money(value)
    return f"{rounded} 元" if rounded == value else f"约 {rounded} 元"


def number(value: Decimal | int) -> str:
    """A ratio or count without trailing zeros (1.5, 0.8, 6)."""
    if isinstance(value, int):
        return str(value)
    return format(value.normalize(), "f")


# ---------------------------------------------------------------------------------------------------
# The evaluation


class _Evaluation:
    """State of one evaluation: the trace, the errors found, and the property check (made once)."""

    def __init__(
        self, household: Household, standards: Standards, as_of: dt.date, tracing: bool = True
    ) -> None:
        self.household = household
        self.standards = standards
        self.as_of = as_of
        # Without a trace no sentence is built: every note is behind `if self.tracing` (bulk work).
        self.tracing = tracing
        self.trace: list[TraceEntry] = []
        self.errors: dict[str, str] = {}
        self._property_ok: bool | None = None

    def note(self, rule: str, clause: str, passed: bool, detail: str) -> None:
        self.trace.append(TraceEntry(rule, clause, passed, detail))

    def need(self, name: str, why: str) -> Any:
        """A standard this evaluation needs; an unknown one is recorded as an error on its field."""
        value = getattr(self.standards, name)
        if value is None:
            self.errors.setdefault(
                f"standards.{name}",
                f"{STANDARD_LABELS[name]}未设定（{self.standards.region} {self.standards.year}年标准中为空），"
                f"{why}需要此项",
            )
        return value

    # -- property (§4, local limits) -----------------------------------------------------------

    def property_ok(self, dibao: Decimal) -> bool:
        # A limit is needed only when the household holds something of that kind: with zero holdings the
        # holding is within any limit the region could set (limits are non-negative counts and amounts,
        # and "no business" satisfies both allowed and not allowed), so an empty local limit cannot change
        # the outcome and is not an error. Only a holding > 0 must be compared with a known limit.
        if self._property_ok is not None:
            return self._property_ok
        prop = self.household.property
        why = "核定家庭财产状况"
        results: list[bool] = []

        if prop.financial_assets == 0:
            if self.tracing:
                self.note("property.financial_assets", "四(二)", True, "无金融资产")
            results.append(True)
        else:
            months = self.need("property_months", why)
            people = len(self.household.members)
            per_capita = prop.financial_assets / people
            if months is None:
                results.append(True)  # unknown: the error above stops the evaluation
            else:
                limit = months * dibao
                ok = prop.financial_assets <= limit * people
                verb = "未超过" if ok else "超过"
                if self.tracing:
                    self.note(
                        "property.financial_assets",
                        "四(二)",
                        ok,
                        f"金融资产 {yuan(prop.financial_assets)} ÷ 家庭成员 {people} 人 = 人均 {yuan(per_capita)}，"
                        f"{verb} {number(months)} 个月低保标准 {yuan(limit)}",
                    )
                results.append(ok)

        for kind, count, limit_field, unit, label in (
            ("vehicles", prop.vehicles, "property_vehicles", "辆", "机动车辆"),
            ("houses", prop.houses, "property_houses", "套", "房产"),
        ):
            if count == 0:
                if self.tracing:
                    self.note(f"property.{kind}", "四(二)", True, f"无{label}")
                results.append(True)
                continue
            allowed = self.need(limit_field, why)
            if allowed is None:
                results.append(True)
                continue
            ok = count <= allowed
            verb = "不超过" if ok else "超过"
            if self.tracing:
                self.note(
                    f"property.{kind}",
                    "四(二)",
                    ok,
                    f"{label} {count} {unit}，{verb} 当地允许的 {allowed} {unit}",
                )
            results.append(ok)

        if not prop.business:
            if self.tracing:
                self.note("property.business", "四(二)", True, "无营业执照")
            results.append(True)
        else:
            allowed_business = self.need("property_business_allowed", why)
            if allowed_business is None:
                results.append(True)
            else:
                ok = bool(allowed_business)
                if self.tracing:
                    self.note(
                        "property.business",
                        "四(二)",
                        ok,
                        "有营业执照，当地允许" if ok else "有营业执照，当地不允许",
                    )
                results.append(ok)

        self._property_ok = all(results)
        return self._property_ok

    # -- tekun (四(一), 五(一)2) -----------------------------------------------------------------

    def is_tekun(self, index: int, member: Member, dibao: Decimal) -> tuple[bool, bool]:
        """(tekun, as orphan) for one member."""
        who = f"第{index + 1}位成员"
        age = age_on(member.birth_date, self.as_of)
        if member.orphan is not None:
            kind = ORPHAN_LABELS[member.orphan]
            if age < ORPHAN_AGE:
                if self.tracing:
                    self.note(
                        "tekun.orphan",
                        "五(一)2",
                        True,
                        f"{who}为{kind}，{age} 岁，未满 18 周岁，纳入特困供养，享受孤儿基本生活费",
                    )
                return True, True
            if self.tracing:
                self.note(
                    "tekun.orphan",
                    "五(一)2",
                    False,
                    f"{who}登记为{kind}，但已 {age} 岁，年满 18 周岁，按特困人员一般条件认定",
                )

        c1 = age >= TEKUN_AGE or member.disability_grade >= 1 or age < MINOR_AGE
        if self.tracing:
            if age >= TEKUN_AGE:
                d1 = f"{who} {age} 岁，年满 60 周岁"
            elif member.disability_grade >= 1:
                d1 = f"{who}为{GRADE_LABELS[member.disability_grade]}残疾人"
            elif age < MINOR_AGE:
                d1 = f"{who} {age} 岁，未满 16 周岁"
            else:
                d1 = f"{who} {age} 岁，既非老年人、残疾人，也非未满 16 周岁的未成年人"
            self.note("tekun.age_or_disability", "四(一)", c1, d1)

        if member.labor_capacity == "none":
            c2 = True
            if self.tracing:
                self.note("tekun.no_labor_capacity", "四(一)", True, f"{who}{LABOR_LABELS['none']}")
        elif (deemed := deemed_without_labor(member, self.as_of)) is not None:
            doc, ground = deemed
            c2 = True
            if self.tracing:
                self.note(
                    "tekun.no_labor_capacity",
                    f"四(一)；{doc}",
                    True,
                    f"{who}{ground}，依《特困人员认定办法》（{doc}）视为无劳动能力"
                    f"（登记为{LABOR_LABELS[member.labor_capacity]}）",
                )
        else:
            c2 = False
            if self.tracing:
                self.note(
                    "tekun.no_labor_capacity", "四(一)", False, f"{who}{LABOR_LABELS[member.labor_capacity]}"
                )

        doc = DEEMING_DOC_2021.split()[0] if self.as_of >= DEEMING_SWITCH else DEEMING_DOC_2016
        c3 = member.monthly_income < dibao
        verb = "低于" if c3 else "不低于"
        if self.tracing:
            self.note(
                "tekun.no_income",
                f"四(一)；{doc}",
                c3,
                f"{who}本人月收入 {yuan(member.monthly_income)} {verb} 低保标准 {yuan(dibao)}"
                + (f"，依《特困人员认定办法》（{doc}）视为无生活来源" if c3 else ""),
            )

        c4 = not member.has_able_supporter
        if c4 and c1 and c2 and c3 and self.property_ok(dibao):
            c4 = self._supporter_check(index, who)
        else:
            if self.tracing:
                self.note(
                    "tekun.no_supporter",
                    "四(一)",
                    c4,
                    f"{who}无具备履行能力的法定赡养、抚养、扶养义务人"
                    if c4
                    else f"{who}有具备履行能力的法定赡养、抚养、扶养义务人",
                )

        tekun = c1 and c2 and c3 and c4
        if tekun:
            # Property is looked at only when it decides: the other conditions already hold.
            ok = self.property_ok(dibao)
            if self.tracing:
                self.note(
                    "tekun.property_within_limits",
                    "四(一)",
                    ok,
                    "家庭财产状况符合当地规定" if ok else "家庭财产状况超出当地规定",
                )
            tekun = ok
        if self.tracing:
            self.note(
                "tekun.result",
                "四(一)",
                tekun,
                f"{who}认定为城镇特困人员，单独供养" if tekun else f"{who}不符合特困人员条件，列入保障单位",
            )
        return tekun, False

    def _supporter_check(self, index: int, who: str) -> bool:
        """Condition 4 for a member who meets 1–3 and is recorded without an able supporter (§4): an able
        legal supporter in the household needs the caseworker's reason, else it is an error naming them."""
        member = self.household.members[index]
        able = [
            (j, duty)
            for j, duty in legal_supporters(self.household, index)
            if is_able_supporter(self.household.members[j], self.as_of)
        ]
        reason = member.unable_reason
        if able and reason is None:
            names = "、".join(
                f"{kin_name(self.household.members[j])} {mask_id(self.household.members[j].id_number)}"
                f"（{age_on(self.household.members[j].birth_date, self.as_of)}岁，"
                f"{LABOR_LABELS[self.household.members[j].labor_capacity]}）是法定{duty}义务人"
                for j, duty in able
            )
            self.errors.setdefault(
                f"household.members[{index}].has_able_supporter",
                f"{names}：请核实并说明其无履行义务能力的原因",
            )
            if self.tracing:
                self.note(
                    "tekun.no_supporter", "四(一)", False, f"{who}登记为无法定义务人，但{names}，未说明原因"
                )
            return False
        if able:
            if self.tracing:
                self.note(
                    "tekun.no_supporter",
                    "四(一)",
                    True,
                    f"{who}的法定义务人无履行义务能力，经办人说明：{reason}",
                )
        else:
            if self.tracing:
                self.note(
                    "tekun.no_supporter",
                    "四(一)",
                    True,
                    f"{who}无具备履行能力的法定赡养、抚养、扶养义务人"
                    + (f"（经办人说明：{reason}）" if reason else ""),
                )
        return True

    # -- the whole household ---------------------------------------------------------------------

    def run(self) -> Result:
        dibao = self.need("dibao", "认定低保和特困人员")
        if dibao is None:
            raise RulesError(self._error_list())
        hh = self.household

        tekun_flags: list[tuple[bool, bool]] = [self.is_tekun(i, m, dibao) for i, m in enumerate(hh.members)]
        unit = [m for m, (t, _) in zip(hh.members, tekun_flags, strict=True) if not t]
        n = len(unit)
        income = sum((m.monthly_income for m in unit), ZERO)

        is_dibao = is_zhichu = via_expenditure = False
        pci: Decimal | None = None
        disposable: Decimal | None = None

        if n == 0:
            if self.tracing:
                self.note("unit.members", "四(二)", False, "全部成员均为特困人员，无低保、支出型保障单位")
        else:
            excluded = len(hh.members) - n
            pci = income / n
            if self.tracing:
                self.note(
                    "unit.members",
                    "四(二)",
                    True,
                    f"保障单位 {n} 人（不含特困人员 {excluded} 人），月收入合计 {yuan(income)}，"
                    f"人均月收入 {yuan(pci)}",
                )
            below = income < dibao * n
            if self.tracing:
                self.note(
                    "dibao.income_below_standard",
                    "四(二)",
                    below,
                    f"人均月收入 {yuan(pci)} {'低于' if below else '不低于'} 低保标准 {yuan(dibao)}",
                )
            if below:
                ok = self.property_ok(dibao)
                if self.tracing:
                    self.note(
                        "dibao.property_within_limits",
                        "四(二)",
                        ok,
                        "家庭财产状况符合当地规定" if ok else "家庭财产状况超出当地规定",
                    )
                is_dibao = ok

            if not is_dibao:
                is_zhichu = self._zhichu_eligible(below, income, n, pci, dibao)
                if is_zhichu:
                    disposable = max(ZERO, income - hh.monthly_rigid_expenditure)
                    via_expenditure = disposable < dibao * n
                    verb = "低于" if via_expenditure else "不低于"
                    tail = "，可纳入低保" if via_expenditure else "，不纳入低保"
                    if self.tracing:
                        self.note(
                            "zhichu.dibao_via_expenditure",
                            "五(一)3",
                            via_expenditure,
                            f"月收入 {yuan(income)} 扣除刚性支出 {yuan(hh.monthly_rigid_expenditure)} 后，"
                            f"人均可支配收入 {yuan(disposable / n)} {verb} 低保标准 {yuan(dibao)}{tail}",
                        )

        unit_category = DIBAO if is_dibao else ZHICHU if is_zhichu else None
        dibao_paid = is_dibao or via_expenditure

        dibao_subsidy = ZERO
        if is_dibao:
            dibao_subsidy = round_money(dibao * n - income)
            if self.tracing:
                self.note(
                    "amount.dibao_subsidy",
                    "五(一)1",
                    True,
                    f"低保标准 {yuan(dibao)} × {n} 人 − 保障单位月收入 {yuan(income)} = {yuan(dibao_subsidy)}",
                )
        zhichu_subsidy = ZERO
        if via_expenditure:
            assert disposable is not None
            zhichu_subsidy = round_money(dibao * n - disposable)
            if self.tracing:
                self.note(
                    "amount.zhichu_subsidy",
                    "五(一)3",
                    True,
                    f"低保标准 {yuan(dibao)} × {n} 人 − 可支配收入 {yuan(disposable)} = {yuan(zhichu_subsidy)}",
                )

        members: list[MemberResult] = []
        for index, (member, (tekun, as_orphan)) in enumerate(zip(hh.members, tekun_flags, strict=True)):
            if tekun:
                amounts = self._tekun_amounts(index, member, as_orphan)
                members.append(MemberResult(member.id_number, TEKUN, amounts))
            else:
                amounts = self._unit_amounts(index, member, unit_category, dibao_paid)
                members.append(MemberResult(member.id_number, unit_category, amounts))

        gradual_exit_until = None
        if n and not dibao_paid:
            gradual_exit_until = self._gradual_exit(unit, dibao)

        if self.errors:
            raise RulesError(self._error_list())

        categories = tuple(
            c
            for c, found in zip(
                CATEGORY_ORDER, (any(t for t, _ in tekun_flags), is_dibao, is_zhichu), strict=True
            )
            if found
        )
        total = dibao_subsidy + zhichu_subsidy + sum((m.amounts.total for m in members), ZERO)
        return Result(
            standards=self.standards,
            categories=categories,
            per_capita_income=pci,
            dibao_subsidy=dibao_subsidy,
            zhichu=ZhichuResult(
                eligible=is_zhichu,
                dibao_via_expenditure=via_expenditure,
                disposable_per_capita=None if disposable is None else disposable / n,
                subsidy=zhichu_subsidy,
            ),
            members=tuple(members),
            gradual_exit_until=gradual_exit_until,
            total_monthly=total,
            trace=tuple(self.trace),
        )

    def _zhichu_eligible(self, below: bool, income: Decimal, n: int, pci: Decimal, dibao: Decimal) -> bool:
        if below:
            if self.tracing:
                self.note(
                    "zhichu.income_in_range",
                    "四(三)",
                    False,
                    f"人均月收入 {yuan(pci)} 低于 低保标准 {yuan(dibao)}，不属于收入在低保标准以上的支出型贫困家庭",
                )
            return False
        multiplier = self.need("zhichu_multiplier", "认定支出型贫困低收入家庭")
        if multiplier is None:
            in_range = True  # unknown: the error above stops the evaluation
        else:
            ceiling = multiplier * dibao
            in_range = income <= ceiling * n
            if self.tracing:
                self.note(
                    "zhichu.income_in_range",
                    "四(三)",
                    in_range,
                    f"人均月收入 {yuan(pci)} {'在' if in_range else '超出'} 低保标准 {yuan(dibao)} 至其 "
                    f"{number(multiplier)} 倍 {yuan(ceiling)} {'以内' if in_range else '的范围'}",
                )
        if not in_range:
            return False
        causes = self.household.hardship_causes
        has_cause = bool(causes)
        if self.tracing:
            self.note(
                "zhichu.hardship_cause",
                "四(三)",
                has_cause,
                ("致困原因：" + "、".join(CAUSE_LABELS[c] for c in causes))
                if has_cause
                else "未登记致困原因（重大支出）",
            )
        if not has_cause:
            return False
        ok = self.property_ok(dibao)
        if self.tracing:
            self.note(
                "zhichu.property_within_limits",
                "四(三)",
                ok,
                "家庭财产状况符合当地规定" if ok else "家庭财产状况超出当地规定",
            )
        return ok

    def _component(
        self,
        name: str,
        who: str,
        clause: str,
        compute: Callable[[], Decimal | None],
        detail: Callable[[Decimal], str],
    ) -> Decimal:
        raw = compute()
        if raw is None:
            return ZERO
        amount = round_money(raw)
        if self.tracing:
            self.note(f"amount.{name}", clause, True, f"{who}{detail(amount)}")
        return amount

    def _tekun_amounts(self, index: int, member: Member, as_orphan: bool) -> MemberAmounts:
        who = f"第{index + 1}位成员"
        tekun_basic = orphan = care = disability_care = ZERO
        if as_orphan:
            assert member.orphan is not None
            std_field = "orphan_" + member.orphan
            label = ORPHAN_LABELS[member.orphan]
            orphan = self._component(
                "orphan",
                who,
                "五(一)2",
                lambda: self.need(std_field, f"计算{label}基本生活费"),
                lambda a: f"{label}基本生活费 {yuan(a)}",
            )
        else:
            tekun_basic = self._component(
                "tekun_basic",
                who,
                "五(一)2",
                lambda: self.need("tekun", "计算特困人员基本生活费"),
                lambda a: f"特困人员救助供养标准 {yuan(a)}",
            )
        if as_orphan and member.self_care in ("none", "semi"):
            if self.tracing:
                self.note(
                    "amount.care",
                    "五(一)2",
                    False,
                    f"{who}为孤儿，享受孤儿基本生活费，不发放特困人员照料护理费",
                )
        elif member.self_care in ("none", "semi"):
            full = member.self_care == "none"
            ratio_field = "care_ratio_full" if full else "care_ratio_semi"
            state = "全失能" if full else "半失能"
            ratio = self.need(ratio_field, f"计算{state}特困人员照料护理费")
            wage = self.need("min_wage", f"计算{state}特困人员照料护理费")
            if ratio is not None and wage is not None:
                care = round_money(ratio * wage)
                if self.tracing:
                    self.note(
                        "amount.care",
                        "五(一)2",
                        True,
                        f"{who}{state}，照料护理费 {number(ratio)} × 当地最低工资 {yuan(wage)} = {yuan(care)}",
                    )
        if 1 <= member.disability_grade <= 2:
            if care > 0:
                if self.tracing:
                    self.note(
                        "amount.disability_care",
                        "五(一)1",
                        False,
                        f"{who}已享受特困人员照料护理费，不再发放重度残疾人护理补贴",
                    )
            else:
                disability_care = self._component(
                    "disability_care",
                    who,
                    "五(一)1",
                    lambda: self.need("disability_care", "计算重度残疾人护理补贴"),
                    lambda a: f"{GRADE_LABELS[member.disability_grade]}残疾，重度残疾人护理补贴 {yuan(a)}",
                )
        return MemberAmounts(
            tekun_basic=tekun_basic, orphan=orphan, care=care, disability_care=disability_care
        )

    def _unit_amounts(
        self, index: int, member: Member, category: str | None, dibao_paid: bool
    ) -> MemberAmounts:
        who = f"第{index + 1}位成员"
        grade = member.disability_grade
        living = care = ZERO
        if grade >= 1 and dibao_paid:
            living = self._component(
                "disability_living",
                who,
                "五(一)1",
                lambda: self.need("disability_living", "计算困难残疾人生活补贴"),
                lambda a: f"{GRADE_LABELS[grade]}残疾，困难残疾人生活补贴 {yuan(a)}",
            )
        if category is not None and 1 <= grade <= 2:
            care = self._component(
                "disability_care",
                who,
                "五(一)1",
                lambda: self.need("disability_care", "计算重度残疾人护理补贴"),
                lambda a: f"{GRADE_LABELS[grade]}残疾，重度残疾人护理补贴 {yuan(a)}",
            )
        return MemberAmounts(disability_living=living, disability_care=care)

    def _gradual_exit(self, unit: list[Member], dibao: Decimal) -> dt.date | None:
        """渐退 (§5, [v2]) only for a unit that leaves dibao on income alone: not dibao, not taken into
        dibao via expenditure (the caller checks both), and its property within limits."""
        dates = [
            m.newly_employed_since
            for m in unit
            if m.newly_employed_since is not None and m.newly_employed_since <= self.as_of
        ]
        if not dates:
            return None
        start = max(dates)
        if not self.property_ok(dibao):
            if self.tracing:
                self.note(
                    "gradual_exit",
                    "五(一)1",
                    False,
                    f"新就业日期 {start.isoformat()}，但家庭财产状况超出当地规定，不是因收入增加退出低保，不享受渐退",
                )
            return None
        disabled = any(m.disability_grade >= 1 for m in unit)
        name = "extension_months_disabled" if disabled else "extension_months"
        months = self.need(name, "计算就业渐退期")
        if months is None:
            return None
        end = add_months(start, months)
        active = end > self.as_of
        kind = "有残疾成员，" if disabled else ""
        if self.tracing:
            self.note(
                "gradual_exit",
                "五(一)1",
                active,
                f"{kind}新就业日期 {start.isoformat()} 起渐退 {months} 个月至 {end.isoformat()}，"
                + ("评估日仍在渐退期内" if active else "评估日渐退期已结束"),
            )
        return end if active else None

    def _error_list(self) -> list[dict[str, str]]:
        return [{"field": f, "message": m} for f, m in self.errors.items()]


def evaluate(household: Household, standards: Standards, as_of: dt.date, *, trace: bool = True) -> Result:
    """Decide categories and amounts for one household on `as_of` (policy.md §4–§5).

    `trace=False` is for bulk work that does not show the trace: the same result with an empty `trace`,
    several times faster (no sentence is formatted). Raises RulesError listing every standard the
    evaluation needed but found empty (the same errors with or without trace).
    """
    if not household.members:
        raise RulesError([{"field": "household.members", "message": "家庭成员不能为空"}])
    unborn = [
        {
            "field": f"household.members[{i}].id_number",
            "message": f"身份证号码中的出生日期 {m.birth_date.isoformat()} 晚于评估日期",
        }
        for i, m in enumerate(household.members)
        if m.birth_date > as_of
    ]
    if unborn:
        raise RulesError(unborn)
    return _Evaluation(household, standards, as_of, trace).run()
