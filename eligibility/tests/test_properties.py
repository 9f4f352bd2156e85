"""Properties that must hold for every household (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from eligibility import rules
from eligibility.tests.factories import AS_OF, JX2018, id_number

JX = dataclasses.replace(JX2018, property_vehicles=1, property_houses=1, property_business_allowed=True)

cents = st.integers(min_value=0, max_value=400_000).map(lambda c: Decimal(c) / 100)
births = st.dates(min_value=dt.date(1925, 1, 1), max_value=AS_OF)


@st.composite
def members(draw, seq: int = 0) -> rules.Member:
    birth = draw(births)
    return rules.Member(
        id_number=id_number(birth, seq=seq),
        birth_date=birth,
        monthly_income=draw(
            st.one_of(cents, st.sampled_from([Decimal("0"), Decimal("579.99"), Decimal("580")]))
        ),
        relation="head" if seq == 0 else draw(st.sampled_from(rules.RELATIONS[1:])),
        labor_capacity=draw(st.sampled_from(rules.LABOR_CAPACITIES)),
        disability_grade=(grade := draw(st.sampled_from(rules.DISABILITY_GRADES))),
        disability_kind=draw(st.one_of(st.none(), st.sampled_from(rules.DISABILITY_KINDS)))
        if grade
        else None,
        self_care=draw(st.sampled_from(rules.SELF_CARE_LEVELS)),
        has_able_supporter=draw(st.booleans()),
        supporter_unable_reason=draw(st.sampled_from([None, None, "", "重病"])),
        orphan=draw(st.one_of(st.none(), st.none(), st.sampled_from(rules.ORPHAN_KINDS))),
        newly_employed_since=draw(st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2019, 1, 1)))),
    )


@st.composite
def households(draw) -> rules.Household:
    size = draw(st.integers(min_value=1, max_value=5))
    return rules.Household(
        members=tuple(draw(members(seq=i)) for i in range(size)),
        property=rules.Property(
            financial_assets=draw(st.one_of(st.just(Decimal("0")), cents.map(lambda d: d * 10))),
            vehicles=draw(st.integers(0, 2)),
            houses=draw(st.integers(0, 2)),
            business=draw(st.booleans()),
        ),
        monthly_rigid_expenditure=draw(cents),
        hardship_causes=tuple(
            draw(st.lists(st.sampled_from(rules.HARDSHIP_CAUSES), unique=True, max_size=3))
        ),
    )


# Evaluation dates on both sides of the 2021-07-01 switch of the national deeming rule.
dates = st.sampled_from([AS_OF, dt.date(2021, 6, 30), dt.date(2021, 7, 1), dt.date(2023, 1, 1)])


def decide(hh: rules.Household, as_of: dt.date = AS_OF) -> rules.Result:
    """The rules' answer; where the supporter check asks for a reason, the caseworker gives one."""
    try:
        return rules.evaluate(hh, JX, as_of)
    except rules.RulesError as exc:
        flagged = {int(e["field"].split("[")[1].split("]")[0]) for e in exc.errors}
        assert all(e["field"].endswith(".has_able_supporter") for e in exc.errors), exc.errors
        members = tuple(
            dataclasses.replace(m, supporter_unable_reason="重病") if i in flagged else m
            for i, m in enumerate(hh.members)
        )
        return rules.evaluate(dataclasses.replace(hh, members=members), JX, as_of)


@given(households(), dates)
@settings(max_examples=300, deadline=None)
def test_a_tekun_person_never_counts_in_the_units_per_capita_income(hh, as_of):
    result = decide(hh, as_of)
    unit = [m for m, r in zip(hh.members, result.members, strict=True) if r.category != "tekun"]
    if not unit:
        assert result.per_capita_income is None
    else:
        assert result.per_capita_income == sum((m.monthly_income for m in unit), Decimal("0")) / len(unit)


@given(households(), st.data(), cents.filter(lambda d: d > 0))
@settings(max_examples=300, deadline=None)
def test_more_income_never_raises_the_dibao_subsidy(hh, data, extra):
    index = data.draw(st.integers(0, len(hh.members) - 1))
    richer_member = dataclasses.replace(
        hh.members[index], monthly_income=hh.members[index].monthly_income + extra
    )
    richer = dataclasses.replace(hh, members=hh.members[:index] + (richer_member,) + hh.members[index + 1 :])
    before = decide(hh)
    after = decide(richer)
    assert after.dibao_subsidy <= before.dibao_subsidy


@given(households(), st.sampled_from(rules.HARDSHIP_CAUSES))
@settings(max_examples=300, deadline=None)
def test_adding_a_cause_never_removes_zhichu(hh, cause):
    more = dataclasses.replace(hh, hardship_causes=tuple(dict.fromkeys((*hh.hardship_causes, cause))))
    before = decide(hh)
    after = decide(more)
    if before.zhichu.eligible:
        assert after.zhichu.eligible
    assert ("tekun" in before.categories) == ("tekun" in after.categories)
    assert before.dibao_subsidy == after.dibao_subsidy


@given(households(), dates)
@settings(max_examples=300, deadline=None)
def test_amounts_are_rounded_once_and_total_is_their_sum(hh, as_of):
    result = decide(hh, as_of)
    unit = [m for m, r in zip(hh.members, result.members, strict=True) if r.category != "tekun"]
    income = sum((m.monthly_income for m in unit), Decimal("0"))
    assert JX.dibao is not None
    if "dibao" in result.categories:
        assert result.dibao_subsidy == rules.round_money(JX.dibao * len(unit) - income)
        assert result.dibao_subsidy > 0
    else:
        assert result.dibao_subsidy == 0
    components = sum((r.amounts.total for r in result.members), Decimal("0"))
    assert result.total_monthly == result.dibao_subsidy + result.zhichu.subsidy + components
    for value in (result.total_monthly, result.zhichu.subsidy, *(r.amounts.care for r in result.members)):
        assert value == value.quantize(Decimal("0.01"))
    assert [c for c in rules.CATEGORY_ORDER if c in result.categories] == list(result.categories)
    assert ("dibao" in result.categories and "zhichu" in result.categories) is False


