"""The search engine: generate candidates, fuse, add context, filter, rerank, build results.

One search runs the generators of its recipe (:mod:`chronomem.query.recipes`) and fuses their
ranked lists. Episodes next to the best episode hits join as conversation context (on stores
that can list them). The best ``recipe.pool`` candidates are read in one batched call per
kind, what the request's filters exclude is dropped, and the rest is reranked:

- corroboration: a fact and the episode it came from, both found, support each other;
- named entities: results about an entity named in the query rise;
- time: for a question about time, results dated as the question asks (or stating a time)
  rise; facts whose validity ended before now sink unless the question asks about the past;
- centre: results near the request's centre entity rise (by graph distance);
- redundancy: a result whose source turns are all covered by better results sinks;
- diversity: maximal marginal relevance over embeddings, when the recipe asks for it.
"""

from __future__ import annotations

import functools
import heapq
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt

from chronomem.config import DEFAULT_SEARCH_WORKERS
from chronomem.engine.embed import Embedder
from chronomem.engine.store.protocol import GraphStore
from chronomem.errors import InputError, NotFoundError
from chronomem.language.timex import find_time_mentions
from chronomem.query.fusion import mmr, reciprocal_rank_fusion, score_fusion
from chronomem.query.generators import (
    Candidate,
    Key,
    QueryContext,
    is_index_generator,
    run_generator,
    run_index_generators,
)
from chronomem.query.multihop import expand
from chronomem.query.names import NameIndexCache, recognise_entities
from chronomem.query.recipes import RECIPES, GeneratorSpec, Recipe
from chronomem.query.relationcues import relations_asked
from chronomem.query.request import SearchRequest
from chronomem.query.results import entity_result, episode_result, fact_result
from chronomem.query.timecues import TimeCues, overlaps, read_time_cues
from chronomem.schema import Entity, Episode, Fact, SearchResult, name_key, speaker_line, utcnow

__all__ = ["SearchEngine"]

T = TypeVar("T")

_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _run_one(ctx: QueryContext, spec: GeneratorSpec) -> list[list[Candidate]]:
    """:func:`run_generator`'s list, alone in a list (as :func:`run_index_generators` gives)."""
    return [run_generator(ctx, spec)]


