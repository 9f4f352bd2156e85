"""Job help (五(二)): members able to work and their job status; the 零就业家庭 flag set and cleared; a member's
start of work begins the 渐退 of policy.md §5; a job loss outside enrolment raises a lead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Event
from applications.tests.factories import FAST_HASHERS, TODAY, standard_make
from benefits.models import Enrolment
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from help.models import EmploymentChange, JobSupport, Lead
from help.selectors import able_members, able_to_work, zero_employment_households
from help.services import jobs as services
from help.services import students
from help.tests.factories import enrolled_household, help_state, queries_of
from households.models import Person
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db
D = dt.date
JULY = D(2018, 7, 2)  # the enrolment pays from 1 July


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)
    standard_make(year=2019)
    clock(TODAY)


@pytest.fixture
def enrolled(caseworker, street_officer, county_officer):
    """A dibao household: the head (48, able to work, not working) earns 300 and the child (13) 300."""
    return enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer)


def _head(household) -> Person:
    return household.members.get(relation="head")


def test_able_to_work_means_working_age_labour_capacity_and_not_in_school():
    person = Person(birth_date=D(1970, 1, 1), sex="M", labor_capacity="full", employment="na")
    assert able_to_work(person, TODAY)
    sixty_tomorrow = Person(birth_date=D(1958, 6, 5), sex="M", labor_capacity="full")
    assert able_to_work(sixty_tomorrow, TODAY) and not able_to_work(sixty_tomorrow, D(2018, 6, 5))
    # policy.md §8.6: one working age, 16 ≤ age < 60, for women as for men (version 1 stopped women at 55)
    assert able_to_work(Person(birth_date=D(1962, 1, 1), sex="F", labor_capacity="full"), TODAY)  # 56
    assert not able_to_work(Person(birth_date=D(1958, 6, 4), sex="F", labor_capacity="full"), TODAY)  # 60
    assert not able_to_work(Person(birth_date=D(2002, 6, 5), sex="M", labor_capacity="full"), TODAY)  # 15
    assert not able_to_work(Person(birth_date=D(1970, 1, 1), sex="M", labor_capacity="none"), TODAY)
    assert not able_to_work(person, TODAY, in_school=True)


def test_the_zero_employment_flag_is_set_and_cleared_and_the_gradual_exit_starts(
    client, caseworker, county_officer, enrolled
):
    head = _head(enrolled)
    assert list(zero_employment_households(user=county_officer, today=JULY)) == [enrolled]
    client.force_login(caseworker)
    assert (
        'id="zero-employment"' in client.get(reverse("household_detail", args=[enrolled.pk])).content.decode()
    )

    change = services.job_start_record(
        acting_user=caseworker,
        person=head,
        started_on=JULY,
        employer="东湖区环卫所",
        monthly_wage="2000",
        today=JULY,
    )
    head.refresh_from_db()
    assert (head.employment, head.newly_employed_since, head.income_wage) == (
        "employed",
        JULY,
        Decimal("2000.00"),
    )
    assert (change.kind, change.from_status, change.to_status) == ("start", "na", "employed")
    assert head.history.first().history_user == caseworker
    assert list(zero_employment_households(user=county_officer, today=JULY)) == []
    assert (
        'id="zero-employment"'
        not in client.get(reverse("household_detail", args=[enrolled.pk])).content.decode()
    )

    # (300 + 2000) / 2 = 1150 ≥ 580: the unit leaves dibao; 渐退 for 12 months from the start of work.
    enrolment = Enrolment.objects.get(household=enrolled)
    started = Event.objects.get(
        target_type="benefits.enrolment", target_id=str(enrolment.pk), verb__startswith="渐退开始"
    )
    assert started.data["gradual_exit_until"] == "2019-07-02"
    assert started.data["newly_employed_since"] == "2018-07-02"
    assert started.verb == f"渐退开始：{head.name}就业，渐退至2019年7月2日"
    enrolment.refresh_from_db()
    if hasattr(enrolment, "gradual_until"):  # benefits' recompute is there: the enrolment itself is in 渐退
        assert (enrolment.status, enrolment.gradual_until) == ("gradual", D(2019, 7, 2))
    verbs = list(Event.objects.order_by("pk").values_list("verb", flat=True))
    assert "零就业家庭已有成员就业，解除零就业家庭标识" in verbs and "成员就业" in verbs


def test_a_job_that_keeps_the_household_eligible_starts_no_gradual_exit(caseworker, enrolled):
    services.job_start_record(
        acting_user=caseworker,
        person=_head(enrolled),
        started_on=JULY,
        employer="零工",
        flexible=True,
        monthly_wage="500",
        today=JULY,
    )
    enrolment = Enrolment.objects.get(household=enrolled)
    event = Event.objects.get(
        target_type="benefits.enrolment", target_id=str(enrolment.pk), verb__contains="就业"
    )
    assert (
        event.verb.endswith("按规则测算家庭仍符合救助条件，不启动渐退")
        and event.data["gradual_exit_until"] is None
    )


def test_a_job_loss_sets_the_flag_again(caseworker, county_officer, enrolled):
    head = _head(enrolled)
    services.job_start_record(
        acting_user=caseworker, person=head, started_on=JULY, employer="超市", today=JULY
    )
    services.job_end_record(
        acting_user=caseworker, person=head, ended_on=D(2018, 8, 1), reason="合同到期", today=D(2018, 8, 1)
    )
    head.refresh_from_db()
    assert (head.employment, head.newly_employed_since, head.income_wage) == (
        "unemployed",
        None,
        Decimal("0"),
    )
    assert list(zero_employment_households(user=county_officer, today=D(2018, 8, 1))) == [enrolled]
    assert Event.objects.filter(verb="认定为零就业家庭", target_id=str(enrolled.pk)).count() == 1
    assert not Lead.objects.exists()  # enrolled: the caseworker already follows the household


def test_a_job_loss_outside_enrolment_raises_a_lead(caseworker):
    household = household_make(community_id=HOME_COMMUNITY)
    head = _head(household)
    services.job_start_record(
        acting_user=caseworker, person=head, started_on=TODAY, employer="工厂", today=TODAY
    )
    services.job_end_record(
        acting_user=caseworker, person=head, ended_on=TODAY, reason="工厂停产", today=TODAY
    )
    lead = Lead.objects.get()
    assert (lead.source, lead.reason, lead.household, lead.person) == ("system", "job_loss", household, head)
    assert "工厂停产" in lead.detail and lead.visit_due_on == D(2018, 6, 7)


def test_job_input_is_checked_and_refusals_change_nothing(caseworker, street_officer, make_user, enrolled):
    head = _head(enrolled)
    before = help_state()
    with pytest.raises(ServiceError) as exc:
        services.job_start_record(
            acting_user=caseworker,
            person=head,
            started_on=D(2018, 6, 5),
            employer="",
            monthly_wage="-1",
            today=TODAY,
        )
    assert {(e["field"], e["message"]) for e in exc.value.errors} == {
        ("started_on", "就业日期不能晚于今天"),
        ("employer", "请填写就业单位或就业形式"),
        ("monthly_wage", "月工资不能为负数"),
    }
    with pytest.raises(ServiceError, match="未登记为就业"):
        services.job_end_record(acting_user=caseworker, person=head, ended_on=TODAY, reason="x", today=TODAY)
    for user in (street_officer, make_user("caseworker", HOME_COMMUNITY_2)):
        with pytest.raises(PermissionDenied):
            services.job_start_record(
                acting_user=user, person=head, started_on=TODAY, employer="x", today=TODAY
            )
        with pytest.raises(PermissionDenied):
            services.job_support_record(
                acting_user=user,
                person=head,
                kind="training",
                on_date=TODAY,
                provider="x",
                detail="x",
                today=TODAY,
            )
    assert help_state() == before


def test_training_referrals_and_start_up_support_are_recorded(client, caseworker, enrolled):
    head = _head(enrolled)
    support = services.job_support_record(
        acting_user=caseworker,
        person=head,
        kind="startup_loan",
        on_date=TODAY,
        provider="东湖区人社局",
        detail="创业担保贷款",
        amount="50000",
        today=TODAY,
    )
    assert (support.amount, support.history.get().history_user) == (Decimal("50000.00"), caseworker)
    client.force_login(caseworker)
    response = client.post(
        reverse("job_support", args=[head.pk]),
        {
            "kind": "training",
            "on_date": "2018-06-04",
            "provider": "市职业技能培训中心",
            "detail": "家政服务培训",
        },
    )
    assert response.status_code == 302 and JobSupport.objects.count() == 2
    page = client.get(reverse("job_person", args=[head.pk])).content.decode()
    assert "创业担保贷款" in page and "家政服务培训" in page


def test_a_child_in_school_is_not_counted_as_able_to_work(caseworker, county_officer, street_officer):
    household = enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer)
    head = _head(household)
    head.labor_capacity = "none"
    head.save()
    child = household.members.get(relation="child")
    child.birth_date = D(2000, 1, 1)  # 18: of working age
    child.save()
    assert list(zero_employment_households(user=county_officer, today=TODAY)) == [household]
    students.school_record_save(
        acting_user=caseworker, person=child, school="南昌大学", stage="undergraduate"
    )
    assert list(zero_employment_households(user=county_officer, today=TODAY)) == []


def test_the_job_list_runs_a_constant_number_of_queries(client, caseworker, street_officer, county_officer):
    def add(n):
        for _ in range(n):
            enrolled_household(caseworker=caseworker, street=street_officer, county=county_officer, members=1)

    add(5)
    client.force_login(county_officer)
    five, _ = queries_of(client, reverse("job_list"))
    add(45)
    fifty, page = queries_of(client, reverse("job_list"))
    assert fifty == five and able_members(user=county_officer, today=TODAY).count() == 50
    assert 'id="zero-count">50<' in page
    assert EmploymentChange.objects.count() == 0
