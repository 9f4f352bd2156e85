"""Kept so that `from config.errors import ServiceError` goes on working: the error type lives in
common/errors.py."""

from common.errors import PermissionDenied, ServiceError

__all__ = ["PermissionDenied", "ServiceError"]
