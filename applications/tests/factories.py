"""Builders for application tests: a full standard, tiny valid files, and an application driven through the
real services to any state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import (
    Application,
    ApplicationEvent,
    DemocraticReview,
    Document,
    HomeVisit,
    Objection,
)
from applications.services import applications as services
from benefits.models import Enrolment, EnrolmentMember
from economic_check.services import economic_check_auto
from eligibility.models import Standard
from households.models import Household

# Monday 4 June 2018: the 2018 standard applies; the dates of the flow below are fixed from it.
TODAY = dt.date(2018, 6, 4)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def standard_make(*, year: int, region_id: str = "360102") -> Standard:
    """Every figure a household evaluation may need (the seed's 2018 figures and test local values)."""
    standard, _ = Standard.objects.update_or_create(
        region_id=region_id,
        year=year,
        defaults={
            "dibao": Decimal("580"),
            "subsidy_target": Decimal("380"),
            "tekun": Decimal("755"),
            "care_ratio_full": Decimal("0.80"),
            "care_ratio_semi": Decimal("0.20"),
            "min_wage": Decimal("1680"),
            "orphan_scattered": Decimal("800"),
            "orphan_institutional": Decimal("1200"),
            "disability_living": Decimal("60"),
            "disability_care": Decimal("70"),
            "zhichu_multiplier": Decimal("1.5"),
            "extension_months": 12,
            "extension_months_disabled": 24,
            "property_months": Decimal("24"),
            "property_vehicles": 0,
            "property_houses": 1,
            "property_business_allowed": False,
        },
    )
    return standard


class RawUpload:
    """An upload exactly as named: Django's own UploadedFile strips directories from the name, and a
    service must not rely on that."""

    def __init__(self, name: str, content: bytes) -> None:
        import io

        self.name, self.size, self._io = name, len(content), io.BytesIO(content)

    def seek(self, pos: int) -> None:
        self._io.seek(pos)

    def read(self, n: int = -1) -> bytes:
        return self._io.read(n)

    def chunks(self, chunk_size: int = 64 * 1024):
        self._io.seek(0)
        while chunk := self._io.read(chunk_size):
            yield chunk


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pdf(name: str = "身份证.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# The states in the order the happy path reaches them.
ORDER = ["investigating", "reviewing", "street_review", "street_approved", "notice", "approved"]


def application_at(
    status: str,
    *,
    household: Household,
    caseworker,
    street=None,
    county=None,
    today: dt.date = TODAY,
    category: str = "dibao",
    documents=None,
    checked: bool = True,
) -> Application:
    """An application of `household` brought to `status` through the services, every step on `today`
    (the county decides the day after the notice ends). From the street review on it has had its economic check
    (which intake queues on commit; tests run inside a transaction, so it is run here) unless `checked` is False."""
    application = services.application_intake(
        acting_user=caseworker,
        household=household,
        category=category,
        reasons="因病致贫，收入低于低保标准",
        check_authorised=True,
        check_authorised_on=today,
        documents=documents or [],
        today=today,
    )
    if status == "investigating":
        return application
    services.application_visit_record(
        acting_user=caseworker,
        application=application,
        visited_on=today,
        investigators=["李敏", "王强"],
        findings="居住、收入情况属实",
        today=today,
    )
    if status == "reviewing":
        return _fresh(application)
    services.application_review_record(
        acting_user=caseworker,
        application=application,
        held_on=today,
        participants="社区两委成员、居民代表",
        representatives=7,
        conclusion="agree",
        today=today,
    )
    if checked:
        economic_check_auto(application_id=application.pk, today=today)
    if status == "street_review":
        return _fresh(application)
    if status == "street_rejected":
        services.application_street_reject(
            acting_user=street, application=application, reason="收入超标", today=today
        )
        return _fresh(application)
    services.application_street_approve(acting_user=street, application=application, today=today)
    if status == "street_approved":
        return _fresh(application)
    services.application_notice_start(acting_user=street, application=application, today=today)
    if status == "notice":
        return _fresh(application)
    after = _fresh(application).notice_ends_on + dt.timedelta(days=1)
    if status == "rejected":
        services.application_county_reject(
            acting_user=county, application=application, reason="经核查不符合条件", today=after
        )
        return _fresh(application)
    assert status == "approved", status
    services.application_county_approve(acting_user=county, application=application, today=after)
    return _fresh(application)


def _fresh(application: Application) -> Application:
    return Application.objects.select_related("household").get(pk=application.pk)


def application_state(media: Path | None = None) -> dict:
    """Everything a transition could change."""
    return {
        "applications": list(Application.objects.order_by("pk").values()),
        "history": Application.history.count(),
        "events": list(ApplicationEvent.objects.order_by("pk").values_list("pk", "step")),
        "visits": HomeVisit.objects.count(),
        "reviews": DemocraticReview.objects.count(),
        "objections": Objection.objects.count(),
        "documents": Document.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "enrolment_members": EnrolmentMember.objects.count(),
        "enrolment_history": Enrolment.history.count(),
        "files": sorted(p.name for p in media.rglob("*") if p.is_file()) if media else [],
    }
