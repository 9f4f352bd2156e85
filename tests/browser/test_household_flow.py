import pytest

from accounts.models import User
from conftest import HOME_COMMUNITY, make_id
from households.models import Household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_creates_a_household_with_two_members_and_finds_it(browser_page, live_server):
    User.objects.create_user(
        username="cw", password="pass-Word-123", role="caseworker", region_id=HOME_COMMUNITY
    )
    page = browser_page
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "cw")
    page.fill("input[name=password]", "pass-Word-123")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/households/new/")
    page.fill("#id_address", "滕王阁路18号")
    page.fill("#id_phone", "13900000000")
    page.check("input[name=hardship_causes][value=illness]")
    head_id, child_id = make_id(birth="19700505"), make_id(birth="20120909", sex="F")
    page.click("#add-member")
    page.fill("#id_members-0-name", "王建国")
    page.fill("#id_members-0-id_number", head_id)
    page.select_option("#id_members-0-relation", "head")
    page.fill("#id_members-0-income_wage", "900")
    page.click("#add-member")
    page.fill("#id_members-1-name", "王小雨")
    page.fill("#id_members-1-id_number", child_id)
    page.select_option("#id_members-1-relation", "child")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/households/*/")
    assert "王小雨" in page.content()

    household = Household.objects.get()
    assert sorted(household.members.values_list("name", flat=True)) == ["王小雨", "王建国"]

    page.goto(live_server.url + "/households/?q=王建国")
    row = page.locator("table.list tbody tr").first
    assert "王建国" in row.inner_text()
    assert head_id[:4] + "**********" + head_id[-4:] in row.inner_text()
    page.screenshot(path="/tmp/jiekun-household-list.png")
