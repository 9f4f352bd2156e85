"""Uploaded proofs (ID card, 户口簿, income proof, medical bills, …): checked, then stored outside the web root.

What is checked, whatever the client claims:
- the name: no path separators, no "..", no NUL or other control characters, at most 200 characters;
- the extension is .pdf, .jpg, .jpeg or .png, and the first bytes are those of that very format
  (the client's Content-Type is never read);
- the size: not empty, at most DOCUMENT_MAX_BYTES (10 MB unless the setting says otherwise).

The file is stored as MEDIA_ROOT/documents/<uuid4 hex><ext>; the original name is kept only for display.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from config.errors import ServiceError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 200

# extension → (stored extension, content type, magic prefix)
FORMATS = {
    ".pdf": (".pdf", "application/pdf", b"%PDF-"),
    ".jpg": (".jpg", "image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": (".jpg", "image/jpeg", b"\xff\xd8\xff"),
    ".png": (".png", "image/png", b"\x89PNG\r\n\x1a\n"),
}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, ready to be written."""

    upload: object  # django UploadedFile
    original_name: str
    stored_ext: str
    content_type: str
    size: int


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def documents_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "documents"


def document_path(stored_name: str) -> Path:
    """The file of a stored document; refuses anything that is not a name this module generated."""
    if not STORED_NAME.match(stored_name or ""):
        raise ServiceError("材料文件名无效", code="bad_stored_name")
    return documents_dir() / stored_name


def _name_problem(name: str) -> str | None:
    if not name or not name.strip():
        return "文件名为空"
    if len(name) > MAX_NAME_LENGTH:
        return f"文件名过长（不超过{MAX_NAME_LENGTH}个字符）"
    if "/" in name or "\\" in name:
        return "文件名不能包含路径分隔符（/ 或 \\）"
    if ".." in name:
        return "文件名不能包含“..”"
    if any(ord(c) < 32 or ord(c) == 127 or unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return "文件名不能包含控制字符"
    if name.startswith("."):
        return "文件名不能以“.”开头"
    return None


def document_check(*, upload, field: str = "file") -> CheckedUpload:
    """Check one upload; ServiceError on `field` naming what is wrong. Reads only the first bytes."""
    name = getattr(upload, "name", "") or ""
    problem = _name_problem(name)
    if problem:
        raise ServiceError(problem, field=field, code="bad_name")
    ext = Path(name).suffix.lower()
    if ext not in FORMATS:
        raise ServiceError("只接受 PDF、JPG、PNG 格式的材料", field=field, code="bad_type")
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ServiceError("文件为空", field=field, code="empty")
    limit = max_bytes()
    if size > limit:
        raise ServiceError(
            f"文件过大：{size / 1024 / 1024:.1f} MB，不超过 {limit // (1024 * 1024)} MB",
            field=field,
            code="too_large",
        )
    stored_ext, content_type, magic = FORMATS[ext]
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    if head != magic:
        raise ServiceError(
            f"文件内容与扩展名{ext}不符（不是有效的{ext[1:].upper()}文件）", field=field, code="bad_content"
        )
    return CheckedUpload(
        upload=upload, original_name=name, stored_ext=stored_ext, content_type=content_type, size=size
    )


def document_write(*, checked: CheckedUpload) -> tuple[str, str]:
    """Write the file under a generated name; return (stored_name, sha256). Never overwrites."""
    directory = documents_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex + checked.stored_ext
    digest = hashlib.sha256()
    upload = checked.upload
    upload.seek(0)
    written = 0
    with open(directory / stored_name, "xb") as out:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > max_bytes():  # the client's declared size was a lie
                out.close()
                (directory / stored_name).unlink(missing_ok=True)
                raise ServiceError("文件过大", field="file", code="too_large")
            digest.update(chunk)
            out.write(chunk)
    return stored_name, digest.hexdigest()


def document_discard(*, stored_names: list[str]) -> None:
    """Remove files written for a change that did not commit."""
    for stored_name in stored_names:
        try:
            document_path(stored_name).unlink(missing_ok=True)
        except ServiceError:
            pass
