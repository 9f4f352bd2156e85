"""The reconciliation rules: each one SQL statement, set-based, writing its findings in bulk.

Every rule is `INSERT INTO ledgers_finding … SELECT … ON CONFLICT (run_id, rule, id_number, source) DO
NOTHING`: it reads the run's ledger snapshot (`ledgers_ledgerentry`, `ledgers_ledgerhousehold`), the
limits of the nearest standards (`ledgers_runlimit`) and the staging rows of the extracts the run took
(`ledgers_extractrow`), and writes one finding per (run, rule, person, source). Each statement
aggregates to exactly one row per key, so the finding it writes for a key does not depend on the order
of rows; running a statement twice (a restarted run) writes nothing new.

The statements are written once, with a few dialect helpers, for PostgreSQL and SQLite (embedded mode).
Extract ids are integers the run read from its own rows, so they are placed in the text; everything else
is a parameter. `manage.py reconcile --explain` prints the statements as they run on this database;
ledgers/RULES.md holds them for PostgreSQL, with the clause each bears on.

Policy: 赣发〔2018〕7号 六(三) requires the ledgers of the departments to be compared every half year
(每半年同步开展一次比对) using 户籍、社保、工商、税务、房产、车辆、公积金、金融 data, 杜绝骗取、冒领; the
conditions checked are those of 四(一)–(三) (policy.md §4: income and property within the local limits),
and the linked benefits of 五(二)–(八) that departments owe our beneficiaries (应保尽保).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from accounts.kinds import INCOME_KINDS, PROGRAMS

_SAFE = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class Dialect:
    vendor: str

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    def obj(self, *pairs: str) -> str:
        """A JSON object from 'key', expr, 'key', expr, …"""
        return f"{'jsonb_build_object' if self.pg else 'json_object'}({', '.join(pairs)})"

    def agg(self, expr: str) -> str:
        """A JSON array of the distinct values of expr (in a GROUP BY)."""
        return f"jsonb_agg(DISTINCT {expr})" if self.pg else f"json_group_array(DISTINCT {expr})"

    def js(self, expr: str) -> str:
        """A JSON value carried through a subquery."""
        return expr if self.pg else f"json({expr})"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"


@dataclass
class Context:
    """What a rule's statement needs: the run, its period end, its scope and its extracts by kind."""

    run_id: int
    period_end: str
    prefix: str  # the run region's code prefix
    extracts: dict[str, list[int]]  # kind → extract ids (benefit ledgers: "benefit:<program>")
    now: object = None

    def ids(self, *kinds: str) -> list[int]:
        out: list[int] = []
        for kind in kinds:
            out += self.extracts.get(kind, [])
        return sorted(set(out))

    def benefit_ids(self, only_with_duty: bool = False) -> list[int]:
        keys = [k for k in self.extracts if k.startswith("benefit:")]
        if only_with_duty:
            keys = [k for k in keys if (p := PROGRAMS.get(k.split(":", 1)[1])) and p.should_hold]
        return self.ids(*keys)

    @property
    def params(self) -> dict:
        return {"run": self.run_id, "end": self.period_end, "now": self.now, "prefix_like": self.prefix + "%"}


