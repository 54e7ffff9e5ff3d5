"""Search latency at scale: a synthetic memory of N facts, and timed searches over it.

    .venv/bin/python -m benchmarks.scale --sizes 1000,10000,100000,1000000 --json

For each size, a fresh embedded memory gets N facts over about N/10 entities (people, places,
organisations, concepts) in one group, one episode per two facts (embedded too, as chronomem
embeds every turn), written straight through
:meth:`EmbeddedStore.write` in batches. The store is then reopened (its vector indexes are
built, or loaded from disk, as after a restart) and each query is timed through
:meth:`SearchEngine.search` (the "default" and "fast" recipes) and through the raw store
primitives (BM25 over facts, vectors over facts).

Embedding a million texts with the real model would take hours here, so texts are embedded by
:class:`TopicEmbedder`: each content word is a mix of one of a few hundred random topic
centroids and a random vector of its own; a text is the normalised sum of its words. The
vectors cost what sentence embeddings cost to store and search (384-d float32) and keep a
neighbourhood structure (texts sharing words or topics are close), which is what matters for
the cost of search; they carry no meaning beyond word overlap. Queries are embedded the same
way. The results are documented in ``docs/benchmarks.md`` ("Search latency at scale").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from chronomem.bench.metrics import percentile
from chronomem.engine.embed import MINILM_DIMENSION
from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded.store import DB_FILE, EmbeddedStore
from chronomem.engine.store.embedded.vectors import DEFAULT_ANN_THRESHOLD
from chronomem.query import SearchEngine, SearchRequest
from chronomem.query.text import STOPWORDS
from chronomem.schema import Entity, Episode, EpisodeKind, Fact, from_micros, to_micros

__all__ = [
    "DEFAULT_SIZES",
    "SyntheticMemory",
    "TopicEmbedder",
    "main",
    "merge_results",
    "plot_scale",
    "run_scale",
    "synthetic_queries",
]

DEFAULT_SIZES: Final = (1_000, 10_000, 100_000, 1_000_000)
GROUP: Final = "scale"

Vectors = npt.NDArray[np.float32]

# -- embeddings ------------------------------------------------------------------------------

_WORD: Final = re.compile(r"[^\W_]+")
_NOISE_POOL: Final = 4096


class TopicEmbedder:
    """A fast, deterministic stand-in for a sentence embedder (see the module docstring).

    Each content word ``w`` gets a vector ``0.8 * centroid[topic(w)] + 0.6 * identity(w)``
    (one of ``topics`` random centroids picked by CRC32, and a random identity vector made of
    two rows of random pools, also picked by CRC32); a text is the normalised sum of its
    words' vectors. Texts sharing words or topics are close; any text (a query too) can be
    embedded.
    """

    def __init__(self, dimension: int = MINILM_DIMENSION, topics: int = 256, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        self._dimension = dimension
        self._topics = topics
        centroids = _unit(rng.standard_normal((topics + 1, dimension)))
        pools = _unit(rng.standard_normal((2 * _NOISE_POOL, dimension)))
        self._parts = (centroids, pools[:_NOISE_POOL], pools[_NOISE_POOL:])
        self._ids: dict[str, int] = {}
        self._vectors = np.zeros((0, dimension), dtype=np.float32)

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def name(self) -> str:
        return f"topic-synthetic-{self._dimension}-{self._topics}"

    def _word_ids(self, words: list[str]) -> list[int]:
        """Row numbers of ``words`` in the word-vector table, adding the new ones."""
        fresh = [w for w in dict.fromkeys(words) if w not in self._ids]
        if fresh:
            centroids, pool_a, pool_b = self._parts
            codes = np.asarray([zlib.crc32(w.encode("utf-8")) for w in fresh], dtype=np.int64)
            topics = codes % self._topics
            topics[np.asarray([w == "" for w in fresh])] = self._topics  # "no content"
            ident = _unit(pool_a[(codes // 7) % _NOISE_POOL] + pool_b[(codes // 29) % _NOISE_POOL])
            rows = _unit(0.8 * centroids[topics] + 0.6 * ident)
            size = len(self._ids)
            if size + len(fresh) > self._vectors.shape[0]:
                grown = np.zeros((max(2 * self._vectors.shape[0], size + len(fresh), 1024),
                                  self._dimension), dtype=np.float32)  # fmt: skip
                grown[:size] = self._vectors[:size]
                self._vectors = grown
            self._vectors[size : size + len(fresh)] = rows
            self._ids.update((w, size + i) for i, w in enumerate(fresh))
        return [self._ids[w] for w in words]

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit float32 rows, one per text."""
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        words: list[str] = []
        starts: list[int] = []
        for text in texts:
            found = [w for w in _WORD.findall(text.casefold()) if w not in STOPWORDS]
            starts.append(len(words))
            words.extend(found or [""])
        ids = self._word_ids(words)
        sums = np.add.reduceat(self._vectors[np.asarray(ids)], np.asarray(starts), axis=0)
        return _unit(sums)


