"""The Neo4j 5.26 backend of :class:`~chronomem.engine.store.protocol.GraphStore`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, Final, NoReturn, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from neo4j import READ_ACCESS, WRITE_ACCESS, Driver, GraphDatabase, ManagedTransaction, Result
from neo4j import exceptions as neo

from chronomem.engine.embed import MINILM_DIMENSION
from chronomem.engine.store import checks
from chronomem.engine.store.neo4j import cypher
from chronomem.engine.store.neo4j.boundary import translate_errors
from chronomem.engine.store.neo4j.indexes import (
    build_vector_indexes,
    drop_vector_indexes,
    ensure_schema,
)
from chronomem.engine.store.neo4j.lucene import lucene_query
from chronomem.engine.store.neo4j.pinned import PinnedReads, in_request_order
from chronomem.engine.store.neo4j.records import (
    entity_from_record,
    entity_params,
    episode_from_record,
    episode_params,
    fact_from_record,
    fact_params,
    fact_update_params,
    mention_params,
    to_db_time,
)
from chronomem.engine.store.neo4j.vector_cache import (
    LARGE_RECHECK_S,
    GroupVectors,
    LargeCache,
    LargeVectors,
    Timeline,
    VectorCache,
    Vectors,
    stamp_of,
    vector_revision_key,
)
from chronomem.engine.store.protocol import (
    GROUP_LOCK_WAIT_S,
    SENTENCES_PER_EPISODE,
    Erasure,
    FactFilter,
    GraphStore,
    IndexSearch,
    ScoredId,
    StoreCapabilities,
    TextTarget,
    VectorTarget,
    WriteBatch,
    assemble_dump,
    best_of_turns_and_sentences,
    entity_revision_key,
)
from chronomem.engine.store.targets import Neo4jTarget, parse_neo4j_uri
from chronomem.errors import (
    ChronomemError,
    ConfigurationError,
    InputError,
    IntegrityError,
    MemoryLockedError,
    StoreError,
)
from chronomem.schema import (
    Entity,
    Episode,
    Fact,
    Stats,
    name_key,
    new_uuid,
    offset_minutes,
    utcnow,
)

__all__ = ["GROUP_LEASE_S", "Neo4jStore"]

GROUP_LEASE_S: Final = 120.0
"""A group's write lock expires this long after it was last renewed (its holder renews it
every third of that while alive): a writer that dies blocks the group at most this long."""

T = TypeVar("T")


class _HasUuid(Protocol):
    @property
    def uuid(self) -> str: ...


U = TypeVar("U", bound=_HasUuid)

_CAPABILITIES: Final = StoreCapabilities(
    server=True,
    entity_revisions=True,
    reopenable=True,
    episode_vectors=True,
)
READ_ATTEMPTS: Final = 5
"""How many times a read statement is sent when it fails on a transient error."""
_FIRST_RETRY_PAUSE_S: Final = 0.1  # doubled after each failed attempt

_MIN_FETCH: Final = 40
"""Smallest number of full-text index hits fetched per search (filters run on the fetched
hits)."""
VECTOR_MIN_FETCH: Final = 400
"""Smallest number of vector index hits fetched per search of a group above the exact
threshold (then re-scored exactly and filtered). The HNSW index is approximate. With
chronomem's index settings (``cypher.HNSW_M``, ``HNSW_EF_CONSTRUCTION``, unquantized),
recall@10 against exact search was 1.0 at 100, 200, 400 and 1,000 hits for a group of 80,000
fact rows in a database of 100,000 (built after loading), and 0.993 / 0.998 / 1.0 at 100 /
200 / 300 on 300,000 fact vectors; 400 rather than 1,000 hits made a large group's default
search 0.80x and ``fast`` 0.77x the time (docs/benchmarks.md, twelfth session). At a million
fact rows (a group of 600,000; the index built after loading, in 300 Lucene segments) recall@10
was 0.985 for facts and 0.98 for entities at 100 hits, 1.0 and 1.0 at 400 (thirteenth
session); ``neo4j-scale --fetch`` measures it."""
_FETCH_GROWTH: Final = 4
_BESIDE_THREADS: Final = 8
"""Threads sending the second statement of large groups' searches: as many searches as this
split theirs at once; more wait for a thread."""
RESCORED_PER_HIT: Final = 4
"""Of a vector index's hits that pass the group and the filter, the best ``RESCORED_PER_HIT``
times the limit (at least 40) by the index's approximate score are re-scored exactly. On the
1M-fact database (600,000 facts in the group, 1,000 hits fetched), re-scoring the best 20,
50, 100 or all of them gave the same recall@10 against exact search (0.96), the best 10 only
0.94 (docs/benchmarks.md, eighth session)."""

VECTOR_CACHE_MB: Final = 256
"""Default budget of the client-side cache of small groups' vectors (:mod:`.vector_cache`)."""

EXACT_MAX: Final = 2_000
"""A group holding at most this many vectors of a kind is scored exactly (every one of its
vectors, in the same statement that counts them); a larger one is searched through the
index, over-fetching until enough of its hits pass the filters."""

# target -> (statement, index, searched fields with their boosts)
_FULLTEXT: Final[dict[str, tuple[str, str, dict[str, float]]]] = {
    "fact": (cypher.FULLTEXT_FACTS, cypher.FACT_FULLTEXT_INDEX, {"fact": 1.0}),
    "entity": (
        cypher.FULLTEXT_NODES,
        cypher.ENTITY_FULLTEXT_INDEX,
        {"name": 2.0, "aliases": 1.0},  # as the embedded store weighs them
    ),
    "episode": (cypher.FULLTEXT_NODES, cypher.EPISODE_FULLTEXT_INDEX, {"content": 1.0}),
}
# target -> (the one statement of a search, its index, the statement fetching more hits)
_VECTOR: Final[dict[str, tuple[str, str, str]]] = {
    "fact": (cypher.SEARCH_FACT_VECTORS, cypher.FACT_VECTOR_INDEX, cypher.VECTOR_FACTS),
    "entity": (cypher.SEARCH_ENTITY_VECTORS, cypher.ENTITY_VECTOR_INDEX, cypher.VECTOR_NODES),
    "episode": (
        cypher.SEARCH_EPISODE_VECTORS,
        cypher.EPISODE_VECTOR_INDEX,
        cypher.VECTOR_EPISODES,
    ),
}


