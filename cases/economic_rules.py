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
from ledgers.sources import Fact, SourceResult

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
        Rule("member_deceased", "成员已死亡注销", "六(三)；policy.md §3"),
        Rule("member_moved", "成员户籍已迁出本县", "六(三)；policy.md §3"),
        Rule("vehicle_undeclared", "机动车多于申报", "四(二)；policy.md §3、§4"),
        Rule("business_undeclared", "有未申报的工商登记", "四(二)；policy.md §3、§4"),
        Rule("house_undeclared", "房产多于申报", "四(二)；policy.md §3、§4"),
        Rule("income_undeclared", "收入高于申报", "四(一)–(三)；policy.md §3、§4"),
        Rule("assets_undeclared", "金融资产多于申报", "四(二)；policy.md §3、§4"),
        Rule("benefit_undeclared", "部门待遇未申报为收入", "四(二)；policy.md §3"),
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


def compare(
    *,
    household: DeclaredHousehold,
    members: Sequence[DeclaredMember],
    results: Sequence[SourceResult],
    as_of: dt.date,
    program_labels: Mapping[str, str] | None = None,
) -> Outcome:
    """Per member × checked source what was found, and every contradiction with the declaration."""
    labels = program_labels or {}
    items: list[Item] = []
    found: list[Contradiction] = []
    county = household.region[:6]
    for result in results:
        if not result.checked:
            continue
        origin = result.origin()
        ext_id, ext_date = origin.get("id"), origin.get("date")
        by_person: dict[str, list[Fact]] = {m.id_number: [] for m in members}
        for f in result.facts:
            if f.id_number in by_person:
                by_person[f.id_number].append(f)
        kind = result.kind

        def add(
            rule: str,
            m: DeclaredMember | None,
            message: str,
            evidence: dict,
            owners: list[str],
            _kind: str = kind,
            _id: int | None = ext_id,
            _date: str | None = ext_date,
        ) -> None:
            found.append(
                Contradiction(
                    source=_kind,
                    rule=rule,
                    id_number=m.id_number if m else "",
                    name=m.name if m else "",
                    message=message,
                    evidence=evidence,
                    extract_id=_id,
                    extract_date=_date,
                    owners=owners,
                )
            )

        if kind == "death":
            for m in members:
                dead = sorted(f.on_date for f in by_person[m.id_number] if f.on_date and f.on_date <= as_of)
                if dead:
                    add(
                        "member_deceased",
                        m,
                        f"{m.name}已于{dead[0]:%Y-%m-%d}死亡注销户籍，不能作为申请家庭成员",
                        {"on_date": dead[0].isoformat()},
                        [m.id_number],
                    )
        elif kind == "move":
            for m in members:
                away = sorted(
                    (
                        f
                        for f in by_person[m.id_number]
                        if f.on_date and f.on_date <= as_of and f.code[:6] != county
                    ),
                    key=lambda f: f.on_date,
                )
                if away:
                    f = away[-1]
                    add(
                        "member_moved",
                        m,
                        f"{m.name}户籍已于{f.on_date:%Y-%m-%d}迁出本县（迁入地区划{f.code}）",
                        {"on_date": f.on_date.isoformat(), "to_region": f.code},
                        [m.id_number],
                    )
        elif kind in ("vehicle", "real_estate", "business"):
            held = {
                m.id_number: sorted(
                    {f.ref for f in by_person[m.id_number] if kind != "business" or _active_business(f)}
                )
                for m in members
            }
            refs = sorted({r for refs in held.values() for r in refs})
            owners = [n for n, refs in held.items() if refs]
            if kind == "vehicle" and len(refs) > household.vehicles:
                add(
                    "vehicle_undeclared",
                    None,
                    f"家庭成员名下机动车{len(refs)}辆（{'、'.join(refs)}），申报{household.vehicles}辆",
                    {"count": len(refs), "declared": household.vehicles, "items": refs},
                    owners,
                )
            elif kind == "real_estate" and len(refs) > household.houses:
                add(
                    "house_undeclared",
                    None,
                    f"家庭成员名下不动产{len(refs)}处，申报房产{household.houses}套",
                    {"count": len(refs), "declared": household.houses, "items": refs},
                    owners,
                )
            elif kind == "business" and refs and not household.business:
                add(
                    "business_undeclared",
                    None,
                    f"家庭成员名下有存续的市场主体登记（{'、'.join(refs)}），申报无营业执照",
                    {"count": len(refs), "declared": False, "items": refs},
                    owners,
                )
        elif kind == "financial":
            total = sum((f.amount or ZERO for fs in by_person.values() for f in fs), ZERO)
            if total > household.financial_assets:
                owners = [n for n, fs in by_person.items() if fs]
                add(
                    "assets_undeclared",
                    None,
                    f"家庭成员金融资产合计{_money(total)}元，申报{_money(household.financial_assets)}元",
                    {"amount": _money(total), "declared": _money(household.financial_assets)},
                    owners,
                )
        elif kind in ("tax_income", "social_insurance", "housing_fund"):
            for m in members:
                worst: tuple[Decimal, Decimal, str] | None = None
                for f in by_person[m.id_number]:
                    declared, what = _declared_for(kind, m, f)
                    if (
                        f.amount is not None
                        and f.amount > declared
                        and (worst is None or f.amount > worst[0])
                    ):
                        worst = (f.amount, declared, what)
                if worst:
                    add(
                        "income_undeclared",
                        m,
                        f"{m.name}{result.label}月均{_money(worst[0])}元，"
                        f"高于申报的{worst[2]}{_money(worst[1])}元",
                        {"amount": _money(worst[0]), "declared": _money(worst[1]), "compared_with": worst[2]},
                        [m.id_number],
                    )
        elif kind == "benefit":
            for m in members:
                cash = sum(
                    (f.amount or ZERO for f in by_person[m.id_number] if f.program in INCOME_PROGRAMS), ZERO
                )
                if cash > m.income_transfer:
                    progs = sorted(
                        {
                            labels.get(f.program, f.program)
                            for f in by_person[m.id_number]
                            if f.program in INCOME_PROGRAMS
                        }
                    )
                    add(
                        "benefit_undeclared",
                        m,
                        f"{m.name}领取{'、'.join(progs)}{_money(cash)}元，"
                        f"高于申报的转移性收入{_money(m.income_transfer)}元",
                        {"amount": _money(cash), "declared": _money(m.income_transfer), "items": progs},
                        [m.id_number],
                    )

        flagged = {n for c in found if c.source == kind for n in c.owners}
        for m in members:
            facts = by_person[m.id_number]
            summary = _summary(kind, facts)
            if kind == "benefit" and facts:
                summary = "；".join(
                    f"{labels.get(f.program, f.program)}"
                    f"{' ' + _money(f.amount) + ' 元' if f.amount is not None else ''}"
                    for f in facts
                )
            items.append(
                Item(
                    id_number=m.id_number,
                    name=m.name,
                    source=kind,
                    found=[_fact_json(f) for f in facts],
                    summary=summary[:300],
                    extract_id=ext_id,
                    extract_date=ext_date,
                    contradiction=m.id_number in flagged,
                )
            )
    return Outcome(items=items, contradictions=found)
