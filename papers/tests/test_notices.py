"""Decision notices: which decisions get one, the 文号 per county and year (never reused), who may issue, and what a
notice says (reason, clause, the appeal), as a page and as a PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Event
from applications.tests.factories import FAST_HASHERS, application_at
from benefits.services.enrolments import enrolment_exit, enrolment_suspend
from benefits.tests.factories import household, standard
from papers import services
from papers.models import DecisionNotice, NoticeSequence

pytestmark = pytest.mark.django_db

OTHER_COUNTY = "360103"  # 西湖区: same city, another county


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard(year=2018)


@pytest.fixture
def approved(caseworker, street_officer, county_officer):
    home = household({"income": "300", "name": "王建国"})
    return application_at(
        "approved", household=home, caseworker=caseworker, street=street_officer, county=county_officer
    )


def state():
    return (
        list(DecisionNotice.objects.values_list("reference", flat=True)),
        list(NoticeSequence.objects.values_list("county_code", "year", "last_number")),
        Event.objects.filter(verb__startswith="出具").count(),
    )


def test_an_approval_gets_the_countys_first_number_of_the_year_and_keeps_it(approved, county_officer):
    [decision] = services.decisions_of(approved)
    assert (decision.kind, decision.key) == ("approve", f"application:{approved.pk}")
    notice = services.notice_issue(
        application=approved, decision_key=decision.key, acting_user=county_officer
    )
    assert (notice.reference, notice.county_code, notice.year, notice.number) == (
        "东民救〔2018〕1号",
        "360102",
        2018,
        1,
    )
    assert (
        notice.clause == "赣发〔2018〕7号 四(二)"
    )  # the dibao rules it passed, not the tekun ones it failed
    assert notice.facts["amount"] == str(approved.enrolment.monthly_amount)
    assert notice.facts["persons"] == 1 and notice.facts["start_month"] == "2018-07-01"
    # Issued again (a second click, a reprint): the same notice, the same number, no number used up.
    again = services.notice_issue(application=approved, decision_key=decision.key, acting_user=county_officer)
    assert again.pk == notice.pk
    assert state() == (["东民救〔2018〕1号"], [("360102", 2018, 1)], 1)


def test_numbers_run_per_county_and_year(approved, caseworker, street_officer, county_officer, make_user):
    services.notice_issue(
        application=approved, decision_key=f"application:{approved.pk}", acting_user=county_officer
    )
    # The same county, the same year: the next number.
    rejected = application_at(
        "rejected",
        household=household({"income": "300"}),
        caseworker=caseworker,
        street=street_officer,
        county=county_officer,
    )
    second = services.notice_issue(
        application=rejected, decision_key=f"application:{rejected.pk}", acting_user=county_officer
    )
    assert (second.kind, second.reference) == ("reject", "东民救〔2018〕2号")

    # A suspension decided now: this year's sequence of the county starts at 1.
    enrolment_suspend(enrolment=approved.enrolment, acting_user=county_officer, reason="连续两月联系不上")
    decisions = services.decisions_of(approved)
    assert [d.kind for d in decisions] == ["approve", "suspend"]
    suspend = services.notice_issue(
        application=approved, decision_key=decisions[1].key, acting_user=county_officer
    )
    today = timezone.localdate()
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert (suspend.kind, suspend.reference, suspend.reason) == (
        "suspend",
        f"东民救〔{today.year}〕1号",
        "连续两月联系不上",
    )
    assert suspend.facts["month"] == next_month.isoformat() and suspend.enrolment_id == approved.enrolment.pk

    # Another county's sequence starts at 1.
    other = household({"income": "300"}, community=f"{OTHER_COUNTY}001001")
    other_app = application_at(
        "approved",
        household=other,
        caseworker=make_user("caseworker", f"{OTHER_COUNTY}001001"),
        street=make_user("street", f"{OTHER_COUNTY}001000"),
        county=(other_county := make_user("county", OTHER_COUNTY)),
    )
    first = services.notice_issue(
        application=other_app, decision_key=f"application:{other_app.pk}", acting_user=other_county
    )
    assert first.reference == "西民救〔2018〕1号"
    assert sorted(state()[1]) == [("360102", 2018, 2), ("360102", today.year, 1), (OTHER_COUNTY, 2018, 1)]


def test_an_exit_notice_states_reason_clause_and_appeal(client, approved, county_officer):
    enrolment_exit(
        enrolment=approved.enrolment,
        acting_user=county_officer,
        reason="income",
        note="户主2018年8月起在社区超市就业，月工资1800元，家庭人均收入超过保障标准",
        today=dt.date(2018, 9, 10),
    )
    exit_decision = next(d for d in services.decisions_of(approved) if d.kind == "exit")
    client.force_login(county_officer)
    response = client.post(reverse("notice_issue", args=[approved.pk]), {"decision": exit_decision.key})
    notice = DecisionNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("notice_print", args=[notice.pk])
    assert notice.reference == "东民救〔2018〕1号" and notice.decided_on == dt.date(2018, 9, 10)

    page = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    head = approved.household.members.get()
    assert "终止救助通知书" in page and "东民救〔2018〕1号" in page
    assert "事实和理由：户主2018年8月起在社区超市就业" in page
    assert "依据：赣发〔2018〕7号 四(二)、六(三)。" in page
    assert "60日内向东湖区人民政府申请行政复议" in page and "6个月内直接向人民法院提起行政诉讼" in page
    assert "救助金发放至2018年9月" in page
    assert head.id_number not in page and head.id_masked in page
    assert "<script>" not in page and "onclick" not in page and "@page" not in page  # styles in print.css

    pdf = client.get(reverse("notice_print_pdf", args=[notice.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "private, no-store"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    assert "终止救助通知书" in text and "东民救〔2018〕1号" in text and "申请行政复议" in text
    assert "第1页/共1页" in text and head.id_number not in text


def test_a_rejection_notice_gives_the_failed_clauses(client, caseworker, street_officer, county_officer):
    home = household({"income": "300"})
    rejected = application_at(
        "rejected", household=home, caseworker=caseworker, street=street_officer, county=county_officer
    )
    [decision] = services.decisions_of(rejected)
    notice = services.notice_issue(
        application=rejected, decision_key=decision.key, acting_user=county_officer
    )
    assert (notice.kind, notice.reason) == ("reject", "经核查不符合条件")
    assert notice.clause.startswith("赣发〔2018〕7号 四(")
    client.force_login(county_officer)
    page = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    assert "不予批准救助通知书" in page and "决定不予批准" in page and "申请行政复议" in page


def test_only_the_deciding_office_issues_and_a_refusal_changes_nothing(
    client, approved, caseworker, street_officer, make_user
):
    key = f"application:{approved.pk}"
    before = state()
    for user, status in (
        (caseworker, 403),
        (street_officer, 403),
        (make_user("county", OTHER_COUNTY), 404),  # out of scope: looks like not found
        (make_user("auditor", "360000"), 403),
    ):
        client.force_login(user)
        assert (
            client.post(reverse("notice_issue", args=[approved.pk]), {"decision": key}).status_code == status
        )
        assert state() == before


def test_papers_and_notices_out_of_scope_are_not_found(client, approved, county_officer, make_user):
    notice = services.notice_issue(
        application=approved, decision_key=f"application:{approved.pk}", acting_user=county_officer
    )
    urls = [
        reverse("application_papers", args=[approved.pk]),
        reverse("application_form", args=[approved.pk, "form"]),
        reverse("application_form_pdf", args=[approved.pk, "visit"]),
        reverse("notice_print", args=[notice.pk]),
        reverse("notice_print_pdf", args=[notice.pk]),
    ]
    client.force_login(make_user("caseworker", "360102002002"))  # the next community of the same street
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    client.force_login(make_user("city", "360100"))  # above: reads, does not issue
    assert [client.get(url).status_code for url in urls[:4]] == [200] * 4
    page = client.get(urls[0]).content.decode()
    assert "东民救〔2018〕1号" in page and "出具通知书（编文号）" not in page


def test_a_decision_without_a_reason_or_unknown_is_refused_with_a_message(client, approved, county_officer):
    client.force_login(county_officer)
    response = client.post(
        reverse("notice_issue", args=[approved.pk]), {"decision": "event:999999"}, follow=True
    )
    assert "没有这项决定，或该决定不需要出具通知书" in response.content.decode()
    assert state() == ([], [], 0)


def test_a_new_standard_changes_the_amount_and_the_change_notice_states_both(
    client, approved, county_officer
):
    from benefits.services.standards import standard_recompute
    from benefits.tests.test_standard_recompute import VALUES_2019
    from eligibility.models import Standard

    old = approved.enrolment.monthly_amount
    standard = Standard.objects.create(region_id="360102", year=2019, **VALUES_2019)
    standard_recompute(standard=standard, acting_user=county_officer, today=dt.date(2019, 2, 5))
    approved.enrolment.refresh_from_db()
    new = approved.enrolment.monthly_amount
    assert new != old
    change = next(d for d in services.decisions_of(approved) if d.kind == "change")
    assert change.facts["old_amount"] == str(old) and change.facts["new_amount"] == str(new)
    assert change.facts["month"] == "2019-01-01" and change.reason == "2019年度保障标准调整"
    notice = services.notice_issue(application=approved, decision_key=change.key, acting_user=county_officer)
    client.force_login(county_officer)
    page = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    assert "变更救助通知书" in page
    assert f"决定自2019年1月起，月救助金由 <strong>{old}</strong> 元变更为 <strong>{new}</strong> 元" in page
    assert "依据：赣发〔2018〕7号 六(三)。" in page and "申请行政复议" in page