class Neo4jStore:
    """A graph store on a Neo4j 5.26 server, in graphiti-core's schema.

    Opening connects, checks the server answers (a clear
    :class:`~chronomem.errors.StoreUnavailableError` otherwise) and creates the constraints
    and indexes that are missing. Each :meth:`write` is one managed transaction, which the
    driver retries on transient errors.

    ``exact_max``: a group holding at most this many vectors of a kind is searched exactly
    (every one scored), a larger one through the vector index (:data:`VECTOR_MIN_FETCH` hits
    or more, re-scored exactly); tests lower it to reach the index path on small data.

    ``vector_fetch``: how many hits a search of a large group fetches from a vector index at
    least (:data:`VECTOR_MIN_FETCH` by default): more finds more of the exact nearest
    vectors and takes longer (the benchmark ``neo4j-scale --fetch`` measures both).

    ``vector_cache_mb``: the budget of the cache of small groups' turn, sentence, entity and
    fact vectors in this client (:mod:`.vector_cache`), and, separately, of large groups'
    entity vectors (:class:`.vector_cache.LargeVectors`, scored exactly here instead of through
    the entity index); 0 turns both off (every search then scores a small group's vectors on
    the server and searches a large group's entities through the index).

    ``read_only=True`` opens sessions in READ access mode, creates no schema (it only checks
    it), and every write method (:meth:`write`, :meth:`erase`, :meth:`set_meta`,
    :meth:`lock_group`) refuses with a :class:`~chronomem.errors.StoreError` before it
    reaches the database.
    """

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str] | None = None,
        dimension: int = MINILM_DIMENSION,
        database: str | None = None,
        *,
        connection_timeout: float = 5.0,
        read_only: bool = False,
        exact_max: int = EXACT_MAX,
        vector_cache_mb: float = VECTOR_CACHE_MB,
        vector_fetch: int = VECTOR_MIN_FETCH,
    ) -> None:
        if isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < 1:
            raise ConfigurationError(f"dimension must be a positive int, got {dimension!r}")
        target = parse_neo4j_uri(uri)
        self._uri = target.shown
        self._dimension = dimension
        self._database = _one_database(target, database)
        self._read_only = read_only
        if isinstance(exact_max, bool) or not isinstance(exact_max, int) or exact_max < 0:
            raise ConfigurationError(f"exact_max must be an int >= 0, got {exact_max!r}")
        self._exact_max = exact_max
        if isinstance(vector_fetch, bool) or not isinstance(vector_fetch, int) or vector_fetch < 1:
            raise ConfigurationError(f"vector_fetch must be an int >= 1, got {vector_fetch!r}")
        self._vector_fetch = vector_fetch
        if isinstance(vector_cache_mb, bool) or not isinstance(vector_cache_mb, int | float):
            raise ConfigurationError(f"vector_cache_mb must be a number, got {vector_cache_mb!r}")
        if not vector_cache_mb >= 0:
            raise ConfigurationError(f"vector_cache_mb must be >= 0, got {vector_cache_mb!r}")
        self._vectors = VectorCache(int(vector_cache_mb * 1024 * 1024))
        self._large_entities = LargeCache(int(vector_cache_mb * 1024 * 1024))
        # (group, kind) -> when a search last found the group holding more than exact_max
        # vectors of the kind (turns: "episode", sentences: "sentence")
        self._large: dict[tuple[str, str], float] = {}
        self._large_lock = threading.Lock()
        self._second: ThreadPoolExecutor | None = None  # see _beside
        # Every session of this store starts after the transactions it committed before
        # (causal consistency): on a cluster, a read routed to a secondary waits until that
        # server holds this store's last writes.
        self._bookmarks = GraphDatabase.bookmark_manager()
        try:
            driver = GraphDatabase.driver(
                target.address,
                auth=_one_auth(target, auth),
                connection_timeout=connection_timeout,
                connection_acquisition_timeout=max(connection_timeout * 2, 10.0),
                notifications_min_severity="OFF",
            )
        except (ValueError, neo.ConfigurationError) as exc:
            raise ConfigurationError(
                f"cannot use Neo4j URI {self._uri!r}: {exc}; give e.g. 'bolt://127.0.0.1:7687' "
                "or 'neo4j://host:7687'"
            ) from exc
        try:
            with translate_errors(self._uri, "connecting", self._database):
                driver.verify_connectivity()
                ensure_schema(
                    driver, self._database, dimension, self._bookmarks, create=not read_only
                )
        except ValueError as exc:  # the driver's word for an address it cannot resolve
            driver.close()
            raise ConfigurationError(f"cannot use Neo4j URI {self._uri!r}: {exc}") from exc
        except BaseException:
            driver.close()
            raise
        self._driver: Driver | None = driver

    # ------------------------------------------------------------------------- plumbing

    @property
    def capabilities(self) -> StoreCapabilities:
        return _CAPABILITIES

    @property
    def dimension(self) -> int:
        """Length of the embeddings the vector indexes hold."""
        return self._dimension

    @property
    def uri(self) -> str:
        """The server's URI."""
        return self._uri

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only."""
        return self._read_only

    def _check_writable(self) -> None:
        self._live_driver()
        if self._read_only:
            raise StoreError(f"{self._uri}: opened with read_only=True; open it without to write")

    def _live_driver(self) -> Driver:
        if self._driver is None:
            raise StoreError(f"the Neo4j store at {self._uri} is closed; open a new one")
        return self._driver

    @property
    def database(self) -> str | None:
        """The database used (``None``: the server's default database)."""
        return self._database

    @property
    def bookmarks(self) -> frozenset[str]:
        """The bookmarks of the transactions this store committed: every session it opens
        starts after them, so it reads its own writes on any member of a cluster."""
        return frozenset(self._bookmarks.get_bookmarks())

    def _read(self, action: str, work: Callable[[ManagedTransaction], T]) -> T:
        """``work`` in a read transaction (a cluster routes it to any member), which the
        driver retries on transient errors."""
        return self._transaction(action, work, write=False)

    def _write(self, action: str, work: Callable[[ManagedTransaction], T]) -> T:
        """``work`` in a write transaction (a cluster routes it to the leader), which the
        driver retries on transient errors: ``work`` may run more than once."""
        self._check_writable()
        return self._transaction(action, work, write=True)

    def _transaction(
        self, action: str, work: Callable[[ManagedTransaction], T], *, write: bool
    ) -> T:
        with (
            translate_errors(self._uri, action, self._database),
            self._live_driver().session(
                database=self._database,
                default_access_mode=WRITE_ACCESS if write else READ_ACCESS,
                bookmark_manager=self._bookmarks,
            ) as session,
        ):
            return session.execute_write(work) if write else session.execute_read(work)

    def _rows(self, action: str, statement: str, **params: Any) -> list[dict[str, Any]]:
        """The rows of one read ``statement``: an auto-commit query in a READ session (a
        cluster routes it to any member), one round trip where a transaction function takes
        two (BEGIN with the query, then COMMIT). Retried, as the driver retries transaction
        functions, on transient errors (up to :data:`READ_ATTEMPTS` times): a read changes
        nothing, so running it again is safe."""
        pause = _FIRST_RETRY_PAUSE_S
        with translate_errors(self._uri, action, self._database):
            for attempt in range(1, READ_ATTEMPTS + 1):
                try:
                    with self._live_driver().session(
                        database=self._database,
                        default_access_mode=READ_ACCESS,
                        bookmark_manager=self._bookmarks,
                    ) as session:
                        # Rows from the keys and the values in order: record.data() walks
                        # every float of every embedding, dict(record) looks each key up
                        # (a fifth of a search's client time on LoCoMo, profiled).
                        result = session.run(statement, params)
                        keys = result.keys()
                        return [dict(zip(keys, record, strict=True)) for record in result]
                except (neo.Neo4jError, neo.DriverError) as exc:
                    if attempt == READ_ATTEMPTS or not exc.is_retryable():
                        raise
                time.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._large_lock:
            second, self._second = self._second, None
        if second is not None:
            second.shutdown(wait=True)
        if self._driver is not None:
            driver, self._driver = self._driver, None
            driver.close()

    # ----------------------------------------------------------------------------- writes

    def write(self, batch: WriteBatch) -> None:
        self._check_writable()
        if not batch:
            return
        episodes = [episode_params(e, self._dimension) for e in _first_by_uuid(batch.episodes)]
        entities = [entity_params(e, self._dimension) for e in _last_by_uuid(batch.entities)]
        entity_keys = [{"uuid": e["uuid"], "group_id": e["group_id"]} for e in entities]
        revision_keys = [entity_revision_key(g) for g in sorted({e["group_id"] for e in entities})]
        written = {e["group_id"] for e in episodes} | {e["group_id"] for e in entities}
        written |= {f.group_id for f in batch.facts}
        revision_keys += [vector_revision_key(g) for g in sorted(written)]
        facts = _last_by_uuid(batch.facts)
        creates = {f.uuid: fact_params(f, self._dimension) for f in facts}
        updates = [fact_update_params(f) for f in facts]
        links = [{"episode": ep, "fact": f.uuid} for f in facts for ep in f.episodes]
        pairs = [{"episode": ep, "entity": ent} for ep, ent in dict.fromkeys(batch.mentions)]
        batch_episodes = {e.uuid for e in batch.episodes}
        now = utcnow()

        def work(tx: ManagedTransaction) -> None:
            if entities:
                _refuse_group_moves(tx.run(cypher.ENTITY_GROUP_CONFLICTS, entities=entity_keys))
            if updates:
                _refuse_group_moves(tx.run(cypher.FACT_GROUP_CONFLICTS, facts=updates))
            if episodes:
                tx.run(cypher.WRITE_EPISODES, episodes=episodes).consume()
            if entities:
                tx.run(cypher.WRITE_ENTITIES, entities=entities).consume()
            if revision_keys:
                tx.run(cypher.RENEW_REVISIONS, keys=revision_keys).consume()
            if creates:
                updated = {r["uuid"] for r in tx.run(cypher.UPDATE_FACTS, facts=updates)}
                new = [row for uuid, row in creates.items() if uuid not in updated]
                if new:
                    created = {r["uuid"] for r in tx.run(cypher.CREATE_FACTS, facts=new)}
                    done = updated | created
                    unmatched = [f for f in facts if f.uuid not in done]
                    if unmatched:
                        _refuse_missing_ends(tx, unmatched)
            if links:
                tx.run(cypher.LINK_FACT_EPISODES, links=links).consume()
            if pairs:
                ends = tx.run(cypher.MENTION_ENDS, mentions=pairs).data()
                rows = checks.checked_mentions(
                    batch.mentions,
                    {e["entity"]: e["entity_group"] for e in ends},
                    {e["episode"]: e["episode_group"] for e in ends},
                    batch_episodes,
                )
                mentions = [mention_params(episode, entity) for _, episode, entity in rows]
                if mentions:
                    tx.run(cypher.WRITE_MENTIONS, mentions=mentions, now=now).consume()

        self._write("writing a batch", work)

    def lock_group(
        self, group_id: str, *, timeout: float = GROUP_LOCK_WAIT_S
    ) -> AbstractContextManager[None]:
        """Hold ``group_id``'s write lock, a lease in the database (see :mod:`.cypher`): other
        processes' writers of the group wait. A thread renews it every third of its
        :data:`GROUP_LEASE_S` while held; if this process dies it expires."""
        return self._held_lock(group_id, timeout)

    @contextmanager
    def _held_lock(self, group_id: str, timeout: float) -> Iterator[None]:
        key = f"write_lock:{group_id}"
        owner = new_uuid()
        deadline = time.monotonic() + timeout
        pause = 0.05
        while not self._try_lock(key, owner):
            if time.monotonic() >= deadline:
                holder = self._rows("reading a lock", cypher.LOCK_HOLDER, key=key)
                left = holder[0]["left_ms"] / 1000 if holder and holder[0]["left_ms"] else 0
                raise MemoryLockedError(
                    f"group {group_id!r} at {self._uri} is being written by another process "
                    f"(its lease runs {left:.0f} s more); waited {timeout:.0f} s; try again "
                    "when it has finished"
                )
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(GROUP_LEASE_S / 3):
                with suppress(StoreError):
                    self._try_lock(key, owner)

        renewer = threading.Thread(target=renew, name=f"lease {group_id}", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            with suppress(StoreError):
                self._write(
                    "releasing a lock",
                    lambda tx: tx.run(cypher.RELEASE_LOCK, key=key, owner=owner).consume(),
                )

    def _try_lock(self, key: str, owner: str) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            ttl_ms = int(GROUP_LEASE_S * 1000)
            return (
                tx.run(cypher.ACQUIRE_LOCK, key=key, owner=owner, ttl_ms=ttl_ms).peek() is not None
            )

        return self._write("taking a group's write lock", work)

    def erase(self, erasure: Erasure) -> None:
        """Delete the listed relationships, nodes (with their sentences and mentions) and
        settings in one transaction; their full-text and vector index entries go with them."""
        self._check_writable()
        if not erasure:
            return
        group = erasure.group_id
        with self._large_lock:  # it may be small now: count again
            for known in [known for known in self._large if known[0] == group]:
                del self._large[known]
        self._large_entities.pop(group, None)
        updates = [fact_update_params(f) for f in _last_by_uuid(erasure.updated_facts)]
        entities = [
            entity_params(e, self._dimension) for e in _last_by_uuid(erasure.updated_entities)
        ]
        foreign = sorted({e["uuid"] for e in entities if e["group_id"] != group})
        if foreign:
            raise IntegrityError(f"erase: entities {foreign} are not of group {group!r}")

        def work(tx: ManagedTransaction) -> None:
            if entities:
                keys = [{"uuid": e["uuid"], "group_id": e["group_id"]} for e in entities]
                _refuse_group_moves(tx.run(cypher.ENTITY_GROUP_CONFLICTS, entities=keys))
                tx.run(cypher.WRITE_ENTITIES, entities=entities).consume()
            if updates:
                _refuse_group_moves(tx.run(cypher.FACT_GROUP_CONFLICTS, facts=updates))
                tx.run(cypher.UPDATE_FACTS, facts=updates).consume()
                intervals = [
                    {
                        "uuid": f.uuid,
                        "valid_at": to_db_time(f.valid_at),
                        "invalid_at": to_db_time(f.invalid_at),
                        "valid_offset": offset_minutes(f.valid_at),
                        "invalid_offset": offset_minutes(f.invalid_at),
                    }
                    for f in _last_by_uuid(erasure.updated_facts)
                ]
                tx.run(cypher.SET_FACT_INTERVALS, facts=intervals, group_id=group).consume()
            if erasure.facts:
                tx.run(cypher.ERASE_FACTS, uuids=erasure.facts, group_id=group).consume()
                tx.run(cypher.UNLINK_ERASED_FACTS, uuids=erasure.facts, group_id=group).consume()
            if erasure.episodes:
                tx.run(cypher.ERASE_SENTENCES, uuids=erasure.episodes, group_id=group).consume()
                tx.run(cypher.ERASE_EPISODES, uuids=erasure.episodes, group_id=group).consume()
            if erasure.entities:
                linked = tx.run(cypher.ERASE_ENTITIES, uuids=erasure.entities, group_id=group)
                if any(row["left"] for row in linked):
                    raise IntegrityError(
                        "erase: a fact row not erased still links an erased entity"
                    )
                tx.run(cypher.DELETE_ENTITIES, uuids=erasure.entities, group_id=group).consume()
            renewed = [vector_revision_key(group)]
            if erasure.entities or entities:
                renewed.append(entity_revision_key(group))
            tx.run(cypher.RENEW_REVISIONS, keys=renewed).consume()
            if erasure.settings:
                tx.run(cypher.ERASE_SETTINGS, keys=erasure.settings).consume()

        self._write("erasing", work)

    def drop_vector_indexes(self) -> None:
        """Drop the vector indexes; the stored vectors stay. Before a bulk load, so that
        :meth:`build_vector_indexes` builds each index once over all the vectors instead of
        updating it with every batch (1M fact rows loaded in 50 minutes this way, where the
        large group's 600,000 alone took 74 with the indexes in place; building the four
        then took 23 minutes: docs/benchmarks.md, twelfth and thirteenth sessions). Until
        they are built, a vector search that goes to an index fails."""
        self._check_writable()
        with translate_errors(self._uri, "dropping the vector indexes", self._database):
            drop_vector_indexes(self._live_driver(), self._database, self._bookmarks)

    def build_vector_indexes(self, progress: Callable[[float], None] | None = None) -> None:
        """Create the missing vector indexes and wait until they are built from the stored
        vectors, telling ``progress`` how far (mean percent, 0-100) every few seconds."""
        self._check_writable()
        with translate_errors(self._uri, "building the vector indexes", self._database):
            build_vector_indexes(
                self._live_driver(), self._database, self._dimension, self._bookmarks, progress
            )

    def rebuild_vector_indexes(self, progress: Callable[[float], None] | None = None) -> None:
        """Drop the vector indexes and build them again from the stored vectors, with
        chronomem's settings: for indexes built with others (quantized ones lose near vectors;
        opening the store warns of them). Vector searches that go to an index fail while it
        is built (23 minutes for the four of a million fact rows on two cores): run it when
        large groups are not being searched."""
        self.drop_vector_indexes()
        self.build_vector_indexes(progress)

    def set_meta(self, key: str, value: str) -> None:
        self._check_writable()

        def work(tx: ManagedTransaction) -> None:
            tx.run(cypher.SET_META, key=key, value=value).consume()

        self._write("storing a setting", work)

    # ------------------------------------------------------------------------------ reads

    def groups(self) -> list[str]:
        """Every group id that holds anything, sorted."""
        return [row["g"] for row in self._rows("listing groups", cypher.GROUP_NAMES)]

    def dump(self, group_id: str) -> WriteBatch:
        """Everything of one group, expired fact rows included, as one batch."""
        episode_ids = [
            row["uuid"]
            for row in self._rows(
                "reading a group", cypher.EPISODE_UUIDS_OF_GROUP, group_id=group_id
            )
        ]
        fact_ids = [
            row["uuid"]
            for row in self._rows("reading a group", cypher.FACT_UUIDS_OF_GROUP, group_id=group_id)
        ]
        return assemble_dump(self, group_id, episode_ids, fact_ids)

    def get_meta(self, key: str) -> str | None:
        rows = self._rows("reading a setting", cypher.GET_META, key=key)
        return None if not rows else str(rows[0]["value"])

    def get_episodes(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Episode]:
        if not uuids:
            return []
        statement = cypher.GET_EPISODES if vectors else cypher.GET_EPISODES_WITHOUT_VECTORS
        rows = self._rows("reading episodes", statement, group_id=group_id, uuids=list(uuids))
        return _in_order([episode_from_record(row) for row in rows], uuids)

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        """For each episode, up to ``before`` episodes of the same source and session just
        before it and ``after`` just after it (by reference time), in time order; episodes
        with none (or unknown) are left out. A group whose vectors are cached is answered
        from its :class:`~.vector_cache.Timeline` when the stamp read first is its own."""
        if not episode_uuids:
            return {}
        cached = self._vectors.get(group_id)
        if cached is not None and cached.timeline is not None:
            # The group's timeline is held with its vectors: used if its stamp is the group's.
            stamp = self._rows("reading episodes", cypher.VECTOR_STAMP, **self._stamped(group_id))
            if stamp and stamp_of(stamp[0]) == cached.stamp:
                return cached.timeline.around(episode_uuids, before, after)
            self._vectors.forget(group_id)
        rows = self._rows(
            "reading episodes",
            cypher.ADJACENT_EPISODES,
            group_id=group_id,
            uuids=list(dict.fromkeys(episode_uuids)),
            before=before,
            after=after,
            no_session="",
        )
        found: dict[str, list[Episode]] = {}
        for row in rows:
            found.setdefault(row["centre"], []).append(episode_from_record(row))
        return found

    def known_sources(self, group_id: str, source: str, source_ids: Sequence[str]) -> set[str]:
        if not source_ids:
            return set()
        rows = self._rows(
            "reading episode sources",
            cypher.KNOWN_SOURCES,
            group_id=group_id,
            source=source,
            source_ids=list(source_ids),
        )
        return {str(row["source_id"]) for row in rows}

    def get_entities(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Entity]:
        if not uuids:
            return []
        rows = self._rows(
            "reading entities",
            _lighter(cypher.GET_ENTITIES, vectors),
            group_id=group_id,
            uuids=list(uuids),
        )
        return _in_order([entity_from_record(row) for row in rows], uuids)

    def find_entities(
        self,
        group_id: str,
        names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        *,
        vectors: bool = True,
    ) -> list[Entity]:
        label_list = None if labels is None else list(labels)
        if names is None:
            rows = self._rows(
                "listing entities",
                _lighter(cypher.FIND_ENTITIES_ALL, vectors),
                group_id=group_id,
                labels=label_list,
            )
        else:
            keys = sorted({name_key(n) for n in names if n.strip()})
            if not keys:
                return []
            rows = self._rows(
                "finding entities",
                _lighter(cypher.FIND_ENTITIES_BY_KEY, vectors),
                group_id=group_id,
                keys=keys,
                labels=label_list,
            )
        return [entity_from_record(row) for row in rows]

    def get_facts(self, group_id: str, uuids: Sequence[str], *, vectors: bool = True) -> list[Fact]:
        if not uuids:
            return []
        statement = _lighter(cypher.GET_FACTS, vectors)
        rows = self._rows("reading facts", statement, group_id=group_id, uuids=list(uuids))
        return _in_order([fact_from_record(row) for row in rows], uuids)

    def list_facts(
        self, group_id: str, where: FactFilter, limit: int | None = None, *, vectors: bool = True
    ) -> list[Fact]:
        if limit is not None and limit <= 0:
            return []
        statement = _lighter(cypher.list_facts_statement(where, limited=limit is not None), vectors)
        params = cypher.filter_params(_db_filter(where), utcnow())
        if limit is not None:
            params["limit"] = limit
        rows = self._rows("listing facts", statement, group_id=group_id, **params)
        return [fact_from_record(row) for row in rows]

    def neighbors(
        self,
        group_id: str,
        entity_uuids: Sequence[str],
        where: FactFilter,
        limit: int = 1000,
        *,
        vectors: bool = True,
    ) -> list[Fact]:
        if not entity_uuids or limit <= 0:
            return []
        params = cypher.filter_params(_db_filter(where), utcnow())
        rows = self._rows(
            "reading neighbouring facts",
            _lighter(cypher.NEIGHBOR_FACTS, vectors),
            group_id=group_id,
            entity_uuids=list(entity_uuids),
            limit=limit,
            **params,
        )
        return [fact_from_record(row) for row in rows]

    def mentions(self, group_id: str, episode_uuids: Sequence[str]) -> dict[str, list[str]]:
        if not episode_uuids:
            return {}
        rows = self._rows(
            "reading mentions", cypher.MENTIONS, group_id=group_id, uuids=list(episode_uuids)
        )
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["episode"], []).append(row["entity"])
        return found

    def stats(self, group_id: str | None = None) -> Stats:
        now = utcnow()

        def work(tx: ManagedTransaction) -> Stats:
            if group_id is None:
                episodes = tx.run(cypher.COUNT_EPISODES).single(strict=True)["n"]
                entities = tx.run(cypher.COUNT_ENTITIES).single(strict=True)["n"]
                facts = tx.run(cypher.COUNT_FACTS, now=now).single(strict=True)
                groups = len(list(tx.run(cypher.LIST_GROUPS)))
            else:
                episodes = tx.run(cypher.COUNT_GROUP_EPISODES, group_id=group_id).single(
                    strict=True
                )["n"]
                entities = tx.run(cypher.COUNT_GROUP_ENTITIES, group_id=group_id).single(
                    strict=True
                )["n"]
                facts = tx.run(cypher.COUNT_GROUP_FACTS, group_id=group_id, now=now).single(
                    strict=True
                )
                groups = 1 if episodes or entities or facts["n"] else 0
            return Stats(
                episodes=episodes,
                entities=entities,
                facts=facts["n"],
                current_facts=facts["current"],
                groups=groups,
            )

        return self._read("counting", work)

    # ----------------------------------------------------------------------------- search

    def fulltext(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> list[ScoredId]:
        search = IndexSearch(target=target, limit=limit, where=where, text=query)
        return self._answer(group_id, [search])[0]

    def vector(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
    ) -> list[ScoredId]:
        """One statement: exact scoring of a small group (or of the facts a filter naming
        entities, ends or episodes reaches), else the vector index, over-fetched; more index
        rounds only when too few of a large group's hits pass the filter. A small group's
        vectors may be scored in this client instead (:mod:`.vector_cache`)."""
        search = IndexSearch(target=target, limit=limit, where=where, embedding=embedding)
        return self._answer(group_id, [search])[0]

    def searches(self, group_id: str, searches: Sequence[IndexSearch]) -> list[list[ScoredId]]:
        """Every search's first fetch in one statement (:func:`cypher.together`); a search
        whose first fetch from a large group's index held too few passing hits fetches more
        on its own. The vectors of a small group held by the vector cache are scored here
        (of a fact search, those of the rows its filter passes on the server), if the group's
        stamp read in the same statement is theirs (else they are searched on the server, one
        more round trip)."""
        return self._answer(group_id, searches)

    def pinned(self, group_id: str) -> GraphStore:
        """A view answering the reads of one search of ``group_id`` from the group's copy in
        the vector cache while the view's index searches find it current
        (:mod:`.pinned`)."""
        return PinnedReads(self, group_id)

    def _holds_copy(self, group_id: str) -> bool:
        """Whether the vector cache holds a copy of the group (current or not)."""
        return self._vectors.get(group_id) is not None

    def _answer(
        self,
        group_id: str,
        searches: Sequence[IndexSearch],
        verified: Callable[[GroupVectors | None], None] | None = None,
    ) -> list[list[ScoredId]]:
        """:meth:`searches` (called by the other search methods too). ``verified``, when the
        statement read the group's stamp, is given the group's cached copy if that stamp is
        the copy's, else ``None``."""
        cacheable = any(_cacheable(s) for s in searches) and self._vectors.worth_stamping(group_id)
        cached = self._vectors.get(group_id) if cacheable else None
        plans = [self._plan(group_id, s, cached) for s in searches]
        stamp_plan = None
        if cacheable:
            stamp_params = self._stamped(group_id)
            stamp_plan = _Plan("vector search", cypher.VECTOR_STAMP, stamp_params, _no_hits)
        # A large group's entity vectors, held in this client, score its entity searches
        # exactly if the group's revision read in the same statement is theirs.
        large = self._vectors.enabled and any(
            s.embedding is not None and s.target == "entity" for s in searches
        )
        large = large and self._known_large(group_id, "entity")
        held = self._large_entities.get(group_id) if large else None
        if held is not None:
            for i, search in enumerate(searches):
                if search.embedding is not None and search.target == "entity":
                    plans[i] = self._held_entity_plan(held, search)
        revision_plan = None
        if large:
            revision = {"revision_key": vector_revision_key(group_id)}
            revision_plan = _Plan("vector search", cypher.VECTOR_REVISION, revision, _no_hits)
        rows = self._run_plans([*plans, stamp_plan, revision_plan])
        revision_row = rows.pop()
        if revision_row is not None:
            revision = revision_row["revision"]
            if held is not None and revision != held.revision:  # written since: the server
                self._large_entities.pop(group_id, None)
                stale = [
                    i
                    for i, (p, search) in enumerate(zip(plans, searches, strict=True))
                    if p is not None and p.local and search.target == "entity"
                ]
                again = [self._plan(group_id, searches[i], None) for i in stale]
                for i, plan, row in zip(stale, again, self._run_plans(again), strict=True):
                    plans[i], rows[i] = plan, row
                held = None
            if held is None and self._large_entities.seen(group_id, revision):
                self._load_large_entities(group_id, revision)
        stamp_row = rows.pop()
        stamp = None if stamp_row is None else stamp_of(stamp_row)
        if cached is not None and stamp != cached.stamp:  # written since: ask the server
            self._vectors.forget(group_id)
            local = [i for i, plan in enumerate(plans) if plan is not None and plan.cached]
            again = [self._plan(group_id, searches[i], None) for i in local]
            for i, plan, row in zip(local, again, self._run_plans(again), strict=True):
                plans[i], rows[i] = plan, row
        answers = [[] if p is None else p.finish(r or {}) for p, r in zip(plans, rows, strict=True)]
        if verified is not None and stamp_row is not None:
            verified(cached if cached is not None and stamp == cached.stamp else None)
        if cached is None and self._vectors.seen(group_id, stamp, self._exact_max):
            self._load_vectors(group_id)
        return answers

    def _held_entity_plan(self, held: LargeVectors, search: IndexSearch) -> _Plan | None:
        """An entity vector search answered with a large group's entity vectors held here."""
        assert search.embedding is not None
        query = checks.unit_query(search.embedding, "entity", self._dimension)
        if query is None or search.limit <= 0:
            return None
        limit = search.limit
        return _Plan.answered(lambda: _cosines(held.best(query, limit)))

    def _load_large_entities(self, group_id: str, revision: str) -> None:
        """Read a large group's entity vectors (read after its ``revision``: a write committing
        in between renews the revision, so the next search reads them again), row by row into
        one float32 matrix, unless they would exceed the cache's budget."""
        count = self._rows(
            "counting a group's entities", cypher.COUNT_GROUP_ENTITIES, group_id=group_id
        )[0]["n"]
        if not self._large_entities.fits(int(count) * self._dimension * 4):
            return
        keys: list[str] = []
        matrix = np.empty((int(count), self._dimension), dtype=np.float32)
        action = "reading a group's entity vectors"
        with (
            translate_errors(self._uri, action, self._database),
            self._live_driver().session(
                database=self._database,
                default_access_mode=READ_ACCESS,
                bookmark_manager=self._bookmarks,
            ) as session,
        ):
            for uuid, embedding in session.run(cypher.LOAD_ENTITY_VECTORS, group_id=group_id):
                if len(keys) == len(matrix):  # written since the count: next time
                    return
                if len(embedding) != self._dimension:  # written by another tool: not held
                    return
                matrix[len(keys)] = embedding
                keys.append(str(uuid))
        self._large_entities.put(group_id, LargeVectors.of(revision, keys, matrix[: len(keys)]))

    def _run_plans(self, plans: Sequence[_Plan | None]) -> list[dict[str, Any] | None]:
        """The row of each plan's statement (``None`` for no plan or a local one), all in one
        statement; or, when two or more of them search a large group's vector indexes, in two
        statements sent at once (:func:`_halves`): Neo4j runs a statement on one thread, and
        an index search of ``vector_fetch`` hits in a large database takes tens of
        milliseconds, so two run side by side on two cores."""
        live = [plan for plan in plans if plan is not None and not plan.local]
        halves = _halves(live)
        if halves is None:
            rows = self._together(live)
        else:
            first, second = halves
            beside = self._beside().submit(self._together, second)
            try:
                mine = self._together(first)
            except BaseException:
                with suppress(Exception):  # nothing of this search outlives it
                    beside.result()
                raise
            answered = dict(zip(map(id, first), mine, strict=True))
            answered.update(zip(map(id, second), beside.result(), strict=True))
            rows = [answered[id(plan)] for plan in live]
        answers = iter(rows)
        return [None if plan is None or plan.local else next(answers) for plan in plans]

    def _together(self, live: Sequence[_Plan]) -> list[dict[str, Any]]:
        """The row of each of ``live``'s statements, sent as one statement."""
        if not live:
            return []
        if len(live) == 1:
            return self._rows(live[0].action, live[0].statement, **live[0].params)[:1]
        params: dict[str, Any] = {}
        for i, plan in enumerate(live):
            params.update(cypher.block_params(i, plan.params))
        statement = cypher.together([plan.statement for plan in live])
        row = self._rows("searching", statement, **params)[0]
        return [cypher.block_row(i, row) for i in range(len(live))]

    def _beside(self) -> ThreadPoolExecutor:
        """The threads sending the second of a search's two statements (one per search
        running at once, up to :data:`_BESIDE_THREADS`; started when first needed)."""
        with self._large_lock:
            if self._second is None:
                self._second = ThreadPoolExecutor(_BESIDE_THREADS, "chronomem-neo4j")
            return self._second

    def _stamped(self, group_id: str) -> dict[str, Any]:
        """The parameters of the statements reading ``group_id``'s stamp
        (:data:`cypher.VECTOR_STAMP`, :data:`cypher.LOAD_GROUP_VECTORS`)."""
        return {
            "group_id": group_id,
            "revision_key": vector_revision_key(group_id),
            "cap": self._exact_max + 1,
        }

    def _load_vectors(self, group_id: str) -> None:
        """Read the group's turn, sentence, entity and fact vectors into the vector cache (if
        each kind holds at most ``exact_max``)."""
        row = self._rows(
            "reading a group's vectors", cypher.LOAD_GROUP_VECTORS, **self._stamped(group_id)
        )[0]
        stamp = stamp_of(row)
        if stamp is None or max(stamp[1:]) > self._exact_max:
            return
        try:
            vectors = GroupVectors(
                stamp,
                Vectors.of(row["turn_keys"], row["turn_vectors"], self._dimension),
                Vectors.of(row["sentence_keys"], row["sentence_vectors"], self._dimension),
                Vectors.of(row["entity_keys"], row["entity_vectors"], self._dimension),
                Vectors.of(row["fact_keys"], row["fact_vectors"], self._dimension),
                _timeline(row["episode_rows"]),
                *self._group_rows(group_id),
            )
        except ValueError:  # a vector of another length, written by another tool: not cached
            return
        self._vectors.put(group_id, vectors)

    def _group_rows(self, group_id: str) -> tuple[dict[str, Entity] | None, dict[str, Fact] | None]:
        """A small group's entities and fact rows without vectors, read after its stamp (a
        write committing in between renews the revision: the copy is then never found
        current); ``None`` for rows that cannot be read as chronomem's (written by another
        tool without a time, say): reads of them then go to the server."""
        try:
            entities = {e.uuid: e for e in self.find_entities(group_id, vectors=False)}
        except (ChronomemError, ValueError):
            entities = None
        statement = cypher.without_vectors(cypher.GROUP_FACTS)
        rows = self._rows("reading a group's facts", statement, group_id=group_id)
        try:
            facts = {f.uuid: f for f in (fact_from_record(row) for row in rows)}
        except (ChronomemError, ValueError):
            facts = None
        return entities, facts

    def _plan(
        self, group_id: str, search: IndexSearch, cached: GroupVectors | None
    ) -> _Plan | None:
        if search.embedding is None:
            return self._fulltext_plan(
                group_id, search.text or "", search.target, search.limit, search.where
            )
        return self._vector_plan(
            group_id, search.embedding, search.target, search.limit, search.where, cached
        )

    def _fulltext_plan(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> _Plan | None:
        if target not in _FULLTEXT:
            raise InputError(f"unknown full-text target {target!r}; use fact, entity or episode")
        statement, index, fields = _FULLTEXT[target]
        lucene = lucene_query(query, fields, group_id)
        if lucene is None or limit <= 0:
            return None
        params: dict[str, Any] = {"group_id": group_id, "index": index, "query": lucene}
        if target == "fact":
            params.update(cypher.filter_params(_db_filter(where), utcnow()))
        k = _first_fetch(limit)

        def finish(row: dict[str, Any]) -> list[ScoredId]:
            kept, raw = row["kept"], row["raw"]
            if len(kept) >= limit or raw < k:
                return _ranked(kept, limit)
            action = "full-text search"
            more = k * _FETCH_GROWTH
            return self._search(action, statement, params, limit, None, start=more)[0]

        return _Plan("full-text search", statement, {**params, "k": k}, finish)

    def _vector_plan(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
        cached: GroupVectors | None = None,
    ) -> _Plan | None:
        query = checks.unit_query(embedding, target, self._dimension)
        if query is None or limit <= 0:
            return None
        if cached is not None and target == "entity":
            entities = cached.entities
            return _Plan.answered(lambda: _cosines(entities.best(query, limit)))
        if cached is not None and target == "episode":
            turns, sentences = cached.turns, cached.sentences
            return _Plan.answered(
                lambda: _cosines(
                    best_of_turns_and_sentences(
                        turns.best(query, limit), sentences.best(query, limit), limit
                    )
                )
            )
        if cached is not None and target == "fact":
            facts = cached.facts
            return _Plan(
                "vector search",
                cypher.passing_facts_statement(where),
                {"group_id": group_id, **cypher.filter_params(_db_filter(where), utcnow())},
                lambda row: _cosines(facts.best(query, limit, frozenset(row["passing"]))),
                cached=True,
            )
        params: dict[str, Any] = {
            "group_id": group_id,
            "embedding": query.tolist(),
            "rescored": max(limit * RESCORED_PER_HIT, _MIN_FETCH),
        }
        if target == "fact":
            params.update(cypher.filter_params(_db_filter(where), utcnow()))
            scoped = cypher.scoped_fact_vectors_statement(where)
            if scoped is not None:
                return _Plan(
                    "vector search",
                    scoped,
                    {**params, "limit": limit},
                    lambda row: _cosines(_ranked(row["exact"], limit)),
                )
        statement, index, further = _VECTOR[target]
        k = max(_first_fetch(limit), self._vector_fetch)
        large = self._known_large(group_id, target)
        cap = 0 if large else self._exact_max + 1  # 0: no count, straight to the index
        run = {**params, "index": index, "k": k, "limit": limit, "cap": cap}
        indexed = {**params, "index": index}
        if target != "episode":
            return _Plan(
                "vector search",
                statement,
                run,
                lambda row: _cosines(
                    self._settle(row, "", further, indexed, limit, k, (group_id, target), large)
                ),
                heavy=large,
            )
        enough = limit * SENTENCES_PER_EPISODE
        sentence_k = max(k, enough)
        by_sentence = {**params, "index": cypher.SENTENCE_VECTOR_INDEX}
        sentences_large = self._known_large(group_id, "sentence")
        sentence_cap = 0 if sentences_large else self._exact_max + 1
        run.update(
            sentence_index=cypher.SENTENCE_VECTOR_INDEX,
            sentence_k=sentence_k,
            sentence_cap=sentence_cap,
        )

        def finish(row: dict[str, Any]) -> list[ScoredId]:
            sentences = self._settle(
                row,
                "",
                cypher.VECTOR_SENTENCES,
                by_sentence,
                limit,
                sentence_k,
                (group_id, "sentence"),
                sentences_large,
                enough,
            )
            turns = self._settle(
                row, "turn_", further, indexed, limit, k, (group_id, "episode"), large
            )
            return _cosines(best_of_turns_and_sentences(turns, sentences, limit))

        return _Plan("vector search", statement, run, finish, heavy=large)

    def _settle(
        self,
        row: dict[str, Any],
        prefix: str,
        further: str,
        params: dict[str, Any],
        limit: int,
        k: int,
        kind: tuple[str, str],
        large: bool,
        enough: int | None = None,
    ) -> list[ScoredId]:
        """The hits of one block of a search statement's ``row`` (columns ``prefix``...): the
        exact ones of a small group, or the index's, fetching more while too few passed.
        ``kind``: the group and the kind of vectors searched (noted when found large);
        ``large``: it was known large, so the statement went to the index without counting."""
        if not large:  # the statement counted the group's vectors
            if row[f"{prefix}held"] <= self._exact_max:
                return _ranked(row[f"{prefix}exact"], limit)
            self._note_large(kind)
        kept, raw = row[f"{prefix}kept"], row[f"{prefix}raw"]
        seen_enough = enough is not None and row.get(f"{prefix}seen", 0) >= enough
        if len(kept) >= limit or seen_enough or raw < k:
            return _ranked(kept, limit)
        hits, _ = self._search(
            "vector search", further, params, limit, None, enough, start=k * _FETCH_GROWTH
        )
        return hits

    def _known_large(self, group_id: str, kind: str) -> bool:
        """Whether a search found ``group_id`` holding more than ``exact_max`` vectors of
        ``kind`` in the last :data:`LARGE_RECHECK_S` seconds (and it was not erased from
        since, through this store): its searches then go straight to the index, without
        counting the group's vectors first (at 1M facts, 10-16 ms a kind)."""
        with self._large_lock:
            found = self._large.get((group_id, kind))
        return found is not None and time.monotonic() - found < LARGE_RECHECK_S

    def _note_large(self, kind: tuple[str, str]) -> None:
        with self._large_lock:
            self._large[kind] = time.monotonic()
            if len(self._large) > 4096:  # a bound: forget the oldest note
                del self._large[next(iter(self._large))]

    def _search(
        self,
        action: str,
        statement: str,
        params: dict[str, Any],
        limit: int,
        max_rounds: int | None,
        enough: int | None = None,
        *,
        start: int | None = None,
    ) -> tuple[list[ScoredId], bool]:
        """Over-fetch index hits (``start`` of them, by default :func:`_first_fetch`'s), keep
        those passing the Cypher filter, and fetch more while fewer than ``limit`` survive (and
        fewer than ``enough`` of the group's rows were seen) and the index may hold more (at
        most ``max_rounds`` fetches). Returns the best hits and whether they are all there
        are, or enough."""
        k = start or max(_first_fetch(limit), enough or 0)
        rounds = 0
        while True:
            rows = self._rows(action, statement, k=k, **params)
            raw, kept = rows[0]["raw"], rows[0]["kept"]
            rounds += 1
            seen_enough = enough is not None and rows[0]["seen"] >= enough
            complete = len(kept) >= limit or seen_enough or raw < k
            if complete or (max_rounds is not None and rounds >= max_rounds):
                break
            k *= _FETCH_GROWTH
        return _ranked(kept, limit), complete


@dataclass(frozen=True)
class _Plan:
    """One search's first statement, its parameters, and what makes hits of its row (maybe
    fetching more)."""

    action: str
    statement: str
    params: dict[str, Any]
    finish: Callable[[dict[str, Any]], list[ScoredId]]
    local: bool = False  # answered in this client: no statement
    cached: bool = False  # answered with the vector cache: only if its stamp is the group's
    heavy: bool = False  # a large group's vector index search: sent beside the others

    @classmethod
    def answered(cls, hits: Callable[[], list[ScoredId]]) -> _Plan:
        """A search answered in this client (no statement) with the vector cache: by
        ``hits``."""
        return cls("", "", {}, lambda _: hits(), local=True, cached=True)


def _timeline(rows: Sequence[Mapping[str, Any]]) -> Timeline | None:
    """The :class:`Timeline` of a group's episode rows; ``None`` if one cannot be read as an
    episode (written by another tool without a time, say): the server then answers."""
    try:
        return Timeline.of([(episode_from_record(r), r["source_description"]) for r in rows])
    except (ChronomemError, ValueError):
        return None


def _halves(live: Sequence[_Plan]) -> tuple[list[_Plan], list[_Plan]] | None:
    """``live`` split in two statements of about equal work, when two or more of its plans
    search a large group's vector indexes (each costs far more than a full-text search or a
    read): those alternate between the halves, the rest go with the half holding fewer of
    them. ``None``: one statement."""
    heavy = [plan for plan in live if plan.heavy]
    if len(heavy) < 2:
        return None
    first, second = heavy[0::2], heavy[1::2]
    light = [plan for plan in live if not plan.heavy]
    (second if len(second) < len(first) else first).extend(light)
    return first, second


def _no_hits(_: dict[str, Any]) -> list[ScoredId]:
    return []


def _cacheable(search: IndexSearch) -> bool:
    """Whether the vector cache may answer ``search``: a vector search."""
    return search.embedding is not None


def _first_fetch(limit: int) -> int:
    """How many index hits a search fetches first (filters run on the fetched hits)."""
    return max(limit * _FETCH_GROWTH, _MIN_FETCH)


def _ranked(pairs: Sequence[Sequence[Any]], limit: int) -> list[ScoredId]:
    """``[uuid, score]`` pairs as the best ``limit`` hits, best first (ties by uuid)."""
    best = sorted(((str(u), float(s)) for u, s in pairs), key=lambda hit: (-hit[1], hit[0]))
    return best[:limit]


def _cosines(hits: list[ScoredId]) -> list[ScoredId]:
    """``vector.similarity.cosine`` is rescaled to [0, 1]: the cosines themselves."""
    return [(uuid, 2.0 * score - 1.0) for uuid, score in hits]


def _one_database(target: Neo4jTarget, database: str | None) -> str | None:
    """The database named by the URI's path or by ``database``; both must agree (Neo4j's
    names ignore case)."""
    if target.database is None or database is None:
        return target.database or database
    if target.database.lower() != database.lower():
        raise ConfigurationError(
            f"the Neo4j URI {target.shown!r} names database {target.database!r} but "
            f"{database!r} was also given (database=, --database or NEO4J_DATABASE); give one"
        )
    return target.database


def _one_auth(target: Neo4jTarget, auth: tuple[str, str] | None) -> tuple[str, str] | None:
    """The user and password of the URI's user-info part, or ``auth``; where both are given
    they must agree. A URI naming a user but no password takes the password from ``auth``."""
    if target.user is None:
        return auth
    if auth is not None and auth[0] != target.user:
        raise ConfigurationError(
            f"the Neo4j URI {target.shown!r} names user {target.user!r} but user {auth[0]!r} "
            "was also given (auth=, --user or NEO4J_USER); give one"
        )
    if target.password is not None:
        if auth is not None and auth[1] != target.password:
            raise ConfigurationError(
                f"the Neo4j URI {target.shown!r} holds a password and another one was also "
                "given (auth= or NEO4J_PASSWORD); give one"
            )
        return (target.user, target.password)
    if auth is None:
        raise ConfigurationError(
            f"the Neo4j URI {target.shown!r} names user {target.user!r} but no password; "
            "pass auth=(user, password) (the command line reads NEO4J_PASSWORD or asks)"
        )
    return auth


def _first_by_uuid(items: Sequence[U]) -> list[U]:
    """Items deduplicated by ``.uuid``, the first one winning (as an insert that ignores
    duplicates would keep)."""
    first: dict[str, U] = {}
    for item in items:
        first.setdefault(item.uuid, item)
    return list(first.values())


def _in_order(items: Sequence[U], uuids: Sequence[str]) -> list[U]:
    """``items`` in the order of ``uuids`` (each once)."""
    return in_request_order({item.uuid: item for item in items}, uuids)


def _last_by_uuid(items: Sequence[U]) -> list[U]:
    """Items deduplicated by ``.uuid``, the last one winning, in first-seen order."""
    latest: dict[str, U] = {}
    for item in items:
        latest[item.uuid] = item
    return list(latest.values())


def _db_filter(where: FactFilter) -> FactFilter:
    """``where`` with its times in UTC (as stored)."""
    return replace(
        where,
        as_of=to_db_time(where.as_of),
        known_at=to_db_time(where.known_at),
        valid_from=to_db_time(where.valid_from),
        valid_to=to_db_time(where.valid_to),
    )


def _refuse_group_moves(conflicts: Result) -> None:
    rows = [record.data() for record in conflicts]
    if rows:
        sample = ", ".join(f"{r['uuid']} (in {r['stored']!r}, given {r['given']!r})" for r in rows)
        raise IntegrityError(
            f"uuid(s) already stored in another group: {sample}; a uuid belongs to one group "
            "for ever, give the new item a new uuid"
        )


def _refuse_missing_ends(tx: ManagedTransaction, facts: list[Fact]) -> NoReturn:
    """The error of :func:`checks.check_fact_ends` for new ``facts`` whose ends
    ``CREATE_FACTS`` did not find (the groups are read only then: sound facts cost no query)."""
    ends = sorted({end for f in facts for end in (f.subject_uuid, f.object_uuid)})
    stored = {r["uuid"]: r["group_id"] for r in tx.run(cypher.ENTITY_GROUPS, uuids=ends)}
    checks.check_fact_ends(facts, stored)
    raise AssertionError("CREATE_FACTS found no ends, yet all are stored")  # pragma: no cover


def _lighter(statement: str, vectors: bool) -> str:
    """``statement``, or without vectors: :func:`cypher.without_vectors`."""
    return statement if vectors else cypher.without_vectors(statement)
