"""The generic dialogue format: JSON Lines, one turn per line.

Each non-blank line is an object with ``speaker`` (str), ``text`` (str) and ``time`` (ISO-8601
with a zone), and optionally ``id``, ``session`` and ``caption`` (str or null). Anything else
is an error. The whole file is checked before a single turn is returned.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from chronomem.errors import TimeError
from chronomem.ingest.sources.jsontext import InvalidJsonError, parse_json
from chronomem.ingest.sources.problems import Problems, describe_validation_error, read_source_text
from chronomem.ingest.sources.turns import DialogueSource, Turn
from chronomem.schema import parse_time

__all__ = ["JSONL_FIELDS", "read_jsonl_dialogue"]

JSONL_FIELDS = ("speaker", "text", "time", "id", "session", "caption")
_REQUIRED = ("speaker", "text", "time")
_EXAMPLE = '{"speaker": "Alice", "text": "Hi!", "time": "2024-05-01T09:30:00+02:00"}'


def read_jsonl_dialogue(path: Path, name: str | None = None) -> list[DialogueSource]:
    """Read one conversation from a JSONL file; its source is ``name`` or the file's stem."""
    problems = Problems(str(path))
    turns: list[Turn] = []
    first_line_of: dict[str, int] = {}
    text = read_source_text(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        turn = _parse_line(line, number, problems)
        if turn is None:
            continue
        if turn.id is not None:
            if turn.id in first_line_of:
                problems.add(
                    number,
                    f"id {turn.id!r} was already used on line {first_line_of[turn.id]}; "
                    "give every turn its own id",
                )
                continue
            first_line_of[turn.id] = number
        turns.append(turn)
    if not turns and not problems:
        problems.add(None, f"no turns found; write one JSON object per line, e.g. {_EXAMPLE}")
    problems.raise_if_any()
    source = name or path.stem
    return [DialogueSource(source=source, turns=tuple(turns), format="jsonl", path=str(path))]


def _parse_line(line: str, number: int, problems: Problems) -> Turn | None:
    try:
        item = parse_json(line)
    except InvalidJsonError as exc:
        problems.add(number, f"{exc.reason}; expected {_EXAMPLE}")
        return None
    if not isinstance(item, dict):
        problems.add(number, f"expected a JSON object, got {_json_type(item)}; e.g. {_EXAMPLE}")
        return None
    before = len(problems.found)
    unknown = sorted(set(item) - set(JSONL_FIELDS))
    if unknown:
        problems.add(
            number,
            f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(JSONL_FIELDS)}",
        )
    for key in _REQUIRED:
        if key not in item:
            problems.add(number, f"missing field {key!r}; every turn needs speaker, text and time")
    for key in JSONL_FIELDS:
        value = item.get(key)
        if (
            key in item
            and not isinstance(value, str)
            and not (value is None and key not in _REQUIRED)
        ):
            problems.add(number, f"field {key!r} must be a string, got {_json_type(value)}")
    if len(problems.found) > before:
        return None
    speaker, text = item["speaker"], item["text"]
    if not speaker.strip():
        problems.add(number, "field 'speaker' is empty; give the name of who said the turn")
    caption = item.get("caption")
    if not text.strip() and not (caption and caption.strip()):
        problems.add(number, "field 'text' is empty; a turn must say something")
    try:
        time = parse_time(item["time"], field="time")
    except TimeError as exc:
        problems.add(number, str(exc))
        return None
    if len(problems.found) > before:
        return None
    try:
        return Turn(
            speaker=speaker,
            text=text,
            time=time,
            id=item.get("id"),
            session=item.get("session"),
            caption=caption,
        )
    except ValidationError as exc:
        problems.add(number, describe_validation_error(exc))
        return None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string"
