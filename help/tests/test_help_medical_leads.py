"""Leads from department data (policy.md §8.7): a `medical_expense` extract from the medical-insurance department
becomes proactive-discovery leads for households not yet covered whose personal medical costs are large."""

from __future__ import annotations

import datetime as dt

import pytest

from benefits.tests.factories import enrol, household, standard
from conftest import HOME_COMMUNITY, make_id
from help.models import Lead
from help.services.leads import leads_from_medical_expense
from ledgers.services import extract_upload
from ledgers.tests.factories import PERIOD, csv_upload

pytestmark = pytest.mark.django_db
HEADER = ["身份证号码", "姓名", "个人负担医疗费用（元）", "结算日期", "所在社区区划代码"]


def test_large_medical_costs_of_households_not_covered_become_leads(
    county_officer, django_capture_on_commit_callbacks, settings
):
    settings.MEDICAL_EXPENSE_LEAD_MIN = 10000
    standard(year=2018)
    poor = household({"income": "900", "name": "赵六"})
    covered = household({"income": "300", "name": "钱七"})
    enrol(covered, acting_user=county_officer, today=dt.date(2018, 6, 20))
    stranger = make_id()
    rows = [
        [poor.members.get().id_number, "赵六", "6000", "2025-08-01", HOME_COMMUNITY],
        [poor.members.get().id_number, "赵六", "6500", "2025-09-01", HOME_COMMUNITY],  # 12,500 in all
        [covered.members.get().id_number, "钱七", "15000", "2025-08-01", HOME_COMMUNITY],
        [stranger, "孙八", "20000", "2025-08-01", HOME_COMMUNITY],
        [make_id(), "李九", "500", "2025-08-01", HOME_COMMUNITY],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        extract = extract_upload(
            principal=county_officer,
            file=csv_upload(HEADER, rows),
            original_name="medical.csv",
            kind="medical_expense",
            period=PERIOD,
            mode="strict",
        )
    extract.refresh_from_db()
    assert extract.status == "loaded"
    leads = {lead.name: lead for lead in Lead.objects.all()}
    assert set(leads) == {"赵六", "孙八"}  # 钱七 is covered; 李九's costs are small
    assert leads["赵六"].household == poor and leads["赵六"].reason == "medical"
    assert "个人负担医疗费用12500.00元" in leads["赵六"].detail
    assert (leads["孙八"].community_id, leads["孙八"].id_number, leads["孙八"].source) == (
        HOME_COMMUNITY,
        stranger,
        "department",
    )
    # running it again raises nothing new
    assert leads_from_medical_expense(extract_id=extract.pk)["raised"] == 0
    assert Lead.objects.count() == 2
