"""Amounts for enrolments, always from the rules (eligibility): the share of a §7 determination one category
pays, the standards in force in a month, and what a re-evaluation means for an enrolment.

The standards in force in a month are the region's standard for the month's year once its effective month
has come, else the previous year's. When the year's standard has not been entered yet, the latest earlier
one is used and the result is marked provisional (暂按上年标准): payments go on at the old level, and the
late standard, once entered, recomputes those months and the next roll carries the difference as arrears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from applications.models import Category
from common.money import round_half_up
from config.errors import ServiceError
from eligibility import rules
from eligibility.facts import household_from_models, household_to_json
from eligibility.io import evaluate_request
from eligibility.models import Standard
from eligibility.standards import StandardsLookup

MEMBER_COMPONENTS = ("tekun_basic", "orphan", "care", "disability_living", "disability_care")
COMPONENT_LABELS = {
    "dibao_subsidy": "低保补差",
    "zhichu_subsidy": "支出型纳入低保补差",
    "tekun_basic": "特困基本生活费",
    "orphan": "孤儿基本生活费",
    "care": "特困照料护理费",
    "disability_living": "困难残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "adjustment": "审批调整",
}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
FALLBACK_YEARS = 3  # how far back a provisional standard may come from


def category_share(*, determination: dict[str, Any], category: str) -> dict[str, Any]:
    """The part of a §7 determination that one category pays: its members, its components and their sum.

    dibao pays the unit's 补差 (`dibao_subsidy`), zhichu the 补差 of a unit taken into dibao
    (`zhichu.subsidy`), and each category the member components of its own members (policy.md §5).
    When the rules put nobody in `category` (an approval that overrides the rules), the members the
    rules left without a category are covered, or else all members, with no member amounts.
    """
    members = determination.get("members", [])
    own = [m for m in members if m.get("category") == category]
    if not own:
        own = [m for m in members if not m.get("category")] or list(members)
        own = [{**m, "amounts": {k: "0.00" for k in MEMBER_COMPONENTS}} for m in own]
    components = {
        "dibao_subsidy": Decimal(determination.get("dibao_subsidy") or "0")
        if category == Category.DIBAO
        else ZERO,
        "zhichu_subsidy": (
            Decimal((determination.get("zhichu") or {}).get("subsidy") or "0")
            if category == Category.ZHICHU
            else ZERO
        ),
    }
    for name in MEMBER_COMPONENTS:
        components[name] = sum((Decimal(m["amounts"].get(name, "0")) for m in own), ZERO)
    return {
        "category": category,
        "members": own,
        "components": components,
        "amount": sum(components.values(), ZERO),
    }


def member_share(
    *, components: dict[str, Any], covered_count: int, own: dict[str, Any] | None = None
) -> dict[str, Decimal]:
    """One covered member's part of an enrolment's monthly amount (policy.md §8.2–§8.3): the unit's subsidy
    ÷ unit members, rounded half-up, plus the member's own components (`own`, e.g. 残疾人生活补贴) when given.
    Never more than a component holds."""
    share: dict[str, Decimal] = {}
    for key in ("dibao_subsidy", "zhichu_subsidy"):
        value = Decimal(components.get(key) or "0")
        if value > 0 and covered_count > 0:
            share[key] = (value / covered_count).quantize(CENT, rounding=ROUND_HALF_UP)
    for key, value in (own or {}).items():
        if key in ("dibao_subsidy", "zhichu_subsidy"):
            continue
        amount = Decimal(value or "0")
        if amount > 0:
            share[key] = share.get(key, ZERO) + amount
    return {k: min(v, Decimal(components.get(k) or "0")) for k, v in share.items() if v > 0}


def components_less(components: dict[str, Any], share: dict[str, Decimal]) -> dict[str, str]:
    """The components with `share` taken off (money text, as periods keep them)."""
    out = {k: Decimal(v or "0") for k, v in components.items()}
    for key, value in share.items():
        out[key] = out.get(key, ZERO) - value
    return money_text(out)


def money_text(components: dict[str, Decimal]) -> dict[str, str]:
    return {k: str(round_half_up(Decimal(v))) for k, v in components.items()}


def household_facts(household) -> dict[str, Any]:
    """The household part of the §7 request for a stored household (what a period records it was computed
    from); members come from household.members.all(). Built through the rules' typed boundary, with
    amounts as the database holds them (two decimals), so a snapshot compares equal whether the household
    was just saved in memory or read back."""
    return household_to_json(household_from_models(household))


# --------------------------------------------------------------------------------------------------
# Standards in force


@dataclass(frozen=True)
class InForce:
    standards: rules.Standards
    provisional: bool
    effective_month: dt.date

    @property
    def label(self) -> str:
        text = f"{self.standards.year}年标准（{self.standards.region}）"
        return f"暂按{text}" if self.provisional else text


class StandardsInForce:
    """Which standard applies to a region in a month. Remembers what it read (one per batch)."""

    def __init__(self, lookup: StandardsLookup | None = None) -> None:
        self.lookup = lookup or StandardsLookup()
        self._effective: dict[tuple[str, int], dt.date] = {}

    def effective_month(self, standards: rules.Standards) -> dt.date:
        key = (standards.region, standards.year)
        if key not in self._effective:
            stored = (
                Standard.objects.filter(region_id=standards.region, year=standards.year)
                .values_list("effective_month", flat=True)
                .first()
            )
            self._effective[key] = stored.replace(day=1) if stored else dt.date(standards.year, 1, 1)
        return self._effective[key]

    def remember(self, standard: Standard) -> None:
        """Use this row's effective month (a standard being saved, read before its transaction commits)."""
        self._effective[(standard.region_id, standard.year)] = (
            standard.effective_month.replace(day=1)
            if standard.effective_month
            else dt.date(standard.year, 1, 1)
        )

    def find(self, region: str, year: int) -> rules.Standards | None:
        try:
            return self.lookup.standards_for(region, year)
        except ServiceError as exc:
            if exc.code == "no_standard":
                return None
            raise

    def for_month(self, region: str, month: dt.date) -> InForce:
        own = self.find(region, month.year)
        if own is not None:
            start = self.effective_month(own)
            if month >= start:
                return InForce(own, False, start)
            earlier = self.find(region, month.year - 1)
            if earlier is not None:  # the new year's standard is not in force yet
                return InForce(earlier, False, self.effective_month(earlier))
            return InForce(own, False, start)
        for year in range(month.year - 1, month.year - 1 - FALLBACK_YEARS, -1):
            earlier = self.find(region, year)
            if earlier is not None:
                return InForce(earlier, True, self.effective_month(earlier))
        self.lookup.standards_for(region, month.year)  # raises the lookup's own error naming region and year
        raise AssertionError("unreachable")

    def next_start(self, region: str, year: int) -> dt.date | None:
        """The month the following year's standard takes over for `region`, if one has been entered."""
        following = self.find(region, year + 1)
        return self.effective_month(following) if following is not None else None


