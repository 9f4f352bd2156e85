from django.urls import path

from benefits.views import corrections, enrolments, exports, relief, rolls

urlpatterns = [
    # Enrolments (救助对象) and dynamic management
    path("", enrolments.enrolment_list, name="enrolment_list"),
    path("export.xlsx", exports.enrolment_export, name="enrolment_export"),
    path("enrolments/<int:pk>/", enrolments.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/recompute/", enrolments.enrolment_recompute, name="enrolment_recompute"),
    path("enrolments/<int:pk>/suspend/", enrolments.enrolment_suspend, name="enrolment_suspend"),
    path("enrolments/<int:pk>/resume/", enrolments.enrolment_resume, name="enrolment_resume"),
    path("enrolments/<int:pk>/exit/", enrolments.enrolment_exit, name="enrolment_exit"),
    path("enrolments/<int:pk>/notice/", enrolments.enrolment_notice, name="enrolment_notice"),
    path("enrolments/<int:pk>/supplement/", enrolments.enrolment_supplement, name="enrolment_supplement"),
    path("enrolments/<int:pk>/share/", enrolments.enrolment_share_reduce, name="enrolment_share_reduce"),
    path("enrolments/<int:pk>/fact/", enrolments.enrolment_fact, name="enrolment_fact"),
    path("reviews/", enrolments.review_queue, name="review_queue"),
    path("county-tasks/", enrolments.county_task_list, name="county_task_list"),
    path("reviews/export.xlsx", exports.review_export, name="review_export"),
    path("reviews/<int:pk>/", enrolments.review_complete, name="review_complete"),
    # Monthly payment rolls (发放花名册)
    path("rolls/", rolls.roll_list, name="roll_list"),
    path("rolls/<int:pk>/", rolls.roll_detail, name="roll_detail"),
    path("rolls/<int:pk>/lock/", rolls.roll_lock, name="roll_lock"),
    path("rolls/<int:pk>/retry/", rolls.roll_unstick, {"action": "retry"}, name="roll_retry"),
    path("rolls/<int:pk>/abandon/", rolls.roll_unstick, {"action": "abandon"}, name="roll_abandon"),
    path("rolls/<int:pk>/lines/<int:line_id>/hold/", rolls.roll_line_hold, name="roll_line_hold"),
    path(
        "lines/<int:line_id>/correct/",
        corrections.correction_request,
        name="correction_request",
    ),
    path("corrections/", corrections.correction_list, name="correction_list"),
    path("corrections/<int:pk>/decide/", corrections.correction_decide, name="correction_decide"),
    path("rolls/<int:pk>/export.csv", rolls.roll_export_csv, name="roll_export_csv"),
    path("rolls/<int:pk>/export.xlsx", rolls.roll_export_xlsx, name="roll_export_xlsx"),
    # Reserve funds (备用金) and temporary relief (临时救助)
    path("funds/", relief.fund_list, name="fund_list"),
    path("funds/<str:code>/", relief.fund_detail, name="fund_detail"),
    path("relief/", relief.relief_list, name="relief_list"),
    path("relief/export.xlsx", exports.relief_export, name="relief_export"),
    path("relief/filed/export.xlsx", exports.relief_filed_export, name="relief_filed_export"),
    path("relief/filed/", relief.relief_filed, name="relief_filed"),
    path("relief/new/<int:household_pk>/", relief.relief_apply, name="relief_apply"),
    path("relief/special/new/<int:household_pk>/", relief.relief_special_apply, name="relief_special_apply"),
    path("relief/<int:pk>/", relief.relief_detail, name="relief_detail"),
]
