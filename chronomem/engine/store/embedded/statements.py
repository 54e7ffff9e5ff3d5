"""Every SQL statement of the embedded store, as fixed text.

Values are always bound parameters; lists travel as one JSON parameter read with
``json_each``. Column order of the SELECTs matches :mod:`.codec` (the embedding, from a side
table, comes last). Only :func:`.filters.with_fact_condition` appends text to a statement,
and only fixed fragments. ``json_each(...) CROSS JOIN table`` makes the given list drive the
loop (SQLite keeps the order of a CROSS JOIN).
"""

from __future__ import annotations

import re
from typing import Final

# -- writes ---------------------------------------------------------------------------------------

INSERT_EPISODES: Final = """
INSERT OR IGNORE INTO episodes (uuid, group_id, source, kind, content, reference_time,
                                created_at, source_id, speaker, session)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

UPSERT_ENTITIES: Final = """
INSERT INTO entities (uuid, group_id, name, labels, aliases, summary, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (uuid) DO UPDATE SET
    group_id = excluded.group_id,
    name = excluded.name,
    labels = excluded.labels,
    aliases = excluded.aliases,
    summary = excluded.summary
"""

# Parameters: embedding, entity uuid.
UPSERT_ENTITY_VECTOR: Final = """
INSERT INTO entity_vectors (entity_id, embedding)
SELECT id, ? FROM entities WHERE uuid = ?
ON CONFLICT (entity_id) DO UPDATE SET embedding = excluded.embedding
"""

DELETE_ENTITY_VECTORS: Final = """
DELETE FROM entity_vectors
WHERE entity_id IN (SELECT e.id FROM json_each(?) AS j CROSS JOIN entities e ON e.uuid = j.value)
"""

UPSERT_FACTS: Final = """
INSERT INTO facts (uuid, group_id, subject_uuid, relation, object_uuid, fact, valid_at,
                   invalid_at, created_at, expired_at, episodes, sources, confidence,
                   invalidated_by, invalidated_by_episode, lineage, observed_at, valid_offset,
                   invalid_offset)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (uuid) DO UPDATE SET
    group_id = excluded.group_id,
    expired_at = excluded.expired_at,
    invalidated_by = excluded.invalidated_by,
    invalidated_by_episode = excluded.invalidated_by_episode,
    episodes = excluded.episodes,
    sources = excluded.sources,
    observed_at = excluded.observed_at,
    confidence = excluded.confidence
"""

# Parameters: embedding, fact uuid, largest fact id before this batch. A fact's embedding is
# stored with the row's first write and never changes, so fact ids with vectors only grow.
INSERT_FACT_VECTOR: Final = """
INSERT OR IGNORE INTO fact_vectors (fact_id, embedding)
SELECT id, ? FROM facts WHERE uuid = ? AND id > ?
"""

MAX_FACT_ID: Final = "SELECT coalesce(max(id), 0) FROM facts"

# Parameters: embedding, episode uuid, largest episode id before this batch. Episodes are
# inserted once and never change: as for facts, episode ids with vectors only grow.
INSERT_EPISODE_VECTOR: Final = """
INSERT OR IGNORE INTO episode_vectors (episode_id, embedding)
SELECT id, ? FROM episodes WHERE uuid = ? AND id > ?
"""

# Parameters: position, embedding, episode uuid, largest episode id before this batch (new
# episodes only, as for INSERT_EPISODE_VECTOR).
INSERT_EPISODE_SENTENCE_VECTOR: Final = """
INSERT OR IGNORE INTO episode_sentence_vectors (episode_id, position, embedding)
SELECT id, ?, ? FROM episodes WHERE uuid = ? AND id > ?
"""

# Parameters: group, uuids (JSON). The sentence vectors of episodes, in order.
EPISODE_SENTENCE_VECTORS: Final = """
SELECT p.uuid, s.embedding
FROM json_each(?2) AS j CROSS JOIN episodes p ON p.uuid = j.value
CROSS JOIN episode_sentence_vectors s ON s.episode_id = p.id
WHERE p.group_id = ?1 ORDER BY s.episode_id, s.position
"""

MAX_EPISODE_ID: Final = "SELECT coalesce(max(id), 0) FROM episodes"

DELETE_ENTITY_NAMES: Final = """
DELETE FROM entity_names
WHERE entity_id IN (SELECT e.id FROM json_each(?) AS j CROSS JOIN entities e ON e.uuid = j.value)
"""

INSERT_ENTITY_NAME: Final = """
INSERT OR IGNORE INTO entity_names (group_id, key, entity_id)
SELECT group_id, ?, id FROM entities WHERE uuid = ?
"""

ENTITY_GROUPS: Final = """
SELECT e.uuid, e.group_id FROM json_each(?) AS j CROSS JOIN entities e ON e.uuid = j.value
"""

EPISODE_GROUPS: Final = """
SELECT p.uuid, p.group_id FROM json_each(?) AS j CROSS JOIN episodes p ON p.uuid = j.value
"""

INSERT_MENTIONS: Final = """
INSERT OR IGNORE INTO mentions (group_id, episode_uuid, entity_uuid) VALUES (?, ?, ?)
"""

UPSERT_SETTING: Final = """
INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""

# -- vectors (by target) ----------------------------------------------------------------------

# Parameters: uuids (JSON). Rows: id, group, embedding or NULL.
VECTORS_BY_UUID: Final = {
    "entity": """
SELECT e.id, e.group_id, v.embedding
FROM json_each(?) AS j CROSS JOIN entities e ON e.uuid = j.value
LEFT JOIN entity_vectors v ON v.entity_id = e.id
""",
    "fact": """
SELECT f.id, f.group_id, v.embedding
FROM json_each(?) AS j CROSS JOIN facts f ON f.uuid = j.value
LEFT JOIN fact_vectors v ON v.fact_id = f.id
""",
    "episode": """
SELECT p.id, p.group_id, v.embedding
FROM json_each(?) AS j CROSS JOIN episodes p ON p.uuid = j.value
LEFT JOIN episode_vectors v ON v.episode_id = p.id
""",
    "sentence": """
SELECT s.id, p.group_id, s.embedding
FROM json_each(?) AS j CROSS JOIN episodes p ON p.uuid = j.value
CROSS JOIN episode_sentence_vectors s ON s.episode_id = p.id
""",
}

# Parameters: group.
VECTORS_OF_GROUP: Final = {
    "entity": """
SELECT e.id, v.embedding FROM entities e CROSS JOIN entity_vectors v ON v.entity_id = e.id
WHERE e.group_id = ? ORDER BY e.id
""",
    "fact": """
SELECT f.id, v.embedding FROM facts f CROSS JOIN fact_vectors v ON v.fact_id = f.id
WHERE f.group_id = ? ORDER BY f.id
""",
    "episode": """
SELECT p.id, v.embedding FROM episodes p CROSS JOIN episode_vectors v ON v.episode_id = p.id
WHERE p.group_id = ? ORDER BY p.id
""",
    "sentence": """
SELECT s.id, s.embedding
FROM episodes p CROSS JOIN episode_sentence_vectors s ON s.episode_id = p.id
WHERE p.group_id = ? ORDER BY s.id
""",
}

# Parameters: group. How many rows VECTORS_OF_GROUP returns.
COUNT_VECTORS_OF_GROUP: Final = {
    "entity": """
SELECT count(*) FROM entities e CROSS JOIN entity_vectors v ON v.entity_id = e.id
WHERE e.group_id = ?
""",
    "fact": """
SELECT count(*) FROM facts f CROSS JOIN fact_vectors v ON v.fact_id = f.id
WHERE f.group_id = ?
""",
    "episode": """
SELECT count(*) FROM episodes p CROSS JOIN episode_vectors v ON v.episode_id = p.id
WHERE p.group_id = ?
""",
    "sentence": """
SELECT count(*) FROM episodes p CROSS JOIN episode_sentence_vectors s ON s.episode_id = p.id
WHERE p.group_id = ?
""",
}

# Parameters: group, row id. The vectors added after that id (append-only targets).
VECTORS_AFTER: Final = {
    "fact": """
SELECT v.fact_id, v.embedding FROM fact_vectors v CROSS JOIN facts f ON f.id = v.fact_id
WHERE v.fact_id > ?2 AND f.group_id = ?1 ORDER BY v.fact_id
""",
    "episode": """
SELECT v.episode_id, v.embedding FROM episode_vectors v CROSS JOIN episodes p ON p.id = v.episode_id
WHERE v.episode_id > ?2 AND p.group_id = ?1 ORDER BY v.episode_id
""",
    "sentence": """
SELECT s.id, s.embedding
FROM episode_sentence_vectors s CROSS JOIN episodes p ON p.id = s.episode_id
WHERE s.id > ?2 AND p.group_id = ?1 ORDER BY s.id
""",
}

# Parameters: group, ids (JSON).
UUIDS_BY_ID: Final = {
    "entity": """
SELECT e.id, e.uuid FROM json_each(?2) AS j CROSS JOIN entities e ON e.id = j.value
WHERE e.group_id = ?1
""",
    "fact": """
SELECT f.id, f.uuid FROM json_each(?2) AS j CROSS JOIN facts f ON f.id = j.value
WHERE f.group_id = ?1
""",
    "episode": """
SELECT p.id, p.uuid FROM json_each(?2) AS j CROSS JOIN episodes p ON p.id = j.value
WHERE p.group_id = ?1
""",
    "sentence": """
SELECT s.id, p.uuid FROM json_each(?2) AS j CROSS JOIN episode_sentence_vectors s ON s.id = j.value
CROSS JOIN episodes p ON p.id = s.episode_id
WHERE p.group_id = ?1
""",
}

# -- reads ------------------------------------------------------------------------------------

GET_SETTING: Final = "SELECT value FROM settings WHERE key = ?"

# Parameters: group, uuids (JSON).
GET_BY_UUID: Final = {
    "episodes": """
SELECT p.uuid, p.group_id, p.source, p.kind, p.content, p.reference_time, p.created_at,
       p.source_id, p.speaker, p.session, v.embedding
FROM json_each(?2) AS j CROSS JOIN episodes p ON p.uuid = j.value
LEFT JOIN episode_vectors v ON v.episode_id = p.id
WHERE p.group_id = ?1
""",
    "episodes without vectors": """
SELECT p.uuid, p.group_id, p.source, p.kind, p.content, p.reference_time, p.created_at,
       p.source_id, p.speaker, p.session
FROM json_each(?2) AS j CROSS JOIN episodes p ON p.uuid = j.value
WHERE p.group_id = ?1
""",
    "entities": """
SELECT e.uuid, e.group_id, e.name, e.labels, e.aliases, e.summary, e.created_at, v.embedding
FROM json_each(?2) AS j CROSS JOIN entities e ON e.uuid = j.value
LEFT JOIN entity_vectors v ON v.entity_id = e.id
WHERE e.group_id = ?1
""",
    "facts": """
SELECT f.uuid, f.group_id, f.subject_uuid, f.relation, f.object_uuid, f.fact, f.valid_at,
       f.invalid_at, f.created_at, f.expired_at, f.episodes, f.sources, f.confidence,
       f.invalidated_by, f.invalidated_by_episode, f.lineage, f.observed_at, f.valid_offset,
       f.invalid_offset, v.embedding
FROM json_each(?2) AS j CROSS JOIN facts f ON f.uuid = j.value
LEFT JOIN fact_vectors v ON v.fact_id = f.id
WHERE f.group_id = ?1
""",
}

_VECTOR_JOIN: Final = re.compile(r"\s*LEFT JOIN \w+_vectors v ON v\.\w+_id = \w\.id")


def without_vectors(statement: str) -> str:
    """``statement`` reading NULL where it read the row's vector, without the vector join
    (for reads that need only the text: search)."""
    lighter, joins = _VECTOR_JOIN.subn("", statement)
    if joins != 1 or lighter.count("v.embedding") != 1:
        raise AssertionError(f"not a statement with one vector join: {statement}")
    return lighter.replace("v.embedding", "NULL")


GET_BY_UUID["entities without vectors"] = without_vectors(GET_BY_UUID["entities"])
GET_BY_UUID["facts without vectors"] = without_vectors(GET_BY_UUID["facts"])

# Parameters: group.
EPISODE_UUIDS_OF_GROUP: Final = "SELECT uuid FROM episodes WHERE group_id = ? ORDER BY id"
FACT_UUIDS_OF_GROUP: Final = "SELECT uuid FROM facts WHERE group_id = ? ORDER BY id"
GROUPS: Final = """
SELECT group_id FROM episodes UNION SELECT group_id FROM entities
UNION SELECT group_id FROM facts ORDER BY 1
"""

# Parameters: group, source, session ('' for none), reference time, uuid, how many.
EPISODES_BEFORE: Final = """
SELECT p.uuid, p.group_id, p.source, p.kind, p.content, p.reference_time, p.created_at,
       p.source_id, p.speaker, p.session
FROM episodes p
WHERE p.group_id = ?1 AND p.source = ?2 AND coalesce(p.session, '') = ?3
  AND (p.reference_time < ?4 OR (p.reference_time = ?4 AND p.uuid < ?5))
ORDER BY p.reference_time DESC, p.uuid DESC LIMIT ?6
"""
EPISODES_AFTER: Final = """
SELECT p.uuid, p.group_id, p.source, p.kind, p.content, p.reference_time, p.created_at,
       p.source_id, p.speaker, p.session
FROM episodes p
WHERE p.group_id = ?1 AND p.source = ?2 AND coalesce(p.session, '') = ?3
  AND (p.reference_time > ?4 OR (p.reference_time = ?4 AND p.uuid > ?5))
ORDER BY p.reference_time, p.uuid LIMIT ?6
"""

KNOWN_SOURCES: Final = """
SELECT source_id FROM episodes
WHERE group_id = ? AND source = ? AND source_id IN (SELECT value FROM json_each(?))
"""

# Parameters: group, labels (JSON or NULL for any).
ENTITIES_OF_GROUP: Final = """
SELECT e.uuid, e.group_id, e.name, e.labels, e.aliases, e.summary, e.created_at, v.embedding
FROM entities e LEFT JOIN entity_vectors v ON v.entity_id = e.id
WHERE e.group_id = ?1
  AND (?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(e.labels) AS l
                             WHERE l.value IN (SELECT value FROM json_each(?2))))
ORDER BY e.id
"""

# Parameters: group, labels (JSON or NULL for any), name keys (JSON).
ENTITIES_BY_NAME: Final = """
SELECT e.uuid, e.group_id, e.name, e.labels, e.aliases, e.summary, e.created_at, v.embedding
FROM (SELECT DISTINCT n.entity_id AS id FROM json_each(?3) AS j
      CROSS JOIN entity_names n ON n.group_id = ?1 AND n.key = j.value) AS hit
CROSS JOIN entities e ON e.id = hit.id
LEFT JOIN entity_vectors v ON v.entity_id = e.id
WHERE e.group_id = ?1
  AND (?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(e.labels) AS l
                             WHERE l.value IN (SELECT value FROM json_each(?2))))
ORDER BY e.id
"""

ENTITIES_OF_GROUP_WITHOUT_VECTORS: Final = without_vectors(ENTITIES_OF_GROUP)
ENTITIES_BY_NAME_WITHOUT_VECTORS: Final = without_vectors(ENTITIES_BY_NAME)

# Parameters: group, episode uuids (JSON).
MENTIONS: Final = """
SELECT m.episode_uuid, m.entity_uuid
FROM json_each(?2) AS j
CROSS JOIN mentions m ON m.episode_uuid = j.value
CROSS JOIN entities e ON e.uuid = m.entity_uuid
WHERE m.group_id = ?1
ORDER BY e.id
"""

# Parameters: now.
STATS_ALL: Final = """
SELECT (SELECT count(*) FROM episodes),
       (SELECT count(*) FROM entities),
       (SELECT count(*) FROM facts),
       (SELECT count(*) FROM facts
        WHERE expired_at IS NULL AND (invalid_at IS NULL OR invalid_at > ?1)),
       (SELECT count(*) FROM (SELECT group_id FROM episodes UNION SELECT group_id FROM entities
                              UNION SELECT group_id FROM facts))
"""

# Parameters: group, now.
STATS_GROUP: Final = """
SELECT (SELECT count(*) FROM episodes WHERE group_id = ?1),
       (SELECT count(*) FROM entities WHERE group_id = ?1),
       (SELECT count(*) FROM facts WHERE group_id = ?1),
       (SELECT count(*) FROM facts
        WHERE group_id = ?1 AND expired_at IS NULL AND (invalid_at IS NULL OR invalid_at > ?2))
"""

# -- fact statements completed by a FactFilter condition (alias f) ----------------------------

# Parameters: group.
LIST_FACTS: Final = """
SELECT f.uuid, f.group_id, f.subject_uuid, f.relation, f.object_uuid, f.fact, f.valid_at,
       f.invalid_at, f.created_at, f.expired_at, f.episodes, f.sources, f.confidence,
       f.invalidated_by, f.invalidated_by_episode, f.lineage, f.observed_at, f.valid_offset,
       f.invalid_offset, v.embedding
FROM facts f LEFT JOIN fact_vectors v ON v.fact_id = f.id
WHERE f.group_id = ?
"""

# Parameters: group, entity uuids (JSON), group, entity uuids (JSON). Two indexed lookups
# (by subject, by object) rather than a scan with OR.
NEIGHBOR_FACTS: Final = """
SELECT f.uuid, f.group_id, f.subject_uuid, f.relation, f.object_uuid, f.fact, f.valid_at,
       f.invalid_at, f.created_at, f.expired_at, f.episodes, f.sources, f.confidence,
       f.invalidated_by, f.invalidated_by_episode, f.lineage, f.observed_at, f.valid_offset,
       f.invalid_offset, v.embedding
FROM facts f LEFT JOIN fact_vectors v ON v.fact_id = f.id
WHERE f.id IN (SELECT id FROM facts
               WHERE group_id = ? AND subject_uuid IN (SELECT value FROM json_each(?))
               UNION
               SELECT id FROM facts
               WHERE group_id = ? AND object_uuid IN (SELECT value FROM json_each(?)))
"""

LIST_FACTS_WITHOUT_VECTORS: Final = without_vectors(LIST_FACTS)
NEIGHBOR_FACTS_WITHOUT_VECTORS: Final = without_vectors(NEIGHBOR_FACTS)

# Parameters: limit. Walks the valid_at index: good without a selective condition.
FACTS_ORDER: Final = " ORDER BY f.valid_at, f.created_at, f.id LIMIT ?"

# Parameters: limit. Sorts the selected rows (the + keeps the planner from walking the valid_at
# index over the whole group): for statements selecting by subject, object or id.
FACTS_ORDER_SORTED: Final = " ORDER BY +f.valid_at, f.created_at, f.id LIMIT ?"

# Parameters: match expression, candidate count (-1: all), group. The best candidates by BM25
# come first; the group and the fact filter are checked on those only.
FULLTEXT_FACTS: Final = """
SELECT f.uuid, hit.rank
FROM (SELECT rowid, rank FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rank LIMIT ?) AS hit
CROSS JOIN facts f ON f.id = hit.rowid
WHERE f.group_id = ?
"""

# Parameters: limit.
FULLTEXT_ORDER: Final = " ORDER BY hit.rank, f.id LIMIT ?"

# Parameters: match expression, candidate count (-1: all), group, limit.
FULLTEXT_EPISODES: Final = """
SELECT p.uuid, hit.rank
FROM (SELECT rowid, rank FROM episodes_fts WHERE episodes_fts MATCH ? ORDER BY rank LIMIT ?)
     AS hit
CROSS JOIN episodes p ON p.id = hit.rowid
WHERE p.group_id = ?
ORDER BY hit.rank, p.id LIMIT ?
"""

# Parameters: match expression, group, limit. Names weigh twice as much as aliases.
FULLTEXT_ENTITIES: Final = """
SELECT e.uuid, bm25(entities_fts, 2.0, 1.0) AS rank
FROM entities_fts CROSS JOIN entities e ON e.id = entities_fts.rowid
WHERE entities_fts MATCH ? AND e.group_id = ?
ORDER BY rank, e.id LIMIT ?
"""

# Parameters: group.
FACT_IDS_OF_GROUP: Final = "SELECT f.id FROM facts f WHERE f.group_id = ?"

# Parameters: group, ids (JSON).
FACT_IDS_AMONG: Final = """
SELECT f.id, f.uuid FROM json_each(?2) AS j CROSS JOIN facts f ON f.id = j.value
WHERE f.group_id = ?1
"""

LIMIT: Final = " LIMIT ?"

# Parameters: key. Adds one to a counting setting (created at 1).
BUMP_SETTING_COUNTER: Final = """
INSERT INTO settings (key, value) VALUES (?, '1')
ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
"""

# Per full-text table: its rows matching one term, counted up to a cap (parameters: term,
# cap), and the largest id of its content table (ids count up from 1 and rows are never
# deleted: the table's size).
FULLTEXT_TERM_ROWS: Final = {
    "facts_fts": "SELECT count(*) FROM (SELECT 1 FROM facts_fts WHERE facts_fts MATCH ? LIMIT ?)",
    "entities_fts": (
        "SELECT count(*) FROM (SELECT 1 FROM entities_fts WHERE entities_fts MATCH ? LIMIT ?)"
    ),
    "episodes_fts": (
        "SELECT count(*) FROM (SELECT 1 FROM episodes_fts WHERE episodes_fts MATCH ? LIMIT ?)"
    ),
}
FULLTEXT_SIZE: Final = {
    "facts_fts": "SELECT max(id) FROM facts",
    "entities_fts": "SELECT max(id) FROM entities",
    "episodes_fts": "SELECT max(id) FROM episodes",
}

# -- erasure (parameters: group id, a JSON list of uuids or keys) ----------------------------
# Full-text entries go with their rows (triggers), vectors too (ON DELETE CASCADE).

ERASE_MENTIONS: Final = """
DELETE FROM mentions
WHERE group_id = ?1
  AND (episode_uuid IN (SELECT value FROM json_each(?2))
       OR entity_uuid IN (SELECT value FROM json_each(?3)))
"""
# Parameters: valid_at, invalid_at (microseconds or NULL), their UTC offsets (minutes or
# NULL), group id, fact uuid. Only an erasure rewrites a kept row's interval (the dates the
# erased text gave it).
SET_FACT_INTERVAL: Final = """
UPDATE facts SET valid_at = ?, invalid_at = ?, valid_offset = ?, invalid_offset = ?
WHERE group_id = ? AND uuid = ?
"""
ERASE_FACTS: Final = """
DELETE FROM facts WHERE group_id = ? AND uuid IN (SELECT value FROM json_each(?))
"""
ERASE_EPISODES: Final = """
DELETE FROM episodes WHERE group_id = ? AND uuid IN (SELECT value FROM json_each(?))
"""
ERASE_ENTITIES: Final = """
DELETE FROM entities WHERE group_id = ? AND uuid IN (SELECT value FROM json_each(?))
"""
ERASE_SETTINGS: Final = "DELETE FROM settings WHERE key IN (SELECT value FROM json_each(?))"
OPTIMIZE_FULLTEXT: Final = (
    "INSERT INTO facts_fts (facts_fts) VALUES ('optimize')",
    "INSERT INTO entities_fts (entities_fts) VALUES ('optimize')",
    "INSERT INTO episodes_fts (episodes_fts) VALUES ('optimize')",
)
"""Each full-text index merged into one segment after an erasure: FTS5 keeps a deleted row's
terms in its old segments until they are merged."""
