"""Entering a region's yearly standards (policy.md §2): the one service that applies the entry rules.

`standard_save` is the only write path for `Standard` rows entered by staff (the shipped 2018 row and the
demo rows come from a migration and `seed_demo`). It checks the permission, the types and the §2 entry
rules before it writes anything, then saves in one transaction with the acting user in the history and a
domain event. `guidance` gives the figures the province publishes as a guide for each year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from accounts.models import Region
from accounts.permissions import can_enter_standard
from accounts.services import event_record
from common import money
from common.money import round_half_up as round_money
from config.errors import PermissionDenied, ServiceError
from eligibility import rules
from eligibility.models import Standard
from eligibility.standards import StandardsLookup

CENT = Decimal("0.01")
BASE_YEAR = 2018
GUIDE_DIBAO = Decimal("580")  # 五(一)1: 2018 低保标准 580 元, about +10 % a year
GUIDE_DIBAO_GROWTH = Decimal("1.10")
GUIDE_SUBSIDY = Decimal("380")  # 五(一)1: 2018 人均补差 380 元, about +9 % a year
GUIDE_SUBSIDY_GROWTH = Decimal("1.09")
TEKUN_FACTOR = Decimal("1.3")  # 五(一)2: 特困供养标准不低于低保标准的 1.3 倍
# [v2] The seed's 2018 figures as floors (policy.md §2): a standard may rise, never fall below them.
FLOORS = {
    "orphan_scattered": (Decimal("800"), "散居孤儿基本生活费不得低于每人每月800元（五(一)2）"),
    "orphan_institutional": (Decimal("1200"), "机构供养孤儿基本生活费不得低于每人每月1200元（五(一)2）"),
    "disability_living": (Decimal("60"), "困难残疾人生活补贴不得低于每人每月60元（五(一)1）"),
    "disability_care": (Decimal("70"), "重度残疾人护理补贴不得低于每人每月70元（五(一)1）"),
    "zhichu_multiplier": (
        Decimal("1.5"),
        "支出型贫困家庭收入上限不得低于低保标准的1.5倍（四(三)，由省确定）",
    ),
    "medical_uplift_pp": (
        Decimal("5"),
        "低保对象医疗救助比例应在现行救助比例基础上提高不少于5个百分点（五(三)）",
    ),
}

MIN_YEAR, MAX_YEAR = 2000, 2100

MONEY_FIELDS = (
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
)
RATIO_FIELDS = (
    "care_ratio_full",
    "care_ratio_semi",
    "zhichu_multiplier",
    "property_months",
    "uplift_max",
    "medical_uplift_pp",
)
INT_FIELDS = (
    "extension_months",
    "extension_months_disabled",
    "property_vehicles",
    "property_houses",
    "annual_times",
    "extra_times",
)
BOOL_FIELDS = ("property_business_allowed",)
OTHER_FIELDS = ("source", "effective_month", "placeholder_fields")
# [v2] A record may leave fields empty: the lookup takes each from the nearest record above. The province's
# record has nothing above it, so it needs these two; a lower region may set only what differs locally.
REQUIRED_FIELDS = ("dibao", "tekun")

# Decimal places the columns hold (money 2, ratios 4); more would be silently rounded by the database.
PLACES = {**dict.fromkeys(MONEY_FIELDS, 2), **dict.fromkeys(RATIO_FIELDS, 4)}
MAX_VALUE = {
    **dict.fromkeys(MONEY_FIELDS, Decimal("9999999999.99")),
    **dict.fromkeys(RATIO_FIELDS, Decimal("99.9999")),
}


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    fields: tuple[str, ...]


# The form's groups, in the order the policy names them.
GROUPS = (
    Group("dibao", "低保", ("dibao", "subsidy_target")),
    Group("tekun", "特困", ("tekun", "care_ratio_full", "care_ratio_semi", "min_wage")),
    Group("orphan", "孤儿", ("orphan_scattered", "orphan_institutional")),
    Group("disability", "残疾", ("disability_living", "disability_care")),
    Group("zhichu", "支出型", ("zhichu_multiplier",)),
    Group("extension", "渐退", ("extension_months", "extension_months_disabled")),
    Group(
        "property",
        "财产限额",
        ("property_months", "property_vehicles", "property_houses", "property_business_allowed"),
    ),
    Group(
        "temporary",
        "临时救助",
        ("per_event_cap", "annual_cap", "annual_times", "extra_times", "street_limit", "uplift_max"),
    ),
    Group("medical", "医疗救助", ("medical_uplift_pp", "serious_illness_threshold")),
)


def label(name: str) -> str:
    return str(getattr(Standard._meta.get_field(name), "verbose_name", name))


def guidance(year: int, *, dibao: Decimal | None = None) -> dict[str, Decimal]:
    """The guide figures for `year` (policy.md §2), rounded half-up to 0.01.

    dibao = 580 × 1.10^(year − 2018), subsidy_target = 380 × 1.09^(year − 2018), and tekun_min =
    1.3 × `dibao` when one is entered, else 1.3 × the guided dibao.
    """
    n = int(year) - BASE_YEAR
    guided_dibao = round_money(GUIDE_DIBAO * GUIDE_DIBAO_GROWTH**n)
    basis = guided_dibao if dibao is None else Decimal(dibao)
    return {
        "dibao": guided_dibao,
        "subsidy_target": round_money(GUIDE_SUBSIDY * GUIDE_SUBSIDY_GROWTH**n),
        "tekun_min": round_money(TEKUN_FACTOR * basis),
    }


def gap_percent(actual: Decimal | None, guide: Decimal) -> Decimal | None:
    """(actual − guide) / guide in per cent, one decimal; None when unknown."""
    if actual is None or not guide:
        return None
    return ((actual - guide) * 100 / guide).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------------
# Values and the §2 entry rules


def _parse(name: str, raw: Any, errors: list[dict[str, str]]) -> Any:
    """One value to its column type; appends a Chinese error and returns None when it cannot."""
    if raw is None or raw == "":
        return None
    if name in BOOL_FIELDS:
        if isinstance(raw, bool):
            return raw
        errors.append({"field": name, "message": "应为“是”或“否”"})
        return None
    if name in INT_FIELDS:
        if isinstance(raw, bool):
            errors.append({"field": name, "message": "应为整数"})
            return None
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            errors.append({"field": name, "message": "应为整数"})
            return None
        if value != value.to_integral_value():
            errors.append({"field": name, "message": "应为整数"})
            return None
        if value < 0:
            errors.append({"field": name, "message": "不能为负数"})
            return None
        if value > 32767:
            errors.append({"field": name, "message": "数值过大"})
            return None
        return int(value)
    if name in MONEY_FIELDS:
        return money.collect(raw, name, errors, label="", max_value=MAX_VALUE[name])
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str | float):
        errors.append({"field": name, "message": "应为数字"})
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.append({"field": name, "message": "应为数字"})
        return None
    if not value.is_finite():
        errors.append({"field": name, "message": "应为数字"})
        return None
    if value < 0:
        errors.append({"field": name, "message": "不能为负数"})
        return None
    places = PLACES[name]
    if value != value.quantize(Decimal(1).scaleb(-places)):
        errors.append({"field": name, "message": f"最多{places}位小数"})
        return None
    if value > MAX_VALUE[name]:
        errors.append({"field": name, "message": "数值过大"})
        return None
    return value


def parse_values(values: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Every §2 field from `values` (missing = empty) in its column type, and the type errors."""
    errors: list[dict[str, str]] = []
    unknown = sorted(set(values) - set(Standard.FIELDS) - set(OTHER_FIELDS))
    for name in unknown:
        errors.append({"field": name, "message": "未知字段"})
    parsed = {name: _parse(name, values.get(name), errors) for name in Standard.FIELDS}
    return parsed, errors


