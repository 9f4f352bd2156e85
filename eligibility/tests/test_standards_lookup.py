"""Standards lookup: nearest record walking up the region tree; a clear error when none."""

from __future__ import annotations

from decimal import Decimal

import pytest

from config.errors import ServiceError
from eligibility.models import Standard
from eligibility.standards import StandardsLookup, find_standards

pytestmark = pytest.mark.django_db


def test_province_row_holds_exactly_the_seed():
    s = find_standards(region_code="360102", year=2018)
    assert (s.region, s.year, s.dibao, s.subsidy_target, s.tekun) == ("360000", 2018, 580, 380, 755)
    assert (s.care_ratio_full, s.care_ratio_semi, s.zhichu_multiplier) == (
        Decimal("0.8"),
        Decimal("0.2"),
        Decimal("1.5"),
    )
    assert (s.orphan_scattered, s.orphan_institutional, s.disability_living, s.disability_care) == (
        800,
        1200,
        60,
        70,
    )
    assert (s.extension_months, s.extension_months_disabled) == (12, 24)
    assert s.min_wage is None and s.property_months is None and s.property_houses is None


def test_nearest_wins():
    Standard.objects.create(region_id="360100", year=2018, dibao=Decimal("600"))
    Standard.objects.create(region_id="360102", year=2018, dibao=Decimal("620"))
    assert find_standards(region_code="360102002001", year=2018).dibao == 620
    assert find_standards(region_code="360103", year=2018).dibao == 600
    assert find_standards(region_code="360200", year=2018).dibao == 580


def test_missing_year_is_an_error_naming_region_and_year():
    with pytest.raises(ServiceError) as exc:
        find_standards(region_code="360102002001", year=2017)
    [error] = exc.value.errors
    assert error["field"] == "standards"
    assert "2017" in error["message"] and "360102002001" in error["message"] and "江西省" in error["message"]


def test_unknown_region():
    with pytest.raises(ServiceError) as exc:
        find_standards(region_code="369999", year=2018)
    assert exc.value.errors[0]["field"] == "region"


def test_lookup_caches_hits_and_misses(django_assert_num_queries):
    lookup = StandardsLookup()
    lookup.standards_for("360102002001", 2018)
    with pytest.raises(ServiceError):
        lookup.standards_for("360102002001", 2017)
    with django_assert_num_queries(0):
        for _ in range(100):
            assert lookup.standards_for("360102002001", 2018).dibao == 580
            assert lookup.region_exists("360102002001")
            with pytest.raises(ServiceError):
                lookup.standards_for("360102002001", 2017)
