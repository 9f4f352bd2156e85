"""The batch fast path (eligibility/batch.py) gives exactly what io gives: the same Request, the same errors in
the same order, the same bytes out of `evaluate --jsonl`, for valid and invalid requests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io as stdio
import json
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ServiceError
from eligibility import batch, io, rules
from eligibility.standards import StandardsLookup
from eligibility.tests.factories import id_number, member_json, request

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


_LOOKUP: list[StandardsLookup] = []


def shared_lookup() -> StandardsLookup:
    """One preloaded lookup for the examples of a run (the regions and standards do not change): reading
    every region for each of hundreds of examples would be most of the test's time."""
    if not _LOOKUP:
        _LOOKUP.append(StandardsLookup(preload=True))
    return _LOOKUP[0]


def reference(payload) -> tuple[str, io.Request | None]:
    """What io says: (the command's line for it, the parsed request or None)."""
    try:
        parsed = io.parse_request(payload, lookup=StandardsLookup())
    except ServiceError as exc:
        return io.dumps(exc.as_json()), None
    try:
        return io.dumps(io.evaluate_request(payload)), parsed
    except ServiceError as exc:
        return io.dumps(exc.as_json()), parsed


def fast(payload, the_batch: batch.Batch | None = None) -> tuple[str, io.Request | None]:
    the_batch = the_batch or batch.Batch(shared_lookup())
    try:
        parsed = the_batch.parse(payload)
    except ServiceError as exc:
        return io.dumps(exc.as_json()), None
    try:
        return the_batch.evaluate_json(payload), parsed
    except ServiceError as exc:
        return io.dumps(exc.as_json()), parsed


# -- generated requests: well-formed ones, and each field now and then replaced by something odd ------

# Values that are wrong, or right in a way the fast path leaves to io (a float, spaces, full width, x).
ODD: st.SearchStrategy[Any] = st.sampled_from(
    [None, True, False, 0, 1, -1, 1.0, -0.0, 0.5, "", " ", "x", "0", "-0", "12.345", "1,000.50", "０", [], {}]
)
money_text = st.one_of(
    st.integers(0, 300_000).map(lambda c: f"{c / 100:.2f}"),
    st.sampled_from(["0", "580", "870.5", "00012", "0.0", "9999999999.99", "99999999999", "-1", "1e3"]),
    st.integers(0, 5000),
)


def odd_or(strategy, p: int = 12):
    """Mostly `strategy`, one time in `p` something odd."""
    return st.one_of(*([strategy] * (p - 1)), ODD)


@st.composite
def id_numbers(draw, seq: int) -> str:
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(2018, 5, 1)))
    number = id_number(birth, seq=seq)
    change = draw(st.sampled_from(["none"] * 40 + ["space", "lower", "wide", "check", "future", "short"]))
    if change == "space":
        return f" {number} "
    if change == "lower":
        return number[:-1] + number[-1].lower()
    if change == "wide":
        return number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    if change == "check":
        return number[:-1] + ("0" if number[-1] != "0" else "1")
    if change == "future":
        first17 = f"360102{dt.date.today() + dt.timedelta(days=400):%Y%m%d}{seq:03d}"
        return first17 + rules_check(first17)
    if change == "short":
        return number[:17]
    return number


def rules_check(first17: str) -> str:
    from common.idnumber import check_char

    return check_char(first17)


@st.composite
def members(draw, seq: int) -> dict:
    body: dict = {}
    if draw(st.integers(0, 30)):
        body["id_number"] = draw(odd_or(id_numbers(seq), 30))
    if draw(st.integers(0, 30)):
        body["monthly_income"] = draw(odd_or(money_text, 20))
    optional = {
        "relation": st.sampled_from([None, "head", "spouse", "child", "parent", "cousin"]),
        "labor_capacity": st.sampled_from(["full", "partial", "none"]),
        "disability_grade": st.integers(0, 5),
        "disability_kind": st.sampled_from([None, "visual", "mental", "physical", "alien"]),
        "self_care": st.sampled_from(["full", "semi", "none"]),
        "has_able_supporter": st.booleans(),
        "supporter_unable_reason": st.sampled_from([None, "", "  重病 ", "x" * 201, "服刑"]),
        "orphan": st.sampled_from([None, "scattered", "institutional"]),
        "newly_employed_since": st.sampled_from(
            [None, "2017-05-01", "2018-02-30", "20180101", "２０１８-01-01"]
        ),
        "extra": st.just(1),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()) and (key != "extra" or draw(st.integers(0, 10)) == 0):
            body[key] = draw(odd_or(strategy, 40))
    return body


