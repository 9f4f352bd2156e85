"""The limits of temporary relief (五(七), policy.md §6) as one pure function: facts and the region's local
settings in, the route and every broken limit (field-level, in Chinese) out. No database, no clock.

- per event: `amount` ≤ `per_event_cap`; for a person in any of the three categories (特困、低保、支出型) an
  expenditure-type (支出型) grant may be raised by up to `uplift_max` above it: ≤ `per_event_cap` × (1 +
  `uplift_max`), rounded half-up to 0.01;
- per year: the person's grants of the calendar year, this one included, total ≤ `annual_cap`;
- number of grants: at most `annual_times` a year, and `annual_times` + `extra_times` (1–2) for a person in the
  three categories, all within `annual_cap`;
- route: an urgent (急难型) case, or an amount ≤ `street_limit`, is approved and paid by the street office from
  its reserve fund and filed with the county; any other amount goes to the county.

特别救助 (`special_check`, policy.md §6 [v2]): the gross major rigid expenditure less each deduction (social
insurance reimbursements, other social relief, social help and charity) is the net burden; it must be above zero,
and the grant never exceeds it. The county alone approves it; `per_event_cap`, `annual_cap` and `annual_times`
do not apply to it, and it does not count against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from eligibility import rules

URGENT, EXPENDITURE, SPECIAL = "urgent", "expenditure", "special"
STREET, COUNTY = "street", "county"


@dataclass(frozen=True)
class ReliefCheck:
    route: str | None
    per_event_limit: Decimal | None
    annual_left: Decimal | None  # before this grant
    times_allowed: int | None
    errors: list[dict[str, str]] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "route": self.route,
            "per_event_limit": None if self.per_event_limit is None else str(self.per_event_limit),
            "annual_left": None if self.annual_left is None else str(self.annual_left),
            "times_allowed": self.times_allowed,
            "trace": self.trace,
        }


def _need(standards: rules.Standards, name: str, errors: list[dict[str, str]]):
    value = getattr(standards, name)
    if value is None:
        errors.append(
            {
                "field": f"standards.{name}",
                "message": f"{rules.STANDARD_LABELS[name]}未设定（{standards.region} {standards.year}年标准中为空），"
                "核定临时救助需要此项",
            }
        )
    return value


def relief_check(
    *,
    amount: Decimal,
    kind: str,
    in_categories: bool,
    year_total: Decimal,
    year_count: int,
    standards: rules.Standards,
) -> ReliefCheck:
    """`year_total` and `year_count`: the person's other grants this calendar year that count (pending or paid)."""
    errors: list[dict[str, str]] = []
    trace: list[str] = []
    cap = _need(standards, "per_event_cap", errors)
    annual_cap = _need(standards, "annual_cap", errors)
    times = _need(standards, "annual_times", errors)
    street_limit = _need(standards, "street_limit", errors)
    uplift = _need(standards, "uplift_max", errors) if in_categories and kind == EXPENDITURE else None
    extra = _need(standards, "extra_times", errors) if in_categories else 0
    if errors:
        return ReliefCheck(None, None, None, None, errors, trace)

    limit = cap
    if in_categories and kind == EXPENDITURE:
        limit = rules.round_money(cap * (1 + uplift))
        trace.append(
            f"三类对象支出型临时救助可上浮 {rules.number(uplift * 100)}%：单次上限 {cap} 元 × "
            f"{rules.number(1 + uplift)} = {limit} 元（五(七)）"
        )
    else:
        trace.append(f"单次救助上限 {cap} 元")
    if amount > limit:
        errors.append({"field": "amount", "message": f"单次救助金额 {amount} 元超过上限 {limit} 元"})

    left = annual_cap - year_total
    trace.append(f"年度封顶 {annual_cap} 元，本年已救助 {year_total} 元，尚可 {max(left, Decimal('0'))} 元")
    if amount > left:
        errors.append(
            {
                "field": "amount",
                "message": f"本年度已救助 {year_total} 元，加上本次 {amount} 元超过年度封顶线 "
                f"{annual_cap} 元（至多还可救助 {max(left, Decimal('0'))} 元）",
            }
        )

    allowed = times + (extra if in_categories else 0)
    if in_categories:
        trace.append(
            f"三类对象年度救助次数 {times} + {extra} = {allowed} 次（五(七) 可再增加1至2次），本年已 {year_count} 次"
        )
    else:
        trace.append(f"年度救助次数上限 {allowed} 次，本年已 {year_count} 次")
    if year_count + 1 > allowed:
        errors.append(
            {"field": "__all__", "message": f"本年度已救助 {year_count} 次，已达年度次数上限 {allowed} 次"}
        )

    if kind == URGENT:
        route = STREET
        trace.append("急难型：委托街道审批发放，报县级备案")
    elif amount <= street_limit:
        route = STREET
        trace.append(f"金额 {amount} 元不超过街道审批额度 {street_limit} 元：街道审批发放，报县级备案")
    else:
        route = COUNTY
        trace.append(f"金额 {amount} 元超过街道审批额度 {street_limit} 元：报县级审批")
    return ReliefCheck(route, limit, left, allowed, errors, trace)


# The clause of 特别救助, in the words shown on its pages (赣发〔2018〕7号 五(七)).
SPECIAL_CLAUSE = (
    "对城镇贫困群众因遭受特别重大困难，扣除各种社会保障、其他社会救助和社会帮扶后，重大刚性支出仍远远超出"
    "家庭或个人承受能力的，按规定实施特别救助（赣发〔2018〕7号 五(七)）。特别救助由县级民政部门审批，"
    "不由街道审批、不从街道备用金支出；金额可以超过临时救助单次上限，不计入年度封顶线和年度救助次数，"
    "但不得超过扣除后的实际负担。"
)
DEDUCTIONS = (
    ("deduction_insurance", "各类社会保障（医保等保险报销）"),
    ("deduction_relief", "其他社会救助"),
    ("deduction_charity", "社会帮扶、慈善"),
)


def special_check(*, amount: Decimal, gross: Decimal, deductions: dict[str, Decimal]) -> ReliefCheck:
    """特别救助: the net burden (gross − every deduction) must be above zero and the grant within it. The route
    is always the county; the per-event and yearly limits do not apply (per_event_limit = the net burden)."""
    errors: list[dict[str, str]] = []
    taken = sum((deductions.get(name, Decimal("0")) for name, _ in DEDUCTIONS), Decimal("0"))
    net = gross - taken
    parts = "".join(f" − {label} {deductions.get(name, Decimal('0'))} 元" for name, label in DEDUCTIONS)
    trace = [f"重大刚性支出 {gross} 元{parts} = 实际负担 {net} 元"]
    if net <= 0:
        errors.append(
            {
                "field": "gross_expenditure",
                "message": f"扣除各类报销、其他救助和社会帮扶合计 {taken} 元后，重大刚性支出 {gross} 元已无剩余负担，"
                "不符合特别救助条件",
            }
        )
    elif amount > net:
        errors.append(
            {
                "field": "amount",
                "message": f"特别救助金额 {amount} 元超过扣除后的实际负担 {net} 元（不得超过）",
            }
        )
    trace.append("特别救助：不受单次上限、年度封顶线和年度次数限制，也不占用其额度（五(七)）")
    trace.append("特别救助：报县级民政部门审批，不由街道审批、不从备用金支出")
    return ReliefCheck(COUNTY, net if net > 0 else Decimal("0"), None, None, errors, trace)
