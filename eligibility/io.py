"""The `evaluate` contract (policy.md §7): request parsing with field-level errors, and the response.

`evaluate_request` is the one entry point used by the management command, the REST endpoint and
`services.determine_household`, so all three give byte-for-byte the same object for the same input.
Errors are collected over the whole request (not only the first) and raised as one ServiceError whose
`errors` are [{"field": "household.members[0].id_number", "message": "…"}].
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring as _json_str  # what json.dumps(ensure_ascii=False) quotes with
from typing import Any

from common import idnumber, money
from config.errors import ServiceError
from eligibility import rules
from eligibility.standards import StandardsLookup

RELATIONS = rules.RELATIONS
MAX_MEMBERS = 100
REASON_MAX = 200

TOP_KEYS = ("region", "as_of", "standards", "household")
HOUSEHOLD_KEYS = ("members", "property", "monthly_rigid_expenditure", "hardship_causes")
PROPERTY_KEYS = ("financial_assets", "vehicles", "houses", "business")
MEMBER_KEYS = (
    "id_number",
    "relation",
    "monthly_income",
    "labor_capacity",
    "disability_grade",
    "disability_kind",
    "self_care",
    "has_able_supporter",
    "supporter_unable_reason",
    "orphan",
    "newly_employed_since",
)

# The keys each object may have, as sets: looked up for every key of every member of a batch.
TOP_KEY_SET = frozenset(TOP_KEYS)
HOUSEHOLD_KEY_SET = frozenset(HOUSEHOLD_KEYS)
PROPERTY_KEY_SET = frozenset(PROPERTY_KEYS)
MEMBER_KEY_SET = frozenset(MEMBER_KEYS)
STANDARD_KEY_SET = frozenset(rules.STANDARD_FIELDS)

# Up to 12 integer digits and 4 decimals: enough for any amount in 元 and any ratio, and small enough that
# a float sent by a JSON client converts to exactly the digits it was written with.
DECIMAL_RE = re.compile(r"-?\d{1,12}(?:\.\d{1,4})?")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MISSING = object()


@dataclass(frozen=True)
class Request:
    region: str
    as_of: dt.date
    standards: rules.Standards
    household: rules.Household
    # (field, message) of "no record for the region and year" when overrides stand in for it: reported
    # only if the overrides turn out not to give every figure the evaluation needs.
    no_record: tuple[tuple[str, str], ...] = ()


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)


# ---------------------------------------------------------------------------------------------------
# Values


def _decimal(value: Any, path: str, errors: _Errors) -> Decimal | None:
    """A non-negative amount given as a string ("300.5") or a JSON number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.add(path, '应为数字或数字文本（如 "300.00"）')
        return None
    text = value if isinstance(value, str) else repr(value)
    if not DECIMAL_RE.fullmatch(text):
        errors.add(path, f"数值格式不正确：{text[:40]}（最多12位整数、4位小数）")
        return None
    amount = Decimal(text)
    if amount < 0:
        errors.add(path, "不能为负数")
        return None
    return amount


def _amount(value: Any, path: str, errors: _Errors) -> Decimal | None:
    """A household amount (income, assets, expenditure): money as every input reads it (common.money)."""
    return money.collect(value, path, errors.items, label="", required=True)


def _int(value: Any, path: str, errors: _Errors, *, low: int = 0, high: int = 32767) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(path, "应为整数")
        return None
    if value < 0:
        errors.add(path, "不能为负数")
        return None
    if not low <= value <= high:
        errors.add(path, f"应在 {low}–{high} 之间")
        return None
    return value


def _bool(value: Any, path: str, errors: _Errors) -> bool | None:
    if not isinstance(value, bool):
        errors.add(path, "应为 true 或 false")
        return None
    return value


def _choice(value: Any, path: str, errors: _Errors, choices: tuple[str, ...]) -> str | None:
    if not isinstance(value, str) or value not in choices:
        errors.add(path, f"未知的取值：{str(value)[:40]}（可选：{'、'.join(choices)}）")
        return None
    return value