def _unit(matrix: npt.ArrayLike) -> Vectors:
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = (rows / norms).astype(np.float32, copy=False)
    return out


# -- vocabulary ------------------------------------------------------------------------------

_SYLLABLES: Final = (
    *("ka", "lo", "mi", "ra", "ven", "tor", "sel", "bri", "dan", "fel"),
    *("gor", "hal", "is", "jor", "kel", "lin", "mar", "nor", "ost", "pel"),
    *("quin", "ros", "sta", "tel", "ul", "var", "wen", "yor", "zel", "ber"),
    *("cor", "dra", "el", "fin", "gal", "har", "il", "kor", "lum", "mor"),
)
_FIRST_NAMES: Final = """
    Alice Bob Carol Dan Erin Frank Grace Hana Ivan Julia Karim Lena Maya Nikos Omar Priya
    Quentin Rosa Sam Tara Umar Vera Wes Xenia Yusuf Zoe Aaron Bianca Caleb Dora Emil Farah
    Gustav Helga Ines Jonas Kofi Laila Marco Nadia Oscar Paula Rafael Sofia Tomas Ursula Victor
    Wanda Yara Zain Amara Bruno Chloe Diego Elif Felix Gina Hugo Ida Jamal Kira Luca Mina Noah
    Olga Pedro Rina Stefan Tess Ugo Vivian Walter Ximena Yannick Zara Anton Beatriz Cyrus Daria
    Elena Fatima Goran Hiro Irene Jin Kasia Leon Mei Nils Oona Pablo Rhea Sven Tania Uma Vince
""".split()  # noqa: SIM905
_PLACE_FORMS: Final = (
    "{}",
    "{}ton",
    "{}ville",
    "{}burg",
    "Port {}",
    "{} Falls",
    "New {}",
    "{}field",
)
_ORG_SUFFIXES: Final = (
    *("Labs", "Foods", "Bank", "Studios", "Health", "Logistics", "Systems", "Partners"),
    *("Books", "Motors", "Energy", "Media", "Clinic", "Bakery", "Robotics", "University"),
    *("Museum", "Foundation", "Brewery", "Airlines", "Insurance", "Games", "Pharma", "Textiles"),
)
_MODIFIERS: Final = """
    urban classical modern marine digital organic abstract competitive vintage tropical applied
    experimental traditional amateur quantum sustainable medieval street wild indoor alpine
    baroque coastal electronic folk industrial jazz landscape molecular nordic
""".split()  # noqa: SIM905
_NOUNS: Final = """
    gardening photography biology chess cooking sculpture poetry astronomy cycling pottery
    architecture economics painting robotics climbing dance knitting linguistics sailing
    archery baking calligraphy carpentry ceramics cinema comedy design diving ecology fencing
    fishing geology hiking history journalism juggling kayaking literature magic meditation
    music mythology opera origami philosophy printing psychology rowing running singing
    skating statistics surfing swimming theatre volunteering weaving wine writing yoga
""".split()  # noqa: SIM905
_JOBS: Final = """
    nurse teacher baker engineer accountant designer chef pilot carpenter librarian analyst
    pharmacist architect electrician journalist lawyer mechanic photographer plumber researcher
    translator veterinarian barista curator dentist economist firefighter gardener illustrator
    midwife musician paramedic programmer surveyor tailor tutor welder writer editor courier
""".split()  # noqa: SIM905
_WHEN: Final = (
    "last spring", "last summer", "in the autumn", "over the winter", "a few years ago",
    "after graduating", "during the pandemic", "right after the wedding", "two years back",
    "early last year", "before the kids were born", "when the lease ended",
)  # fmt: skip
_EVENTS: Final = (
    "a conference", "a wedding", "a book club", "the gym", "a hackathon", "a concert",
    "a birthday party", "university", "a volunteering trip", "a cooking class",
)  # fmt: skip
_REASONS: Final = (
    "a family visit", "a business meeting", "a music festival", "a hiking trip",
    "a friend's wedding", "a long weekend", "a job interview", "the food market",
)  # fmt: skip
_TRIPS: Final = ("road", "camping", "business", "cycling", "weekend", "school", "sailing")

