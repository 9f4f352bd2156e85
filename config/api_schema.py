"""The OpenAPI description of the API as a contract: the one `Error` component every operation answers
its failures with, the error statuses each operation declares, and the links between operations.

drf-spectacular builds the schema from the views and serializers; this module adds what it cannot see:
- every operation declares 400/403/404/409/429 (and 401 when it takes credentials, 406 for a refused
  `Accept`, 413/415 when it takes a body) with the shared `Error` schema, so a generated client has a type
  for every answer and schemathesis finds no undeclared status;
- path parameters given with `enum=` become named enum components (generators make one type of each);
- OpenAPI links from the operations that create or list a thing to the ones that read it, so a
  client generator (and schemathesis's stateful phase) can follow them.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="出错的字段（嵌套时用点和下标，如 household.members[0].id_number）；与字段无关时为 __all__"
    )
    message = serializers.CharField(help_text="中文说明 / the reason, in Chinese")


class ErrorSerializer(serializers.Serializer):
    """The product's one JSON error body (common.errors)."""

    errors = ErrorItemSerializer(many=True)


ERROR_DESCRIPTIONS = {
    "400": "请求有误：字段级错误见 errors / bad input, field-level errors",
    "401": "未提供或无效的接口密钥 / missing or invalid credentials",
    "403": "无权访问（缺少权限范围或不在本客户端区划内）/ not allowed",
    "404": "不存在或不在本客户端可见范围内 / not found or outside the client's scope",
    "406": "Accept 请求头不含 application/json / only JSON is offered",
    "409": "与当前状态冲突（如已处理、重复提交）/ conflicts with the current state",
    "413": "请求体过大 / request body too large",
    "415": "请求体类型不受支持 / unsupported request content type",
    "429": "请求过于频繁，请按 Retry-After 秒数后重试 / too many requests",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with every operation's error answers declared (see the module doc)."""

    def _error_codes(self) -> list[str]:
        codes = ["400", "403", "404", "406", "409", "429"]
        if any(self.get_auth()):  # an operation that takes credentials ([{}] is "none") can be refused them
            codes.append("401")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses or not responses[code].get("content"):
                described = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                responses[code] = self._get_response_for_code(described, code, direction=direction)
        return dict(sorted(responses.items()))


# ---------------------------------------------------------------------------------------------------
# Postprocessing: named enums for path parameters, links between operations

PATH_ENUMS = {
    # (path, parameter): component name
    ("/api/v1/lists/benefits/{code}", "code"): "LinkedBenefitCodeEnum",
}

# (source path, method, status): {link name: (target operationId, {parameter: runtime expression})}.
# From what creates or lists a thing to what reads it: a generated client and schemathesis's stateful
# phase follow them. A link to an operation that does not exist fails schema generation.
EXTRACT = "$response.body#/id"
FIRST = "$response.body#/results/0"
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("/api/v1/ledgers/extracts", "post", "202"): {
        "GetExtract": ("ledgers_extracts_retrieve", {"id": EXTRACT}),
        "GetExtractErrors": ("ledgers_extracts_errors_list", {"id": EXTRACT}),
        "LoadExtract": ("ledgers_extracts_load_create", {"id": EXTRACT}),
        "DiscardExtract": ("ledgers_extracts_discard_create", {"id": EXTRACT}),
    },
    ("/api/v1/ledgers/extracts", "get", "200"): {
        "GetExtract": ("ledgers_extracts_retrieve", {"id": f"{FIRST}/id"}),
    },
    ("/api/v1/ledgers/findings", "get", "200"): {
        "GetExtract": ("ledgers_extracts_retrieve", {"id": f"{FIRST}/extract"}),
        "LookUpPerson": ("persons_retrieve", {"id_number": f"{FIRST}/id_number"}),
    },
    ("/api/v1/lists/students", "get", "200"): {
        "LookUpPerson": ("persons_retrieve", {"id_number": f"{FIRST}/id_number"}),
    },
    ("/api/v1/lists/benefits/{code}", "get", "200"): {
        "LookUpPerson": ("persons_retrieve", {"id_number": f"{FIRST}/id_number"}),
    },
    ("/api/v1/eligibility/evaluate", "post", "200"): {
        "GetStandardsInForce": (
            "eligibility_standards_effective_retrieve",
            {"region": "$response.body#/standards/region", "year": "$response.body#/standards/year"},
        ),
    },
    ("/api/v1/applications", "get", "200"): {
        "GetApplication": ("applications_retrieve", {"id": f"{FIRST}/id"}),
        "GetApplicationEvents": ("applications_events_list", {"id": f"{FIRST}/id"}),
    },
}


def _mend_paginators(node) -> None:
    """DRF's paginators describe `next`/`previous` in OpenAPI 3.0 words (`nullable`), with an example URL
    that ends in a stray quote; say it in 3.1 and give an example that is a URL."""
    if isinstance(node, dict):
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            del node["nullable"]
            node["type"] = [node["type"], "null"]
            if node.get("format") == "uri" and isinstance(node.get("example"), str):
                node["example"] = node["example"].rstrip('"')
        for value in node.values():
            _mend_paginators(value)
    elif isinstance(node, list):
        for value in node:
            _mend_paginators(value)


def postprocess(result, generator, request, public):
    """A drf-spectacular POSTPROCESSING_HOOK (after its own enum hook)."""
    _mend_paginators(result.get("components", {}).get("schemas", {}))
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                name = PATH_ENUMS.get((path, parameter["name"]))
                if name and "enum" in parameter.get("schema", {}):
                    schemas[name] = parameter["schema"]
                    parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
    operation_ids = {
        op["operationId"]
        for item in result.get("paths", {}).values()
        for op in item.values()
        if "operationId" in op
    }
    for (path, method, status), links in LINKS.items():
        response = result["paths"][path][method]["responses"][status]
        response["links"] = {}
        for name, (operation_id, parameters) in links.items():
            if operation_id not in operation_ids:
                raise ValueError(f"OpenAPI link {name} of {method} {path} names no operation: {operation_id}")
            response["links"][name] = {"operationId": operation_id, "parameters": parameters}
    return result
