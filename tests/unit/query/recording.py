"""The packaged in-memory store, recording which reads a search makes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from chronomem.engine.store.inmemory import InMemoryStore
from chronomem.engine.store.protocol import (
    FactFilter,
    ScoredId,
    StoreCapabilities,
    TextTarget,
    VectorTarget,
)
from chronomem.schema import Episode, Fact


class RecordingStore(InMemoryStore):
    """An :class:`InMemoryStore` whose ``calls`` lists the searches and graph reads made
    (``fulltext:<target>``, ``vector:<target>``, ``neighbors``, ``adjacent_episodes``).

    ``entity_revisions=False`` makes it declare no entity revisions, as a store that has
    them not would: readers then fall back to what such a store offers. ``server=True``
    makes it declare itself a server, as Neo4j does: a search then sends independent reads
    side by side on its worker threads."""

    def __init__(
        self, dimension: int = 384, *, entity_revisions: bool = True, server: bool = False
    ) -> None:
        super().__init__(dimension)
        self.calls: list[str] = []
        self._capabilities = dataclasses.replace(
            super().capabilities, entity_revisions=entity_revisions, server=server
        )

    @property
    def capabilities(self) -> StoreCapabilities:
        return self._capabilities

    def fulltext(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> list[ScoredId]:
        self.calls.append(f"fulltext:{target}")
        return super().fulltext(group_id, query, target, limit, where)

    def vector(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
    ) -> list[ScoredId]:
        self.calls.append(f"vector:{target}")
        return super().vector(group_id, embedding, target, limit, where)

    def neighbors(
        self,
        group_id: str,
        entity_uuids: Sequence[str],
        where: FactFilter,
        limit: int = 1000,
        *,
        vectors: bool = True,
    ) -> list[Fact]:
        self.calls.append("neighbors")
        return super().neighbors(group_id, entity_uuids, where, limit, vectors=vectors)

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        self.calls.append("adjacent_episodes")
        return super().adjacent_episodes(group_id, episode_uuids, before, after)