@dataclass(frozen=True)
class EntryContext:
    """What the §2 rules compare a record with (policy.md §2 [v2]): `above` the figures the region would
    inherit for the same year from the regions above it; `previous` the region's figures in force the
    year before; `province` the province's figures for the same year (None for the province itself)."""

    above: rules.Standards | None = None
    previous: rules.Standards | None = None
    province: rules.Standards | None = None


Report = Callable[[str, str], None]  # (field, message): an error on a field
Warn = Callable[[str], None]


def _inherited(context: EntryContext, name: str) -> Any:
    return getattr(context.above, name) if context.above is not None else None


def _tekun_above_dibao(v: dict[str, Any], context: EntryContext, err: Report, warn: Warn) -> None:
    """特困 ≥ 1.3 × the 低保 the same lookup gives: this record's own, else the one inherited."""
    dibao, tekun = v.get("dibao"), v.get("tekun")
    basis = dibao if dibao is not None else _inherited(context, "dibao")
    if tekun is None or basis is None:
        return
    floor = TEKUN_FACTOR * basis
    if tekun < floor:
        where = (
            ""
            if dibao is not None
            else f"（本记录未填，沿用上级 {context.above.region if context.above else ''}）"
        )
        err(
            "tekun",
            f"特困供养标准不得低于低保标准的1.3倍：低保标准 {basis} 元{where} × 1.3 = {round_money(floor)} 元，"
            f"现填 {tekun} 元",
        )


