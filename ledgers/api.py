"""REST endpoints for department clients (API key with scopes; staff use the pages):

POST /api/v1/ledgers/extracts/              upload (multipart: file, kind, program, period, mode)  extract_upload
GET  /api/v1/ledgers/extracts/              the client's own extracts                              extract_upload
GET  /api/v1/ledgers/extracts/<id>/         status and counts                                      extract_upload
GET  /api/v1/ledgers/extracts/<id>/errors/  bad rows with line numbers                             extract_upload
POST /api/v1/ledgers/extracts/<id>/load/    load the good rows of a checked extract (mode=check)   extract_upload
POST /api/v1/ledgers/extracts/<id>/discard/ load nothing                                           extract_upload
GET  /api/v1/ledgers/findings/              findings resting on the client's own extracts          findings

A client sees only its own extracts and findings; another client's id answers 404. Reading findings
(personal data) needs a stated purpose (X-Purpose) and is written to the access log.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import scope_required, stated_purpose
from accounts.services import access_log_record
from config.middleware import request_max_bytes
from ledgers import periods, selectors
from ledgers.serializers import (
    ExtractErrorSerializer,
    ExtractSerializer,
    ExtractUploadSerializer,
    FindingSerializer,
)
from ledgers.services import extract_discard, extract_request_load, extract_upload

Upload = scope_required("extract_upload")
Findings = scope_required("findings")


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"


class ByLine(CursorPagination):
    ordering = ("line", "id")
    page_size = 200
    max_page_size = 1000
    page_size_query_param = "page_size"


def _own(request, pk: int):
    return get_object_or_404(selectors.client_extracts(client=request.user.client), pk=pk)


@request_max_bytes("EXTRACT_UPLOAD_MAX_BYTES")
class ExtractListCreate(ListAPIView):
    permission_classes = [Upload]
    serializer_class = ExtractSerializer
    pagination_class = NewestFirst
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.client_extracts(client=self.request.user.client)

    @extend_schema(
        request=ExtractUploadSerializer,
        responses={202: ExtractSerializer},
        summary="上传比对数据（逐行校验后按 mode 导入）",
    )
    def post(self, request):
        form = ExtractUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        extract = extract_upload(
            principal=request.user,
            file=data["file"],
            original_name=data["file"].name,
            kind=data["kind"],
            program=data.get("program") or "",
            mode=data["mode"],
            period=data.get("period") or periods.default_period(timezone.localdate()),
        )
        extract.refresh_from_db()
        url = reverse("api_ledger_extract_detail", args=[extract.pk])
        return Response(
            ExtractSerializer(extract).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
        )


class ExtractDetail(RetrieveAPIView):
    permission_classes = [Upload]
    serializer_class = ExtractSerializer

    def get_object(self):
        return _own(self.request, self.kwargs["pk"])


class ExtractErrors(ListAPIView):
    permission_classes = [Upload]
    serializer_class = ExtractErrorSerializer
    pagination_class = ByLine

    def get_queryset(self):
        return selectors.extract_errors(extract=_own(self.request, self.kwargs["pk"]))


class ExtractDecide(APIView):
    permission_classes = [Upload]
    action = "load"

    @extend_schema(request=None, responses={202: ExtractSerializer})
    def post(self, request, pk: int):
        extract = _own(request, pk)
        service = extract_request_load if self.action == "load" else extract_discard
        extract = service(principal=request.user, extract=extract)
        extract.refresh_from_db()
        return Response(ExtractSerializer(extract).data, status=status.HTTP_202_ACCEPTED)


class FindingList(ListAPIView):
    permission_classes = [Findings]
    serializer_class = FindingSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        params = self.request.query_params
        return selectors.client_findings(
            client=self.request.user.client, period=params.get("period", ""), rule=params.get("rule", "")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="比对期，如 2025H2"),
            OpenApiParameter("rule", str, description="规则代码，如 not_in_ours、missing_theirs"),
            OpenApiParameter(
                "X-Purpose", str, OpenApiParameter.HEADER, required=True, description="读取用途"
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        purpose = stated_purpose(request)
        response = super().get(request, *args, **kwargs)
        count = len(response.data.get("results", []))
        if count:
            access_log_record(request=request, what="本部门比对疑点", purpose=purpose, count=count)
        return response
