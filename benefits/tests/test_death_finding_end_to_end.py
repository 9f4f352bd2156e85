"""End to end (issue 15 item 5, policy.md §8.3): confirming a reconciliation finding of death stops the dead
person's payments in the same transaction — the unlocked roll holds the line, the next roll has none — opens the
county's exit task with its deadline and an overpayment task with each month and amount, addressed to a living
member, never to the deceased."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benefits.models import ConfirmedFact, CountyTask, Enrolment, PaymentLine
from benefits.services import rolls as roll_services
from benefits.services.followups import FACT_TASK_DAYS, living_addressee
from benefits.tests.factories import enrol, household
from conftest import HOME_COMMUNITY
from ledgers.models import Finding, ReconciliationRun, ReviewTask
from ledgers.services import review_resolve

pytestmark = pytest.mark.django_db

APPROVED = dt.date(2018, 6, 20)  # paid from July
JULY, AUGUST, SEPTEMBER, OCTOBER = (dt.date(2018, m, 1) for m in (7, 8, 9, 10))
CONFIRMED_ON = dt.date(2018, 9, 3)


def roll(user, month, capture, lock=True):
    with capture(execute=True):
        made, _ = roll_services.roll_request(
            acting_user=user,
            county="360102",
            month=month,
            program="dibao",
            today=month + dt.timedelta(days=1),
        )
    made.refresh_from_db()
    if lock:
        roll_services.roll_lock(roll=made, acting_user=user)
    return made


def death_task(person, died_on: str, county_officer) -> ReviewTask:
    """What the semiannual run writes for a dead person still paid (ledgers.rules deceased_paid)."""
    run = ReconciliationRun.objects.create(
        region_id="360102", period="2018H2", requested_by=county_officer, status="done"
    )
    finding = Finding.objects.create(
        run=run,
        rule="deceased_paid",
        id_number=person.id_number,
        source="death",
        household_id=person.household_id,
        region_id=HOME_COMMUNITY,
        name=person.name,
        detail={"died_on": died_on},
    )
    return ReviewTask.objects.create(finding=finding, region_id=HOME_COMMUNITY)


@pytest.fixture
def paid(std2018, county_officer, django_capture_on_commit_callbacks, clock):
    """张三 alone (低保 280.00 a month) and 李四 with her child (860.00): July and August locked, September ready."""
    alone = enrol(household({"income": "300", "name": "张三"}), acting_user=county_officer, today=APPROVED)
    family = enrol(
        household(
            {"income": "300", "name": "李四", "sex": "F"},
            {"birth": "20100101", "income": "0", "name": "小李"},
        ),
        acting_user=county_officer,
        today=APPROVED,
    )
    for month in (JULY, AUGUST):
        roll(county_officer, month, django_capture_on_commit_callbacks)
    september = roll(county_officer, SEPTEMBER, django_capture_on_commit_callbacks, lock=False)
    clock(CONFIRMED_ON)
    return alone, family, september


def test_a_confirmed_death_stops_the_line_opens_the_tasks_and_lists_the_overpayment(
    paid, client, caseworker, county_officer, django_capture_on_commit_callbacks, clock
):
    alone, family, september = paid
    zhang = alone.household.members.get()
    assert september.lines.get(enrolment=alone).amount == Decimal("280.00")
    task = death_task(zhang, "2018-07-15", county_officer)
    # the reviewer is told, before confirming, what the confirmation does (its clause in the UI)
    client.force_login(caseworker)
    page = client.get(reverse("ledger_finding_detail", args=[task.finding_id])).content.decode()
    assert 'id="fact-clause"' in page and "告知书只发给在世家庭成员" in page

    review_resolve(task=task, acting_user=caseworker, decision="confirmed", note="已见死亡证明")

    # the unlocked September roll holds his line at once; the family's line is untouched
    line = september.lines.get(enrolment=alone)
    assert line.held and line.hold_reason.startswith("已停发：张三死亡（2018年7月15日，已核实）")
    september.refresh_from_db()
    assert (september.line_count, september.total_amount, september.held_count) == (1, Decimal("860.00"), 1)
    # the county's exit task, due in FACT_TASK_DAYS, and the overpayment: August was paid after the death
    alone.refresh_from_db()
    assert alone.status == Enrolment.Status.SUSPENDED
    tasks = {t.kind: t for t in CountyTask.objects.filter(enrolment=alone)}
    assert tasks["exit"].due_on == CONFIRMED_ON + dt.timedelta(days=FACT_TASK_DAYS) == dt.date(2018, 9, 18)
    over = tasks["overpayment"]
    assert [(i["month"], i["amount"]) for i in over.items] == [("2018-08-01", "280.00")]
    assert over.total == Decimal("280.00")
    assert over.addressed_to is None  # he lived alone: nobody living to address; never the deceased
    assert ConfirmedFact.objects.get(person=zhang).event_on == dt.date(2018, 7, 15)

    # the next roll has no line for him
    clock(dt.date(2018, 10, 2))
    october = roll(county_officer, OCTOBER, django_capture_on_commit_callbacks, lock=False)
    assert list(october.lines.values_list("name", "amount")) == [("李四", Decimal("860.00"))]


def test_the_death_of_the_payee_stops_her_share_only_and_addresses_the_living(
    paid, caseworker, county_officer, django_capture_on_commit_callbacks, clock
):
    alone, family, september = paid
    mother = family.household.members.get(relation="head")
    child = family.household.members.get(relation="child")
    review_resolve(
        task=death_task(mother, "2018-07-31", county_officer), acting_user=caseworker, decision="confirmed"
    )
    # 补差 860.00 for two: her share is 860.00 ÷ 2 = 430.00 (policy.md §8.2 share), the child's stays
    line = september.lines.get(enrolment=family)
    assert (line.amount, line.held, line.name) == (Decimal("430.00"), False, "小李")
    over = CountyTask.objects.get(enrolment=family, kind="overpayment")
    assert [(i["month"], i["amount"]) for i in over.items] == [("2018-08-01", "430.00")]
    assert over.addressed_to == child
    assert living_addressee(family.household) == child
    family.refresh_from_db()
    assert (family.status, family.monthly_amount, family.payee) == ("active", Decimal("430.00"), child)
    clock(dt.date(2018, 10, 2))
    october = roll(county_officer, OCTOBER, django_capture_on_commit_callbacks, lock=False)
    assert list(october.lines.order_by("name").values_list("name", "amount", "covered_count")) == [
        ("小李", Decimal("430.00"), 1),
        ("张三", Decimal("280.00"), 1),
    ]


def test_a_refused_confirmation_changes_nothing(paid, caseworker, county_officer, make_user):
    alone, family, september = paid
    zhang = alone.household.members.get()
    task = death_task(zhang, "2099-01-01", county_officer)  # a date in the future: refused
    before = list(PaymentLine.objects.order_by("pk").values())
    with pytest.raises(Exception) as exc:
        review_resolve(task=task, acting_user=caseworker, decision="confirmed")
    assert exc.value.errors[0]["field"] == "event_on"
    task.refresh_from_db()
    assert task.status == "open"
    assert list(PaymentLine.objects.order_by("pk").values()) == before
    assert not ConfirmedFact.objects.exists() and not CountyTask.objects.exists()


def test_the_county_task_page_lists_each_month_and_closes_a_task(
    paid, client, caseworker, county_officer, other_county_officer
):
    alone, family, september = paid
    zhang = alone.household.members.get()
    review_resolve(
        task=death_task(zhang, "2018-07-15", county_officer), acting_user=caseworker, decision="confirmed"
    )
    url = reverse("county_task_list")
    client.force_login(county_officer)
    page = client.get(url).content.decode()
    assert "2018-08 正常发放 280.00 元" in page and "户内无在世成员" in page and 'id="clause"' in page
    client.force_login(other_county_officer)
    assert "280.00" not in client.get(url).content.decode()
    client.force_login(county_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    before = queries()
    mother = family.household.members.get(relation="head")
    review_resolve(
        task=death_task(mother, "2018-07-31", county_officer), acting_user=caseworker, decision="confirmed"
    )
    assert CountyTask.objects.count() == 4 and queries() == before  # constant, whatever the number of tasks
    task = CountyTask.objects.get(kind="exit", enrolment=alone)
    response = client.post(url, {"task": task.pk, "note": "短"})
    assert "请写明办理情况" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    client.post(url, {"task": task.pk, "note": "已决定终止低保"})
    task.refresh_from_db()
    assert (task.status, task.closed_by) == ("done", county_officer)


def test_the_county_tasks_wait_in_the_county_officers_inbox_until_closed(
    paid, client, clock, caseworker, county_officer, other_county_officer
):
    """Issue 16: the exit and overpayment tasks appear in 我的待办 of the county they are assigned to, with the
    deadline and days left (red once overdue), linking to the task list; a closed task leaves the inbox."""
    from inbox.selectors import inbox_sections

    alone, _family, _september = paid
    zhang = alone.household.members.get()
    review_resolve(
        task=death_task(zhang, "2018-07-15", county_officer), acting_user=caseworker, decision="confirmed"
    )
    tasks = {t.kind: t for t in CountyTask.objects.filter(enrolment=alone)}
    due = tasks["exit"].due_on
    assert due == CONFIRMED_ON + dt.timedelta(days=FACT_TASK_DAYS)
    sections = {s.key: s for s in inbox_sections(user=county_officer, today=CONFIRMED_ON)}
    section = sections["county_tasks"]
    assert section.count == 2
    rows = {r.url: r for r in section.rows}
    exit_row = rows[reverse("county_task_list") + f"#task-{tasks['exit'].pk}"]
    over_row = rows[reverse("county_task_list") + f"#task-{tasks['overpayment'].pk}"]
    assert (exit_row.due_on, exit_row.days_left, exit_row.overdue_days) == (due, FACT_TASK_DAYS, 0)
    assert exit_row.title == "张三 · 办理退出或变更"
    assert over_row.title == "张三 · 追回多发救助金" and "多发合计 280.00 元" in over_row.detail
    assert "county_tasks" not in {
        s.key for s in inbox_sections(user=other_county_officer, today=CONFIRMED_ON)
    }
    assert "county_tasks" not in {s.key for s in inbox_sections(user=caseworker, today=CONFIRMED_ON)}

    late = due + dt.timedelta(days=7)
    clock(late)
    client.force_login(county_officer)
    page = client.get(reverse("home")).content.decode()
    assert 'id="inbox-county_tasks"' in page and "核实事实后的退出变更与追回" in page
    assert f'href="{reverse("county_task_list")}#task-{tasks["exit"].pk}"' in page
    assert "已超期" in page and 'class="overdue-row"' in page
    task_page = client.get(reverse("county_task_list")).content.decode()
    assert f'id="task-{tasks["exit"].pk}" class="overdue-row"' in task_page

    client.post(reverse("county_task_list"), {"task": tasks["exit"].pk, "note": "已决定终止低保"})
    section = {s.key: s for s in inbox_sections(user=county_officer, today=late)}["county_tasks"]
    assert section.count == 1 and section.rows[0].title == "张三 · 追回多发救助金"
