"""The comparisons of the economic check at intake: pure functions of (declared facts, what the sources hold).

No database, no clock, no settings: `compare` takes the household's declaration (policy.md §3), the
members' declared incomes and each source's answer, and returns per member and source what was found and
every contradiction, each naming the rule and the clause it bears on (赣发〔2018〕7号 and policy.md sections,
as the eligibility trace cites them).

A contradiction is a department fact the declaration does not account for: a member dead or moved out of
the county (not a member of the household being decided), an income higher than declared for that kind of
income, more vehicles, houses or financial assets than declared, a business licence not declared, a cash
benefit of another department not declared as transfer income. Whether the corrected facts still qualify is
the rules' business (eligibility/rules.py), not this module's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from common.money import format_yuan
from economic_check.sources import Fact, SourceResult

ZERO = Decimal("0")
CLOSED_BUSINESS = ("注销", "已注销", "吊销", "已吊销", "撤销")
# Benefit programs whose payments are the member's own cash income (转移性收入); the others (subsidised
# premiums, medical relief, student aid, housing) are not income under policy.md §3.
INCOME_PROGRAMS = ("union_hardship",)
PENSION_WORDS = ("养老金", "退休", "待遇")


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    clause: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("member_deceased", "成员已死亡注销", "赣发〔2018〕7号 六(三)"),
        Rule("member_moved", "成员户籍已迁出本县", "赣发〔2018〕7号 六(三)"),
        Rule("vehicle_undeclared", "机动车多于申报", "赣发〔2018〕7号 四(二)"),
        Rule("business_undeclared", "有未申报的工商登记", "赣发〔2018〕7号 四(二)"),
        Rule("house_undeclared", "房产多于申报", "赣发〔2018〕7号 四(二)"),
        Rule("income_undeclared", "收入高于申报", "赣发〔2018〕7号 四(一)–(三)"),
        Rule("assets_undeclared", "金融资产多于申报", "赣发〔2018〕7号 四(二)"),
        Rule("benefit_undeclared", "部门待遇未申报为收入", "赣发〔2018〕7号 四(二)"),
    )
}


@dataclass(frozen=True)
class DeclaredMember:
    id_number: str
    name: str
    income_wage: Decimal = ZERO
    income_business: Decimal = ZERO
    income_property: Decimal = ZERO
    income_transfer: Decimal = ZERO
    income_other: Decimal = ZERO


@dataclass(frozen=True)
class DeclaredHousehold:
    region: str  # community code
    financial_assets: Decimal = ZERO
    vehicles: int = 0
    houses: int = 0
    business: bool = False


@dataclass
class Item:
    id_number: str
    name: str
    source: str
    found: list[dict]
    summary: str
    extract_id: int | None
    extract_date: str | None
    contradiction: bool = False


@dataclass
class Contradiction:
    source: str
    rule: str
    id_number: str  # "" for the household as a whole
    name: str
    message: str
    evidence: dict
    extract_id: int | None
    extract_date: str | None
    owners: list[str] = field(default_factory=list)  # members whose facts it rests on

    @property
    def clause(self) -> str:
        return RULES[self.rule].clause

    @property
    def key(self) -> str:
        """What identifies the same contradiction in a later check: rule, source, member and the evidence."""
        items = ",".join(str(v) for v in self.evidence.get("items", []))
        return f"{self.rule}|{self.source}|{self.id_number}|{self.evidence.get('amount', '')}|{items}"[:200]


@dataclass
class Outcome:
    items: list[Item]
    contradictions: list[Contradiction]


def _money(value: Decimal | None) -> str:
    return format_yuan(value or ZERO, grouping=False)


def _fact_json(f: Fact) -> dict:
    out: dict = {}
    if f.on_date:
        out["on_date"] = f.on_date.isoformat()
    if f.amount is not None:
        out["amount"] = _money(f.amount)
    for name in ("code", "ref", "note", "program"):
        if getattr(f, name):
            out[name] = getattr(f, name)
    return out


def _active_business(f: Fact) -> bool:
    return f.note.strip() not in CLOSED_BUSINESS


def _declared_for(kind: str, m: DeclaredMember, f: Fact) -> tuple[Decimal, str]:
    """The declared monthly income a source's figure is compared with, and what it is called."""
    if kind == "tax_income":
        return m.income_wage + m.income_business + m.income_property, "工资性、经营性、财产性收入"
    if kind == "social_insurance":
        if any(w in f.note for w in PENSION_WORDS):
            return m.income_transfer, "转移性收入（养老金等）"
        return m.income_wage + m.income_business, "工资性、经营性收入"
    if kind == "housing_fund":
        return m.income_wage, "工资性收入"
    return m.income_transfer, "转移性收入"


