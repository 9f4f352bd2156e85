"""Department endpoints for help beyond money.

POST /api/v1/leads            a department reports someone who may need help (主动发现, 六(三)). Any active
                              department key may report; the client is recorded as the lead's source, and the
                              community must lie within the client's region limit. A `reference` makes the push
                              idempotent: the same reference again returns the first lead (200, duplicate=true).
GET  /api/v1/lists/students   the education department's list of students of enrolled households with the aid
                              each receives (五(四)); scope "list:student_aid"; cursor-paginated; `changed_since`
                              for incremental sync; limited to the client's region; every read is written to the
                              access log with the purpose stated in X-Purpose.
Staff sessions are refused: these are the departments' door; staff have their pages.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import (
    DEPARTMENT_AUTH,
    PURPOSE_PARAMETER,
    DepartmentPrincipal,
    scope_required,
    stated_purpose,
)
from accounts.services import access_log_record
from common.validators import no_hidden_characters
from config.errors import ServiceError
from config.pagination import CursorPagination
from help.models import Lead, SchoolRecord, StudentAid
from help.selectors import students_for_department
from help.services.leads import lead_receive_from_department


class DepartmentOnly(BasePermission):
    """Any active department client (a key); staff sessions are refused."""

    message = "此接口仅供部门接口客户端使用"

    def has_permission(self, request, view):
        return isinstance(request.user, DepartmentPrincipal)


# --------------------------------------------------------------------------------------------------
# POST /api/v1/leads


class LeadInSerializer(serializers.Serializer):
    community = serializers.CharField(max_length=12, help_text="社区12位区划代码 community code (12 digits)")
    name = serializers.CharField(max_length=32, help_text="姓名", validators=[no_hidden_characters])
    id_number = serializers.CharField(
        max_length=18, required=False, allow_blank=True, default="", help_text="身份证号码（知道时填写）"
    )
    address = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[no_hidden_characters]
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(choices=Lead.Reason.choices, help_text="发现原因")
    detail = serializers.CharField(max_length=2000, help_text="情况说明")
    reporter_name = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="部门经办人"
    )
    reference = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="部门自己的编号；同一编号重复推送只生成一条线索",
    )


class LeadReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(
        help_text="open 待走访 / visited 已走访 / converted 已转为申请 / closed 已关闭"
    )
    reported_on = serializers.DateField()
    visit_due_on = serializers.DateField(help_text="首次走访时限 first visit due")
    duplicate = serializers.BooleanField(help_text="该编号已推送过，返回原线索")


class LeadReportView(APIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [DepartmentOnly]

    @extend_schema(
        summary="推送主动发现线索 / Report a lead",
        description="相关部门发现可能需要救助的群众（大额医疗支出、主要劳动力死亡、失业等）时推送线索，由所在社区在"
        "3个工作日内上门走访。任何有效的部门密钥均可推送，推送部门记为线索来源；社区须在本客户端区划范围内。"
        "带 reference 的重复推送返回原线索。\n\n"
        "Any department key may report; the client is recorded as the source; the community must lie "
        "within the client's region limit. A repeated `reference` returns the first lead (200).",
        request=LeadInSerializer,
        responses={201: LeadReceiptSerializer, 200: LeadReceiptSerializer},
    )
    def post(self, request: Request) -> Response:
        incoming = LeadInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        lead, created = lead_receive_from_department(
            principal=request.user,
            community_code=data["community"],
            name=data["name"],
            reason=data["reason"],
            detail=data["detail"],
            id_number=data["id_number"],
            address=data["address"],
            phone=data["phone"],
            reporter_name=data["reporter_name"],
            reference=data["reference"],
        )
        body = {
            "id": lead.pk,
            "status": lead.status,
            "reported_on": lead.reported_on.isoformat(),
            "visit_due_on": lead.visit_due_on.isoformat(),
            "duplicate": not created,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --------------------------------------------------------------------------------------------------
# GET /api/v1/lists/students


class StudentAidSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = StudentAid
        fields = ["kind", "kind_label", "school_year", "amount", "provider", "granted_on"]
        read_only_fields = fields


class StudentRowSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="person.id_number", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    sex = serializers.CharField(source="person.sex", read_only=True, help_text="M / F")
    birth_date = serializers.DateField(source="person.birth_date", read_only=True)
    household = serializers.IntegerField(source="person.household_id", read_only=True)
    community = serializers.CharField(source="person.household.community_id", read_only=True)
    community_name = serializers.CharField(source="person.household.community.name", read_only=True)
    covered = serializers.BooleanField(read_only=True, help_text="家庭目前是否为救助对象")
    category = serializers.CharField(read_only=True, allow_null=True, help_text="救助类别 dibao/tekun/zhichu")
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="in_school 在读 / suspended 休学 / graduated 已毕业 / left 已离校"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    aids = StudentAidSerializer(many=True, read_only=True)

    class Meta:
        model = SchoolRecord
        fields = [
            "id",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "household",
            "community",
            "community_name",
            "covered",
            "category",
            "school",
            "stage",
            "stage_label",
            "grade",
            "student_no",
            "status",
            "status_label",
            "aids",
            "updated_at",
        ]
        read_only_fields = fields


class InIdOrder(CursorPagination):
    ordering = "id"
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"


def parse_changed_since(value: str | None) -> dt.datetime | None:
    """ISO 8601 date or date-time; a naive value is Asia/Shanghai time."""
    if value is None or value == "":
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = dt.datetime.combine(day, dt.time.min)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ServiceError(
            "changed_since 须为 ISO 8601 日期或时间，如 2018-06-01 或 2018-06-01T08:00:00+08:00",
            field="changed_since",
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > dt.timedelta(hours=14):
        raise ServiceError("changed_since 的时区偏移须在 ±14:00 以内", field="changed_since")
    # The database compares in UTC; an odd but valid offset must not reach it as text.
    return moment.astimezone(dt.UTC)


@extend_schema(
    summary="在校学生资助名单 / Students of enrolled households",
    description="城镇贫困家庭上学子女名单（五(四)）：本客户端区划内曾为或现为救助对象的家庭中登记在校信息的成员，"
    "含身份证号码、学校、学段、在读状态和“奖、助、贷、勤、减、免”资助；covered 表示家庭目前是否为救助对象。"
    "按编号游标分页；changed_since 只返回此后学生信息、资助或家庭救助状态有变化的学生。须持有 list:student_aid "
    "权限并在 X-Purpose 说明用途；每次读取记入访问日志。\n\n"
    "Students of households that are or were enrolled, in the client's region, with their aid; "
    "`covered` says whether the household is enrolled now. Cursor-paginated by id; with "
    "`changed_since`, only students whose record, aid or household coverage changed since then.",
    parameters=[
        PURPOSE_PARAMETER,
        OpenApiParameter("changed_since", OpenApiTypes.DATETIME, description="ISO 8601 日期或时间"),
    ],
    responses={200: StudentRowSerializer(many=True)},
)
class StudentListView(ListAPIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [scope_required("list:student_aid")]
    serializer_class = StudentRowSerializer
    pagination_class = InIdOrder

    def get_queryset(self):
        since = parse_changed_since(self.request.query_params.get("changed_since"))
        return students_for_department(principal=self.request.user, changed_since=since)

    def list(self, request, *args, **kwargs):
        purpose = stated_purpose(request)
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page) if page is not None else []
        response = self.get_paginated_response(self.get_serializer(rows, many=True).data)
        access_log_record(request=request, what="在校学生资助名单", purpose=purpose, count=len(rows))
        response["Cache-Control"] = "no-store"
        return response
