"""The §7 contract, version 2: the new member fields and errors, standards.sources, a what-if for a year
not yet entered; the command (--jsonl too) and the API give the same answers."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from config.errors import ServiceError
from eligibility import rules
from eligibility.io import evaluate_request
from eligibility.tests.factories import member_json, request

pytestmark = pytest.mark.django_db

SON: dict[str, Any] = dict(birth=dt.date(1983, 3, 1), income="2500", relation="head")
MOTHER: dict[str, Any] = dict(
    birth=dt.date(1946, 1, 1), income="0", relation="parent", has_able_supporter=False
)


def errors_of(payload) -> list[dict[str, str]]:
    with pytest.raises(ServiceError) as exc:
        evaluate_request(payload)
    return exc.value.errors


@pytest.mark.parametrize(
    ("members", "field"),
    [
        ([{"relation": "head"}, {"relation": "head"}], "household.members[1].relation"),
        ([{"relation": "spouse"}, {"relation": None}], "household.members[0].relation"),
        ([{"relation": "head", "disability_kind": "visual"}], "household.members[0].disability_kind"),
        (
            [{"relation": "head", "disability_grade": 1, "disability_kind": "nose"}],
            "household.members[0].disability_kind",
        ),
        (
            [{"relation": "head", "supporter_unable_reason": 5}],
            "household.members[0].supporter_unable_reason",
        ),
        (
            [{"relation": "head", "supporter_unable_reason": "长" * 201}],
            "household.members[0].supporter_unable_reason",
        ),
    ],
)
def test_new_member_errors(members, field):
    payload = request(
        *(member_json(income="0", birth=dt.date(1980 + i, 1, 1), **m) for i, m in enumerate(members))
    )
    assert [e["field"] for e in errors_of(payload)] == [field]


def test_no_relations_at_all_needs_no_head():
    out = evaluate_request(
        request(member_json(income="100"), member_json(income="100", birth=dt.date(1982, 1, 1)))
    )
    assert out["categories"] == ["dibao"]


def test_supporter_check_error_in_the_contract_and_with_a_reason():
    payload = request(member_json(**SON), member_json(**MOTHER))
    [error] = errors_of(payload)
    assert error["field"] == "household.members[1].has_able_supporter"
    assert error["message"].startswith("户主 ") and "（35岁，有劳动能力）是法定赡养义务人" in error["message"]
    payload["household"]["members"][1]["supporter_unable_reason"] = "服刑"
    out = evaluate_request(payload)
    assert out["members"][1]["category"] == "tekun"


def test_what_if_for_a_year_not_entered_works_with_full_overrides():
    figures = {"dibao": "700", "tekun": "910"}
    out = evaluate_request(request(member_json(income="300"), as_of="2030-06-01", standards=figures))
    assert out["standards"]["region"] == "360102" and out["standards"]["year"] == 2030
    assert out["dibao_subsidy"] == "400.00"
    assert out["standards"]["sources"]["dibao"] == "request"
    assert out["standards"]["sources"]["tekun"] == "request"
    assert out["standards"]["sources"]["min_wage"] is None
    # not enough overrides: the missing-record error names region and year, and the missing figure
    errors = errors_of(request(member_json(income="300"), as_of="2030-06-01", standards={"tekun": "910"}))
    assert [e["field"] for e in errors] == ["standards", "standards.dibao"]
    assert "2030" in errors[0]["message"]


def test_an_override_set_to_null_is_unknown_and_has_no_source():
    out = evaluate_request(request(member_json(income="300"), standards={"subsidy_target": None}))
    assert out["standards"]["subsidy_target"] is None
    assert out["standards"]["sources"]["subsidy_target"] is None
    assert out["standards"]["sources"]["dibao"] == "360000"


def test_trace_cites_the_national_document():
    out = evaluate_request(
        request(
            member_json(income="0", birth=dt.date(1950, 1, 1), has_able_supporter=False),
            as_of="2022-01-01",
            standards={"dibao": "800", "tekun": "1040"},
        )
    )
    [entry] = [t for t in out["trace"] if t["rule"] == "tekun.no_labor_capacity"]
    assert entry["clause"] == "四(一)；民发〔2021〕43号 第六条" and entry["passed"] is True


def test_command_jsonl_and_api_agree_on_v2_requests(client, django_user_model):
    lines = [
        request(member_json(**SON), member_json(**MOTHER)),  # the supporter check: an error line
        request(member_json(**SON), member_json(**MOTHER, supporter_unable_reason="重病")),
        request(
            member_json(
                income="0",
                birth=dt.date(1980, 1, 1),
                disability_grade=2,
                disability_kind="mental",
                has_able_supporter=False,
            )
        ),
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    out = io.StringIO()
    call_command("evaluate", "--jsonl", "-", stdin=io.StringIO(stdin), stdout=out, stderr=io.StringIO())
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [list(r)[0] for r in results] == ["errors", "standards", "standards"]
    assert results[0]["errors"][0]["field"] == "household.members[1].has_able_supporter"
    assert results[1]["members"][1]["category"] == "tekun"
    assert results[2]["categories"] == ["tekun"]  # 精神二级: deemed without labour capacity
    assert results[1] == evaluate_request(lines[1])
    assert results[2]["total_monthly"] == str(rules.round_money(Decimal("755") + Decimal("70")))
