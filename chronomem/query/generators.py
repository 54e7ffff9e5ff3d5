"""Candidate generators: small functions over the GraphStore protocol, one ranked list each.

Every generator takes the :class:`QueryContext` of one search and the
:class:`~chronomem.query.recipes.GeneratorSpec` it runs under, and returns candidates best
first as ``((kind, uuid), score)``. All reads are scoped to the request's group; the context
caches what several generators share (the query embedding, the entities named in the query,
their neighbourhood).
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

from chronomem.engine.embed import Embedder
from chronomem.engine.store.protocol import FactFilter, GraphStore, IndexSearch
from chronomem.query.multihop import expand, fact_graph, personalised_pagerank
from chronomem.query.names import INDEX_LOOKUP_MIN, NameIndex, NameIndexCache, recognise_entities
from chronomem.query.recipes import GeneratorSpec, Recipe
from chronomem.query.request import SearchRequest
from chronomem.query.text import keywords
from chronomem.schema import Entity, Episode, Fact, ResultKind

__all__ = [
    "GENERATORS",
    "Candidate",
    "Key",
    "QueryContext",
    "is_index_generator",
    "run_generator",
    "run_index_generators",
]

Key = tuple[ResultKind, str]
Candidate = tuple[Key, float]

#: Episodes of the episode full-text list whose facts ``episode_facts`` looks up.
_EPISODES_MAPPED: Final = 20
#: ``episode_feedback``: the best episodes read, and at most how many words it adds (each
#: found in at least two of them).
_FEEDBACK_EPISODES: Final = 5
_FEEDBACK_WORDS: Final = 5


T = TypeVar("T")


class _once(Generic[T]):  # noqa: N801 (used as a decorator, like functools.cached_property)
    """A property computed once per instance, as ``functools.cached_property``, but with a
    lock per instance: Python 3.11's holds one lock per property across all instances, so
    concurrent searches waited for each other's query embedding and named entities (store
    reads) one at a time. Two threads asking one search's value at once compute it once."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _once[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | _once[T]:
        if instance is None:
            return self
        values = instance.__dict__
        # dict.setdefault is atomic: every thread gets the one lock of this instance's value.
        with values.setdefault(f"_{self._name}_lock", threading.Lock()):
            if self._name not in values:  # a later read finds it in the instance's dict
                values[self._name] = self._compute(instance)
            value: T = values[self._name]
            return value


@dataclass
class QueryContext:
    """What the generators of one search share. Lazy: nothing is computed until needed."""

    store: GraphStore
    embedder: Embedder
    request: SearchRequest
    recipe: Recipe
    where: FactFilter
    now: datetime
    names: NameIndexCache | None = None
    facts: dict[str, Fact] = field(default_factory=dict)
    episodes: dict[str, Episode] = field(default_factory=dict)
    lists: dict[str, list[Candidate]] = field(default_factory=dict)

    @property
    def group_id(self) -> str:
        return self.request.group_id

    @property
    def vectors(self) -> bool:
        """Whether reads need the rows' vectors: only MMR compares results by embedding."""
        return self.recipe.mmr_lambda < 1.0

    @_once
    def search_text(self) -> str:
        """The query for full-text search: its content words (all words if it has none)."""
        content = keywords(self.request.query)
        return " ".join(content) if content else self.request.query

    @_once
    def embedding(self) -> npt.NDArray[np.float32]:
        """The query embedding, computed once."""
        vector: npt.NDArray[np.float32] = self.embedder.embed([self.request.query])[0]
        return vector

    @_once
    def name_index(self) -> NameIndex | None:
        """The group's name index (checked for freshness once per search)."""
        return self.names.get(self.store, self.group_id) if self.names is not None else None

    @_once
    def recognised(self) -> list[Entity]:
        """Entities of the group named in the query."""
        if not self.request.query:
            return []
        # The index is asked for after the exact matches are read: a search with a worker
        # pool checks its freshness meanwhile (SearchEngine._run_all).
        known = 0 if self.names is None else self.names.known_size(self.group_id)
        return recognise_entities(
            self.store,
            self.group_id,
            self.request.query,
            lambda: self.name_index,
            by_index=known >= INDEX_LOOKUP_MIN,
        )

    @_once
    def neighbourhood(self) -> tuple[dict[str, Fact], dict[str, int]]:
        """Facts around the recognised entities (``recipe.graph_hops`` hops) and distances."""
        seeds = [e.uuid for e in self.recognised]
        if not seeds:
            return {}, {}
        facts, distance = expand(
            self.store,
            self.group_id,
            seeds,
            self.recipe.graph_hops,
            self.where,
            self.recipe.graph_fact_limit,
            vectors=self.vectors,
        )
        self.facts.update(facts)
        return facts, distance


