"""调标测算 (what-if): what a proposed change of a region's yearly standards would do to every household.

For a county (or the province) and a year, the current effective standard is the nearest record up the
region tree (`eligibility.standards`). The proposal changes some of its figures. Over ALL households in
the region, the what-if counts per category (tekun persons, dibao households and persons, zhichu
households and persons) how many become eligible, stop being eligible and stay, and the total monthly
money before and after.

It is the same decision as `eligibility.rules` (policy.md §4–§5), written as set-based SQL so that a
million households take seconds rather than an hour (2.5× one plain aggregate query over the same rows,
bench/bench_whatif.py):
one aggregate query with CTEs computes, per person, the tekun status and tekun amount under both
standards; per household the property test, the unit size, income and disabled members, and the
category flags under both; and returns one row of sums per combination of flags. The amounts are linear
in those sums, so `combine` finishes them in Python. Money is handled in integer fen (0.01 元) and ratios
in units of 0.0001, so every comparison is exact on PostgreSQL and SQLite alike (no PG-only syntax), with
no division before a decision (Σ income < dibao × members, as the rules do). `tests/test_whatif.py`
checks equality with the rules, summed household by household, on random data.

Choices (documented, not policy):
- Ages are taken on 1 July of the year (`whatif_as_of`), the middle of the standard's year. A person born
  after that day counts as a child of age 0 (the §7 request refuses such a member; a stored household
  evaluated for an earlier year can have one).
- Households under a lower region that has its own record for the year (e.g. a county inside the
  province) keep that record: the proposal does not reach them. They are counted (as "stay") and listed.
- A figure missing from the current standard but entered in the proposal is used for both sides
  (an assumption, shown on the page); a figure missing from both that the data needs is an error naming it.
- 渐退 (gradual exit) changes neither category nor amount, so the what-if does not need the months.
- [v2] The supporter check: a person recorded without an able supporter while an able legal supporter
  lives in the household and no reason is recorded is an error in the rules (the caseworker must say
  why). The what-if takes such a record as having a supporter (not 特困) until the reason is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from accounts.models import Region
from accounts.permissions import can_enter_standard
from config.errors import PermissionDenied, ServiceError
from eligibility import rules
from eligibility.models import Standard
from eligibility.standard_entry import _parse, check_entry_rules
from eligibility.standards import StandardsLookup

# The figures a proposal may change (policy.md §2), in form order.
CHANGEABLE = (
    "dibao",
    "tekun",
    "zhichu_multiplier",
    "property_months",
    "property_vehicles",
    "property_houses",
    "property_business_allowed",
    "disability_living",
    "disability_care",
    "orphan_scattered",
    "orphan_institutional",
    "care_ratio_full",
    "care_ratio_semi",
    "min_wage",
)
# Needed by every what-if (the rules need them as soon as any household has a member of that kind; over a
# whole county there always is one). The others are checked against the data (see _check_needed).
ALWAYS_NEEDED = (
    "dibao",
    "tekun",
    "zhichu_multiplier",
    "disability_living",
    "disability_care",
    "orphan_scattered",
    "orphan_institutional",
)

FEN = Decimal("0.01")


def whatif_as_of(year: int) -> dt.date:
    """Ages are counted on 1 July of the year: the middle of the year the standard is in force."""
    return dt.date(year, 7, 1)


# ---------------------------------------------------------------------------------------------------
# Results


@dataclass
class CategoryRow:
    key: str
    label: str
    unit: str
    old: int = 0
    new: int = 0
    stayed: int = 0
    money_old: Decimal | None = None  # 元/月; on the household rows and the tekun row
    money_new: Decimal | None = None

    @property
    def became(self) -> int:
        return self.new - self.stayed

    @property
    def ceased(self) -> int:
        return self.old - self.stayed

    @property
    def money_delta(self) -> Decimal | None:
        if self.money_old is None or self.money_new is None:
            return None
        return self.money_new - self.money_old


@dataclass
class Unaffected:
    """Households under a lower region with its own record for the year: the proposal does not reach them."""

    region: str
    name: str
    households: int


@dataclass
class WhatIf:
    region: Region
    year: int
    as_of: dt.date
    base: rules.Standards
    proposed: rules.Standards
    changes: dict[str, Any]
    assumptions: dict[str, Any]
    households: int
    persons: int
    rows: list[CategoryRow]
    unaffected: list[Unaffected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def money_old(self) -> Decimal:
        return sum((r.money_old for r in self.rows if r.money_old is not None), Decimal("0"))

    @property
    def money_new(self) -> Decimal:
        return sum((r.money_new for r in self.rows if r.money_new is not None), Decimal("0"))

    @property
    def money_delta(self) -> Decimal:
        return self.money_new - self.money_old

    @property
    def assumption_items(self) -> list[tuple[str, Any]]:
        return [(rules.STANDARD_LABELS[k], v) for k, v in self.assumptions.items()]

    def row(self, key: str) -> CategoryRow:
        return next(r for r in self.rows if r.key == key)

    def chart_data(self) -> dict[str, Any]:
        """What static/js/chart.js draws: became / ceased per category, and money by category."""
        return {
            "labels": [f"{r.label}（{r.unit}）" for r in self.rows],
            "series": [
                {"name": "新增纳入", "cls": "up", "values": [r.became for r in self.rows]},
                {"name": "退出", "cls": "down", "values": [r.ceased for r in self.rows]},
            ],
            "money": {
                "labels": [r.label for r in self.rows if r.money_old is not None],
                "series": [
                    {
                        "name": "现行（元/月）",
                        "cls": "old",
                        "values": [float(r.money_old) for r in self.rows if r.money_old is not None],
                    },
                    {
                        "name": "调整后（元/月）",
                        "cls": "new",
                        "values": [float(r.money_new) for r in self.rows if r.money_new is not None],
                    },
                ],
            },
        }


# ---------------------------------------------------------------------------------------------------
# Figures in integer fen / 0.0001


def _fen(value: Decimal | None) -> int:
    """Money in integer fen. Only called for figures checked to be present (ALWAYS_NEEDED)."""
    assert value is not None
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise ServiceError("金额最多两位小数", field="standards")
    return int(scaled)


def _ten_thousandths(value: Decimal | None) -> int:
    assert value is not None
    scaled = value * 10000
    if scaled != scaled.to_integral_value():
        raise ServiceError("比例最多四位小数", field="standards")
    return int(scaled)


def _care(ratio: Decimal | None, wage: Decimal | None) -> int:
    if ratio is None or wage is None:
        return 0  # only used when nobody needs it (checked in _check_needed)
    return _fen(rules.round_money(ratio * wage))


def _figures(s: rules.Standards, side: str) -> dict[str, int]:
    """The SQL parameters for one standard, prefixed o_ (current) or n_ (proposed). A property limit
    that is unknown is given as 0: it is used only when no household in scope holds that kind of
    property (checked in _check_needed), and a zero holding is within any limit."""
    dibao = _fen(s.dibao)
    care_none = _care(s.care_ratio_full, s.min_wage)
    care_semi = _care(s.care_ratio_semi, s.min_wage)
    dcare = _fen(s.disability_care)
    months = _ten_thousandths(s.property_months) if s.property_months is not None else 0
    figures = {
        "dibao": dibao,
        "tekun": _fen(s.tekun),
        "orph_s": _fen(s.orphan_scattered),
        "orph_i": _fen(s.orphan_institutional),
        "care_none": care_none,
        "care_semi": care_semi,
        "dcare": dcare,
        # a tekun person receiving care gets no 重度残疾人护理补贴 (policy.md §5)
        "dcare_none": 0 if care_none > 0 else dcare,
        "dcare_semi": 0 if care_semi > 0 else dcare,
        "dliving": _fen(s.disability_living),
        "falim": months * dibao,  # financial assets ≤ (falim × members) // 10000
        "veh": s.property_vehicles or 0,
        "hou": s.property_houses or 0,
        "bus": 1 if s.property_business_allowed else 0,
        "zlim": _ten_thousandths(s.zhichu_multiplier) * dibao,  # unit income ≤ (zlim × members) // 10000
    }
    return {f"{side}_{k}": v for k, v in figures.items()}


# ---------------------------------------------------------------------------------------------------
# The query


def _scenario_sql(s: str) -> str:
    """Per-person tekun flag and tekun money under standard `s` ("o" or "n")."""
    return f"""
    CASE WHEN orph = 1 OR (cand = 1 AND inc < %({s}_dibao)s) THEN 1 ELSE 0 END AS b{s},
    CASE WHEN orph = 1 AND scat = 1 THEN %({s}_orph_s)s WHEN orph = 1 THEN %({s}_orph_i)s
         ELSE %({s}_tekun)s END
      + CASE WHEN orph = 1 THEN 0
             WHEN sc = 'none' THEN %({s}_care_none)s WHEN sc = 'semi' THEN %({s}_care_semi)s ELSE 0 END
      + CASE WHEN g12 = 1 THEN
          CASE WHEN orph = 1 THEN %({s}_dcare)s
               WHEN sc = 'none' THEN %({s}_dcare_none)s WHEN sc = 'semi' THEN %({s}_dcare_semi)s
               ELSE %({s}_dcare)s END
        ELSE 0 END AS m{s}"""


def _household_sql(s: str) -> str:
    """Per-household sums over the members who are tekun under `s` (if its property test passes)."""
    return f"""
    SUM(b{s}) AS t{s}_n, SUM(b{s} * m{s}) AS t{s}_m, CAST(SUM(b{s} * inc) AS BIGINT) AS t{s}_inc,
    SUM(b{s} * g14) AS t{s}_g14, SUM(b{s} * g12) AS t{s}_g12, SUM(orph * m{s}) AS orph_m{s}"""


def _unit_sql(s: str) -> str:
    """The unit (members who are not tekun) under `s`, and the property test."""
    return f"""
    n - t{s}_n AS u{s}_n, inc_all - t{s}_inc AS u{s}_inc,
    g14_all - t{s}_g14 AS u{s}_g14, g12_all - t{s}_g12 AS u{s}_g12,
    CASE WHEN fa <= (%({s}_falim)s * n) / 10000 AND veh <= %({s}_veh)s AND hou <= %({s}_hou)s
          AND bus <= %({s}_bus)s
         THEN 1 ELSE 0 END AS p{s}"""


def _category_sql(s: str) -> str:
    """Household-level flags under `s`: dibao (db), zhichu (zc), zhichu taken into dibao (zv). A unit is
    dibao or zhichu only when the property test passes (policy.md §4)."""
    return f"""
    CASE WHEN p{s} = 1 AND u{s}_n > 0 AND u{s}_inc < %({s}_dibao)s * u{s}_n THEN 1 ELSE 0 END AS db{s},
    CASE WHEN p{s} = 1 AND u{s}_n > 0 AND u{s}_inc >= %({s}_dibao)s * u{s}_n
          AND u{s}_inc <= (%({s}_zlim)s * u{s}_n) / 10000 AND cause = 1
          THEN CASE WHEN (CASE WHEN u{s}_inc > rigid THEN u{s}_inc - rigid ELSE 0 END) < %({s}_dibao)s * u{s}_n
                    THEN 2 ELSE 1 END
          ELSE 0 END AS zc{s}"""


def _sums_sql(s: str) -> str:
    return f"""
  SUM(t{s}_n), SUM(t{s}_m), SUM(orph_m{s}), SUM(u{s}_n), SUM(u{s}_inc), SUM(u{s}_g14), SUM(u{s}_g12),
  SUM(CASE WHEN u{s}_inc > rigid THEN u{s}_inc - rigid ELSE 0 END)"""


SIDE_SUMS = ("t_n", "t_m", "orph_m", "u_n", "u_inc", "u_g14", "u_g12", "disp")


def _deemed_by_kind_sql(alias: str, as_of: dt.date) -> str:
    """[national] deemed without labour capacity by disability kind and grade on `as_of` (policy.md §4);
    the kinds and grades are the rules' own constants, written into the SQL (no user input)."""
    kinds = rules.DEEMED_KINDS_2021 if as_of >= rules.DEEMING_SWITCH else rules.DEEMED_KINDS_2016
    return (
        "("
        + " OR ".join(
            f"({alias}.disability_kind = '{kind}' AND {alias}.disability_grade BETWEEN 1 AND {grade})"
            for kind, grade in sorted(kinds.items())
        )
        + ")"
    )


