"""Every role's main pages fit a 390×844 phone and a 1366×768 laptop (issue 16 item 3), on the demo data."""

import os
import shutil
import subprocess

import pytest
from django.core.management import call_command

from tests.browser.layout import DESKTOP, PHONE, login, measure, walk_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One user per kind of page set (caseworker2 and province see the same pages as caseworker and city).
ROLES = ("caseworker", "street", "county", "city", "auditor")


@pytest.fixture
def chinese_font():
    """Without a CJK font chromium draws every character as a narrow box, and the layout measured is not the one
    users see: .ci/run installs Debian's fonts-wqy-microhei."""
    found = (
        shutil.which("fc-list")
        and subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    if not found:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("no Chinese font: apt-get install fonts-wqy-microhei")
        pytest.skip("no Chinese font (apt-get install fonts-wqy-microhei)")


def test_every_main_page_of_every_role_fits_a_phone_and_a_laptop(browser_page, live_server, chinese_font):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_applications", verbosity=0)
    page, problems, walked = browser_page, [], 0
    for role in ROLES:
        page.context.clear_cookies()
        results = walk_role(page, live_server.url, role, "jiekun-demo-2018")
        walked += len(results)
        problems += [
            f"{role} {r['size']} {r['url']}: {'；'.join(r['problems'])}" for r in results if r["problems"]
        ]
        # The walk reached the pages that matter: lists, a household, an application, the role's forms.
        assert len(results) >= 2 * 15, (role, [r["url"] for r in results])
    assert problems == [], "\n".join(problems)
    assert walked >= 2 * 100


def test_the_phone_menu_opens_without_script_and_the_header_stays_small(
    browser_page, live_server, make_user, chinese_font
):
    make_user("street", "360102002000", "st-phone")
    page = browser_page
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    login(page, live_server.url, "st-phone", "pass-Word-123")
    nav = page.locator("#main-nav")
    assert not nav.is_visible()
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= PHONE[1] / 4
    page.click("label.nav-button")
    assert nav.is_visible()
    assert measure(page) == []
    page.screenshot(path="/tmp/jiekun-phone-menu.png")
    page.locator("#main-nav a", has_text="救助申请").click()
    page.wait_for_url("**/applications/")
    assert not page.locator("#main-nav").is_visible()  # a new page starts with the menu closed

    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    assert page.locator("#main-nav").is_visible() and not page.locator("label.nav-button").is_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < 120
    # No inline script anywhere on the page (the coming CSP forbids it).
    assert (
        page.evaluate("[...document.scripts].filter((s) => !s.src && s.type !== 'application/json').length")
        == 0
    )
