"""Department clients on the REST API: key authentication, scopes, per-client throttling, purposes.

A client sends `Authorization: Api-Key jk_<prefix>_<secret>`. The request's user is then a
`DepartmentPrincipal`, which `accounts.scope.region_prefix` understands: a client sees the province, or
only its region when it has a region limit.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import AnonRateThrottle, BaseThrottle

from accounts.client_ip import client_ip
from accounts.models import ApiClient, ApiKey
from accounts.permissions import has_staff_role
from accounts.purposes import DOCS as PURPOSE_DOCS
from accounts.purposes import HOW_TO_SEND, PurposeError, decode_purpose
from config.cache import throttle_cache as cache

KEY_PREFIX = "jk_"
PURPOSE_HEADER = "X-Purpose"


def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DepartmentPrincipal:
    """What `request.user` is for a department client."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    role = "department"

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.pk = None
        self.region_id = client.region_id

    def __str__(self) -> str:
        return f"{self.client.department}·{self.client.name}"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.client.scopes or [])


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(self.keyword + " "):
            return None
        raw = header[len(self.keyword) + 1 :].strip()
        parts = raw.split("_")
        if not raw.startswith(KEY_PREFIX) or len(parts) != 3 or not parts[1] or not parts[2]:
            raise exceptions.AuthenticationFailed("接口密钥格式错误")
        key = ApiKey.objects.select_related("client__region").filter(prefix=parts[1]).first()
        if key is None or not hmac.compare_digest(key.digest, key_digest(parts[2])):
            raise exceptions.AuthenticationFailed("接口密钥无效")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("接口密钥已吊销")
        if key.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("接口密钥已过期")
        if not key.client.is_active:
            raise exceptions.AuthenticationFailed("该部门客户端已停用")
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most once a minute per key
        return DepartmentPrincipal(key.client), key

    def authenticate_header(self, request):
        return self.keyword


def scope_required(scope: str) -> type[BasePermission]:
    """Permission: a department client holding `scope` (staff users are refused: these endpoints are
    the departments' door; staff have their pages)."""

    class HasScope(BasePermission):
        message = f"该客户端没有“{ApiClient.SCOPES.get(scope, scope)}”权限"

        def has_permission(self, request, view):
            user = request.user
            return isinstance(user, DepartmentPrincipal) and user.has_scope(scope)

    HasScope.__name__ = f"HasScope_{scope.replace(':', '_')}"
    return HasScope


class ClientRateThrottle(BaseThrottle):
    """Requests per minute per department client, from the client's own setting.

    A counter per client and clock minute, incremented atomically in the cache (Redis INCR in production,
    shared by every worker): one round trip per request, whatever the rate. (DRF's SimpleRateThrottle keeps
    the timestamp of every request of the last minute in one cache value, read and rewritten whole on each
    request — at thousands per minute that list is the cost of the request, and two workers overwrite each
    other's lists.) Staff users on their pages are not throttled here.
    """

    window = 60
    cache_format = "throttle_client_%(client)s_%(window)s"

    def allow_request(self, request, view):
        user = request.user
        if not isinstance(user, DepartmentPrincipal):
            return True
        now = time.time()
        window = int(now // self.window)
        key = self.cache_format % {"client": user.client.pk, "window": window}
        try:
            count = cache.incr(key)
        except ValueError:  # first request of this minute
            if cache.add(key, 1, timeout=self.window * 2):
                count = 1
            else:
                count = cache.incr(key)
        self.retry_after = (window + 1) * self.window - now
        return count <= user.client.rate_per_minute

    def wait(self):
        return getattr(self, "retry_after", None)


class ClientAddressAnonThrottle(AnonRateThrottle):
    """The public endpoints' per-address limit: the address by the product's one rule (behind the trusted proxies
    only), counted in Redis or, when Redis is down, in this process."""

    cache = cache

    def get_ident(self, request):
        return client_ip(request) or "unknown"


def stated_purpose(request, *, default: str = "") -> str:
    """The purpose the caller states for reading personal data, decoded (accounts.purposes); required
    unless a `default` is given. A value that cannot be read answers 400 saying how to send it."""
    try:
        purpose = decode_purpose(request.META.get("HTTP_X_PURPOSE", ""))
    except PurposeError as exc:
        raise exceptions.ValidationError({PURPOSE_HEADER: [str(exc)]}) from None
    if not purpose and not default:
        raise exceptions.ValidationError(
            {PURPOSE_HEADER: [f"读取个人信息须在请求头 X-Purpose 中说明用途。{HOW_TO_SEND}"]}
        )
    return purpose or default


# The header as every operation that reads personal data declares it.
PURPOSE_PARAMETER = OpenApiParameter(
    PURPOSE_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=PURPOSE_DOCS,
    examples=[
        OpenApiExample("用途代码 / a purpose code", value="medical_aid"),
        OpenApiExample("百分号编码 / percent-encoded UTF-8", value="%E5%8C%BB%E4%BF%9D%E6%A0%B8%E5%AF%B9"),
        OpenApiExample("RFC 8187", value="UTF-8''%E5%8C%BB%E4%BF%9D%E6%A0%B8%E5%AF%B9"),
    ],
)


# What each kind of endpoint accepts, set on the views so the schema offers exactly that: the departments'
# endpoints take a key only (a staff session there is refused anyway, and a generated client must not be
# offered a cookie); the staff endpoints take the signed-in session only.
DEPARTMENT_AUTH = [ApiKeyAuthentication]
STAFF_AUTH = [SessionAuthentication]


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes the key scheme in the OpenAPI schema."""

    target_class = "accounts.api_auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key jk_<prefix>_<secret>（部门接口密钥 / department key）",
        }


class StaffOrScope(BasePermission):
    """Staff users signed in to the pages, or a department client holding the view's `client_scope`."""

    message = "无权访问此接口"

    def has_permission(self, request, view):
        user = request.user
        if isinstance(user, DepartmentPrincipal):
            return user.has_scope(view.client_scope)
        return has_staff_role(user)
