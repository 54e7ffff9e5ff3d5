"""Search configurations as data: named, frozen recipes.

A recipe lists the candidate generators to run (each with a weight and a candidate limit),
how their ranked lists are fused, and the rerank steps applied afterwards. The engine reads
nothing else: to change how search behaves, write a recipe.

Generators (see :mod:`chronomem.query.generators`):

- ``fact_text``, ``entity_text``, ``episode_text``: BM25 over fact statements, entity names
  and episode contents.
- ``fact_vector``, ``entity_vector``, ``episode_vector``: cosine similarity to the query
  embedding (``episode_vector`` only on stores with ``capabilities.episode_vectors``, which
  keep an embedding of every turn and of each sentence of a longer turn, and score a turn by
  the best of them; elsewhere it finds nothing).
- ``graph``: the entities named in the query and their facts, ranked by similarity to the
  query (a vector search scoped to those entities).
- ``pagerank``: entities and facts ranked by personalised PageRank seeded on the entities
  named in the query.
- ``episode_facts``: the facts extracted from the best episode hits.
- ``episode_feedback``: pseudo-relevance feedback: BM25 over episodes with the query
  extended by the words the best episode hits share (in two of the five best at least).

Fusion: ``rrf`` sums ``weight / (rrf_k + rank)`` over the lists an item appears in;
``score`` sums ``weight * normalised score`` (each list's scores divided by the best score of
its ``scale``). Score fusion beat RRF (k=60) on LoCoMo with the same generators: RRF flattens
rank differences, so mediocre items found by several correlated generators outrank the clear
best of one. ``default`` uses score fusion; ``rrf`` is the same recipe with reciprocal-rank
fusion. The figures behind each default are in docs/benchmarks.md ("How the default recipe's
settings were chosen").
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from chronomem.errors import InputError
from chronomem.schema import ResultKind

__all__ = [
    "DEFAULT",
    "FACTS_ONLY",
    "FAST",
    "GENERATOR_NAMES",
    "GRAPH",
    "RECIPES",
    "RRF",
    "TEMPORAL",
    "GeneratorName",
    "GeneratorSpec",
    "Recipe",
    "get_recipe",
]

GeneratorName = Literal[
    "fact_text",
    "entity_text",
    "episode_text",
    "fact_vector",
    "entity_vector",
    "episode_vector",
    "graph",
    "pagerank",
    "episode_facts",
    "episode_feedback",
]
GENERATOR_NAMES: Final[tuple[str, ...]] = get_args(GeneratorName)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GeneratorSpec(_Frozen):
    """One candidate generator in a recipe: its weight in fusion and how many it proposes.

    ``scale``: in score fusion, generators naming the same scale are normalised together
    (e.g. BM25 over facts and over episodes), others each by their own best score.
    """

    name: GeneratorName
    weight: float = Field(default=1.0, gt=0.0)
    limit: int = Field(default=50, ge=1, le=1_000)
    scale: str | None = None


class Recipe(_Frozen):
    """A named search configuration.

    - ``fusion``/``rrf_k``: how generator lists are combined (see the module docstring).
    - ``pool``: how many fused candidates are read and reranked (at least twice the limit).
      Conversation context and corroboration can lift a candidate only if it is in the pool;
      the recipes' candidate lists rarely fill more than about 100.
    - ``context_weight``/``context_window``/``context_hits``: conversation context: an
      episode ``d`` turns (at most ``context_window``) from one of the ``context_hits`` best
      episode hits gains ``context_weight / d`` times that hit's score (read with
      :meth:`~chronomem.engine.store.GraphStore.adjacent_episodes`; 0 = off).
    - ``context_same_speaker``: a context episode spoken by the hit's own speaker gains this
      times that share, at most the share of a turn next to the hit. In dialogue a speaker
      often goes on with what they were saying two turns later, after the other's reply (on
      LoCoMo the evidence missed next to a hit was more often the same speaker's next turn
      than the reply in between).
    - ``entity_boost``: results about an entity named in the query (a fact touching it, an
      episode it spoke) are multiplied by ``1 + entity_boost``.
    - ``corroboration``: a fact and an episode it came from, both found, each gain this
      times the other's fused score (two views of the same evidence).
    - ``temporal_boost``: for questions about time, results whose time matches a date in the
      question get ``1 + temporal_boost``; results stating a time get half of it.
    - ``relation_boost``: facts of a relation the question asks about ("Where does Alice
      live?" asks about ``LIVES_IN``, by the extractor's cue words) get ``1 + relation_boost``.
    - ``ended_penalty``: facts whose validity ended before now are multiplied by this, unless
      the question asks about the past (then they are not demoted).
    - ``centre_boost``: results at graph distance ``d`` from the request's centre entity get
      their score multiplied by ``1 + centre_boost / (1 + d)``.
    - ``redundancy_penalty``: a result whose source turns are all covered by better results is
      multiplied by this (1.0 = off).
    - ``mmr_lambda``: maximal-marginal-relevance trade-off over embeddings (1.0 = off).
    - ``graph_hops``/``graph_fact_limit``: how far ``pagerank`` walks from the named entities
      and how many facts it reads per hop.
    """

    name: str
    description: str = ""
    generators: tuple[GeneratorSpec, ...]
    kinds: tuple[ResultKind, ...] = ("fact", "entity", "episode")
    fusion: Literal["rrf", "score"] = "score"
    rrf_k: int = Field(default=60, ge=1)
    pool: int = Field(default=80, ge=1, le=2_000)
    context_weight: float = Field(default=0.7, ge=0.0)
    context_window: int = Field(default=2, ge=1, le=5)
    context_hits: int = Field(default=20, ge=1, le=200)
    context_same_speaker: float = Field(default=1.5, ge=0.0)
    entity_boost: float = Field(default=0.5, ge=0.0)
    corroboration: float = Field(default=0.5, ge=0.0)
    temporal_boost: float = Field(default=0.3, ge=0.0)
    relation_boost: float = Field(default=1.0, ge=0.0)
    ended_penalty: float = Field(default=0.5, ge=0.0, le=1.0)
    centre_boost: float = Field(default=1.0, ge=0.0)
    redundancy_penalty: float = Field(default=0.2, ge=0.0, le=1.0)
    mmr_lambda: float = Field(default=1.0, ge=0.0, le=1.0)
    graph_hops: int = Field(default=1, ge=1, le=2)
    graph_fact_limit: int = Field(default=400, ge=1, le=5_000)

    def uses(self, name: str) -> bool:
        """Whether the recipe runs generator ``name``."""
        return any(g.name == name for g in self.generators)


def _g(
    name: GeneratorName, weight: float = 1.0, limit: int = 50, scale: str | None = None
) -> GeneratorSpec:
    return GeneratorSpec(name=name, weight=weight, limit=limit, scale=scale)


def _variant(base: Recipe, **changes: object) -> Recipe:
    """A validated copy of ``base`` with ``changes``."""
    return Recipe.model_validate({**base.model_dump(), **changes})


# BM25 lists share the "text" scale, cosine lists the "vector" scale: a fact and an episode
# matching equally well score alike. Facts weigh 0.4 of episodes: a statement extracted
# offline is a narrower (and sometimes wrong) view of the turn it came from (0.5 until the
# clause rules stopped making facts of idioms and plans; with fewer facts, 0.4 is better on
# both halves of LoCoMo's development split, docs/benchmarks.md).
# Episode vectors reach the turns no fact was extracted from; weighed as much as the turns'
# full text, the dense turns crowd out temporal and multi-hop evidence. Feedback
# (episode_feedback) and sentence vectors (a turn scores its best sentence) each add a little.
# The weights were chosen on LoCoMo's development conversations, both halves up at each step
# (docs/benchmarks.md, "How the default recipe's settings were chosen").
_HYBRID: Final = (
    _g("episode_text", 1.0, 50, "text"),
    _g("episode_vector", 0.6, 50, "vector"),
    _g("fact_text", 0.4, 50, "text"),
    _g("fact_vector", 0.4, 50, "vector"),
    _g("entity_text", 0.5, 10, "text"),
    _g("entity_vector", 0.5, 10, "vector"),
    _g("graph", 0.3, 50, "vector"),
    _g("episode_facts", 0.3, 50),
    _g("episode_feedback", 0.3, 50, "text"),
)

DEFAULT: Final = Recipe(
    name="default",
    description="hybrid: BM25 and vectors over episodes, facts and entities, the facts of "
    "named entities, score fusion, conversation context",
    generators=_HYBRID,
)

RRF: Final = _variant(
    DEFAULT,
    name="rrf",
    description="default with reciprocal-rank fusion (k=60) instead of score fusion",
    fusion="rrf",
)

FACTS_ONLY: Final = Recipe(
    name="facts_only",
    description="facts only: BM25, vectors, the facts of named entities and of episode hits",
    generators=(
        _g("fact_text", 1.0, 50, "text"),
        _g("fact_vector", 1.0, 50, "vector"),
        _g("graph", 0.5, 50, "vector"),
        _g("episode_facts", 0.5, 50),
    ),
    kinds=("fact",),
)

FAST: Final = Recipe(
    name="fast",
    description="BM25 and vectors only, no graph reads: the lowest latency",
    generators=tuple(g for g in _HYBRID if g.name not in ("graph", "episode_facts")),
    pool=40,
)

TEMPORAL: Final = _variant(
    DEFAULT,
    name="temporal",
    description="default with a stronger preference for results dated as the question asks, "
    "and ended facts demoted less",
    temporal_boost=1.0,
    ended_penalty=0.8,
)

GRAPH: Final = _variant(
    DEFAULT,
    name="graph",
    description="default plus personalised PageRank two hops around the named entities",
    generators=(*_HYBRID, _g("pagerank", 0.3, 20)),
    graph_hops=2,
)

RECIPES: Final[dict[str, Recipe]] = {
    r.name: r for r in (DEFAULT, RRF, FACTS_ONLY, FAST, TEMPORAL, GRAPH)
}


def get_recipe(name: str | Recipe) -> Recipe:
    """The recipe called ``name`` (a :class:`Recipe` is returned as it is)."""
    if isinstance(name, Recipe):
        return name
    try:
        return RECIPES[name]
    except KeyError:
        known = ", ".join(sorted(RECIPES))
        raise InputError(f"unknown search recipe {name!r}; use one of: {known}") from None