def _able_supporter_sql(as_of: dt.date) -> str:
    """An able legal supporter of person p lives in the household (policy.md §4's table): 18 ≤ age < 60,
    not deemed without labour capacity, labour capacity not none."""
    pairs = " OR ".join(
        f"(p.relation = '{member}' AND s.relation IN ({', '.join(repr(r) for r in sorted(duties))}))"
        for member, duties in rules.LEGAL_SUPPORTERS.items()
        if duties
    )
    return f"""EXISTS (SELECT 1 FROM cases_person s
            WHERE s.household_id = p.household_id AND s.id <> p.id
              AND s.birth_date <= %(d18)s AND s.birth_date > %(d60)s AND s.labor_capacity <> 'none'
              AND NOT {_deemed_by_kind_sql("s", as_of)} AND ({pairs}))"""


def person_sql(as_of: dt.date, where: str = "") -> str:
    """Per person: income (fen), disability flags, orphan, and `cand` — conditions 1, 2 and 4 of 特困
    (policy.md §4, v2): old, disabled or under 16; no labour capacity or deemed so; recorded without an
    able supporter, where the record stands (a reason given, or no able legal supporter in the household).
    A record the rules would refuse (an able supporter at home and no reason) counts as having a supporter:
    the what-if takes the household as recorded until the caseworker gives the reason."""
    return f"""
  SELECT p.household_id AS hid,
    CAST(ROUND((p.income_wage + p.income_business + p.income_property + p.income_transfer
                + p.income_other) * 100) AS BIGINT) AS inc,
    CASE WHEN p.disability_grade >= 1 THEN 1 ELSE 0 END AS g14,
    CASE WHEN p.disability_grade IN (1, 2) THEN 1 ELSE 0 END AS g12,
    p.self_care AS sc,
    CASE WHEN p.orphan <> '' AND p.birth_date > %(d18)s THEN 1 ELSE 0 END AS orph,
    CASE WHEN p.orphan = 'scattered' THEN 1 ELSE 0 END AS scat,
    CASE WHEN (p.birth_date <= %(d60)s OR p.disability_grade >= 1 OR p.birth_date > %(d16)s)
          AND (p.labor_capacity = 'none' OR p.birth_date <= %(d60)s OR p.birth_date > %(d16)s
               OR {_deemed_by_kind_sql("p", as_of)})
          AND NOT p.has_able_supporter
          AND (TRIM(p.supporter_unable_reason) <> '' OR NOT {_able_supporter_sql(as_of)})
         THEN 1 ELSE 0 END AS cand
  FROM cases_person p""" + (
        f"\n  WHERE p.household_id IN (SELECT h.id FROM cases_household h WHERE {where})" if where else ""
    )


