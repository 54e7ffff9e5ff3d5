"""The embedded backend: one directory per memory, SQLite as the source of truth.

Layout of a memory directory: ``memory.db`` (SQLite, WAL) and ``memory.lock`` (held with
``flock`` by the one process that may write). Full-text search is FTS5 with BM25, kept in
step by triggers; vector search runs on in-memory indexes rebuilt from SQLite on first use
(see :mod:`.vectors`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime
from glob import escape as glob_escape
from pathlib import Path
from types import TracebackType
from typing import Any, Final
from urllib.parse import quote

import numpy as np
import numpy.typing as npt

from chronomem.engine.embed import MINILM_DIMENSION
from chronomem.engine.store import checks
from chronomem.engine.store.embedded import statements as sql
from chronomem.engine.store.embedded.codec import (
    entity_from_row,
    entity_row,
    entity_vector,
    episode_from_row,
    episode_row,
    episode_sentence_vectors,
    episode_vector,
    fact_from_row,
    fact_row,
    fact_vector,
    json_list,
)
from chronomem.engine.store.embedded.connections import ReaderPool, connect, mapped_errors
from chronomem.engine.store.embedded.filters import with_fact_condition
from chronomem.engine.store.embedded.fts import CommonTerms, match_terms
from chronomem.engine.store.embedded.lock import MemoryLock
from chronomem.engine.store.embedded.tables import (
    SCHEMA_VERSION,
    check_dimension,
    create_schema,
    has_fact_episodes,
    has_sentence_vectors,
    missing_columns,
    read_schema_version,
    refuse_foreign,
)
from chronomem.engine.store.embedded.vectors import DEFAULT_ANN_THRESHOLD, VectorIndex
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
    search_one_by_one,
)
from chronomem.errors import ConfigurationError, InputError, StoreError
from chronomem.schema import (
    Entity,
    Episode,
    Fact,
    Stats,
    name_key,
    offset_minutes,
    to_micros,
    utcnow,
)

__all__ = ["DB_FILE", "LOCK_FILE", "EmbeddedStore"]

DB_FILE: Final = "memory.db"
LOCK_FILE: Final = "memory.lock"

#: Vectors are read from SQLite this many rows at a time when an index is built.
_LOAD_CHUNK: Final = 16_384

#: A filtered fact vector search scores every allowed row exactly when there are at most this
#: many; otherwise it over-fetches from the index and checks candidates against the filter.
_PREFILTER_CAP: Final = 2048

_CAPABILITIES: Final = StoreCapabilities(
    server=False,
    entity_revisions=True,
    reopenable=True,
    episode_vectors=True,
)


_FULLTEXT_TABLES: Final = {"fact": "facts_fts", "entity": "entities_fts", "episode": "episodes_fts"}

_VectorChanges = dict[tuple[str, str], tuple[list[int], list[bytes], list[int]]]
"""(group, target) -> (ids to upsert, their float32 blobs, ids to remove)."""


class EmbeddedStore:
    """A :class:`~chronomem.engine.store.GraphStore` in a local directory (SQLite + FTS5).

    Thread-safe: writes are serialised on one connection, reads use a pool of connections and
    proceed while a write is under way (WAL). One process at a time may open a memory for
    writing (``MemoryLockedError`` otherwise); ``read_only=True`` skips the lock and opens
    the database read-only. ``ann_threshold``: groups with more vectors than this also get an
    HNSW index (None: exact search only).
    """

    def __init__(
        self,
        path: str | Path,
        dimension: int = MINILM_DIMENSION,
        *,
        read_only: bool = False,
        ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
    ) -> None:
        if isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < 1:
            raise ConfigurationError(f"dimension must be a positive int, not {dimension!r}")
        self._dir = Path(path).expanduser()
        self._db_path = self._dir / DB_FILE
        self._dimension = dimension
        self._read_only = read_only
        self._ann_threshold = ann_threshold
        self._closed = True
        self._lock: MemoryLock | None = None
        self._prepare_directory()
        writer: sqlite3.Connection | None = None
        try:
            if not read_only:
                refuse_foreign(self._db_path)  # before the lock file is made next to it
                self._lock = MemoryLock(self._dir / LOCK_FILE)
            with mapped_errors(self._db_path, "opening the memory"):
                writer = connect(self._db_path, read_only=read_only, writer=True)
                if read_only:
                    self._check_existing(writer)
                else:
                    create_schema(writer, self._db_path, dimension)
                self._episode_table = has_fact_episodes(writer)
                self._sentence_table = has_sentence_vectors(writer)
        except BaseException:
            if writer is not None:
                writer.close()
            if self._lock is not None:
                self._lock.release()
            raise
        self._writer = writer
        self._write_lock = threading.Lock()
        self._readers = ReaderPool(
            lambda: connect(self._db_path, read_only=read_only, writer=False)
        )
        self._indexes: dict[tuple[str, str], VectorIndex] = {}
        self._index_lock = threading.Lock()
        self._common_terms = CommonTerms(sql.FULLTEXT_TERM_ROWS, sql.FULLTEXT_SIZE)
        self._data_version = self._read_data_version()
        self._closed = False

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The memory's directory."""
        return self._dir

    @property
    def dimension(self) -> int:
        """Length of the vectors this memory stores."""
        return self._dimension

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only."""
        return self._read_only

    @property
    def capabilities(self) -> StoreCapabilities:
        return _CAPABILITIES

    def close(self) -> None:
        """Release the connections, the vector indexes and the lock (idempotent)."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            with self._index_lock:
                indexes, self._indexes = list(self._indexes.values()), {}
            for index in indexes:
                index.close()
            self._readers.close()
            try:
                if not self._read_only:
                    with suppress(sqlite3.Error):
                        self._writer.execute("PRAGMA optimize")  # planner statistics
                self._writer.close()
            finally:
                if self._lock is not None:
                    self._lock.release()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = ", read_only=True" if self._read_only else ""
        return f"EmbeddedStore({str(self._dir)!r}, dimension={self._dimension}{mode})"

    def _prepare_directory(self) -> None:
        if self._dir.exists() and not self._dir.is_dir():
            raise StoreError(f"{self._dir}: is a file; a memory is a directory")
        if self._read_only:
            if not self._db_path.is_file():
                raise StoreError(
                    f"{self._dir}: no memory here ({DB_FILE} is missing); create it by opening "
                    "it once without read_only"
                )
            return
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self._dir}: cannot create the memory directory: {exc}") from exc

    def _check_existing(self, conn: sqlite3.Connection) -> None:
        version = read_schema_version(conn)
        if version is None:
            raise StoreError(f"{self._db_path}: not a chronomem memory (no schema version)")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self._db_path}: this memory has schema version {version}, but this chronomem "
                f"only reads versions up to {SCHEMA_VERSION}; upgrade chronomem to open it"
            )
        check_dimension(conn, self._db_path, self._dimension)
        if missing_columns(conn):
            raise StoreError(
                f"{self._db_path}: this memory was made by an older chronomem and lacks "
                "columns this one reads; open it once without read_only to upgrade it"
            )

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self._dir}: the store is closed; open it again to use it")

    @contextmanager
    def _reading(self, action: str) -> Iterator[sqlite3.Connection]:
        self._check_open()
        with mapped_errors(self._db_path, action), self._readers.connection() as conn:
            yield conn

    # -- writes ---------------------------------------------------------------------------------

    def write(self, batch: WriteBatch) -> None:
        """Apply a batch in one transaction: all of it is stored, or none of it."""
        self._check_writable()
        if not batch:
            return
        rows = _BatchRows.encode(batch, self._dimension)
        with self._write_lock, mapped_errors(self._db_path, "writing a batch"):
            self._check_open()
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows.apply(conn, batch)
                # Hold the index lock over the commit: an index built meanwhile from SQLite
                # either sees this batch or is registered before the update below.
                with self._index_lock:
                    changes = self._vector_changes(conn, batch)
                    conn.execute("COMMIT")
                    self._data_version = self._read_data_version()
                    for key, (ids, blobs, removed) in changes.items():
                        index = self._indexes.get(key)
                        if index is None:
                            continue
                        index.remove(removed)
                        if ids:
                            index.upsert(ids, self._matrix(blobs))
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def lock_group(
        self, group_id: str, *, timeout: float = GROUP_LOCK_WAIT_S
    ) -> AbstractContextManager[None]:
        """Nothing to take: one writing process holds the memory's file lock (a read-only
        store, which does not hold it, refuses: it writes nothing)."""
        self._check_writable()
        return nullcontext()

    def erase(self, erasure: Erasure) -> None:
        """Delete the listed rows in one transaction, then leave none of their text in the
        files: SQLite's ``secure_delete`` zeroes what is freed, the full-text indexes are
        merged (FTS5 keeps deleted terms in old segments until then), the write-ahead log is
        checkpointed and truncated, and the group's vector indexes (and their files) are
        dropped, to be rebuilt from what is left."""
        self._check_writable()
        if not erasure:
            return
        group = erasure.group_id
        kept = WriteBatch(facts=erasure.updated_facts, entities=erasure.updated_entities)
        updates = _BatchRows.encode(kept, self._dimension)
        with self._write_lock, mapped_errors(self._db_path, "erasing"):
            self._check_open()
            conn = self._writer
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("BEGIN IMMEDIATE")
            try:
                if kept:
                    updates.apply(conn, kept)
                conn.executemany(
                    sql.SET_FACT_INTERVAL,
                    [
                        (
                            _micros_or_none(f.valid_at),
                            _micros_or_none(f.invalid_at),
                            offset_minutes(f.valid_at),
                            offset_minutes(f.invalid_at),
                            group,
                            f.uuid,
                        )
                        for f in erasure.updated_facts
                    ],
                )
                episodes, entities = json_list(erasure.episodes), json_list(erasure.entities)
                conn.execute(sql.ERASE_MENTIONS, (group, episodes, entities))
                conn.execute(sql.ERASE_FACTS, (group, json_list(erasure.facts)))
                conn.execute(sql.ERASE_EPISODES, (group, episodes))
                conn.execute(sql.ERASE_ENTITIES, (group, entities))
                if erasure.entities:
                    conn.execute(sql.BUMP_SETTING_COUNTER, (entity_revision_key(group),))
                conn.execute(sql.ERASE_SETTINGS, (json_list(erasure.settings),))
                for statement in sql.OPTIMIZE_FULLTEXT:
                    conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            self._data_version = self._read_data_version()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with self._index_lock:
                for key in [k for k in self._indexes if k[0] == group]:
                    self._indexes.pop(key).close()
                prefix = f"vectors-{quote(group, safe='')}-"
                for path in self._dir.glob(f"{glob_escape(prefix)}*"):
                    path.unlink(missing_ok=True)

    def _vector_changes(self, conn: sqlite3.Connection, batch: WriteBatch) -> _VectorChanges:
        """The stored vectors of this batch's rows, for the indexes already in memory."""
        changes: _VectorChanges = {}
        models: dict[str, list[Entity] | list[Fact] | list[Episode]] = {
            "entity": batch.entities,
            "fact": batch.facts,
            "episode": batch.episodes,
            "sentence": batch.episodes,
        }
        for target, items in models.items():
            uuids = [m.uuid for m in items if (m.group_id, target) in self._indexes]
            if not uuids:
                continue
            for row_id, group, blob in conn.execute(
                sql.VECTORS_BY_UUID[target], (json_list(uuids),)
            ):
                ids, blobs, removed = changes.setdefault((group, target), ([], [], []))
                if blob is None:
                    removed.append(row_id)
                else:
                    ids.append(row_id)
                    blobs.append(blob)
        return changes

    def _matrix(self, blobs: list[bytes]) -> npt.NDArray[np.float32]:
        return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), self._dimension)

    def set_meta(self, key: str, value: str) -> None:
        """Store a memory-wide setting."""
        self._check_writable()
        with self._write_lock, mapped_errors(self._db_path, "writing a setting"):
            self._check_open()
            self._writer.execute(sql.UPSERT_SETTING, (key, value))

    def _check_writable(self) -> None:
        self._check_open()
        if self._read_only:
            raise StoreError(f"{self._dir}: opened with read_only=True; open it without to write")

    # -- reads ----------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A memory-wide setting, or None."""
        with self._reading("reading a setting") as conn:
            row = conn.execute(sql.GET_SETTING, (key,)).fetchone()
        return None if row is None else str(row[0])

    def get_episodes(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Episode]:
        """Episodes by uuid (unknown uuids are left out), in the order asked; without
        ``vectors``, none of their embeddings."""
        table = "episodes" if vectors else "episodes without vectors"
        episodes = [episode_from_row(row) for row in self._by_uuid(table, group_id, uuids)]
        if not episodes or not vectors or not self._sentence_table:
            return episodes
        with self._reading("reading episodes") as conn:
            rows = conn.execute(
                sql.EPISODE_SENTENCE_VECTORS, (group_id, json_list([e.uuid for e in episodes]))
            ).fetchall()
        sentences: dict[str, list[list[float]]] = {}
        if rows:
            matrix = self._matrix([blob for _, blob in rows])
            for (uuid, _), vector in zip(rows, matrix, strict=True):
                sentences.setdefault(uuid, []).append(vector.tolist())
        return [
            e.model_copy(update={"sentence_embeddings": sentences[e.uuid]})
            if e.uuid in sentences
            else e
            for e in episodes
        ]

    def get_entities(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Entity]:
        """Entities by uuid (unknown uuids are left out), in the order asked."""
        table = "entities" if vectors else "entities without vectors"
        return [entity_from_row(row) for row in self._by_uuid(table, group_id, uuids)]

    def get_facts(self, group_id: str, uuids: Sequence[str], *, vectors: bool = True) -> list[Fact]:
        """Fact rows by uuid, expired or not (unknown uuids are left out), in the order asked."""
        table = "facts" if vectors else "facts without vectors"
        return [fact_from_row(row) for row in self._by_uuid(table, group_id, uuids)]

    def _by_uuid(self, table: str, group_id: str, uuids: Sequence[str]) -> list[tuple[Any, ...]]:
        wanted = list(dict.fromkeys(uuids))
        if not wanted:
            return []
        with self._reading(f"reading {table}") as conn:
            rows = conn.execute(sql.GET_BY_UUID[table], (group_id, json_list(wanted))).fetchall()
        found = {row[0]: row for row in rows}
        return [found[uuid] for uuid in wanted if uuid in found]

    def known_sources(self, group_id: str, source: str, source_ids: Sequence[str]) -> set[str]:
        """Which of ``source_ids`` of ``source`` are stored already."""
        if not source_ids:
            return set()
        with self._reading("reading episodes") as conn:
            rows = conn.execute(
                sql.KNOWN_SOURCES, (group_id, source, json_list(list(source_ids)))
            ).fetchall()
        return {row[0] for row in rows}

    def find_entities(
        self,
        group_id: str,
        names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        *,
        vectors: bool = True,
    ) -> list[Entity]:
        """Entities named (or aliased) one of ``names``, case-insensitively, spaces folded;
        all of the group when ``names`` is None; restricted to ``labels`` when given."""
        label_json = None if labels is None else json_list(list(labels))
        with self._reading("finding entities") as conn:
            if names is None:
                statement = (
                    sql.ENTITIES_OF_GROUP if vectors else sql.ENTITIES_OF_GROUP_WITHOUT_VECTORS
                )
                rows = conn.execute(statement, (group_id, label_json)).fetchall()
            else:
                keys = json_list(sorted({name_key(name) for name in names}))
                statement = (
                    sql.ENTITIES_BY_NAME if vectors else sql.ENTITIES_BY_NAME_WITHOUT_VECTORS
                )
                rows = conn.execute(statement, (group_id, label_json, keys)).fetchall()
        return [entity_from_row(row) for row in rows]

    def list_facts(
        self, group_id: str, where: FactFilter, limit: int | None = None, *, vectors: bool = True
    ) -> list[Fact]:
        """Fact rows passing ``where``, ordered by ``valid_at`` (unknown first), then creation."""
        statement = sql.LIST_FACTS if vectors else sql.LIST_FACTS_WITHOUT_VECTORS
        return self._select_facts(statement, [group_id], where, limit, selective=False)

    def pinned(self, group_id: str) -> GraphStore:
        """Itself: its reads are local already."""
        return self

    def neighbors(
        self,
        group_id: str,
        entity_uuids: Sequence[str],
        where: FactFilter,
        limit: int = 1000,
        *,
        vectors: bool = True,
    ) -> list[Fact]:
        """Fact rows passing ``where`` with one of ``entity_uuids`` as subject or object."""
        if not entity_uuids:
            return []
        ends = json_list(list(dict.fromkeys(entity_uuids)))
        statement = sql.NEIGHBOR_FACTS if vectors else sql.NEIGHBOR_FACTS_WITHOUT_VECTORS
        return self._select_facts(
            statement, [group_id, ends, group_id, ends], where, limit, selective=True
        )

    def _select_facts(
        self,
        statement: str,
        params: list[Any],
        where: FactFilter,
        limit: int | None,
        *,
        selective: bool,
    ) -> list[Fact]:
        """``selective``: the statement picks few rows by itself (sort them, don't walk the
        valid_at index)."""
        if limit is not None and limit <= 0:
            return []
        selective = selective or bool(
            where.subject_uuids
            or where.object_uuids
            or where.entity_uuids
            or where.episode_uuids is not None
        )
        order = sql.FACTS_ORDER_SORTED if selective else sql.FACTS_ORDER
        query, cond_params = self._with_condition(statement, where, utcnow(), order)
        with self._reading("listing facts") as conn:
            rows = conn.execute(
                query, [*params, *cond_params, -1 if limit is None else limit]
            ).fetchall()
        return [fact_from_row(row) for row in rows]

    def _with_condition(
        self, statement: str, where: FactFilter, now: datetime, tail: str = ""
    ) -> tuple[str, list[Any]]:
        return with_fact_condition(statement, where, now, tail, self._episode_table)

    def mentions(self, group_id: str, episode_uuids: Sequence[str]) -> dict[str, list[str]]:
        """For each episode uuid that mentions entities, the entity uuids it mentions."""
        if not episode_uuids:
            return {}
        wanted = json_list(list(dict.fromkeys(episode_uuids)))
        with self._reading("reading mentions") as conn:
            rows = conn.execute(sql.MENTIONS, (group_id, wanted)).fetchall()
        found: dict[str, list[str]] = {}
        for episode, entity in rows:
            found.setdefault(episode, []).append(entity)
        return found

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        """For each episode, up to ``before`` episodes of the same source and session just
        before it and ``after`` just after it (by reference time), in time order; episodes
        with none (or unknown) are left out."""
        found: dict[str, list[Episode]] = {}
        centres = self.get_episodes(group_id, episode_uuids, vectors=False)
        with self._reading("reading episodes") as conn:
            for centre in centres:
                key = (
                    group_id,
                    centre.source,
                    centre.session or "",
                    to_micros(centre.reference_time),
                    centre.uuid,
                )
                earlier = conn.execute(sql.EPISODES_BEFORE, (*key, before)).fetchall()
                later = conn.execute(sql.EPISODES_AFTER, (*key, after)).fetchall()
                line = [episode_from_row(r) for r in reversed(earlier)]
                line += [episode_from_row(r) for r in later]
                if line:
                    found[centre.uuid] = line
        return found

    def groups(self) -> list[str]:
        """Every group id that holds anything, sorted."""
        with self._reading("listing groups") as conn:
            return [row[0] for row in conn.execute(sql.GROUPS).fetchall()]

    def dump(self, group_id: str) -> WriteBatch:
        """Everything of one group, expired fact rows included, as one batch."""
        with self._reading("reading a group") as conn:
            episode_ids = [r[0] for r in conn.execute(sql.EPISODE_UUIDS_OF_GROUP, (group_id,))]
            fact_ids = [r[0] for r in conn.execute(sql.FACT_UUIDS_OF_GROUP, (group_id,))]
        return assemble_dump(self, group_id, episode_ids, fact_ids)

    def stats(self, group_id: str | None = None) -> Stats:
        """Counts for one group, or for the whole memory with ``group_id=None``.

        ``current_facts``: rows not expired whose ``invalid_at`` is unset or in the future.
        ``groups``: groups holding anything (0 or 1 for one group)."""
        now = to_micros(utcnow())
        with self._reading("counting") as conn:
            if group_id is None:
                row = conn.execute(sql.STATS_ALL, (now,)).fetchone()
                groups = int(row[4])
            else:
                row = conn.execute(sql.STATS_GROUP, (group_id, now)).fetchone()
                groups = 1 if any(row[:3]) else 0
        return Stats(
            episodes=row[0], entities=row[1], facts=row[2], current_facts=row[3], groups=groups
        )

    # -- search ---------------------------------------------------------------------------------

    def fulltext(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> list[ScoredId]:
        """BM25 hits (score = -bm25, higher is better), best first; ``where`` applies to facts.

        The query is plain text: its words are quoted and ORed, so FTS5 syntax in it is inert.
        Words found in more than 2,000 rows are left out (:class:`~.fts.CommonTerms`).
        """
        if target not in ("fact", "entity", "episode"):
            raise InputError(f"unknown full-text target {target!r}; use fact, entity or episode")
        terms = match_terms(query)
        if not terms or limit <= 0:
            return []
        table = _FULLTEXT_TABLES[target]
        with self._reading("full-text search") as conn:
            terms = self._common_terms.keep(conn, table, terms)
        if not terms:
            return []
        expression = " OR ".join(terms)
        if target == "entity":
            with self._reading("full-text search") as conn:
                rows = conn.execute(sql.FULLTEXT_ENTITIES, (expression, group_id, limit)).fetchall()
            return [(row[0], -float(row[1])) for row in rows]
        if target == "fact":
            statement, cond_params = self._with_condition(
                sql.FULLTEXT_FACTS, where, utcnow(), sql.FULLTEXT_ORDER
            )
        else:
            statement, cond_params = sql.FULLTEXT_EPISODES, []
        # The best candidates by BM25 first; all of them only when too few pass the filters.
        for candidates in (max(4 * limit, 64), -1):
            params = [expression, candidates, group_id, *cond_params, limit]
            with self._reading("full-text search") as conn:
                rows = conn.execute(statement, params).fetchall()
            if len(rows) >= limit:
                break
        return [(row[0], -float(row[1])) for row in rows]

    def searches(self, group_id: str, searches: Sequence[IndexSearch]) -> list[list[ScoredId]]:
        return search_one_by_one(self, group_id, searches)

    def vector(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
    ) -> list[ScoredId]:
        """Nearest neighbours by cosine similarity, best first; ``where`` applies to facts."""
        query = checks.unit_query(embedding, target, self._dimension)
        if query is None or limit <= 0:
            return []
        self._check_open()
        index = self._index(group_id, target)
        if target == "episode":
            return self._episode_vector(group_id, query, limit, index)
        if len(index) == 0:
            return []
        if target != "fact":
            return self._uuids(target, group_id, index.search(query, limit))
        return self._fact_vector(group_id, query, limit, where, index)

    def _episode_vector(
        self, group_id: str, query: npt.NDArray[np.float32], limit: int, index: VectorIndex
    ) -> list[ScoredId]:
        """Episodes by the best of their vectors: the whole turn's and each sentence's.

        Several sentences of one turn may be among the nearest sentences, so more sentences
        than ``limit`` are read. An episode found by its turn vector only keeps that score."""
        hits = index.search(query, limit) if len(index) else []
        turns = self._uuids("episode", group_id, hits)
        sentences: list[ScoredId] = []
        if self._sentence_table:
            by_sentence = self._index(group_id, "sentence")
            if len(by_sentence):
                hits = by_sentence.search(query, limit * SENTENCES_PER_EPISODE)
                sentences = self._uuids("sentence", group_id, hits)
        return best_of_turns_and_sentences(turns, sentences, limit)

    def load_vectors(
        self, group_id: str, *, wait: bool = False, timeout: float | None = None
    ) -> int:
        """Build the vector indexes of ``group_id`` now rather than on the first search.

        With ``wait``, also block until a large group's HNSW graph is filled (up to
        ``timeout`` seconds). Returns how many vectors the group has.
        """
        self._check_open()
        targets = ("fact", "entity", "episode", *(("sentence",) if self._sentence_table else ()))
        indexes = [self._index(group_id, target) for target in targets]
        if wait:
            for index in indexes:
                index.wait_indexed(timeout)
        return sum(len(index) for index in indexes)

    def _fact_vector(
        self,
        group_id: str,
        query: npt.NDArray[np.float32],
        limit: int,
        where: FactFilter,
        index: VectorIndex,
    ) -> list[ScoredId]:
        now = utcnow()
        statement, params = self._with_condition(sql.FACT_IDS_OF_GROUP, where, now, sql.LIMIT)
        with self._reading("vector search") as conn:
            allowed = conn.execute(statement, [group_id, *params, _PREFILTER_CAP + 1]).fetchall()
        if len(allowed) <= _PREFILTER_CAP:
            # Few rows pass: score exactly those.
            hits = index.score(query, [row[0] for row in allowed], limit)
            return self._uuids("fact", group_id, hits)
        # Many pass: over-fetch nearest neighbours, keep those passing, widen until enough.
        statement, params = self._with_condition(sql.FACT_IDS_AMONG, where, now)
        passing: dict[int, str | None] = {}
        k = min(len(index), max(4 * limit, 32))
        while True:
            hits = index.search(query, k)
            unchecked = [item for item, _ in hits if item not in passing]
            if unchecked:
                with self._reading("vector search") as conn:
                    ok = dict(conn.execute(statement, [group_id, _json_ids(unchecked), *params]))
                for item in unchecked:
                    passing[item] = ok.get(item)
            found = [(uuid, score) for item, score in hits if (uuid := passing[item]) is not None]
            if len(found) >= limit or k >= len(index):
                return found[:limit]
            k = min(len(index), 4 * k)

    def _uuids(self, target: str, group_id: str, hits: list[tuple[int, float]]) -> list[ScoredId]:
        if not hits:
            return []
        with self._reading("vector search") as conn:
            rows = conn.execute(
                sql.UUIDS_BY_ID[target], (group_id, _json_ids([item for item, _ in hits]))
            ).fetchall()
        uuids = dict(rows)
        return [(uuids[item], score) for item, score in hits if item in uuids]

    def _index(self, group_id: str, target: str) -> VectorIndex:
        """The vector index of (group, target), built from SQLite on first use."""
        if self._read_only:
            self._refresh_if_changed()
        key = (group_id, target)
        with self._index_lock:
            index = self._indexes.get(key)
            if index is not None:
                return index
            index = VectorIndex(
                self._dimension,
                self._ann_threshold,
                persist=self._dir / f"vectors-{quote(group_id, safe='')}-{target}",
                save=not self._read_only,
            )
            with self._reading("loading vectors") as conn:
                (count,) = conn.execute(sql.COUNT_VECTORS_OF_GROUP[target], (group_id,)).fetchone()
                index.reserve(count)
                cursor = conn.execute(sql.VECTORS_OF_GROUP[target], (group_id,))
                while rows := cursor.fetchmany(_LOAD_CHUNK):
                    index.upsert(
                        [row[0] for row in rows],
                        self._matrix([row[1] for row in rows]),
                        index=False,
                    )
            index.upsert([], [])  # start indexing, now that everything is loaded
            self._indexes[key] = index
            return index

    def _read_data_version(self) -> int:
        with mapped_errors(self._db_path, "reading the data version"):
            return int(self._writer.execute("PRAGMA data_version").fetchone()[0])

    def _refresh_if_changed(self) -> None:
        """Read-only stores: when another process has written, bring the indexes up to date.

        Fact and episode vectors are append-only (ids grow, embeddings never change): the new
        ones are added. Entity embeddings may change: entity indexes are dropped and rebuilt on use.
        """
        with self._write_lock:
            self._check_open()
            version = self._read_data_version()
            if version == self._data_version:
                return
            self._data_version = version
        with self._index_lock:
            for (group, target), index in list(self._indexes.items()):
                if target == "entity":
                    del self._indexes[(group, target)]
                    index.close()
                    continue
                with self._reading("loading vectors") as conn:
                    rows = conn.execute(
                        sql.VECTORS_AFTER[target], (group, index.max_id())
                    ).fetchall()
                if rows:
                    index.upsert([row[0] for row in rows], self._matrix([row[1] for row in rows]))


def _json_ids(ids: Sequence[int]) -> str:
    """Row ids as a JSON array (for ``json_each``)."""
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


@dataclass(slots=True)
class _BatchRows:
    """The SQL rows of a batch, encoded (and vectors checked) before the transaction opens."""

    episodes: list[tuple[Any, ...]]
    episode_vectors: list[tuple[bytes, str]]
    episode_sentences: list[tuple[int, bytes, str]]
    entities: list[tuple[Any, ...]]
    entity_vectors: list[tuple[bytes, str]]
    entities_without_vector: list[str]
    facts: list[tuple[Any, ...]]
    fact_vectors: list[tuple[bytes, str]]

    @classmethod
    def encode(cls, batch: WriteBatch, dimension: int) -> _BatchRows:
        entity_blobs = [(entity_vector(e, dimension), e.uuid) for e in batch.entities]
        fact_blobs = [(fact_vector(f, dimension), f.uuid) for f in batch.facts]
        episode_blobs = [(episode_vector(ep, dimension), ep.uuid) for ep in batch.episodes]
        return cls(
            episodes=[episode_row(ep) for ep in batch.episodes],
            episode_vectors=[(blob, uuid) for blob, uuid in episode_blobs if blob is not None],
            episode_sentences=[
                (position, blob, ep.uuid)
                for ep in batch.episodes
                for position, blob in enumerate(episode_sentence_vectors(ep, dimension))
            ],
            entities=[entity_row(e) for e in batch.entities],
            entity_vectors=[(blob, uuid) for blob, uuid in entity_blobs if blob is not None],
            entities_without_vector=[uuid for blob, uuid in entity_blobs if blob is None],
            facts=[fact_row(f) for f in batch.facts],
            fact_vectors=[(blob, uuid) for blob, uuid in fact_blobs if blob is not None],
        )

    def apply(self, conn: sqlite3.Connection, batch: WriteBatch) -> None:
        """Run the statements of the batch inside the caller's transaction."""
        if self.episodes:
            (last_episode,) = conn.execute(sql.MAX_EPISODE_ID).fetchone()
            conn.executemany(sql.INSERT_EPISODES, self.episodes)
            conn.executemany(
                sql.INSERT_EPISODE_VECTOR,
                [(blob, uuid, last_episode) for blob, uuid in self.episode_vectors],
            )
            if self.episode_sentences:
                conn.executemany(
                    sql.INSERT_EPISODE_SENTENCE_VECTOR,
                    [(i, blob, uuid, last_episode) for i, blob, uuid in self.episode_sentences],
                )
        if self.entities:
            conn.executemany(sql.UPSERT_ENTITIES, self.entities)
            conn.executemany(sql.UPSERT_ENTITY_VECTOR, self.entity_vectors)
            if self.entities_without_vector:
                conn.execute(sql.DELETE_ENTITY_VECTORS, (json_list(self.entities_without_vector),))
            _write_names(conn, batch.entities)
            conn.executemany(
                sql.BUMP_SETTING_COUNTER,
                [(entity_revision_key(g),) for g in sorted({e.group_id for e in batch.entities})],
            )
        if self.facts:
            _check_fact_ends(conn, batch.facts)
            (last_id,) = conn.execute(sql.MAX_FACT_ID).fetchone()
            conn.executemany(sql.UPSERT_FACTS, self.facts)
            conn.executemany(
                sql.INSERT_FACT_VECTOR, [(blob, uuid, last_id) for blob, uuid in self.fact_vectors]
            )
        if batch.mentions:
            _write_mentions(conn, batch)


def _write_names(conn: sqlite3.Connection, entities: list[Entity]) -> None:
    """Replace the name/alias lookup keys of ``entities`` (already upserted)."""
    conn.execute(sql.DELETE_ENTITY_NAMES, (json_list([entity.uuid for entity in entities]),))
    pairs = {
        (key, entity.uuid)
        for entity in entities
        for name in (entity.name, *entity.aliases)
        if (key := name_key(name))
    }
    conn.executemany(sql.INSERT_ENTITY_NAME, sorted(pairs))


def _check_fact_ends(conn: sqlite3.Connection, facts: list[Fact]) -> None:
    """:func:`checks.check_fact_ends` against the stored groups of the facts' ends."""
    ends = json_list(sorted({end for f in facts for end in (f.subject_uuid, f.object_uuid)}))
    checks.check_fact_ends(facts, dict(conn.execute(sql.ENTITY_GROUPS, (ends,)).fetchall()))


def _write_mentions(conn: sqlite3.Connection, batch: WriteBatch) -> None:
    """Insert the (episode, entity) pairs :func:`checks.checked_mentions` keeps."""
    entity_uuids = json_list(sorted({entity for _, entity in batch.mentions}))
    episode_uuids = json_list(sorted({episode for episode, _ in batch.mentions}))
    rows = checks.checked_mentions(
        batch.mentions,
        dict(conn.execute(sql.ENTITY_GROUPS, (entity_uuids,)).fetchall()),
        dict(conn.execute(sql.EPISODE_GROUPS, (episode_uuids,)).fetchall()),
        {ep.uuid for ep in batch.episodes},
    )
    conn.executemany(sql.INSERT_MENTIONS, rows)


def _micros_or_none(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)