def _seed_floors(v: dict[str, Any], context: EntryContext, err: Report, warn: Warn) -> None:
    """The seed's floors (60 / 70 / 800 / 1200 / 1.5); a multiplier above 1.5 is a warning."""
    for name, (floor_value, text) in FLOORS.items():
        value = v.get(name)
        if value is not None and value < floor_value:
            err(name, f"{text}，现填 {value}")
    multiplier = v.get("zhichu_multiplier")
    if multiplier is not None and multiplier > FLOORS["zhichu_multiplier"][0]:
        warn(f"支出型贫困家庭收入上限为低保标准的 {multiplier} 倍，高于政策的1.5倍，请确认有省级依据")


def _not_below_last_year(v: dict[str, Any], context: EntryContext, err: Report, warn: Warn) -> None:
    """稳步提高 (五(一)1–2): 低保 and 特困 never below the same region's figures for the year before."""
    if context.previous is None:
        return
    for name, what in (("dibao", "低保标准"), ("tekun", "特困供养标准")):
        value, before = v.get(name), getattr(context.previous, name)
        if value is not None and before is not None and value < before:
            err(
                name,
                f"{what}不得低于上一年度：{context.previous.year}年为 {before} 元"
                f"（{context.previous.source(name) or context.previous.region}），现填 {value} 元",
            )


def _not_below_province(v: dict[str, Any], context: EntryContext, err: Report, warn: Warn) -> None:
    dibao = v.get("dibao")
    if context.province is not None and dibao is not None:
        above = context.province.dibao
        if above is not None and dibao < above:
            warn(f"低保标准 {dibao} 元低于本省同年度标准 {above} 元，请核实")


def _ranges(v: dict[str, Any], context: EntryContext, err: Report, warn: Warn) -> None:
    """Care ratios, the 渐退 months, extra relief times and the uplift within the seed's ranges."""
    if v.get("care_ratio_full") is not None and v["care_ratio_full"] < Decimal("0.80"):
        err("care_ratio_full", "全失能特困人员照料护理费不得低于当地最低工资的80%（比例至少 0.80）")
    if v.get("care_ratio_semi") is not None and v["care_ratio_semi"] < Decimal("0.20"):
        err("care_ratio_semi", "半失能特困人员照料护理费不得低于当地最低工资的20%（比例至少 0.20）")
    months = v.get("extension_months")
    if months is not None and not 12 <= months <= 24:
        err("extension_months", f"就业渐退期应为12–24个月，现填 {months} 个月")
    months = v.get("extension_months_disabled")
    if months is not None and not 24 <= months <= 36:
        err("extension_months_disabled", f"有残疾成员的渐退期应为24–36个月，现填 {months} 个月")
    extra = v.get("extra_times")
    if extra is not None and not 1 <= extra <= 2:
        err("extra_times", f"三类对象临时救助可增加的次数应为1–2次，现填 {extra} 次")
    uplift = v.get("uplift_max")
    if uplift is not None and uplift > Decimal("0.50"):
        err("uplift_max", f"支出型临时救助上浮比例不得超过50%（至多 0.50），现填 {uplift}")
    points = v.get("medical_uplift_pp")
    if points is not None and points > Decimal("100"):
        err("medical_uplift_pp", f"医疗救助比例提高的百分点不能超过100，现填 {points}")
    threshold = v.get("serious_illness_threshold")
    if threshold is not None and threshold <= 0:
        err("serious_illness_threshold", "大病起付线应大于0元（未定的请留空，名单将显示“待设置”）")


