"""policy.md §7 through evaluate_request: parsing, field errors with exact paths, the response shape."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from config.errors import ServiceError
from eligibility import io, rules
from eligibility.io import evaluate_request
from eligibility.models import Standard
from eligibility.tests.factories import id_number, member_json, request
from households.models import HardshipCause, Person

pytestmark = pytest.mark.django_db

HEAD_ID = id_number(dt.date(1980, 1, 1), seq=13)


def errors_of(payload) -> list[dict[str, str]]:
    with pytest.raises(ServiceError) as exc:
        evaluate_request(payload)
    return exc.value.errors


def fields_of(payload) -> list[str]:
    return [e["field"] for e in errors_of(payload)]


def test_example_response_exactly():
    body = request(
        {
            "id_number": HEAD_ID,
            "relation": "head",
            "monthly_income": "300",
            "labor_capacity": "full",
            "disability_grade": 0,
            "self_care": "full",
            "has_able_supporter": True,
            "orphan": None,
            "newly_employed_since": None,
        },
        standards={"min_wage": "1680"},
        property={"financial_assets": "0", "vehicles": 0, "houses": 0, "business": False},
        monthly_rigid_expenditure="0",
        hardship_causes=[],
    )
    out = evaluate_request(body)
    assert list(out) == [
        "standards",
        "categories",
        "per_capita_income",
        "dibao_subsidy",
        "zhichu",
        "members",
        "gradual_exit_until",
        "total_monthly",
        "trace",
    ]
    assert out["standards"] == {
        "region": "360000",
        "year": 2018,
        "dibao": "580.00",
        "subsidy_target": "380.00",
        "tekun": "755.00",
        "care_ratio_full": "0.80",
        "care_ratio_semi": "0.20",
        "min_wage": "1680.00",
        "orphan_scattered": "800.00",
        "orphan_institutional": "1200.00",
        "disability_living": "60.00",
        "disability_care": "70.00",
        "zhichu_multiplier": "1.50",
        "extension_months": 12,
        "extension_months_disabled": 24,
        "property_months": None,
        "property_vehicles": None,
        "property_houses": None,
        "property_business_allowed": None,
        "per_event_cap": None,
        "annual_cap": None,
        "annual_times": None,
        "extra_times": None,
        "street_limit": None,
        "uplift_max": None,
        "medical_uplift_pp": "5.00",  # the seed's 5 percentage points (五(三)), on the shipped 2018 row
        "serious_illness_threshold": None,  # the seed gives none
        "sources": {
            **dict.fromkeys(rules.STANDARD_FIELDS),
            **dict.fromkeys(
                (
                    "dibao",
                    "subsidy_target",
                    "tekun",
                    "care_ratio_full",
                    "care_ratio_semi",
                    "orphan_scattered",
                    "orphan_institutional",
                    "disability_living",
                    "disability_care",
                    "zhichu_multiplier",
                    "extension_months",
                    "extension_months_disabled",
                    "medical_uplift_pp",
                ),
                "360000",
            ),
            "min_wage": "request",
        },
    }
    assert list(out["standards"]["sources"]) == list(rules.STANDARD_FIELDS)
    assert out["categories"] == ["dibao"]
    assert out["per_capita_income"] == "300.00"
    assert out["dibao_subsidy"] == "280.00"
    assert out["zhichu"] == {
        "eligible": False,
        "dibao_via_expenditure": False,
        "disposable_per_capita": None,
        "subsidy": "0.00",
    }
    assert out["members"] == [
        {
            "id_number": HEAD_ID,
            "category": "dibao",
            "amounts": {
                "tekun_basic": "0.00",
                "orphan": "0.00",
                "care": "0.00",
                "disability_living": "0.00",
                "disability_care": "0.00",
            },
        }
    ]
    assert out["gradual_exit_until"] is None
    assert out["total_monthly"] == "280.00"
    assert {
        "rule": "dibao.income_below_standard",
        "clause": "四(二)",
        "passed": True,
        "detail": "人均月收入 300.00 元 低于 低保标准 580.00 元",
    } in out["trace"]


def test_defaults_for_omitted_fields():
    out = evaluate_request(request({"id_number": HEAD_ID, "monthly_income": "300"}))
    assert out["categories"] == ["dibao"]
    assert out["total_monthly"] == "280.00"


def test_json_numbers_are_accepted():
    out = evaluate_request(request({"id_number": HEAD_ID, "monthly_income": 300.5}))
    assert out["dibao_subsidy"] == "279.50"


def test_all_tekun_has_null_per_capita_income_and_category_order():
    elder = member_json(birth=dt.date(1950, 1, 1), labor_capacity="none", has_able_supporter=False)
    out = evaluate_request(request(elder))
    assert out["per_capita_income"] is None
    assert out["categories"] == ["tekun"]
    out = evaluate_request(request(member_json(income="100"), elder))
    assert out["categories"] == ["tekun", "dibao"]


def test_zhichu_response():
    out = evaluate_request(
        request(
            member_json(income="700"), monthly_rigid_expenditure="200", hardship_causes=["illness", "illness"]
        )
    )
    assert out["categories"] == ["zhichu"]
    assert out["zhichu"] == {
        "eligible": True,
        "dibao_via_expenditure": True,
        "disposable_per_capita": "500.00",
        "subsidy": "80.00",
    }
    assert out["members"][0]["category"] == "zhichu"


def test_gradual_exit_serialised_as_iso_date():
    out = evaluate_request(
        request(
            member_json(income="2000", newly_employed_since="2018-01-31"),
            standards={"extension_months": 1},
            as_of="2018-02-15",
        )
    )
    assert out["gradual_exit_until"] == "2018-02-28"


# -- standards: lookup and overrides -------------------------------------------------------------


def test_lookup_walks_up_to_the_nearest_standard():
    member = member_json(income="300")
    assert evaluate_request(request(member, region="360102002001"))["standards"]["region"] == "360000"
    Standard.objects.create(
        region_id="360100", year=2018, dibao=Decimal("600"), zhichu_multiplier=Decimal("1.5")
    )
    out = evaluate_request(request(member, region="360102002001"))
    assert out["standards"]["region"] == "360100"
    # [v2] field by field: the city's own figures, the province's for what the city left empty
    assert out["standards"]["dibao"] == "600.00"
    assert out["standards"]["tekun"] == "755.00"
    assert out["standards"]["sources"]["dibao"] == "360100"
    assert out["standards"]["sources"]["tekun"] == "360000"
    assert out["standards"]["sources"]["min_wage"] is None
    assert out["dibao_subsidy"] == "300.00"
    # a sibling city still gets the province
    assert evaluate_request(request(member, region="360200"))["standards"]["region"] == "360000"


def test_no_standard_for_the_year_names_region_and_year():
    [error] = errors_of(request(member_json(income="300"), as_of="2019-01-01"))
    assert error["field"] == "standards"
    assert "2019" in error["message"]
    assert "360102" in error["message"]
    assert "东湖区" in error["message"]


def test_override_is_for_this_evaluation_only():
    out = evaluate_request(request(member_json(income="300"), standards={"dibao": "600.5", "tekun": 800}))
    assert out["standards"]["dibao"] == "600.50"
    assert out["standards"]["tekun"] == "800.00"
    assert out["dibao_subsidy"] == "300.50"
    assert Standard.objects.get(region_id="360000", year=2018).dibao == Decimal("580.00")


def test_override_ignores_entry_rules():
    # §2 would refuse tekun below 1.3 × dibao and extension months outside 12–24 at entry; a what-if may.
    out = evaluate_request(
        request(
            member_json(income="300"),
            standards={"tekun": "1", "extension_months": 1, "care_ratio_full": "0.1"},
        )
    )
    assert out["standards"]["tekun"] == "1.00"
    assert out["standards"]["extension_months"] == 1
    assert out["standards"]["care_ratio_full"] == "0.10"


def test_override_null_makes_a_field_unknown():
    elder = member_json(birth=dt.date(1950, 1, 1), labor_capacity="none", has_able_supporter=False)
    assert fields_of(request(elder, standards={"tekun": None})) == ["standards.tekun"]


# -- §7 errors, each with its exact field --------------------------------------------------------


@pytest.mark.parametrize(
    ("member_changes", "field"),
    [
        (
            {"id_number": HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")},
            "household.members[0].id_number",
        ),
        ({"id_number": "3601021980010100"}, "household.members[0].id_number"),
        ({"id_number": 360102198001010013}, "household.members[0].id_number"),
        ({"id_number": "360102198002300011"}, "household.members[0].id_number"),
        ({"monthly_income": "-1"}, "household.members[0].monthly_income"),
        ({"monthly_income": -0.01}, "household.members[0].monthly_income"),
        ({"monthly_income": "abc"}, "household.members[0].monthly_income"),
        ({"monthly_income": True}, "household.members[0].monthly_income"),
        ({"monthly_income": None}, "household.members[0].monthly_income"),
        ({"monthly_income": "1e3"}, "household.members[0].monthly_income"),
        ({"monthly_income": "NaN"}, "household.members[0].monthly_income"),
        ({"monthly_income": "Infinity"}, "household.members[0].monthly_income"),
        ({"monthly_income": "300.125"}, "household.members[0].monthly_income"),
        ({"relation": "cousin"}, "household.members[0].relation"),
        ({"labor_capacity": "some"}, "household.members[0].labor_capacity"),
        ({"disability_grade": 5}, "household.members[0].disability_grade"),
        ({"disability_grade": -1}, "household.members[0].disability_grade"),
        ({"disability_grade": "1"}, "household.members[0].disability_grade"),
        ({"self_care": "half"}, "household.members[0].self_care"),
        ({"has_able_supporter": "no"}, "household.members[0].has_able_supporter"),
        ({"orphan": "street"}, "household.members[0].orphan"),
        ({"orphan": ""}, "household.members[0].orphan"),
        ({"newly_employed_since": "2018-13-01"}, "household.members[0].newly_employed_since"),
        ({"newly_employed_since": "2018/01/01"}, "household.members[0].newly_employed_since"),
        ({"name": "张三"}, "household.members[0].name"),
    ],
)
def test_member_errors(member_changes, field):
    member = {"id_number": HEAD_ID, "monthly_income": "300", **member_changes}
    assert fields_of(request(member)) == [field]


def test_invalid_id_messages_are_chinese():
    bad_check = HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")
    assert errors_of(request(member_json(id_number=bad_check, income="1"))) == [
        {"field": "household.members[0].id_number", "message": "身份证号码校验位错误"}
    ]
    assert errors_of(request(member_json(id_number=HEAD_ID[:17] + "A", income="1"))) == [
        {"field": "household.members[0].id_number", "message": "身份证号码前17位须为数字，末位为数字或X"}
    ]


def test_an_id_number_is_read_as_people_type_it():
    # A lower-case x and full-width digits are the same number (GB 11643 prints an upper-case X).
    typed = "".join(chr(ord(c) + 0xFEE0) for c in "1101051949123100") + "2x"
    out = evaluate_request(request(member_json(id_number=typed, income="1,000.50")))
    assert out["members"][0]["id_number"] == "11010519491231002X"


@pytest.mark.parametrize("missing", ["id_number", "monthly_income"])
def test_required_member_fields(missing):
    member = {"id_number": HEAD_ID, "monthly_income": "300"}
    del member[missing]
    assert fields_of(request(member)) == [f"household.members[0].{missing}"]


def test_repeated_id_number_is_reported_on_the_repeat():
    errors = errors_of(request(member_json(id_number=HEAD_ID), member_json(), member_json(id_number=HEAD_ID)))
    assert errors == [{"field": "household.members[2].id_number", "message": "身份证号码与第1位成员重复"}]


def test_birth_after_as_of():
    later = id_number(dt.date(2018, 7, 1))
    assert fields_of(request(member_json(id_number=later))) == ["household.members[0].id_number"]


@pytest.mark.parametrize(
    ("household_changes", "field"),
    [
        ({"property": {"financial_assets": "-5"}}, "household.property.financial_assets"),
        ({"property": {"vehicles": -1}}, "household.property.vehicles"),
        ({"property": {"houses": 1.5}}, "household.property.houses"),
        ({"property": {"business": 1}}, "household.property.business"),
        ({"property": {"boats": 1}}, "household.property.boats"),
        ({"property": []}, "household.property"),
        ({"monthly_rigid_expenditure": "-0.01"}, "household.monthly_rigid_expenditure"),
        ({"hardship_causes": ["illness", "flood"]}, "household.hardship_causes[1]"),
        ({"hardship_causes": "illness"}, "household.hardship_causes"),
        ({"members": []}, "household.members"),
        ({"members": {}}, "household.members"),
        ({"pets": 2}, "household.pets"),
    ],
)
def test_household_errors(household_changes, field):
    body = request(member_json(income="300"))
    body["household"].update(household_changes)
    assert fields_of(body) == [field]


def test_member_not_an_object():
    body = request(member_json(income="300"))
    body["household"]["members"].append("x")
    assert fields_of(body) == ["household.members[1]"]


@pytest.mark.parametrize(
    ("top", "field"),
    [
        ({"region": "369999"}, "region"),
        ({"region": "360102999999"}, "region"),
        ({"region": 360102}, "region"),
        ({"region": "36"}, "region"),
        ({"as_of": "2018-02-30"}, "as_of"),
        ({"as_of": "20180601"}, "as_of"),
        ({"as_of": None}, "as_of"),
        ({"standards": {"min_wage": "-1"}}, "standards.min_wage"),
        ({"standards": {"min_wage": "x"}}, "standards.min_wage"),
        ({"standards": {"extension_months": "12"}}, "standards.extension_months"),
        ({"standards": {"property_vehicles": -1}}, "standards.property_vehicles"),
        ({"standards": {"property_business_allowed": "yes"}}, "standards.property_business_allowed"),
        ({"standards": {"dibao_max": "1"}}, "standards.dibao_max"),
        ({"standards": ["dibao"]}, "standards"),
        ({"household": None}, "household"),
        ({"extra": 1}, "extra"),
    ],
)
def test_top_level_errors(top, field):
    body = request(member_json(income="300"))
    body.update(top)
    assert fields_of(body) == [field]


@pytest.mark.parametrize("missing", ["region", "as_of", "household"])
def test_required_top_level(missing):
    body = request(member_json(income="300"))
    del body[missing]
    assert fields_of(body) == [missing]


def test_payload_not_an_object():
    assert fields_of([1, 2]) == ["__all__"]


def test_errors_are_collected_over_the_whole_request():
    body = request(
        {"id_number": "123", "monthly_income": "-1"},
        {"monthly_income": "1", "labor_capacity": "x"},
        region="369999",
        as_of="2018-02-30",
        standards={"min_wage": "-1"},
        hardship_causes=["flood"],
    )
    assert fields_of(body) == [
        "region",
        "as_of",
        "standards.min_wage",
        "household.members[0].id_number",
        "household.members[0].monthly_income",
        "household.members[1].id_number",
        "household.members[1].labor_capacity",
        "household.hardship_causes[0]",
    ]


def test_needed_empty_standards_are_errors_naming_them():
    elder = member_json(
        birth=dt.date(1950, 1, 1), labor_capacity="none", has_able_supporter=False, self_care="none"
    )
    body = request(elder, property={"houses": 1, "financial_assets": "100"})
    errors = errors_of(body)
    assert [e["field"] for e in errors] == [
        "standards.property_months",
        "standards.property_houses",
        "standards.min_wage",
    ]
    assert all("360000" in e["message"] and "2018" in e["message"] for e in errors)


def test_enums_match_the_case_models():
    assert set(io.RELATIONS) == set(Person.Relation.values)
    assert set(rules.HARDSHIP_CAUSES) == set(HardshipCause.values)
    assert set(rules.LABOR_CAPACITIES) == set(Person.Labor.values)
    assert set(rules.SELF_CARE_LEVELS) == set(Person.SelfCare.values)
    assert set(rules.ORPHAN_KINDS) == set(Person.Orphan.values)
    assert set(rules.STANDARD_FIELDS) == set(Standard.FIELDS)
