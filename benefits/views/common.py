from __future__ import annotations

from config.errors import ServiceError

PAGE_SIZE = 30


def apply_errors(exc: ServiceError, form, field_map: dict[str, str] | None = None) -> None:
    """Put a service's field errors on the form's fields (the rest on the form)."""
    field_map = field_map or {}
    for err in exc.errors:
        field = field_map.get(err["field"], err["field"])
        if field in form.fields:
            form.add_error(field, err["message"])
        else:
            form.add_error(None, err["message"])