def _summary(kind: str, facts: list[Fact]) -> str:
    if not facts:
        return "未发现"
    if kind == "death":
        return f"死亡注销 {min(f.on_date for f in facts if f.on_date) or ''}"
    if kind == "move":
        f = facts[0]
        return f"{f.on_date} 迁往 {f.code}"
    if kind in ("vehicle", "real_estate"):
        return f"{len({f.ref for f in facts})}项：" + "、".join(sorted({f.ref for f in facts}))
    if kind == "business":
        return "；".join(f"{f.ref}（{f.note or '状态不详'}）" for f in facts)
    if kind == "financial":
        return f"余额合计 {_money(sum((f.amount or ZERO for f in facts), ZERO))} 元"
    if kind == "benefit":
        return "；".join(
            f"{f.program}{' ' + _money(f.amount) + ' 元' if f.amount is not None else ''}" for f in facts
        )
    return f"月均 {_money(max((f.amount or ZERO) for f in facts))} 元"


@dataclass(frozen=True)
class Finding:
    """One contradiction a source's facts show, before it is tied to the extract it came from."""

    rule: str
    member: DeclaredMember | None
    message: str
    evidence: dict
    owners: list[str]


@dataclass(frozen=True)
class Checked:
    """What every comparison of one source sees: the household, its members, the facts by member, the day."""

    household: DeclaredHousehold
    members: Sequence[DeclaredMember]
    by_person: dict[str, list[Fact]]
    kind: str
    label: str
    as_of: dt.date
    labels: Mapping[str, str]


def compare_deaths(c: Checked) -> list[Finding]:
    """A member whose household registration was closed by death on or before the day (死亡注销)."""
    out = []
    for m in c.members:
        dead = sorted(f.on_date for f in c.by_person[m.id_number] if f.on_date and f.on_date <= c.as_of)
        if dead:
            out.append(
                Finding(
                    "member_deceased",
                    m,
                    f"{m.name}已于{dead[0]:%Y-%m-%d}死亡注销户籍，不能作为申请家庭成员",
                    {"on_date": dead[0].isoformat()},
                    [m.id_number],
                )
            )
    return out


def compare_moves(c: Checked) -> list[Finding]:
    """A member whose registration moved out of the household's county on or before the day (the latest move)."""
    county = c.household.region[:6]
    out = []
    for m in c.members:
        away = sorted(
            (
                f
                for f in c.by_person[m.id_number]
                if f.on_date and f.on_date <= c.as_of and f.code[:6] != county
            ),
            key=lambda f: f.on_date,
        )
        if away:
            f = away[-1]
            out.append(
                Finding(
                    "member_moved",
                    m,
                    f"{m.name}户籍已于{f.on_date:%Y-%m-%d}迁出本县（迁入地区划{f.code}）",
                    {"on_date": f.on_date.isoformat(), "to_region": f.code},
                    [m.id_number],
                )
            )
    return out


def _held(c: Checked) -> tuple[list[str], list[str]]:
    """The distinct things (plates, property certificates, active businesses) the members hold, and who holds
    any."""
    held = {
        m.id_number: sorted(
            {f.ref for f in c.by_person[m.id_number] if c.kind != "business" or _active_business(f)}
        )
        for m in c.members
    }
    return sorted({r for refs in held.values() for r in refs}), [n for n, refs in held.items() if refs]


def compare_holdings(c: Checked) -> list[Finding]:
    """More vehicles or properties than declared; an active business when none was declared."""
    refs, owners = _held(c)
    declared_vehicles, declared_houses = c.household.vehicles, c.household.houses
    if c.kind == "vehicle" and len(refs) > declared_vehicles:
        return [
            Finding(
                "vehicle_undeclared",
                None,
                f"家庭成员名下机动车{len(refs)}辆（{'、'.join(refs)}），申报{declared_vehicles}辆",
                {"count": len(refs), "declared": declared_vehicles, "items": refs},
                owners,
            )
        ]
    if c.kind == "real_estate" and len(refs) > declared_houses:
        return [
            Finding(
                "house_undeclared",
                None,
                f"家庭成员名下不动产{len(refs)}处，申报房产{declared_houses}套",
                {"count": len(refs), "declared": declared_houses, "items": refs},
                owners,
            )
        ]
    if c.kind == "business" and refs and not c.household.business:
        return [
            Finding(
                "business_undeclared",
                None,
                f"家庭成员名下有存续的市场主体登记（{'、'.join(refs)}），申报无营业执照",
                {"count": len(refs), "declared": False, "items": refs},
                owners,
            )
        ]
    return []


