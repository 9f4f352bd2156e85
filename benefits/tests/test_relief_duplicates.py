"""The duplicate-relief warning: before a temporary-relief grant is approved, the approver sees the person's
grants of the last 12 months in every street, and goes on only with a reason, which is kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Event, Region, User
from benefits.models import FundMovement, ReliefGrant, ReserveFund
from benefits.selectors import relief_prior_grants
from benefits.services import relief as services
from benefits.tests.factories import household
from config.errors import ServiceError

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 9, 10)
STREET = "360102002000"
OTHER_STREET_COMMUNITY = "360102004001"


def state() -> dict:
    return {
        "grants": list(ReliefGrant.objects.order_by("pk").values()),
        "funds": list(ReserveFund.objects.order_by("pk").values()),
        "movements": list(FundMovement.objects.order_by("pk").values()),
        "events": Event.objects.count(),
    }


@pytest.fixture
def family(std2018):
    return household({"income": "900", "name": "王五"})


@pytest.fixture
def funded(county_officer):
    services.reserve_fund_topup(
        street=Region.objects.get(code=STREET), amount="5000", acting_user=county_officer
    )


def earlier_grant(person, *, received_on: dt.date, amount: str = "500", status: str = "paid") -> ReliefGrant:
    """A grant the person got while living in another street (another household's file)."""
    assert Region.objects.filter(code=OTHER_STREET_COMMUNITY).exists()
    elsewhere = household(
        {"income": "900"}, community=OTHER_STREET_COMMUNITY, bank_account="6217000099999999"
    )
    return ReliefGrant.objects.create(
        household=elsewhere,
        person=person,
        kind="urgent",
        amount=Decimal(amount),
        reason="火灾后临时生活困难",
        received_on=received_on,
        route="street",
        status=status,
        paid_at=timezone.now() if status == "paid" else None,
        created_by=User.objects.get(username="cw"),
    )


def apply(user, family, amount="300"):
    return services.relief_apply(
        acting_user=user,
        household=family,
        person=family.members.first(),
        kind="expenditure",
        amount=amount,
        reason="突发重病，医疗费用负担重",
        today=TODAY,
    )


def test_the_approver_sees_grants_of_the_last_12_months_in_every_street(family, caseworker):
    person = family.members.get()
    old = earlier_grant(person, received_on=dt.date(2017, 9, 10))  # exactly 12 months before: outside
    recent = earlier_grant(person, received_on=dt.date(2018, 3, 2), amount="800")
    earlier_grant(person, received_on=dt.date(2018, 4, 1), status="rejected")  # refused: not a grant
    grant = apply(caseworker, family)
    prior = relief_prior_grants(grant=grant)
    assert [g["id"] for g in prior] == [recent.pk]
    assert prior[0] == {
        "id": recent.pk,
        "received_on": "2018-03-02",
        "street": Region.objects.get(code="360102004000").name,
        "community": Region.objects.get(code=OTHER_STREET_COMMUNITY).name,
        "kind": "急难型",
        "amount": "800.00",
        "status": "已发放",
        "reason": "火灾后临时生活困难",
    }
    assert old.pk not in [g["id"] for g in prior]


def test_without_a_reason_the_street_cannot_approve_and_nothing_changes(
    family, caseworker, street_officer, funded
):
    earlier_grant(family.members.get(), received_on=dt.date(2018, 5, 1))
    grant = apply(caseworker, family)
    before = state()
    for reason in ("", "   "):
        with pytest.raises(ServiceError) as exc:
            services.relief_street_approve(
                grant=grant, acting_user=street_officer, duplicate_reason=reason, today=TODAY
            )
        assert exc.value.code == "duplicate_unconfirmed"
        assert exc.value.errors[0]["field"] == "duplicate_reason"
        assert exc.value.message == (
            "王五近12个月已获临时救助1次，同一困难不得重复救助；请核对后写明继续审批的理由"
        )
    assert state() == before


def test_with_a_reason_the_grant_is_paid_and_keeps_what_was_seen(family, caseworker, street_officer, funded):
    prior = earlier_grant(family.members.get(), received_on=dt.date(2018, 5, 1))
    grant = apply(caseworker, family)
    services.relief_street_approve(
        grant=grant,
        acting_user=street_officer,
        duplicate_reason="5月为火灾救助，本次为新发重病住院，困难不同",
        today=TODAY,
    )
    grant.refresh_from_db()
    assert grant.status == "paid"
    assert grant.duplicate_reason == "5月为火灾救助，本次为新发重病住院，困难不同"
    assert [g["id"] for g in grant.prior_grants] == [prior.pk]
    event = (
        Event.objects.filter(target_type="benefits.reliefgrant", target_id=str(grant.pk))
        .order_by("-id")
        .first()
    )
    assert event.data["prior_grants"] == [prior.pk]
    assert event.data["duplicate_reason"] == "5月为火灾救助，本次为新发重病住院，困难不同"


def test_the_county_must_confirm_too(family, caseworker, county_officer):
    earlier_grant(family.members.get(), received_on=dt.date(2018, 8, 1))
    grant = apply(caseworker, family, amount="900")
    assert grant.route == "county"
    before = state()
    with pytest.raises(ServiceError):
        services.relief_county_approve(grant=grant, acting_user=county_officer, today=TODAY)
    assert state() == before
    services.relief_county_approve(
        grant=grant, acting_user=county_officer, duplicate_reason="已核实为不同困难", today=TODAY
    )
    grant.refresh_from_db()
    assert (grant.status, grant.duplicate_reason) == ("paid", "已核实为不同困难")


def test_a_first_grant_needs_no_reason_and_keeps_none(family, caseworker, street_officer, funded):
    grant = apply(caseworker, family)
    services.relief_street_approve(
        grant=grant, acting_user=street_officer, duplicate_reason="不需要的理由", today=TODAY
    )
    grant.refresh_from_db()
    assert (grant.status, grant.prior_grants, grant.duplicate_reason) == ("paid", [], "")


def test_the_decision_page_shows_the_grants_and_asks_for_the_reason(
    client, family, caseworker, street_officer, funded
):
    earlier_grant(family.members.get(), received_on=dt.date(2018, 5, 1), amount="650")
    grant = apply(caseworker, family)
    client.force_login(street_officer)
    url = f"/benefits/relief/{grant.pk}/"
    page = client.get(url).content.decode()
    assert "近12个月已获临时救助 1 次" in page and "650.00" in page and 'name="duplicate_reason"' in page
    before = state()
    response = client.post(url, {"action": "street_decide", "decision": "approve", "note": "同意"})
    assert response.status_code == 200
    assert "请核对后写明继续审批的理由" in response.content.decode()
    assert state() == before
    response = client.post(
        url,
        {"action": "street_decide", "decision": "approve", "note": "同意", "duplicate_reason": "困难不同"},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.status, grant.duplicate_reason) == ("paid", "困难不同")
    assert "继续审批的理由：</strong>困难不同" in client.get(url).content.decode()
