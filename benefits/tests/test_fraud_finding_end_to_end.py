"""End to end (policy.md §8.3): a reconciliation finding confirmed as fraud (骗取救助) goes through the one
follow-up service in the same transaction — the household's lines on the unlocked roll held, the county's exit
task with its deadline, an overpayment task with each month and amount since the fraud began; a refused
confirmation writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from benefits.models import ConfirmedFact, CountyTask, Enrolment, PaymentLine
from benefits.services.followups import FACT_TASK_DAYS
from benefits.tests.test_death_finding_end_to_end import CONFIRMED_ON, death_task, paid  # noqa: F401
from config.errors import ServiceError
from conftest import HOME_COMMUNITY
from ledgers.models import Finding, ReconciliationRun, ReviewTask
from ledgers.services import review_resolve

pytestmark = pytest.mark.django_db


def vehicle_task(person, county_officer) -> ReviewTask:
    """What the semiannual run writes for a household with more vehicles than allowed (ledgers.rules)."""
    run = ReconciliationRun.objects.create(
        region_id="360102", period="2018H2", requested_by=county_officer, status="done"
    )
    finding = Finding.objects.create(
        run=run,
        rule="vehicles_over",
        id_number=person.id_number,
        source="vehicle",
        household_id=person.household_id,
        region_id=HOME_COMMUNITY,
        name=person.name,
        detail={"count": 2, "allowed": 0},
    )
    return ReviewTask.objects.create(finding=finding, region_id=HOME_COMMUNITY)


def test_a_finding_confirmed_as_fraud_holds_the_household_and_lists_the_overpayment(
    paid,  # noqa: F811
    caseworker,
):
    alone, family, september = paid
    mother = family.household.members.get(relation="head")
    assert september.lines.get(enrolment=family).amount == Decimal("860.00")
    task = vehicle_task(mother, caseworker)

    review_resolve(
        task=task,
        acting_user=caseworker,
        decision="confirmed",
        note="隐瞒两辆登记在户主名下的轿车",
        fraud=True,
        fraud_on="2018-07-20",
    )

    task.refresh_from_db()
    assert (task.status, task.follow_up) == (
        "confirmed",
        "待办：暂停整户发放，办理退出并追回骗取的救助金（骗取救助）",
    )
    fact = ConfirmedFact.objects.get()
    assert (fact.kind, fact.person, fact.whole_household, fact.event_on, fact.finding_id) == (
        "fraud",
        mother,
        True,
        dt.date(2018, 7, 20),
        task.finding_id,
    )
    # the whole household's September line (unlocked) is held; 张三 next door is untouched
    line = september.lines.get(enrolment=family)
    assert line.held and line.hold_reason.startswith("已停发：李四骗取救助（2018年7月20日，已核实）")
    assert september.lines.get(enrolment=alone).held is False
    september.refresh_from_db()
    assert (september.total_amount, september.held_count) == (Decimal("280.00"), 1)
    family.refresh_from_db()
    assert family.status == Enrolment.Status.SUSPENDED
    tasks = {t.kind: t for t in CountyTask.objects.filter(enrolment=family)}
    assert tasks["exit"].due_on == CONFIRMED_ON + dt.timedelta(days=FACT_TASK_DAYS)
    over = tasks["overpayment"]
    # paid for August (locked) after the fraud began in July: 860.00 to recover, addressed to the head
    assert [(i["month"], i["amount"]) for i in over.items] == [("2018-08-01", "860.00")]
    assert (over.total, over.addressed_to) == (Decimal("860.00"), mother)
    assert not CountyTask.objects.filter(enrolment=alone).exists()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"fraud": True, "fraud_on": ""}, "fraud_on"),
        ({"fraud": True, "fraud_on": "2099-01-01"}, "fraud_on"),
        ({"fraud": True, "fraud_on": "2018-07-20", "decision": "false_alarm"}, "fraud"),
    ],
)
def test_a_refused_fraud_confirmation_changes_nothing(paid, caseworker, kwargs, field):  # noqa: F811
    alone, family, september = paid
    task = vehicle_task(family.household.members.get(relation="head"), caseworker)
    before = list(PaymentLine.objects.order_by("pk").values())
    args = {"decision": "confirmed", "note": "车辆属实且为骗取", **kwargs}
    with pytest.raises(ServiceError) as exc:
        review_resolve(task=task, acting_user=caseworker, **args)
    assert exc.value.errors[0]["field"] == field
    task.refresh_from_db()
    assert task.status == "open"
    assert list(PaymentLine.objects.order_by("pk").values()) == before
    assert not ConfirmedFact.objects.exists() and not CountyTask.objects.exists()


def test_a_death_finding_is_followed_as_a_death_not_as_fraud(paid, caseworker, county_officer):  # noqa: F811
    alone, family, september = paid
    task = death_task(alone.household.members.get(), "2018-07-15", county_officer)
    with pytest.raises(ServiceError) as exc:
        review_resolve(
            task=task, acting_user=caseworker, decision="confirmed", fraud=True, fraud_on="2018-07-15"
        )
    assert exc.value.errors[0]["field"] == "fraud"
    assert not ConfirmedFact.objects.exists()


def test_the_review_page_offers_fraud_and_confirms_it(paid, client, caseworker):  # noqa: F811
    alone, family, september = paid
    task = vehicle_task(family.household.members.get(relation="head"), caseworker)
    url = reverse("ledger_finding_detail", args=[task.finding_id])
    client.force_login(caseworker)
    page = client.get(url).content.decode()
    assert 'name="fraud"' in page and 'name="fraud_on"' in page and 'id="fraud-clause"' in page
    refused = client.post(url, {"decision": "confirmed", "fraud": "on", "fraud_on": ""}).content.decode()
    assert "请填写发生日期" in refused and not ConfirmedFact.objects.exists()
    response = client.post(
        url, {"decision": "confirmed", "note": "隐瞒车辆", "fraud": "on", "fraud_on": "2018-07-20"}
    )
    assert response.status_code == 302
    assert ConfirmedFact.objects.get().kind == "fraud"
    assert september.lines.get(enrolment=family).held
    # a death finding's page offers no fraud box (it is followed as a death)
    death = death_task(alone.household.members.get(), "2018-07-15", caseworker)
    page = client.get(reverse("ledger_finding_detail", args=[death.finding_id])).content.decode()
    assert 'name="fraud"' not in page
