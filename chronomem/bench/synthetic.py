"""A synthetic memory for benchmarks at scale: many facts over people, places, organisations
and concepts, their episodes and mentions, embedded by a fast deterministic stand-in for a
sentence embedder, and questions about them.

Used by ``chronomem bench``-side scale benchmarks (:mod:`chronomem.bench.neo4j_scale`) and by
``benchmarks/scale.py`` (the embedded store at scale). Embedding a million texts with the real
model would take hours here, so texts are embedded by :class:`TopicEmbedder`: each content word
is a mix of one of a few hundred random topic centroids and a random vector of its own; a text is
the normalised sum of its words. The vectors cost what sentence embeddings cost to store and
search (384-d float32) and keep a neighbourhood structure (texts sharing words or topics are
close); they carry no meaning beyond word overlap.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import numpy as np
import numpy.typing as npt

from chronomem.engine.embed import MINILM_DIMENSION
from chronomem.engine.store import GraphStore, WriteBatch
from chronomem.query.text import STOPWORDS
from chronomem.schema import Entity, Episode, EpisodeKind, Fact, from_micros, to_micros

__all__ = [
    "COMMON_QUERIES",
    "GROUP",
    "SyntheticMemory",
    "TopicEmbedder",
    "Vectors",
    "synthetic_queries",
]

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

    def build(self, store: GraphStore) -> None:
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
