"""The SQLite schema of an embedded memory, its version, and the check made on open.

Embeddings live in side tables (``fact_vectors``, ``entity_vectors``) so the rows that filters
and joins scan stay small. ``fact_episodes`` maps each episode to the fact rows extracted from
it (kept by triggers from ``facts.episodes``). Full-text tables are FTS5 with external content,
kept in step by triggers inside the writing transaction. A uuid belongs to one group for ever:
triggers refuse an upsert that would move it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

from chronomem.errors import ConfigurationError, StoreError

__all__ = [
    "SCHEMA_VERSION",
    "check_dimension",
    "create_schema",
    "has_fact_episodes",
    "missing_columns",
    "read_schema_version",
    "refuse_foreign",
]

#: Version of the layout below. Bump it (and add a migration) whenever the layout changes.
SCHEMA_VERSION: Final = 1

_DDL: Final[tuple[str, ...]] = (
    """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS episodes (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    group_id       TEXT NOT NULL,
    source         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    content        TEXT NOT NULL,
    reference_time INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    source_id      TEXT NOT NULL,
    speaker        TEXT,
    session        TEXT,
    UNIQUE (group_id, source, source_id),
    UNIQUE (group_id, uuid)
)
""",
    """
CREATE TABLE IF NOT EXISTS entities (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    group_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    labels         TEXT NOT NULL,
    aliases        TEXT NOT NULL,
    summary        TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (group_id, uuid)
)
""",
    """
CREATE TABLE IF NOT EXISTS entity_vectors (
    entity_id INTEGER PRIMARY KEY REFERENCES entities (id) ON DELETE CASCADE,
    embedding BLOB NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS entity_names (
    group_id  TEXT NOT NULL,
    key       TEXT NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, key, entity_id)
) WITHOUT ROWID
""",
    """
CREATE INDEX IF NOT EXISTS entity_names_entity ON entity_names (entity_id)
""",
    """
CREATE TABLE IF NOT EXISTS facts (
    id                     INTEGER PRIMARY KEY,
    uuid                   TEXT NOT NULL UNIQUE,
    group_id               TEXT NOT NULL,
    subject_uuid           TEXT NOT NULL,
    relation               TEXT NOT NULL,
    object_uuid            TEXT NOT NULL,
    fact                   TEXT NOT NULL,
    valid_at               INTEGER,
    invalid_at             INTEGER,
    created_at             INTEGER NOT NULL,
    expired_at             INTEGER,
    episodes               TEXT NOT NULL,
    sources                TEXT NOT NULL,
    confidence             REAL NOT NULL,
    invalidated_by         TEXT,
    invalidated_by_episode TEXT,
    lineage                TEXT NOT NULL,
    observed_at            TEXT NOT NULL,
    valid_offset           INTEGER,
    invalid_offset         INTEGER,
    FOREIGN KEY (group_id, subject_uuid) REFERENCES entities (group_id, uuid),
    FOREIGN KEY (group_id, object_uuid) REFERENCES entities (group_id, uuid)
)
""",
    """
