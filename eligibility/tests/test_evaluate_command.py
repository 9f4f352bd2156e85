"""python manage.py evaluate FILE|- and --jsonl FILE|- (policy.md §7)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from eligibility.io import evaluate_request
from eligibility.tests.factories import member_json, request

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    kwargs = {"stdout": out, "stderr": io.StringIO()}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    try:
        call_command("evaluate", *args, **kwargs)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_file_prints_one_object(tmp_path):
    body = request(member_json(income="300"))
    path = tmp_path / "req.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    out, error = run(str(path))
    assert error is None
    assert out.count("\n") == 1
    assert json.loads(out) == evaluate_request(body)
    assert "低于" in out  # ensure_ascii=False: Chinese is printed as is


def test_stdin():
    body = request(member_json(income="300"))
    out, error = run("-", stdin=json.dumps(body))
    assert error is None
    assert json.loads(out)["dibao_subsidy"] == "280.00"


def test_bad_input_exits_non_zero_with_errors():
    body = request(member_json(income="-1"))
    out, error = run("-", stdin=json.dumps(body))
    assert error is not None and error.returncode == 1
    assert json.loads(out) == {
        "errors": [{"field": "household.members[0].monthly_income", "message": "不能为负数"}]
    }


def test_invalid_json_exits_non_zero():
    out, error = run("-", stdin="{not json")
    assert error is not None and error.returncode == 1
    [item] = json.loads(out)["errors"]
    assert item["field"] == "__all__"


def test_missing_file(tmp_path):
    out, error = run(str(tmp_path / "nope.json"))
    assert error is not None and error.returncode != 0
    assert json.loads(out)["errors"][0]["field"] == "__all__"


def test_jsonl_one_result_per_line_in_order(tmp_path):
    good = [request(member_json(income=str(i * 100))) for i in range(4)]
    bad = request(member_json(income="300"), region="369999")
    lines = [
        json.dumps(good[0]),
        json.dumps(bad),
        "{broken",
        "",
        json.dumps(good[1]),
        json.dumps(good[2]),
        "[1]",
        json.dumps(good[3]),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, error = run("--jsonl", str(path))
    assert error is None
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(lines)
    assert results[0] == evaluate_request(good[0])
    assert results[1] == {"errors": [{"field": "region", "message": "区划代码 369999 不存在"}]}
    assert results[2]["errors"][0]["field"] == "__all__"
    assert results[3]["errors"][0]["field"] == "__all__"
    assert results[4] == evaluate_request(good[1])
    assert results[5] == evaluate_request(good[2])
    assert results[6] == {"errors": [{"field": "__all__", "message": "应为 JSON 对象"}]}
    assert results[7] == evaluate_request(good[3])


def test_jsonl_from_stdin_and_a_bad_utf8_line(tmp_path):
    body = json.dumps(request(member_json(income="300")))
    path = tmp_path / "batch.jsonl"
    path.write_bytes(body.encode() + b"\n\xff\xfe\n" + body.encode())
    out, error = run("--jsonl", str(path))
    assert error is None
    results = [json.loads(line) for line in out.splitlines()]
    assert [("errors" in r) for r in results] == [False, True, False]
    out, error = run("--jsonl", "-", stdin=body + "\n" + body + "\n")
    assert error is None
    assert len(out.splitlines()) == 2


def test_jsonl_unreadable_input_exits_non_zero(tmp_path):
    out, error = run("--jsonl", str(tmp_path / "missing.jsonl"))
    assert error is not None and error.returncode != 0


def test_jsonl_reads_standards_once_per_region_and_year(tmp_path, django_assert_max_num_queries):
    members = [member_json(birth=dt.date(1970 + i % 30, 1, 1), income=str(i)) for i in range(200)]
    lines = [json.dumps(request(m, region=region)) for m in members for region in ("360102", "360102002001")]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    # Region chain (≤ 5 levels each, shared) and one standards query per (region, year).
    with django_assert_max_num_queries(12):
        out, error = run("--jsonl", str(path))
    assert error is None
    assert len(out.splitlines()) == 400


def test_file_and_jsonl_together_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("evaluate", "a.json", jsonl="b.jsonl", stdout=io.StringIO())
