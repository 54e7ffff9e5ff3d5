"""Who is who in a conversation: speakers, addressees and recently mentioned people.

Episodes arrive in conversation order. A conversation is the episodes sharing
``(group_id, source, session)``; its participants are the speakers seen in it. The addressee
of a turn is the most recent earlier speaker other than its own speaker, or, for the first
turns, the next other speaker. "He"/"she" refer to the most recent person mentioned who is not
a participant, when that is unambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from chronomem.schema import Episode

__all__ = ["ConversationKey", "PeopleWindow", "addressees", "conversation_key", "is_participant"]

ConversationKey = tuple[str, str, str]
_WINDOW_TURNS: Final = 3


def conversation_key(episode: Episode) -> ConversationKey:
    """The conversation an episode belongs to."""
    return (episode.group_id, episode.source, episode.session or "")


def addressees(episodes: Sequence[Episode]) -> list[str | None]:
    """For each episode, whom its speaker addresses (``None`` when unknown)."""
    result: list[str | None] = [None] * len(episodes)
    last_other: dict[ConversationKey, list[str]] = {}  # the last two distinct speakers
    pending: dict[ConversationKey, list[int]] = {}  # turns still waiting for an addressee
    for index, episode in enumerate(episodes):
        speaker = episode.speaker
        if not speaker:
            continue
        key = conversation_key(episode)
        recent = last_other.setdefault(key, [])
        for previous in reversed(recent):
            if previous != speaker:
                result[index] = previous
                break
        waiting = pending.setdefault(key, [])
        still_waiting: list[int] = []
        for earlier in waiting:
            if episodes[earlier].speaker != speaker:
                result[earlier] = speaker
            else:
                still_waiting.append(earlier)
        pending[key] = still_waiting
        if result[index] is None:
            pending[key].append(index)
        if speaker in recent:
            recent.remove(speaker)
        recent.append(speaker)
        del recent[:-2]
    return result


def is_participant(name: str, participants: Sequence[str]) -> bool:
    """Whether ``name`` denotes a participant: equal, their first name, or a nickname prefix."""
    lowered = name.lower()
    for participant in participants:
        full = participant.lower()
        first = full.split()[0] if full.split() else full
        if lowered in (full, first) or (len(lowered) >= 3 and first.startswith(lowered)):
            return True
    return False


@dataclass(slots=True)
class _Group:
    turn: int
    names: list[tuple[str, str]]  # (name, label) in order of mention


@dataclass(slots=True)
class PeopleWindow:
    """People mentioned recently in one conversation, for third-person pronouns."""

    participants: list[str] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    turn: int = 0
    # speaker -> (time and number of their last turn with facts, the facts of their last burst)
    recent_facts: dict[str, tuple[Any, int, list[Any]]] = field(default_factory=dict)
    known_names: dict[str, Any] = field(default_factory=dict)  # lower name -> EntityMention
    known_things: dict[str, Any] = field(default_factory=dict)  # organisations and places
    kin: dict[str, Any] = field(default_factory=dict)  # "dad" -> the speaker's named dad
    students: set[str] = field(default_factory=set)  # names said to study somewhere
    last_text: dict[str, str] = field(default_factory=dict)  # speaker -> their previous turn

    def start_turn(self, speaker: str | None) -> None:
        """Begin the next turn (a new group of mentions), noting its speaker."""
        self.turn += 1
        if speaker and speaker not in self.participants:
            self.participants.append(speaker)
        self.groups = [g for g in self.groups if g.turn > self.turn - 1 - _WINDOW_TURNS]

    def add_sentence(self, people: Sequence[tuple[str, str]]) -> None:
        """Record the people (name, label) a finished sentence mentioned or referred to."""
        names = [p for p in dict.fromkeys(people) if not is_participant(p[0], self.participants)]
        if names:
            self.groups.append(_Group(self.turn, names))

    def resolve(self, before: Sequence[tuple[str, str]] = ()) -> tuple[str, str] | None:
        """The person a third-person pronoun refers to, or ``None`` if none or ambiguous.

        ``before`` are the people mentioned earlier in the current sentence; when there are
        none, the most recent earlier sentence (of this or the last few turns) that mentioned
        anyone decides.
        """
        candidates = [p for p in before if not is_participant(p[0], self.participants)]
        if not candidates and self.groups:
            candidates = self.groups[-1].names
        distinct = list(dict.fromkeys(candidates))
        return distinct[0] if len(distinct) == 1 else None
