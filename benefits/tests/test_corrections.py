"""Corrections of locked rolls (冲正): requested by the community's caseworker or the county, approved by the
county, settled on the next roll as a 冲正 line and a 更正 line, shown on the enrolment's payment history and in
the export; the locked roll itself never changes; refusals change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Event
from benefits import exports
from benefits.models import PaymentCorrection, PaymentLine, PaymentRoll
from benefits.selectors import enrolment_lines
from benefits.services import corrections as services
from benefits.services import rolls as roll_services
from benefits.tests.factories import enrol, household
from benefits.tests.test_rolls import APPROVED, JULY, make_roll, roll_state
from config.errors import PermissionDenied, ServiceError

pytestmark = pytest.mark.django_db
AUGUST = dt.date(2018, 8, 1)


@pytest.fixture
def locked_july(std2018, county_officer, django_capture_on_commit_callbacks):
    a = household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0"})
    b = household({"income": "300", "name": "李四"}, {"birth": "20100101", "income": "300"})
    enrol(a, acting_user=county_officer, today=APPROVED)
    enrol(b, acting_user=county_officer, today=APPROVED)
    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    roll_services.roll_lock(roll=roll, acting_user=county_officer)
    roll.refresh_from_db()
    return roll


def line_of(roll, name) -> PaymentLine:
    return roll.lines.get(name=name)


def state() -> dict:
    return {
        "corrections": list(PaymentCorrection.objects.order_by("pk").values()),
        "lines": PaymentLine.objects.count(),
        "events": Event.objects.count(),
    }


def test_a_wrong_line_is_reversed_and_corrected_on_the_next_roll_and_the_locked_roll_never_changes(
    locked_july, caseworker, county_officer, django_capture_on_commit_callbacks
):
    wrong = line_of(locked_july, "张三")
    assert wrong.amount == Decimal("860.00")
    before = roll_state(locked_july)
    correction = services.correction_request(
        line=wrong, corrected_amount="900", reason="残疾人生活补贴漏算", acting_user=caseworker
    )
    assert correction.status == "pending"
    services.correction_approve(correction=correction, acting_user=county_officer, note="核实无误")
    august, _ = make_roll(
        county_officer, month=AUGUST, today=dt.date(2018, 8, 2), capture=django_capture_on_commit_callbacks
    )
    correction.refresh_from_db()
    assert (correction.status, correction.roll_id) == ("settled", august.pk)
    fixes = list(
        august.lines.exclude(kind="regular")
        .order_by("id")
        .values_list("kind", "name", "month", "amount", "label")
    )
    assert fixes == [
        (
            "reversal",
            "张三",
            JULY,
            Decimal("-860.00"),
            f"冲正2018年07月花名册明细#{wrong.pk}（原发 860.00 元）：残疾人生活补贴漏算",
        ),
        ("correct", "张三", JULY, Decimal("900.00"), f"更正2018年07月花名册明细#{wrong.pk}：应发 900.00 元"),
    ]
    # the August roll's total is its regular lines plus the net of the correction (+40.00)
    assert august.total_amount == Decimal("860.00") + Decimal("560.00") + Decimal("40.00")
    # the locked July roll did not change in any way
    assert roll_state(locked_july) == before
    # the enrolment's payment history shows the wrong line, the reversal and the corrected line
    history = [(x.roll_id, x.kind, x.amount) for x in enrolment_lines(enrolment=wrong.enrolment)]
    assert (locked_july.pk, "regular", Decimal("860.00")) in history
    assert (august.pk, "reversal", Decimal("-860.00")) in history
    assert (august.pk, "correct", Decimal("900.00")) in history
    # and so does the roll's export
    rows = list(exports.rows(august, full_ids=False))
    kinds = [(r[8], r[-1]) for r in rows[1:-1] if r[8] != "正常发放"]
    assert kinds == [("冲正", Decimal("-860.00")), ("更正", Decimal("900.00"))]


def test_a_correction_is_settled_once(
    locked_july, county_officer, make_user, django_capture_on_commit_callbacks
):
    correction = services.correction_request(
        line=line_of(locked_july, "李四"),
        corrected_amount="500",
        reason="收入核定有误",
        acting_user=county_officer,
    )
    services.correction_approve(correction=correction, acting_user=make_user("county", "360102"))
    august, _ = make_roll(
        county_officer, month=AUGUST, today=dt.date(2018, 8, 2), capture=django_capture_on_commit_callbacks
    )
    roll_services.roll_lock(roll=august, acting_user=county_officer)
    september, _ = make_roll(
        county_officer,
        month=dt.date(2018, 9, 1),
        today=dt.date(2018, 9, 2),
        capture=django_capture_on_commit_callbacks,
    )
    assert august.lines.exclude(kind="regular").count() == 2
    assert september.lines.exclude(kind="regular").count() == 0


def test_a_pending_or_rejected_correction_is_not_paid(
    locked_july, caseworker, county_officer, django_capture_on_commit_callbacks
):
    pending = services.correction_request(
        line=line_of(locked_july, "张三"), corrected_amount="900", reason="漏算", acting_user=caseworker
    )
    rejected = services.correction_request(
        line=line_of(locked_july, "李四"), corrected_amount="600", reason="多算", acting_user=caseworker
    )
    services.correction_reject(correction=rejected, acting_user=county_officer, reason="经核实原发放正确")
    august, _ = make_roll(
        county_officer, month=AUGUST, today=dt.date(2018, 8, 2), capture=django_capture_on_commit_callbacks
    )
    assert august.lines.exclude(kind="regular").count() == 0
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.roll_id is None


@pytest.mark.parametrize(
    "amount,reason,field,message",
    [
        ("abc", "漏算", "corrected_amount", "应发金额应为数字，如 1000 或 1,000.50"),
        ("1e3", "漏算", "corrected_amount", "应发金额应为数字，如 1000 或 1,000.50"),
        ("-5", "漏算", "corrected_amount", "应发金额不能为负数"),
        ("900.001", "漏算", "corrected_amount", "应发金额最多保留两位小数（到分）"),
        ("", "漏算", "corrected_amount", "请填写应发金额"),
        ("900", " ", "reason", "请写明原发放有什么错误"),
        ("860.00", "漏算", "corrected_amount", "应发金额与原发放金额相同，无需更正"),
    ],
)
def test_bad_requests_name_the_field_and_change_nothing(
    locked_july, caseworker, amount, reason, field, message
):
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.correction_request(
            line=line_of(locked_july, "张三"), corrected_amount=amount, reason=reason, acting_user=caseworker
        )
    assert any(e["field"] == field and e["message"] == message for e in exc.value.errors), exc.value.errors
    assert state() == before


def test_only_the_county_approves_and_only_the_community_or_county_requests(
    locked_july, caseworker, street_officer, county_officer, make_user
):
    line = line_of(locked_july, "张三")
    before = state()
    for user in (street_officer, make_user("caseworker", "360102002002"), make_user("county", "360103")):
        with pytest.raises(PermissionDenied):
            services.correction_request(line=line, corrected_amount="900", reason="漏算", acting_user=user)
    assert state() == before
    correction = services.correction_request(
        line=line, corrected_amount="900", reason="漏算", acting_user=caseworker
    )
    before = state()
    for user in (caseworker, street_officer):
        with pytest.raises(PermissionDenied):
            services.correction_approve(correction=correction, acting_user=user)
    with pytest.raises(ServiceError):
        services.correction_request(
            line=line, corrected_amount="950", reason="再来一次", acting_user=caseworker
        )
    assert state() == before


def test_the_officer_who_asked_for_a_correction_cannot_approve_it(
    locked_july, county_officer, make_user, client
):
    """Four eyes: a second county officer approves; the refused approval writes nothing, on the page too."""
    correction = services.correction_request(
        line=line_of(locked_july, "张三"), corrected_amount="900", reason="漏算", acting_user=county_officer
    )
    before = state()
    with pytest.raises(ServiceError) as exc:
        services.correction_approve(correction=correction, acting_user=county_officer)
    assert exc.value.code == "same_person"
    assert exc.value.message == "这笔更正是您本人申请的，须由本县（区）民政部门的另一名工作人员审批"
    assert state() == before
    client.force_login(county_officer)
    page = client.get(reverse("correction_list")).content.decode()
    assert 'value="approve"' not in page and "本人申请，须由另一名县级工作人员批准" in page
    response = client.post(
        reverse("correction_decide", args=[correction.pk]), {"decision": "approve"}, follow=True
    )
    assert "这笔更正是您本人申请的" in response.content.decode()
    assert state() == before
    second = make_user("county", "360102")
    client.force_login(second)
    assert 'value="approve"' in client.get(reverse("correction_list")).content.decode()
    client.post(reverse("correction_decide", args=[correction.pk]), {"decision": "approve"})
    correction.refresh_from_db()
    assert correction.status == "approved" and correction.decided_by == second


def test_zero_is_a_correct_amount_when_nothing_should_have_been_paid(locked_july, caseworker):
    correction = services.correction_request(
        line=line_of(locked_july, "张三"),
        corrected_amount="０",
        reason="已死亡仍发放",
        acting_user=caseworker,
    )
    assert correction.corrected_amount == Decimal("0.00")


def test_an_unlocked_roll_is_not_corrected_by_reversal(
    std2018, county_officer, django_capture_on_commit_callbacks
):
    enrol(household({"income": "300", "name": "王五"}), acting_user=county_officer, today=APPROVED)
    roll, _ = make_roll(county_officer, capture=django_capture_on_commit_callbacks)
    assert roll.status == PaymentRoll.Status.READY
    with pytest.raises(ServiceError) as exc:
        services.correction_request(
            line=roll.lines.get(), corrected_amount="100", reason="错", acting_user=county_officer
        )
    assert exc.value.code == "not_locked" and not PaymentCorrection.objects.exists()


def test_the_pages(client, locked_july, caseworker, county_officer):
    line = line_of(locked_july, "张三")
    client.force_login(caseworker)
    page = client.get(reverse("enrolment_detail", args=[line.enrolment_id])).content.decode()
    url = reverse("correction_request", args=[line.pk])
    assert f'href="{url}"' in page
    response = client.post(url, {"corrected_amount": "abc", "reason": "漏算"})
    assert response.status_code == 200 and "应发金额应为数字" in response.content.decode()
    response = client.post(url, {"corrected_amount": "1e3", "reason": "漏算"})
    assert response.status_code == 200 and "应发金额应为数字" in response.content.decode()
    assert not PaymentCorrection.objects.exists()
    assert client.post(url, {"corrected_amount": "900", "reason": "漏算"}).status_code == 302
    correction = PaymentCorrection.objects.get()
    client.force_login(county_officer)
    page = client.get(reverse("correction_list")).content.decode()
    assert f'id="correction-{correction.pk}"' in page and "批准" in page
    client.post(reverse("correction_decide", args=[correction.pk]), {"decision": "approve"})
    correction.refresh_from_db()
    assert correction.status == "approved" and correction.decided_by == county_officer
    assert f'href="{url}"' in client.get(reverse("roll_detail", args=[locked_july.pk])).content.decode()
