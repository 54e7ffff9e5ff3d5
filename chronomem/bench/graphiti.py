"""graphiti-core's own search, offline, over a graph that chronomem wrote to Neo4j.

Used by :mod:`chronomem.bench.neo4j_scale`, :mod:`benchmarks.graphiti_latency` and by
tests/integration/test_graphiti_compat.py. graphiti-core is optional (the dev extra): import this
module only when it is installed.

graphiti-core reads ``EMBEDDING_DIM`` when it is imported: importing this module sets it to the
dimension of chronomem's embedders (and turns graphiti's telemetry off) before importing
graphiti-core. Nothing here reaches the network: embeddings come from a chronomem embedder, and
the LLM and reranker clients are stubs that refuse to be called (the search recipes used with
them need neither).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from chronomem.engine.embed import MINILM_DIMENSION, Embedder

os.environ["GRAPHITI_TELEMETRY_ENABLED"] = "false"
os.environ["EMBEDDING_DIM"] = str(MINILM_DIMENSION)

from graphiti_core import Graphiti
from graphiti_core.cross_encoder.client import CrossEncoderClient
from graphiti_core.driver.neo4j_driver import Neo4jDriver
from graphiti_core.embedder.client import EMBEDDING_DIM, EmbedderClient
from graphiti_core.llm_client.client import LLMClient
from graphiti_core.llm_client.config import DEFAULT_MAX_TOKENS, ModelSize
from graphiti_core.prompts.models import Message

if EMBEDDING_DIM != MINILM_DIMENSION:
    raise RuntimeError(
        f"graphiti_core was imported with EMBEDDING_DIM={EMBEDDING_DIM} before this module set "
        f"it to {MINILM_DIMENSION}; import chronomem.bench.graphiti first"
    )

__all__ = [
    "ChronomemEmbedderClient",
    "GraphitiSession",
    "NoCrossEncoder",
    "OfflineLLMClient",
    "open_graphiti",
]

T = TypeVar("T")


class ChronomemEmbedderClient(EmbedderClient):
    """graphiti's embedder interface over a chronomem :class:`Embedder`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    async def create(
        self, input_data: str | list[str] | Iterable[int] | Iterable[Iterable[int]]
    ) -> list[float]:
        """The embedding of one text (of the first, given a list, as graphiti's clients do)."""
        if isinstance(input_data, str):
            texts = [input_data]
        else:
            texts = list(input_data)  # type: ignore[arg-type]
            if not texts or not all(isinstance(t, str) for t in texts):
                raise TypeError("ChronomemEmbedderClient embeds text, not token ids")
        return [float(v) for v in self.embedder.embed(texts[:1])[0]]

    async def create_batch(self, input_data_list: list[str]) -> list[list[float]]:
        return [[float(v) for v in row] for row in self.embedder.embed(input_data_list)]


class OfflineLLMClient(LLMClient):
    """An LLM client for search-only use: any call to the model fails loudly."""

    def __init__(self) -> None:
        super().__init__(config=None, cache=False)

    async def _generate_response(
        self,
        messages: list[Message],
        response_model: type[BaseModel] | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        model_size: ModelSize = ModelSize.medium,
        *,
        model: str | None = None,
    ) -> dict[str, Any]:
        raise RuntimeError("OfflineLLMClient: this offline graphiti has no LLM (search only)")


class NoCrossEncoder(CrossEncoderClient):
    """A reranker that refuses to rank: recipes with a cross-encoder are not used offline."""

    async def rank(self, query: str, passages: list[str]) -> list[tuple[str, float]]:
        raise RuntimeError("NoCrossEncoder: use a recipe without the cross-encoder reranker")


def open_graphiti(uri: str, auth: tuple[str, str] | None, embedder: Embedder) -> Graphiti:
    """A Graphiti client on ``uri`` that only reads.

    Call it outside any running event loop: graphiti's Neo4j driver, created inside one, starts
    building graphiti's own indexes in the background, and this client must not write.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("open_graphiti() must be called outside a running event loop")
    user, password = auth if auth is not None else (None, None)
    driver = Neo4jDriver(uri, user, password)
    return Graphiti(
        graph_driver=driver,
        llm_client=OfflineLLMClient(),
        embedder=ChronomemEmbedderClient(embedder),
        cross_encoder=NoCrossEncoder(),
    )


class GraphitiSession:
    """A read-only Graphiti client (:func:`open_graphiti`) and the one event loop it runs on."""

    def __init__(self, uri: str, auth: tuple[str, str] | None, embedder: Embedder) -> None:
        self.client = open_graphiti(uri, auth, embedder)
        self._runner = asyncio.Runner()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` to its end on the session's loop."""
        return self._runner.run(coroutine)

    def timed(self, call: Callable[[], Awaitable[Any]]) -> float:
        """Seconds taken by one awaited call, measured inside the loop."""

        async def measure() -> float:
            start = time.perf_counter()
            await call()
            return time.perf_counter() - start

        return self._runner.run(measure())

    def close(self) -> None:
        """Close the client, then the loop."""
        try:
            self.run(self.client.close())  # type: ignore[no-untyped-call]  # graphiti-core
        finally:
            self._runner.close()