def _query(where: str, as_of: dt.date) -> str:
    """One pass: persons → households (grouped by household; its own columns ride along, functionally
    dependent on its key) → property test, unit and category flags under both standards → one row of
    sums per combination of flags. Every figure is an integer (fen, 0.0001, counts)."""
    # p is MATERIALIZED: referenced once, PostgreSQL would inline it, and then every use of `cand` further
    # up (b and m of each side, and each SUM over them) evaluates the supporter EXISTS again: a dozen
    # subplans per person instead of one (EXPLAIN ANALYZE, 100k households: 8.9 s → 5.1 s).
    # SQLite reads the same hint (3.35+). The scope is applied inside p, since a materialized CTE is
    # not filtered by the WHERE further up (a county would read every person of the province).
    return f"""
WITH p AS MATERIALIZED ({person_sql(as_of, where)}
),
q AS (
  SELECT p.*,{_scenario_sql("o")},{_scenario_sql("n")}
  FROM p
),
hh AS (
  SELECT h.id AS hid,
    CAST(ROUND(h.financial_assets * 100) AS BIGINT) AS fa,
    h.vehicles AS veh, h.houses AS hou, CASE WHEN h.business THEN 1 ELSE 0 END AS bus,
    CAST(ROUND(h.monthly_rigid_expenditure * 100) AS BIGINT) AS rigid,
    CASE WHEN h.hardship_causes IS NULL OR CAST(h.hardship_causes AS TEXT) IN ('[]', 'null', '')
         THEN 0 ELSE 1 END AS cause,
    COUNT(*) AS n, CAST(SUM(inc) AS BIGINT) AS inc_all, SUM(g14) AS g14_all, SUM(g12) AS g12_all,
    SUM(orph) AS orph_n, SUM(bo * bn) AS t_both,{_household_sql("o")},{_household_sql("n")}
  FROM q JOIN cases_household h ON h.id = q.hid
  WHERE {where}
  GROUP BY h.id
),
hu AS (
  SELECT hh.*,{_category_sql("o")},{_category_sql("n")}
  FROM (SELECT hh.*,{_unit_sql("o")},{_unit_sql("n")} FROM hh) hh
)
SELECT po, pn, dbo, dbn, zco, zcn, COUNT(*), SUM(n), SUM(orph_n), SUM(t_both),
  SUM(n - to_n - tn_n + t_both),{_sums_sql("o")},{_sums_sql("n")}
FROM hu
GROUP BY po, pn, dbo, dbn, zco, zcn"""


