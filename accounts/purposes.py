"""The purpose a department states for a read of personal data (`X-Purpose`): the published purpose codes,
and how the header's value is read into the Chinese text the access log stores and shows.

An HTTP header carries bytes that servers hand over as ISO-8859-1, so Chinese text cannot travel in it as
it is: a client sends either
- a purpose code from `PURPOSES` (`medical_aid`),
- the text percent-encoded as UTF-8 (`%E5%8C%BB%E4%BF%9D...`, what `encodeURIComponent` and
  `urllib.parse.quote` give), or
- the same as an RFC 8187 ext-value (`UTF-8''%E5%8C%BB%E4%BF%9D...`).
Plain ASCII text is a percent-encoding with nothing to decode. Anything else (raw UTF-8 bytes, a broken
`%` sequence, bytes that are not UTF-8, control characters) is refused with `PurposeError`, whose message
says how to send it; the log never holds `%E5…` or mojibake.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote_to_bytes

MAX_LENGTH = 200

PURPOSES = {
    "coverage_check": "核对救助对象身份",
    "linked_benefit": "发放关联待遇",
    "medical_aid": "医疗救助资格核对",
    "education_aid": "学生资助核对",
    "housing_aid": "住房保障资格核对",
    "employment_aid": "就业援助核对",
    "union_aid": "工会帮扶核对",
    "tax_check": "税务信息核对",
    "reconciliation": "数据比对核查",
    "audit": "审计监督",
    "interface_test": "接口联调测试",
}

HOW_TO_SEND = (
    "请在 X-Purpose 中填写用途代码（如 medical_aid，代码表见接口文档），或把中文用途按 UTF-8 百分号编码后填写"
    "（如 医保核对 写作 %E5%8C%BB%E4%BF%9D%E6%A0%B8%E5%AF%B9，或 RFC 8187 形式 UTF-8''%E5%8C%BB%E4%BF%9D%E6%A0%B8%E5%AF%B9）"
)

DOCS = (
    "读取个人信息的用途。中文不能直接放在 HTTP 请求头中，请任选其一：用途代码；UTF-8 百分号编码的中文"
    "（JavaScript `encodeURIComponent`、Python `urllib.parse.quote`）；RFC 8187 形式 `UTF-8''<百分号编码>`。"
    "未编码的中文或无效编码答 400。访问日志记录解码后的中文。用途代码："
    + "；".join(f"`{code}` {text}" for code, text in PURPOSES.items())
    + "。\n\nPurpose of the read: a purpose code, or the Chinese text percent-encoded as UTF-8, plain or as an "
    "RFC 8187 ext-value (`UTF-8''...`). Unencoded non-ASCII text is refused with 400."
)

EXT_VALUE = re.compile(
    r"(?P<charset>[A-Za-z0-9!#$%&+\-^_`{}~]+)'(?P<language>[A-Za-z0-9\-]*)'(?P<value>.*)", re.S
)
BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class PurposeError(ValueError):
    pass


def decode_purpose(raw: str) -> str:
    """The stated purpose as text ("" when none is given); PurposeError when it cannot be read."""
    value = (raw or "").strip()
    if not value:
        return ""
    if value in PURPOSES:
        return PURPOSES[value]
    if any(0x80 <= ord(c) <= 0xFF for c in value):
        # Bytes beyond ASCII reach Django decoded as ISO-8859-1: raw UTF-8 (or GBK) the server cannot tell.
        raise PurposeError(f"X-Purpose 含有未编码的非 ASCII 字符。{HOW_TO_SEND}")
    if any(ord(c) > 0xFF for c in value):
        # Only an in-process client (a test) can hand over text that never was bytes; take it as it is.
        text = value
    else:
        match = EXT_VALUE.fullmatch(value)
        if match:
            if match["charset"].lower() != "utf-8":
                raise PurposeError(
                    f"X-Purpose 只接受 UTF-8 编码（收到 {match['charset'][:20]}）。{HOW_TO_SEND}"
                )
            value = match["value"]
        if BROKEN_ESCAPE.search(value):
            raise PurposeError(f"X-Purpose 中的百分号编码不完整。{HOW_TO_SEND}")
        try:
            text = unquote_to_bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise PurposeError(f"X-Purpose 解码后不是有效的 UTF-8 文字。{HOW_TO_SEND}") from None
    text = text.strip()
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise PurposeError("X-Purpose 中不能含有控制字符或不可见的格式字符")
    if not text:
        raise PurposeError(f"X-Purpose 解码后为空。{HOW_TO_SEND}")
    if len(text) > MAX_LENGTH:
        raise PurposeError(f"用途说明不能超过 {MAX_LENGTH} 个字（收到 {len(text)} 个）")
    return text