class _FixedStandards(StandardsLookup):
    """A lookup that answers every (region, year) with one given standard (the one in force)."""

    def __init__(self, base: StandardsLookup, standards: rules.Standards) -> None:
        super().__init__()
        self._base, self._fixed = base, standards

    def region_exists(self, code: str) -> bool:
        return self._base.region_exists(code)

    def standards_for(self, region_code: str, year: int) -> rules.Standards:
        return self._fixed


def evaluate_facts(
    *,
    region: str,
    facts: dict[str, Any],
    month: dt.date,
    in_force: StandardsInForce,
    standards: InForce | None = None,
) -> tuple[dict[str, Any], InForce]:
    """The §7 determination of a household's facts on the first of `month`, under the standard in force
    then (or the one given); ServiceError with the rules' field errors when they cannot decide."""
    std = standards or in_force.for_month(region, month)
    payload = {"region": region, "as_of": month.isoformat(), "household": facts}
    return evaluate_request(payload, lookup=_FixedStandards(in_force.lookup, std.standards)), std


# --------------------------------------------------------------------------------------------------
# What a re-evaluation means for an enrolment


@dataclass(frozen=True)
class Outcome:
    kind: str  # "eligible", "gradual" (五(一)1 渐退: keep paying the previous amount) or "ineligible"
    amount: Decimal
    components: dict[str, str]
    members: list[dict[str, Any]]
    gradual_until: dt.date | None
    dibao_paid: bool
    standards: InForce
    determination: dict[str, Any]

    @property
    def paying(self) -> bool:
        return self.kind in ("eligible", "gradual")


def outcome_of(
    *,
    determination: dict[str, Any],
    std: InForce,
    category: str,
    previous_amount: Decimal,
    previous_components: dict[str, str],
    previous_dibao_paid: bool,
) -> Outcome:
    """Eligible: the category's share. Not eligible, but the rules give a 渐退 date (a unit member found work,
    policy.md §5): the previous amount goes on until then. Otherwise ineligible (an exit needs a decision and
    a written notice, so nothing stops by itself)."""
    if category in determination["categories"]:
        share = category_share(determination=determination, category=category)
        via = bool((determination.get("zhichu") or {}).get("dibao_via_expenditure"))
        return Outcome(
            "eligible",
            share["amount"].quantize(CENT),
            money_text(share["components"]),
            share["members"],
            None,
            category == Category.DIBAO or (category == Category.ZHICHU and via),
            std,
            determination,
        )
    until = determination.get("gradual_exit_until")
    if until and category in (Category.DIBAO, Category.ZHICHU):
        return Outcome(
            "gradual",
            previous_amount,
            dict(previous_components),
            [],
            dt.date.fromisoformat(until),
            previous_dibao_paid,
            std,
            determination,
        )
    return Outcome(
        "ineligible",
        previous_amount,
        dict(previous_components),
        [],
        None,
        previous_dibao_paid,
        std,
        determination,
    )
