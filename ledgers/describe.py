"""A finding's evidence in one Chinese sentence (lists, detail page, Excel export)."""

from __future__ import annotations

from accounts.kinds import PROGRAMS
from applications.models import Category
from common.money import format_yuan

CATEGORIES = dict(Category.choices)
SHORT_CATEGORY = {"dibao": "低保", "tekun": "特困", "zhichu": "支出型"}


def money(value) -> str:
    return format_yuan(value, empty="—")


def _items(values, limit: int = 5) -> str:
    values = [str(v) for v in (values or []) if v]
    text = "、".join(values[:limit])
    return text + (f" 等{len(values)}项" if len(values) > limit else "")


def _program(code: str) -> str:
    p = PROGRAMS.get(code or "")
    return p.label if p else (code or "部门待遇")


def describe(rule: str, d: dict) -> str:
    d = d or {}
    category = SHORT_CATEGORY.get(d.get("category") or "", d.get("category") or "")
    if rule == "deceased_paid":
        return f"户籍死亡日期 {d.get('died_on')}；仍在享受{category}，月救助金 {money(d.get('monthly_amount'))} 元"
    if rule == "moved_away":
        return f"{d.get('moved_on')} 户籍迁往 {d.get('to_region')}；仍在本地享受{category}"
    if rule == "vehicles_over":
        return f"家庭成员名下机动车 {d.get('count')} 辆（{_items(d.get('items'))}），当地允许 {d.get('limit')} 辆"
    if rule == "houses_over":
        return f"家庭成员名下不动产 {d.get('count')} 处（{_items(d.get('items'), 3)}），当地允许 {d.get('limit')} 套"
    if rule == "business_over":
        return (
            f"家庭成员名下存续市场主体 {d.get('count')} 个（{_items(d.get('items'))}），当地不允许有营业执照"
        )
    if rule == "assets_over":
        return (
            f"家庭金融资产合计 {money(d.get('total'))} 元，{d.get('members')} 人，人均 {money(d.get('per_capita'))} 元，"
            f"超过上限 {money(d.get('limit'))} 元/人"
        )
    if rule == "income_over":
        return (
            f"{category}保障单位 {d.get('members')} 人：申报月收入合计 {money(d.get('declared'))} 元，"
            f"按部门数据 {money(d.get('evidenced'))} 元，人均 {money(d.get('per_capita'))} 元，"
            f"认定上限 {money(d.get('limit'))} 元"
        )
    if rule == "not_in_ours":
        known = "" if d.get("known_person") else "；本地没有该人员档案"
        amount = f"（金额 {money(d.get('amount'))} 元）" if d.get("amount") is not None else ""
        return f"{_program(d.get('program'))}名单在册{amount}，我方未在保{known}"
    if rule == "missing_theirs":
        return f"我方在保（{category}），应享受{_program(d.get('program'))}，但部门本期名单中没有"
    if rule == "enrolled_twice":
        other = "，含其他家庭的救助对象" if d.get("other_household") else ""
        return f"同时被 {d.get('enrolments')} 个在保救助对象覆盖{other}"
    return str(d)
