"""A deterministic generator of plausible Jiangxi households, shared by `seed_demo` and `bench/generate.py`.

Everything comes from one `random.Random(seed)`, so the same seed, reference date and community sequence
give the same households. The output is plain tuples in the order of `HOUSEHOLD_FIELDS` and
`PERSON_FIELDS` (the models' field names, without ids), money in whole yuan as `int`, so a caller can
build model instances or write CSV for COPY without conversion; it makes about 100,000 persons a second.

ID numbers (GB 11643-1999) start with the county code of the household's community, carry the birth
date and a sex-matching order code, and are unique by construction: `IdAllocator` keeps, per county,
sex and birth date, the next free order code (500 per sex and day), and can be primed with the numbers
already in the database so a second load never collides.

Nothing here touches Django: it is plain Python, importable from a benchmark before settings exist.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from common.dates import years_before
from common.idnumber import CHECK, WEIGHTS

# Ages are computed on this date unless a caller says otherwise; fixed so that runs are reproducible.
DEFAULT_AS_OF = dt.date(2026, 1, 1)

HOUSEHOLD_FIELDS = (
    "community_id",
    "address",
    "phone",
    "housing",
    "bank_name",
    "bank_account",
    "financial_assets",
    "vehicles",
    "houses",
    "business",
    "monthly_rigid_expenditure",
    "hardship_causes",
)
PERSON_FIELDS = (
    "name",
    "id_number",
    "birth_date",
    "sex",
    "relation",
    "labor_capacity",
    "disability_grade",
    "self_care",
    "has_able_supporter",
    "orphan",
    "income_wage",
    "income_business",
    "income_property",
    "income_transfer",
    "income_other",
    "employment",
    "newly_employed_since",
    "disability_kind",
)
# Positions in a person row.
(
    P_NAME,
    P_ID,
    P_BIRTH,
    P_SEX,
    P_RELATION,
    P_LABOR,
    P_DISABILITY,
    P_SELF_CARE,
    P_SUPPORTER,
    P_ORPHAN,
    P_WAGE,
    P_BUSINESS,
    P_PROPERTY,
    P_TRANSFER,
    P_OTHER,
    P_EMPLOYMENT,
    P_NEWLY,
    P_KIND,
) = range(len(PERSON_FIELDS))

# 残疾类别 (households.Person.DisabilityKind) by who the person is, roughly as urban relief caseloads have them
# (肢体 and 听力 most common; 智力 and 多重 among disabled children). Grade 3 leans to 智力/精神/肢体 so the demo
# shows the national deeming by disability kind (policy.md §4: 智力、精神 三级 are deemed without labour capacity).
_KINDS_CHILD = (
    ("intellectual", 35),
    ("multiple", 20),
    ("physical", 20),
    ("mental", 10),
    ("hearing", 8),
    ("speech", 5),
    ("visual", 2),
)
_KINDS_GRADE3 = (
    ("intellectual", 25),
    ("mental", 25),
    ("physical", 25),
    ("hearing", 10),
    ("visual", 10),
    ("multiple", 5),
)
_KINDS_ADULT = (
    ("physical", 32),
    ("hearing", 20),
    ("visual", 15),
    ("multiple", 13),
    ("intellectual", 8),
    ("mental", 8),
    ("speech", 4),
)


def disability_kind(id_number: str, grade: int, age: int) -> str:
    """A plausible 残疾类别 for a person with a grade ("" without one). Drawn from the person's own ID number,
    not from the generator's stream, so adding it changed no other value of the demo."""
    if not grade:
        return ""
    table = _KINDS_CHILD if age < 18 else _KINDS_GRADE3 if grade == 3 else _KINDS_ADULT
    r = random.Random(f"disability_kind:{id_number}").random() * sum(w for _, w in table)
    for kind, weight in table:
        r -= weight
        if r < 0:
            return kind
    return table[-1][0]


DIBAO_2018 = 580  # 赣发〔2018〕7号 五(一)1: incomes are drawn around this line and 1.5 × it (870)


class Community(NamedTuple):
    code: str  # 12 digits, level 5
    name: str  # e.g. 民巷社区居委会
    street_name: str  # e.g. 滕王阁街道


