"""Storing an uploaded file (a department extract, an office's Excel ledger) before it is checked."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from config.errors import ServiceError


def upload_store(
    *, file, directory: Path, suffix: str, max_bytes: int | None = None, too_large: str = ""
) -> tuple[str, str, int]:
    """Copy `file` (an UploadedFile or a binary file object) chunk by chunk into `directory` under a new random
    name; return (stored name, sha256, size). An empty file, or one over `max_bytes`, is removed again and refused
    as a field error on "file"."""
    stored = f"{uuid.uuid4().hex}.{suffix}"
    target = directory / stored
    digest, size = hashlib.sha256(), 0
    with open(target, "wb") as out:
        chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b"")
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size == 0:
        target.unlink()
        raise ServiceError("文件是空的", field="file")
    if max_bytes is not None and size > max_bytes:
        target.unlink()
        raise ServiceError(too_large, field="file")
    return stored, digest.hexdigest(), size
