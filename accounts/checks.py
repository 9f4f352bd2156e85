"""Small checks the help services share (leads, pairing, jobs, students, charity): the business date, the
caseworker-of-the-community rule, and field errors collected before anything is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.permissions import is_caseworker
from accounts.scope import can_write_region
from config.errors import PermissionDenied, ServiceError

Errors = list[dict[str, str]]


def today_or(today: dt.date | None) -> dt.date:
    """The business date (Asia/Shanghai); tests pass `today` to move the clock."""
    return today or timezone.localdate()


def d(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def require_caseworker(user, community_code: str | None, message: str) -> None:
    """Case data is written by the caseworker of the record's community (accounts.scope.can_write_region)."""
    if not is_caseworker(user):
        raise PermissionDenied(f"只有社区工作人员可以{message}")
    if not can_write_region(user, community_code):
        raise PermissionDenied(f"只能为本人负责社区的家庭{message}")


def text(
    value: Any, field: str, message: str, errors: Errors, *, max_length: int | None = None, label: str = ""
) -> str:
    value = str(value or "").strip()
    if not value:
        errors.append({"field": field, "message": message})
    elif max_length is not None and len(value) > max_length:
        errors.append({"field": field, "message": f"{label or '内容'}不能超过{max_length}个字"})
    return value


def optional_text(value: Any, field: str, errors: Errors, *, max_length: int, label: str) -> str:
    value = str(value or "").strip()
    if len(value) > max_length:
        errors.append({"field": field, "message": f"{label}不能超过{max_length}个字"})
    return value


def choice(value: Any, choices, field: str, message: str, errors: Errors) -> str:
    if value not in choices.values:
        errors.append({"field": field, "message": message})
    return value


def date_check(
    day: dt.date | None,
    field: str,
    label: str,
    errors: Errors,
    *,
    today: dt.date,
    not_before: dt.date | None = None,
    not_before_label: str = "",
    required: bool = True,
) -> None:
    if day is None:
        if required:
            errors.append({"field": field, "message": f"请填写{label}"})
    elif not isinstance(day, dt.date):
        errors.append({"field": field, "message": f"{label}格式不正确"})
    elif day > today:
        errors.append({"field": field, "message": f"{label}不能晚于今天"})
    elif not_before is not None and day < not_before:
        errors.append({"field": field, "message": f"{label}不能早于{not_before_label}（{d(not_before)}）"})


def raise_errors(errors: Errors) -> None:
    if errors:
        raise ServiceError(errors=errors)


def touch(obj, acting_user, fields: list[str]) -> None:
    """Save the fields with `updated_at`, recording the acting user in the history."""
    obj.updated_at = timezone.now()
    obj._history_user = acting_user
    obj.save(update_fields=[*fields, "updated_at"])
