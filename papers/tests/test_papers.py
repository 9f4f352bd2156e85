"""The 公示名单 (no ID number, no income), the 申请审批表, 入户调查表 and 民主评议记录: what they print, for whom, and
their PDFs."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications.tests.factories import FAST_HASHERS, application_at
from benefits.tests.factories import household, standard
from conftest import HOME_COMMUNITY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard(year=2018)


@pytest.fixture
def on_notice(caseworker, street_officer):
    home = household(
        {"income": "300", "name": "王建国"}, {"income": "0", "name": "王小雨", "birth": "20100101"}
    )
    return application_at("notice", household=home, caseworker=caseworker, street=street_officer)


def pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace(" ", "")


def test_public_notice_lists_the_household_without_id_numbers_or_income(client, on_notice, street_officer):
    client.force_login(street_officer)
    url = reverse("public_notice") + f"?community={HOME_COMMUNITY}"
    page = client.get(url).content.decode()
    row = page.split('id="notice-list"')[1].split("</table>")[0]
    amount = on_notice.proposed_amount
    assert "王建国" in row and "城镇最低生活保障（低保）" in row and f">{amount}<" in row
    assert '<td class="num">2</td>' in row  # both members covered
    start, end = on_notice.notice_started_on, on_notice.notice_ends_on
    assert f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日" in page
    members = list(on_notice.household.members.all())
    for m in members:
        assert m.id_number not in page and m.id_masked not in page  # not even masked
    assert "300.00" not in page and "人均" not in page and "收入（" not in page  # no income details
    assert "本名单不公布身份证号码和家庭收入情况" in page
    text = pdf_text(client.get(reverse("public_notice_pdf") + f"?community={HOME_COMMUNITY}"))
    assert "王建国" in text and "城镇贫困群众救助对象公示" in text and "第1页/共1页" in text
    assert all(m.id_number not in text and m.id_masked not in text for m in members)


def test_public_notice_of_a_community_out_of_scope_is_not_found(client, on_notice, make_user):
    client.force_login(make_user("caseworker", "360102002002"))
    assert client.get(reverse("public_notice") + f"?community={HOME_COMMUNITY}").status_code == 404
    assert client.get(reverse("public_notice_pdf") + f"?community={HOME_COMMUNITY}").status_code == 404
    # Its own community: an empty list, not someone else's.
    page = client.get(reverse("public_notice")).content.decode()
    assert "本社区目前没有正在公示的家庭" in page and "王建国" not in page


def test_the_street_officer_picks_among_the_communities_on_notice(client, on_notice, street_officer):
    client.force_login(street_officer)
    page = client.get(reverse("public_notice")).content.decode()
    assert f"?community={HOME_COMMUNITY}" in page and "民巷社区" in page


def test_approval_form_shows_every_step_with_who_and_when(client, caseworker, street_officer, county_officer):
    home = household({"income": "300", "name": "王建国"})
    approved = application_at(
        "approved", household=home, caseworker=caseworker, street=street_officer, county=county_officer
    )
    client.force_login(county_officer)
    page = client.get(reverse("application_form", args=[approved.pk, "form"])).content.decode()
    steps = page.split('id="approval-steps"')[1].split("</table>")[0]
    for event in approved.events.select_related("actor"):
        assert event.get_step_display() in steps
        assert f"<td>{event.actor.full_name}</td><td>{event.on_date:%Y-%m-%d}</td>" in steps
    assert "县级民政部门审批意见" in page and "（盖章）" in page
    member = home.members.get()
    assert member.id_number not in page and member.id_masked in page
    text = pdf_text(client.get(reverse("application_form_pdf", args=[approved.pk, "form"])))
    assert "城镇贫困群众救助申请审批表" in text and "县级审批批准" in text


def test_visit_and_review_records(client, on_notice, caseworker):
    client.force_login(caseworker)
    visit = client.get(reverse("application_form", args=[on_notice.pk, "visit"])).content.decode()
    assert "入户调查表" in visit and "李敏、王强" in visit and "居住、收入情况属实" in visit
    assert "调查人员签字" in visit and "申请人（户主）签字" in visit
    review = client.get(reverse("application_form", args=[on_notice.pk, "review"])).content.decode()
    assert "民主评议记录" in review and "社区两委成员、居民代表" in review and "7 人" in review
    assert "<strong>同意</strong>" in review and "主持人签字" in review
    text = pdf_text(client.get(reverse("application_form_pdf", args=[on_notice.pk, "review"])))
    assert "民主评议记录" in text and "同意" in text
    assert client.get(reverse("application_form", args=[on_notice.pk, "other"])).status_code == 404


def test_the_papers_page_offers_the_forms_and_no_notice_before_a_decision(client, on_notice, county_officer):
    client.force_login(county_officer)
    page = client.get(reverse("application_papers", args=[on_notice.pk])).content.decode()
    assert "申请审批表" in page and "入户调查表" in page and "民主评议记录" in page
    assert "尚未作出决定" in page and "出具通知书" not in page


def test_public_notice_runs_a_constant_number_of_queries(client, on_notice, caseworker, street_officer):
    from conftest import query_count

    client.force_login(street_officer)
    url = reverse("public_notice")
    params = {"community": HOME_COMMUNITY}
    one = query_count(client, url, params)
    for _ in range(3):
        application_at(
            "notice", household=household({"income": "200"}), caseworker=caseworker, street=street_officer
        )
    assert query_count(client, url, params) == one
    page = client.get(url, params).content.decode()
    assert page.count('<td class="num">') == 2 * 4  # four households on the board
