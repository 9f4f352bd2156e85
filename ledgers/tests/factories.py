"""Plain factories for enrolments, standards and extract files (no extra dependency)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from applications.models import Application
from benefits.models import Enrolment, EnrolmentMember
from eligibility.models import Standard
from households.models import Household

PERIOD = "2025H2"
YEAR = 2025


def standard_make(*, region_id: str = "360000", year: int = YEAR, **values) -> Standard:
    fields = {
        "dibao": Decimal("700"),
        "tekun": Decimal("910"),
        "zhichu_multiplier": Decimal("1.5"),
        "property_months": Decimal("24"),
        "property_vehicles": 0,
        "property_houses": 1,
        "property_business_allowed": False,
    }
    fields.update(values)
    return Standard.objects.create(region_id=region_id, year=year, **fields)


def _approver() -> User:
    user, _ = User.objects.get_or_create(
        username="ledger-approver", defaults={"role": "county", "region_id": "360102", "full_name": "审批人"}
    )
    return user


def enrol(
    household: Household,
    *,
    category: str = "dibao",
    persons=None,
    amount: str = "500",
    status: str = "active",
) -> Enrolment:
    """An approved application and its enrolment covering `persons` (default: every member)."""
    user = _approver()
    application = Application.objects.create(
        household=household,
        category=category,
        reasons="测试",
        status="approved",
        received_on=dt.date(2025, 1, 5),
        created_by=user,
    )
    enrolment = Enrolment.objects.create(
        household=household,
        community_code=household.community_id,
        application=application,
        category=category,
        monthly_amount=Decimal(amount),
        start_month=dt.date(2025, 2, 1),
        created_by=user,
        status=status,
    )
    for person in persons if persons is not None else household.members.all():
        EnrolmentMember.objects.create(enrolment=enrolment, person=person, category=category)
    return enrolment


def csv_upload(header: list[str], rows: list[list], name: str = "extract.csv", encoding: str = "utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(header: list[str], rows: list[list], name: str = "extract.xlsx"):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