def _shared_pool(size: int) -> ThreadPoolExecutor:
    """The process-wide pool of ``size`` search threads (created on first use)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(size)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="chronomem-search")
            _POOLS[size] = pool
        return pool


#: The generators that find the entities named in the query (``QueryContext.recognised``).
_NAMING: Final = frozenset({"graph", "pagerank"})
#: Hops from the centre entity within which results get a boost.
_CENTRE_HOPS = 2
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class _Pool:
    """The loaded candidates of one search."""

    facts: dict[str, Fact]
    entities: dict[str, Entity]
    episodes: dict[str, Episode]
    mentions: dict[str, list[str]]

    def get(self, key: Key) -> Fact | Entity | Episode | None:
        kind, uuid = key
        if kind == "fact":
            return self.facts.get(uuid)
        if kind == "entity":
            return self.entities.get(uuid)
        return self.episodes.get(uuid)


class SearchEngine:
    """Hybrid search over one store. Cheap to keep; thread-safe if the store is.

    ``recipes`` adds or replaces named recipes; ``clock`` gives "now" (for tests);
    ``workers``: threads that run a search's generators side by side (0 or 1: one after
    another, in the caller's thread). Engines share one pool per size.
    """

    def __init__(
        self,
        store: GraphStore,
        embedder: Embedder,
        *,
        recipes: Mapping[str, Recipe] | None = None,
        clock: Callable[[], datetime] = utcnow,
        workers: int = DEFAULT_SEARCH_WORKERS,
    ) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
            raise InputError(f"workers must be an int >= 0 (0: no threads), not {workers!r}")
        self._store = store
        self._embedder = embedder
        self._recipes = {**RECIPES, **(recipes or {})}
        self._names = NameIndexCache()
        self._clock = clock
        self._workers = _shared_pool(workers) if workers > 1 else None

    @property
    def store(self) -> GraphStore:
        return self._store

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def recipe(self, name: str) -> Recipe:
        """The recipe called ``name``."""
        try:
            return self._recipes[name]
        except KeyError:
            known = ", ".join(sorted(self._recipes))
            raise InputError(f"unknown search recipe {name!r}; use one of: {known}") from None

    def search(self, request: SearchRequest) -> list[SearchResult]:
        """The results of ``request``, best first (at most ``request.limit``)."""
        recipe = self.recipe(request.recipe)
        kinds = frozenset(request.kinds or recipe.kinds)
        now = self._clock()
        if request.speaker is not None:  # search the query as the speaker's turns are embedded
            request = request.model_copy(update={"query": request.search_text, "speaker": None})
        ctx = QueryContext(
            # One state of the group for the whole search where the store keeps one.
            store=self._store.pinned(request.group_id),
            embedder=self._embedder,
            request=request,
            recipe=recipe,
            where=request.fact_filter(),
            now=now,
            names=self._names,
        )
        centre = self._centre(ctx) if request.centre is not None else None
        if not request.query:
            if centre is None:
                return []
            fused = self._around_centre(ctx, centre)
        else:
            fused = self._fuse(ctx, recipe, kinds)
            if "episode" in kinds:
                self._add_context(ctx, fused)
        size = max(recipe.pool, 2 * request.limit)
        # Equal scores keep the order in which the generators found them (a stable sort), not
        # the order of their uuids: fact uuids are random, and results must not depend on them.
        ranked = sorted((k for k in fused if k[0] in kinds), key=lambda k: -fused[k])[:size]
        labels = bool(request.labels)
        pool = self._load(ctx, ranked, ends=labels, mentions=labels or centre is not None)
        scores = self._rerank(ctx, ranked, fused, pool, centre, read_time_cues(request.query, now))
        chosen = self._select(ranked, scores, pool, recipe, request.limit)
        self._load_ends(ctx, chosen, pool)
        return [self._result(key, scores[key], pool) for key in chosen]

    def entities_named(self, group_id: str, text: str) -> list[Entity]:
        """The entities of ``group_id`` that ``text`` names, exactly or nearly (as a search
        recognises them: :func:`~chronomem.query.names.recognise_entities`), longer names
        first."""
        index = self._names.get(self._store, group_id)
        return recognise_entities(self._store, group_id, text, index)

    # ----------------------------------------------------------------------------------------

    def _fuse(self, ctx: QueryContext, recipe: Recipe, kinds: frozenset[str]) -> dict[Key, float]:
        specs = [s for s in recipe.generators if _useful(s, kinds, recipe)]
        # episode_facts and episode_feedback read the episode lists: they run after the others.
        later = ("episode_facts", "episode_feedback")
        waves = ([s for s in specs if s.name not in later], [s for s in specs if s.name in later])
        # The rerank boosts the entities named in the query: if no generator finds them, they
        # are found beside the generators (on a server, store reads after the results would
        # be round trips one after another, and a large group's name lookup is slow).
        recognised = (
            self._started(lambda: ctx.recognised)
            if recipe.entity_boost > 0
            and not any(s.name in _NAMING for s in specs)
            and self._store.capabilities.server
            else None
        )
        found: dict[str, list[Candidate]] = {}
        for wave in waves:
            found.update(zip((s.name for s in wave), self._run_all(ctx, wave), strict=True))
        if recognised is not None:
            recognised()
        lists: list[list[Candidate]] = [found[spec.name] for spec in specs]
        weights = [spec.weight for spec in specs]
        if recipe.fusion == "score":
            return score_fusion(lists, weights, [spec.scale for spec in specs])
        rankings = [[key for key, _ in found] for found in lists]
        return reciprocal_rank_fusion(rankings, weights, recipe.rrf_k)

    def _run_all(self, ctx: QueryContext, specs: list[GeneratorSpec]) -> list[list[Candidate]]:
        """Run independent generators, concurrently when there is a worker pool: each waits
        mostly on the store (SQLite and hnswlib release the GIL; Neo4j is a round trip). On a
        server store the index searches among them (BM25 and vectors) go to the store together,
        in one call (one round trip); an embedded store runs them side by side instead."""
        indexed = [i for i, s in enumerate(specs) if is_index_generator(s.name)]
        if len(indexed) < 2 or not self._store.capabilities.server:
            indexed = []  # an embedded store answers each at once, and they run side by side
        others = [i for i in range(len(specs)) if i not in indexed]
        tasks: list[Callable[[], list[list[Candidate]]]] = [
            functools.partial(_run_one, ctx, specs[i]) for i in others
        ]
        if indexed:
            tasks.insert(
                0, functools.partial(run_index_generators, ctx, [specs[i] for i in indexed])
            )
        order = ([indexed] if indexed else []) + [[i] for i in others]
        if self._workers is None or len(tasks) < 2:
            answers = [task() for task in tasks]
        else:
            # What several generators share is computed once, here, before they start.
            if any(s.name not in ("fact_text", "entity_text", "episode_text") for s in specs):
                _ = ctx.embedding
            naming = [s for s in specs if s.name in _NAMING]
            if len(naming) > 1:
                _ = ctx.recognised  # else the one generator using them finds them, in its task
            # The name index's freshness (a store read) is checked beside the exact name
            # lookup that comes first in recognising the named entities.
            checked = self._started(lambda: ctx.name_index) if naming else None
            answers = list(self._workers.map(lambda task: task(), tasks))
            if checked is not None:
                checked()
        found: dict[int, list[Candidate]] = {}
        for positions, lists in zip(order, answers, strict=True):
            found.update(zip(positions, lists, strict=True))
        return [found[i] for i in range(len(specs))]

    def _started(self, read: Callable[[], T]) -> Callable[[], T]:
        """Start ``read``, a store read, on the worker pool now (on a server store, where each
        read is a round trip, so the search's own thread can send another meanwhile); call
        the result for its answer. Elsewhere ``read`` runs when its answer is asked for.
        Only from the search's own thread, never from a pool task (a task waiting on the
        pool it runs in could wait for ever)."""
        if self._workers is None or not self._store.capabilities.server:
            return read
        return self._workers.submit(read).result

    def _add_context(self, ctx: QueryContext, fused: dict[Key, float]) -> None:
        """Conversation context: an episode ``d`` turns from one of the best episode hits
        gains ``recipe.context_weight / d`` times the hit's score (its best such share), added
        to its own; ``recipe.context_same_speaker`` times that (at most the share of a turn
        next to the hit) when the hit's speaker said it (a speaker going on with their story).
        The turns around a hit are read with :meth:`GraphStore.adjacent_episodes`."""
        recipe = ctx.recipe
        if recipe.context_weight <= 0:
            return
        hits = sorted((k for k in fused if k[0] == "episode"), key=lambda k: -fused[k])
        hits = hits[: recipe.context_hits]
        if not hits:
            return
        window = recipe.context_window
        unread = [u for _, u in hits if u not in ctx.episodes]
        group = ctx.group_id
        adjacent = self._started(
            lambda: ctx.store.adjacent_episodes(group, [u for _, u in hits], window, window)
        )
        if unread:
            ctx.episodes.update(
                (e.uuid, e) for e in ctx.store.get_episodes(group, unread, vectors=False)
            )
        around = adjacent()
        shares: dict[Key, float] = {}
        for hit in hits:
            centre = ctx.episodes.get(hit[1])
            if centre is None:
                continue
            line = [e for e in around.get(hit[1], []) if e.group_id == ctx.group_id]
            earlier = [e for e in line if e.reference_time < centre.reference_time]
            later = [e for e in line if e.reference_time >= centre.reference_time]
            steps = [(e, len(earlier) - i) for i, e in enumerate(earlier)]
            steps += [(e, i + 1) for i, e in enumerate(later)]
            for episode, distance in steps:
                ctx.episodes[episode.uuid] = episode
                key: Key = ("episode", episode.uuid)
                factor = 1.0 / distance
                if episode.speaker and episode.speaker == centre.speaker:
                    factor = min(1.0, factor * recipe.context_same_speaker)
                share = recipe.context_weight * fused[hit] * factor
                shares[key] = max(shares.get(key, 0.0), share)
        for key, share in shares.items():
            fused[key] = fused.get(key, 0.0) + share

    def _centre(self, ctx: QueryContext) -> dict[str, int]:
        """Hop distances from the request's centre entity (given by uuid or name)."""
        name = ctx.request.centre or ""
        found = ctx.store.get_entities(ctx.group_id, [name], vectors=False)
        if not found:
            found = ctx.store.find_entities(ctx.group_id, names=[name], vectors=False)
        if not found:
            found = recognise_entities(ctx.store, ctx.group_id, name, ctx.name_index)
        found = [e for e in found if e.group_id == ctx.group_id]
        if not found:
            raise NotFoundError(
                f"centre {name!r} is neither the uuid nor the name of an entity of group "
                f"{ctx.group_id!r}; check the spelling or leave centre unset"
            )
        _, distance = expand(
            ctx.store,
            ctx.group_id,
            [found[0].uuid],
            _CENTRE_HOPS,
            ctx.where,
            ctx.recipe.graph_fact_limit,
        )
        return distance

    def _around_centre(self, ctx: QueryContext, centre: dict[str, int]) -> dict[Key, float]:
        """Without query text: the centre's entities and facts, nearest first."""
        facts, _ = expand(
            ctx.store,
            ctx.group_id,
            [u for u, d in centre.items() if d == 0],
            1,
            ctx.where,
            ctx.recipe.graph_fact_limit,
        )
        ctx.facts.update(facts)
        fused: dict[Key, float] = {("entity", u): 1.0 / (1 + d) for u, d in centre.items()}
        for fact in facts.values():
            stamp = (fact.valid_at or fact.created_at).timestamp()
            fused[("fact", fact.uuid)] = 0.5 + 1e-12 * stamp
        return fused

    def _load(self, ctx: QueryContext, ranked: list[Key], *, ends: bool, mentions: bool) -> _Pool:
        """Read the candidates, one batched call per kind. ``ends``: also the entities at the
        ends of facts and those the episodes mention; ``mentions``: which those are."""
        group = ctx.group_id
        fact_ids = [u for k, u in ranked if k == "fact"]
        facts = {u: ctx.facts[u] for u in fact_ids if u in ctx.facts}
        unread_facts = [u for u in fact_ids if u not in facts]
        wanted = [u for k, u in ranked if k == "entity"]
        # Without ends, the three kinds are independent reads: sent side by side (with ends,
        # the entities are read below, with the facts' ends and the mentions).
        asked = [] if ends else list(wanted)
        read_facts = self._started(
            lambda: (
                ctx.store.get_facts(group, unread_facts, vectors=ctx.vectors)
                if unread_facts
                else []
            )
        )
        read_entities = self._started(
            lambda: ctx.store.get_entities(group, asked, vectors=ctx.vectors) if asked else []
        )
        episode_ids = [u for k, u in ranked if k == "episode"]
        episodes = {u: ctx.episodes[u] for u in episode_ids if u in ctx.episodes}
        missing = [u for u in episode_ids if u not in episodes]
        if missing:
            episodes.update(
                (e.uuid, e) for e in ctx.store.get_episodes(group, missing, vectors=False)
            )
        facts.update((f.uuid, f) for f in read_facts())
        entities = {e.uuid: e for e in read_entities()}
        mentioned = ctx.store.mentions(group, list(episodes)) if mentions and episodes else {}
        if ends:
            for fact in facts.values():
                wanted += (fact.subject_uuid, fact.object_uuid)
            for uuids in mentioned.values():
                wanted += uuids
            wanted = list(dict.fromkeys(wanted))
            if wanted:
                found = ctx.store.get_entities(group, wanted, vectors=ctx.vectors)
                entities = {e.uuid: e for e in found}
        return _Pool(
            facts={u: f for u, f in facts.items() if f.group_id == group},
            entities={u: e for u, e in entities.items() if e.group_id == group},
            episodes={u: e for u, e in episodes.items() if e.group_id == group},
            mentions=mentioned,
        )

    def _load_ends(self, ctx: QueryContext, chosen: list[Key], pool: _Pool) -> None:
        """Read the subject and object entities of the chosen facts (for their names)."""
        wanted = [
            u
            for kind, uuid in chosen
            if kind == "fact"
            for u in (pool.facts[uuid].subject_uuid, pool.facts[uuid].object_uuid)
            if u not in pool.entities
        ]
        if wanted:
            found = ctx.store.get_entities(ctx.group_id, list(dict.fromkeys(wanted)), vectors=False)
            pool.entities.update((e.uuid, e) for e in found if e.group_id == ctx.group_id)

    def _rerank(
        self,
        ctx: QueryContext,
        ranked: list[Key],
        fused: Mapping[Key, float],
        pool: _Pool,
        centre: dict[str, int] | None,
        cues: TimeCues,
    ) -> dict[Key, float]:
        request, recipe, now = ctx.request, ctx.recipe, ctx.now
        labels = set(request.labels) if request.labels else None
        support = _corroboration(ranked, fused, pool) if recipe.corroboration > 0 else {}
        named = {e.uuid for e in ctx.recognised} if recipe.entity_boost > 0 else set()
        speakers = (
            {name_key(n) for e in ctx.recognised for n in (e.name, *e.aliases)} if named else set()
        )
        keep_ended = cues.historical or request.as_of is not None or request.known_at is not None
        asked = relations_asked(request.query) if recipe.relation_boost > 0 else frozenset()
        scores: dict[Key, float] = {}
        before_penalty: dict[str, float] = {}
        for key in ranked:
            item = pool.get(key)
            if item is None:
                continue
            ends: list[str]
            if isinstance(item, Fact):
                if not ctx.where.accepts(item, now):
                    continue
                ends = [item.subject_uuid, item.object_uuid]
            elif isinstance(item, Episode):
                if not request.episode_allowed(item.reference_time, item.created_at):
                    continue
                ends = pool.mentions.get(item.uuid, [])
            else:
                if request.known_at is not None and item.created_at > request.known_at:
                    continue
                ends = [item.uuid]
            if labels is not None and not any(
                labels.intersection(pool.entities[u].labels) for u in ends if u in pool.entities
            ):
                continue
            score = fused[key] + recipe.corroboration * support.get(key, 0.0)
            score *= _time_factor(item, cues, recipe.temporal_boost)
            if named and (
                any(u in named for u in ends)
                if not isinstance(item, Episode)
                else name_key(item.speaker or "") in speakers
            ):
                score *= 1.0 + recipe.entity_boost
            if isinstance(item, Fact) and item.relation in asked:
                score *= 1.0 + recipe.relation_boost
            if isinstance(item, Fact) and not keep_ended and _ended(item, now):
                before_penalty[item.uuid] = score
                score *= recipe.ended_penalty
            if centre is not None:
                hops = [centre[u] for u in ends if u in centre]
                if hops:
                    score *= 1.0 + recipe.centre_boost / (1 + min(hops))
            scores[key] = score
        if named and recipe.relation_boost > 0:
            _answer_through_a_hop(
                scores,
                pool,
                named,
                _asked_here(request.query, asked, pool),
                lambda fact: keep_ended or not _ended(fact, now),
            )
        # A fact that ended because another value replaced it answers the question less
        # currently than its successor: the value that holds now (the end of the chain of
        # replacements: Starter -> Pro -> Enterprise) ranks at least as high as it would have.
        # A fact that ended with nothing after it ("quit smoking", "I retired") is answered by
        # the message that ended it, which ranks at least as high as the fact would have.
        said_now = {  # messages behind facts that hold now: those facts answer for them
            episode
            for key in scores
            if key[0] == "fact"
            and isinstance(fact := pool.get(key), Fact)
            and not _ended(fact, now)
            for episode in fact.episodes
        }
        for uuid, score in before_penalty.items():
            successor = _current_successor(uuid, pool, before_penalty)
            if successor is not None and ("fact", successor) in scores:
                scores[("fact", successor)] = max(scores[("fact", successor)], score)
            elif successor is None:
                fact = pool.get(("fact", uuid))
                ending = fact.invalidated_by_episode if isinstance(fact, Fact) else None
                if ending is not None and ending not in said_now and ("episode", ending) in scores:
                    scores[("episode", ending)] = max(scores[("episode", ending)], score)
        return scores

    def _select(
        self,
        ranked: list[Key],
        scores: dict[Key, float],
        pool: _Pool,
        recipe: Recipe,
        limit: int,
    ) -> list[Key]:
        keys, repeated = _without_repeats([k for k in ranked if k in scores], scores, pool)
        if recipe.redundancy_penalty < 1.0:
            _demote_redundant(
                keys, scores, lambda k: _sources(pool.get(k)) | repeated.get(k, frozenset()), recipe
            )
        if recipe.mmr_lambda >= 1.0:
            return sorted(keys, key=lambda k: -scores[k])[:limit]
        vectors: dict[Key, npt.NDArray[np.float32]] = {}
        for key in keys:
            item = pool.get(key)
            vector = (
                item.fact_embedding
                if isinstance(item, Fact)
                else item.name_embedding
                if isinstance(item, Entity)
                else None
            )
            if vector is not None:
                vectors[key] = np.asarray(vector, dtype=np.float32)
        return mmr(keys, scores, vectors, limit, recipe.mmr_lambda)

    def _result(self, key: Key, score: float, pool: _Pool) -> SearchResult:
        item = pool.get(key)
        if isinstance(item, Fact):
            return fact_result(item, score, pool.entities)
        if isinstance(item, Entity):
            return entity_result(item, score)
        if isinstance(item, Episode):
            return episode_result(item, score)
        raise AssertionError(f"unloaded candidate {key}")  # pragma: no cover


