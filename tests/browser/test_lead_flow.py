"""主动发现 in Debian's chromium: a caseworker records a lead a community helper reported about a household on
file, the lead shows on the dashboard due for a visit, the visit is recorded, and the lead becomes an application
of the household."""

from __future__ import annotations

import pytest

from accounts.models import User
from applications.models import Application
from applications.tests.factories import FAST_HASHERS
from conftest import HOME_COMMUNITY
from help.models import Lead
from households.tests.factories import household_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-Word-123"


def test_lead_visit_application(browser_page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    User.objects.create_user(
        username="cw", password=PASSWORD, role="caseworker", region_id=HOME_COMMUNITY, full_name="李敏"
    )
    household = household_make(community_id=HOME_COMMUNITY, members=2, address="滕王阁路18号")
    head = household.members.get(relation="head")
    page, base = browser_page, live_server.url

    page.goto(base + "/login/")
    page.fill("input[name=username]", "cw")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")

    # 登记: a 协理员 reported the household; the ID number links the lead to the household file.
    page.click("header nav >> text=主动发现")
    page.click("text=登记线索")
    page.check("input[name=source][value=helper]")
    page.fill("#id_reporter_name", "协理员刘芳")
    page.fill("#id_name", head.name)
    page.fill("#id_id_number", head.id_number)
    page.select_option("#id_reason", "medical")
    page.fill("#id_detail", "户主住院，医疗费用自付较多，家中无其他收入")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/households/leads/*/")
    assert page.inner_text("#status") == "待走访"
    lead = Lead.objects.get()
    assert (lead.household_id, lead.source, lead.reporter_name) == (household.pk, "helper", "协理员刘芳")

    page.goto(base + "/households/leads/")
    assert f"#{lead.pk}" in page.inner_text("#all")

    # 走访
    page.goto(f"{base}/households/leads/{lead.pk}/")
    page.click("#actions >> text=录入走访")
    page.fill("#id_visitors", "李敏、王强")
    page.fill("#id_findings", "户主住院，收入明显低于低保标准，本人同意申请")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/households/leads/{lead.pk}/")
    assert page.inner_text("#status") == "已走访，待处理"
    assert "李敏、王强" in page.inner_text("#visits")

    # 转为救助申请
    page.click("#actions >> text=转为救助申请")
    page.check("input[name=category][value=dibao]")
    page.check("#id_check_authorised")
    page.check("input[name=residence_basis][value=hukou]")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/households/applications/*/")
    application = Application.objects.get()
    assert page.url.endswith(f"/households/applications/{application.pk}/")
    assert page.inner_text("#status") == "待入户调查"
    assert f"已转为救助申请#{application.pk}" in page.content()
    lead.refresh_from_db()
    assert (lead.status, lead.application_id, application.household_id) == (
        "converted",
        application.pk,
        household.pk,
    )
    page.screenshot(path="/tmp/jiekun-lead-flow.png")
