"""Linked-benefit lists for departments (五(二)–(六)): GET /api/v1/lists/benefits/<code>.

Each list is its own scope ("list:<code>"); a client with a region limit sees its region only; rows are
the persons entitled now and those whose entitlement runs on after an exit (`status`, `until`), so an
incremental sync with `changed_since` also learns of the ones that ended. Every read is logged with the
purpose stated in X-Purpose.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission

from accounts.api_auth import DEPARTMENT_AUTH, PURPOSE_PARAMETER, DepartmentPrincipal, stated_purpose
from accounts.models import LINKED_BENEFITS
from accounts.scope import scope_filter
from accounts.services import access_log_record
from benefits.linked import SCOPE_FIELD, continues_until, linked_benefit_persons, with_medical_settings
from benefits.models import EnrolmentMember
from config.pagination import CursorPagination
from help.api import parse_changed_since


class HasListScope(BasePermission):
    message = "该客户端没有此名单的权限"

    def has_permission(self, request, view):
        user = request.user
        return isinstance(user, DepartmentPrincipal) and user.has_scope(f"list:{view.kwargs.get('code')}")


class LinkedRowSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    county_code = serializers.CharField()
    since = serializers.DateField()
    status = serializers.CharField()
    until = serializers.DateField(allow_null=True, help_text="退出后该待遇延续至此日；在保时为空")
    updated_at = serializers.DateTimeField()


class MedicalReliefRowSerializer(LinkedRowSerializer):
    """The medical-relief list (五(三), §8.4): each row with its region's settings for this year."""

    medical_uplift_pp = serializers.CharField(
        allow_null=True, help_text="低保对象：医疗救助比例在现行基础上提高的百分点（本地设定）；其他类别为空"
    )
    serious_illness_threshold = serializers.CharField(
        allow_null=True, help_text="支出型对象：大病起付线（元/年，本地设定；未设定为空）；其他类别为空"
    )
    medical_basis = serializers.CharField(help_text="该类别适用的医疗救助政策，未设定的数值显示“待设置”")


class ByIdNumber(CursorPagination):
    ordering = "id_number"
    page_size = 500
    max_page_size = 5000
    page_size_query_param = "page_size"


@extend_schema(
    summary="关联待遇名单 / Linked-benefit list",
    description="code 取值："
    + "；".join(f"{c}（{label}）" for c, label in LINKED_BENEFITS.items())
    + "。须持有 list:<code> 权限并在 X-Purpose 说明用途；按身份证号码游标分页；changed_since 只返回此后有变化的人员；"
    "每次读取记入访问日志。\n\nPersons entitled to a linked benefit in the client's region, cursor-paginated; "
    "with `changed_since`, only those whose enrolment changed since then (ended ones included, with `until`).",
    parameters=[
        OpenApiParameter("code", str, OpenApiParameter.PATH, enum=list(LINKED_BENEFITS)),
        PURPOSE_PARAMETER,
        OpenApiParameter("changed_since", OpenApiTypes.DATETIME, description="ISO 8601 日期或时间"),
    ],
    responses={200: LinkedRowSerializer(many=True)},
)
class LinkedListView(ListAPIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [HasListScope]
    serializer_class = LinkedRowSerializer
    pagination_class = ByIdNumber

    def get_queryset(self):
        code = self.kwargs["code"]
        if code not in LINKED_BENEFITS:
            raise NotFound("没有这个名单")
        scoped = scope_filter(EnrolmentMember.objects.all(), self.request.user, SCOPE_FIELD)
        rows = linked_benefit_persons(code=code, queryset_scope=scoped)
        since = parse_changed_since(self.request.query_params.get("changed_since"))
        return rows.filter(updated_at__gte=since) if since else rows

    def get_serializer_class(self):
        if self.kwargs.get("code") == "medical_relief":
            return MedicalReliefRowSerializer
        return LinkedRowSerializer

    def list(self, request, *args, **kwargs):
        purpose = stated_purpose(request)
        code = self.kwargs["code"]
        page = self.paginate_queryset(self.get_queryset())
        rows = [{**row, "until": continues_until(code, row["ended"])} for row in (page or [])]
        if code == "medical_relief":
            rows = with_medical_settings(rows)
        response = self.get_paginated_response(self.get_serializer(rows, many=True).data)
        access_log_record(
            request=request, what=f"关联待遇名单：{LINKED_BENEFITS[code]}", purpose=purpose, count=len(rows)
        )
        response["Cache-Control"] = "no-store"
        return response