Generator = Callable[[QueryContext, GeneratorSpec], list[Candidate]]


_INDEXED: Final[dict[str, tuple[ResultKind, bool]]] = {
    "fact_text": ("fact", False),
    "entity_text": ("entity", False),
    "episode_text": ("episode", False),
    "fact_vector": ("fact", True),
    "entity_vector": ("entity", True),
    "episode_vector": ("episode", True),
}
"""The generators that are one index search each: name -> (kind, by vectors?)."""


def is_index_generator(name: str) -> bool:
    """Whether generator ``name`` is one index search (run together by
    :func:`run_index_generators`)."""
    return name in _INDEXED


def episode_vectors_supported(store: GraphStore) -> bool:
    """Whether ``store`` keeps episode embeddings (its ``capabilities.episode_vectors``)."""
    return store.capabilities.episode_vectors


def _index_search(ctx: QueryContext, spec: GeneratorSpec) -> IndexSearch | None:
    """The index search of generator ``spec`` (one of :data:`_INDEXED`), or ``None`` when it
    has nothing to search."""
    kind, by_vector = _INDEXED[spec.name]
    if not ctx.request.query:
        return None
    if not by_vector:
        return IndexSearch(target=kind, limit=spec.limit, where=ctx.where, text=ctx.search_text)
    if kind == "episode" and not episode_vectors_supported(ctx.store):
        return None
    return IndexSearch(target=kind, limit=spec.limit, where=ctx.where, embedding=ctx.embedding)


def run_index_generators(ctx: QueryContext, specs: list[GeneratorSpec]) -> list[list[Candidate]]:
    """Generators of :data:`_INDEXED` run together, in one :meth:`GraphStore.searches` call
    (on a server, one round trip): each list as :func:`run_generator` gives it, remembered
    in the context."""
    planned = [(spec, _index_search(ctx, spec)) for spec in specs]
    asked = [search for _, search in planned if search is not None]
    answers = iter(ctx.store.searches(ctx.group_id, asked) if asked else [])
    lists: list[list[Candidate]] = []
    for spec, search in planned:
        found: list[Candidate] = []
        if search is not None:
            found = [((search.target, uuid), score) for uuid, score in next(answers)]
        ctx.lists[spec.name] = found
        lists.append(found)
    return lists


def _indexed(name: str) -> Generator:
    kind, by_vector = _INDEXED[name]

    def generate(ctx: QueryContext, spec: GeneratorSpec) -> list[Candidate]:
        return run_index_generators(ctx, [spec])[0]

    generate.__doc__ = (
        f"Cosine similarity of {kind} embeddings to the query."
        if by_vector
        else f"BM25 over {kind} text."
    )
    return generate


def graph(ctx: QueryContext, spec: GeneratorSpec) -> list[Candidate]:
    """The entities named in the query, then their facts (as subject or object) ranked by
    similarity to the query: a vector search scoped to the named entities."""
    seeds = tuple(e.uuid for e in ctx.recognised)
    if not seeds:
        return []
    found: list[Candidate] = [(("entity", uuid), 1.0) for uuid in seeds]
    scope = replace(ctx.where, entity_uuids=seeds)
    hits = ctx.store.vector(ctx.group_id, ctx.embedding, "fact", spec.limit, scope)
    return found + [(("fact", uuid), score) for uuid, score in hits]


def pagerank(ctx: QueryContext, spec: GeneratorSpec) -> list[Candidate]:
    """Entities and facts by personalised PageRank seeded on the named entities."""
    facts, _ = ctx.neighbourhood
    if not facts:
        return []
    ranks = personalised_pagerank(fact_graph(facts.values()), [e.uuid for e in ctx.recognised])
    if not ranks:
        return []
    scored: list[Candidate] = [(("entity", uuid), rank) for uuid, rank in ranks.items()]
    scored.extend(
        (("fact", f.uuid), ranks.get(f.subject_uuid, 0.0) + ranks.get(f.object_uuid, 0.0))
        for f in facts.values()
    )
    scored.sort(key=lambda c: -c[1])
    return scored[: spec.limit]


