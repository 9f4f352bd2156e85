"""Builders for benefits tests: standards with the local figures, households with chosen members, and
enrolments made by the real enrolment service from an approved application."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from applications.models import Application
from applications.tests.factories import standard_make
from benefits.models import Enrolment
from benefits.services import category_share, enrolment_create
from common import idnumber
from conftest import HOME_COMMUNITY, make_id
from eligibility.models import Standard
from eligibility.services import determine_household
from households.models import Household, Person

# Local temporary-relief settings used by the tests (the seed gives none).
RELIEF = {
    "per_event_cap": Decimal("1000"),
    "annual_cap": Decimal("3000"),
    "annual_times": 2,
    "extra_times": 1,
    "street_limit": Decimal("500"),
    "uplift_max": Decimal("0.50"),
}


def standard(*, year: int = 2018, region_id: str = "360102", **fields) -> Standard:
    """The seed's figures and test local values (standard_make), the relief settings, and overrides."""
    row = standard_make(year=year, region_id=region_id)
    for name, value in {**RELIEF, **fields}.items():
        setattr(row, name, value)
    row.save()
    return row


def person(
    household: Household,
    *,
    birth: str = "19800101",
    income: str = "300",
    relation: str = "head",
    sex: str = "M",
    name: str | None = None,
    **fields,
) -> Person:
    number = make_id(birth=birth, county=household.community_id[:6], sex=sex)
    info = idnumber.parse(number)
    return Person.objects.create(
        household=household,
        name=name or f"成员{number[-4:]}",
        id_number=number,
        birth_date=info.birth_date,
        sex=info.sex,
        relation=relation,
        income_wage=Decimal(income),
        **fields,
    )


def household(
    *members: dict, community: str = HOME_COMMUNITY, bank_account: str = "6217000012345678", **fields
) -> Household:
    """A household with the given members ({birth, income, relation, …}); the first is the head."""
    row = Household.objects.create(
        community_id=community,
        address="滕王阁路1号",
        bank_name="中国建设银行",
        bank_account=bank_account,
        **fields,
    )
    for i, member in enumerate(members or ({},)):
        person(row, **{"relation": "head" if i == 0 else "child", **member})
    return row


def enrol(
    row: Household,
    *,
    acting_user,
    category: str = "dibao",
    today: dt.date = dt.date(2018, 6, 20),
    amount: Decimal | None = None,
) -> Enrolment:
    """An enrolment from an application approved on `today` (paid from the next month), at the rules' amount."""
    determination = determine_household(household=row, as_of=today)
    rules_amount = category_share(determination=determination, category=category)["amount"]
    application = Application.objects.create(
        household=row,
        category=category,
        reasons="困难",
        check_authorised=True,
        status=Application.Status.APPROVED,
        received_on=today,
        proposed_category=category,
        proposed_amount=rules_amount if amount is None else amount,
        rules_amount=rules_amount,
        determination=determination,
        created_by=acting_user,
        decided_on=today,
    )
    return enrolment_create(
        application=application, determination=determination, acting_user=acting_user, today=today
    )
