"""Dialogue turns, conversations of turns, and their conversion to episodes."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Final

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from chronomem.errors import InputError
from chronomem.ingest.sources.problems import describe_validation_error
from chronomem.schema import (
    ID_MAX_CHARS,
    NAME_MAX_CHARS,
    TEXT_MAX_CHARS,
    AwareTime,
    Episode,
    EpisodeKind,
    as_group_id,
    content_hash,
    length_problem,
    stable_uuid,
)

__all__ = ["DialogueSource", "Turn", "as_turns", "turn_content", "turns_to_episodes"]


_LIMITS: Final = {
    "speaker": NAME_MAX_CHARS,
    "session": NAME_MAX_CHARS,
    "id": ID_MAX_CHARS,
    "text": TEXT_MAX_CHARS,
    "caption": TEXT_MAX_CHARS,
}


class Turn(BaseModel):
    """One utterance of a dialogue: who said what, when.

    ``id`` is the turn's id in its source (LoCoMo "D3:5"); ``session`` groups turns of one
    sitting; ``caption`` describes an image shared with the turn and counts as part of what
    was said. ``text`` may be empty only when a caption is given.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    speaker: str
    text: str
    time: AwareTime
    id: str | None = None
    session: str | None = None
    caption: str | None = None

    @field_validator("speaker", "text", "id", "session", "caption", mode="before")
    @classmethod
    def _plain_text(cls, value: object) -> object:
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("contains a NUL character (\\u0000); remove it from the text")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    "contains a lone surrogate (invalid Unicode, e.g. \\ud800); fix the "
                    "encoding of the source text"
                ) from None
        return value

    @field_validator("speaker", "id", "session")
    @classmethod
    def _no_control_characters(cls, value: str | None) -> str | None:
        """Names and ids are printed and logged as they are: a control character (an ANSI
        escape, a carriage return, a tab) would rewrite a terminal line, so it is refused."""
        if value is None:
            return None
        for character in value:
            if unicodedata.category(character) == "Cc":
                raise ValueError(
                    f"contains the control character {character!r} (U+{ord(character):04X}); "
                    "names, ids and sessions must be printable text, remove it"
                )
        return value

    @field_validator("speaker", "id", "session", "caption", "text")
    @classmethod
    def _within_limits(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Every field has a size limit (:mod:`chronomem.schema.limits`), checked here, before
        anything is written, the same for every backend."""
        limit = _LIMITS[info.field_name or ""]
        problem = None if value is None else length_problem(value, limit)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("speaker")
    @classmethod
    def _speaker_not_blank(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("speaker is blank; give the name of who said the turn")
        return stripped

    @field_validator("id", "session", "caption")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        stripped = value.strip()
        return stripped or None

    @model_validator(mode="after")
    def _says_something(self) -> Turn:
        if not self.text.strip() and self.caption is None:
            raise ValueError("text is blank and there is no caption; a turn must say something")
        return self


@dataclass(frozen=True, slots=True)
class DialogueSource:
    """One conversation read from a file: its source name and its turns in order."""

    source: str
    turns: tuple[Turn, ...]
    format: str
    path: str | None = None

    @property
    def name(self) -> str:
        """The source name (same as :attr:`source`)."""
        return self.source

    @property
    def group_id(self) -> str:
        """A group id for this conversation alone: the source name, with characters a group
        id cannot hold replaced by "_" (e.g. "locomo:conv-26")."""
        return as_group_id(self.source)

    @property
    def speakers(self) -> tuple[str, ...]:
        """The speakers, in order of first appearance."""
        return tuple(dict.fromkeys(turn.speaker for turn in self.turns))

    def episodes(self, group_id: str) -> list[Episode]:
        """The conversation as message episodes (see :func:`turns_to_episodes`)."""
        return turns_to_episodes(self.turns, group_id=group_id, source=self.source)


def turn_content(turn: Turn) -> str:
    """What a turn says: its text, plus ``[shares a photo: <caption>]`` when it has a caption."""
    text = turn.text.strip()
    if turn.caption is None:
        return text
    photo = f"[shares a photo: {turn.caption}]"
    return f"{text} {photo}" if text else photo


def as_turns(items: Iterable[Turn | Mapping[str, object]]) -> list[Turn]:
    """Turns from :class:`Turn` objects or mappings with the same fields.

    Raises :class:`InputError` naming the position of the first item that is not a valid turn.
    """
    turns: list[Turn] = []
    for index, item in enumerate(items):
        if isinstance(item, Turn):
            turns.append(item)
            continue
        if not isinstance(item, Mapping):
            raise InputError(
                f"turn {index}: expected a Turn or a mapping with speaker, text and time, "
                f"got {type(item).__name__}"
            )
        try:
            turns.append(Turn.model_validate(dict(item)))
        except ValidationError as exc:
            raise InputError(f"turn {index}: {describe_validation_error(exc)}") from None
    return turns


def turns_to_episodes(turns: Sequence[Turn], group_id: str, source: str) -> list[Episode]:
    """One message episode per turn, in the given order.

    ``source_id`` is the turn id when there is one, otherwise a hash of the source, session,
    speaker, content and time (in UTC), so ingesting the same turns again yields the same ids.
    The episode uuid derives from ``(group_id, source, source_id)`` and is stable as well.
    A turn repeated verbatim is kept once; two different turns with one id are an error.
    """
    episodes: list[Episode] = []
    seen: dict[str, str] = {}
    for index, turn in enumerate(turns):
        content = turn_content(turn)
        moment = turn.time.astimezone(UTC).isoformat()
        source_id = turn.id or content_hash(
            source, turn.session or "", turn.speaker, content, moment
        )
        fingerprint = content_hash(turn.speaker, content, moment)
        if source_id in seen:
            if seen[source_id] == fingerprint:
                continue
            raise InputError(
                f"turn {index}: id {source_id!r} is used by an earlier, different turn of "
                f"source {source!r}; give every turn its own id"
            )
        seen[source_id] = fingerprint
        episodes.append(
            Episode(
                uuid=stable_uuid(group_id, source, source_id),
                group_id=group_id,
                source=source,
                kind=EpisodeKind.MESSAGE,
                content=content,
                reference_time=turn.time,
                source_id=source_id,
                speaker=turn.speaker,
                session=turn.session,
            )
        )
    return episodes