def _in(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


INSERT = (
    "INSERT INTO ledgers_finding (run_id, rule, id_number, source, extract_id, household_id, region_id, name, "
    "detail, created_at)\n"
)
CONFLICT = "\nON CONFLICT (run_id, rule, id_number, source) DO NOTHING"


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    clause: str
    description: str
    follow_up: str  # what a confirmed finding leads to
    needs: Callable[[Context], list[int]]  # the extracts it reads; none → the rule is skipped
    build: Callable[[Dialect, Context], str]
    ledger_only: bool = False
    exits: bool = True  # a confirmed finding means an exit or a change of the enrolment
    # PostgreSQL planner settings for this statement only (SET LOCAL in its transaction), where the planner's
    # estimate is known to be wrong and the plan it picks from it is slow; the results do not depend on them.
    planner: tuple[str, ...] = ()

    def sql(self, d: Dialect, ctx: Context) -> str:
        return self.build(d, ctx)


# --- the statements ----------------------------------------------------------------------------


def _enrolled_twice(d: Dialect, ctx: Context) -> str:
    return (
        INSERT
        + f"""SELECT le.run_id, 'enrolled_twice', le.id_number, 'ledger', NULL, le.household_id,
       le.community_code, le.name,
       {
            d.obj(
                "'enrolments'",
                "le.enrolments",
                "'other_household'",
                "le.other_household",
                "'category'",
                "le.category",
            )
        }, %(now)s
FROM ledgers_ledgerentry le
WHERE le.run_id = %(run)s AND (le.enrolments > 1 OR le.other_household)"""
        + CONFLICT
    )


def _person_event(rule: str, kind: str, extra_where: str, extra_detail: tuple[str, ...]):
    def build(d: Dialect, ctx: Context) -> str:
        return (
            INSERT
            + f"""SELECT le.run_id, '{rule}', le.id_number, '{kind}', MIN(x.extract_id), MIN(le.household_id),
       MIN(le.community_code), MIN(le.name),
       {
                d.obj(
                    *extra_detail,
                    "'category'",
                    "MIN(le.category)",
                    "'enrolment'",
                    "MIN(le.enrolment_id)",
                    "'monthly_amount'",
                    "MIN(le.monthly_amount)",
                )
            }, %(now)s
FROM ledgers_ledgerentry le
JOIN ledgers_extractrow x ON x.id_number = le.id_number
WHERE le.run_id = %(run)s AND le.enrolment_id IS NOT NULL AND x.extract_id IN ({_in(ctx.ids(kind))})
  AND x.on_date <= %(end)s{extra_where}
GROUP BY le.run_id, le.id_number"""
            + CONFLICT
        )

    return build


def _household_count(rule: str, kind: str, limit_sql: str, count_where: str = ""):
    """Distinct items (plates, certificates, licences) held by the members of a household, against a limit."""

    def build(d: Dialect, ctx: Context) -> str:
        return (
            INSERT
            + f"""SELECT %(run)s, '{rule}', s.id_number, '{kind}', v.extract_id, lh.household_id,
       lh.community_code, s.name,
       {d.obj("'count'", "v.n", "'limit'", limit_sql, "'items'", d.js("v.items"), "'owners'", "v.owners")}, %(now)s
FROM (
  SELECT le.household_id, COUNT(DISTINCT x.ref) AS n, MIN(x.extract_id) AS extract_id,
         {d.agg("x.ref")} AS items, COUNT(DISTINCT le.person_id) AS owners
  FROM ledgers_ledgerentry le
  JOIN ledgers_extractrow x ON x.id_number = le.id_number
  WHERE le.run_id = %(run)s AND x.extract_id IN ({_in(ctx.ids(kind))}){count_where}
  GROUP BY le.household_id
) v
JOIN ledgers_ledgerhousehold lh ON lh.run_id = %(run)s AND lh.household_id = v.household_id
JOIN ledgers_runlimit lim ON lim.run_id = %(run)s AND lim.community_code = lh.community_code
JOIN ledgers_ledgerentry s ON s.run_id = %(run)s AND s.person_id = lh.subject_person_id
WHERE {_over(rule)}"""
            + CONFLICT
        )

    return build


def _over(rule: str) -> str:
    return {
        "vehicles_over": "lim.vehicles IS NOT NULL AND v.n > lim.vehicles",
        "houses_over": "lim.houses IS NOT NULL AND v.n > lim.houses",
        "business_over": "lim.business_allowed IS NOT NULL AND NOT lim.business_allowed AND v.n > 0",
    }[rule]


def _assets_over(d: Dialect, ctx: Context) -> str:
    return (
        INSERT
        + f"""SELECT %(run)s, 'assets_over', s.id_number, 'financial', v.extract_id, lh.household_id,
       lh.community_code, s.name,
       {
            d.obj(
                "'total'",
                "v.total",
                "'members'",
                "lh.members",
                "'per_capita'",
                "ROUND(v.total / lh.members, 2)",
                "'limit'",
                "lim.asset_limit",
            )
        }, %(now)s
FROM (
  SELECT le.household_id, SUM(x.amount) AS total, MIN(x.extract_id) AS extract_id
  FROM ledgers_ledgerentry le
  JOIN ledgers_extractrow x ON x.id_number = le.id_number
  WHERE le.run_id = %(run)s AND x.extract_id IN ({_in(ctx.ids("financial"))})
  GROUP BY le.household_id
) v
JOIN ledgers_ledgerhousehold lh ON lh.run_id = %(run)s AND lh.household_id = v.household_id
JOIN ledgers_runlimit lim ON lim.run_id = %(run)s AND lim.community_code = lh.community_code
JOIN ledgers_ledgerentry s ON s.run_id = %(run)s AND s.person_id = lh.subject_person_id
WHERE lim.asset_limit IS NOT NULL AND v.total > lim.asset_limit * lh.members"""
        + CONFLICT
    )


def _income_over(d: Dialect, ctx: Context) -> str:
    limit = "CASE WHEN u.category = 'zhichu' THEN lim.zhichu_ceiling ELSE lim.dibao END"
    return (
        INSERT
        + f"""SELECT %(run)s, 'income_over', s.id_number, 'income', u.extract_id, s.household_id,
       s.community_code, s.name,
       {
            d.obj(
                "'category'",
                "u.category",
                "'members'",
                "u.members",
                "'declared'",
                "u.declared",
                "'evidenced'",
                "u.evidenced",
                "'per_capita'",
                "ROUND(u.evidenced / u.members, 2)",
                "'limit'",
                limit,
                "'enrolment'",
                "u.enrolment_id",
            )
        }, %(now)s
FROM (
  SELECT le.enrolment_id, MIN(le.category) AS category, COUNT(*) AS members,
         SUM(le.declared_income) AS declared,
         SUM({d.greatest("le.declared_income", "COALESCE(ev.amount, 0)")}) AS evidenced,
         MIN(ev.extract_id) AS extract_id,
         MAX(CASE WHEN ev.amount > le.declared_income THEN 1 ELSE 0 END) AS has_evidence,
         COALESCE(MIN(CASE WHEN le.is_head THEN le.person_id END), MIN(le.person_id)) AS subject_person_id,
         MIN(le.community_code) AS community_code
  FROM ledgers_ledgerentry le
  LEFT JOIN (
    SELECT e.person_id, MAX(x.amount) AS amount, MIN(x.extract_id) AS extract_id
    FROM ledgers_ledgerentry e
    JOIN ledgers_extractrow x ON x.id_number = e.id_number
    WHERE e.run_id = %(run)s AND e.enrolment_id IS NOT NULL AND x.extract_id IN ({
            _in(ctx.ids(*INCOME_KINDS))
        })
    GROUP BY e.person_id
  ) ev ON ev.person_id = le.person_id
  WHERE le.run_id = %(run)s AND le.enrolment_id IS NOT NULL AND le.enrolment_status = 'active'
  GROUP BY le.enrolment_id
) u
JOIN ledgers_runlimit lim ON lim.run_id = %(run)s AND lim.community_code = u.community_code
JOIN ledgers_ledgerentry s ON s.run_id = %(run)s AND s.person_id = u.subject_person_id
WHERE u.has_evidence = 1 AND (
  (u.category = 'zhichu' AND lim.zhichu_ceiling IS NOT NULL AND u.evidenced > lim.zhichu_ceiling * u.members)
  OR (u.category <> 'zhichu' AND lim.dibao IS NOT NULL AND u.evidenced >= lim.dibao * u.members))"""
        + CONFLICT
    )


def _not_in_ours(d: Dialect, ctx: Context) -> str:
    if d.pg:
        # The anti join's result is estimated at half the extract (at 1 M: 499,950 rows for 10,000), so a plain
        # join hashed all persons and households; looked up row by row (LATERAL; OFFSET 0 keeps the planner from
        # flattening it back into that join), the few left cost little.
        people = """LEFT JOIN LATERAL (SELECT p.id, p.household_id, p.name, h.community_id FROM cases_person p
  LEFT JOIN cases_household h ON h.id = p.household_id WHERE p.id_number = x.id_number OFFSET 0) p ON TRUE"""
        community = "p.community_id"
    else:
        people = """LEFT JOIN cases_person p ON p.id_number = x.id_number
LEFT JOIN cases_household h ON h.id = p.household_id"""
        community = "h.community_id"
    where = f"COALESCE({community}, NULLIF(x.code, ''), e.region_id)"
    return (
        INSERT
        + f"""SELECT %(run)s, 'not_in_ours', x.id_number, e.program, MIN(x.extract_id), MIN(p.household_id),
       MIN({where}), MIN(COALESCE(p.name, x.name)),
       {
            d.obj(
                "'program'",
                "e.program",
                "'amount'",
                "MAX(x.amount)",
                "'known_person'",
                "MAX(CASE WHEN p.id IS NULL THEN 0 ELSE 1 END)",
            )
        }, %(now)s
FROM ledgers_extractrow x
JOIN ledgers_extract e ON e.id = x.extract_id
{people}
WHERE x.extract_id IN ({_in(ctx.benefit_ids())}) AND {where} LIKE %(prefix_like)s
  AND NOT EXISTS (SELECT 1 FROM ledgers_ledgerentry le
                  WHERE le.run_id = %(run)s AND le.id_number = x.id_number AND le.enrolment_id IS NOT NULL)
GROUP BY x.id_number, e.program"""
        + CONFLICT
    )


def _missing_theirs(d: Dialect, ctx: Context) -> str:
    duties = " OR ".join(
        f"(e.program = '{p.code}' AND {p.should_hold})"
        for p in PROGRAMS.values()
        if p.should_hold and _SAFE.match(p.code)
    )
    ids = _in(ctx.benefit_ids(only_with_duty=True))
    return (
        INSERT
        + f"""SELECT %(run)s, 'missing_theirs', le.id_number, e.program, MIN(e.id), MIN(le.household_id),
       MIN(le.community_code), MIN(le.name),
       {d.obj("'program'", "e.program", "'category'", "MIN(le.category)")}, %(now)s
FROM ledgers_ledgerentry le
JOIN ledgers_extract e ON e.id IN ({ids})
JOIN accounts_region r ON r.code = e.region_id
WHERE le.run_id = %(run)s AND le.enrolment_id IS NOT NULL AND le.community_code LIKE r.prefix || '%%'
  AND ({duties})
  AND NOT EXISTS (SELECT 1 FROM ledgers_extractrow x JOIN ledgers_extract e2 ON e2.id = x.extract_id
                  WHERE x.extract_id IN ({ids}) AND e2.program = e.program AND x.id_number = le.id_number)
GROUP BY le.id_number, e.program"""
        + CONFLICT
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "enrolled_twice",
        "重复享受",
        "四(一)–(三)",
        "同一人员同时被两个以上在保的救助对象（家庭/类别）覆盖，或被其他家庭的救助对象覆盖（跨户、跨县重复）。",
        "待办：变更（注销重复享受的一方）",
        lambda ctx: [],
        _enrolled_twice,
        ledger_only=True,
    ),
    Rule(
        "deceased_paid",
        "死亡仍在保",
        "六(三)",
        "户籍死亡注销日期不晚于比对期末，仍在享受救助的人员（杜绝冒领）。",
        "待办：停发并办理退出（死亡）",
        lambda ctx: ctx.ids("death"),
        _person_event("deceased_paid", "death", "", ("'died_on'", "MIN(x.on_date)")),
    ),
    Rule(
        "moved_away",
        "户籍迁出仍在保",
        "六(三)",
        "户籍迁出日期不晚于比对期末、迁入地不在原县（市、区），仍在原地享受救助的人员。",
        "待办：退出或转移（户籍迁出）",
        lambda ctx: ctx.ids("move"),
        _person_event(
            "moved_away",
            "move",
            "\n  AND substr(x.code, 1, 6) <> substr(le.community_code, 1, 6)",
            ("'moved_on'", "MIN(x.on_date)", "'to_region'", "MIN(x.code)"),
        ),
    ),
    Rule(
        "vehicles_over",
        "车辆超标",
        "赣发〔2018〕7号 四(二)",
        "家庭成员名下机动车（按号牌去重）多于当地允许的车辆数。",
        "待办：退出或变更（家庭财产超标）",
        lambda ctx: ctx.ids("vehicle"),
        _household_count("vehicles_over", "vehicle", "lim.vehicles"),
    ),
    Rule(
        "houses_over",
        "房产超标",
        "赣发〔2018〕7号 四(二)",
        "家庭成员名下不动产（按权证号去重）多于当地允许的房产套数。",
        "待办：退出或变更（家庭财产超标）",
        lambda ctx: ctx.ids("real_estate"),
        _household_count("houses_over", "real_estate", "lim.houses"),
    ),
    Rule(
        "business_over",
        "有工商登记",
        "赣发〔2018〕7号 四(二)",
        "当地不允许有营业执照（property_business_allowed 为否），家庭成员名下有存续的市场主体登记。",
        "待办：退出或变更（家庭财产超标）",
        lambda ctx: ctx.ids("business"),
        _household_count(
            "business_over",
            "business",
            "lim.business_allowed",
            "\n    AND x.note NOT IN ('注销', '已注销', '吊销', '已吊销', '撤销')",
        ),
    ),
    Rule(
        "assets_over",
        "金融资产超标",
        "赣发〔2018〕7号 四(二)",
        "家庭金融资产合计除以家庭人数，超过 property_months × 低保标准。",
        "待办：退出或变更（家庭财产超标）",
        lambda ctx: ctx.ids("financial"),
        _assets_over,
    ),
    Rule(
        "income_over",
        "收入超标",
        "赣发〔2018〕7号 四(一)–(三)",
        "每个在保对象（保障单位）：成员月收入取申报数与部门数（税务、社保、公积金，取其大）之大者，"
        "人均不低于低保标准（低保、特困）或高于支出型上限（低保标准 × zhichu_multiplier）；"
        "至少一名成员的部门收入高于申报收入；渐退期内的对象不比。",
        "待办：重新核定（收入变化）",
        lambda ctx: ctx.ids(*INCOME_KINDS),
        _income_over,
    ),
    Rule(
        "not_in_ours",
        "部门在册我方未在保",
        "六(三)；五(二)–(八)",
        "部门待遇台账中的人员不在我方在保名单内：部门核实停发，或社区主动发现、了解是否需要救助。",
        "待办：通知部门核实；必要时主动发现、受理申请",
        lambda ctx: ctx.benefit_ids(),
        _not_in_ours,
        exits=False,
        # The row-by-row lookups, costed for the estimated 499,950 rows, pass JIT's thresholds: its compile
        # (1.3 s at 1 M) costs more than the 10,000 lookups it would speed up.
        planner=("jit = off",),
    ),
    Rule(
        "missing_theirs",
        "应保未保",
        "五(三)、五(四)",
        "我方在保、按政策应享受部门待遇（医保个人缴费资助：全部在保人员；学生资助：在校学生），"
        "但不在该部门本期台账中的人员（仅比对部门台账所覆盖区划内的对象）。",
        "待办：通知部门纳入（应保尽保）",
        lambda ctx: ctx.benefit_ids(only_with_duty=True),
        _missing_theirs,
        exits=False,
        # The scope join (community code LIKE the extract region's prefix) cannot be estimated: the planner
        # expects 0.3 % of the ledger and probes the staging index once per ledger person (1,000,000
        # probes at 1 M, 45 s); a hash anti join reads each side once (at 100 k: 0.6 s against 2.0 s; a merge
        # anti join, the planner's next choice, sorts both sides: 1.5 s). Disabling plans inflates the cost past
        # JIT's threshold, and JIT's compile (1.4 s) would cost more than it saves.
        planner=("enable_nestloop = off", "enable_mergejoin = off", "jit = off"),
    ),
)

