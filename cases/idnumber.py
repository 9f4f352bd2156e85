"""Resident ID numbers (GB 11643-1999): 17 digits and a check character over ISO 7064 MOD 11-2."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def check_char(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse(value: object) -> IdInfo:
    """Validate and return the birth date and sex; raise InvalidIdNumber with a Chinese message.

    A lower-case x is refused: the standard and the card print an upper-case X.
    """
    if not isinstance(value, str):
        raise InvalidIdNumber("身份证号码必须是文本")
    if len(value) != 18:
        raise InvalidIdNumber(f"身份证号码应为18位，实为{len(value)}位")
    # isascii: "²".isdigit() is true, and int() refuses it.
    if not value.isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber("身份证号码前17位须为数字，末位为数字或大写X")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号码中的出生日期不存在") from None
    if birth.year < 1880:
        raise InvalidIdNumber("身份证号码中的出生日期不存在")
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("身份证号码校验位错误")
    return IdInfo(value, birth, "M" if int(value[16]) % 2 else "F")


def is_valid(value: object) -> bool:
    try:
        parse(value)
    except InvalidIdNumber:
        return False
    return True


def mask(value: str) -> str:
    """3601**********123X: the first four and last four characters only."""
    if not value or len(value) < 8:
        return "*" * len(value or "")
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
