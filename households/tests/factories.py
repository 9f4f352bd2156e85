"""Plain factories for households and persons (no extra dependency)."""

from __future__ import annotations

from decimal import Decimal

from common import idnumber
from conftest import make_id
from households.models import Household, Person


def household_make(
    *, community_id: str, members: int = 2, address: str = "滕王阁路1号", **fields
) -> Household:
    household = Household.objects.create(community_id=community_id, address=address, **fields)
    for i in range(members):
        number = make_id(county=community_id[:6], birth="19700101" if i == 0 else "20050505")
        info = idnumber.parse(number)
        Person.objects.create(
            household=household,
            name=f"成员{household.pk}-{i}",
            id_number=number,
            birth_date=info.birth_date,
            sex=info.sex,
            relation="head" if i == 0 else "child",
            income_wage=Decimal("300"),
        )
    return household
