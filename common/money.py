"""Money: the one parser of what people type or import, the one half-up rounding, the one formatter.

All money is `Decimal` in 元 with two places (分), never float. The parser takes what a person or a
spreadsheet gives — "1000", "1,000.50", full-width "１０００", "¥1000", "1000元", an int or a Decimal — and
refuses, with a Chinese message that names the field, everything that is not plainly an amount: exponent
notation ("1e3"), "NaN", "Infinity", a sign where none is allowed, more than two decimals (a fen cannot be
split, and a silent rounding would change what the person entered), thousands separators in the wrong place,
and sizes beyond what the database holds or the caller allows.

Computed amounts (a subsidy, a per-capita share) are rounded once with `round_half_up`, as policy.md §5 says:
half-up to 0.01, never banker's rounding.

`common.fields.MoneyField` (Django forms) and `common.fields.MoneySerializerField` (DRF) are built on this
parser, so a page, the import and the API accept and refuse exactly the same inputs.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a money column holds (DecimalField(max_digits=12, decimal_places=2)).
MAX_AMOUNT = Decimal("9999999999.99")

_PLAIN = re.compile(r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d*))?$")
# Text that needs no reading: already a plain non-negative amount within MAX_AMOUNT, as it stands (a test
# holds `parse` to give it back unchanged). Loops over millions of cells test this first.
PLAIN = re.compile(r"^\d{1,10}(?:\.\d{1,2})?$")
_LONGEST_TEXT = 40  # longer text is refused before it is looked at


class MoneyError(ValueError):
    """The text is not an acceptable amount; str() is the Chinese message naming the field."""


def round_half_up(value: Decimal) -> Decimal:
    """Round to 0.01, half away from zero (1.225 → 1.23, 1.224 → 1.22, −1.225 → −1.23)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _text(value: object, label: str) -> str:
    if isinstance(value, bool):
        raise MoneyError(f"{label}应为数字")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{label}应为数字，如 1000 或 1,000.50")
        return format(value, "f")
    if isinstance(value, float):
        # A JSON number arrives as a float: its shortest repr is what the sender wrote.
        return repr(value)
    if isinstance(value, str):
        return value
    raise MoneyError(f"{label}应为数字")


def parse(
    value: object,
    *,
    label: str = "金额",
    allow_negative: bool = False,
    max_value: Decimal = MAX_AMOUNT,
    required: bool = True,
) -> Decimal | None:
    """The amount as a Decimal with two places, or None for an empty optional value.

    Raises MoneyError with a message naming `label` (e.g. "月工资性收入不能为负数")."""
    if value is None:
        if required:
            raise MoneyError(f"请填写{label or '金额'}")
        return None
    if type(value) is str and PLAIN.fullmatch(value):
        # Plain text ("300", "1234.5"): what the slow path below would give, without reading it again
        # (the batch evaluation parses hundreds of thousands of these). The caller's ceiling still holds.
        plain = Decimal(value).quantize(CENT)
        if plain <= max_value:
            return plain if plain else ZERO
    text = _text(value, label).strip()
    if len(text) > _LONGEST_TEXT:
        raise MoneyError(f"{label}超出合理范围")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("。", ".").strip()
    if text[:1] in ("¥", "￥"):
        text = text[1:].strip()
    text = text.removesuffix("元").strip()
    if not text:
        if required:
            raise MoneyError(f"请填写{label or '金额'}")
        return None
    m = _PLAIN.match(text)
    if m is None:
        raise MoneyError(f"{label}应为数字，如 1000 或 1,000.50")
    frac = m.group("frac") or ""
    if len(frac) > 2:
        raise MoneyError(f"{label}最多保留两位小数（到分）")
    try:
        amount = Decimal(f"{m.group('sign')}{m.group('int').replace(',', '')}.{frac or '0'}").quantize(CENT)
    except InvalidOperation:  # more digits than a Decimal holds to the fen: far beyond any column
        raise MoneyError(f"{label}超出合理范围（不能超过 {format_yuan(max_value)} 元）") from None
    if amount < 0 and not allow_negative:
        raise MoneyError(f"{label}不能为负数")
    if abs(amount) > max_value:
        raise MoneyError(f"{label}超出合理范围（不能超过 {format_yuan(max_value)} 元）")
    return amount if amount else ZERO  # no "-0.00"


def format_yuan(value: Decimal | int | str | None, *, grouping: bool = True, empty: str = "") -> str:
    """ "1,234.50" (with `grouping`) or "1234.50"; rounded half-up; `empty` for None or ""."""
    if value is None or value == "":
        return empty
    try:
        amount = round_half_up(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
    return f"{amount:,}" if grouping else f"{amount}"


def to_json(value: Decimal | None) -> str | None:
    """An amount in a JSON body: a string with two decimals, rounded half-up ("280.00")."""
    if type(value) is Decimal and value.is_finite():
        return f"{value.quantize(CENT, rounding=ROUND_HALF_UP)}"  # format_yuan's answer, without str→Decimal
    return None if value is None else format_yuan(value, grouping=False)


def collect(
    value: object,
    field: str,
    errors: list[dict[str, str]],
    *,
    label: str = "金额",
    required: bool = False,
    allow_negative: bool = False,
    max_value: Decimal = MAX_AMOUNT,
) -> Decimal | None:
    """`parse` for a service that gathers every error before it refuses: on a bad value, appends
    {"field": field, "message": ...} to `errors` and returns None (as it does for an empty optional value)."""
    try:
        return parse(
            value, label=label, allow_negative=allow_negative, max_value=max_value, required=required
        )
    except MoneyError as exc:
        errors.append({"field": field, "message": str(exc)})
        return None