def _orphans_above_tekun(v: dict[str, Any], context: EntryContext, err: Report, warn: Warn) -> None:
    tekun = v.get("tekun")
    tekun_basis = tekun if tekun is not None else _inherited(context, "tekun")
    if tekun_basis is None:
        return
    for name, what in (("orphan_scattered", "散居孤儿"), ("orphan_institutional", "机构供养孤儿")):
        amount = v.get(name)
        if amount is not None and amount <= tekun_basis:
            warn(
                f"{what}基本生活费 {amount} 元未高于特困供养标准 {tekun_basis} 元"
                "（政策要求孤儿基本生活费略高于特困人员供养标准），请核实"
            )


ENTRY_RULES = (
    _tekun_above_dibao,
    _seed_floors,
    _not_below_last_year,
    _not_below_province,
    _ranges,
    _orphans_above_tekun,
)


def check_entry_rules(
    v: dict[str, Any], context: EntryContext | None = None
) -> tuple[list[dict[str, str]], list[str]]:
    """The §2 entry rules over parsed values: (errors with their field, warnings). Pure."""
    context = context or EntryContext()
    errors: list[dict[str, str]] = []
    warnings: list[str] = []
    for rule in ENTRY_RULES:
        rule(
            v,
            context,
            lambda field, message: errors.append({"field": field, "message": message}),
            warnings.append,
        )
    return errors, warnings


# ---------------------------------------------------------------------------------------------------
# The service


