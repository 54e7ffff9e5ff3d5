"""Timezone-aware time helpers shared by every layer.

chronomem never holds a naive datetime: values coming from users are checked here and
rejected with a message that says how to fix them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from chronomem.errors import TimeError

__all__ = [
    "AwareTime",
    "at_offset",
    "check_time",
    "from_micros",
    "offset_minutes",
    "parse_time",
    "to_micros",
    "utcnow",
]

_FIX = (
    "give a timezone-aware value, e.g. '2024-06-01T09:30:00+02:00' or '2024-06-01T07:30:00Z' "
    "(in Python: datetime(..., tzinfo=timezone.utc))"
)


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def parse_time(value: object, *, field: str = "time") -> datetime:
    """Turn a datetime, date or ISO-8601 string into a timezone-aware datetime.

    A date means midnight UTC of that day. A naive datetime or a string without a zone is
    rejected: guessing the zone would silently shift facts in time.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise TimeError(
                f"{field}: naive datetime {value.isoformat()!r} has no timezone; {_FIX}"
            )
        return check_time(value, field=field)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise TimeError(f"{field}: empty time string; {_FIX}")
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise TimeError(
                f"{field}: cannot parse {value!r} as an ISO-8601 time; {_FIX}"
            ) from None
        if len(text) == 10 and parsed.tzinfo is None:  # a bare date: YYYY-MM-DD
            return parsed.replace(tzinfo=UTC)
        return parse_time(parsed, field=field)
    raise TimeError(
        f"{field}: expected a datetime or an ISO-8601 string, got {type(value).__name__}"
    )


def check_time(value: datetime, *, field: str = "time") -> datetime:
    """``value`` (timezone-aware) if it names one real instant that chronomem can store.

    Refused with :class:`TimeError`: a time whose UTC form leaves years 1-9999 (Python's
    datetime range, e.g. ``0001-01-01T00:00:00+05:00``), and a wall-clock time that does
    not exist in its named time zone (a daylight-saving gap, e.g. 02:30 on the night clocks
    jump from 02:00 to 03:00), which would otherwise be silently shifted by an hour.
    The message starts with ``field`` (nothing when it is empty).
    """
    where = f"{field}: " if field else ""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise TimeError(
            f"{where}{value.isoformat()!r} is outside years 1-9999 once converted to UTC; "
            "give a time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
        ) from None
    zone = value.tzinfo
    try:
        wall = utc.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        wall = None
    if wall != value.replace(tzinfo=None):
        raise TimeError(
            f"{where}{value.replace(tzinfo=None).isoformat()} does not exist in time zone "
            f"{zone} (clocks skip it at a daylight-saving change); give a time outside the "
            "gap, or an explicit UTC offset"
        )
    return value


def to_micros(value: datetime) -> int:
    """Microseconds since the Unix epoch (UTC), the storage form of a time."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """Inverse of :func:`to_micros`, in UTC."""
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


def offset_minutes(value: datetime | None) -> int | None:
    """The UTC offset ``value`` was said with, in minutes east (None for UTC or no time): stores
    keep instants in UTC and this beside them, so a fact's dates read back as they were said
    ("since 2020" at +02:00 stays 2020-01-01T00:00+02:00, not 2019-12-31T22:00Z)."""
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is None or not offset:
        return None
    return int(offset.total_seconds()) // 60


def at_offset(value: datetime | None, minutes: int | None) -> datetime | None:
    """``value`` (an instant) shown at the UTC offset ``minutes`` (inverse of
    :func:`offset_minutes`; None leaves it as it is)."""
    if value is None or not minutes:
        return value
    return value.astimezone(timezone(timedelta(minutes=minutes)))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _validate(value: Any) -> datetime:
    return parse_time(value)


AwareTime = Annotated[
    datetime,
    BeforeValidator(_validate),
    PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json"),
]
"""A pydantic field type: timezone-aware datetime, parsed from ISO-8601 strings."""
