"""Reading dialogue files in any supported format, with format detection."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path
from typing import Literal, get_args

from chronomem.errors import SourceFormatError
from chronomem.ingest.sources.jsonl import read_jsonl_dialogue
from chronomem.ingest.sources.jsontext import InvalidJsonError, load_json, parse_json
from chronomem.ingest.sources.locomo import read_locomo
from chronomem.ingest.sources.longmemeval import read_longmemeval
from chronomem.ingest.sources.problems import read_source_text
from chronomem.ingest.sources.turns import DialogueSource

__all__ = ["DIALOGUE_FORMATS", "DialogueFormat", "detect_dialogue_format", "read_dialogue"]

DialogueFormat = Literal["auto", "jsonl", "locomo", "longmemeval"]
DIALOGUE_FORMATS: tuple[str, ...] = get_args(DialogueFormat)[1:]
_SUPPORTED = (
    "supported formats: jsonl (one turn per line: speaker, text, time), "
    "locomo (a JSON list of conversations with 'conversation'), "
    "longmemeval (a JSON list of items with 'haystack_sessions')"
)


def read_dialogue(
    path: str | Path,
    format: DialogueFormat = "auto",
    *,
    name: str | None = None,
    tz: tzinfo = UTC,
) -> list[DialogueSource]:
    """Every conversation in a dialogue file, each with its source name and ordered turns.

    ``format="auto"`` picks the format from the extension and the content (see
    :func:`detect_dialogue_format`). ``name`` is the source name of a JSONL conversation
    (default: the file's stem) or the prefix of LoCoMo/LongMemEval names (default
    "locomo"/"longmemeval", giving e.g. "locomo:conv-26"). ``tz`` is the zone of the zoneless
    times of LoCoMo and LongMemEval. The whole file is validated first: on any problem a
    :class:`SourceFormatError` names the file (and line) and nothing is returned.
    """
    file = Path(path)
    if not file.is_file():
        raise SourceFormatError("no such file; check the path", path=str(file))
    data: object = None
    if format == "auto":
        chosen, data = _sniff(file)
    else:
        chosen = format
    if chosen == "jsonl":
        return read_jsonl_dialogue(file, name=name)
    if chosen in ("locomo", "longmemeval"):
        if data is None:
            data = _load_json(file)
        if chosen == "locomo":
            sources = read_locomo(data, str(file), tz, prefix=name or "locomo")
        else:
            sources = read_longmemeval(data, str(file), tz, prefix=name or "longmemeval")
        _check_distinct_groups(sources, str(file))
        return sources
    raise SourceFormatError(f"unknown dialogue format {chosen!r}; {_SUPPORTED}", path=str(file))


def _check_distinct_groups(sources: list[DialogueSource], path: str) -> None:
    """Two conversations of one file must never share a group silently. Group ids made of
    conversation ids are one to one (:func:`chronomem.schema.as_group_id`, a hash keeps
    "user 1" and "user_1" apart), so this guards against a collision of that hash only."""
    first: dict[str, str] = {}
    for source in sources:
        owner = first.setdefault(source.group_id, source.source)
        if owner != source.source:
            raise SourceFormatError(
                f"conversations {owner!r} and {source.source!r} would share the group "
                f"{source.group_id!r}; give one of them another id",
                path=path,
            )


def detect_dialogue_format(path: str | Path) -> str:
    """The format of a dialogue file: "jsonl", "locomo" or "longmemeval".

    ``.jsonl``/``.ndjson`` mean JSONL. Otherwise the content decides: a JSON list (or object)
    whose items have "conversation" is LoCoMo, "haystack_sessions" LongMemEval; a first line
    that is a JSON object with "speaker" is JSONL. Raises :class:`SourceFormatError` (listing
    the supported formats) when none fits.
    """
    return _sniff(Path(path))[0]


def _sniff(file: Path) -> tuple[str, object]:
    """The format, and for JSON formats the parsed content (so it is parsed once)."""
    if file.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl", None
    if file.suffix.lower() == ".json":
        data = _load_json(file)
    else:
        text = read_source_text(file)
        try:
            data = parse_json(text)
        except InvalidJsonError:
            first_line = next((line for line in text.splitlines() if line.strip()), "")
            try:
                head = parse_json(first_line)
            except InvalidJsonError:
                head = None
            if isinstance(head, dict) and "speaker" in head:
                return "jsonl", None
            data = None
    first = data[0] if isinstance(data, list) and data else data
    if isinstance(first, dict):
        if "conversation" in first:
            return "locomo", data
        if "haystack_sessions" in first:
            return "longmemeval", data
        if "speaker" in first and isinstance(data, dict):
            return "jsonl", None
    raise SourceFormatError(
        f"cannot tell the dialogue format; pass format=... explicitly. {_SUPPORTED}",
        path=str(file),
    )


def _load_json(file: Path) -> object:
    return load_json(read_source_text(file), str(file))