def _plain(name: str, value: Any) -> Any:
    """A value for the event's JSON, as the column holds it (money with 2 decimals, ratios with 4)."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1).scaleb(-PLACES[name])))
    return value


def entry_context(region: Region, year: int) -> EntryContext:
    """The figures the §2 rules compare a record for `region` and `year` with (see EntryContext)."""
    lookup = StandardsLookup()

    def find(code: str | None, y: int) -> rules.Standards | None:
        if not code:
            return None
        try:
            return lookup.standards_for(code, y)
        except ServiceError:
            return None

    province = None if region.level == Region.Level.PROVINCE else find(region.code[:2] + "0000", year)
    return EntryContext(
        above=find(region.parent_id, year), previous=find(region.code, year - 1), province=province
    )


def _validate(
    *, acting_user, region: Region, year: Any, values: dict[str, Any], standard: Standard | None
) -> tuple[Standard | None, int, dict[str, Any], list[str]]:
    """Permission, types and the §2 rules, before anything is written: (locked standard, year, parsed
    values, warnings); PermissionDenied or ServiceError with every field error found."""
    if standard is not None:
        standard = Standard.objects.select_for_update().select_related("region").get(pk=standard.pk)
        if not can_enter_standard(acting_user, standard.region):
            raise PermissionDenied("无权修改此区划的年度标准")
    if not can_enter_standard(acting_user, region):
        raise PermissionDenied("只有县级民政（本县）、省级民政（本省）可以录入年度标准", field="region")

    errors: list[dict[str, str]] = []
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors.append({"field": "year", "message": "年度应为整数"})
    else:
        if not MIN_YEAR <= year <= MAX_YEAR:
            errors.append({"field": "year", "message": f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间"})
    parsed, type_errors = parse_values(values)
    errors.extend(type_errors)
    failed = {e["field"] for e in type_errors}
    if region.level == Region.Level.PROVINCE:
        for name in REQUIRED_FIELDS:
            if parsed[name] is None and name not in failed:
                errors.append(
                    {"field": name, "message": f"请填写{label(name)}（省级标准是下级区划沿用的基础）"}
                )
    elif all(parsed[name] is None for name in Standard.FIELDS) and not failed:
        errors.append({"field": "dibao", "message": "请至少填写一项本地标准；未填的项目沿用上级标准"})
    year_ok = not any(e["field"] == "year" for e in errors)
    rule_errors, warnings = check_entry_rules(parsed, entry_context(region, year) if year_ok else None)
    errors.extend(rule_errors)
    if year_ok:
        clash = Standard.objects.filter(region=region, year=year)
        if standard is not None:
            clash = clash.exclude(pk=standard.pk)
        if clash.exists():
            errors.append(
                {
                    "field": "year",
                    "message": f"{region.name}（{region.code}）{year} 年度标准已存在，请修改原记录",
                }
            )
    if errors:
        raise ServiceError(errors=errors)
    return standard, year, parsed, warnings


@transaction.atomic
def standard_check(
    *, acting_user, region: Region, year: Any, values: dict[str, Any], standard: Standard | None = None
) -> list[str]:
    """What `standard_save` would say, without writing: the warnings to show before saving (policy.md §2:
    warnings are shown and recorded with the record); ServiceError / PermissionDenied as `standard_save`."""
    return _validate(acting_user=acting_user, region=region, year=year, values=values, standard=standard)[3]


@transaction.atomic
def standard_save(
    *, acting_user, region: Region, year: int, values: dict[str, Any], standard: Standard | None = None
) -> tuple[Standard, list[str]]:
    """Create (standard=None) or update a region's yearly standards; returns (standard, warnings).

    `values` maps §2 field names to values (Decimal/str/int/bool; None or "" = empty); `source` and
    `effective_month` may be given too. Empty fields stay empty (unknown, inherited from above by the
    lookup), never defaulted. Refuses (PermissionDenied) users who may not enter standards for the region,
    and (ServiceError with field errors) values that break a type or a §2 entry rule, before anything is
    written. The warnings are kept with the record (`entry_warnings`) and in the event. A field whose value
    changes stops being a demo placeholder.
    """
    standard, year, parsed, warnings = _validate(
        acting_user=acting_user, region=region, year=year, values=values, standard=standard
    )

    creating = standard is None
    before: dict[str, Any] = {}
    if standard is None:
        standard = Standard(region=region, year=year)
    else:
        before = {name: getattr(standard, name) for name in Standard.FIELDS}
        standard.region, standard.year = region, year
    for name in Standard.FIELDS:
        setattr(standard, name, parsed[name])
    changed = sorted(name for name in Standard.FIELDS if not creating and before[name] != parsed[name])
    if "placeholder_fields" in values:
        standard.placeholder_fields = sorted(set(values["placeholder_fields"] or ()) & set(Standard.FIELDS))
    elif not creating:
        standard.placeholder_fields = [f for f in standard.placeholder_fields if f not in changed]
    standard.entry_warnings = warnings
    if "source" in values:
        standard.source = str(values["source"] or "")[:200]
    if "effective_month" in values:
        standard.effective_month = values["effective_month"] or None
    standard._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    standard.save()

    event_record(
        actor=acting_user,
        verb=f"{'录入' if creating else '修改'}{year}年度标准",
        target=standard,
        region_code=region.code,
        data={
            "year": year,
            "changes": (
                {
                    name: [None, _plain(name, parsed[name])]
                    for name in Standard.FIELDS
                    if parsed[name] is not None
                }
                if creating
                else {name: [_plain(name, before[name]), _plain(name, parsed[name])] for name in changed}
            ),
            "warnings": warnings,
        },
    )
    # Once committed, benefits recomputes the enrolments this standard applies to from its effective month.
    transaction.on_commit(
        lambda: __import__("benefits.tasks").tasks.standard_recompute.delay(
            standard.pk, getattr(acting_user, "pk", None)
        )
    )
    return standard, warnings