def episode_facts(ctx: QueryContext, spec: GeneratorSpec) -> list[Candidate]:
    """The facts extracted from the best episode hits, each at the rank of its best episode
    (read by provenance: ``FactFilter.episode_uuids``)."""
    top = _top_episodes(ctx, _EPISODES_MAPPED)
    if not top:
        return []
    rank = {uuid: i for i, uuid in enumerate(top)}
    wanted = tuple(top)
    if ctx.where.episode_uuids is not None:
        wanted = tuple(u for u in top if u in ctx.where.episode_uuids)
    best: dict[str, int] = {}
    where = replace(ctx.where, episode_uuids=wanted)
    for fact in ctx.store.list_facts(ctx.group_id, where, vectors=ctx.vectors):
        positions = [rank[e] for e in fact.episodes if e in rank]
        if positions and fact.group_id == ctx.group_id:
            ctx.facts[fact.uuid] = fact
            best[fact.uuid] = min(positions)
    ordered = sorted(best.items(), key=lambda item: item[1])[: spec.limit]
    return [(("fact", uuid), 1.0 / (1 + position)) for uuid, position in ordered]


def episode_feedback(ctx: QueryContext, spec: GeneratorSpec) -> list[Candidate]:
    """Pseudo-relevance feedback: BM25 over episodes again, the query extended with the
    words the best episode hits share (those in at least two of them, most frequent first).

    Finds turns that use the vocabulary of the answer rather than of the question.
    """
    if not ctx.request.query:
        return []
    top = _top_episodes(ctx, _FEEDBACK_EPISODES)
    unread = [u for u in top if u not in ctx.episodes]
    if unread:
        found = ctx.store.get_episodes(ctx.group_id, unread, vectors=False)
        ctx.episodes.update((e.uuid, e) for e in found if e.group_id == ctx.group_id)
    asked = set(keywords(ctx.request.query))
    counts: Counter[str] = Counter()
    for uuid in top:
        episode = ctx.episodes.get(uuid)
        if episode is not None:
            # Each word once per episode, in text order (not a set: equal counts keep the
            # order words were first seen, whatever the hash seed).
            counts.update(w for w in dict.fromkeys(keywords(episode.content)) if w not in asked)
    extra = [w for w, n in counts.most_common(_FEEDBACK_WORDS) if n >= 2]
    if not extra:
        return []
    query = " ".join([ctx.search_text, *extra])
    hits = ctx.store.fulltext(ctx.group_id, query, "episode", spec.limit, ctx.where)
    return [(("episode", uuid), score) for uuid, score in hits]


def _top_episodes(ctx: QueryContext, count: int) -> list[str]:
    """The best episodes of the episode generators that ran (text and vector, interleaved)."""
    lists = [ctx.lists.get(name, []) for name in ("episode_text", "episode_vector")]
    if not any(lists) and "episode_text" not in ctx.lists:
        lists = [run_generator(ctx, GeneratorSpec(name="episode_text"))]
    merged: list[str] = []
    for row in itertools.zip_longest(*lists):
        merged.extend(candidate[0][1] for candidate in row if candidate is not None)
    return list(dict.fromkeys(merged))[:count]


GENERATORS: Final[dict[str, Generator]] = {
    "fact_text": _indexed("fact_text"),
    "entity_text": _indexed("entity_text"),
    "episode_text": _indexed("episode_text"),
    "fact_vector": _indexed("fact_vector"),
    "entity_vector": _indexed("entity_vector"),
    "episode_vector": _indexed("episode_vector"),
    "graph": graph,
    "pagerank": pagerank,
    "episode_facts": episode_facts,
    "episode_feedback": episode_feedback,
}


def run_generator(ctx: QueryContext, spec: GeneratorSpec) -> list[Candidate]:
    """Run one generator and remember its list in the context."""
    found = GENERATORS[spec.name](ctx, spec)
    ctx.lists[spec.name] = found
    return found
