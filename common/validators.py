"""Field validators for facts that cannot lie in the future (a birth, a death, the start of a job, an
expenditure already made): one Chinese message, usable on model fields, form fields and serializers."""

from __future__ import annotations

import datetime as dt

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
