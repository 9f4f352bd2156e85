"""A new yearly standard recomputes every enrolment it applies to from its effective month; entered late, the
next roll carries the arrears as separate, labelled lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from benefits.models import Arrear, EnrolmentPeriod, EnrolmentReview, PaymentRoll
from benefits.services import enrolments as enrolment_services
from benefits.services import rolls as roll_services
from benefits.services import standards as services
from benefits.tests.factories import RELIEF, enrol, household
from eligibility.models import Standard
from eligibility.standard_entry import standard_save

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)
VALUES_2019 = {
    "dibao": "640",
    "subsidy_target": "414",
    "tekun": "832",
    "care_ratio_full": "0.80",
    "care_ratio_semi": "0.20",
    "min_wage": "1680",
    "orphan_scattered": "880",
    "orphan_institutional": "1300",
    "disability_living": "60",
    "disability_care": "70",
    "zhichu_multiplier": "1.5",
    "extension_months": 12,
    "extension_months_disabled": 24,
    "property_months": "24",
    "property_vehicles": 0,
    "property_houses": 1,
    "property_business_allowed": False,
    **{k: str(v) if not isinstance(v, int) else v for k, v in RELIEF.items()},
}


def roll(user, month: dt.date, capture, *, lock: bool = True) -> PaymentRoll:
    with capture(execute=True):
        made, _ = roll_services.roll_request(
            acting_user=user, county="360102", month=month, program="dibao", today=month
        )
    made.refresh_from_db()
    if lock:
        roll_services.roll_lock(roll=made, acting_user=user)
    return made


def current(enrolment) -> list[tuple]:
    return [
        (p.start_month, p.end_month, p.monthly_amount, p.standard_year, p.provisional)
        for p in EnrolmentPeriod.objects.filter(enrolment=enrolment, superseded_at__isnull=True).order_by(
            "start_month"
        )
    ]


@pytest.fixture
def family_enrolled(std2018, county_officer):
    """低保 860.00 under 2018 (580 × 2 − 300), 980.00 under 2019 (640 × 2 − 300)."""
    row = household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0"})
    return enrol(row, acting_user=county_officer, today=APPROVED)


def test_a_late_standard_pays_the_arrears_as_labelled_lines_on_the_next_roll(
    family_enrolled, county_officer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # January to March 2019 are paid at the 2018 level: the 2019 standard is not entered yet.
    for month in (1, 2, 3):
        paid = roll(county_officer, dt.date(2019, month, 1), capture)
        assert paid.lines.get().amount == Decimal("860.00")
    # Entered in April, effective from January: the hook in standard_save queues the recomputation.
    with capture(execute=True):
        standard_save(
            acting_user=county_officer,
            region=county_officer.region,
            year=2019,
            values={**VALUES_2019, "effective_month": dt.date(2019, 1, 1)},
        )
    assert current(family_enrolled) == [
        (dt.date(2018, 7, 1), dt.date(2018, 12, 1), Decimal("860.00"), 2018, False),
        (dt.date(2019, 1, 1), None, Decimal("980.00"), 2019, False),
    ]
    assert list(Arrear.objects.order_by("month").values_list("month", "amount", "roll")) == [
        (dt.date(2019, 1, 1), Decimal("120.00"), None),
        (dt.date(2019, 2, 1), Decimal("120.00"), None),
        (dt.date(2019, 3, 1), Decimal("120.00"), None),
    ]
    april = roll(county_officer, dt.date(2019, 4, 1), capture, lock=False)
    lines = list(april.lines.order_by("id").values_list("kind", "month", "amount", "label"))
    assert lines == [
        ("regular", dt.date(2019, 4, 1), Decimal("980.00"), ""),
        ("arrears", dt.date(2019, 1, 1), Decimal("120.00"), "补发2019年1月差额：2019年度标准调整"),
        ("arrears", dt.date(2019, 2, 1), Decimal("120.00"), "补发2019年2月差额：2019年度标准调整"),
        ("arrears", dt.date(2019, 3, 1), Decimal("120.00"), "补发2019年3月差额：2019年度标准调整"),
    ]
    assert (april.line_count, april.total_amount, april.arrears_count, april.arrears_amount) == (
        4,
        Decimal("1340.00"),
        3,
        Decimal("360.00"),
    )
    assert set(Arrear.objects.values_list("roll", flat=True)) == {april.pk}
    # the locked rolls of January to March did not change
    assert [
        r.total_amount for r in PaymentRoll.objects.filter(month__lt=dt.date(2019, 4, 1)).order_by("month")
    ] == [Decimal("860.00")] * 3
    # and May pays 980.00 with no arrears left
    may = roll(county_officer, dt.date(2019, 5, 1), capture, lock=False)
    assert list(may.lines.values_list("kind", "amount")) == [("regular", Decimal("980.00"))]


def test_recomputing_again_changes_nothing(
    family_enrolled, county_officer, django_capture_on_commit_callbacks
):
    roll(county_officer, dt.date(2019, 1, 1), django_capture_on_commit_callbacks)
    standard = Standard.objects.create(
        region_id="360102", year=2019, **{k: v for k, v in VALUES_2019.items()}
    )
    first = services.standard_recompute(
        standard=standard, acting_user=county_officer, today=dt.date(2019, 2, 5)
    )
    assert (first["changed"], first["arrears"]) == (1, 1)
    periods = list(EnrolmentPeriod.objects.order_by("pk").values())
    second = services.standard_recompute(
        standard=standard, acting_user=county_officer, today=dt.date(2019, 2, 5)
    )
    assert (second["changed"], second["arrears"]) == (0, 0)
    assert list(EnrolmentPeriod.objects.order_by("pk").values()) == periods
    assert Arrear.objects.count() == 1


def test_a_corrected_standard_pays_only_the_new_difference(
    family_enrolled, county_officer, django_capture_on_commit_callbacks
):
    roll(county_officer, dt.date(2019, 1, 1), django_capture_on_commit_callbacks)
    standard = Standard.objects.create(region_id="360102", year=2019, **VALUES_2019)
    services.standard_recompute(standard=standard, acting_user=county_officer)
    standard.dibao, standard.tekun = Decimal("650"), Decimal("845")
    standard.save()
    services.standard_recompute(standard=standard, acting_user=county_officer)
    # 640 → 650: (650 × 2 − 300) − 980 = 20.00 more for January
    assert list(Arrear.objects.order_by("id").values_list("month", "amount")) == [
        (dt.date(2019, 1, 1), Decimal("120.00")),
        (dt.date(2019, 1, 1), Decimal("20.00")),
    ]


def test_an_unlocked_roll_is_updated_instead_of_getting_arrears(
    family_enrolled, county_officer, django_capture_on_commit_callbacks
):
    draft = roll(county_officer, dt.date(2019, 1, 1), django_capture_on_commit_callbacks, lock=False)
    standard = Standard.objects.create(region_id="360102", year=2019, **VALUES_2019)
    services.standard_recompute(standard=standard, acting_user=county_officer)
    draft.refresh_from_db()
    assert draft.lines.get().amount == Decimal("980.00") and draft.total_amount == Decimal("980.00")
    assert not Arrear.objects.exists()


def test_a_mid_year_effective_month_changes_only_the_months_from_it(family_enrolled, county_officer):
    standard = Standard.objects.create(
        region_id="360102", year=2019, effective_month=dt.date(2019, 7, 1), **VALUES_2019
    )
    services.standard_recompute(standard=standard, acting_user=county_officer)
    assert current(family_enrolled) == [
        (dt.date(2018, 7, 1), dt.date(2019, 6, 1), Decimal("860.00"), 2018, False),
        (dt.date(2019, 7, 1), None, Decimal("980.00"), 2019, False),
    ]


def test_a_county_with_its_own_standard_is_not_touched_by_the_province(family_enrolled, county_officer):
    Standard.objects.create(region_id="360102", year=2019, **VALUES_2019)
    province = Standard.objects.create(
        region_id="360000", year=2019, **{**VALUES_2019, "dibao": "700", "tekun": "910"}
    )
    counts = services.standard_recompute(standard=province, acting_user=None)
    assert counts["changed"] == 0
    assert current(family_enrolled)[-1][2] == Decimal("860.00")


def test_before_the_year_is_entered_a_change_is_computed_provisionally(
    family_enrolled, county_officer, caseworker
):
    head = family_enrolled.household.members.get(name="张三")
    head.income_wage = Decimal("500")
    head.save()
    enrolment_services.enrolment_recompute(
        enrolment=family_enrolled, acting_user=caseworker, reason="收入变化", today=dt.date(2019, 2, 10)
    )
    assert current(family_enrolled)[-1] == (dt.date(2019, 3, 1), None, Decimal("660.00"), 2018, True)
    # the 2019 standard arrives: the provisional months are recomputed with the facts they were computed from
    standard = Standard.objects.create(region_id="360102", year=2019, **VALUES_2019)
    services.standard_recompute(standard=standard, acting_user=county_officer)
    assert current(family_enrolled) == [
        (dt.date(2018, 7, 1), dt.date(2018, 12, 1), Decimal("860.00"), 2018, False),
        (
            dt.date(2019, 1, 1),
            dt.date(2019, 2, 1),
            Decimal("980.00"),
            2019,
            False,
        ),  # head still earned 300 then
        (dt.date(2019, 3, 1), None, Decimal("780.00"), 2019, False),  # 640 × 2 − 500
    ]


def test_a_standard_that_no_longer_finds_the_household_eligible_raises_a_recheck(
    family_enrolled, county_officer
):
    lower = Standard.objects.create(
        region_id="360102", year=2019, **{**VALUES_2019, "dibao": "100", "tekun": "130"}
    )
    counts = services.standard_recompute(
        standard=lower, acting_user=county_officer, today=dt.date(2019, 1, 5)
    )
    assert counts["changed"] == 0 and counts["rechecks"] == 1
    assert EnrolmentReview.objects.get().kind == "recheck"
