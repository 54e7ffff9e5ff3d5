"""The LongMemEval format (Wu et al., 2024): a JSON list of question items.

Each item's chat history is read as one conversation named ``longmemeval:<question_id>``:
``haystack_sessions`` (lists of turns ``{role, content}``), ``haystack_dates`` ("2023/05/20
(Sat) 02:21") and, when present, ``haystack_session_ids``. The question, the answer and the
evidence markers (``answer_session_ids``, ``has_answer``) are never read.

The dates carry no zone: they are taken in ``tz`` (UTC by default). Sessions are ordered by
date (ties keep file order); turn ``j`` (0-based) is stamped ``session date + j seconds`` and
gets the id ``<session id>:<j + 1>``. Roles ``user``/``assistant`` become the speakers
"user"/"assistant". Turns with blank content are skipped (their ids are not reused).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from pydantic import ValidationError

from chronomem.errors import SourceFormatError, TimeError
from chronomem.ingest.sources.problems import Problems, describe_validation_error
from chronomem.ingest.sources.turns import DialogueSource, Turn
from chronomem.schema import check_time

__all__ = ["parse_haystack_date", "read_longmemeval"]

_DATE = re.compile(
    r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\s*(?:\([A-Za-z]{3}\))?\s*(\d{1,2}):(\d{2})\s*$"
)
_ROLES = {"user": "user", "assistant": "assistant"}


def parse_haystack_date(text: str, tz: tzinfo) -> datetime | None:
    """A LongMemEval date such as "2023/05/20 (Sat) 02:21" in ``tz``; ``None`` if unreadable."""
    match = _DATE.match(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


def read_longmemeval(
    data: object, path: str, tz: tzinfo, prefix: str = "longmemeval"
) -> list[DialogueSource]:
    """Conversations (one per question item) of a parsed LongMemEval file."""
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SourceFormatError("expected a JSON list of LongMemEval items", path=path)
    problems = Problems(path)
    sources: list[DialogueSource] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"item {index}"
        if not isinstance(item, dict):
            problems.add(None, f"{where}: expected an object with question_id, haystack_sessions")
            continue
        question_id = item.get("question_id")
        if not isinstance(question_id, str) or not question_id.strip():
            problems.add(None, f"{where}: missing 'question_id' (a string)")
            continue
        where = f"item {index} ({question_id})"
        if question_id in seen:
            problems.add(None, f"{where}: question_id repeats an earlier item")
            continue
        seen.add(question_id)
        turns = _read_item(item, where, tz, problems)
        if turns:
            sources.append(
                DialogueSource(
                    source=f"{prefix}:{question_id}",
                    turns=tuple(turns),
                    format="longmemeval",
                    path=path,
                )
            )
        elif turns is not None:
            problems.add(None, f"{where}: the haystack holds no turns")
    problems.raise_if_any()
    return sources


def _read_item(
    item: dict[str, object], where: str, tz: tzinfo, problems: Problems
) -> list[Turn] | None:
    sessions, dates = item.get("haystack_sessions"), item.get("haystack_dates")
    ids = item.get("haystack_session_ids")
    if not isinstance(sessions, list) or not isinstance(dates, list):
        problems.add(None, f"{where}: 'haystack_sessions' and 'haystack_dates' must be lists")
        return None
    if len(sessions) != len(dates):
        problems.add(
            None,
            f"{where}: {len(sessions)} haystack_sessions but {len(dates)} haystack_dates; "
            "give one date per session",
        )
        return None
    if ids is not None and (not isinstance(ids, list) or len(ids) != len(sessions)):
        problems.add(None, f"{where}: 'haystack_session_ids' must list one id per session")
        return None
    starts: list[tuple[datetime, int]] = []
    for number, stamp in enumerate(dates):
        start = parse_haystack_date(stamp, tz) if isinstance(stamp, str) else None
        if start is None:
            problems.add(
                None,
                f"{where}: cannot read haystack_dates[{number}] {stamp!r}; "
                "expected e.g. '2023/05/20 (Sat) 02:21'",
            )
            return None
        try:
            check_time(start, field=f"haystack_dates[{number}]")
        except TimeError as exc:
            problems.add(None, f"{where}: {exc}")
            return None
        starts.append((start, number))
    turns: list[Turn] = []
    for start, number in sorted(starts, key=lambda pair: pair[0]):
        session_id = str(ids[number]) if ids is not None else f"session_{number + 1}"
        session = sessions[number]
        if not isinstance(session, list):
            problems.add(None, f"{where}: haystack_sessions[{number}] must be a list of turns")
            return None
        for offset, raw in enumerate(session):
            at = f"{where}, session {session_id}, turn {offset}"
            if not isinstance(raw, dict):
                problems.add(None, f"{at}: expected an object with role and content")
                return None
            role, content = raw.get("role"), raw.get("content")
            if role not in _ROLES or not isinstance(role, str):
                problems.add(None, f"{at}: role {role!r} is not 'user' or 'assistant'")
                return None
            if not isinstance(content, str):
                problems.add(None, f"{at}: 'content' must be a string")
                return None
            if not content.strip():
                continue
            try:
                turns.append(
                    Turn(
                        speaker=_ROLES[role],
                        text=content,
                        time=start.astimezone(UTC) + timedelta(seconds=offset),
                        id=f"{session_id}:{offset + 1}",
                        session=session_id,
                    )
                )
            except ValidationError as exc:
                problems.add(None, f"{at}: {describe_validation_error(exc)}")
                return None
    return turns
