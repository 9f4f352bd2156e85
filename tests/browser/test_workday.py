"""A working day in Debian's chromium: the caseworker's 我的待办 lists the application waiting for them with its
deadline and the navigation shows the count; the header search finds a person in scope; the street officer
approving temporary relief sees the person's earlier grant and goes on only with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Region, User
from applications.tests.factories import FAST_HASHERS, application_at
from benefits.models import ReliefGrant
from benefits.services import relief as relief_services
from benefits.tests.factories import standard
from conftest import HOME_COMMUNITY
from households.tests.factories import household_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-Word-123"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path
    standard(year=timezone.localdate().year)


def login(page, base, username):
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def user(username, role, region):
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, region_id=region, full_name=username
    )


def test_inbox_lists_the_work_and_the_navigation_counts_it(browser_page, live_server):
    cw = user("cw", "caseworker", HOME_COMMUNITY)
    today = timezone.localdate()
    application = application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=cw, today=today
    )
    page, base = browser_page, live_server.url
    login(page, base, "cw")
    assert page.inner_text("h1").startswith("我的待办")
    section = page.inner_text("#inbox-applications")
    assert "救助申请待办理" in section and "待入户调查" in section and "还剩" in section
    page.wait_for_selector("#nav-inbox-count:not([hidden])")
    assert page.inner_text("#nav-inbox-count") == "1"
    page.click("#inbox-applications a")
    page.wait_for_url(f"**/households/applications/{application.pk}/")


def test_header_search_finds_a_person_in_scope(browser_page, live_server):
    user("cw", "caseworker", HOME_COMMUNITY)
    household = household_make(community_id=HOME_COMMUNITY, phone="13907911234")
    head = household.members.get(relation="head")
    elsewhere = household_make(community_id="360102002002")
    page, base = browser_page, live_server.url
    login(page, base, "cw")
    page.fill("#header-search", head.id_number[-4:])
    page.press("#header-search", "Enter")
    page.wait_for_url("**/inbox/search/**")
    results = page.inner_text("#search-results")
    assert head.name in results and head.id_number not in results
    page.fill("#header-search", "13907911234")
    page.press("#header-search", "Enter")
    page.wait_for_selector("#search-results")
    assert "按联系电话" in page.inner_text("#search-results")
    page.fill("#header-search", elsewhere.members.get(relation="head").name)
    page.press("#header-search", "Enter")
    page.wait_for_selector("#search-results")
    assert "在您的负责范围内没有找到" in page.inner_text("#search-results")
    page.fill("#header-search", head.name)
    page.press("#header-search", "Enter")
    page.click(f'#search-results td a:text-is("{head.name}")')
    page.wait_for_url(f"**/households/{household.pk}/")


def test_the_street_must_give_a_reason_to_relieve_a_person_again(browser_page, live_server):
    cw = user("cw", "caseworker", HOME_COMMUNITY)
    user("st", "street", "360102002000")
    county = user("co", "county", "360102")
    today = timezone.localdate()
    household = household_make(community_id=HOME_COMMUNITY)
    person = household.members.get(relation="head")
    elsewhere = household_make(community_id="360102004001")
    ReliefGrant.objects.create(
        household=elsewhere,
        person=person,
        kind="urgent",
        amount=Decimal("650"),
        reason="火灾后临时生活困难",
        received_on=today - dt.timedelta(days=60),
        route="street",
        status="paid",
        paid_at=timezone.now(),
        created_by=cw,
    )
    relief_services.reserve_fund_topup(
        street=Region.objects.get(code="360102002000"), amount="5000", acting_user=county
    )
    grant = relief_services.relief_apply(
        acting_user=cw, household=household, person=person, kind="urgent", amount="300", reason="突发重病住院"
    )
    page, base = browser_page, live_server.url
    login(page, base, "st")
    page.goto(f"{base}/benefits/relief/{grant.pk}/")
    warning = page.inner_text("#prior-grants")
    assert "近12个月已获临时救助 1 次" in warning and "650.00" in warning and "火灾后临时生活困难" in warning
    page.check("input[name=decision][value=approve]")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("#decision-form .error")
    assert "请核对后写明继续审批的理由" in page.inner_text("#decision-form")
    grant.refresh_from_db()
    assert grant.status == "submitted"
    page.check("input[name=decision][value=approve]")
    page.fill("#id_duplicate_reason", "两个月前为火灾救助，本次为新发重病住院，困难不同")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("#duplicate-reason")
    grant.refresh_from_db()
    assert (grant.status, grant.duplicate_reason) == (
        "paid",
        "两个月前为火灾救助，本次为新发重病住院，困难不同",
    )
    assert "两个月前为火灾救助" in page.inner_text("#duplicate-reason")


def test_the_application_list_filters_with_the_region_picker_and_pages_keep_them(browser_page, live_server):
    cw = user("cw", "caseworker", HOME_COMMUNITY)
    cw2 = user("cw2", "caseworker", "360102002002")
    user("st", "street", "360102002000")
    today = timezone.localdate()
    mine = application_at(
        "investigating", household=household_make(community_id=HOME_COMMUNITY), caseworker=cw, today=today
    )
    theirs = application_at(
        "investigating", household=household_make(community_id="360102002002"), caseworker=cw2, today=today
    )
    page, base = browser_page, live_server.url
    login(page, base, "st")
    page.goto(base + "/households/applications/")
    steps = page.locator("#application-filters .region-picker select:visible")
    assert steps.count() == 2  # one county: its step is hidden; 街道 and 社区 remain
    page.select_option("#application-filters .region-picker select[aria-label=社区]", "360102002002")
    page.click("#application-filters button[type=submit]")
    page.wait_for_url("**community=360102002002**")
    table = page.inner_text("#all table")
    assert f"#{theirs.pk}" in table and f"#{mine.pk}" not in table
    # the picker shows the chosen community after the reload, and sorting keeps the filter
    assert page.input_value("#application-filters .region-picker select[aria-label=社区]") == "360102002002"
    page.click("#all th >> text=受理日期")
    page.wait_for_url("**sort=received_on**")
    assert "community=360102002002" in page.url


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)])
def test_household_and_relief_lists_filter_sort_and_page_with_the_picker(
    browser_page, live_server, width, height
):
    """Issue 16 item 1 beyond applications: the street officer narrows 家庭档案 and 临时救助 to one community with
    the 县→街道→社区 picker, sorts by a column and pages, and every link keeps the filter; a bad month shows a
    Chinese note instead of an error page."""
    from tests.browser.layout import measure

    user("st", "street", "360102002000")
    mine = [household_make(community_id=HOME_COMMUNITY, members=1 + i % 3) for i in range(3)]
    theirs = [household_make(community_id="360102002002") for _ in range(22)]
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": height})
    login(page, base, "st")
    page.goto(base + "/households/")
    assert page.locator("#household-filters .region-picker select:visible").count() == 2
    page.select_option("#household-filters .region-picker select[aria-label=社区]", "360102002002")
    page.click("#household-filters button[type=submit]")
    page.wait_for_url("**community=360102002002**")
    assert "共 22 户" in page.inner_text("main")
    assert f"#{theirs[-1].pk}" in page.inner_text("table.list")
    assert not {h.community_id for h in mine} & {"360102002002"}
    page.click("table.list th >> text=人数")
    page.wait_for_url("**sort=members**")
    assert "community=360102002002" in page.url
    page.click("#next-page")
    page.wait_for_url("**page=2**")
    assert "community=360102002002" in page.url and "sort=members" in page.url
    assert "第 2 / 2 页" in page.inner_text(".pager")
    assert page.input_value("#household-filters .region-picker select[aria-label=社区]") == "360102002002"
    assert measure(page) == [], width
    page.goto(base + "/households/?month=2026-13&page=abc")
    assert "建档月份“2026-13”不是有效的月份" in page.inner_text("main")
    page.goto(base + "/benefits/relief/?status=nonsense")
    assert "没有“nonsense”这种状态，已忽略该筛选条件" in page.inner_text("main")
    assert page.locator("#relief-filters .region-picker").count() == 1
    assert measure(page) == [], width


def test_one_notification_is_marked_read_on_the_page(browser_page, live_server):
    """Issue 16: a notification can be marked read on its own; the others stay unread."""
    cw = user("cw", "caseworker", HOME_COMMUNITY)
    application_at(
        "approved",
        household=household_make(community_id=HOME_COMMUNITY),
        caseworker=cw,
        street=user("st", "street", "360102002000"),
        county=user("co", "county", "360102"),
    )
    page, base = browser_page, live_server.url
    login(page, base, "cw")
    page.goto(base + "/inbox/notifications/")
    rows = page.locator("#notification-list tbody tr.unread")
    assert rows.count() == 2
    rows.first.locator("form.mark-one button").click()
    page.wait_for_url("**/inbox/notifications/")
    assert page.locator("#notification-list tbody tr.unread").count() == 1
    assert page.locator("#notification-list tbody tr:not(.unread)").count() == 1
    assert "1 条未读" in page.inner_text("h1")