def _useful(spec: GeneratorSpec, kinds: frozenset[str], recipe: Recipe) -> bool:
    """Whether a generator can contribute results of ``kinds``."""
    if spec.name.startswith("fact_") or spec.name == "episode_facts":
        return "fact" in kinds
    if spec.name.startswith("entity_"):
        return "entity" in kinds
    if spec.name == "episode_feedback":
        return "episode" in kinds
    if spec.name in ("episode_text", "episode_vector"):
        return "episode" in kinds or ("fact" in kinds and recipe.uses("episode_facts"))
    return bool(kinds & {"fact", "entity"})


def _corroboration(ranked: list[Key], fused: Mapping[Key, float], pool: _Pool) -> dict[Key, float]:
    """For each fact, the best fused score among the episodes it came from; for each episode,
    the best among the facts drawn from it (two views of the same evidence)."""
    support: dict[Key, float] = {}
    for key in ranked:
        fact = pool.facts.get(key[1]) if key[0] == "fact" else None
        if fact is None:
            continue
        for episode in fact.episodes:
            other: Key = ("episode", episode)
            if other in fused:
                support[key] = max(support.get(key, 0.0), fused[other])
                support[other] = max(support.get(other, 0.0), fused[key])
    return support


_RELATION_FILLERS: Final = frozenset(
    {"has", "have", "is", "are", "was", "in", "of", "at", "by", "to", "for", "on", "with"}
)


