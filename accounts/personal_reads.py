"""Reads of personal data on staff pages go into the access log, as API reads do (issue 20 item 6).

One list, by URL name, of the pages that show a full ID number or bank account and of the document download; the
middleware writes one access-log row when such a page answers 200 to a signed-in user. Pages added later that show
full ID numbers belong in this list: tests/test_access_log_pages.py walks every URL pattern of the project as each
staff role and fails on any 200 answer that shows a full ID number or bank account without writing an access-log
row (here, or through a logged export in accounts/personal_exports.py).
"""

from __future__ import annotations

from accounts.services import access_log_record

PURPOSE = "工作人员办理业务"

# URL name → what the page shows
PERSONAL_PAGES: dict[str, str] = {
    "household_detail": "查看家庭档案（完整身份证号、银行账号）",
    "household_edit": "修改家庭档案（完整身份证号、银行账号）",
    "application_detail": "查看救助申请（户主完整身份证号）",
    "application_letter": "打印审批通知书（完整身份证号）",
    "application_document": "下载申请材料",
    "enrolment_detail": "查看救助对象（完整身份证号）",
    "enrolment_notice": "打印终止救助告知书（完整身份证号）",
    "relief_detail": "查看临时救助（完整身份证号）",
    "roll_detail": "查看发放花名册（银行账号）",
    "lead_detail": "查看主动发现线索（身份证号）",
    "job_person": "查看就业帮扶人员（完整身份证号）",
    "student_detail": "查看在校学生（完整身份证号）",
    "ledger_finding_detail": "查看比对疑点（完整身份证号）",
}


class PersonalReadLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        what = PERSONAL_PAGES.get(getattr(match, "url_name", None) or "")
        user = getattr(request, "user", None)
        if (
            what
            and request.method == "GET"
            and response.status_code == 200
            and getattr(user, "is_authenticated", False)
        ):
            access_log_record(request=request, what=what, purpose=PURPOSE, count=1)
        return response