BY_CODE = {r.code: r for r in RULES}


def rule_label(code: str) -> str:
    rule = BY_CODE.get(code)
    return rule.label if rule else code


def rule_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in RULES]


def explain(vendor: str = "postgresql") -> str:
    """Every rule's statement (with example extract ids) and what it bears on, as Markdown."""
    from ledgers.services.runs import HOUSEHOLD_SQL, SNAPSHOT_SQL

    d = Dialect(vendor)
    ctx = Context(
        run_id=0,
        period_end="2025-12-31",
        prefix="36",
        extracts={
            "death": [1],
            "move": [2],
            "vehicle": [3],
            "real_estate": [4],
            "business": [5],
            "financial": [6],
            "tax_income": [7],
            "social_insurance": [8],
            "housing_fund": [9],
            "benefit:medical_premium": [10],
            "benefit:student_aid": [11],
            "benefit:union_hardship": [12],
        },
    )
    out = [
        "# Reconciliation rules (generated by `manage.py reconcile --explain`)",
        "",
        "赣发〔2018〕7号 六(三)：每半年同步开展一次比对；户籍、社保、工商、税务、房产、车辆、公积金、金融等信息跨部门共享，"
        "杜绝骗取、冒领帮扶资金。Each rule is one statement; `%(run)s`, `%(end)s` (the period's last day), "
        "`%(prefix_like)s` (the scope's code prefix + '%') and `%(now)s` are parameters; extract ids "
        f"(here examples) are written in by the run. Dialect: {vendor}.",
        "",
        "## Snapshot (one transaction at the start of a run)",
        "",
        "Every member of a household with a paid enrolment (status active or 渐退; a member whose coverage ended "
        "is not covered) in scope, with how many paid enrolments cover them; then one row per household with "
        "the member its findings are filed under; then, in Python, the limits of the nearest standard of the "
        "period's year for each community (`ledgers_runlimit`).",
        "",
        "```sql",
        SNAPSHOT_SQL.format(statuses="'active', 'gradual'", members=" AND em.ended_on IS NULL").strip(),
        "",
        HOUSEHOLD_SQL.strip(),
        "```",
    ]
    for rule in RULES:
        out += [
            "",
            f"## {rule.code} — {rule.label}（{rule.clause}）",
            "",
            rule.description,
            "",
            f"Confirmed: {rule.follow_up}.",
            "",
            "```sql",
            rule.sql(d, ctx).strip(),
            "```",
        ]
    return "\n".join(out) + "\n"