def _stem(word: str) -> str:
    """A crude English stem ("based" -> "bas", "works" -> "work"), never under 3 letters."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _asked_here(query: str, asked: frozenset[str], pool: _Pool) -> frozenset[str]:
    """``asked`` plus the relations of the pool's facts whose own words the question uses
    ("based" asks about BASED_IN, "work in" about WORKS_IN): record mappings name their own."""
    words = {_stem(w) for w in re.findall(r"[a-z]+", query.lower())}
    named = set(asked)
    for relation in {fact.relation for fact in pool.facts.values()}:
        parts = [p for p in relation.lower().split("_") if p and p not in _RELATION_FILLERS]
        if parts and any(_stem(p) in words for p in parts):
            named.add(relation)
    return frozenset(named)


_ANSWER_OVER_LINK: Final = 1.05  # the fact one hop away answers; the link only leads to it


def _answer_through_a_hop(
    scores: dict[Key, float],
    pool: _Pool,
    named: set[str],
    asked: frozenset[str],
    holds: Callable[[Fact], bool],
) -> None:
    """Multi-hop: when the question asks about a relation the named entities have no fact of
    ("the country of the supplier of the tent", "the headquarters of the company Carla works
    for"), a fact of that relation about an entity one fact away from them (the supplier, the
    employer) answers a little better than that linking fact does, if both ``hold`` (now, or
    at the question's time: the employer then, not the former one, and its headquarters
    then). The relations asked that the named entities do have (works for) are the links."""
    if not asked:
        return
    facts = {k: pool.facts[k[1]] for k in scores if k[0] == "fact" and k[1] in pool.facts}
    own = {k: f for k, f in facts.items() if f.subject_uuid in named or f.object_uuid in named}
    further = asked - {f.relation for f in own.values()}
    if not further:
        return
    via: dict[str, float] = {}
    for key, fact in own.items():
        if not holds(fact):
            continue
        for end in (fact.subject_uuid, fact.object_uuid):
            if end not in named:
                via[end] = max(via.get(end, 0.0), scores[key])
    for key, fact in facts.items():
        if key in own or fact.relation not in further or not holds(fact):
            continue
        link = max(via.get(fact.subject_uuid, 0.0), via.get(fact.object_uuid, 0.0))
        scores[key] = max(scores[key], link * _ANSWER_OVER_LINK)


def _current_successor(uuid: str, pool: _Pool, ended: Mapping[str, float]) -> str | None:
    """The fact at the end of ``uuid``'s chain of replacements (``invalidated_by``) that is not
    ``ended`` itself, if the chain reaches one that is loaded."""
    seen = {uuid}
    successor = pool.facts[uuid].invalidated_by
    while successor is not None and successor in ended and successor not in seen:
        seen.add(successor)
        successor = pool.facts[successor].invalidated_by
    return None if successor is None or successor in seen else successor


def _without_repeats(
    keys: list[Key], scores: Mapping[Key, float], pool: _Pool
) -> tuple[list[Key], dict[Key, frozenset[str]]]:
    """``keys`` without the episodes that repeat the text of a better one (the same record
    row in many exports, the same words said again): one hit per text. Also, for each kept
    episode, the source ids of the repeats it stands for."""
    best: dict[tuple[str | None, str], Key] = {}
    stands_for: dict[Key, set[str]] = {}
    for key in sorted(keys, key=lambda k: -scores[k]):
        item = pool.get(key)
        if isinstance(item, Episode):
            kept = best.setdefault((item.speaker, item.content), key)
            stands_for.setdefault(kept, set()).add(item.source_id)
    chosen = set(best.values())
    kept_keys = [k for k in keys if k[0] != "episode" or k in chosen]
    return kept_keys, {k: frozenset(ids) for k, ids in stands_for.items() if len(ids) > 1}


def _ended(fact: Fact, now: datetime) -> bool:
    return fact.invalid_at is not None and fact.invalid_at <= now


def _time_factor(item: Fact | Entity | Episode, cues: TimeCues, boost: float) -> float:
    """``1 + boost`` for a result dated as the question asks; ``1 + boost / 2`` for one that
    states a time when the question asks about time without naming a date; else 1."""
    if not cues.temporal or boost <= 0 or isinstance(item, Entity):
        return 1.0
    if cues.periods:
        if isinstance(item, Fact):
            dated = item.valid_at is not None or item.invalid_at is not None
            hit = dated and any(overlaps(item.valid_at, item.invalid_at, p) for p in cues.periods)
        else:
            moment = item.reference_time
            hit = any(begin <= moment < end for begin, end in cues.periods)
        return 1.0 + boost if hit else 1.0
    text = item.fact if isinstance(item, Fact) else speaker_line(item.speaker, item.content)
    return 1.0 + boost / 2 if _states_time(text) else 1.0


@functools.lru_cache(maxsize=65_536)
def _states_time(text: str) -> bool:
    """Whether ``text`` holds a temporal expression (resolved against a fixed reference: only
    its presence matters here)."""
    try:
        return bool(find_time_mentions(text, _REFERENCE))
    except ValueError:
        return False


def _sources(item: Fact | Entity | Episode | None) -> frozenset[str]:
    if isinstance(item, Fact):
        return frozenset(item.sources)
    if isinstance(item, Episode):
        return frozenset([item.source_id])
    return frozenset()


def _demote_redundant(
    keys: list[Key],
    scores: dict[Key, float],
    sources: Callable[[Key], frozenset[str]],
    recipe: Recipe,
) -> None:
    """Multiply by ``recipe.redundancy_penalty`` the score of each result whose source turns
    are all covered by results ranked above it (lazy greedy: each result is demoted once)."""
    heap = [(-scores[k], i) for i, k in enumerate(keys)]
    heapq.heapify(heap)
    covered: set[str] = set()
    demoted: set[int] = set()
    while heap:
        negative, i = heapq.heappop(heap)
        key = keys[i]
        found = sources(key)
        if found and found <= covered and i not in demoted:
            demoted.add(i)
            scores[key] = -negative * recipe.redundancy_penalty
            heapq.heappush(heap, (-scores[key], i))
            continue
        covered |= found