def _date(value: Any, path: str, errors: _Errors) -> dt.date | None:
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        errors.add(path, "日期格式应为 YYYY-MM-DD")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.add(path, f"日期不存在：{value}")
        return None


def _object(value: Any, path: str, errors: _Errors, keys: frozenset[str]) -> dict | None:
    if not isinstance(value, dict):
        errors.add(path or "__all__", "应为 JSON 对象")
        return None
    for key in value:
        if key not in keys:
            errors.add(f"{path}.{key}" if path else str(key), "未知字段")
    return value


# ---------------------------------------------------------------------------------------------------
# Request


def _parse_standards(value: Any, errors: _Errors) -> dict[str, Any]:
    """Overrides: types and non-negativity only (the §2 entry rules do not apply); null = unknown."""
    overrides: dict[str, Any] = {}
    obj = _object(value, "standards", errors, STANDARD_KEY_SET)
    if obj is None:
        return overrides
    for name in rules.STANDARD_FIELDS:
        if name not in obj:
            continue
        raw, path = obj[name], f"standards.{name}"
        if raw is None:
            overrides[name] = None
            continue
        if name in rules.INT_FIELDS:
            parsed: Any = _int(raw, path, errors)
        elif name in rules.BOOL_FIELDS:
            parsed = _bool(raw, path, errors)
        else:
            parsed = _decimal(raw, path, errors)
        if parsed is not None:
            overrides[name] = parsed
    return overrides


def _parse_member(
    value: Any,
    path: str,
    errors: _Errors,
    as_of: dt.date | None,
    seen: dict[str, int],
    index: int,
    today: dt.date | None = None,
) -> rules.Member | None:
    """One member; `seen` maps the valid ID numbers met so far to their index (a repeat is an error).
    `today` bounds the birth dates (the caller reads the clock once for the household)."""
    obj = _object(value, path, errors, MEMBER_KEY_SET)
    if obj is None:
        return None
    before = len(errors.items)
    info = None
    if "id_number" not in obj:
        errors.add(f"{path}.id_number", "缺少身份证号码")
    else:
        try:
            info = idnumber.parse(obj["id_number"], today=today)
        except idnumber.InvalidIdNumber as exc:
            errors.add(f"{path}.id_number", str(exc))
        else:
            if info.number in seen:
                errors.add(f"{path}.id_number", f"身份证号码与第{seen[info.number] + 1}位成员重复")
            else:
                seen[info.number] = index
    income = None
    if "monthly_income" not in obj:
        errors.add(f"{path}.monthly_income", "缺少月收入")
    else:
        income = _amount(obj["monthly_income"], f"{path}.monthly_income", errors)

    get = obj.get
    relation_raw = get("relation", None)
    relation = None if relation_raw is None else _choice(relation_raw, f"{path}.relation", errors, RELATIONS)
    labor = _choice(get("labor_capacity", "full"), f"{path}.labor_capacity", errors, rules.LABOR_CAPACITIES)
    grade = _int(get("disability_grade", 0), f"{path}.disability_grade", errors, low=0, high=4)
    kind_raw = get("disability_kind", None)
    kind = (
        None
        if kind_raw is None
        else _choice(kind_raw, f"{path}.disability_kind", errors, rules.DISABILITY_KINDS)
    )
    if kind is not None and grade == 0:
        errors.add(f"{path}.disability_kind", "残疾等级为“无”时不应填写残疾类别")
    reason_raw = get("supporter_unable_reason", None)
    reason = None
    if reason_raw is not None:
        if not isinstance(reason_raw, str):
            errors.add(f"{path}.supporter_unable_reason", "应为文本")
        elif len(reason_raw) > REASON_MAX:
            errors.add(f"{path}.supporter_unable_reason", f"不能超过 {REASON_MAX} 个字")
        else:
            reason = reason_raw.strip() or None
    self_care = _choice(get("self_care", "full"), f"{path}.self_care", errors, rules.SELF_CARE_LEVELS)
    supporter = _bool(get("has_able_supporter", True), f"{path}.has_able_supporter", errors)
    orphan_raw = get("orphan", None)
    orphan = None if orphan_raw is None else _choice(orphan_raw, f"{path}.orphan", errors, rules.ORPHAN_KINDS)
    employed_raw = get("newly_employed_since", None)
    employed = None if employed_raw is None else _date(employed_raw, f"{path}.newly_employed_since", errors)

    if len(errors.items) > before or info is None or income is None:
        return None
    assert labor is not None and grade is not None and self_care is not None
    assert supporter is not None
    return rules.Member(
        id_number=info.number,
        birth_date=info.birth_date,
        sex=info.sex,
        monthly_income=income,
        relation=relation,
        labor_capacity=labor,
        disability_grade=grade,
        disability_kind=kind,
        self_care=self_care,
        has_able_supporter=supporter,
        supporter_unable_reason=reason,
        orphan=orphan,
        newly_employed_since=employed,
    )


