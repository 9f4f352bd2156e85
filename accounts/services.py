from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.api_auth import KEY_PREFIX, DepartmentPrincipal, key_digest
from accounts.client_ip import client_ip
from accounts.models import PROVINCE_CODE, AccessLog, ApiClient, ApiKey, Event, User
from accounts.permissions import can_manage_api_clients
from config.errors import PermissionDenied, ServiceError


def event_record(*, actor, verb: str, target, region_code: str, data: dict | None = None) -> Event:
    """Write the domain event for a change ("新建家庭档案"), inside the caller's transaction."""
    return Event.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        region_code=region_code,
        data=data or {},
    )


def event_times(*, target, verb: str) -> list:
    """When events of `verb` were recorded on `target`, oldest first (e.g. the sweeper's re-queues)."""
    return list(
        Event.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk), verb=verb)
        .order_by("at")
        .values_list("at", flat=True)
    )


def lockout_lift(*, acting_user, attempt_id: int) -> None:
    """A county (or higher) officer lifts a login lockout of staff in their scope; the lifting is an event."""
    from accounts.lockout import lockouts_visible

    attempt = next((a for a in lockouts_visible(user=acting_user) if a.pk == attempt_id), None)
    if attempt is None:
        raise PermissionDenied("没有这条锁定记录，或它不在您的辖区内")
    staff = User.objects.filter(username=attempt.username).first()
    with transaction.atomic():
        attempt.delete()
        if staff is not None:
            event_record(
                actor=acting_user,
                verb="解除登录锁定",
                target=staff,
                region_code=staff.region_id or PROVINCE_CODE,
                data={"ip": attempt.ip_address, "failures": attempt.failures_since_start},
            )


def password_changed(*, user) -> None:
    """The user chose their own password: a password set by an administrator no longer has to be changed."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        event_record(
            actor=user, verb="修改登录密码", target=user, region_code=user.region_id or PROVINCE_CODE
        )


# --- department API clients and keys ------------------------------------------------------------


def api_client_save(*, acting_user, values: dict, client=None):

    errors = []
    name = (values.get("name") or "").strip()
    department = (values.get("department") or "").strip()
    scopes = list(values.get("scopes") or [])
    region = values.get("region")
    rate = values.get("rate_per_minute") or 600
    if not name:
        errors.append({"field": "name", "message": "请填写客户端名称"})
    if not department:
        errors.append({"field": "department", "message": "请填写所属部门"})
    unknown = [s for s in scopes if s not in ApiClient.SCOPES]
    if unknown:
        errors.append({"field": "scopes", "message": f"未知的权限范围：{'、'.join(unknown)}"})
    if not scopes:
        errors.append({"field": "scopes", "message": "至少选择一项权限范围"})
    if not (1 <= int(rate) <= 100000):
        errors.append({"field": "rate_per_minute", "message": "每分钟请求上限应在1到100000之间"})
    code = region.code if region is not None else None
    if not can_manage_api_clients(acting_user, code) or (
        client is not None and not can_manage_api_clients(acting_user, client.region_id)
    ):
        raise PermissionDenied("只能管理本辖区的部门客户端", field="region")
    if ApiClient.objects.filter(name=name).exclude(pk=getattr(client, "pk", None)).exists():
        errors.append({"field": "name", "message": "已有同名客户端"})
    if errors:
        raise ServiceError(errors=errors)
    with transaction.atomic():
        creating = client is None
        client = client or ApiClient(created_by=acting_user)
        client.name, client.department, client.scopes = name, department, scopes
        client.region, client.rate_per_minute = region, int(rate)
        client.is_active = bool(values.get("is_active", True))
        client._history_user = acting_user
        client.save()
        event_record(
            actor=acting_user,
            verb="新建部门接口客户端" if creating else "修改部门接口客户端",
            target=client,
            region_code=client.region_code,
            data={"scopes": scopes},
        )
    return client


def api_key_issue(*, acting_user, client, days: int = 365) -> tuple:
    """A new key for a client; returns (ApiKey, the full key text to show once)."""

    if not can_manage_api_clients(acting_user, client.region_id):
        raise PermissionDenied("只能管理本辖区的部门客户端")
    if not (1 <= days <= 730):
        raise ServiceError("有效期应在1到730天之间", field="days")
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32).replace("_", "-")
    with transaction.atomic():
        key = ApiKey.objects.create(
            client=client,
            prefix=prefix,
            digest=key_digest(secret),
            created_by=acting_user,
            expires_at=timezone.now() + timedelta(days=days),
        )
        event_record(
            actor=acting_user,
            verb="签发接口密钥",
            target=client,
            region_code=client.region_code,
            data={"prefix": prefix, "days": days},
        )
    return key, f"{KEY_PREFIX}{prefix}_{secret}"


def api_key_revoke(*, acting_user, key) -> None:

    if not can_manage_api_clients(acting_user, key.client.region_id):
        raise PermissionDenied("只能管理本辖区的部门客户端")
    if key.revoked_at is not None:
        raise ServiceError("该密钥已吊销")
    with transaction.atomic():
        key.revoked_at, key.revoked_by = timezone.now(), acting_user
        key.save(update_fields=["revoked_at", "revoked_by"])
        event_record(
            actor=acting_user,
            verb="吊销接口密钥",
            target=key.client,
            region_code=key.client.region_code,
            data={"prefix": key.prefix},
        )


def access_log_record(*, request, what: str, purpose: str, subject: str = "", count: int = 0) -> None:
    """Log one read of personal data through the API or a staff page (department client or staff user); the
    address is the client's by accounts.client_ip (through the trusted proxies only).

    One plain INSERT: every person lookup writes a row, so building a model instance and compiling the ORM
    insert would be a good part of the lookup's cost. The row is what `AccessLog.objects.create` would write."""

    user = request.user
    client_id = user.client.pk if isinstance(user, DepartmentPrincipal) else None
    user_id = getattr(user, "pk", None) if client_id is None else None
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _ACCESS_LOG_INSERT,
            [
                ops.adapt_datetimefield_value(timezone.now()),
                client_id,
                user_id,
                request.path[:200],
                what[:200],
                subject[:18],
                purpose[:200],
                count,
                ops.adapt_ipaddressfield_value(client_ip(request)),
            ],
        )


_ACCESS_LOG_INSERT = (
    f"INSERT INTO {AccessLog._meta.db_table} "
    "(at, client_id, user_id, endpoint, what, subject, purpose, count, ip) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
