import datetime as dt

import pytest

from households import idnumber

VALID = [
    "11010519491231002X",
    "440524188001010014",
    "11010219840406970X",
    "120223198902021249",
    "130132199210293822",
]
INVALID = [
    "110105194912310021",
    "11010219840506970X",
    "440524189001010014",
    "11020519491231002X",
    "130402198207290622",
]


@pytest.mark.parametrize("number", VALID)
def test_published_valid_vectors(number):
    assert idnumber.is_valid(number)


@pytest.mark.parametrize("number", INVALID)
def test_published_invalid_vectors(number):
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.parse(number)


def test_birth_date_and_sex_come_from_the_number():
    info = idnumber.parse("11010519491231002X")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"  # 17th digit 2 is even
    assert idnumber.parse("440524188001010014").sex == "M"


@pytest.mark.parametrize(
    "number,message",
    [
        ("11010519490231002X", "出生日期不存在"),  # 31 February
        ("110105194913310021", "出生日期不存在"),  # month 13
        ("11010519491231002x", "大写X"),  # lower-case x
        ("11010519491231002", "应为18位，实为17位"),
        ("11010519491231002XX", "应为18位，实为19位"),
        ("", "应为18位，实为0位"),
        ("1101051949123100A2", "大写X"),
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(number, message):
    with pytest.raises(idnumber.InvalidIdNumber, match=message):
        idnumber.parse(number)


def test_mask_keeps_four_and_four():
    assert idnumber.mask("36010219800101123X") == "3601**********123X"
