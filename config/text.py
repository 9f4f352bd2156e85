"""Characters a name must not hide: right-to-left/left-to-right overrides and isolates, zero-width characters
and other invisible format characters. They make a printed name read differently from what is stored (a roll,
a notice, a bank file), so names holding them are refused."""

from __future__ import annotations

import unicodedata

INVISIBLE = {
    *"\u200b\u200c\u200d\u200e\u200f",  # zero-width space/non-joiner/joiner, LRM, RLM
    *"\u202a\u202b\u202c\u202d\u202e",  # embeddings and overrides
    *"\u2066\u2067\u2068\u2069",  # isolates
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (BOM)
    "\u180e",  # Mongolian vowel separator
    "\u061c",  # Arabic letter mark
}


def hidden_characters(value: str) -> list[str]:
    """The code points in `value` that would disguise it (format characters, category Cf, included)."""
    return [f"U+{ord(c):04X}" for c in value if c in INVISIBLE or unicodedata.category(c) in {"Cf", "Cc"}]


def hidden_message(value: str) -> str | None:
    found = hidden_characters(value)
    if not found:
        return None
    return f"不能含有不可见的控制字符（{'、'.join(dict.fromkeys(found))}），它们会让打印出的姓名与实际不符"
