"""Entering yearly standards (policy.md §2): the entry rules, the permission, history and event, the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Event, Region, User
from config.errors import PermissionDenied, ServiceError
from eligibility.models import Standard
from eligibility.standard_entry import guidance, standard_save

pytestmark = pytest.mark.django_db
D = Decimal

COUNTY, OTHER_COUNTY, PROVINCE = "360102", "360103", "360000"

VALID = {
    "dibao": D("638"),
    "subsidy_target": D("414.20"),
    "tekun": D("829.40"),
    "care_ratio_full": D("0.80"),
    "care_ratio_semi": D("0.20"),
    "min_wage": D("1680"),
    "orphan_scattered": D("900"),
    "orphan_institutional": D("1300"),
    "disability_living": D("60"),
    "disability_care": D("70"),
    "zhichu_multiplier": D("1.5"),
    "extension_months": 12,
    "extension_months_disabled": 24,
    "property_months": D("6"),
    "property_vehicles": 0,
    "property_houses": 1,
    "property_business_allowed": False,
    "per_event_cap": D("3000"),
    "annual_cap": D("10000"),
    "annual_times": 2,
    "extra_times": 1,
    "street_limit": D("1000"),
    "uplift_max": D("0.50"),
}


def user(username, role="", region=None, **kw) -> User:
    return User.objects.create_user(
        username=username, password="x-very-long-pw", role=role, region_id=region, **kw
    )


@pytest.fixture
def county_officer(db):
    return user("county", User.Role.COUNTY, COUNTY)


@pytest.fixture
def province_officer(db):
    return user("province", User.Role.PROVINCE, PROVINCE)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def snapshot() -> tuple:
    return (
        Standard.objects.count(),
        Standard.history.count(),
        Event.objects.count(),
        list(Standard.objects.order_by("pk").values_list("pk", "dibao", "tekun")),
    )


def save(acting_user, code=COUNTY, year=2019, **changes):
    return standard_save(acting_user=acting_user, region=region(code), year=year, values={**VALID, **changes})


# -- guidance ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "dibao", "subsidy", "tekun_min"),
    [
        (2018, "580.00", "380.00", "754.00"),
        (2019, "638.00", "414.20", "829.40"),
        (2020, "701.80", "451.48", "912.34"),  # 380 × 1.1881 = 451.478
        (2023, "934.10", "584.68", "1214.33"),  # 580 × 1.61051 = 934.0958; 380 × 1.5386239549 = 584.677…
    ],
)
def test_guidance(year, dibao, subsidy, tekun_min):
    assert guidance(year) == {"dibao": D(dibao), "subsidy_target": D(subsidy), "tekun_min": D(tekun_min)}


def test_guidance_tekun_from_entered_dibao():
    assert guidance(2019, dibao=D("600"))["tekun_min"] == D("780.00")
    assert guidance(2019, dibao=D("600.05"))["tekun_min"] == D("780.07")  # 780.065 rounds half-up


# -- the entry rules -----------------------------------------------------------------------------


def test_save_creates_with_history_and_event(county_officer):
    standard, warnings = save(county_officer)
    assert warnings == []
    assert (standard.region_id, standard.year, standard.dibao, standard.tekun) == (
        COUNTY,
        2019,
        D("638"),
        D("829.40"),
    )
    record = standard.history.get()
    assert record.history_type == "+" and record.history_user == county_officer
    event = Event.objects.get(target_type="eligibility.standard", target_id=str(standard.pk))
    assert event.actor == county_officer and event.region_code == COUNTY and event.verb == "录入2019年度标准"
    assert event.data["changes"]["dibao"] == [None, "638.00"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tekun": D("829.39")}, "tekun"),  # 1.3 × 638 = 829.40
        ({"dibao": D("700"), "tekun": D("900")}, "tekun"),  # 910 needed
        ({"care_ratio_full": D("0.7999")}, "care_ratio_full"),
        ({"care_ratio_semi": D("0.19")}, "care_ratio_semi"),
        ({"extension_months": 11}, "extension_months"),
        ({"extension_months": 25}, "extension_months"),
        ({"extension_months_disabled": 23}, "extension_months_disabled"),
        ({"extension_months_disabled": 37}, "extension_months_disabled"),
        ({"extra_times": 0}, "extra_times"),
        ({"extra_times": 3}, "extra_times"),
        ({"uplift_max": D("0.5001")}, "uplift_max"),
        ({"min_wage": D("-1")}, "min_wage"),
        ({"disability_care": D("-0.01")}, "disability_care"),
        ({"property_vehicles": -1}, "property_vehicles"),
        ({"annual_times": -2}, "annual_times"),
        ({"dibao": D("638.001")}, "dibao"),
        ({"dibao": "abc"}, "dibao"),
        ({"dibao": "1e3"}, "dibao"),
        ({"dibao": "NaN"}, "dibao"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_entry_rule_errors(county_officer, changes, field):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        save(county_officer, **changes)
    assert [e["field"] for e in exc.value.errors] == [field]
    assert all(e["message"] for e in exc.value.errors)
    assert snapshot() == before


def test_errors_are_collected_and_in_chinese(county_officer):
    with pytest.raises(ServiceError) as exc:
        save(
            county_officer, tekun=D("800"), care_ratio_full=D("0.5"), extension_months=6, uplift_max=D("0.6")
        )
    messages = {e["field"]: e["message"] for e in exc.value.errors}
    assert set(messages) == {"tekun", "care_ratio_full", "extension_months", "uplift_max"}
    assert "1.3倍" in messages["tekun"] and "829.40" in messages["tekun"]
    assert "12–24" in messages["extension_months"]


@pytest.mark.parametrize(
    "changes",
    [
        {"tekun": D("829.40")},
        {"care_ratio_full": D("0.80"), "care_ratio_semi": D("0.20")},
        {"extension_months": 24, "extension_months_disabled": 36},
        {"extra_times": 2},
        {"uplift_max": D("0.5")},
        {"min_wage": None, "property_months": None},  # empty = unknown, allowed
    ],
)
def test_boundaries_accepted(county_officer, changes):
    standard, _ = save(county_officer, **changes)
    assert Standard.objects.filter(pk=standard.pk).exists()


def test_orphan_warnings(county_officer):
    standard, warnings = save(
        county_officer,
        dibao=D("940"),
        tekun=D("1222"),
        orphan_scattered=D("1222"),
        orphan_institutional=D("1222"),
    )
    assert len(warnings) == 2
    assert "散居孤儿" in warnings[0] and "机构供养孤儿" in warnings[1]
    assert standard.pk and Event.objects.get(target_id=str(standard.pk)).data["warnings"] == warnings
    assert standard.entry_warnings == warnings


def test_duplicate_year_refused(county_officer):
    save(county_officer)
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        save(county_officer)
    assert exc.value.errors[0]["field"] == "year"
    assert snapshot() == before


def test_update_keeps_history_and_clears_changed_placeholders(county_officer):
    standard, _ = save(county_officer)
    standard.placeholder_fields = ["min_wage", "property_months"]
    standard.save()
    updated, _ = standard_save(
        acting_user=county_officer,
        region=standard.region,
        year=2019,
        values={**VALID, "min_wage": D("1750")},
        standard=standard,
    )
    assert updated.pk == standard.pk and updated.min_wage == D("1750")
    assert updated.placeholder_fields == ["property_months"]
    latest = updated.history.order_by("-history_id").first()
    assert latest.history_type == "~" and latest.history_user == county_officer
    event = Event.objects.filter(target_id=str(standard.pk)).order_by("-id").first()
    assert event is not None
    assert event.verb == "修改2019年度标准" and event.data["changes"] == {"min_wage": ["1680.00", "1750.00"]}


# -- permission ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (User.Role.CASEWORKER, "360102002001"),
        (User.Role.STREET, "360102002000"),
        (User.Role.AUDITOR, PROVINCE),
        (User.Role.CITY, "360100"),
        (User.Role.COUNTY, OTHER_COUNTY),
    ],
)
def test_permission_denied_writes_nothing(db, role, code):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        save(user("someone", role, code), COUNTY)
    assert snapshot() == before


def test_county_officer_cannot_enter_for_the_province(county_officer):
    with pytest.raises(PermissionDenied):
        save(county_officer, PROVINCE)


def test_province_officer_and_superuser(province_officer):
    standard, _ = save(province_officer, PROVINCE)
    assert standard.region_id == PROVINCE
    with pytest.raises(PermissionDenied):
        save(province_officer, COUNTY)
    admin = user("admin", is_superuser=True, is_staff=True)
    assert save(admin, COUNTY)[0].region_id == COUNTY


def test_cannot_edit_a_standard_of_another_region(county_officer):
    other, _ = save(user("other", User.Role.COUNTY, OTHER_COUNTY), OTHER_COUNTY)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        standard_save(
            acting_user=county_officer, region=region(COUNTY), year=2019, values=VALID, standard=other
        )
    assert snapshot() == before


# -- pages ---------------------------------------------------------------------------------------


def form_data(**changes):
    data = {"region": COUNTY, "year": "2019", "source": "测试"}
    for name, value in {**VALID, **changes}.items():
        data[name] = (
            "" if value is None else ("true" if value is True else "false" if value is False else str(value))
        )
    return data


def test_list_shows_the_scope_chain(county_officer, client):
    Standard.objects.create(
        region_id=COUNTY, year=2019, dibao=D("650"), tekun=D("845"), placeholder_fields=["min_wage"]
    )
    Standard.objects.create(region_id=OTHER_COUNTY, year=2019, dibao=D("640"), tekun=D("832"))
    Standard.objects.create(region_id="360102002000", year=2019, dibao=D("660"), tekun=D("858"))
    client.force_login(county_officer)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("standard_list"))
    for year in range(2020, 2030):  # more rows, same number of queries
        Standard.objects.create(region_id=COUNTY, year=year, dibao=D("650"), tekun=D("845"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("standard_list")).content.decode().count("东湖区") >= 11
    assert len(many) == len(few) <= 10  # 8, and the pager's count and the region filter's options
    html = page.content.decode()
    assert page.status_code == 200
    assert "东湖区" in html and "江西省" in html and "滕王阁街道" in html
    assert "360103" not in html
    assert "638.00" in html and "+1.9%" in html  # 650 against the 2019 guide 638
    assert "演示占位" in html and "当地最低工资" in html


def test_list_for_a_street_officer_shows_the_standards_above(client):
    Standard.objects.create(region_id=COUNTY, year=2019, dibao=D("650"), tekun=D("845"))
    client.force_login(user("street", User.Role.STREET, "360102002000"))
    html = client.get(reverse("standard_list")).content.decode()
    assert "东湖区" in html and "江西省" in html and "录入年度标准" not in html


def test_new_page_shows_guidance_and_saves(county_officer, client):
    client.force_login(county_officer)
    page = client.get(reverse("standard_create"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-guide="dibao"' in html and "guidance-table" in html and "js/chart.js" in html
    for group in ("低保", "特困", "孤儿", "残疾", "支出型", "渐退", "财产限额", "临时救助"):
        assert f"<legend>{group}</legend>" in html
    # [v2] a warning is shown BEFORE saving: nothing is written until the officer confirms
    before = snapshot()
    data = form_data(zhichu_multiplier="1.6")
    response = client.post(reverse("standard_create"), data)
    assert response.status_code == 200
    assert response.context["pending_warnings"] == [
        "支出型贫困家庭收入上限为低保标准的 1.6 倍，高于政策的1.5倍，请确认有省级依据"
    ]
    assert 'name="confirm_warnings" value="1"' in response.content.decode()
    assert snapshot() == before
    response = client.post(reverse("standard_create"), {**data, "confirm_warnings": "1"})
    assert response.status_code == 302
    standard = Standard.objects.get(region_id=COUNTY, year=2019)
    assert standard.history.get().history_user == county_officer
    assert standard.entry_warnings == [
        "支出型贫困家庭收入上限为低保标准的 1.6 倍，高于政策的1.5倍，请确认有省级依据"
    ]
    listing = client.get(response.url).content.decode()
    assert "已保存" in listing and "1.5倍" in listing  # the warning, kept and shown again after save


def test_new_page_shows_field_errors_in_chinese(county_officer, client):
    client.force_login(county_officer)
    response = client.post(reverse("standard_create"), form_data(tekun="700", extension_months="30"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "特困供养标准不得低于低保标准的1.3倍" in html and "就业渐退期应为12–24个月" in html
    assert not Standard.objects.filter(region_id=COUNTY, year=2019).exists()


def test_form_errors_are_chinese_for_any_browser_language(county_officer, client):
    client.force_login(county_officer)
    response = client.post(
        reverse("standard_create"), form_data(dibao="abc", tekun="1.234"), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "低保标准应为数字，如 1000 或 1,000.50" in html and "特困供养标准最多保留两位小数（到分）" in html
    assert not Standard.objects.filter(region_id=COUNTY, year=2019).exists()


def test_edit_page_scope(county_officer, client):
    own = Standard.objects.create(region_id=COUNTY, year=2019, dibao=D("650"), tekun=D("845"))
    other = Standard.objects.create(region_id=OTHER_COUNTY, year=2019, dibao=D("650"), tekun=D("845"))
    province = Standard.objects.get(region_id=PROVINCE, year=2018)
    client.force_login(county_officer)
    assert client.get(reverse("standard_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("standard_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("standard_edit", args=[province.pk])).status_code == 403
    response = client.post(reverse("standard_edit", args=[own.pk]), form_data(dibao="660", tekun="858"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.dibao == D("660")


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (User.Role.CASEWORKER, "360102002001"),
        (User.Role.STREET, "360102002000"),
        (User.Role.AUDITOR, PROVINCE),
    ],
)
def test_new_page_refused(client, role, code):
    client.force_login(user("someone", role, code))
    assert client.get(reverse("standard_create")).status_code == 403
    assert client.post(reverse("standard_create"), form_data()).status_code == 403
    assert not Standard.objects.filter(year=2019).exists()


# -- [v2] entry rules: the seed's floors, no decrease year on year, the province as a reference ------------


@pytest.mark.parametrize(
    ("name", "below", "floor"),
    [
        ("disability_living", D("59.99"), D("60")),
        ("disability_care", D("69.99"), D("70")),
        ("orphan_scattered", D("799.99"), D("800")),
        ("orphan_institutional", D("1199.99"), D("1200")),
        ("zhichu_multiplier", D("1.4999"), D("1.5")),
    ],
)
def test_seed_floors_refused_below_accepted_at(county_officer, name, below, floor):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        save(county_officer, **{name: below})
    assert [e["field"] for e in exc.value.errors] == [name]
    assert str(below) in exc.value.errors[0]["message"]
    assert snapshot() == before
    standard, _ = save(county_officer, **{name: floor})
    assert getattr(standard, name) == floor


def test_fifty_yuan_disability_living_refused_with_the_seed_figure(county_officer):
    with pytest.raises(ServiceError) as exc:
        save(county_officer, disability_living=D("50"))
    assert exc.value.errors == [
        {
            "field": "disability_living",
            "message": "困难残疾人生活补贴不得低于每人每月60元（五(一)1），现填 50.00",
        }
    ]


@pytest.mark.parametrize(("name", "value"), [("dibao", D("579.99")), ("tekun", D("754.99"))])
def test_below_last_year_refused(county_officer, name, value):
    # 2018 for the county is the province's shipped 580 / 755 (inherited); 2018 → 2018 + 1
    before = snapshot()
    changes = {name: value, **({"tekun": D("754.99")} if name == "dibao" else {"dibao": D("580")})}
    if name == "dibao":
        changes["tekun"] = D("829.40")
    with pytest.raises(ServiceError) as exc:
        save(county_officer, **changes)
    fields = [e["field"] for e in exc.value.errors]
    assert name in fields
    message = next(e["message"] for e in exc.value.errors if e["field"] == name)
    assert "不得低于上一年度：2018年" in message
    assert snapshot() == before


def test_equal_to_last_year_accepted(county_officer):
    standard, _ = save(county_officer, dibao=D("580"), tekun=D("755"))
    assert standard.dibao == D("580")


def test_county_below_its_province_same_year_is_a_warning_kept_with_the_record(
    county_officer, province_officer
):
    save(province_officer, code=PROVINCE, dibao=D("700"), tekun=D("910"))
    standard, warnings = save(county_officer, dibao=D("690"), tekun=D("897"))
    assert warnings == ["低保标准 690.00 元低于本省同年度标准 700.00 元，请核实"]
    assert standard.entry_warnings == warnings


def test_tekun_rule_uses_the_inherited_dibao(county_officer, province_officer):
    save(province_officer, code=PROVINCE, dibao=D("700"), tekun=D("910"))
    values = {name: None for name in VALID}
    with pytest.raises(ServiceError) as exc:
        standard_save(
            acting_user=county_officer,
            region=region(COUNTY),
            year=2019,
            values={**values, "tekun": D("909.99")},
        )
    [error] = exc.value.errors
    assert error["field"] == "tekun" and "700.00" in error["message"] and "910.00" in error["message"]


def test_a_county_may_set_only_what_differs_locally(county_officer):
    values = {name: None for name in VALID}
    standard, _ = standard_save(
        acting_user=county_officer, region=region(COUNTY), year=2018, values={**values, "min_wage": D("1680")}
    )
    assert (standard.dibao, standard.min_wage) == (None, D("1680"))
    from eligibility.standards import find_standards

    found = find_standards(region_code=COUNTY, year=2018)
    assert (found.dibao, found.min_wage) == (D("580.00"), D("1680.00"))
    assert (found.source("dibao"), found.source("min_wage")) == (PROVINCE, COUNTY)


@pytest.mark.parametrize("name", ["dibao", "tekun"])
def test_the_province_record_needs_dibao_and_tekun(province_officer, name):
    with pytest.raises(ServiceError) as exc:
        save(province_officer, code=PROVINCE, **{name: None})
    assert [e["field"] for e in exc.value.errors] == [name]


def test_an_empty_county_record_is_refused(county_officer):
    with pytest.raises(ServiceError) as exc:
        standard_save(
            acting_user=county_officer,
            region=region(COUNTY),
            year=2019,
            values={name: None for name in VALID},
        )
    assert [e["field"] for e in exc.value.errors] == ["dibao"]
