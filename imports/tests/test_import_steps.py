"""The named steps of the household import's reading pass (cases/importing.py), each on its own: the header
map, one cell of each type, a household's first and repeated rows, duplicate ID numbers, coverage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from common.workbook_upload import NumericCell
from conftest import HOME_COMMUNITY, make_id
from imports import workbook as importing
from imports.workbook import BY_KEY, Issue, Parsed, _Cells, _Pass

TODAY = dt.date(2024, 6, 15)
HEADER = [c.label for c in importing.COLUMNS]


def letter(key: str) -> str:
    return importing._letter(HEADER.index(BY_KEY[key].label))


def test_map_header_finds_columns_by_label_or_alias_and_lists_unknown_ones():
    out = Parsed(header_line=3)
    positions = importing._map_header(
        ["户号", "备注", "身份证号", "姓名", "社区代码", "住址", "关系"], importing.header_names(), out
    )
    assert positions == {"key": 0, "id_number": 2, "name": 3, "community": 4, "address": 5, "relation": 6}
    assert out.ignored_columns == ["B列「备注」"] and out.ok


def test_map_header_reports_duplicates_missing_columns_and_an_enrolment_without_its_category():
    out = Parsed(header_line=2)
    importing._map_header(
        ["户编号", "身份证号码", "身份证号", "月救助金（元）"], importing.header_names(), out
    )
    assert [(i.line, i.column, i.label, i.message) for i in out.issues] == [
        (2, "C", "身份证号码", "与B列重复，同一列只能出现一次"),
        (2, "", "表头", "缺少必填列：社区区划代码、住址、姓名、与户主关系（请使用下载的导入模板）"),
        (2, "", "表头", "有月救助金、起始月份或纳入保障列，却缺少「救助类别」列"),
    ]


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("name", "  张三 ", ("张三", None)),
        ("name", "张" * 33, (None, "不能超过32个字符")),
        ("key", "", (None, "必填")),
        ("phone", "", ("", None)),
        ("community", "36010200200", (None, "社区区划代码应为12位数字")),
        ("bank_account", "6228 4800 0000", ("622848000000", None)),
        (
            "bank_account",
            NumericCell("6228480000000000000"),
            (None, "被存成了数字（末几位已丢失），请把该列设为文本格式"),
        ),
        ("financial_assets", "1234.5", (Decimal("1234.50"), None)),
        ("vehicles", "100", (None, "应为0至99的整数")),
        ("business", "有", (True, None)),
        ("business", "也许", (None, "应填“是”或“否”")),
        ("relation", "妻", ("spouse", None)),
        ("disability_grade", "二级", (2, None)),
        ("start_month", "2024年3月", (dt.date(2024, 3, 1), None)),
        ("start_month", "2024-08", (None, "起始月份应在2000年1月至2024年7月之间")),
        ("start_month", "三月", (None, "月份格式应为 YYYY-MM，如2024-03")),
    ],
)
def test_one_cell_of_each_type(key, raw, expected):
    assert _Cells(TODAY).parse(BY_KEY[key], raw) == expected


def test_an_id_number_gives_its_birth_date_and_sex():
    number = make_id(birth="19800101", sex="F")
    info, reason = _Cells(TODAY).parse(BY_KEY["id_number"], number)
    assert reason is None and (info.number, info.birth_date, info.sex) == (number, dt.date(1980, 1, 1), "F")
    assert (
        _Cells(TODAY).parse(BY_KEY["id_number"], number[:17] + "0" if number[17] != "0" else "1")[0] is None
    )


def _state(keys=("key", "community", "address", "name", "id_number", "relation", "category", "covered")):
    out = Parsed(header_line=1)
    positions = {k: i for i, k in enumerate(keys)}
    return _Pass(
        out, positions, _Cells(TODAY), {HOME_COMMUNITY: "民巷社区"}, lambda code: True, lambda code: False
    )


def test_a_household_starts_on_its_first_row_and_a_repeated_row_may_not_differ():
    state = _state()
    first = ["DH1", HOME_COMMUNITY, "民巷1号", "张三", make_id(), "户主", "", ""]
    importing._read_row(state, first, 2)
    household = state.by_key["DH1"]
    assert (household.line, household.values["address"], len(household.members)) == (2, "民巷1号", 1)
    importing._read_row(state, ["DH1", "", "民巷2号", "李四", make_id(), "配偶", "", ""], 3)
    assert [(i.line, i.column, i.message) for i in state.out.issues] == [
        (3, "C", "与本户（户编号DH1）第2行的值不一致")
    ]
    assert household.bad_rows == 1 and len(household.members) == 1


def test_a_first_row_without_its_household_columns_is_an_error():
    state = _state()
    importing._read_row(state, ["DH2", "", "", "张三", make_id(), "户主", "", ""], 5)
    assert [(i.line, i.column, i.message) for i in state.out.issues] == [
        (5, "B", "必填（在该户第一行填写）"),
        (5, "C", "必填（在该户第一行填写）"),
    ]


def test_the_same_person_twice_is_an_error_on_the_later_row():
    out = Parsed(columns={"id_number": "N"})
    info = _Cells(TODAY).parse(BY_KEY["id_number"], make_id())[0]
    assert importing._check_duplicate_id(out, info, 4) is False
    assert importing._check_duplicate_id(out, info, 9) is True
    assert out.issues == [
        Issue(
            9,
            "N",
            "身份证号码",
            "与第4行身份证号码重复，同一人只能登记一次",
            importing.idnumber.mask(info.number),
        )
    ]


def test_coverage_follows_the_category_and_cannot_be_claimed_without_one():
    state = _state()
    with_category = importing.ParsedHousehold("a", 2, {"category": "dibao"})
    without = importing.ParsedHousehold("b", 3, {"category": ""})
    assert importing._covered(state, with_category, {"covered": None}, 2) == (True, False)
    assert importing._covered(state, without, {"covered": None}, 3) == (False, False)
    assert importing._covered(state, without, {"covered": True}, 3) == (True, True)
    assert [(i.line, i.column, i.message) for i in state.out.issues] == [
        (3, "H", "该户没有填写救助类别，不能纳入保障")
    ]


def test_finish_reports_an_empty_sheet():
    out = importing._finish(Parsed(header_line=4))
    assert [(i.line, i.message) for i in out.issues] == [(4, "表头下没有数据行")]