def _check_heads(raw_members: list[Any], errors: _Errors) -> None:
    """§3: when any member gives a relation there is exactly one head (a second head is an error on its
    relation; none at all, on the first member's)."""
    relations = [m.get("relation") if isinstance(m, dict) else None for m in raw_members]
    if all(r is None for r in relations):
        return
    heads = [i for i, r in enumerate(relations) if r == "head"]
    first = "household.members[0].relation"
    if not heads and not any(e["field"] == first for e in errors.items):
        errors.add(
            "household.members[0].relation", "未登记户主：有成员填写了与户主关系时，须有且仅有一位户主"
        )
    for i in heads[1:]:
        errors.add(f"household.members[{i}].relation", f"户主重复：第{heads[0] + 1}位成员已是户主")


def _parse_household(value: Any, errors: _Errors, as_of: dt.date | None) -> rules.Household | None:
    obj = _object(value, "household", errors, HOUSEHOLD_KEY_SET)
    if obj is None:
        return None
    before = len(errors.items)

    members: list[rules.Member] = []
    raw_members = obj.get("members", MISSING)
    if raw_members is MISSING:
        errors.add("household.members", "缺少家庭成员")
    elif not isinstance(raw_members, list):
        errors.add("household.members", "应为成员列表")
    elif not raw_members:
        errors.add("household.members", "家庭成员不能为空")
    elif len(raw_members) > MAX_MEMBERS:
        errors.add("household.members", f"家庭成员不能超过 {MAX_MEMBERS} 人")
    else:
        seen: dict[str, int] = {}
        today = dt.date.today()
        for i, raw in enumerate(raw_members):
            path = f"household.members[{i}]"
            member = _parse_member(raw, path, errors, as_of, seen, i, today)
            if member is not None:
                members.append(member)
        _check_heads(raw_members, errors)

    prop = rules.Property()
    if "property" in obj:
        raw_prop = _object(obj["property"], "household.property", errors, PROPERTY_KEY_SET)
        if raw_prop is not None:
            assets = _amount(
                raw_prop.get("financial_assets", "0"), "household.property.financial_assets", errors
            )
            vehicles = _int(raw_prop.get("vehicles", 0), "household.property.vehicles", errors)
            houses = _int(raw_prop.get("houses", 0), "household.property.houses", errors)
            business = _bool(raw_prop.get("business", False), "household.property.business", errors)
            if assets is not None and vehicles is not None and houses is not None and business is not None:
                prop = rules.Property(
                    financial_assets=assets, vehicles=vehicles, houses=houses, business=business
                )

    rigid = _amount(obj.get("monthly_rigid_expenditure", "0"), "household.monthly_rigid_expenditure", errors)

    causes: list[str] = []
    raw_causes = obj.get("hardship_causes", [])
    if not isinstance(raw_causes, list):
        errors.add("household.hardship_causes", "应为致困原因列表")
    else:
        for i, raw in enumerate(raw_causes):
            cause = _choice(raw, f"household.hardship_causes[{i}]", errors, rules.HARDSHIP_CAUSES)
            if cause is not None and cause not in causes:
                causes.append(cause)

    if len(errors.items) > before or rigid is None:
        return None
    return rules.Household(
        members=tuple(members), property=prop, monthly_rigid_expenditure=rigid, hardship_causes=tuple(causes)
    )