CREATE TABLE IF NOT EXISTS fact_vectors (
    fact_id   INTEGER PRIMARY KEY REFERENCES facts (id) ON DELETE CASCADE,
    embedding BLOB NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS episode_vectors (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    embedding  BLOB NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS episode_sentence_vectors (
    id         INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    embedding  BLOB NOT NULL,
    UNIQUE (episode_id, position)
)
""",
    """
CREATE INDEX IF NOT EXISTS episodes_timeline
    ON episodes (group_id, source, coalesce(session, ''), reference_time)
""",
    """
CREATE INDEX IF NOT EXISTS facts_subject ON facts (group_id, subject_uuid, relation)
""",
    """
CREATE INDEX IF NOT EXISTS facts_object ON facts (group_id, object_uuid)
""",
    """
CREATE INDEX IF NOT EXISTS facts_valid_at ON facts (group_id, valid_at)
""",
    """
CREATE INDEX IF NOT EXISTS facts_expired_at ON facts (group_id, expired_at)
""",
    """
CREATE INDEX IF NOT EXISTS facts_lineage ON facts (lineage)
""",
    """
CREATE TABLE IF NOT EXISTS fact_episodes (
    episode_uuid TEXT NOT NULL,
    fact_id      INTEGER NOT NULL,
    PRIMARY KEY (episode_uuid, fact_id)
) WITHOUT ROWID
""",
    """
CREATE TRIGGER IF NOT EXISTS fact_episodes_insert AFTER INSERT ON facts BEGIN
    INSERT OR IGNORE INTO fact_episodes (episode_uuid, fact_id)
    SELECT value, NEW.id FROM json_each(NEW.episodes);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS fact_episodes_update AFTER UPDATE OF episodes ON facts
WHEN NEW.episodes IS NOT OLD.episodes
BEGIN
    DELETE FROM fact_episodes
    WHERE fact_id = OLD.id AND episode_uuid IN (SELECT value FROM json_each(OLD.episodes));
    INSERT OR IGNORE INTO fact_episodes (episode_uuid, fact_id)
    SELECT value, NEW.id FROM json_each(NEW.episodes);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS fact_episodes_delete AFTER DELETE ON facts BEGIN
    DELETE FROM fact_episodes
    WHERE fact_id = OLD.id AND episode_uuid IN (SELECT value FROM json_each(OLD.episodes));
END
""",
    """
CREATE TABLE IF NOT EXISTS mentions (
    group_id     TEXT NOT NULL,
    episode_uuid TEXT NOT NULL,
    entity_uuid  TEXT NOT NULL,
    PRIMARY KEY (episode_uuid, entity_uuid),
    FOREIGN KEY (group_id, episode_uuid) REFERENCES episodes (group_id, uuid),
    FOREIGN KEY (group_id, entity_uuid) REFERENCES entities (group_id, uuid)
) WITHOUT ROWID
""",
    """
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions (entity_uuid)
""",
    """
CREATE TRIGGER IF NOT EXISTS entities_group_fixed BEFORE UPDATE OF group_id ON entities
WHEN NEW.group_id IS NOT OLD.group_id
BEGIN
    SELECT RAISE(ABORT, 'entity uuid already exists in another group');
END
""",
    """
CREATE TRIGGER IF NOT EXISTS facts_group_fixed BEFORE UPDATE OF group_id ON facts
WHEN NEW.group_id IS NOT OLD.group_id
BEGIN
    SELECT RAISE(ABORT, 'fact uuid already exists in another group');
END
""",
    """
CREATE VIRTUAL TABLE IF NOT EXISTS facts_fts USING fts5(
    fact, content='facts', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
)
""",
    """
CREATE TRIGGER IF NOT EXISTS facts_fts_insert AFTER INSERT ON facts BEGIN
    INSERT INTO facts_fts (rowid, fact) VALUES (NEW.id, NEW.fact);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS facts_fts_delete AFTER DELETE ON facts BEGIN
    INSERT INTO facts_fts (facts_fts, rowid, fact) VALUES ('delete', OLD.id, OLD.fact);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS facts_fts_update AFTER UPDATE OF fact ON facts BEGIN
    INSERT INTO facts_fts (facts_fts, rowid, fact) VALUES ('delete', OLD.id, OLD.fact);
    INSERT INTO facts_fts (rowid, fact) VALUES (NEW.id, NEW.fact);
END
""",
    """
CREATE VIRTUAL TABLE IF NOT EXISTS entities_fts USING fts5(
    name, aliases, content='entities', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)
""",
    """
CREATE TRIGGER IF NOT EXISTS entities_fts_insert AFTER INSERT ON entities BEGIN
    INSERT INTO entities_fts (rowid, name, aliases) VALUES (NEW.id, NEW.name, NEW.aliases);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS entities_fts_delete AFTER DELETE ON entities BEGIN
    INSERT INTO entities_fts (entities_fts, rowid, name, aliases)
    VALUES ('delete', OLD.id, OLD.name, OLD.aliases);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS entities_fts_update AFTER UPDATE OF name, aliases ON entities
WHEN NEW.name IS NOT OLD.name OR NEW.aliases IS NOT OLD.aliases
BEGIN
    INSERT INTO entities_fts (entities_fts, rowid, name, aliases)
    VALUES ('delete', OLD.id, OLD.name, OLD.aliases);
    INSERT INTO entities_fts (rowid, name, aliases) VALUES (NEW.id, NEW.name, NEW.aliases);
END
""",
    """
CREATE VIRTUAL TABLE IF NOT EXISTS episodes_fts USING fts5(
    content, content='episodes', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
)
""",
    """
CREATE TRIGGER IF NOT EXISTS episodes_fts_insert AFTER INSERT ON episodes BEGIN
    INSERT INTO episodes_fts (rowid, content) VALUES (NEW.id, NEW.content);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS episodes_fts_delete AFTER DELETE ON episodes BEGIN
    INSERT INTO episodes_fts (episodes_fts, rowid, content) VALUES ('delete', OLD.id, OLD.content);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS episodes_fts_update AFTER UPDATE OF content ON episodes BEGIN
    INSERT INTO episodes_fts (episodes_fts, rowid, content) VALUES ('delete', OLD.id, OLD.content);
    INSERT INTO episodes_fts (rowid, content) VALUES (NEW.id, NEW.content);
END
""",
)
"""The layout, one statement each (all text fixed: tokenizer ``porter unicode61``)."""

#: Derived tables added within schema version 1, and how to fill them from existing rows.
_BACKFILL: Final[dict[str, str]] = {
    "fact_episodes": "INSERT OR IGNORE INTO fact_episodes (episode_uuid, fact_id) "
    "SELECT j.value, f.id FROM facts f, json_each(f.episodes) j",
}


def read_schema_version(conn: sqlite3.Connection) -> int | None:
    """The schema version recorded in the database, or None for an empty database."""
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if has_meta is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if row is None else int(row[0])


def refuse_foreign(path: Path) -> None:
    """Raise StoreError when ``path`` is a SQLite database that is not a chronomem memory
    (another application's ``memory.db``): chronomem never adds its tables to it, nor turns
    on its write-ahead log. Checked on a read-only connection before anything else opens the
    file; a missing or empty file is fine (a new memory)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # not readable as a database: the open that follows says why
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        if not names:
            return
        try:
            version = read_schema_version(conn)
        except sqlite3.Error:
            version = None
    except sqlite3.Error:
        return  # a damaged file: the open that follows says so
    finally:
        conn.close()
    if version is None:
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise StoreError(
            f"{path}: this SQLite file is not a chronomem memory (it holds the tables {shown} "
            "of another application); chronomem leaves it untouched: point --store (or "
            "export --to) to another directory"
        )


def create_schema(conn: sqlite3.Connection, path: Path, dimension: int) -> None:
    """Create the tables of an empty database, or check those of an existing one.

    Raises StoreError for a database written by a newer chronomem and ConfigurationError when
    the memory was built with another vector dimension.
    """
    version = read_schema_version(conn)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: this memory has schema version {version}, but this chronomem only reads "
            f"versions up to {SCHEMA_VERSION}; upgrade chronomem to open it"
        )
    if version is None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _DDL:
                conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("schema_version", str(SCHEMA_VERSION)), ("vector_dimension", str(dimension))],
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    else:
        _add_missing_columns(conn)
        _add_missing(conn)
    check_dimension(conn, path, dimension)


#: Columns added to a table within this schema version (nullable: older rows read as NULL).
_ADDED_COLUMNS: Final = (
    ("facts", "valid_offset", "INTEGER"),
    ("facts", "invalid_offset", "INTEGER"),
)


def missing_columns(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """The added columns a memory made by an older chronomem does not have yet."""
    have: dict[str, set[str]] = {}
    for table, _, _ in _ADDED_COLUMNS:
        if table not in have:
            have[table] = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    return [added for added in _ADDED_COLUMNS if added[1] not in have[added[0]]]


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Add the columns of :data:`_ADDED_COLUMNS` a memory lacks, in one transaction."""
    missing = missing_columns(conn)
    if not missing:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table, column, kind in missing:  # names from the constant above, not from input
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _add_missing(conn: sqlite3.Connection) -> None:
    """Create what was added to the layout within this schema version, and fill it.

    Every statement of the layout is idempotent (``IF NOT EXISTS``): a memory made before an
    index, table or trigger existed gets it on its next writable open, in one transaction;
    a derived table new to the memory is filled from the rows it derives from.
    """
    existing = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    if all(_created_name(statement) in existing for statement in _DDL):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _DDL:
            conn.execute(statement)
        for table, fill in _BACKFILL.items():
            if table not in existing:
                conn.execute(fill)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _created_name(statement: str) -> str:
    """The name of what a ``CREATE ... IF NOT EXISTS name`` statement creates."""
    return statement.split("IF NOT EXISTS", 1)[1].split()[0]


def has_fact_episodes(conn: sqlite3.Connection) -> bool:
    """Whether the memory has the ``fact_episodes`` table (a read-only open of a memory made
    before it existed has not)."""
    return _has_table(conn, "fact_episodes")


def has_sentence_vectors(conn: sqlite3.Connection) -> bool:
    """Whether the memory has the ``episode_sentence_vectors`` table (a read-only open of a
    memory made before it existed has not)."""
    return _has_table(conn, "episode_sentence_vectors")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def check_dimension(conn: sqlite3.Connection, path: Path, dimension: int) -> None:
    """Refuse to open a memory whose vectors have another dimension than ``dimension``."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'vector_dimension'").fetchone()
    if row is not None and int(row[0]) != dimension:
        raise ConfigurationError(
            f"{path}: this memory stores {row[0]}-dimensional vectors, but the store was opened "
            f"with dimension={dimension}; open it with dimension={row[0]} (and the embedder "
            "it was built with)"
        )
