"""Writes for school-age children (五(四)): a member's school record, kept current, and the aid each receives
(奖、助、贷、勤、减、免). The education department reads the list over the API (help/api.py); every change
moves the record's `updated_at`, which the department syncs on."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.checks import (
    Errors,
    choice,
    date_check,
    optional_text,
    raise_errors,
    require_caseworker,
    text,
    today_or,
)
from accounts.services import event_record
from common import money
from config.errors import ServiceError
from help.models import SchoolRecord, StudentAid
from households.models import Person

SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def _school_year(value: str, errors: Errors) -> str:
    value = str(value or "").strip()
    match = SCHOOL_YEAR.match(value)
    if not match or int(match.group(2)) != int(match.group(1)) + 1 or not 2000 <= int(match.group(1)) <= 2100:
        errors.append({"field": "school_year", "message": "学年格式应为“2018-2019”"})
    return value


@transaction.atomic
def school_record_save(
    *,
    acting_user,
    person: Person,
    school: str,
    stage: str,
    grade: str = "",
    student_no: str = "",
    status: str = SchoolRecord.Status.IN_SCHOOL,
    today: dt.date | None = None,
) -> SchoolRecord:
    """Register a member in school, or bring their record up to date (new school year, new school, graduated)."""
    person = Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)
    community = person.household.community_id
    require_caseworker(acting_user, community, "登记在校学生")
    errors: Errors = []
    school = text(school, "school", "请填写学校名称", errors, max_length=100, label="学校名称")
    choice(stage, SchoolRecord.Stage, "stage", "请选择学段", errors)
    grade = optional_text(grade, "grade", errors, max_length=20, label="年级")
    student_no = optional_text(student_no, "student_no", errors, max_length=40, label="学籍号")
    choice(status, SchoolRecord.Status, "status", "请选择在读状态", errors)
    raise_errors(errors)
    record = SchoolRecord.objects.select_for_update().filter(person=person).first()
    creating = record is None
    record = record or SchoolRecord(person=person, recorded_by=acting_user)
    before = {f: getattr(record, f) for f in ("school", "stage", "grade", "student_no", "status")}
    record.school, record.stage, record.grade, record.student_no, record.status = (
        school,
        stage,
        grade,
        student_no,
        status,
    )
    changed = [f for f, old in before.items() if getattr(record, f) != old]
    if not creating and not changed:
        return record
    record.updated_at = timezone.now()
    record._history_user = acting_user
    record.save()
    event_record(
        actor=acting_user,
        verb="登记在校学生" if creating else "更新在校学生信息",
        target=record,
        region_code=community,
        data={"person": person.pk, "changed": [] if creating else changed, "status": status},
    )
    return record


@transaction.atomic
def student_aid_record(
    *,
    acting_user,
    school_record: SchoolRecord,
    kind: str,
    school_year: str,
    amount: Decimal | str | None,
    provider: str = "",
    granted_on: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> StudentAid:
    """One aid of a school year (奖、助、贷、勤、减、免) for a student; one of each kind a year."""
    today = today_or(today)
    record = (
        SchoolRecord.objects.select_for_update(of=("self",))
        .select_related("person__household")
        .get(pk=school_record.pk)
    )
    community = record.person.household.community_id
    require_caseworker(acting_user, community, "登记学生资助")
    errors: Errors = []
    choice(kind, StudentAid.Kind, "kind", "请选择资助项目", errors)
    school_year = _school_year(school_year, errors)
    value = money.collect(amount, "amount", errors, required=True, label="金额")
    provider = optional_text(provider, "provider", errors, max_length=100, label="资助单位")
    date_check(granted_on, "granted_on", "发放日期", errors, today=today, required=False)
    if kind in StudentAid.Kind.values and record.aids.filter(kind=kind, school_year=school_year).exists():
        errors.append(
            {"field": "kind", "message": f"该学生{school_year}学年已登记“{StudentAid.Kind(kind).label}”"}
        )
    raise_errors(errors)
    aid = StudentAid(
        school_record=record,
        kind=kind,
        school_year=school_year,
        amount=value,
        provider=provider,
        granted_on=granted_on,
        note=(note or "").strip(),
        recorded_by=acting_user,
    )
    aid._history_user = acting_user
    try:
        with transaction.atomic():
            aid.save()
    except IntegrityError:
        raise ServiceError("该学生本学年已登记此项资助", field="kind", code="duplicate") from None
    # The department's list syncs on the record's updated_at; the aid's own history holds the change.
    SchoolRecord.objects.filter(pk=record.pk).update(updated_at=timezone.now())
    event_record(
        actor=acting_user,
        verb=f"登记学生资助：{aid.get_kind_display()}",
        target=record,
        region_code=community,
        data={"aid": aid.pk, "kind": kind, "school_year": school_year, "amount": str(value)},
    )
    return aid
