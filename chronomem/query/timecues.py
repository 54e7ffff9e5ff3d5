"""What a question says about time: does it ask when, name a date, or ask about the past?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from chronomem.language.timex import find_time_mentions

__all__ = ["TimeCues", "overlaps", "read_time_cues"]

_ASKS_TIME: Final = re.compile(
    r"\b(when|what\s+(?:year|month|day|date|time|week|season)|which\s+(?:year|month|day|date)"
    r"|how\s+long|how\s+many\s+(?:years|months|weeks|days|times)|since|until|till|before|after"
    r"|during|ago|dates?|years?|months?|first|last|latest|earliest|recently|previously)\b",
    re.IGNORECASE,
)
_PAST: Final = re.compile(
    r"\b(used\s+to|before|previously|formerly|former|originally|at\s+first|in\s+the\s+past"
    r"|ago|earlier|history|historically|no\s+longer|any\s*more|until|til+|was|were|did|had)\b",
    re.IGNORECASE,
)
_RECENT: Final = re.compile(
    r"\b(now|currently|current|these\s+days|latest|most\s+recent(?:ly)?|still|today)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TimeCues:
    """Time in a question.

    ``temporal``: it asks about time ("when", "how long", "before", a date ...).
    ``periods``: the periods of the dates it names, each ``(begin, end)``.
    ``historical``: it asks about the past, so facts that have ended are fair answers.
    ``recent``: it asks about the present ("now", "currently", "latest").
    """

    temporal: bool
    periods: tuple[tuple[datetime, datetime], ...]
    historical: bool
    recent: bool


def read_time_cues(text: str, now: datetime) -> TimeCues:
    """The :class:`TimeCues` of ``text``; relative dates ("last May") resolve against ``now``."""
    try:
        mentions = find_time_mentions(text, now)
    except (ValueError, OverflowError):  # TimeError is a ValueError
        mentions = []
    periods = tuple((m.begin, m.finish) for m in mentions)
    recent = _RECENT.search(text) is not None
    past_period = any(end <= now for _, end in periods)
    historical = not recent and (past_period or _PAST.search(text) is not None)
    temporal = bool(periods) or _ASKS_TIME.search(text) is not None
    return TimeCues(temporal=temporal, periods=periods, historical=historical, recent=recent)


def overlaps(
    start: datetime | None, end: datetime | None, period: tuple[datetime, datetime]
) -> bool:
    """Whether the interval ``[start, end)`` (open ends unbounded) meets ``period``."""
    begin, finish = period
    if start is not None and start >= finish:
        return False
    return end is None or end > begin