@st.composite
def payloads(draw) -> dict:
    size = draw(st.sampled_from([0, 1, 1, 2, 2, 3, 4]))
    people = [draw(members(seq=i)) for i in range(size)]
    if size > 1 and draw(st.integers(0, 8)) == 0:
        people.append(dict(people[0]))  # a repeated ID number
    body: dict = {
        "region": draw(
            odd_or(
                st.sampled_from(["360102"] * 4 + ["360102002001", "360000", "360111", "369999", "3601"]), 30
            )
        ),
        "as_of": draw(
            odd_or(
                st.sampled_from(["2018-06-01"] * 4 + ["2018-12-31", "2019-01-01", "2018-02-29", "2018-6-1"]),
                30,
            )
        ),
    }
    if draw(st.booleans()):
        body["standards"] = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "min_wage": odd_or(st.sampled_from(["1680", None, "-5", 1680, "12.34567"]), 6),
                    "property_houses": odd_or(st.integers(0, 2), 6),
                    "property_vehicles": odd_or(st.integers(0, 1), 6),
                    "property_months": odd_or(st.sampled_from(["6", "12.5", "6.0"]), 6),
                    "dibao": st.sampled_from(["580", "0"]),
                    "zhichu_multiplier": st.just(None),
                },
            )
        )
    household: dict = {"members": people}
    if draw(st.booleans()):
        household["property"] = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "financial_assets": odd_or(money_text),
                    "vehicles": odd_or(st.integers(0, 2)),
                    "houses": odd_or(st.integers(0, 2)),
                    "business": odd_or(st.booleans()),
                },
            )
        )
    if draw(st.booleans()):
        household["monthly_rigid_expenditure"] = draw(odd_or(money_text))
    if draw(st.booleans()):
        household["hardship_causes"] = draw(
            odd_or(st.lists(st.sampled_from(["illness", "schooling", "illness", "flood"]), max_size=3))
        )
    if draw(st.integers(0, 30)):
        body["household"] = draw(odd_or(st.just(household), 40))
    return body


@given(payload=payloads())
@HYPOTHESIS
def test_the_fast_path_gives_what_io_gives(payload):
    expected_line, expected_request = reference(payload)
    line, parsed = fast(payload)
    assert line == expected_line  # byte for byte, errors included
    assert parsed == expected_request


def test_the_generated_requests_take_both_paths():
    """The property above is about the fast path only if well-formed requests do not all fall back."""
    good = request(member_json(income="300", relation="head"), member_json(income="12.5", relation="child"))
    bad = request(member_json(income="300.123"))
    expected = io.dumps(io.evaluate_request(good))
    with mock.patch.object(io, "parse_request", wraps=io.parse_request) as slow:
        the_batch = batch.Batch()
        assert the_batch.evaluate_json(good) == expected
        assert slow.call_count == 0
        with pytest.raises(ServiceError) as caught:
            the_batch.evaluate_json(bad)
        assert slow.call_count == 1
    assert caught.value.errors == [
        {"field": "household.members[0].monthly_income", "message": "最多保留两位小数（到分）"}
    ]