def parse_request(
    payload: Any, *, lookup: StandardsLookup | None = None, household: rules.Household | None = None
) -> Request:
    """Validate a §7 request and resolve its standards; ServiceError with every error found.

    `household` given (a stored household through `eligibility.facts`): the payload carries only region,
    as_of and standards, and the typed household is used as it is."""
    lookup = lookup or StandardsLookup()
    errors = _Errors()
    obj = _object(payload, "", errors, TOP_KEY_SET)
    if obj is None:
        raise ServiceError(errors=errors.items)
    region, as_of, standards, no_record = parse_head(obj, errors, lookup)

    if household is not None:
        if "household" in obj:
            errors.add("household", "未知字段")
    elif "household" not in obj:
        errors.add("household", "缺少家庭信息")
    else:
        household = _parse_household(obj["household"], errors, as_of)

    if errors:
        raise ServiceError(errors=errors.items)
    assert region is not None and as_of is not None and standards is not None and household is not None
    return Request(region=region, as_of=as_of, household=household, standards=standards, no_record=no_record)


def parse_head(
    obj: dict, errors: _Errors, lookup: StandardsLookup
) -> tuple[str | None, dt.date | None, rules.Standards | None, tuple[tuple[str, str], ...]]:
    """(region, as_of, the standards with the overrides applied, no_record) of a request object: everything
    but the household. What is wrong is added to `errors` (then the standards are None)."""
    region = None
    raw_region = obj.get("region", MISSING)
    if raw_region is MISSING:
        errors.add("region", "缺少区划代码")
    elif (
        not isinstance(raw_region, str)
        or not (raw_region.isascii() and raw_region.isdigit())
        or len(raw_region) not in (6, 12)
    ):
        errors.add("region", "区划代码应为6位或12位数字文本")
    elif not lookup.region_exists(raw_region):
        errors.add("region", f"区划代码 {raw_region} 不存在")
    else:
        region = raw_region

    as_of = None
    if "as_of" not in obj:
        errors.add("as_of", "缺少评估日期")
    else:
        as_of = _date(obj["as_of"], "as_of", errors)

    overrides = _parse_standards(obj["standards"], errors) if "standards" in obj else {}

    base: rules.Standards | None = None
    no_record: list[dict[str, str]] = []
    if region is not None and as_of is not None:
        try:
            base = lookup.standards_for(region, as_of.year)
        except ServiceError as exc:
            if exc.code == "no_standard" and overrides:
                # [v2] A what-if for a year not yet entered: the overrides may give every figure needed.
                base, no_record = rules.Standards(region=region, year=as_of.year), exc.errors
            else:
                errors.items.extend(exc.errors)
    standards = None
    if base is not None:
        standards = _with_overrides(base, tuple(overrides.items())) if overrides else base
    return region, as_of, standards, tuple((e["field"], e["message"]) for e in no_record)


@functools.lru_cache(maxsize=1024)
def _with_overrides(base: rules.Standards, overrides: tuple[tuple[str, Any], ...]) -> rules.Standards:
    # Cached: a batch usually repeats the same what-if on the same few stored standards.
    given = dict(overrides)
    sources = {**dict(base.sources), **{name: "request" for name, v in overrides if v is not None}}
    for name, value in overrides:
        if value is None:
            sources.pop(name, None)
    ordered = tuple((name, sources[name]) for name in rules.STANDARD_FIELDS if name in sources)
    return dataclasses.replace(base, sources=ordered, **given)


# ---------------------------------------------------------------------------------------------------
# Response


