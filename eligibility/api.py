"""POST /api/v1/eligibility/evaluate — the §7 contract over HTTP (same body, same answer as the command)."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ServiceError
from eligibility.io import evaluate_request


class EvaluateView(APIView):
    """A what-if evaluation: reads standards, writes nothing. Errors answer 400 {"errors": [...]}."""

    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        try:
            payload = request.data
        except ParseError:
            raise ServiceError("请求体不是有效的 JSON", code="parse_error") from None
        return Response(evaluate_request(payload))