def compare_assets(c: Checked) -> list[Finding]:
    """Financial assets of all members together above what the household declared."""
    total = sum((f.amount or ZERO for fs in c.by_person.values() for f in fs), ZERO)
    declared = c.household.financial_assets
    if total <= declared:
        return []
    owners = [n for n, fs in c.by_person.items() if fs]
    return [
        Finding(
            "assets_undeclared",
            None,
            f"家庭成员金融资产合计{_money(total)}元，申报{_money(declared)}元",
            {"amount": _money(total), "declared": _money(declared)},
            owners,
        )
    ]


def _worst_income(c: Checked, m: DeclaredMember) -> tuple[Decimal, Decimal, str] | None:
    """The member's highest monthly figure above what they declared for it: (figure, declared, what)."""
    worst: tuple[Decimal, Decimal, str] | None = None
    for f in c.by_person[m.id_number]:
        declared, what = _declared_for(c.kind, m, f)
        if f.amount is not None and f.amount > declared and (worst is None or f.amount > worst[0]):
            worst = (f.amount, declared, what)
    return worst


def compare_incomes(c: Checked) -> list[Finding]:
    """A member's taxed income, contributions base or housing-fund base above the declared income."""
    out = []
    for m in c.members:
        worst = _worst_income(c, m)
        if worst:
            out.append(
                Finding(
                    "income_undeclared",
                    m,
                    f"{m.name}{c.label}月均{_money(worst[0])}元，高于申报的{worst[2]}{_money(worst[1])}元",
                    {"amount": _money(worst[0]), "declared": _money(worst[1]), "compared_with": worst[2]},
                    [m.id_number],
                )
            )
    return out


def compare_benefits(c: Checked) -> list[Finding]:
    """Cash benefits of other programs above the member's declared transfer income."""
    out = []
    for m in c.members:
        paid = [f for f in c.by_person[m.id_number] if f.program in INCOME_PROGRAMS]
        cash = sum((f.amount or ZERO for f in paid), ZERO)
        if cash > m.income_transfer:
            progs = sorted({c.labels.get(f.program, f.program) for f in paid})
            out.append(
                Finding(
                    "benefit_undeclared",
                    m,
                    f"{m.name}领取{'、'.join(progs)}{_money(cash)}元，"
                    f"高于申报的转移性收入{_money(m.income_transfer)}元",
                    {"amount": _money(cash), "declared": _money(m.income_transfer), "items": progs},
                    [m.id_number],
                )
            )
    return out


COMPARISONS = {
    "death": compare_deaths,
    "move": compare_moves,
    "vehicle": compare_holdings,
    "real_estate": compare_holdings,
    "business": compare_holdings,
    "financial": compare_assets,
    "tax_income": compare_incomes,
    "social_insurance": compare_incomes,
    "housing_fund": compare_incomes,
    "benefit": compare_benefits,
}


def _item_summary(c: Checked, facts: list[Fact]) -> str:
    if c.kind == "benefit" and facts:
        return "；".join(
            f"{c.labels.get(f.program, f.program)}{' ' + _money(f.amount) + ' 元' if f.amount is not None else ''}"
            for f in facts
        )
    return _summary(c.kind, facts)


def compare(
    *,
    household: DeclaredHousehold,
    members: Sequence[DeclaredMember],
    results: Sequence[SourceResult],
    as_of: dt.date,
    program_labels: Mapping[str, str] | None = None,
) -> Outcome:
    """Per member × checked source what was found, and every contradiction with the declaration."""
    items: list[Item] = []
    found: list[Contradiction] = []
    for result in results:
        if not result.checked:
            continue
        origin = result.origin()
        ext_id, ext_date = origin.get("id"), origin.get("date")
        by_person: dict[str, list[Fact]] = {m.id_number: [] for m in members}
        for f in result.facts:
            if f.id_number in by_person:
                by_person[f.id_number].append(f)
        checked = Checked(
            household, members, by_person, result.kind, result.label, as_of, program_labels or {}
        )
        findings = COMPARISONS.get(result.kind, lambda c: [])(checked)
        found.extend(
            Contradiction(
                source=result.kind,
                rule=f.rule,
                id_number=f.member.id_number if f.member else "",
                name=f.member.name if f.member else "",
                message=f.message,
                evidence=f.evidence,
                extract_id=ext_id,
                extract_date=ext_date,
                owners=f.owners,
            )
            for f in findings
        )
        flagged = {n for f in findings for n in f.owners}
        items.extend(
            Item(
                id_number=m.id_number,
                name=m.name,
                source=result.kind,
                found=[_fact_json(f) for f in by_person[m.id_number]],
                summary=_item_summary(checked, by_person[m.id_number])[:300],
                extract_id=ext_id,
                extract_date=ext_date,
                contradiction=m.id_number in flagged,
            )
            for m in members
        )
    return Outcome(items=items, contradictions=found)