# --- names -------------------------------------------------------------------------------------------

# Common surnames, most frequent in Jiangxi first; weights fall off with rank.
SURNAMES = (
    "刘陈李王张黄吴胡罗徐杨周曾邓朱肖彭熊余万谢郭何钟赖宋程邹梁付袁涂叶傅蔡廖江龚汪饶戴舒魏聂邱甘丁温"
    "姜潘游严卢孙高林郑许韩冯唐曹董田谭易毛夏艾章简兰颜雷黎喻邬晏"
)
_SURNAME_WEIGHTS = [1.0 / (i + 8) for i in range(len(SURNAMES))]
_SURNAME_CUM: list[float] = []
_acc = 0.0
for _w in _SURNAME_WEIGHTS:
    _acc += _w
    _SURNAME_CUM.append(_acc)

# Given-name characters by generation (born before 1965, 1965-1989, 1990 on) and sex.
_GIVEN = {
    (0, True): (
        "建国",
        "国庆",
        "福根",
        "水生",
        "金发",
        "长生",
        "德明",
        "志强",
        "桂生",
        "春林",
        "冬生",
        "火根",
        "建华",
        "国平",
        "新民",
        "守仁",
        "有才",
        "永福",
        "荣华",
        "光明",
        "细毛",
        "根保",
        "和平",
        "继红",
    ),
    (0, False): (
        "桂英",
        "秀英",
        "桂兰",
        "冬梅",
        "秀兰",
        "玉兰",
        "凤英",
        "金花",
        "菊香",
        "美华",
        "月娥",
        "爱莲",
        "淑珍",
        "春花",
        "细妹",
        "水莲",
        "凤娇",
        "秋菊",
        "兰英",
        "金莲",
        "玉珍",
        "翠英",
        "招娣",
        "满英",
    ),
    (1, True): (
        "伟",
        "强",
        "军",
        "勇",
        "斌",
        "峰",
        "涛",
        "杰",
        "波",
        "刚",
        "亮",
        "辉",
        "华",
        "平",
        "明",
        "建军",
        "志刚",
        "海峰",
        "晓东",
        "文斌",
        "小军",
        "卫东",
        "红兵",
        "俊",
        "鹏",
        "敏",
        "剑",
        "健",
    ),
    (1, False): (
        "丽",
        "芳",
        "娟",
        "敏",
        "艳",
        "燕",
        "红",
        "霞",
        "萍",
        "玲",
        "静",
        "英",
        "琴",
        "慧",
        "莉",
        "丽华",
        "小红",
        "春燕",
        "晓燕",
        "海燕",
        "美玲",
        "丽娟",
        "雪梅",
        "秀芳",
        "桂芳",
        "红梅",
        "芳芳",
    ),
    (2, True): (
        "浩",
        "宇",
        "轩",
        "睿",
        "博",
        "晨",
        "豪",
        "凯",
        "子轩",
        "梓轩",
        "浩然",
        "宇航",
        "俊杰",
        "子豪",
        "一鸣",
        "浩宇",
        "家乐",
        "思远",
        "嘉豪",
        "志远",
        "天佑",
        "梓豪",
        "子墨",
        "锦程",
        "文轩",
        "俊熙",
    ),
    (2, False): (
        "欣怡",
        "诗涵",
        "梓涵",
        "雨桐",
        "一诺",
        "子涵",
        "可欣",
        "雨萱",
        "思琪",
        "佳怡",
        "梦瑶",
        "语嫣",
        "婷",
        "悦",
        "琳",
        "雪",
        "晴",
        "妍",
        "若曦",
        "紫萱",
        "欣然",
        "雅琪",
        "诗雨",
        "婉婷",
        "心怡",
    ),
}


# --- places, phones, banks --------------------------------------------------------------------------

_GENERIC_ROADS = (
    "中山路",
    "解放路",
    "人民路",
    "建设路",
    "胜利路",
    "北京路",
    "文化路",
    "新华路",
    "民主路",
    "八一大道",
    "井冈山大道",
    "青山路",
    "站前路",
    "环城路",
    "沿江路",
    "红旗大道",
    "长征路",
    "五一路",
    "广场路",
    "迎宾大道",
    "东风路",
    "向阳路",
    "光明路",
    "和平路",
    "府前路",
    "滨江路",
    "学府路",
    "工业路",
    "纺织路",
    "南昌路",
)
_ROAD_ENDINGS = ("路", "街", "巷", "大道", "道", "坊")
_NAME_SUFFIXES = ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区", "村民委员会", "村委会")

