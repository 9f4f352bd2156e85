"""The one ID-number validator: checksum, birth date, region prefix, normalisation, masking."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common import idnumber

TODAY = dt.date(2026, 12, 6)


def make(head17: str) -> str:
    return head17 + idnumber.check_char(head17)


# Published test vectors of GB 11643.
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
    assert idnumber.is_valid(number, today=TODAY)
    assert idnumber.valid_number(number, TODAY) == number


@pytest.mark.parametrize("number", INVALID)
def test_published_invalid_vectors(number):
    with pytest.raises(idnumber.InvalidIdNumber, match="^身份证号码校验位错误$"):
        idnumber.parse(number, today=TODAY)
    assert idnumber.valid_number(number, TODAY) is None


def test_a_known_valid_number_gives_birth_date_and_sex():
    info = idnumber.parse("11010519491231002X", today=TODAY)
    assert info == idnumber.IdInfo("11010519491231002X", dt.date(1949, 12, 31), "F")
    assert idnumber.parse(make("36010219800101001"), today=TODAY).sex == "M"


def test_the_fast_checksum_agrees_with_the_weights_of_the_standard():
    for head in ("36010219800101001", "11010519491231002", "44030420001231999", "00000000000000000"):
        slow = idnumber.CHECK[sum(int(c) * w for c, w in zip(head, idnumber.WEIGHTS, strict=True)) % 11]
        assert idnumber.check_char(head) == slow


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_fast_checksum_agrees_for_any_digits(head):
    slow = idnumber.CHECK[sum(int(c) * w for c, w in zip(head, idnumber.WEIGHTS, strict=True)) % 11]
    assert idnumber.check_char(head) == slow


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",  # lower-case x
        " 11010519491231002X ",  # white space around
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",  # full-width lower-case x
    ],
)
def test_input_is_normalised(raw):
    assert idnumber.parse(raw, today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写身份证号码"),
        ("3601021980010100", "身份证号码应为18位，实为16位"),
        ("3601021980010100111", "身份证号码应为18位，实为19位"),
        ("36010219800101001A", "身份证号码前17位须为数字，末位为数字或X"),
        ("3601021980O101001X", "身份证号码前17位须为数字，末位为数字或X"),
        (make("99010219800101001"), "身份证号码前两位“99”不是有效的省级行政区划代码"),
        (make("00010219800101001"), "身份证号码前两位“00”不是有效的省级行政区划代码"),
        (make("36010219810229001"), "身份证号码中的出生日期不存在"),  # 1981 is not a leap year
        (make("36010218791231001"), "身份证号码中的出生日期不存在"),  # before 1880
        (make("36010220261207001"), "身份证号码中的出生日期晚于今天"),  # tomorrow
        ("360102198001010012", "身份证号码校验位错误"),
    ],
)
def test_refusals_name_the_reason(raw, message):
    with pytest.raises(idnumber.InvalidIdNumber) as info:
        idnumber.parse(raw, today=TODAY)
    assert str(info.value) == message
    assert not idnumber.is_valid(raw, today=TODAY)


def test_boundaries_of_the_birth_date():
    assert idnumber.parse(make("36010220261206001"), today=TODAY).birth_date == TODAY  # born today
    assert idnumber.parse(make("36010218800101001"), today=TODAY).birth_date == dt.date(1880, 1, 1)
    assert idnumber.parse(make("36010220000229001"), today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_a_number_that_is_not_text_is_refused():
    with pytest.raises(idnumber.InvalidIdNumber, match="身份证号码必须是文本"):
        idnumber.parse(360102198001010011)


def test_every_province_prefix_is_accepted_and_only_those():
    accepted = {
        f"{p:02d}" for p in range(100) if idnumber.is_valid(make(f"{p:02d}010219800101001"), today=TODAY)
    }
    assert accepted == idnumber.PROVINCES
    assert len(accepted) == 34


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("36010219800101001X", "3601**********001X"),
        ("360102800101001", "3601*******1001"),  # 15-digit old number
        ("123456789", "1234*6789"),
        ("12345678", "********"),  # too short to show any of it
        ("", ""),
    ],
)
def test_mask_shows_the_first_and_last_four_only(raw, masked):
    assert idnumber.mask(raw) == masked


_digits = st.text(alphabet="0123456789", min_size=17, max_size=17)
_candidates = st.one_of(
    _digits.map(make),  # valid checksums, any prefix and date
    _digits.map(lambda h: h + "X"),
    st.text(alphabet="0123456789Xx １２Ｘｘ ", min_size=0, max_size=20),
    st.builds(
        lambda y, m, d, s: make(f"360102{y:04d}{m:02d}{d:02d}{s:03d}"),
        st.integers(1870, 2030),
        st.integers(1, 12),
        st.integers(1, 31),
        st.integers(0, 999),
    ),
)


@given(_candidates)
def test_the_fast_path_agrees_with_parse(raw):
    try:
        expected = idnumber.parse(raw, today=TODAY).number
    except idnumber.InvalidIdNumber:
        expected = None
    assert idnumber.valid_number(raw, TODAY) == expected