def standard_value(value: Decimal) -> str:
    """A stored figure: at least two decimals, never rounded (an override may carry more)."""
    return (
        str(value.quantize(rules.CENT))
        if value == value.quantize(rules.CENT)
        else format(value.normalize(), "f")
    )


def standards_to_dict(standards: rules.Standards) -> dict[str, Any]:
    return dict(_standards_dict(standards))


@functools.lru_cache(maxsize=1024)
def _standards_dict(standards: rules.Standards) -> dict[str, Any]:
    out: dict[str, Any] = {"region": standards.region, "year": standards.year}
    for name in rules.STANDARD_FIELDS:
        value = getattr(standards, name)
        out[name] = standard_value(value) if isinstance(value, Decimal) else value
    known = dict(standards.sources)
    out["sources"] = {name: known.get(name) for name in rules.STANDARD_FIELDS}
    return out


def result_to_dict(result: rules.Result) -> dict[str, Any]:
    zhichu = result.zhichu
    return {
        "standards": standards_to_dict(result.standards),
        "categories": list(result.categories),
        "per_capita_income": None
        if result.per_capita_income is None
        else money.to_json(result.per_capita_income),
        "dibao_subsidy": money.to_json(result.dibao_subsidy),
        "zhichu": {
            "eligible": zhichu.eligible,
            "dibao_via_expenditure": zhichu.dibao_via_expenditure,
            "disposable_per_capita": (
                None if zhichu.disposable_per_capita is None else money.to_json(zhichu.disposable_per_capita)
            ),
            "subsidy": money.to_json(zhichu.subsidy),
        },
        "members": [
            {
                "id_number": m.id_number,
                "category": m.category,
                "amounts": {
                    "tekun_basic": money.to_json(m.amounts.tekun_basic),
                    "orphan": money.to_json(m.amounts.orphan),
                    "care": money.to_json(m.amounts.care),
                    "disability_living": money.to_json(m.amounts.disability_living),
                    "disability_care": money.to_json(m.amounts.disability_care),
                },
            }
            for m in result.members
        ],
        "gradual_exit_until": None
        if result.gradual_exit_until is None
        else result.gradual_exit_until.isoformat(),
        "total_monthly": money.to_json(result.total_monthly),
        "trace": [
            {"rule": t.rule, "clause": t.clause, "passed": t.passed, "detail": t.detail} for t in result.trace
        ],
    }


