"""The LoCoMo format (Maharana et al., 2024): a JSON list of conversations.

Each conversation has ``sample_id`` and ``conversation`` with ``session_N`` (a list of turns
``{speaker, dia_id, text, blip_caption?}``) and ``session_N_date_time`` ("1:56 pm on 8 May,
2023"). Only those keys are read: ``qa`` and the annotations ``observation``,
``event_summary`` and ``session_summary`` are never touched, since they would leak answers.
Session times carry no zone; they are taken in ``tz`` (UTC by default). Turn ``i`` (0-based)
of a session is stamped ``session time + i seconds`` so turns keep their order in time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from pydantic import ValidationError

from chronomem.errors import SourceFormatError, TimeError
from chronomem.ingest.sources.problems import Problems, describe_validation_error
from chronomem.ingest.sources.turns import DialogueSource, Turn
from chronomem.language.timex import parse_human_datetime
from chronomem.schema import check_time

__all__ = ["parse_session_time", "read_locomo"]

_SESSION = re.compile(r"^session_(\d+)$")


def read_locomo(
    data: object, path: str, tz: tzinfo, prefix: str = "locomo"
) -> list[DialogueSource]:
    """Conversations of a parsed LoCoMo file (a list, or one conversation object)."""
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SourceFormatError("expected a JSON list of LoCoMo conversations", path=path)
    problems = Problems(path)
    sources: list[DialogueSource] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"conversation {index}"
        if not isinstance(item, dict):
            problems.add(None, f"{where}: expected an object with sample_id and conversation")
            continue
        sample_id = item.get("sample_id")
        if not isinstance(sample_id, str | int) or isinstance(sample_id, bool):
            problems.add(None, f"{where}: missing 'sample_id' (a string such as 'conv-26')")
            continue
        where = f"conversation {index} ({sample_id})"
        if str(sample_id) in seen:
            problems.add(None, f"{where}: sample_id repeats an earlier conversation")
            continue
        seen.add(str(sample_id))
        conversation = item.get("conversation")
        if not isinstance(conversation, dict):
            problems.add(None, f"{where}: missing 'conversation' object")
            continue
        turns = _read_sessions(conversation, where, tz, problems)
        if not turns:
            problems.add(None, f"{where}: no session holds any turns")
            continue
        sources.append(
            DialogueSource(
                source=f"{prefix}:{sample_id}", turns=tuple(turns), format="locomo", path=path
            )
        )
    problems.raise_if_any()
    return sources


def _read_sessions(
    conversation: dict[str, Any], where: str, tz: tzinfo, problems: Problems
) -> list[Turn]:
    numbers = sorted(
        int(match.group(1)) for key in conversation if (match := _SESSION.match(key)) is not None
    )
    turns: list[Turn] = []
    for number in numbers:
        session = f"session_{number}"
        raw_turns = conversation[session]
        if not isinstance(raw_turns, list):
            problems.add(None, f"{where}, {session}: expected a list of turns")
            continue
        if not raw_turns:
            continue
        stamp = conversation.get(f"{session}_date_time")
        if not isinstance(stamp, str):
            problems.add(None, f"{where}: {session} has turns but no '{session}_date_time'")
            continue
        start = parse_session_time(stamp, tz)
        if start is None:
            problems.add(
                None,
                f"{where}: cannot read {session}_date_time {stamp!r}; "
                "expected e.g. '1:56 pm on 8 May, 2023'",
            )
            continue
        try:
            check_time(start, field=f"{session}_date_time")
        except TimeError as exc:
            problems.add(None, f"{where}: {exc}")
            continue
        for offset, raw in enumerate(raw_turns):
            turn = _read_turn(raw, f"{where}, {session}, turn {offset}", problems)
            if turn is None:
                continue
            try:
                turns.append(
                    Turn(
                        speaker=turn[0],
                        text=turn[1],
                        time=start.astimezone(UTC) + timedelta(seconds=offset),
                        id=turn[2],
                        session=session,
                        caption=turn[3],
                    )
                )
            except ValidationError as exc:
                at = f"{where}, {session}, turn {offset} ({turn[2]})"
                problems.add(None, f"{at}: {describe_validation_error(exc)}")
    return turns


def _read_turn(
    raw: object, where: str, problems: Problems
) -> tuple[str, str, str, str | None] | None:
    if not isinstance(raw, dict):
        problems.add(None, f"{where}: expected an object with speaker, dia_id and text")
        return None
    values = []
    for key in ("speaker", "dia_id", "text"):
        value = raw.get(key)
        if not isinstance(value, str):
            problems.add(None, f"{where}: missing or non-string {key!r}")
            return None
        values.append(value)
    speaker, dia_id, text = values
    caption = raw.get("blip_caption")
    if caption is not None and not isinstance(caption, str):
        problems.add(None, f"{where} ({dia_id}): 'blip_caption' must be a string")
        return None
    caption = caption.strip() if caption else None
    if not speaker.strip() or not dia_id.strip():
        problems.add(None, f"{where}: empty speaker or dia_id")
        return None
    if not text.strip() and caption is None:
        problems.add(None, f"{where} ({dia_id}): empty text and no caption")
        return None
    return speaker, text, dia_id.strip(), caption or None


def parse_session_time(text: str, tz: tzinfo) -> datetime | None:
    """A LoCoMo session time such as "1:56 pm on 8 May, 2023" in ``tz``; ``None`` if unreadable.

    Parsed by :func:`chronomem.language.timex.parse_human_datetime`; the string has no
    zone, so its wall-clock time is placed in ``tz``.
    """
    try:
        return parse_human_datetime(text, tz)
    except TimeError:
        return None
