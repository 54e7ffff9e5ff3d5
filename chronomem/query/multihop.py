"""Multi-hop reads over any backend: neighbourhoods, paths and personalised PageRank.

The graph is expanded hop by hop with :meth:`GraphStore.neighbors` (one call per hop, all
frontier entities at once), then handed to networkx. Nothing here knows which backend it
talks to.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import networkx as nx
import numpy as np

from chronomem.engine.store.protocol import FactFilter, GraphStore
from chronomem.errors import InputError, LimitError, NotFoundError
from chronomem.schema import Entity, Fact

__all__ = [
    "DEFAULT_HOP_LIMIT",
    "Subgraph",
    "expand",
    "fact_graph",
    "neighbors",
    "paths",
    "personalised_pagerank",
]

#: Facts read per hop at most (hub entities can have thousands): search samples that many;
#: :func:`neighbors` refuses a hop holding more (:class:`LimitError`) unless told a higher one.
DEFAULT_HOP_LIMIT = 1_000


@dataclass(frozen=True, slots=True)
class Subgraph:
    """Entities and the facts between them, with each entity's hop distance from the start
    (read without their embeddings)."""

    entities: list[Entity]
    facts: list[Fact]
    distances: dict[str, int] = field(default_factory=dict)


def expand(
    store: GraphStore,
    group_id: str,
    seeds: Iterable[str],
    depth: int,
    where: FactFilter,
    limit: int = DEFAULT_HOP_LIMIT,
    *,
    vectors: bool = False,
    strict: bool = False,
) -> tuple[dict[str, Fact], dict[str, int]]:
    """Facts within ``depth`` hops of ``seeds`` and the hop distance of every entity reached.

    Hop ``h`` reads the facts of the entities first reached at hop ``h - 1`` (at most ``limit``
    facts per hop: search's graph candidates want a sample of a hub, not all of it). With
    ``strict`` a hop that holds more than ``limit`` facts raises :class:`LimitError`
    instead of being cut. Facts of another group are ignored, whatever the backend returns.
    The facts' embeddings are read only with ``vectors``.
    """
    distance = dict.fromkeys(seeds, 0)
    frontier = list(distance)
    facts: dict[str, Fact] = {}
    for hop in range(1, depth + 1):
        if not frontier:
            break
        reached: list[str] = []
        read = store.neighbors(
            group_id, frontier, where, limit=limit + 1 if strict else limit, vectors=vectors
        )
        if strict and len(read) > limit:
            raise LimitError(
                f"hop {hop} of {depth} reaches more than {limit} facts "
                f"({len(frontier)} entities at hop {hop - 1}); ask for fewer hops, or raise "
                f"the limit (max_facts_per_hop=..., CLI --max-facts-per-hop)"
            )
        for fact in read:
            if fact.group_id != group_id:
                continue
            facts[fact.uuid] = fact
            for end in (fact.subject_uuid, fact.object_uuid):
                if end not in distance:
                    distance[end] = hop
                    reached.append(end)
        frontier = reached
    return facts, distance


def _filter(as_of: datetime | None, known_at: datetime | None) -> FactFilter:
    return FactFilter(as_of=as_of, known_at=known_at)


def neighbors(
    store: GraphStore,
    group_id: str,
    entity_uuid: str,
    depth: int = 1,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    limit: int = DEFAULT_HOP_LIMIT,
) -> Subgraph:
    """The subgraph within ``depth`` hops of an entity: the entities reached and the facts
    read. ``as_of``/``known_at`` select a past state (valid and transaction time); by default
    every fact the memory believes now, ended or not, each with its validity interval.

    Every fact within ``depth`` hops is returned, or none: a hop holding more than ``limit``
    facts raises :class:`LimitError` (never a silently cut neighbourhood)."""
    if depth < 1:
        raise InputError(f"depth must be at least 1, not {depth}")
    if limit < 1:
        raise InputError(f"max_facts_per_hop must be at least 1, not {limit}")
    _require(store, group_id, [entity_uuid])
    facts, distance = expand(
        store, group_id, [entity_uuid], depth, _filter(as_of, known_at), limit, strict=True
    )
    entities = {e.uuid: e for e in store.get_entities(group_id, list(distance), vectors=False)}
    ordered = sorted(entities.values(), key=lambda e: (distance[e.uuid], e.name))
    return Subgraph(
        entities=ordered,
        facts=sorted(facts.values(), key=_fact_order),
        distances={u: d for u, d in distance.items() if u in entities},
    )


def paths(
    store: GraphStore,
    group_id: str,
    a_uuid: str,
    b_uuid: str,
    max_hops: int = 3,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    max_paths: int = 10,
    limit: int = DEFAULT_HOP_LIMIT,
) -> list[list[Fact]]:
    """Paths of at most ``max_hops`` facts linking two entities, shortest first.

    The graph is expanded from both ends (``ceil(max_hops / 2)`` hops from ``a``, the rest from
    ``b``), so every path within ``max_hops`` is found while hubs are read at most once per side.
    Each path is a list of facts from ``a`` to ``b`` (edges are followed in either direction).
    Every path or an error: a hop holding more than ``limit`` facts raises
    :class:`LimitError` (a cut hop could hide the only path).
    """
    if max_hops < 1:
        raise InputError(f"max_hops must be at least 1, not {max_hops}")
    if max_paths < 1:
        raise InputError(f"max_paths must be at least 1, not {max_paths}")
    if limit < 1:
        raise InputError(f"max_facts_per_hop must be at least 1, not {limit}")
    _require(store, group_id, [a_uuid, b_uuid])
    if a_uuid == b_uuid:
        return []
    where = _filter(as_of, known_at)
    hops_a, hops_b = math.ceil(max_hops / 2), max_hops // 2
    from_a, _ = expand(store, group_id, [a_uuid], hops_a, where, limit, strict=True)
    from_b, _ = expand(store, group_id, [b_uuid], hops_b, where, limit, strict=True)
    graph = fact_graph({**from_a, **from_b}.values())
    if a_uuid not in graph or b_uuid not in graph:
        return []
    found: list[list[Fact]] = []
    try:
        node_paths = nx.shortest_simple_paths(graph, a_uuid, b_uuid)
        for node_path in node_paths:
            if len(node_path) - 1 > max_hops:
                break
            options = [
                sorted(graph.edges[u, v]["facts"], key=_fact_order)
                for u, v in itertools.pairwise(node_path)
            ]
            for combination in itertools.product(*options):
                found.append(list(combination))
                if len(found) >= max_paths:
                    return found
    except nx.NetworkXNoPath:
        pass
    return found


def fact_graph(facts: Iterable[Fact]) -> nx.Graph:
    """An undirected graph of entities; each edge holds its facts (``"facts"``) and their
    count (``"weight"``). Self-loops are left out."""
    graph = nx.Graph()
    for fact in facts:
        u, v = fact.subject_uuid, fact.object_uuid
        if u == v:
            continue
        if graph.has_edge(u, v):
            data = graph.edges[u, v]
            data["facts"].append(fact)
            data["weight"] += 1.0
        else:
            graph.add_edge(u, v, facts=[fact], weight=1.0)
    return graph


def personalised_pagerank(
    graph: nx.Graph,
    seeds: Mapping[str, float] | Sequence[str],
    alpha: float = 0.85,
    iterations: int = 50,
    tolerance: float = 1e-8,
) -> dict[str, float]:
    """PageRank of ``graph``'s nodes with restarts at ``seeds`` (weights, or uniform).

    Power iteration in numpy over the edge list (networkx's own version needs scipy).
    Dangling mass returns to the seeds. Seeds absent from the graph are ignored; with no
    seed in the graph the result is empty.
    """
    nodes = list(graph.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    weights = dict(seeds) if isinstance(seeds, Mapping) else dict.fromkeys(seeds, 1.0)
    restart = np.zeros(len(nodes))
    for node, weight in weights.items():
        if node in position and weight > 0:
            restart[position[node]] += weight
    if restart.sum() <= 0:
        return {}
    restart /= restart.sum()
    edges = list(graph.edges(data="weight", default=1.0))
    src = np.array([position[u] for u, _, _ in edges] + [position[v] for _, v, _ in edges])
    dst = np.array([position[v] for _, v, _ in edges] + [position[u] for u, _, _ in edges])
    w = np.array([float(x) for *_, x in edges] * 2)
    out_weight = np.bincount(src, weights=w, minlength=len(nodes)) if len(w) else np.zeros(1)
    dangling = out_weight == 0
    rank = restart.copy()
    for _ in range(iterations):
        share = np.divide(rank, out_weight, out=np.zeros_like(rank), where=~dangling)
        spread = np.bincount(dst, weights=share[src] * w, minlength=len(nodes)) if len(w) else 0
        new = alpha * spread + (alpha * rank[dangling].sum() + 1.0 - alpha) * restart
        if np.abs(new - rank).sum() < tolerance:
            rank = new
            break
        rank = new
    return {node: float(rank[i]) for i, node in enumerate(nodes)}


def _require(store: GraphStore, group_id: str, uuids: Sequence[str]) -> None:
    found = store.get_entities(group_id, list(uuids), vectors=False)
    known = {e.uuid for e in found if e.group_id == group_id}
    missing = [u for u in dict.fromkeys(uuids) if u not in known]
    if missing:
        raise NotFoundError(
            f"no entity {missing[0]!r} in group {group_id!r}; look entities up by name first "
            "(e.g. find_entities) and pass their uuids"
        )


def _fact_order(fact: Fact) -> tuple[float, str]:
    stamp = fact.valid_at or fact.created_at
    return (stamp.timestamp(), fact.uuid)