# -- command == API on generated requests (valid and invalid) ------------------------------------

money_text = st.one_of(
    st.integers(0, 300_000).map(lambda c: f"{c / 100:.2f}"),
    st.sampled_from(["0", "580", "870", "-1", "abc"]),
)


@st.composite
def member_payloads(draw, seq: int) -> dict:
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(2018, 5, 1)))
    body: dict = {"id_number": id_number(birth, seq=seq), "monthly_income": draw(money_text)}
    optional = {
        "relation": st.sampled_from(["head", "spouse", "child", "cousin"]),
        "labor_capacity": st.sampled_from(["full", "partial", "none"]),
        "disability_grade": st.integers(0, 5),
        "self_care": st.sampled_from(["full", "semi", "none"]),
        "has_able_supporter": st.booleans(),
        "orphan": st.sampled_from([None, "scattered", "institutional"]),
        "newly_employed_since": st.one_of(
            st.none(), st.dates(dt.date(2016, 1, 1), dt.date(2018, 6, 1)).map(str)
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    return body


@st.composite
def request_payloads(draw) -> dict:
    size = draw(st.integers(1, 4))
    return {
        "region": draw(st.sampled_from(["360102", "360102002001", "360000", "369999"])),
        "as_of": draw(st.sampled_from(["2018-06-01", "2018-12-31", "2019-01-01"])),
        "standards": draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "min_wage": st.sampled_from(["1680", None, "-5"]),
                    "property_houses": st.integers(0, 2),
                    "property_months": st.sampled_from(["6", "12.5"]),
                },
            )
        ),
        "household": {
            "members": [draw(member_payloads(seq=i)) for i in range(size)],
            "property": {"houses": draw(st.integers(0, 1)), "financial_assets": draw(money_text)},
            "monthly_rigid_expenditure": draw(money_text),
            "hardship_causes": draw(st.lists(st.sampled_from(["illness", "schooling", "flood"]), max_size=2)),
        },
    }


@pytest.mark.django_db
@pytest.mark.urls("eligibility.tests.urls")
@given(payload=request_payloads())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_command_and_api_agree(client, payload):
    if not User.objects.filter(username="prop").exists():
        User.objects.create_user("prop", password="not-a-real-pass-1", role="county", region_id="360102")
    client.force_login(User.objects.get(username="prop"))
    response = client.post(
        "/api/v1/eligibility/evaluate", data=json.dumps(payload), content_type="application/json"
    )
    out = io.StringIO()
    try:
        call_command(
            "evaluate", "-", stdin=io.StringIO(json.dumps(payload)), stdout=out, stderr=io.StringIO()
        )
        code = 0
    except CommandError as exc:
        code = exc.returncode
    assert json.loads(out.getvalue()) == response.json()
    assert (code, response.status_code) in {(0, 200), (1, 400)}


def _outcome(hh: rules.Household, standards: rules.Standards, as_of: dt.date, *, trace: bool):
    try:
        return rules.evaluate(hh, standards, as_of, trace=trace)
    except rules.RulesError as exc:
        return exc.errors


# Standards with figures missing, so the errors of an unknown figure are compared too.
PARTIAL = dataclasses.replace(JX, min_wage=None, property_months=None, property_vehicles=None)


@given(households(), dates, st.sampled_from([JX, PARTIAL]))
@settings(max_examples=500, deadline=None)
def test_without_trace_the_result_and_the_errors_are_the_same(hh, as_of, standards):
    traced = _outcome(hh, standards, as_of, trace=True)
    bare = _outcome(hh, standards, as_of, trace=False)
    if isinstance(traced, list):
        assert bare == traced  # the same errors, in the same order
    else:
        assert traced.trace  # the default keeps the trace
        assert bare.trace == ()
        assert bare == dataclasses.replace(traced, trace=())


@given(households(), dates, st.sampled_from([JX, PARTIAL]), st.booleans())
@settings(max_examples=300, deadline=None)
def test_the_batch_serialiser_writes_exactly_the_json_of_the_response_dict(hh, as_of, standards, trace):
    from eligibility.io import dumps, result_to_dict, result_to_json

    outcome = _outcome(hh, standards, as_of, trace=trace)
    if not isinstance(outcome, list):
        assert result_to_json(outcome) == dumps(result_to_dict(outcome))
        json.loads(result_to_json(outcome))


def test_the_batch_serialiser_quotes_a_caseworkers_reason_as_json_does():
    from eligibility.io import dumps, result_to_dict, result_to_json

    reason = 'he said "服刑"\\ \n\t\x01\u2028 end'
    old = dataclasses.replace(
        rules.Member(
            id_number=id_number(dt.date(1940, 1, 1)),
            birth_date=dt.date(1940, 1, 1),
            monthly_income=Decimal("0"),
        ),
        relation="head",
        labor_capacity="none",
        has_able_supporter=False,
        supporter_unable_reason=reason,
    )
    son = rules.Member(
        id_number=id_number(dt.date(1980, 1, 1), seq=1),
        birth_date=dt.date(1980, 1, 1),
        monthly_income=Decimal("3000"),
        relation="child",
    )
    result = rules.evaluate(rules.Household(members=(old, son)), JX, AS_OF)
    assert any(reason in t.detail for t in result.trace)
    assert result_to_json(result) == dumps(result_to_dict(result))
    assert any(reason in t["detail"] for t in json.loads(result_to_json(result))["trace"])