# City telephone area codes, by the first four digits of the division code.
_AREA_CODES = {
    "3601": "0791",
    "3602": "0798",
    "3603": "0799",
    "3604": "0792",
    "3605": "0790",
    "3606": "0701",
    "3607": "0797",
    "3608": "0796",
    "3609": "0795",
    "3610": "0794",
    "3611": "0793",
}
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
)
# (bank, six-digit card prefix): the numbers are synthetic but well-formed (19 digits, Luhn check digit).
_BANKS = (
    ("中国工商银行", "622202"),
    ("中国农业银行", "622848"),
    ("中国建设银行", "621700"),
    ("中国银行", "621661"),
    ("中国邮政储蓄银行", "621799"),
    ("江西农商银行", "622191"),
    ("江西银行", "622180"),
    ("九江银行", "622162"),
    ("赣州银行", "622167"),
    ("上饶银行", "622172"),
)
_BANK_WEIGHTS = (14, 12, 10, 8, 18, 22, 6, 4, 3, 3)
_BANK_CUM = [sum(_BANK_WEIGHTS[: i + 1]) for i in range(len(_BANK_WEIGHTS))]

HARDSHIP_CAUSES = ("illness", "disability", "accident", "schooling", "unemployment", "no_housing")


def _luhn_complete(digits: str) -> str:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def _strip_community(name: str) -> str:
    for suffix in _NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


# --- ID numbers --------------------------------------------------------------------------------------


class IdAllocator:
    """Hands out GB 11643 numbers that are unique by construction.

    For each (county, sex) it keeps an array over birth dates of how many order codes are used; the
    next person born that day in that county gets order code 2n+1 (male) or 2n (female). When a day is
    full (500 of one sex), the birth date moves one day earlier. `note()` primes it with numbers that
    already exist, so later allocations skip every order code at or below the highest one seen.
    """

    SLOTS = 500
    YEARS_BACK = 120

    def __init__(self, as_of: dt.date = DEFAULT_AS_OF):
        self.last = as_of.toordinal()
        self.base = self.last - self.YEARS_BACK * 366
        self.span = self.last - self.base + 1
        self._tables: dict[tuple[str, int], array] = {}
        self._county_sum: dict[str, int] = {}
        self._date_part: dict[int, tuple[str, int]] = {}

    def _table(self, county: str, male: int) -> array:
        key = (county, male)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = array("H", bytes(2 * self.span))
        return table

    def note(self, id_number: str) -> None:
        """Record an existing number (invalid or out-of-range ones are ignored)."""
        if len(id_number) != 18 or not id_number[:17].isdigit():
            return
        try:
            born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])).toordinal()
        except ValueError:
            return
        idx = born - self.base
        if not 0 <= idx < self.span:
            return
        order = int(id_number[14:17])
        table = self._table(id_number[:6], order % 2)
        used = order // 2 + 1
        if table[idx] < used:
            table[idx] = used

    def allocate(self, county: str, born: int, male: bool) -> tuple[str, int]:
        """Return (id_number, birth ordinal) for a person of `county` born on ordinal `born`."""
        sex_bit = 1 if male else 0
        table = self._table(county, sex_bit)
        idx = born - self.base
        while table[idx] >= self.SLOTS:
            idx -= 1
            if idx < 0:
                raise RuntimeError(f"{county}: no free ID numbers left near this birth date")
        n = table[idx]
        table[idx] = n + 1
        born = idx + self.base
        order = 2 * n + sex_bit
        county_sum = self._county_sum.get(county)
        if county_sum is None:
            county_sum = self._county_sum[county] = sum(
                int(c) * w for c, w in zip(county, WEIGHTS[:6], strict=True)
            )
        part = self._date_part.get(born)
        if part is None:
            d = dt.date.fromordinal(born)
            text = f"{d.year:04d}{d.month:02d}{d.day:02d}"
            part = self._date_part[born] = (
                text,
                sum(int(c) * w for c, w in zip(text, WEIGHTS[6:14], strict=True)),
            )
        a, b, c = order // 100, order // 10 % 10, order % 10
        total = county_sum + part[1] + a * WEIGHTS[14] + b * WEIGHTS[15] + c * WEIGHTS[16]
        return f"{county}{part[0]}{order:03d}{CHECK[total % 11]}", born

    def prime(self, id_numbers: Iterable[str]) -> int:
        count = 0
        for number in id_numbers:
            self.note(number)
            count += 1
        return count


