"""POST /api/v1/eligibility/evaluate — the §7 contract over HTTP (same body, same answer as the command)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import StaffOrScope
from config.errors import ServiceError
from eligibility.io import evaluate_request


class EvaluateView(APIView):
    """A what-if evaluation: reads standards, writes nothing. Errors answer 400 {"errors": [...]}."""

    parser_classes = [JSONParser]
    permission_classes = [StaffOrScope]
    client_scope = "evaluate"

    @extend_schema(
        summary="资格测算 / Evaluate eligibility",
        description=(
            "按 policy.md §7 的请求体测算特困、低保、支出型类别与金额，返回逐条依据；不写入任何数据。\n\n"
            "Evaluates the three categories and amounts for a household under a region's yearly standards "
            "and returns the trace; writes nothing. Bad input: 400 with field-level errors."
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("一人户", request_only=True, value={
            "region": "360102", "as_of": "2018-06-01", "standards": {"min_wage": "1680"},
            "household": {"members": [{"id_number": "11010519491231002X", "monthly_income": "300"}]},
        })],
    )
    def post(self, request: Request) -> Response:
        try:
            payload = request.data
        except ParseError:
            raise ServiceError("请求体不是有效的 JSON", code="parse_error") from None
        return Response(evaluate_request(payload))
