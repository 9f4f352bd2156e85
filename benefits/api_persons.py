"""Person lookup for departments: is this person covered, in which category, since when, where.

Minimal disclosure: nothing else about the person or the household leaves the system. A client with a
region limit learns only about coverage in its region; outside it the answer is "not covered here".
Every lookup is written to the access log with the purpose the caller states in X-Purpose.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import DEPARTMENT_AUTH, PURPOSE_PARAMETER, scope_required, stated_purpose
from accounts.services import access_log_record
from applications.models import CATEGORY_SHORT_LABELS
from benefits.selectors import person_coverage
from common import idnumber
from config.errors import ServiceError

LookupResult = inline_serializer(
    "PersonCoverage",
    fields={
        "id_number": serializers.CharField(),
        "covered": serializers.BooleanField(),
        "category": serializers.CharField(allow_null=True),
        "category_label": serializers.CharField(allow_null=True),
        "since": serializers.DateField(allow_null=True),
        "region": serializers.CharField(allow_null=True, help_text="县级区划代码 county code"),
    },
)


class PersonLookupView(APIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [scope_required("person_lookup")]

    @extend_schema(
        summary="人员救助状态查询 / Is this person covered",
        description="按身份证号码查询是否为特困、低保或支出型救助对象，只返回类别、起始月份和所在县。"
        "须在 X-Purpose 请求头说明用途；每次查询均记入访问日志。\n\n"
        "Whether a person is covered, in which category, since when and in which county — nothing "
        "more. State the purpose in X-Purpose; every lookup is logged.",
        parameters=[PURPOSE_PARAMETER],
        responses={200: LookupResult},
    )
    def get(self, request: Request, id_number: str) -> Response:
        purpose = stated_purpose(request)
        try:
            id_number = idnumber.parse(id_number).number
        except idnumber.InvalidIdNumber as exc:
            raise ServiceError(str(exc), field="id_number") from None
        row = person_coverage(user=request.user, id_number=id_number)
        access_log_record(
            request=request,
            what="人员救助状态查询",
            purpose=purpose,
            subject=id_number,
            count=1 if row else 0,
        )
        if row is None:
            body = {
                "id_number": id_number,
                "covered": False,
                "category": None,
                "category_label": None,
                "since": None,
                "region": None,
            }
        else:
            category, since, community = row
            body = {
                "id_number": id_number,
                "covered": True,
                "category": category,
                "category_label": CATEGORY_SHORT_LABELS.get(category),
                "since": since.isoformat(),
                "region": community[:6],
            }
        response = Response(body)
        response["Cache-Control"] = "no-store"
        return response