def test_one_batch_remembers_nothing_that_changes_the_next_answer():
    """The same Batch over a sequence: the caches (standards per region, year and overrides; dates; amounts)
    give each request what a fresh io parse gives."""
    the_batch = batch.Batch()
    sequence = [
        request(member_json(income="300"), standards={"property_vehicles": 1}),
        request(member_json(income="300"), standards={"property_vehicles": True}),  # equal to 1 in Python
        request(member_json(income="300"), standards={"min_wage": 0.0}),
        request(member_json(income="300"), standards={"min_wage": -0.0}),  # equal to 0.0 in Python
        request(member_json(income="300"), as_of="2019-01-01"),  # no 2019 record
        request(member_json(income="300"), as_of="2019-01-01", standards={"dibao": "600"}),
        request(member_json(income="300"), region="360102002001"),
        request(member_json(income="300"), region="369999"),
        request(member_json(income="300"), as_of="2018-12-31"),
        request({**member_json(), "monthly_income": 300}),
        request(member_json(income="0300")),
        request(member_json(relation="spouse")),  # relations given, no head
        request(member_json(relation="head"), member_json(relation="child")),
        request(member_json(relation="child"), member_json(relation="child")),
        request(member_json(relation="head"), member_json(relation="head")),
        request(member_json(), member_json(relation="child")),
    ]
    for payload in sequence * 2:
        assert fast(payload, the_batch) == reference(payload)


def test_made_without_init_the_objects_equal_the_ones_init_makes():
    payload = request(
        member_json(
            birth=dt.date(1950, 3, 1), income="12.50", relation="head", supporter_unable_reason=" 重病 "
        ),
        member_json(income="0", relation="child", disability_grade=2, disability_kind="mental"),
        property={"financial_assets": "100", "vehicles": 1},
        hardship_causes=["illness", "illness", "schooling"],
    )
    made = batch.Batch().parse(payload)
    expected = io.parse_request(payload)
    assert made == expected
    assert type(made) is io.Request and type(made.household.members[0]) is rules.Member
    for fast_one, slow_one in zip(made.household.members, expected.household.members, strict=True):
        assert vars(fast_one) == vars(slow_one)
        assert list(vars(fast_one)) == [f.name for f in dataclasses.fields(rules.Member)]
    assert made.household.members[0].supporter_unable_reason == "重病"
    assert made.household.hardship_causes == ("illness", "schooling")
    assert hash(made.household.property) == hash(expected.household.property)


def test_the_batchs_day_is_the_calendar_day():
    assert batch.Batch().today() == dt.date.today()


def test_loads_reads_and_refuses_as_json_loads_does():
    assert batch.loads('{"a": [1, 2.5, "三"]}') == {"a": [1, 2.5, "三"]}
    for text in ('{"region": NaN}', '{"x": -Infinity}', "\ufeff{}", "{broken", ""):
        with pytest.raises(ValueError) as ours:
            batch.loads(text)
        with pytest.raises(ValueError) as theirs:
            json.loads(text, parse_constant=batch._reject_constant)
        assert str(ours.value) == str(theirs.value)


def test_regions_that_reach_the_same_records_share_one_standards_object():
    lookup = StandardsLookup(preload=True)
    street, community = lookup.standards_for("360102", 2018), lookup.standards_for("360102002001", 2018)
    assert street is community
    assert street.region == "360000"


def test_the_command_writes_io_s_bytes_line_by_line(tmp_path):
    """A batch file of valid, invalid and odd lines: each output line is io's answer for that line."""
    payloads = [
        request(member_json(income="300", relation="head"), member_json(income="900", relation="spouse")),
        request(member_json(income="300", id_number=" " + id_number(dt.date(1980, 1, 1)) + " ")),
        request(member_json(income="300"), member_json(income="1", relation="head")),
        request({**member_json(), "monthly_income": 250.5}),
        request(member_json(income="300", disability_kind="visual")),
        request(member_json(income="300"), standards={"min_wage": -0.0, "property_vehicles": True}),
        request(
            member_json(
                birth=dt.date(1940, 1, 1), income="0", labor_capacity="none", has_able_supporter=False
            )
        ),
        {"region": "360102", "as_of": "2018-06-01"},
        [1],
    ]
    lines = [json.dumps(p, ensure_ascii=False) for p in payloads]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = stdio.StringIO()
    call_command("evaluate", jsonl=str(path), stdout=out, stderr=stdio.StringIO())
    written = out.getvalue().split("\n")
    assert written[-1] == ""
    assert written[:-1] == [reference(p)[0] for p in payloads]
