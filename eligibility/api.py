"""POST /api/v1/eligibility/evaluate — the §7 contract over HTTP (same body, same answer as the command)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import ClientAddressAnonThrottle, StaffOrScope
from config.errors import ServiceError
from config.parsers import SafeJSONParser
from eligibility.io import evaluate_request, standards_to_dict
from eligibility.models import Standard
from eligibility.serializers import EvaluateRequestSerializer, EvaluateResultSerializer, StandardsSerializer
from eligibility.standards import find_standards


class EvaluateView(APIView):
    """A what-if evaluation: reads standards, writes nothing. Errors answer 400 {"errors": [...]}."""

    parser_classes = [SafeJSONParser]
    permission_classes = [StaffOrScope]
    client_scope = "evaluate"

    @extend_schema(
        summary="资格测算 / Evaluate eligibility",
        description=(
            "按请求体测算特困、低保、支出型类别与金额，返回逐条依据；不写入任何数据。\n\n"
            "Evaluates the three categories and amounts for a household under a region's yearly standards "
            "and returns the trace; writes nothing. Bad input: 400 with field-level errors."
        ),
        request=EvaluateRequestSerializer,
        responses={200: EvaluateResultSerializer},
        examples=[
            OpenApiExample(
                "一人户",
                request_only=True,
                value={
                    "region": "360102",
                    "as_of": "2018-06-01",
                    "standards": {"min_wage": "1680"},
                    "household": {
                        "members": [
                            {
                                "id_number": "11010519491231002X",
                                "relation": "head",
                                "monthly_income": "300",
                                "disability_grade": 0,
                                "disability_kind": None,
                                "has_able_supporter": True,
                                "supporter_unable_reason": None,
                            }
                        ]
                    },
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        try:
            payload = request.data
        except ParseError:
            raise ServiceError("请求体不是有效的 JSON", code="parse_error") from None
        return Response(evaluate_request(payload))


class StandardSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Standard
        fields = [
            "region",
            "region_name",
            "year",
            *Standard.FIELDS,
            "placeholder_fields",
            "source",
            "effective_month",
        ]


def _is_code(value: str) -> bool:
    """A division code as the query gives it: 6 to 12 ASCII digits."""
    return value.isascii() and value.isdigit() and 6 <= len(value) <= 12


def _is_year(value: str) -> bool:
    # isascii first: "²".isdigit() is true, and int() refuses it.
    return value.isascii() and value.isdigit() and len(value) == 4 and 2000 <= int(value) <= 2100


class StandardPage(PageNumberPagination):
    page_size = 100


@extend_schema(
    summary="年度标准（公开）/ Yearly standards (public)",
    description="各地区各年度的救助标准，公开数据，无需密钥。`placeholder_fields` 中的字段为演示占位值，"
    "并非当地正式标准。\n\nEvery region's yearly standards; public, no key needed.",
    parameters=[
        OpenApiParameter("region", str, description="区划代码 region code"),
        OpenApiParameter("year", int, description="年度 year"),
    ],
)
class StandardListView(ListAPIView):
    serializer_class = StandardSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientAddressAnonThrottle]
    pagination_class = StandardPage

    def get_queryset(self):
        qs = Standard.objects.select_related("region").order_by("region_id", "-year")
        region, year = self.request.query_params.get("region"), self.request.query_params.get("year")
        errors = []
        if region and not _is_code(region):
            errors.append({"field": "region", "message": "区划代码须为6至12位数字"})
        if year and not _is_year(year):
            errors.append({"field": "year", "message": "年度须为2000至2100之间的数字"})
        if errors:
            raise ServiceError(errors=errors)
        if region:
            qs = qs.filter(region_id=region)
        if year:
            qs = qs.filter(year=int(year))
        return qs


@extend_schema(
    summary="某地某年适用的标准 / Standards in force for a region and year",
    description="沿区划向上取最近一级的记录（社区→街道→县→市→省）。\n\n"
    "The nearest record walking up the region tree; 400 if there is none.",
    parameters=[OpenApiParameter("region", str, required=True), OpenApiParameter("year", int, required=True)],
    responses={200: StandardsSerializer},
)
class EffectiveStandardView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientAddressAnonThrottle]

    def get(self, request: Request) -> Response:
        region, year = request.query_params.get("region", ""), request.query_params.get("year", "")
        errors = []
        if not region:
            errors.append({"field": "region", "message": "请提供区划代码"})
        elif not _is_code(region):
            errors.append({"field": "region", "message": "区划代码须为6至12位数字"})
        if not _is_year(year):
            errors.append({"field": "year", "message": "年度须为2000至2100之间的数字"})
        if errors:
            raise ServiceError(errors=errors)
        found = find_standards(region_code=region, year=int(year))
        return Response(standards_to_dict(found))
