"""Many §7 requests in one process (`evaluate --jsonl`): the caches a batch shares, and a fast path for
well-formed requests.

`Batch.evaluate_json(payload)` is `io.evaluate_request_json(payload, lookup=…)`, byte for byte and error for
error (a test holds them equal on valid and invalid requests). A request whose every field is plainly well
formed is read here without building a path or a message per field: the part that is the same for many
requests (region, date and overrides → the standards) is resolved once per distinct value and remembered,
and each member is checked by type and set membership. The moment anything is not plainly valid, the fast
path gives up and `io.parse_request` reads the request from scratch, so every error, and its order, is
io's own. The fast path never accepts what io would refuse; it may send a valid request to io (an amount
given as a float, an ID number typed with spaces), which then costs the old price.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from decimal import Decimal
from typing import Any

from common import idnumber, money
from eligibility import io, rules
from eligibility.standards import StandardsLookup

_TOP_KEYS = io.TOP_KEY_SET
_HOUSEHOLD_KEYS = io.HOUSEHOLD_KEY_SET
_PROPERTY_KEYS = io.PROPERTY_KEY_SET
_MEMBER_KEYS = io.MEMBER_KEY_SET
_RELATIONS = frozenset(rules.RELATIONS)
_LABOR = frozenset(rules.LABOR_CAPACITIES)
_SELF_CARE = frozenset(rules.SELF_CARE_LEVELS)
_KINDS = frozenset(rules.DISABILITY_KINDS)
_ORPHANS = frozenset(rules.ORPHAN_KINDS)
_CAUSES = frozenset(rules.HARDSHIP_CAUSES)
_PROVINCES = idnumber.PROVINCES
_CHECK = idnumber.CHECK
_CHECK_CHARS = frozenset("0123456789X")
_PLAIN_MONEY = money.PLAIN.fullmatch
_SCALARS = (str, int, bool, type(None))
_DAY = dt.timedelta(days=1)
_CACHE_MAX = 200_000  # distinct amounts and dates remembered; past it the cache starts again


_new = object.__new__
_set = object.__setattr__


def _frozen(cls: type, values: dict[str, Any]) -> Any:
    """An instance of the frozen dataclass `cls` holding `values` (every field, in field order), made
    without its generated __init__, which sets the fields one `object.__setattr__` at a time: a member
    made this way costs a quarter of one made by `rules.Member(...)`, and a batch makes millions. It is
    equal to the one __init__ makes (a test holds it so); `_FAST_CLASSES` is checked at import for what
    would make it differ (slots, __post_init__, a field not in __init__)."""
    obj: Any = _new(cls)
    _set(obj, "__dict__", values)
    return obj


def _check_fast_class(cls: type) -> type:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen and not hasattr(cls, "__slots__") and not hasattr(cls, "__post_init__"), cls
    assert all(f.init for f in dataclasses.fields(cls)), cls
    return cls


_FAST_CLASSES = tuple(
    _check_fast_class(c) for c in (rules.Member, rules.Property, rules.Household, io.Request)
)


class _Fallback(Exception):
    """Not plainly valid: io reads the request from scratch."""


def _overrides_key(value: Any) -> tuple | None:
    """A hashable key that tells two `standards` objects apart exactly as io's parser would (True and 1,
    or 0.0 and -0.0, are equal in Python but not to the parser: the type is in the key and floats are
    left to io); None when the object is not a flat JSON object of strings, integers, booleans and nulls."""
    if type(value) is not dict:
        return None
    key = []
    for name, raw in value.items():
        if type(raw) not in _SCALARS:
            return None
        key.append((name, type(raw), raw))
    return tuple(key)


class Batch:
    """One batch: a preloaded StandardsLookup and what is the same across its requests."""

    def __init__(self, lookup: StandardsLookup | None = None) -> None:
        self.lookup = lookup or StandardsLookup(preload=True)
        # (region, year, overrides key) → (standards, no_record); None: io reads the request.
        self._heads: dict[tuple, tuple[rules.Standards, tuple] | None] = {}
        self._amounts: dict[str, Decimal] = {}
        self._dates: dict[str, dt.date | None] = {}
        self._today = dt.date.min
        self._tomorrow_at = 0.0  # time.time() of the next local midnight: when `today` must be read again

    # -- the day (idnumber.parse bounds a birth date by it, read once per household in io) ----------

    def today(self) -> dt.date:
        if time.time() >= self._tomorrow_at:
            self._today = dt.date.today()
            midnight = dt.datetime.combine(self._today + _DAY, dt.time())
            self._tomorrow_at = midnight.timestamp()
        return self._today

    # -- values ----------------------------------------------------------------------------------

    def _amount(self, value: Any) -> Decimal:
        """money.parse of a household amount, remembered per text ("0", "1234.50")."""
        if type(value) is str:
            found = self._amounts.get(value)
            if found is not None:
                return found
            if _PLAIN_MONEY(value) is None:
                raise _Fallback
            amount = money.parse(value, label="", required=True)
            assert amount is not None
            if len(self._amounts) >= _CACHE_MAX:
                self._amounts.clear()
            self._amounts[value] = amount
            return amount
        if type(value) is int and 0 <= value <= 9_999_999_999:
            return money.parse(value, label="", required=True)  # type: ignore[return-value]
        raise _Fallback

    def _date(self, value: Any) -> dt.date:
        if type(value) is not str:
            raise _Fallback
        try:
            found = self._dates[value]
        except KeyError:
            errors = io._Errors()
            found = io._date(value, "", errors)
            if len(self._dates) >= _CACHE_MAX:
                self._dates.clear()
            self._dates[value] = found
        if found is None:
            raise _Fallback
        return found

    # -- the request -----------------------------------------------------------------------------

    def _head(self, obj: dict) -> tuple[dt.date, rules.Standards, tuple]:
        region = obj.get("region")
        if type(region) is not str:
            raise _Fallback
        as_of = self._date(obj.get("as_of"))
        if "standards" in obj:
            overrides = _overrides_key(obj["standards"])
            if overrides is None:
                raise _Fallback
        else:
            overrides = None  # no key at all: not the same as an empty object to the cache, the same to io
        # What io.parse_head finds depends on the region, the year and the overrides only (the date itself
        # was found valid just above).
        key = (region, as_of.year, overrides)
        try:
            head = self._heads[key]
        except KeyError:
            errors = io._Errors()
            _, day, standards, no_record = io.parse_head(obj, errors, self.lookup)
            head = None if errors or day is None or standards is None else (standards, no_record)
            if len(self._heads) >= _CACHE_MAX:
                self._heads.clear()
            self._heads[key] = head
        if head is None:
            raise _Fallback
        return as_of, head[0], head[1]

    def _member(self, raw: Any, today: dt.date) -> rules.Member:
        if type(raw) is not dict or not raw.keys() <= _MEMBER_KEYS:
            raise _Fallback
        number = raw.get("id_number")
        # idnumber.parse on text that needs no normalising: 17 ASCII digits and a check character.
        if type(number) is not str or len(number) != 18:
            raise _Fallback
        first17 = number[:17]
        if not (
            first17.isdigit()
            and first17.isascii()
            and first17[:2] in _PROVINCES
            and number[17] in _CHECK_CHARS
            and _CHECK[(2 * int(first17, 13)) % 11] == number[17]
        ):
            raise _Fallback
        birth = idnumber._birth(first17[6:14])
        if birth is None or birth > today:
            raise _Fallback
        if "monthly_income" not in raw:
            raise _Fallback
        income = self._amount(raw["monthly_income"])

        get = raw.get
        relation = get("relation")
        if relation is not None and (type(relation) is not str or relation not in _RELATIONS):
            raise _Fallback
        labor = get("labor_capacity", "full")
        if type(labor) is not str or labor not in _LABOR:
            raise _Fallback
        grade = get("disability_grade", 0)
        if type(grade) is not int or not 0 <= grade <= 4:
            raise _Fallback
        kind = get("disability_kind")
        if kind is not None and (type(kind) is not str or kind not in _KINDS or grade == 0):
            raise _Fallback
        reason = get("supporter_unable_reason")
        if reason is not None:
            if type(reason) is not str or len(reason) > io.REASON_MAX:
                raise _Fallback
            reason = reason.strip() or None
        self_care = get("self_care", "full")
        if type(self_care) is not str or self_care not in _SELF_CARE:
            raise _Fallback
        supporter = get("has_able_supporter", True)
        if type(supporter) is not bool:
            raise _Fallback
        orphan = get("orphan")
        if orphan is not None and (type(orphan) is not str or orphan not in _ORPHANS):
            raise _Fallback
        employed = get("newly_employed_since")
        if employed is not None:
            employed = self._date(employed)
        return _frozen(
            rules.Member,
            {
                "id_number": number,
                "birth_date": birth,
                "monthly_income": income,
                "relation": relation,
                "labor_capacity": labor,
                "disability_grade": grade,
                "disability_kind": kind,
                "self_care": self_care,
                "has_able_supporter": supporter,
                "supporter_unable_reason": reason,
                "orphan": orphan,
                "newly_employed_since": employed,
                "sex": "M" if int(number[16]) % 2 else "F",
            },
        )

    def _household(self, obj: Any) -> rules.Household:
        if type(obj) is not dict or not obj.keys() <= _HOUSEHOLD_KEYS:
            raise _Fallback
        raw_members = obj.get("members")
        if type(raw_members) is not list or not 0 < len(raw_members) <= io.MAX_MEMBERS:
            raise _Fallback
        today = self.today()
        members = tuple([self._member(raw, today) for raw in raw_members])
        if len(members) > 1 and len({m.id_number for m in members}) != len(members):
            raise _Fallback  # a repeated ID number
        relations = [m.relation for m in members]
        if relations.count(None) != len(relations) and relations.count("head") != 1:
            raise _Fallback  # relations given but no head, or two

        prop = rules.Property()
        if "property" in obj:
            raw = obj["property"]
            if type(raw) is not dict or not raw.keys() <= _PROPERTY_KEYS:
                raise _Fallback
            vehicles, houses = raw.get("vehicles", 0), raw.get("houses", 0)
            business = raw.get("business", False)
            if (
                type(vehicles) is not int
                or not 0 <= vehicles <= 32767
                or type(houses) is not int
                or not 0 <= houses <= 32767
                or type(business) is not bool
            ):
                raise _Fallback
            assets = self._amount(raw.get("financial_assets", "0"))
            prop = _frozen(
                rules.Property,
                {"financial_assets": assets, "vehicles": vehicles, "houses": houses, "business": business},
            )

        rigid = self._amount(obj.get("monthly_rigid_expenditure", "0"))
        raw_causes = obj.get("hardship_causes", [])
        if type(raw_causes) is not list:
            raise _Fallback
        for cause in raw_causes:
            if type(cause) is not str or cause not in _CAUSES:
                raise _Fallback
        causes = tuple(dict.fromkeys(raw_causes)) if len(raw_causes) > 1 else tuple(raw_causes)
        return _frozen(
            rules.Household,
            {
                "members": members,
                "property": prop,
                "monthly_rigid_expenditure": rigid,
                "hardship_causes": causes,
            },
        )

    def parse(self, payload: Any) -> io.Request:
        """`io.parse_request(payload, lookup=…)`: the same Request, or the same ServiceError."""
        if type(payload) is dict and payload.keys() <= _TOP_KEYS and "household" in payload:
            try:
                as_of, standards, no_record = self._head(payload)
                household = self._household(payload["household"])
            except _Fallback:
                pass
            else:
                return _frozen(
                    io.Request,
                    {
                        "region": payload["region"],
                        "as_of": as_of,
                        "standards": standards,
                        "household": household,
                        "no_record": no_record,
                    },
                )
        return io.parse_request(payload, lookup=self.lookup)

    def evaluate_json(self, payload: Any) -> str:
        """`io.evaluate_request_json(payload, lookup=…)`, byte for byte; ServiceError alike."""
        return io.result_to_json(io.evaluate_parsed(self.parse(payload)))


def _reject_constant(name: str) -> Any:
    # The API's JSON parser refuses NaN and Infinity; the command must read exactly what the API reads.
    raise ValueError(f"不支持的数值 {name}")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def loads(text: str) -> Any:
    """`json.loads(text, parse_constant=…)` with one decoder for the whole batch (json.loads makes a new
    one per call when given an argument)."""
    if text.startswith("\ufeff"):
        return json.loads(text, parse_constant=_reject_constant)  # its own error about the BOM
    return _DECODER.decode(text)