# relation, subject kind, object kind, weight, templates
_RELATIONS: Final[tuple[tuple[str, str, str, float, tuple[str, ...]], ...]] = (
    ("LIVES_IN", "person", "place", 3.0, (
        "{s} lives in {o}.",
        "{s} moved to {o} {when}.",
        "{s} has been living in {o} since {year}.",
        "{s} settled down in a small flat in {o}.",
        "{s} rents a house near the station in {o}.",
    )),
    ("WORKS_AT", "person", "org", 3.0, (
        "{s} works at {o} as a {job}.",
        "{s} took a job with {o} {when}.",
        "{s} joined {o} as a {job} in {year}.",
        "{s} is a {job} at {o}.",
        "{s} got promoted to senior {job} at {o}.",
    )),
    ("FRIEND_OF", "person", "person", 2.0, (
        "{s} is close friends with {o}.",
        "{s} met {o} at {event}.",
        "{s} and {o} have known each other since {year}.",
        "{s} often calls {o} on weekends.",
    )),
    ("LIKES", "person", "concept", 2.5, (
        "{s} really enjoys {o}.",
        "{s} is passionate about {o}.",
        "{s} got into {o} {when}.",
        "{s} spends every Saturday on {o}.",
        "{s} says {o} helps with stress.",
    )),
    ("VISITED", "person", "place", 2.0, (
        "{s} visited {o} {when} for {reason}.",
        "{s} travelled to {o} on a {trip} trip.",
        "{s} spent a week in {o} in {year}.",
        "{s} flew to {o} for {reason}.",
    )),
    ("STUDIED", "person", "concept", 1.0, (
        "{s} studied {o} at university.",
        "{s} took an evening course on {o} in {year}.",
        "{s} wrote a thesis about {o}.",
    )),
    ("MEMBER_OF", "person", "org", 1.0, (
        "{s} volunteers with {o}.",
        "{s} is a member of the {o} board.",
        "{s} signed up for the {o} mentoring programme {when}.",
    )),
    ("LOCATED_IN", "org", "place", 1.0, (
        "{s} is headquartered in {o}.",
        "{s} opened a new office in {o} in {year}.",
        "{s} moved its warehouse to {o}.",
    )),
    ("FOCUSES_ON", "org", "concept", 0.7, (
        "{s} specialises in {o}.",
        "{s} launched a product line for {o} {when}.",
        "{s} sponsors a prize for {o}.",
    )),
)  # fmt: skip
_KINDS: Final = ("person", "place", "org", "concept")
_LABELS: Final = {"person": "Person", "place": "Place", "org": "Organization", "concept": "Concept"}
_KIND_SHARE: Final = {"person": 0.4, "place": 0.2, "org": 0.2, "concept": 0.2}

_QUERY_TEMPLATES: Final = (
    "Where does {p} live now?",
    "Where did {p} move in {year}?",
    "Where does {p} work?",
    "What does {p} do for a living?",
    "Who is friends with {p}?",
    "What is {p} interested in?",
    "Who lives in {pl}?",
    "Who works at {org}?",
    "When did {p} visit {pl}?",
    "Who is into {c}?",
    "Which companies are based in {pl}?",
    "What did {p} study?",
    "{p} {c}",
    "Tell me about {org}",
)
#: Queries made of the corpus's most frequent words: the worst case for BM25.
COMMON_QUERIES: Final = (
    "who moved to a new city and lives in a flat near the station",
    "people who really enjoy music and travelled for a wedding",
    "which job at the university did someone take last year",
    "friends who met at a conference and call on weekends",
)

_YEAR_US: Final = 365 * 24 * 3600 * 1_000_000
_START_US: Final = to_micros(datetime(2000, 1, 1, tzinfo=UTC))
_INGEST_US: Final = to_micros(datetime(2025, 1, 1, tzinfo=UTC))