def dumps(obj: Any) -> str:
    """Compact JSON, non-ASCII as it is: the one form the command writes."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=1024)
def _standards_json_cached(standards: rules.Standards) -> str:
    return dumps(_standards_dict(standards))


# The last few standards written, by identity (object, its JSON): a batch writes the same few Standards
# objects hundreds of thousands of times, and the lru_cache above hashes all 28 fields on every call.
_STANDARDS_SEEN: dict[int, tuple[rules.Standards, str]] = {}


def _standards_json(standards: rules.Standards) -> str:
    seen = _STANDARDS_SEEN.get(id(standards))
    if seen is not None and seen[0] is standards:  # the object is held here, so its id is not reused
        return seen[1]
    text = _standards_json_cached(standards)
    if len(_STANDARDS_SEEN) >= 1024:
        _STANDARDS_SEEN.clear()
    _STANDARDS_SEEN[id(standards)] = (standards, text)
    return text


class _TraceHeads(dict):
    """`{"rule":…,"clause":…,"passed":…,"detail":` by (rule, clause, passed): the rules write a few dozen
    distinct heads (the clauses are constants), each encoded once instead of in every entry."""

    def __missing__(self, key: tuple[str, str, bool]) -> str:
        rule, clause, passed = key
        head = (
            f'{{"rule":{_json_str(rule)},"clause":{_json_str(clause)},'
            f'"passed":{"true" if passed else "false"},"detail":'
        )
        if len(self) < 4096:
            self[key] = head
        return head


_TRACE_HEADS = _TraceHeads()


@functools.lru_cache(maxsize=16)
def _category_json(category: str | None) -> str:
    return "null" if category is None else _json_str(category)


def _money_json(value: Decimal | None) -> str:
    return "null" if value is None else f'"{money.to_json(value)}"'


def _amounts_json(a: rules.MemberAmounts) -> str:
    if (
        a.tekun_basic is rules.ZERO
        and a.orphan is rules.ZERO
        and a.care is rules.ZERO
        and a.disability_living is rules.ZERO
        and a.disability_care is rules.ZERO
    ):
        return _NO_AMOUNTS_JSON  # most members: nothing of their own (the rules' ZERO, untouched)
    return (
        f'{{"tekun_basic":"{money.to_json(a.tekun_basic)}","orphan":"{money.to_json(a.orphan)}",'
        f'"care":"{money.to_json(a.care)}","disability_living":"{money.to_json(a.disability_living)}",'
        f'"disability_care":"{money.to_json(a.disability_care)}"}}'
    )


_NO_AMOUNTS_JSON = dumps(
    {name: "0.00" for name in ("tekun_basic", "orphan", "care", "disability_living", "disability_care")}
)


def result_to_json(result: rules.Result) -> str:
    """`dumps(result_to_dict(result))`, byte for byte, written directly (a test holds them equal): the batch
    command serialises hundreds of thousands of results, and building the dict first doubled its cost. The
    standards part is the same for every result under the same standards and is made once."""
    z = result.zhichu
    members = ",".join(
        [
            f'{{"id_number":{_json_str(m.id_number)},"category":{_category_json(m.category)},'
            f'"amounts":{_amounts_json(m.amounts)}}}'
            for m in result.members
        ]
    )
    heads = _TRACE_HEADS
    trace = "},".join([heads[t[:3]] + _json_str(t[3]) for t in result.trace])
    return (
        f'{{"standards":{_standards_json(result.standards)},'
        f'"categories":[{",".join([_json_str(c) for c in result.categories])}],'
        f'"per_capita_income":{_money_json(result.per_capita_income)},'
        f'"dibao_subsidy":{_money_json(result.dibao_subsidy)},'
        f'"zhichu":{{"eligible":{"true" if z.eligible else "false"},'
        f'"dibao_via_expenditure":{"true" if z.dibao_via_expenditure else "false"},'
        f'"disposable_per_capita":{_money_json(z.disposable_per_capita)},'
        f'"subsidy":{_money_json(z.subsidy)}}},'
        f'"members":[{members}],'
        f'"gradual_exit_until":'
        f"{'null' if result.gradual_exit_until is None else _json_str(result.gradual_exit_until.isoformat())},"
        f'"total_monthly":{_money_json(result.total_monthly)},'
        f'"trace":[{trace}{"}" if trace else ""}]}}'
    )


def evaluate_request_json(payload: Any, *, lookup: StandardsLookup | None = None) -> str:
    """`dumps(evaluate_request(payload, lookup=lookup))`, for the batch command; ServiceError alike."""
    return result_to_json(evaluate_parsed(parse_request(payload, lookup=lookup)))


def evaluate_request(payload: Any, *, lookup: StandardsLookup | None = None) -> dict[str, Any]:
    """Evaluate one §7 request and return the §7 response; ServiceError (field errors) on bad input.

    Pass a long-lived `lookup` to share region and standards reads across many requests (batch).
    """
    request = parse_request(payload, lookup=lookup)
    return result_to_dict(evaluate_parsed(request))


def evaluate_parsed(request: Request) -> rules.Result:
    """The rules over a parsed request; ServiceError with the rules' field errors when they cannot decide
    (a needed standard unknown: code "missing_standard"; the supporter check: code "rules")."""
    try:
        return rules.evaluate(request.household, request.standards, request.as_of)
    except rules.RulesError as exc:
        missing = all(e["field"].startswith("standards") for e in exc.errors)
        found = [{"field": f, "message": m} for f, m in request.no_record] if missing else []
        raise ServiceError(
            errors=found + exc.errors, code="missing_standard" if missing else "rules"
        ) from None
