"""The one error type that services raise. Pages show its messages in Chinese next to the fields;
the API answers 400 with {"errors": [{"field": ..., "message": ...}]}."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(
        self,
        message: str = "",
        *,
        code: str = "invalid",
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        self.code = code
        self.errors = list(errors or [])
        if message:
            self.errors.insert(0, {"field": field or "__all__", "message": message})
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in self.errors))

    @property
    def message(self) -> str:
        return self.errors[0]["message"] if self.errors else ""

    def as_json(self) -> dict:
        return {"errors": self.errors}


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "无权进行此操作", **kw) -> None:
        super().__init__(message, code="forbidden", **kw)