def _syllable_word(index: int, syllables: int) -> str:
    parts = []
    for _ in range(syllables):
        index, digit = divmod(index, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(parts).capitalize()


def _unique_words(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct made-up words of three syllables (64,000 exist), shuffled."""
    space = len(_SYLLABLES) ** 3
    if count > space:
        raise ValueError(f"at most {space} made-up words, not {count}")
    return [_syllable_word(int(i), 3) for i in rng.choice(space, size=count, replace=False)]


def _names(kind: str, count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct entity names of one kind."""
    if kind == "person":
        surnames = _unique_words(rng, min(64_000, max(50, count // 4)))
        pairs = rng.choice(len(_FIRST_NAMES) * len(surnames), size=count, replace=False)
        return [
            f"{_FIRST_NAMES[p % len(_FIRST_NAMES)]} {surnames[p // len(_FIRST_NAMES)]}"
            for p in pairs
        ]
    if kind == "concept":
        base = [f"{m} {n}" for m in _MODIFIERS for n in _NOUNS]
        order = rng.permutation(len(base))
        names = [base[i] for i in order[:count]]
        if count > len(base):
            extra = _unique_words(rng, min(64_000, count - len(base)))
            nouns = rng.choice(len(_NOUNS), size=count - len(base))
            names += [f"{w.lower()} {_NOUNS[n]}" for w, n in zip(extra, nouns, strict=False)]
        return names
    forms: Sequence[str] = _PLACE_FORMS if kind == "place" else tuple(
        "{} " + s for s in _ORG_SUFFIXES
    )  # fmt: skip
    stems = _unique_words(rng, min(64_000, max(20, count // 2)))
    pairs = rng.choice(len(forms) * len(stems), size=count, replace=False)
    return [forms[p % len(forms)].format(stems[p // len(forms)]) for p in pairs]


def _popularity(
    count: int, rng: np.random.Generator, exponent: float = 0.9
) -> npt.NDArray[np.float64]:
    """Zipf-like choice weights over ``count`` items, in random order."""
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    rng.shuffle(weights)
    total: npt.NDArray[np.float64] = weights / weights.sum()
    return total


# -- the synthetic memory ------------------------------------------------------------------------


@dataclass
class SyntheticMemory:
    """A deterministic synthetic memory of ``facts`` facts in one group (see the module doc).

    Facts: valid from a date between 2000 and 2025 (one in ten undated); a third end one to six
    years later; one in twenty rows is expired (a retracted belief). Episodes: one per two
    facts, each the two statements as one message, mentioning the entities of both.
    """

    facts: int
    seed: int = 0
    group_id: str = GROUP
    embedder: TopicEmbedder = field(default_factory=TopicEmbedder)
    batch: int = 2_000
    uuid_prefix: str = ""
    """Put before every uuid: a uuid belongs to one group, so memories of several groups in
    one database need distinct prefixes."""

    def __post_init__(self) -> None:
        if self.facts < 2:
            raise ValueError(f"a synthetic memory needs at least 2 facts, not {self.facts}")
        rng = np.random.default_rng(self.seed)
        total = max(40, self.facts // 10)
        self.names: dict[str, list[str]] = {}
        self.uuids: dict[str, list[str]] = {}
        self.weights: dict[str, npt.NDArray[np.float64]] = {}
        self.subject_weights: dict[str, npt.NDArray[np.float64]] = {}
        for kind in _KINDS:
            count = max(10, int(total * _KIND_SHARE[kind]))
            self.names[kind] = _names(kind, count, rng)
            self.uuids[kind] = [f"{self.uuid_prefix}{kind}-{i}" for i in range(count)]
            self.weights[kind] = _popularity(count, rng)
            self.subject_weights[kind] = _popularity(count, rng, 0.5)

    @property
    def entity_count(self) -> int:
        return sum(len(names) for names in self.names.values())

    @property
    def episode_count(self) -> int:
        return (self.facts + 1) // 2

    def batches(self) -> Iterator[WriteBatch]:
        """The whole memory as write batches: entities first, then episodes with their facts."""
        created = from_micros(_INGEST_US)
        entities = [
            (kind, uuid, name)
            for kind in _KINDS
            for uuid, name in zip(self.uuids[kind], self.names[kind], strict=True)
        ]
        for start in range(0, len(entities), self.batch):
            chunk = entities[start : start + self.batch]
            vectors = self.embedder.embed([name for _, _, name in chunk])
            yield WriteBatch(
                entities=[
                    Entity.model_construct(
                        uuid=uuid, group_id=self.group_id, name=name, labels=[_LABELS[kind]],
                        aliases=[], summary="", created_at=created,
                        name_embedding=vector.tolist(),
                    )
                    for (kind, uuid, name), vector in zip(chunk, vectors, strict=True)
                ]
            )  # fmt: skip
        rng = np.random.default_rng(self.seed + 1)
        step = self.batch - self.batch % 2 or 2
        for start in range(0, self.facts, step):
            yield self._fact_batch(rng, start, min(step, self.facts - start))

    def _fact_batch(self, rng: np.random.Generator, start: int, count: int) -> WriteBatch:
        weights = np.array([r[3] for r in _RELATIONS])
        relations = rng.choice(len(_RELATIONS), size=count, p=weights / weights.sum())
        valid = _START_US + (rng.random(count) * 25 * _YEAR_US).astype(np.int64)
        undated = rng.random(count) < 0.1
        ends = rng.random(count) < 0.33
        length = ((0.5 + rng.random(count) * 5.5) * _YEAR_US).astype(np.int64)
        expired = rng.random(count) < 0.05
        created = _INGEST_US + (rng.random(count) * _YEAR_US).astype(np.int64)
        # Ends drawn in bulk per kind: subjects by a flatter popularity than objects.
        subjects = {
            k: rng.choice(len(self.names[k]), size=count, p=self.subject_weights[k]) for k in _KINDS
        }
        objects = {k: rng.choice(len(self.names[k]), size=count, p=self.weights[k]) for k in _KINDS}
        rows: list[tuple[str, str, str, str, int | None, int | None, int, int | None]] = []
        for i in range(count):
            relation, s_kind, o_kind, _, templates = _RELATIONS[relations[i]]
            s, o = int(subjects[s_kind][i]), int(objects[o_kind][i])
            if s_kind == o_kind and s == o:
                o = (o + 1) % len(self.names[o_kind])
            template = templates[int(rng.integers(len(templates)))]
            year = 2000 + int((valid[i] - _START_US) // _YEAR_US)
            text = template.format(
                s=self.names[s_kind][s], o=self.names[o_kind][o],
                job=_JOBS[int(rng.integers(len(_JOBS)))],
                when=_WHEN[int(rng.integers(len(_WHEN)))],
                event=_EVENTS[int(rng.integers(len(_EVENTS)))],
                reason=_REASONS[int(rng.integers(len(_REASONS)))],
                trip=_TRIPS[int(rng.integers(len(_TRIPS)))],
                year=year,
            )  # fmt: skip
            valid_at = None if undated[i] else int(valid[i])
            invalid_at = int(valid[i] + length[i]) if ends[i] and not undated[i] else None
            expired_at = int(created[i] + _YEAR_US // 12) if expired[i] else None
            rows.append(
                (relation, self.uuids[s_kind][s], self.uuids[o_kind][o], text,
                 valid_at, invalid_at, int(created[i]), expired_at)
            )  # fmt: skip
        vectors = self.embedder.embed([row[3] for row in rows])
        contents = [" ".join(row[3] for row in rows[p : p + 2]) for p in range(0, count, 2)]
        episode_vectors = self.embedder.embed(contents)
        episodes: list[Episode] = []
        facts: list[Fact] = []
        mentions: list[tuple[str, str]] = []
        for pair in range(0, count, 2):
            index = start + pair
            members = rows[pair : pair + 2]
            episode_uuid = f"{self.uuid_prefix}episode-{index // 2}"
            source_id = f"turn-{index // 2}"
            reference = from_micros(min(row[6] for row in members))
            episodes.append(
                Episode.model_construct(
                    uuid=episode_uuid, group_id=self.group_id, source="chat",
                    kind=EpisodeKind.MESSAGE, content=contents[pair // 2],
                    reference_time=reference,
                    created_at=reference, source_id=source_id, speaker=None,
                    session=f"session-{index // 200}",
                    content_embedding=episode_vectors[pair // 2].tolist(),
                )
            )  # fmt: skip
            for offset, row in enumerate(members):
                relation, subject, obj, text, valid_at, invalid_at, made, gone = row
                uuid = f"{self.uuid_prefix}fact-{index + offset}"
                facts.append(
                    Fact.model_construct(
                        uuid=uuid, group_id=self.group_id, subject_uuid=subject,
                        relation=relation, object_uuid=obj, fact=text,
                        valid_at=None if valid_at is None else from_micros(valid_at),
                        invalid_at=None if invalid_at is None else from_micros(invalid_at),
                        created_at=from_micros(made),
                        expired_at=None if gone is None else from_micros(gone),
                        episodes=[episode_uuid], sources=[source_id],
                        observed_at=[] if valid_at is None else [from_micros(valid_at)],
                        confidence=1.0, invalidated_by=None, invalidated_by_episode=None,
                        lineage=uuid, fact_embedding=vectors[pair + offset].tolist(),
                    )
                )  # fmt: skip
                mentions += [(episode_uuid, subject), (episode_uuid, obj)]
        return WriteBatch(episodes=episodes, facts=facts, mentions=mentions)

    def build(self, store: EmbeddedStore) -> None:
        """Write the whole memory into ``store``."""
        for batch in self.batches():
            store.write(batch)


def synthetic_queries(memory: SyntheticMemory, count: int, seed: int = 1) -> list[str]:
    """``count`` questions about ``memory``'s entities (popular ones more often), and some
    queries of very common words."""
    rng = np.random.default_rng(seed)

    def pick(kind: str) -> str:
        names = memory.names[kind]
        return names[int(rng.choice(len(names), p=memory.weights[kind]))]

    queries: list[str] = []
    for i in range(count):
        if i % 20 == 19:
            queries.append(COMMON_QUERIES[(i // 20) % len(COMMON_QUERIES)])
            continue
        template = _QUERY_TEMPLATES[int(rng.integers(len(_QUERY_TEMPLATES)))]
        queries.append(
            template.format(
                p=memory.names["person"][int(rng.integers(len(memory.names["person"])))],
                pl=pick("place"), org=pick("org"), c=pick("concept"),
                year=int(rng.integers(2000, 2025)),
            )
        )  # fmt: skip
    return queries


# -- timing ----------------------------------------------------------------------------------


def _summary(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max of durations in seconds, as milliseconds."""
    ms = [s * 1000 for s in samples]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else 0.0,
        "max_ms": round(max(ms), 3) if ms else 0.0,
    }


def _timed(call: Callable[..., object], *args: object) -> float:
    began = time.perf_counter()
    call(*args)
    return time.perf_counter() - began


def _directory_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.iterdir() if p.is_file()) / 2**20, 1)


def _truth(db: Path, dimension: int) -> tuple[list[str], Vectors]:
    """The uuids and vectors of the facts not expired, read straight from the database
    (the ground truth for recall, independent of the store's code), in chunks."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    where = "FROM facts f JOIN fact_vectors v ON v.fact_id = f.id "
    where += "WHERE f.group_id = ? AND f.expired_at IS NULL"
    try:
        (count,) = conn.execute(f"SELECT count(*) {where}", (GROUP,)).fetchone()
        matrix = np.empty((count, dimension), dtype=np.float32)
        uuids: list[str] = []
        cursor = conn.execute(f"SELECT f.uuid, v.embedding {where} ORDER BY f.id", (GROUP,))
        while rows := cursor.fetchmany(16_384):
            chunk = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4")
            matrix[len(uuids) : len(uuids) + len(rows)] = chunk.reshape(len(rows), dimension)
            uuids.extend(r[0] for r in rows)
    finally:
        conn.close()
    return uuids, matrix[: len(uuids)]


def _recall(
    db: Path, dimension: int, queries: Vectors, found: list[list[str]], k: int
) -> tuple[float, list[float]]:
    """Mean recall@k of ``found`` against exact search, and the exact search times (s)."""
    uuids, matrix = _truth(db, dimension)
    recalls: list[float] = []
    times: list[float] = []
    for query, hits in zip(queries, found, strict=False):
        began = time.perf_counter()
        scores = matrix @ query
        top = np.argpartition(-scores, k - 1)[:k]
        times.append(time.perf_counter() - began)
        wanted = {uuids[int(i)] for i in top}
        recalls.append(len(wanted & set(hits[:k])) / k)
    return float(np.mean(recalls)), times


def machine() -> dict[str, Any]:
    """What the numbers were measured on (the load average says how busy it was)."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            lines = [ln for ln in info if ln.startswith("model name")]
        model = lines[0].split(":", 1)[1].strip() if lines else ""
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model or platform.processor(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "numpy": np.__version__,
    }


def _stored_facts(directory: Path, dimension: int) -> int:
    if not (directory / DB_FILE).is_file():
        return 0
    with EmbeddedStore(directory, dimension=dimension, read_only=True) as store:
        return store.stats(GROUP).facts


def _time_searches(
    store: EmbeddedStore, embedder: TopicEmbedder, texts: list[str], vectors: Vectors
) -> tuple[dict[str, list[float]], list[list[str]], float]:
    """Per path, the time of each query (s); the fact vector hits; the first search's time."""
    engine = SearchEngine(store, embedder)
    where = FactFilter()
    first = _timed(engine.search, SearchRequest(query=texts[0], group_id=GROUP))
    timings: dict[str, list[float]] = {}
    for name in ("default", "fast"):
        requests = [SearchRequest(query=q, group_id=GROUP, recipe=name) for q in texts]
        timings[f"search_{name}"] = [_timed(engine.search, r) for r in requests]
    timings["fulltext_fact"] = [_timed(store.fulltext, GROUP, q, "fact", 10, where) for q in texts]
    common = COMMON_QUERIES * max(1, len(texts) // (4 * len(COMMON_QUERIES)))
    timings["fulltext_fact_common"] = [
        _timed(store.fulltext, GROUP, q, "fact", 10, where) for q in common
    ]
    found: list[list[str]] = []

    def vector_search(query: Vectors) -> None:
        found.append([uuid for uuid, _ in store.vector(GROUP, query, "fact", 10, where)])

    timings["vector_fact"] = [_timed(vector_search, v) for v in vectors]
    return timings, found, first


def measure_size(
    facts: int,
    queries: int,
    directory: Path,
    *,
    seed: int = 0,
    batch: int = 2_000,
    ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
    index_timeout: float | None = None,
    recall_queries: int = 50,
    reuse: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Build a synthetic memory of ``facts`` facts in ``directory`` (or, with ``reuse``, take
    the one built there before) and time searches on it."""
    embedder = TopicEmbedder()
    memory = SyntheticMemory(facts, seed=seed, embedder=embedder, batch=batch)
    result: dict[str, Any] = {
        "facts": facts,
        "entities": memory.entity_count,
        "episodes": memory.episode_count,
    }
    if reuse and _stored_facts(directory, embedder.dimension) == facts:
        result["build"] = {"reused": True, "db_mb": _directory_mb(directory)}
    else:
        write_s = 0.0
        began = time.perf_counter()
        with EmbeddedStore(directory, dimension=embedder.dimension) as store:
            for number, write in enumerate(memory.batches()):
                write_s += _timed(store.write, write)
                if number % 50 == 0:
                    log(f"{facts}: batch {number}, {time.perf_counter() - began:.0f} s")
        result["build"] = {
            "write_s": round(write_s, 2),
            "generate_s": round(time.perf_counter() - began - write_s, 2),
            "facts_per_s": round(facts / write_s) if write_s else None,
            "db_mb": _directory_mb(directory),
        }
    log(f"{facts}: memory ready; loading vectors")
    texts = synthetic_queries(memory, queries, seed=seed + 1)
    vectors = embedder.embed(texts)
    dimension = embedder.dimension
    timings: dict[str, list[float]] = {}
    found: list[list[str]] = []
    for attempt in ("vector_index_s", "vector_index_reopen_s"):
        # First open: build (or load) the indexes; second: as after a restart.
        with EmbeddedStore(directory, dimension=dimension, ann_threshold=ann_threshold) as store:
            began = time.perf_counter()
            store.load_vectors(GROUP, wait=True, timeout=index_timeout)
            result["build"][attempt] = round(time.perf_counter() - began, 2)
            log(f"{facts}: {attempt} {result['build'][attempt]} s")
            if attempt == "vector_index_s" and ann_threshold is not None:
                continue
            timings, found, first = _time_searches(store, embedder, texts, vectors)
            result["first_search_ms"] = round(1000 * first, 3)
            break
    if recall_queries > 0:
        recall, exact = _recall(directory / DB_FILE, dimension, vectors[:recall_queries], found, 10)
        timings["numpy_exact_fact"] = exact
        result["vector_recall_at_10"] = round(recall, 4)
    result["search"] = {name: _summary(samples) for name, samples in timings.items()}
    result["ann"] = ann_threshold is not None and facts > ann_threshold
    return result


def run_scale(
    sizes: Sequence[int] = DEFAULT_SIZES,
    queries: int = 200,
    *,
    directory: str | Path | None = None,
    seed: int = 0,
    batch: int = 2_000,
    ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
    index_timeout: float | None = None,
    keep: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Build one synthetic memory per size and time searches on it; returns the numbers.

    Each size is built in ``directory/scale-<size>`` (a temporary directory by default). With
    ``keep`` (and a ``directory``) the memories are kept, and a memory of the right size found
    there is reused rather than rebuilt. The result holds ``machine``, ``config`` and
    ``sizes``: per size, the counts, ``build`` timings (writes; vector index build or load,
    then load after a reopen), ``search`` p50/p95/mean/max in ms per path,
    ``first_search_ms``, ``vector_recall_at_10`` of the store's fact vector search against
    exact numpy, and ``ann`` (whether an HNSW index served it).
    """
    if not sizes or any(n < 2 for n in sizes):
        raise ValueError(f"sizes must be at least 2 facts each, not {list(sizes)}")
    if queries < 1:
        raise ValueError(f"queries must be at least 1, not {queries}")
    if keep and directory is None:
        raise ValueError("keep=True needs a directory to keep the memories in")
    result: dict[str, Any] = {
        "machine": machine(),
        "config": {
            "queries": queries,
            "seed": seed,
            "batch": batch,
            "ann_threshold": ann_threshold,
            "embedder": TopicEmbedder().name,
            "limit": 10,
        },
        "sizes": [],
    }
    with contextlib.ExitStack() as stack:
        root = (
            Path(directory)
            if keep and directory is not None
            else Path(stack.enter_context(tempfile.TemporaryDirectory(dir=directory)))
        )
        for size in sizes:
            where = root / f"scale-{size}"
            result["sizes"].append(
                measure_size(
                    size, queries, where, seed=seed, batch=batch, ann_threshold=ann_threshold,
                    index_timeout=index_timeout, recall_queries=min(50, queries), reuse=keep,
                    log=log,
                )
            )  # fmt: skip
            if not keep:
                shutil.rmtree(where)
    return result


_PLOTTED: Final = (
    ("search_default", "SearchEngine.search, default recipe"),
    ("search_fast", "SearchEngine.search, fast recipe"),
    ("fulltext_fact", "store.fulltext (facts)"),
    ("vector_fact", "store.vector (facts)"),
    ("numpy_exact_fact", "exact numpy scan (facts)"),
)


def merge_results(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several :func:`run_scale` results as one (the last result per size wins)."""
    if not results:
        raise ValueError("nothing to merge: give at least one result")
    by_size = {row["facts"]: row for result in results for row in result["sizes"]}
    return {**results[-1], "sizes": [by_size[n] for n in sorted(by_size)]}


def plot_scale(result: dict[str, Any], path: str | Path) -> Path:
    """Draw p50 (dashed) and p95 (solid) latency per path against the number of facts."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = sorted(result["sizes"], key=lambda row: row["facts"])
    sizes = [row["facts"] for row in rows]
    figure = Figure(figsize=(8, 5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for number, (key, label) in enumerate(_PLOTTED):
        points = [(n, row["search"][key]) for n, row in zip(sizes, rows, strict=True)]
        points = [(n, summary) for n, summary in points if summary is not None]
        if not points:
            continue
        colour = f"C{number}"
        xs = [n for n, _ in points]
        axes.plot(xs, [s["p95_ms"] for _, s in points], marker="o", color=colour, label=label)
        axes.plot(xs, [s["p50_ms"] for _, s in points], linestyle="--", color=colour)
    for target, upto, text in ((20, 10_000, "target 20 ms"), (50, 1_000_000, "target 50 ms")):
        axes.hlines(target, min(sizes), upto, colors="grey", linestyles=":")
        axes.annotate(text, (upto, target), textcoords="offset points", xytext=(-60, 3),
                      fontsize=8, color="grey")  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("facts in the memory (one group)")
    axes.set_ylabel("latency per query, ms (solid p95, dashed p50)")
    cpus = result.get("machine", {}).get("cpus")
    axes.set_title(f"Embedded search latency at scale ({cpus} cores)")
    axes.grid(alpha=0.3, which="both")
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    out = Path(path)
    figure.savefig(out, dpi=110)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated fact counts")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=2_000, help="facts per write batch")
    parser.add_argument(
        "--dir", type=Path, help="where to build the memories (default: a temp dir)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the memories under --dir (and reuse those found there)",
    )
    parser.add_argument("--exact", action="store_true", help="no ANN index: exact vectors only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    parser.add_argument("--plot", type=Path, help="also draw the latency curve into this image")
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="measure nothing: merge these saved --json outputs (and plot them with --plot)",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        merged = merge_results([json.loads(p.read_text(encoding="utf-8")) for p in args.from_json])
        if args.plot:
            plot_scale(merged, args.plot)
        if args.json:
            print(json.dumps(merged, indent=2))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run_scale(
        sizes, args.queries, directory=args.dir, seed=args.seed, batch=args.batch,
        ann_threshold=None if args.exact else DEFAULT_ANN_THRESHOLD, keep=args.keep, log=log,
    )  # fmt: skip
    if args.plot:
        plot_scale(result, args.plot)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for row in result["sizes"]:
        search = row["search"]
        print(
            f"{row['facts']:>9} facts  write {row['build']['write_s']:>7.1f} s  "
            f"index {row['build']['vector_index_s']:>6.1f} s  "
            + "  ".join(f"{k} {v['p50_ms']:.1f}/{v['p95_ms']:.1f}" for k, v in search.items())
        )


if __name__ == "__main__":
    main()
