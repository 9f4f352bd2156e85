"""The header's search box: one query string finds households and persons in the user's scope by name, ID number
(all 18 characters, or its last 4 to 6), phone number, or household file number (#123).

Reads go through households.selectors (person_scope, narrowed by accounts.scope), so nothing outside the user's area
is ever found; ID numbers are shown masked, as in every list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from common import idnumber
from households.selectors import person_scope

LIMIT = 50
DIGITS = re.compile(r"^\d+[\dxX]?$")


@dataclass(frozen=True)
class Criteria:
    text: str
    how: str  # what the text was read as, said to the user

    @property
    def shown(self) -> str:
        """The text as the results' heading repeats it (a full ID number masked, like every list)."""
        return idnumber.mask(self.text.upper()) if self.how == "身份证号码" else self.text


def read_query(raw: str) -> Criteria | None:
    text = (raw or "").strip().replace(" ", "")
    if not text:
        return None
    text = text.lstrip("#＃") if text[:1] in "#＃" and text[1:].isdigit() else text
    return Criteria(text=text, how=_how(text, raw))


def _how(text: str, raw: str) -> str:
    if (raw or "").strip()[:1] in "#＃":
        return "家庭档案编号"
    if len(text) == 18 and idnumber.is_valid(text.upper()):
        return "身份证号码"
    if DIGITS.match(text) and 4 <= len(text) <= 6:
        return "身份证号码后几位或家庭档案编号"
    if text.isdigit() and 7 <= len(text) <= 12:
        return "联系电话"
    return "姓名"


def search(*, user, raw: str) -> tuple[Criteria | None, list]:
    """The persons found (each with their household and community), at most LIMIT, by household (one query)."""
    criteria = read_query(raw)
    if criteria is None:
        return None, []
    text, how = criteria.text, criteria.how
    if how == "家庭档案编号":
        match = Q(household_id=int(text))
    elif how == "身份证号码":
        match = Q(id_number=text.upper())
    elif how == "身份证号码后几位或家庭档案编号":
        match = Q(id_number__endswith=text.upper())
        if text.isdigit():
            match |= Q(household_id=int(text), relation="head")
    elif how == "联系电话":
        match = Q(household__phone__contains=text)
    else:
        match = Q(name__contains=text)
    qs = (
        person_scope(user=user)
        .filter(match)
        .select_related("household__community__parent")
        .order_by("household_id", "id")[:LIMIT]
    )
    return criteria, list(qs)
