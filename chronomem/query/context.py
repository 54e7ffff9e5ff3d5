"""An agent-ready text block from search results, within a token budget.

Tokens are estimated as ``ceil(characters / 4)`` (about right for English with the common
BPE tokenizers, and never below the true count by much on ordinary prose). The block never
exceeds the budget by this estimate: lines are added best first while they fit; a line that
does not fit is shortened with "..." if at least a few words of it fit, else left out.

Layout (profiles first: the entities the question names, each with the current value of its
one-value relations, :class:`~chronomem.schema.Profile`)::

    Profiles:
    - Alice: lives in Berlin (since 2023-05-01); works at Acme (since 2019-01-01)
    Facts:
    - [2023-05-07 → now] Caroline went to an LGBTQ support group (source D1:3)
    - [2019-01-01 → 2023-02-01, ended] Alice works at Acme (source D2:1)
    Conversation:
    - [2023-05-08 13:56] Caroline: I went to a support group yesterday. (source D1:3)
    Entities:
    - Caroline (Person): a counsellor who ...
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Final

from chronomem.errors import InputError
from chronomem.query.engine import SearchEngine
from chronomem.query.request import SearchRequest
from chronomem.schema import Profile, SearchResult, utcnow

__all__ = ["build_context", "estimate_tokens"]

_MIN_TRUNCATED_CHARS: Final = 40
_SUMMARY_CHARS: Final = 200
_PROFILES: Final = "Profiles:"
_SECTIONS: Final = (("fact", "Facts:"), ("episode", "Conversation:"), ("entity", "Entities:"))


def estimate_tokens(text: str) -> int:
    """The token estimate used for budgets: ``ceil(len(text) / 4)``."""
    return math.ceil(len(text) / 4)


def build_context(
    source: Sequence[SearchResult] | SearchEngine,
    query: str = "",
    max_tokens: int = 1500,
    *,
    now: datetime | None = None,
    profiles: Sequence[Profile] = (),
    **request: Any,
) -> str:
    """Render results (or the results of ``source.search`` for ``query``) as a text block of
    at most ``max_tokens`` estimated tokens, after the ``profiles`` that have entries. Extra
    keyword arguments (``group_id``, ``as_of``, ``limit`` ...) build the
    :class:`SearchRequest` when an engine is given; the default limit is 30 results."""
    if max_tokens < 0:
        raise InputError(f"max_tokens must be non-negative, not {max_tokens}")
    if isinstance(source, SearchEngine):
        request.setdefault("limit", 30)
        results = source.search(SearchRequest(query=query, **request))
    else:
        results = list(source)
    moment = now or utcnow()
    budget = max_tokens * 4  # characters, by the estimate
    lines: list[str] = []
    prefix = [_PROFILES]
    for profile in profiles:
        if not profile.entries:
            continue
        room = budget - len("\n".join(lines + prefix)) - 1
        line = _shorten_to(f"- {profile.entity}: {profile.text()}", room)
        if line:
            lines += [*prefix, line]
            prefix = []
    profiled = {p.entity for p in profiles if p.entries}
    for kind, header in _SECTIONS:
        section = [r for r in results if r.kind == kind]
        prefix = [header]
        for result in section:
            base = "\n".join(lines + prefix)
            room = budget - len(base) - 1
            line = _line(result, moment, profiled)
            if len(line) > room:
                line = _shorten(line, room)
                if not line:
                    continue
            lines += [*prefix, line]
            prefix = []
    return "\n".join(lines)


def _shorten_to(line: str, room: int) -> str:
    """``line`` if it fits in ``room`` characters, else shortened (:func:`_shorten`)."""
    return line if len(line) <= room else _shorten(line, room)


def _shorten(line: str, chars: int) -> str:
    """``line`` cut at a word boundary to at most ``chars`` characters (ending " ..."), or ""
    if too little of it would be left."""
    if chars - 4 < _MIN_TRUNCATED_CHARS:
        return ""
    cut = line[: chars - 4].rsplit(" ", 1)[0].rstrip()
    return f"{cut} ..." if cut else ""


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "?"


def _line(result: SearchResult, now: datetime, profiled: Collection[str]) -> str:
    sources = f" (source {', '.join(result.sources)})" if result.sources else ""
    text = " ".join(result.text.split())
    if result.kind == "fact":
        if result.invalid_at is not None and result.invalid_at <= now:
            end = f"{_day(result.invalid_at)}, ended"
        elif result.invalid_at is not None:
            end = _day(result.invalid_at)
        else:
            end = "now"
        if result.expired_at is not None:
            end += f"; retracted {_day(result.expired_at)}"
        triple = ""
        if result.subject and result.relation and result.object:
            # one sentence often yields several facts: the triple says which one this is
            triple = f"{result.subject} {result.relation} {result.object}: "
        return f"- [{_day(result.valid_at)} → {end}] {triple}{text}{sources}"
    if result.kind == "episode":
        when = result.reference_time.strftime("%Y-%m-%d %H:%M") if result.reference_time else "?"
        return f"- [{when}] {text}{sources}"
    labels = f" ({', '.join(result.labels)})" if result.labels else ""
    name, _, summary = text.partition(": ")
    if name in profiled:  # its summary is its profile, shown above
        summary = ""
    if len(summary) > _SUMMARY_CHARS:
        summary = summary[:_SUMMARY_CHARS].rsplit(" ", 1)[0] + " ..."
    return f"- {name}{labels}" + (f": {summary}" if summary else "")
