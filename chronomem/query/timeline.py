"""An optional store capability: the episodes next to an episode in its conversation.

Answers in dialogue often sit one turn away from the words a question shares with the
conversation ("What did you paint?" / "A sunrise over the lake"). A store that can list the
neighbours of episodes lets search pull them in as context. Stores that cannot are searched
without it; the check is structural (does the store have the method?), never by backend name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from chronomem.engine.store.protocol import GraphStore
from chronomem.schema import Episode

__all__ = ["EpisodeTimeline", "timeline_of"]


@runtime_checkable
class EpisodeTimeline(Protocol):
    """A store that can list the episodes adjacent to given episodes."""

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        """For each episode, up to ``before`` episodes of the same source and session just
        before it and ``after`` just after it (by ``reference_time``), in time order, without
        their vectors (as ``get_episodes(..., vectors=False)``)."""
        ...


def timeline_of(store: GraphStore) -> EpisodeTimeline | None:
    """``store`` as an :class:`EpisodeTimeline` if it has that capability, else None."""
    return store if isinstance(store, EpisodeTimeline) else None
