"""The pages of policy.md §8 (version 2): 增发, a member's share reduced after refused work, a confirmed fact;
each shows its clause, refuses bad input with a field-level Chinese message and writes nothing, and works."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from benefits.models import ConfirmedFact, CountyTask, ShareReduction, Supplement
from benefits.tests.factories import enrol, household
from help.models import WorkRefusal

pytestmark = pytest.mark.django_db
APPROVED = dt.date(2018, 6, 20)


@pytest.fixture
def enrolment(std2018, county_officer, clock):
    clock(dt.date(2018, 7, 10))
    return enrol(
        household({"income": "300", "name": "张三"}, {"birth": "20100101", "income": "0", "name": "小张"}),
        acting_user=county_officer,
        today=APPROVED,
    )


def test_the_supplement_page(client, enrolment, county_officer, caseworker):
    url = reverse("enrolment_supplement", args=[enrolment.pk])
    client.force_login(caseworker)
    assert client.get(url).status_code == 403
    client.force_login(county_officer)
    page = client.get(url).content.decode()
    assert "五(一)1" in page
    response = client.post(url, {"amount": "十元", "reason": "", "start_month": "2018-07", "end_month": ""})
    errors = response.context["form"].errors
    assert "请填写增发金额" in errors["amount"][0] and "请写明增发理由" in errors["reason"][0]
    assert "增发最早从下月（2018年8月）起" in errors["start_month"][0] and errors["end_month"]
    assert not Supplement.objects.exists()
    response = client.post(
        url,
        {"amount": "120", "reason": "重病患者医疗支出大", "start_month": "2018-08", "end_month": "2018-12"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("enrolment_detail", args=[enrolment.pk])).content.decode()
    assert 'id="supplements"' in detail and "重病患者医疗支出大" in detail


def test_the_refusal_and_share_pages(client, enrolment, county_officer, caseworker):
    head = enrolment.household.members.get(relation="head")
    url = reverse("enrolment_share_reduce", args=[enrolment.pk])
    client.force_login(county_officer)
    response = client.post(url, {"person": str(head.pk), "action": "stop", "note": "三次拒绝介绍工作"})
    assert "现有连续0次" in response.context["form"].errors["person"][0]
    assert not ShareReduction.objects.exists()

    client.force_login(caseworker)
    refusal = reverse("job_refusal", args=[head.pk])
    response = client.post(refusal, {"offered_on": "2018-07-01", "offer": "", "offered_by": "劳动保障所"})
    assert response.status_code == 200 and not WorkRefusal.objects.exists()
    for day in ("2018-07-01", "2018-07-03", "2018-07-05"):
        assert (
            client.post(
                refusal,
                {"offered_on": day, "offer": "保洁员", "offered_by": "劳动保障所", "reason_given": "不想干"},
            ).status_code
            == 302
        )
    person_page = client.get(reverse("job_person", args=[head.pk])).content.decode()
    assert '<strong id="in-a-row">3</strong>' in person_page and "第四十五条" in person_page

    client.force_login(county_officer)
    assert (
        client.post(url, {"person": str(head.pk), "action": "stop", "note": "三次拒绝介绍工作"}).status_code
        == 302
    )
    enrolment.refresh_from_db()
    assert enrolment.monthly_amount == Decimal("430.00")  # his share (860.00 ÷ 2) stopped from next month
    assert 'id="reductions"' in client.get(reverse("enrolment_detail", args=[enrolment.pk])).content.decode()


def test_the_fact_page(client, enrolment, caseworker, county_officer):
    child = enrolment.household.members.get(relation="child")
    url = reverse("enrolment_fact", args=[enrolment.pk])
    client.force_login(caseworker)
    response = client.post(
        url, {"person": str(child.pk), "kind": "death", "event_on": "2099-01-01", "source": ""}
    )
    errors = response.context["form"].errors
    assert errors["event_on"] == ["发生日期不能晚于今天"] and "请写明事实的来源" in errors["source"][0]
    assert not ConfirmedFact.objects.exists()
    response = client.post(
        url,
        {
            "person": str(child.pk),
            "kind": "death",
            "event_on": "2018-07-05",
            "source": "入户核查，见死亡证明",
        },
    )
    assert response.status_code == 302
    assert CountyTask.objects.get().kind == "exit"


def test_the_exit_notice_for_a_death_is_addressed_to_a_living_member(client, enrolment, county_officer):
    head = enrolment.household.members.get(relation="head")
    url = reverse("enrolment_exit", args=[enrolment.pk])
    client.force_login(county_officer)
    response = client.post(
        url, {"reason": "death", "note": "户主死亡", "died_on": "2018-07-05", "person": str(head.pk)}
    )
    assert response.status_code == 302
    notice = client.get(reverse("enrolment_notice", args=[enrolment.pk])).content.decode()
    to = notice.split('class="to">')[1].split("</p>")[0]
    assert to.startswith("小张") and "张三" not in to
