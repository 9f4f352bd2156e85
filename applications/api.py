"""Read-only REST endpoints for applications and their events, scoped exactly like the pages.

GET /api/v1/applications?status=open      cursor-paginated list (newest first)
GET /api/v1/applications/<id>             one application with its steps, documents (metadata) and events
GET /api/v1/applications/<id>/events      its events in order, cursor-paginated
Staff only (department API clients have no scope for case files). Out of scope answers 404, as on the
pages. Each answer that carries personal data is written to the access log (accounts.AccessLog), with the
purpose from the X-Purpose header when the caller gives one.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import BasePermission

from accounts.api_auth import STAFF_AUTH, DepartmentPrincipal, stated_purpose
from accounts.permissions import has_staff_role
from accounts.services import access_log_record
from applications import selectors as app_selectors
from applications.serializers import ApplicationDetailSerializer, ApplicationSerializer, EventSerializer
from config.pagination import CursorPagination

DEFAULT_PURPOSE = "工作人员业务查阅"


class StaffOnly(BasePermission):
    """Signed-in staff with a role (or a superuser); department clients are refused."""

    message = "无权访问此接口"

    def has_permission(self, request, view):
        user = request.user
        if user is None or isinstance(user, DepartmentPrincipal):
            return False
        return bool(user.is_active and has_staff_role(user))


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class InOrder(CursorPagination):
    ordering = ("at", "id")
    page_size = 100
    max_page_size = 500
    page_size_query_param = "page_size"


def _log(request, what: str, count: int, subject: str = "") -> None:
    if count:
        purpose = stated_purpose(request, default=DEFAULT_PURPOSE)
        access_log_record(request=request, what=what, purpose=purpose, subject=subject, count=count)


@extend_schema_view(
    get=extend_schema(
        summary="救助申请列表 / Applications",
        description="本人辖区内的救助申请，最新在前，游标分页；status=open 只看在办的。仅限工作人员登录会话。\n\n"
        "Applications in the signed-in staff user's region, newest first; staff session only.",
    )
)
class ApplicationList(ListAPIView):
    authentication_classes = STAFF_AUTH
    permission_classes = [StaffOnly]
    serializer_class = ApplicationSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return app_selectors.application_list(
            user=self.request.user, status=self.request.query_params.get("status", "")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = app_selectors.annotate_deadlines(page, timezone.localdate())
        _log(request, "救助申请列表", len(rows))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="救助申请详情 / One application",
        description="一件申请及其步骤、材料（仅元数据）和办理记录；不在辖区内的答 404。\n\n"
        "One application with its steps, documents (metadata) and events; outside the region: 404.",
    )
)
class ApplicationDetail(RetrieveAPIView):
    authentication_classes = STAFF_AUTH
    permission_classes = [StaffOnly]
    serializer_class = ApplicationDetailSerializer

    def get_object(self):
        application = app_selectors.application_get(user=self.request.user, pk=self.kwargs["pk"])
        app_selectors.annotate_deadlines([application], timezone.localdate())
        heads = [m for m in application.household.members.all() if m.relation == "head"]
        _log(self.request, f"救助申请#{application.pk}", 1, subject=heads[0].id_number if heads else "")
        return application


@extend_schema_view(
    get=extend_schema(
        summary="救助申请办理记录 / Events of an application",
        description="按时间顺序的办理记录，游标分页。\n\nThe application's events in order, cursor-paginated.",
    )
)
class ApplicationEvents(ListAPIView):
    authentication_classes = STAFF_AUTH
    permission_classes = [StaffOnly]
    serializer_class = EventSerializer
    pagination_class = InOrder

    def get_queryset(self):
        return app_selectors.application_events(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        _log(request, f"救助申请#{self.kwargs['pk']}办理记录", len(response.data.get("results", [])))
        return response
