"""REST endpoints for department clients (API key with scopes; staff use the pages):

POST /api/v1/ledgers/extracts              upload (multipart: file, kind, program, period, mode)  extract_upload
GET  /api/v1/ledgers/extracts              the client's own extracts                              extract_upload
GET  /api/v1/ledgers/extracts/<id>         status and counts                                      extract_upload
GET  /api/v1/ledgers/extracts/<id>/errors  bad rows with line numbers                             extract_upload
POST /api/v1/ledgers/extracts/<id>/load    load the good rows of a checked extract (mode=check)   extract_upload
POST /api/v1/ledgers/extracts/<id>/discard load nothing                                           extract_upload
GET  /api/v1/ledgers/findings              findings resting on the client's own extracts          findings

A client sees only its own extracts and findings; another client's id answers 404. Reading findings
(personal data) needs a stated purpose (X-Purpose) and is written to the access log.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import DEPARTMENT_AUTH, PURPOSE_PARAMETER, scope_required, stated_purpose
from accounts.services import access_log_record
from config.middleware import request_max_bytes
from config.pagination import CursorPagination
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


@extend_schema_view(
    get=extend_schema(
        summary="本客户端上传的比对数据 / Our extracts",
        description="本客户端上传过的比对数据及其状态，最新在前。\n\nThe client's own extracts, newest first.",
    )
)
@request_max_bytes("EXTRACT_UPLOAD_MAX_BYTES")
class ExtractListCreate(ListAPIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [Upload]
    serializer_class = ExtractSerializer
    pagination_class = NewestFirst
    parser_classes = [MultiPartParser]  # one request content type: multipart, for the file

    def get_queryset(self):
        return selectors.client_extracts(client=self.request.user.client)

    @extend_schema(
        request=ExtractUploadSerializer,
        responses={202: ExtractSerializer},
        summary="上传比对数据 / Upload an extract",
        description="multipart/form-data 上传一个 CSV 或 XLSX 文件；逐行校验后按 mode 导入。答 202 及 Location，"
        "之后按 Location 查询状态。\n\nUpload one CSV or XLSX file (multipart); it is checked row by row and "
        "loaded according to `mode`. Answers 202 with `Location`; poll it for the status.",
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


@extend_schema_view(
    get=extend_schema(
        summary="比对数据状态 / One extract",
        description="状态与行数统计；他人的编号答 404。\n\nStatus and row counts; another client's id: 404.",
    )
)
class ExtractDetail(RetrieveAPIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [Upload]
    serializer_class = ExtractSerializer

    def get_object(self):
        return _own(self.request, self.kwargs["pk"])


@extend_schema_view(
    get=extend_schema(
        summary="比对数据的错误行 / Bad rows of an extract",
        description="校验未通过的行，按行号排列。\n\nThe rows that failed the check, by line number.",
    )
)
class ExtractErrors(ListAPIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [Upload]
    serializer_class = ExtractErrorSerializer
    pagination_class = ByLine

    def get_queryset(self):
        return selectors.extract_errors(extract=_own(self.request, self.kwargs["pk"]))


class ExtractDecide(APIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [Upload]
    service = staticmethod(extract_request_load)

    def post(self, request, pk: int):
        extract = self.service(principal=request.user, extract=_own(request, pk))
        extract.refresh_from_db()
        return Response(ExtractSerializer(extract).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses={202: ExtractSerializer},
        summary="导入已校验的比对数据 / Load a checked extract",
        description="mode=check 上传并校验完毕后，导入其中正确的行。\n\nLoads the good rows of an extract "
        "uploaded with mode=check once it is checked.",
    )
)
class ExtractLoad(ExtractDecide):
    service = staticmethod(extract_request_load)


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses={202: ExtractSerializer},
        summary="放弃已校验的比对数据 / Discard a checked extract",
        description="不导入任何行。\n\nLoads nothing.",
    )
)
class ExtractDiscard(ExtractDecide):
    service = staticmethod(extract_discard)


class FindingList(ListAPIView):
    authentication_classes = DEPARTMENT_AUTH
    permission_classes = [Findings]
    serializer_class = FindingSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        params = self.request.query_params
        return selectors.client_findings(
            client=self.request.user.client, period=params.get("period", ""), rule=params.get("rule", "")
        )

    @extend_schema(
        summary="本部门比对疑点 / Findings on our extracts",
        description="以本客户端上传数据为依据的比对疑点；须在 X-Purpose 说明用途，每次读取记入访问日志。\n\n"
        "Findings resting on the client's own extracts; state the purpose in X-Purpose; every read is logged.",
        parameters=[
            OpenApiParameter("period", str, description="比对期，如 2025H2"),
            OpenApiParameter("rule", str, description="规则代码，如 not_in_ours、missing_theirs"),
            PURPOSE_PARAMETER,
        ],
    )
    def get(self, request, *args, **kwargs):
        purpose = stated_purpose(request)
        response = super().get(request, *args, **kwargs)
        count = len(response.data.get("results", []))
        if count:
            access_log_record(request=request, what="本部门比对疑点", purpose=purpose, count=count)
        return response