# --- the generator -----------------------------------------------------------------------------------

# Household shapes: (weight, kind). Weights roughly follow urban relief caseloads: many elderly and
# single adults with illness or disability, families with children, a few orphans with grandparents.
_SHAPES = (
    (16, "elderly_alone"),
    (10, "elderly_couple"),
    (12, "single_adult"),
    (22, "couple_children"),
    (12, "single_parent"),
    (8, "three_generations"),
    (4, "orphans"),
    (8, "adult_with_parent"),
    (5, "couple_disabled_child"),
    (3, "middle_couple"),
)
_SHAPE_CUM = [sum(w for w, _ in _SHAPES[: i + 1]) for i in range(len(_SHAPES))]


class DemoGenerator:
    """Plausible households for Jiangxi communities, reproducible from `seed`."""

    def __init__(
        self, seed: int = 2018, as_of: dt.date = DEFAULT_AS_OF, allocator: IdAllocator | None = None
    ):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.ids = allocator if allocator is not None else IdAllocator(as_of)
        last = as_of.toordinal()
        # Birth ordinals giving exactly age `a` on as_of: (lo, hi) inclusive.
        self._age_range: list[tuple[int, int]] = []
        for a in range(0, 111):
            hi = years_before(as_of, a).toordinal()
            lo = years_before(as_of, a + 1).toordinal() + 1
            self._age_range.append((lo, min(hi, last)))
        self._roads: dict[str, tuple[str, ...]] = {}
        # random() based draws: several times faster than randint/randrange/choices, still reproducible.
        rnd = self.rng.random

        def randint(a: int, b: int) -> int:
            return a + int(rnd() * (b - a + 1))

        def below(n: int) -> int:
            return int(rnd() * n)

        self._randint = randint
        self._below = below

    def _weighted(self, values: tuple, weights: tuple):
        r = self.rng.random() * sum(weights)
        for value, weight in zip(values, weights, strict=True):
            r -= weight
            if r < 0:
                return value
        return values[-1]

    # -- small draws --

    def _surname(self) -> str:
        r = self.rng.random() * _SURNAME_CUM[-1]
        lo, hi = 0, len(_SURNAME_CUM) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if _SURNAME_CUM[mid] < r:
                lo = mid + 1
            else:
                hi = mid
        return SURNAMES[lo]

    def _given(self, age: int, male: bool) -> str:
        born = self.as_of.year - age
        era = 0 if born < 1965 else 1 if born < 1990 else 2
        pool = _GIVEN[(era, male)]
        rng = self.rng
        first = pool[self._below(len(pool))]
        if len(first) == 1 and rng.random() < 0.55:
            second = pool[self._below(len(pool))]
            return first + second[-1]
        return first

    def _roads_for(self, community: Community) -> tuple[str, ...]:
        roads = self._roads.get(community.code)
        if roads is None:
            stem = _strip_community(community.name)
            own = stem if stem.endswith(_ROAD_ENDINGS) else stem + "路"
            # The community's own road most of the time, two city roads (picked by code, stably) otherwise.
            roads = (
                own,
                own,
                own,
                _GENERIC_ROADS[int(community.code[-3:]) % len(_GENERIC_ROADS)],
                _GENERIC_ROADS[int(community.code[6:9]) % len(_GENERIC_ROADS)],
            )
            self._roads[community.code] = roads
        return roads

    def _address(self, community: Community) -> str:
        rng = self.rng
        roads = self._roads_for(community)
        road = roads[self._below(len(roads))]
        number = self._randint(1, 320)
        if rng.random() < 0.7:
            floor = self._randint(1, 7)
            return (
                f"{community.street_name}{road}{number}号{self._randint(1, 12)}栋{self._randint(1, 4)}单元"
                f"{floor}0{self._randint(1, 4)}室"
            )
        return f"{community.street_name}{road}{number}号"

    def _phone(self, county: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.05:
            return ""
        if r < 0.13:
            return f"{_AREA_CODES.get(county[:4], '0791')}-8{self._randint(10**6, 10**7 - 1)}"
        return f"{_MOBILE_PREFIXES[self._below(len(_MOBILE_PREFIXES))]}{self._below(10**8):08d}"

    def _bank(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.04:
            return "", ""
        r = rng.random() * _BANK_CUM[-1]
        i = 0
        while _BANK_CUM[i] < r:
            i += 1
        name, prefix = _BANKS[i]
        return name, _luhn_complete(f"{prefix}{self._below(10**12):012d}")

    # -- people --

    def _member(self, county: str, relation: str, age: int, male: bool, surname: str) -> list:
        rng = self.rng
        lo, hi = self._age_range[age]
        number, born = self.ids.allocate(county, self._randint(lo, hi), male)
        if age >= 60:
            grade = self._weighted((0, 1, 2, 3, 4), (82, 3, 5, 5, 5)) if rng.random() < 0.3 else 0
        else:
            grade = self._weighted((0, 1, 2, 3, 4), (60, 6, 10, 12, 12)) if rng.random() < 0.15 else 0
        if grade == 1:
            self_care = "none" if rng.random() < 0.6 else "semi"
        elif grade == 2:
            self_care = "semi" if rng.random() < 0.5 else "full"
        elif age >= 75:
            r = rng.random()
            self_care = "none" if r < 0.06 else "semi" if r < 0.22 else "full"
        else:
            self_care = "full" if rng.random() < 0.985 else "semi"
        if age < 16 or grade in (1, 2) or self_care == "none":
            labor = "none"
        elif age >= 60:
            labor = "partial" if age < 70 and rng.random() < 0.3 else "none"
        elif grade in (3, 4) or self_care == "semi" or rng.random() < 0.08:
            labor = "partial"
        else:
            labor = "full"
        if age < 6:
            employment = "na"
        elif age < 16 or (age < 23 and rng.random() < 0.7):
            employment = "student"
        elif age >= 60:
            employment = "retired" if rng.random() < 0.45 else "na"
        elif labor == "none":
            employment = "na"
        else:
            r = rng.random()
            employment = "employed" if r < 0.3 else "flexible" if r < 0.65 else "unemployed"
        newly = None
        if employment in ("employed", "flexible") and rng.random() < 0.08:
            newly = dt.date.fromordinal(self.ids.last - self._randint(20, 540))
        return [
            surname + self._given(age, male),
            number,
            dt.date.fromordinal(born),
            "M" if male else "F",
            relation,
            labor,
            grade,
            self_care,
            True,
            "",
            0,
            0,
            0,
            0,
            0,
            employment,
            newly,
            "",  # disability_kind: set once the grade is final (_people)
        ]

    def _shape(self) -> str:
        r = self.rng.random() * _SHAPE_CUM[-1]
        i = 0
        while _SHAPE_CUM[i] < r:
            i += 1
        return _SHAPES[i][1]

    def _people(self, county: str) -> list[list]:
        """Members by relation, age and sex for one household; the head comes first."""
        rng = self.rng
        randint = self._randint
        shape = self._shape()
        head_male = rng.random() < 0.55
        head_surname = self._surname()
        spec: list[tuple[str, int, bool, str]] = []
        supporter = True
        orphans = 0

        def children(mother_age: int, family: str, count: int, max_age: int = 30) -> None:
            for _ in range(count):
                oldest = min(mother_age - 20, max_age)
                if oldest < 0:
                    return
                spec.append(("child", randint(max(0, mother_age - 40), oldest), rng.random() < 0.52, family))

        if shape == "elderly_alone":
            spec.append(("head", randint(60, 85), head_male, head_surname))
            supporter = rng.random() < 0.55
        elif shape == "elderly_couple":
            age = randint(60, 83)
            spec.append(("head", age, True, head_surname))
            spec.append(("spouse", max(55, min(85, age + randint(-6, 2))), False, self._surname()))
            supporter = rng.random() < 0.65
        elif shape == "single_adult":
            spec.append(("head", randint(25, 59), head_male, head_surname))
            supporter = rng.random() < 0.7
        elif shape in ("couple_children", "middle_couple", "couple_disabled_child"):
            lo, hi = {
                "couple_children": (25, 52),
                "middle_couple": (40, 59),
                "couple_disabled_child": (45, 72),
            }[shape]
            age = randint(lo, hi)
            spouse_age = max(22, min(85, age + randint(-5, 5)))
            spouse_surname = self._surname()
            spec.append(("head", age, head_male, head_surname))
            spec.append(("spouse", spouse_age, not head_male, spouse_surname))
            family = head_surname if head_male else spouse_surname
            mother_age = spouse_age if head_male else age
            if shape == "couple_children":
                children(mother_age, family, self._weighted((1, 2, 3), (45, 42, 13)), max_age=22)
            elif shape == "couple_disabled_child":
                if mother_age - 20 >= 18:
                    spec.append(
                        ("child*", randint(18, min(mother_age - 20, 45)), rng.random() < 0.55, family)
                    )
                else:
                    children(mother_age, family, 1)
        elif shape == "single_parent":
            age = randint(25, 52)
            male = rng.random() < 0.25
            spec.append(("head", age, male, head_surname))
            family = head_surname if male else self._surname()
            children(age, family, self._weighted((1, 2, 3), (55, 37, 8)), max_age=20)
        elif shape == "three_generations":
            age = randint(30, 55)
            spouse_age = max(25, min(70, age + randint(-5, 5)))
            spouse_surname = self._surname()
            spec.append(("head", age, head_male, head_surname))
            spec.append(("spouse", spouse_age, not head_male, spouse_surname))
            family = head_surname if head_male else spouse_surname
            children(spouse_age if head_male else age, family, self._weighted((1, 2), (60, 40)), max_age=24)
            parent_age = min(95, age + randint(22, 34))
            spec.append(("parent", parent_age, rng.random() < 0.4, head_surname))
        elif shape == "orphans":
            age = randint(55, 80)
            spec.append(("head", age, head_male, head_surname))
            if rng.random() < 0.5:
                spec.append(
                    ("spouse", max(50, min(85, age + randint(-5, 5))), not head_male, self._surname())
                )
            orphans = self._weighted((1, 2), (75, 25))
            for _ in range(orphans):
                spec.append(("grandchild*", randint(3, 15), rng.random() < 0.52, head_surname))
            supporter = rng.random() < 0.5
        else:  # adult_with_parent
            age = randint(28, 60)
            spec.append(("head", age, head_male, head_surname))
            spec.append(("parent", min(95, age + randint(22, 34)), rng.random() < 0.35, head_surname))

        people = []
        for relation, age, male, surname in spec:
            disabled_child = relation == "child*"
            orphan = relation == "grandchild*"
            relation = relation.rstrip("*")
            person = self._member(county, relation, age, male, surname)
            if disabled_child:
                person[P_DISABILITY] = (1, 2, 2, 3)[self._below(4)]
                person[P_SELF_CARE] = "none" if person[P_DISABILITY] == 1 else "semi"
                person[P_LABOR] = "none" if person[P_DISABILITY] < 3 else "partial"
                person[P_EMPLOYMENT] = "na" if person[P_LABOR] == "none" else "unemployed"
                person[P_NEWLY] = None
            if orphan:
                person[P_ORPHAN] = "institutional" if rng.random() < 0.12 else "scattered"
                person[P_SUPPORTER] = False
            elif not supporter and relation in ("head", "spouse"):
                person[P_SUPPORTER] = False
            person[P_KIND] = disability_kind(person[P_ID], person[P_DISABILITY], age)
            people.append(person)
        return people

    # -- money --

    def _incomes(self, people: list[list]) -> int:
        """Fill the income columns; returns the household's monthly total (yuan)."""
        rng = self.rng
        size = len(people)
        r = rng.random()
        if r < 0.55:
            pci = self._randint(0, DIBAO_2018 - 1)
        elif r < 0.80:
            pci = self._randint(DIBAO_2018, DIBAO_2018 * 3 // 2 - 1)
        else:
            pci = self._randint(DIBAO_2018 * 3 // 2, 2400)
        total = pci * size
        remaining = total
        retired = [p for p in people if p[P_EMPLOYMENT] == "retired"]
        earners = [p for p in people if p[P_EMPLOYMENT] in ("employed", "flexible")]
        for p in retired:
            pension = min(remaining, self._randint(900, 2600))
            p[P_TRANSFER] = pension
            remaining -= pension
        if remaining > 0 and earners:
            for i, p in enumerate(earners):
                share = remaining if i == len(earners) - 1 else self._randint(0, remaining)
                remaining -= share
                if p[P_EMPLOYMENT] == "flexible" and rng.random() < 0.4:
                    business = share * self._randint(30, 100) // 100
                    p[P_BUSINESS] = business
                    share -= business
                p[P_WAGE] = share
        if remaining > 0:
            # Support from relatives outside the household, rent from a room, odd jobs.
            head = people[0]
            r = rng.random()
            if r < 0.15:
                part = remaining * self._randint(20, 100) // 100
                head[P_PROPERTY] += part
                remaining -= part
            if remaining > 0:
                if rng.random() < 0.5:
                    head[P_TRANSFER] += remaining
                else:
                    head[P_OTHER] += remaining
        return total

    # -- households --

    def household(self, community: Community) -> tuple[tuple, list[tuple]]:
        """One household of `community`: (household row, [person rows]); the head is first."""
        rng = self.rng
        county = community.code[:6]
        people = self._people(county)
        self._incomes(people)

        r = rng.random()
        housing = (
            "own"
            if r < 0.42
            else "public_rental"
            if r < 0.62
            else "rented"
            if r < 0.84
            else "shanty"
            if r < 0.93
            else "none"
            if r < 0.97
            else "other"
        )
        if housing == "own":
            houses = 2 if rng.random() < 0.06 else 1
        elif housing == "shanty":
            houses = 1 if rng.random() < 0.6 else 0
        else:
            houses = 1 if rng.random() < 0.03 else 0
        vehicles = 1 if rng.random() < 0.05 else 0
        business = rng.random() < 0.03
        r = rng.random()
        if r < 0.35:
            assets = 0
        elif r < 0.88:
            assets = self._randint(1, 12000) * len(people)
        else:
            assets = self._randint(12000, 120000)

        causes = []
        if any(p[P_SELF_CARE] != "full" for p in people) or rng.random() < 0.3:
            causes.append("illness")
        if any(p[P_DISABILITY] for p in people):
            causes.append("disability")
        if rng.random() < 0.04:
            causes.append("accident")
        if any(p[P_EMPLOYMENT] == "student" for p in people) and rng.random() < 0.7:
            causes.append("schooling")
        if any(p[P_EMPLOYMENT] == "unemployed" for p in people):
            causes.append("unemployment")
        if housing in ("none", "rented") and houses == 0 and rng.random() < 0.5:
            causes.append("no_housing")
        if not causes:
            causes.append("unemployment" if rng.random() < 0.5 else "illness")
        expenditure = 0
        if ("illness" in causes or "disability" in causes or "schooling" in causes) and rng.random() < 0.55:
            expenditure = self._randint(2, 60) * 50
        bank_name, bank_account = self._bank()
        household = (
            community.code,
            self._address(community),
            self._phone(county),
            housing,
            bank_name,
            bank_account,
            assets,
            vehicles,
            houses,
            business,
            expenditure,
            causes,
        )
        return household, [tuple(p) for p in people]

    def households(self, communities: Sequence[Community], n: int) -> Iterator[tuple[tuple, list[tuple]]]:
        """`n` households, each in a community drawn uniformly from `communities`."""
        pick = self._below
        size = len(communities)
        for _ in range(n):
            yield self.household(communities[pick(size)])


def household_dict(row: tuple) -> dict:
    return dict(zip(HOUSEHOLD_FIELDS, row, strict=True))


def person_dict(row: tuple) -> dict:
    return dict(zip(PERSON_FIELDS, row, strict=True))