NEEDS_SQL = """
WITH p AS ({person_sql}
)
SELECT
  COUNT(DISTINCT CASE WHEN h.financial_assets > 0 THEN h.id END),
  COUNT(DISTINCT CASE WHEN h.vehicles > 0 THEN h.id END),
  COUNT(DISTINCT CASE WHEN h.houses > 0 THEN h.id END),
  COUNT(DISTINCT CASE WHEN h.business THEN h.id END),
  SUM(CASE WHEN sc = 'none' AND orph = 0 AND cand = 1 AND inc < %(max_dibao)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN sc = 'semi' AND orph = 0 AND cand = 1 AND inc < %(max_dibao)s THEN 1 ELSE 0 END)
FROM p JOIN cases_household h ON h.id = p.hid
WHERE {where}"""
NEEDS_COLUMNS = (
    "has_financial_assets",
    "has_vehicles",
    "has_houses",
    "has_business",
    "need_care_full",
    "need_care_semi",
)


RESULT_COLUMNS = (
    "households",
    "persons",
    "tekun_old",
    "tekun_new",
    "tekun_both",
    "tekun_money_old",
    "tekun_money_new",
    "dibao_old",
    "dibao_new",
    "dibao_both",
    "dibao_persons_old",
    "dibao_persons_new",
    "dibao_persons_both",
    "dibao_money_old",
    "dibao_money_new",
    "zhichu_old",
    "zhichu_new",
    "zhichu_both",
    "zhichu_persons_old",
    "zhichu_persons_new",
    "zhichu_persons_both",
    "zhichu_money_old",
    "zhichu_money_new",
    "zhichu_via_old",
    "zhichu_via_new",
)


