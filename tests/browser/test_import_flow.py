"""A county officer imports a small ledger workbook: upload, preview, confirm, and the progress bar polls the
status endpoint until the import is done (the page reloads itself to show the result)."""

import pytest

from accounts.models import User
from benefits.models import Enrolment
from common.spreadsheets import Sheet, write_workbook
from conftest import HOME_COMMUNITY, make_id
from households.models import Household, Person
from imports import services as imports
from imports import workbook as importing
from imports.models import ImportBatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _row(**values):
    return [values.get(c.key, "") for c in importing.COLUMNS]


def test_county_officer_uploads_previews_confirms_and_sees_the_import_done(
    browser_page, live_server, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    User.objects.create_user(username="co", password="pass-Word-123", role="county", region_id="360102")
    head, spouse = make_id(birth="19660606"), make_id(birth="19680808", sex="F")
    path = tmp_path / "台账.xlsx"
    write_workbook(
        [
            Sheet(
                importing.DATA_SHEET,
                [c.label for c in importing.COLUMNS],
                [
                    _row(
                        key="1",
                        community=HOME_COMMUNITY,
                        address="滕王阁路88号",
                        name="赵大勇",
                        id_number=head,
                        relation="户主",
                        income_wage="500",
                        bank_account="6228480000000000088",
                        category="低保",
                        monthly_amount="620.00",
                        start_month="2025-05",
                    ),
                    _row(
                        key="1", name="钱秀英", id_number=spouse, relation="配偶", labor_capacity="无劳动能力"
                    ),
                ],
            )
        ],
        str(path),
    )

    page = browser_page
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "co")
    page.fill("input[name=password]", "pass-Word-123")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/households/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button[type=submit].primary")
    page.wait_for_url("**/households/import/*/")
    counts = page.locator("#import-counts").inner_text()
    assert "1 户" in counts and "2 人" in counts and "1 个" in counts
    assert "赵大勇" in page.content() and head not in page.content()  # the preview masks ID numbers
    assert Person.objects.count() == 0

    # Confirming queues the import; here the test plays the Celery worker, so the page sees it running.
    queued = []
    monkeypatch.setattr(imports, "_queue", queued.append)
    page.click("#import-confirm")
    page.wait_for_selector("#import-progress")
    assert "导入中" in page.locator("#import-status").inner_text()
    batch = ImportBatch.objects.get()
    assert queued == [batch.pk] and batch.status == ImportBatch.Status.IMPORTING

    imports.import_process(batch_id=batch.pk)
    page.wait_for_selector("#import-done", timeout=20000)  # the poller saw it finish and reloaded the page
    assert "新建 1 户家庭档案、2 名成员、1 个救助对象" in page.locator("#import-done").inner_text()
    assert page.locator("#import-status").inner_text() == "已导入"
    household = Household.objects.get()
    assert sorted(household.members.values_list("name", flat=True)) == ["赵大勇", "钱秀英"]
    assert Enrolment.objects.get().monthly_amount == 620
    page.screenshot(path="/tmp/jiekun-import-done.png")
