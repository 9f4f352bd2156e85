"""Field validators, each with one Chinese message, usable on model fields, form fields and serializers:

* `not_in_future` — facts that cannot lie in the future (a birth, a death, the start of a job, an expenditure
  already made);
* `no_hidden_characters` — text printed on papers or written to exports (person names, addresses, reasons,
  remarks) must not hide characters: right-to-left/left-to-right overrides, embeddings and isolates, zero-width
  characters and every other invisible format or control character. They make a printed name, a roll or a bank
  file read differently from what is stored. The one check of such text (pages, API, imports)."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible


def today() -> dt.date:
    return timezone.localdate()


@deconstructible
class NotInFuture:
    """Refuses a date after today (the local date of the site's time zone)."""

    message = "不能晚于今天（{today}）"
    code = "future"

    def __call__(self, value: dt.date | None) -> None:
        if value is None:
            return
        now = today()
        if isinstance(value, dt.datetime):
            value = value.date()
        if value > now:
            raise ValidationError(self.message.format(today=now.isoformat()), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NotInFuture)

    def __hash__(self) -> int:
        return hash(NotInFuture)


not_in_future = NotInFuture()


INVISIBLE = {
    *"\u200b\u200c\u200d\u200e\u200f",  # zero-width space/non-joiner/joiner, LRM, RLM
    *"\u202a\u202b\u202c\u202d\u202e",  # embeddings and overrides
    *"\u2066\u2067\u2068\u2069",  # isolates
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (BOM)
    "\u180e",  # Mongolian vowel separator
    "\u061c",  # Arabic letter mark
}
# Line breaks and tabs are how a multi-line reason is typed; every other control character is refused.
ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def hidden_characters(value: str) -> list[str]:
    """The code points in `value` that would disguise it (format characters, category Cf, and controls other
    than line breaks and tabs, included)."""
    if value.isprintable():  # no Cc, no Cf (every INVISIBLE character is Cf): the common case, in C
        return []
    return [
        f"U+{ord(c):04X}"
        for c in value
        if c in INVISIBLE or (unicodedata.category(c) in {"Cf", "Cc"} and c not in ALLOWED_CONTROLS)
    ]


def hidden_message(value: str) -> str | None:
    found = hidden_characters(value or "")
    if not found:
        return None
    return (
        f"不能含有不可见的控制字符（{'、'.join(dict.fromkeys(found))}），它们会让打印或导出的文字与实际不符"
    )


@deconstructible
class NoHiddenCharacters:
    """Refuses text holding a direction override, a zero-width or another invisible character."""

    code = "hidden_characters"

    def __call__(self, value: str | None) -> None:
        message = hidden_message(value or "")
        if message:
            raise ValidationError(message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoHiddenCharacters)

    def __hash__(self) -> int:
        return hash(NoHiddenCharacters)


no_hidden_characters = NoHiddenCharacters()