def _params(
    *, prefix: str, exclude: list[str], old: rules.Standards, new: rules.Standards, as_of: dt.date
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause for the households in the group, and every parameter of the queries."""
    params: dict[str, Any] = {**_figures(old, "o"), **_figures(new, "n")}
    params["max_dibao"] = max(params["o_dibao"], params["n_dibao"])
    params["d60"] = dt.date(as_of.year - rules.TEKUN_AGE, as_of.month, as_of.day).isoformat()
    params["d16"] = dt.date(as_of.year - rules.MINOR_AGE, as_of.month, as_of.day).isoformat()
    params["d18"] = dt.date(as_of.year - rules.ORPHAN_AGE, as_of.month, as_of.day).isoformat()
    conditions = ["h.community_id LIKE %(scope)s"]
    params["scope"] = prefix + "%"
    for i, code in enumerate(exclude):
        conditions.append(f"h.community_id NOT LIKE %(ex{i})s")
        params[f"ex{i}"] = code + "%"
    return " AND ".join(conditions), params


def aggregate(
    *, prefix: str, exclude: list[str], old: rules.Standards, new: rules.Standards, as_of: dt.date
) -> dict[str, int]:
    """Run the what-if query over households whose community code starts with `prefix` and with none
    of `exclude`; returns the RESULT_COLUMNS sums (money in fen)."""
    where, params = _params(prefix=prefix, exclude=exclude, old=old, new=new, as_of=as_of)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One big aggregate over every household: let it stay in memory (this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # JIT compiling this one wide query costs more (seconds) than it saves.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_query(where, as_of), params)
        rows = cursor.fetchall()
    return combine(rows, params)


def combine(rows, params: dict[str, Any]) -> dict[str, int]:
    """Totals from the query's rows, one per combination of household flags. The flags decide which sums
    count where; the amounts are linear in the sums (policy.md §5), so they are exact integers in fen."""
    out = dict.fromkeys(RESULT_COLUMNS, 0)
    for row in rows:
        po, pn, dbo, dbn, zco, zcn, count, n, orph_n, t_both, u_both, *rest = (int(v or 0) for v in row)
        width = len(SIDE_SUMS)
        sides = {
            "o": dict(zip(SIDE_SUMS, rest[:width], strict=True)),
            "n": dict(zip(SIDE_SUMS, rest[width:], strict=True)),
        }
        flags = {"o": (po, dbo, zco), "n": (pn, dbn, zcn)}
        out["households"] += count
        out["persons"] += n
        for side, key in (("o", "old"), ("n", "new")):
            prop_ok, dibao, zhichu = flags[side]
            v = sides[side]
            fig = {k[2:]: val for k, val in params.items() if k.startswith(side + "_")}
            out[f"tekun_{key}"] += v["t_n"] if prop_ok else orph_n
            out[f"tekun_money_{key}"] += v["t_m"] if prop_ok else v["orph_m"]
            if dibao:
                out[f"dibao_{key}"] += count
                out[f"dibao_persons_{key}"] += v["u_n"]
                out[f"dibao_money_{key}"] += (
                    fig["dibao"] * v["u_n"]
                    - v["u_inc"]
                    + v["u_g14"] * fig["dliving"]
                    + v["u_g12"] * fig["dcare"]
                )
            if zhichu:
                out[f"zhichu_{key}"] += count
                out[f"zhichu_persons_{key}"] += v["u_n"]
                out[f"zhichu_money_{key}"] += v["u_g12"] * fig["dcare"]
                if zhichu == 2:  # taken into dibao: (dibao − disposable per capita) × members
                    out[f"zhichu_via_{key}"] += count
                    out[f"zhichu_money_{key}"] += (
                        fig["dibao"] * v["u_n"] - v["disp"] + v["u_g14"] * fig["dliving"]
                    )
        out["tekun_both"] += t_both if po and pn else orph_n
        if dbo and dbn:
            out["dibao_both"] += count
            out["dibao_persons_both"] += u_both
        if zco and zcn:
            out["zhichu_both"] += count
            out["zhichu_persons_both"] += u_both
    return out


# ---------------------------------------------------------------------------------------------------
# Needed figures


CONDITIONAL = {  # figure → (NEEDS_COLUMNS entries that need it, who needs it, unit)
    "property_months": (("has_financial_assets",), "有金融资产的家庭", "户"),
    "property_vehicles": (("has_vehicles",), "有机动车辆的家庭", "户"),
    "property_houses": (("has_houses",), "有房产的家庭", "户"),
    "property_business_allowed": (("has_business",), "有营业执照的家庭", "户"),
    "care_ratio_full": (("need_care_full",), "全失能、可能认定为特困的人员", "人"),
    "care_ratio_semi": (("need_care_semi",), "半失能、可能认定为特困的人员", "人"),
    "min_wage": (("need_care_full", "need_care_semi"), "失能、半失能、可能认定为特困的人员", "人"),
}


def _check_needed(
    *, prefix: str, exclude: list[str], sides: list[tuple[rules.Standards, str]], as_of: dt.date
) -> None:
    """A figure the data needs but a standard leaves empty is an error naming it, as in the rules. The
    figures every what-if needs are checked by the caller; these depend on the data, which is counted
    (one more query) only when such a figure is empty. Conservative: property limits are asked for as
    soon as a household holds that kind of property, care figures as soon as a person who could be tekun
    (an orphan, or meeting the other tekun conditions with an income below the higher dibao) is not
    fully self-caring."""
    empty = [(name, std, side) for std, side in sides for name in CONDITIONAL if getattr(std, name) is None]
    if not empty:
        return
    old, new = sides[0][0], sides[-1][0]
    where, params = _params(prefix=prefix, exclude=exclude, old=old, new=new, as_of=as_of)
    with connection.cursor() as cursor:
        cursor.execute(NEEDS_SQL.format(person_sql=person_sql(as_of), where=where), params)
        counts = {k: int(v or 0) for k, v in zip(NEEDS_COLUMNS, cursor.fetchone(), strict=True)}
    errors: list[dict[str, str]] = []
    for name, std, side in empty:
        columns, who, unit = CONDITIONAL[name]
        count = sum(counts[c] for c in columns)
        if count and not any(e["field"] == f"standards.{name}" for e in errors):
            errors.append(_missing(name, std, side, f"范围内有{who} {count} {unit}"))
    if errors:
        raise ServiceError(errors=errors, code="missing_standard")


def _missing(name: str, standards: rules.Standards, side: str, why: str) -> dict[str, str]:
    """side: "o" the current standard, "n" the proposal, "own" a lower region's own standard."""
    where = {"o": "现行标准", "n": "调整方案", "own": "下级区划自有标准"}[side]
    fix = (
        "请先补录标准，或在调整方案中填写（将同时用于现行与调整后测算）"
        if side != "own"
        else "请先补录该区划的标准"
    )
    return {
        "field": f"standards.{name}",
        "message": f"{where}（{standards.region} {standards.year}年）未填写{rules.STANDARD_LABELS[name]}，"
        f"{why}，测算需要此项。{fix}",
    }


# ---------------------------------------------------------------------------------------------------
# The entry points


def parse_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The proposal in column types: only CHANGEABLE figures, non-negative, at most 2 (money) or 4 (ratio)
    decimals. The §2 entry rules do not apply to a what-if (policy.md §7); they come back as warnings."""
    errors: list[dict[str, str]] = []
    for name in changes:
        if name not in CHANGEABLE:
            errors.append({"field": name, "message": "此项不能在测算中调整"})
    parsed = {}
    for name in CHANGEABLE:
        if name in changes:
            value = _parse(name, changes[name], errors)
            if value is not None:
                parsed[name] = value
    if errors:
        raise ServiceError(errors=errors)
    return parsed


def whatif_compute(
    *, region: Region, year: int, changes: dict[str, Any], as_of: dt.date | None = None
) -> WhatIf:
    """The what-if over every household under `region` (no permission check: see `whatif_run`)."""
    started = time.perf_counter()
    as_of = as_of or whatif_as_of(year)
    proposal = parse_changes(changes)
    lookup = StandardsLookup()
    base = lookup.standards_for(region.code, year)  # ServiceError naming region and year if none
    assumptions = {k: v for k, v in proposal.items() if getattr(base, k) is None}
    old = dataclasses.replace(base, **assumptions)
    new = dataclasses.replace(base, region=region.code, **proposal)

    errors = [
        _missing(name, old, "o", "每次测算都需要此项") for name in ALWAYS_NEEDED if getattr(old, name) is None
    ]
    if errors:
        raise ServiceError(errors=errors, code="missing_standard")

    # Lower regions with their own record for the year keep it; the proposal reaches the rest.
    own = list(
        Standard.objects.filter(year=year, region__prefix__startswith=region.prefix)
        .exclude(region=region)
        .select_related("region")
        .order_by("region_id")
    )
    prefixes = [s.region.prefix for s in own]

    _check_needed(prefix=region.prefix, exclude=prefixes, sides=[(old, "o"), (new, "n")], as_of=as_of)
    groups = []
    for record in own:
        deeper = [p for p in prefixes if p != record.region.prefix and p.startswith(record.region.prefix)]
        theirs = lookup.standards_for(record.region_id, year)  # field by field up the chain (§2)
        errors = [
            _missing(n, theirs, "own", "每次测算都需要此项")
            for n in ALWAYS_NEEDED
            if getattr(theirs, n) is None
        ]
        if errors:
            raise ServiceError(errors=errors, code="missing_standard")
        _check_needed(prefix=record.region.prefix, exclude=deeper, sides=[(theirs, "own")], as_of=as_of)
        groups.append((record, deeper, theirs))

    totals = aggregate(prefix=region.prefix, exclude=prefixes, old=old, new=new, as_of=as_of)
    unaffected: list[Unaffected] = []
    for record, deeper, theirs in groups:
        part = aggregate(prefix=record.region.prefix, exclude=deeper, old=theirs, new=theirs, as_of=as_of)
        if part["households"]:
            unaffected.append(Unaffected(record.region_id, record.region.name, part["households"]))
        for key in RESULT_COLUMNS:
            totals[key] += part[key]

    def yuan(fen: int) -> Decimal:
        return (Decimal(fen) * FEN).quantize(FEN)

    rows = [
        CategoryRow(
            "tekun",
            "特困人员",
            "人",
            totals["tekun_old"],
            totals["tekun_new"],
            totals["tekun_both"],
            yuan(totals["tekun_money_old"]),
            yuan(totals["tekun_money_new"]),
        ),
        CategoryRow(
            "dibao_households",
            "低保家庭",
            "户",
            totals["dibao_old"],
            totals["dibao_new"],
            totals["dibao_both"],
            yuan(totals["dibao_money_old"]),
            yuan(totals["dibao_money_new"]),
        ),
        CategoryRow(
            "dibao_persons",
            "低保人员",
            "人",
            totals["dibao_persons_old"],
            totals["dibao_persons_new"],
            totals["dibao_persons_both"],
        ),
        CategoryRow(
            "zhichu_households",
            "支出型贫困家庭",
            "户",
            totals["zhichu_old"],
            totals["zhichu_new"],
            totals["zhichu_both"],
            yuan(totals["zhichu_money_old"]),
            yuan(totals["zhichu_money_new"]),
        ),
        CategoryRow(
            "zhichu_persons",
            "支出型贫困人员",
            "人",
            totals["zhichu_persons_old"],
            totals["zhichu_persons_new"],
            totals["zhichu_persons_both"],
        ),
    ]
    entry_errors, entry_warnings = check_entry_rules({k: getattr(new, k) for k in rules.STANDARD_FIELDS})
    warnings = [f"若正式录入将不被接受：{e['message']}" for e in entry_errors] + entry_warnings
    return WhatIf(
        region=region,
        year=year,
        as_of=as_of,
        base=base,
        proposed=new,
        changes=proposal,
        assumptions=assumptions,
        households=totals["households"],
        persons=totals["persons"],
        rows=rows,
        unaffected=unaffected,
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )


def whatif_run(*, acting_user, region: Region, year: int, changes: dict[str, Any]) -> WhatIf:
    """The what-if for a county officer's county, a province officer's province (or, for a superuser, any
    county, city or province). Reads only; PermissionDenied for anyone else."""
    if not can_enter_standard(acting_user, region):
        raise PermissionDenied("只有县级民政（本县）、省级民政（本省）可以进行调标测算", field="region")
    return whatif_compute(region=region, year=year, changes=changes)
