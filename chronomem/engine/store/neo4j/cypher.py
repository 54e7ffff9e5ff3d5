"""Every Cypher statement of the Neo4j backend, as named constants.

Values always travel as ``$parameters``. Labels, relationship types and index names are never
taken from user input: the only generated text is built here, at import time, from the constant
:data:`NODE_LABELS` allow-list, or from the constant filter fragments below.

Property names follow graphiti-core's Neo4j schema (``Episodic``/``Entity`` nodes,
``MENTIONS``/``RELATES_TO`` relationships), plus a few chronomem properties (``kind``,
``source_id``, ``speaker``, ``session``, ``aliases``, ``name_key``, ``alias_keys``, ``sources``,
``confidence``, ``lineage``, ``invalidated_by``, ``invalidated_by_episode``) and chronomem's
``(:Episodic)-[:HAS_SENTENCE]->(:Sentence)`` sentence vectors of a turn (a vector index covers
one property per node, so each sentence vector is a node of its own).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from chronomem.engine.store.protocol import FactFilter

# --------------------------------------------------------------------------------------------
# Labels: the only node labels ever written besides Episodic, Entity, Sentence and
# ChronomemMeta.

NODE_LABELS: Final[tuple[str, ...]] = (
    "Person",
    "Organization",
    "Place",
    "Event",
    "Date",
    "Product",
    "Concept",
)
"""Entity labels that also become Neo4j node labels; other labels live only in ``n.labels``."""

for _label in NODE_LABELS:  # the generated SET/REMOVE clauses below rely on this
    if not re.fullmatch(r"[A-Z][A-Za-z]{1,31}", _label):
        raise AssertionError(f"unsafe node label in the allow-list: {_label!r}")

# --------------------------------------------------------------------------------------------
# Schema. Names follow graphiti-core where it has an equivalent, so graphiti's own
# ``CREATE ... IF NOT EXISTS`` statements find them and do nothing.

ENTITY_FULLTEXT_INDEX: Final = "entity_name_and_aliases"
FACT_FULLTEXT_INDEX: Final = "edge_name_and_fact"
EPISODE_FULLTEXT_INDEX: Final = "episode_content"
FULLTEXT_PROPERTIES: Final = {
    EPISODE_FULLTEXT_INDEX: ("content", "source", "source_description", "group_id"),
    FACT_FULLTEXT_INDEX: ("name", "fact", "group_id"),
    ENTITY_FULLTEXT_INDEX: ("name", "aliases", "group_id"),
}
"""The properties of each full-text index (every index holds ``group_id`` for pre-filtering)."""
ENTITY_VECTOR_INDEX: Final = "entity_name_embedding"
EPISODE_VECTOR_INDEX: Final = "episode_content_embedding"
SENTENCE_VECTOR_INDEX: Final = "sentence_embedding"
FACT_VECTOR_INDEX: Final = "edge_fact_embedding"

CONSTRAINTS: Final[tuple[str, ...]] = (
    "CREATE CONSTRAINT entity_uuid IF NOT EXISTS FOR (n:Entity) REQUIRE n.uuid IS UNIQUE",
    "CREATE CONSTRAINT episode_uuid IF NOT EXISTS FOR (n:Episodic) REQUIRE n.uuid IS UNIQUE",
    "CREATE CONSTRAINT chronomem_meta_key IF NOT EXISTS "
    "FOR (m:ChronomemMeta) REQUIRE m.key IS UNIQUE",
    "CREATE CONSTRAINT episode_source_unique IF NOT EXISTS "
    "FOR (n:Episodic) REQUIRE n.source_key IS UNIQUE",
    "CREATE CONSTRAINT sentence_position IF NOT EXISTS "
    "FOR (n:Sentence) REQUIRE (n.episode_uuid, n.position) IS UNIQUE",
)

RANGE_INDEXES: Final[tuple[str, ...]] = (
    "CREATE INDEX relation_uuid IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.uuid)",
    "CREATE INDEX mention_uuid IF NOT EXISTS FOR ()-[e:MENTIONS]-() ON (e.uuid)",
    "CREATE INDEX entity_group_id IF NOT EXISTS FOR (n:Entity) ON (n.group_id)",
    "CREATE INDEX episode_group_id IF NOT EXISTS FOR (n:Episodic) ON (n.group_id)",
    "CREATE INDEX relation_group_id IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.group_id)",
    "CREATE INDEX mention_group_id IF NOT EXISTS FOR ()-[e:MENTIONS]-() ON (e.group_id)",
    "CREATE INDEX name_entity_index IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    "CREATE INDEX created_at_entity_index IF NOT EXISTS FOR (n:Entity) ON (n.created_at)",
    "CREATE INDEX created_at_episodic_index IF NOT EXISTS FOR (n:Episodic) ON (n.created_at)",
    "CREATE INDEX valid_at_episodic_index IF NOT EXISTS FOR (n:Episodic) ON (n.valid_at)",
    "CREATE INDEX name_edge_index IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.name)",
    "CREATE INDEX created_at_edge_index IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.created_at)",
    "CREATE INDEX expired_at_edge_index IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.expired_at)",
    "CREATE INDEX valid_at_edge_index IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.valid_at)",
    "CREATE INDEX invalid_at_edge_index IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.invalid_at)",
    # chronomem's own lookups
    "CREATE INDEX entity_name_key IF NOT EXISTS FOR (n:Entity) ON (n.group_id, n.name_key)",
    "CREATE INDEX episode_source_key IF NOT EXISTS "
    "FOR (n:Episodic) ON (n.group_id, n.source_description, n.source_id)",
    "CREATE INDEX relation_lineage IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.lineage)",
    "CREATE INDEX sentence_group_id IF NOT EXISTS FOR (n:Sentence) ON (n.group_id)",
    "CREATE INDEX episode_session_time IF NOT EXISTS "
    "FOR (n:Episodic) ON (n.group_id, n.source_description, n.session, n.valid_at)",
)

_FULLTEXT_OPTIONS: Final = "OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}"
"""Lucene's English analyzer lower-cases and Porter-stems, like the embedded store's FTS5
tokenizer (it also drops English stop words, which carry no BM25 weight)."""

FULLTEXT_INDEXES: Final[tuple[str, ...]] = (
    # the same fields as graphiti-core's indexes of these names; chronomem queries one field
    "CREATE FULLTEXT INDEX episode_content IF NOT EXISTS "
    "FOR (e:Episodic) ON EACH [e.content, e.source, e.source_description, e.group_id] "
    + _FULLTEXT_OPTIONS,
    "CREATE FULLTEXT INDEX edge_name_and_fact IF NOT EXISTS "
    "FOR ()-[e:RELATES_TO]-() ON EACH [e.name, e.fact, e.group_id] " + _FULLTEXT_OPTIONS,
    # no graphiti equivalent: entity names and aliases (a LIST<STRING>)
    "CREATE FULLTEXT INDEX entity_name_and_aliases IF NOT EXISTS "
    "FOR (n:Entity) ON EACH [n.name, n.aliases, n.group_id] " + _FULLTEXT_OPTIONS,
)

DIMENSION_PLACEHOLDER: Final = "%DIMENSION%"
"""Replaced by the integer dimension (validated as an int) in :data:`VECTOR_INDEXES`."""

HNSW_M: Final = 32
"""Links per vector in the vector indexes' HNSW graphs (Neo4j's default is 16)."""
HNSW_EF_CONSTRUCTION: Final = 256
"""Candidates considered per insertion when the HNSW graphs are built (Neo4j's default is
100). With these two, on 300,000 synthetic fact vectors (the same segments, written the same
way), recall@10 against exact search was 0.993 at 100 hits fetched where Neo4j's defaults
needed 300 hits (and 1.75x the query time) for 0.995; writing the vectors took 1.4x as long
(docs/benchmarks.md, eleventh session)."""

VECTOR_QUANTIZATION: Final = False
"""Whether the vector indexes keep their vectors as int8 (Neo4j 5.26's default) or as float32.
Quantized, an index's scores are estimates from int8 values scaled per Lucene segment by the
spread of the vectors that segment holds: on a database holding vectors of more than one
kind (this machine's test server), vectors queried with themselves were found in the top 5 by
46 of 118 searches, all 118 with float32 (docs/benchmarks.md, twelfth session)."""

_VECTOR_OPTIONS: Final = (
    "OPTIONS {indexConfig: {`vector.dimensions`: %DIMENSION%, "
    "`vector.similarity_function`: 'cosine', "
    f"`vector.hnsw.m`: {HNSW_M}, `vector.hnsw.ef_construction`: {HNSW_EF_CONSTRUCTION}, "
    f"`vector.quantization.enabled`: {str(VECTOR_QUANTIZATION).lower()}}}}}"
)

VECTOR_INDEXES: Final[tuple[str, ...]] = (
    "CREATE VECTOR INDEX entity_name_embedding IF NOT EXISTS "
    "FOR (n:Entity) ON (n.name_embedding) " + _VECTOR_OPTIONS,
    "CREATE VECTOR INDEX edge_fact_embedding IF NOT EXISTS "
    "FOR ()-[e:RELATES_TO]-() ON (e.fact_embedding) " + _VECTOR_OPTIONS,
    "CREATE VECTOR INDEX episode_content_embedding IF NOT EXISTS "
    "FOR (n:Episodic) ON (n.content_embedding) " + _VECTOR_OPTIONS,
    "CREATE VECTOR INDEX sentence_embedding IF NOT EXISTS "
    "FOR (n:Sentence) ON (n.embedding) " + _VECTOR_OPTIONS,
)

SHOW_FULLTEXT_INDEXES: Final = (
    "SHOW FULLTEXT INDEXES YIELD name, properties WHERE name IN $names RETURN name, properties"
)

SHOW_VECTOR_INDEXES: Final = (
    "SHOW VECTOR INDEXES YIELD name, options, state "
    "WHERE name IN $names "
    "RETURN name, options.indexConfig.`vector.dimensions` AS dimension, "
    "options.indexConfig.`vector.hnsw.m` AS m, "
    "options.indexConfig.`vector.hnsw.ef_construction` AS ef_construction, "
    "options.indexConfig.`vector.quantization.enabled` AS quantization, "
    "options.indexConfig.`vector.quantization.type` AS quantization_type, state"
)
"""The vector indexes' settings. Neo4j 5 reports quantization as ``vector.quantization.enabled``
(true/false); its later versions' vector provider (``vector-2026.08`` in 2026.09) as
``vector.quantization.type`` (``NONE`` for none; ``BINARY`` where 5 would say true):
:func:`.indexes.quantized` reads either."""

INDEX_STATES: Final = "SHOW INDEXES YIELD name, state, populationPercent AS percent"

VECTOR_INDEX_NAMES: Final = (
    ENTITY_VECTOR_INDEX,
    FACT_VECTOR_INDEX,
    EPISODE_VECTOR_INDEX,
    SENTENCE_VECTOR_INDEX,
)
"""The vector indexes :data:`VECTOR_INDEXES` creates."""

# Index names cannot be parameters: these are the constants above, nothing from outside.
DROP_VECTOR_INDEXES: Final = tuple(f"DROP INDEX {name} IF EXISTS" for name in VECTOR_INDEX_NAMES)

VECTOR_INDEX_STATES: Final = (
    "SHOW VECTOR INDEXES YIELD name, state, populationPercent "
    "WHERE name IN $names RETURN name, state, populationPercent AS percent"
)

# --------------------------------------------------------------------------------------------
# Writes (one transaction per batch; every statement is an UNWIND over a list parameter).

# An episode whose uuid, or whose (group_id, source, source_id), is stored already is skipped.
# A created episode (the merged node has the row's uuid) gets a Sentence node per sentence
# vector, keyed by (episode_uuid, position); skipped ones get none, so nothing is duplicated.
WRITE_EPISODES: Final = """
UNWIND $episodes AS ep
OPTIONAL MATCH (known:Episodic {uuid: ep.uuid})
WITH ep, known
WHERE known IS NULL
MERGE (e:Episodic {group_id: ep.group_id, source_description: ep.source_description,
                   source_id: ep.source_id})
ON CREATE SET
    e.uuid = ep.uuid,
    e.source_key = ep.source_key,
    e.name = ep.name,
    e.source = ep.source,
    e.kind = ep.kind,
    e.content = ep.content,
    e.valid_at = ep.valid_at,
    e.created_at = ep.created_at,
    e.speaker = ep.speaker,
    e.session = ep.session,
    e.content_embedding = ep.content_embedding,
    e.entity_edges = []
WITH e, ep
WHERE e.uuid = ep.uuid
UNWIND range(0, size(ep.sentence_embeddings) - 1) AS position
MERGE (s:Sentence {episode_uuid: e.uuid, position: position})
SET s.group_id = e.group_id,
    s.embedding = ep.sentence_embeddings[position]
MERGE (e)-[:HAS_SENTENCE]->(s)
"""

ENTITY_GROUP_CONFLICTS: Final = """
UNWIND $entities AS ent
MATCH (n:Entity {uuid: ent.uuid})
WHERE n.group_id <> ent.group_id
RETURN n.uuid AS uuid, n.group_id AS stored, ent.group_id AS given
"""

FACT_GROUP_CONFLICTS: Final = """
UNWIND $facts AS f
MATCH ()-[r:RELATES_TO {uuid: f.uuid}]->()
WHERE r.group_id <> f.group_id
RETURN r.uuid AS uuid, r.group_id AS stored, f.group_id AS given
"""

_ENTITY_LABEL_CLAUSES: Final = "\n".join(
    f"FOREACH (_ IN CASE WHEN '{label}' IN ent.labels THEN [1] ELSE [] END | SET n:{label})\n"
    f"FOREACH (_ IN CASE WHEN '{label}' IN ent.labels THEN [] ELSE [1] END | REMOVE n:{label})"
    for label in NODE_LABELS
)

WRITE_ENTITIES: Final = (
    """
UNWIND $entities AS ent
MERGE (n:Entity {uuid: ent.uuid})
ON CREATE SET
    n.group_id = ent.group_id,
    n.created_at = ent.created_at
SET n.name = ent.name,
    n.name_key = ent.name_key,
    n.labels = ent.labels,
    n.aliases = ent.aliases,
    n.alias_keys = ent.alias_keys,
    n.summary = ent.summary,
    n.name_embedding = ent.name_embedding
"""
    + _ENTITY_LABEL_CLAUSES
)

UPDATE_FACTS: Final = """
UNWIND $facts AS f
MATCH ()-[r:RELATES_TO {uuid: f.uuid}]->()
SET r.expired_at = f.expired_at,
    r.invalidated_by = f.invalidated_by,
    r.invalidated_by_episode = f.invalidated_by_episode,
    r.episodes = f.episodes,
    r.sources = f.sources,
    r.observed_at = f.observed_at,
    r.confidence = f.confidence
RETURN f.uuid AS uuid
"""

CREATE_FACTS: Final = """
UNWIND $facts AS f
MATCH (s:Entity {uuid: f.subject_uuid})
WHERE s.group_id = f.props.group_id
MATCH (o:Entity {uuid: f.object_uuid})
WHERE o.group_id = f.props.group_id
CREATE (s)-[r:RELATES_TO]->(o)
SET r = f.props
RETURN f.uuid AS uuid
"""

LINK_FACT_EPISODES: Final = """
UNWIND $links AS link
MATCH (e:Episodic {uuid: link.episode})
WHERE NOT link.fact IN coalesce(e.entity_edges, [])
SET e.entity_edges = coalesce(e.entity_edges, []) + link.fact
"""

ENTITY_GROUPS: Final = """
UNWIND $uuids AS uuid
MATCH (n:Entity {uuid: uuid})
RETURN n.uuid AS uuid, n.group_id AS group_id
"""

MENTION_ENDS: Final = """
UNWIND $mentions AS m
OPTIONAL MATCH (e:Episodic {uuid: m.episode})
OPTIONAL MATCH (n:Entity {uuid: m.entity})
RETURN m.episode AS episode, m.entity AS entity, e.group_id AS episode_group,
       n.group_id AS entity_group
"""

WRITE_MENTIONS: Final = """
UNWIND $mentions AS m
MATCH (e:Episodic {uuid: m.episode})
MATCH (n:Entity {uuid: m.entity})
MERGE (e)-[r:MENTIONS]->(n)
ON CREATE SET r.uuid = m.uuid, r.group_id = e.group_id, r.created_at = $now
"""

# --------------------------------------------------------------------------------------------
# Reads.

# Times are read as text (``toString``: ISO 8601 with the offset), which
# :func:`.records.from_db_time` parses: the driver's ``DateTime`` values cost about 50 us each
# to decode, most of the time of a read of many rows (a fact has five times).
_EPISODE_COLUMNS: Final = """
RETURN e.uuid AS uuid, e.group_id AS group_id, e.source AS source,
       e.source_description AS source_description, e.kind AS kind, e.content AS content,
       toString(e.valid_at) AS valid_at, toString(e.created_at) AS created_at,
       e.source_id AS source_id,
       e.speaker AS speaker, e.session AS session"""

EPISODE_RETURN: Final = _EPISODE_COLUMNS + ", e.content_embedding AS content_embedding\n"

GET_EPISODES: Final = (
    """
MATCH (e:Episodic)
WHERE e.uuid IN $uuids AND e.group_id = $group_id
"""
    + EPISODE_RETURN.rstrip()
    + """,
       COLLECT {
           MATCH (e)-[:HAS_SENTENCE]->(s:Sentence)
           RETURN s.embedding ORDER BY s.position
       } AS sentence_embeddings
"""
)

# GET_EPISODES without the vectors (search reads only the text).
GET_EPISODES_WITHOUT_VECTORS: Final = (
    """
MATCH (e:Episodic)
WHERE e.uuid IN $uuids AND e.group_id = $group_id"""
    + _EPISODE_COLUMNS
    + "\n"
)

# Turns of a known session are found through episode_session_time (the session's turns
# before or after the centre, by a range seek); turns of no session scan their source. Each
# branch first keeps the centre only when it applies (an UNWIND of a list that is empty
# otherwise): its match then never runs for the other kind of centre. A filter on ``t``
# alone, or a seek value that is null when the branch does not apply, can be planned after
# a scan of every episode by time (seen on Neo4j 5.26).
_IF_SESSION: Final = "UNWIND CASE WHEN t.session <> $no_session THEN [t] ELSE [] END AS c\n"
_IF_NO_SESSION: Final = (
    "UNWIND CASE WHEN coalesce(t.session, $no_session) = $no_session THEN [t] ELSE [] END AS c\n"
)
ADJACENT_EPISODES: Final = f"""
UNWIND $uuids AS u
MATCH (t:Episodic {{uuid: u}}) WHERE t.group_id = $group_id
CALL (t) {{
    {_IF_SESSION}    MATCH (e:Episodic)
    WHERE e.group_id = c.group_id AND e.source_description = c.source_description
      AND e.session = c.session AND e.valid_at <= c.valid_at
      AND (e.valid_at < c.valid_at OR e.uuid < c.uuid)
    WITH e ORDER BY e.valid_at DESC, e.uuid DESC LIMIT $before
    RETURN e, 0 AS side
  UNION ALL
    {_IF_SESSION}    MATCH (e:Episodic)
    WHERE e.group_id = c.group_id AND e.source_description = c.source_description
      AND e.session = c.session AND e.valid_at >= c.valid_at
      AND (e.valid_at > c.valid_at OR e.uuid > c.uuid)
    WITH e ORDER BY e.valid_at, e.uuid LIMIT $after
    RETURN e, 1 AS side
  UNION ALL
    {_IF_NO_SESSION}    MATCH (e:Episodic)
    WHERE e.group_id = c.group_id AND e.source_description = c.source_description
      AND coalesce(e.session, $no_session) = $no_session
      AND (e.valid_at < c.valid_at OR (e.valid_at = c.valid_at AND e.uuid < c.uuid))
    WITH e ORDER BY e.valid_at DESC, e.uuid DESC LIMIT $before
    RETURN e, 0 AS side
  UNION ALL
    {_IF_NO_SESSION}    MATCH (e:Episodic)
    WHERE e.group_id = c.group_id AND e.source_description = c.source_description
      AND coalesce(e.session, $no_session) = $no_session
      AND (e.valid_at > c.valid_at OR (e.valid_at = c.valid_at AND e.uuid > c.uuid))
    WITH e ORDER BY e.valid_at, e.uuid LIMIT $after
    RETURN e, 1 AS side
}}
WITH t.uuid AS centre, e ORDER BY e.valid_at, e.uuid
""" + _EPISODE_COLUMNS.replace("RETURN ", "RETURN centre, ", 1)

KNOWN_SOURCES: Final = """
MATCH (e:Episodic)
WHERE e.group_id = $group_id AND e.source_description = $source AND e.source_id IN $source_ids
RETURN DISTINCT e.source_id AS source_id
"""

ENTITY_RETURN: Final = """
RETURN n.uuid AS uuid, n.group_id AS group_id, n.name AS name, n.labels AS labels,
       [x IN labels(n) WHERE x <> 'Entity'] AS node_labels, n.aliases AS aliases,
       n.summary AS summary, toString(n.created_at) AS created_at,
       n.name_embedding AS name_embedding
"""

GET_ENTITIES: Final = (
    """
MATCH (n:Entity)
WHERE n.uuid IN $uuids AND n.group_id = $group_id
"""
    + ENTITY_RETURN
)

FIND_ENTITIES_BY_KEY: Final = (
    """
MATCH (n:Entity)
WHERE n.group_id = $group_id
  AND (n.name_key IN $keys OR any(k IN coalesce(n.alias_keys, []) WHERE k IN $keys))
  AND ($labels IS NULL OR any(l IN coalesce(n.labels, []) WHERE l IN $labels))
"""
    + ENTITY_RETURN
    + "ORDER BY n.created_at, n.uuid\n"
)

FIND_ENTITIES_ALL: Final = (
    """
MATCH (n:Entity)
WHERE n.group_id = $group_id
  AND ($labels IS NULL OR any(l IN coalesce(n.labels, []) WHERE l IN $labels))
"""
    + ENTITY_RETURN
    + "ORDER BY n.created_at, n.uuid\n"
)

FACT_FILTER: Final = """(
    CASE WHEN $known_at IS NULL THEN r.expired_at IS NULL
         ELSE r.created_at <= $known_at AND (r.expired_at IS NULL OR $known_at < r.expired_at)
    END
    AND ($as_of IS NULL
         OR ((r.valid_at IS NULL OR r.valid_at <= $as_of)
             AND (r.invalid_at IS NULL OR $as_of < r.invalid_at)))
    AND ($as_of IS NOT NULL OR NOT $current_only OR r.invalid_at IS NULL OR r.invalid_at > $now)
    AND ($valid_from IS NULL OR r.invalid_at IS NULL OR r.invalid_at > $valid_from)
    AND ($valid_to IS NULL OR r.valid_at IS NULL OR r.valid_at < $valid_to)
    AND ($relations IS NULL OR r.name IN $relations)
    AND ($subject_uuids IS NULL OR s.uuid IN $subject_uuids)
    AND ($object_uuids IS NULL OR o.uuid IN $object_uuids)
    AND ($end_uuids IS NULL OR s.uuid IN $end_uuids OR o.uuid IN $end_uuids)
    AND ($episode_uuids IS NULL OR any(source IN r.episodes WHERE source IN $episode_uuids))
)"""
"""Which fact rows ``r`` (from ``s`` to ``o``) a read returns: :meth:`FactFilter.accepts` in
Cypher. One text for every filter, so the server plans it once; see :func:`filter_params`."""

FACT_RETURN: Final = """
RETURN r.uuid AS uuid, r.group_id AS group_id, s.uuid AS subject_uuid, r.name AS relation,
       o.uuid AS object_uuid, r.fact AS fact, toString(r.valid_at) AS valid_at,
       toString(r.invalid_at) AS invalid_at, toString(r.created_at) AS created_at,
       toString(r.expired_at) AS expired_at,
       r.episodes AS episodes, r.sources AS sources,
       [t IN r.observed_at | toString(t)] AS observed_at,
       r.confidence AS confidence,
       r.invalidated_by AS invalidated_by, r.invalidated_by_episode AS invalidated_by_episode,
       r.lineage AS lineage, r.valid_offset AS valid_offset,
       r.invalid_offset AS invalid_offset, r.fact_embedding AS fact_embedding
"""

# valid_at unknown first, then by valid_at, then by creation (as the embedded store orders).
FACT_ORDER: Final = """
ORDER BY CASE WHEN r.valid_at IS NULL THEN 0 ELSE 1 END, r.valid_at, r.created_at, r.uuid
"""

GET_FACTS: Final = (
    """
MATCH (s:Entity)-[r:RELATES_TO]->(o:Entity)
WHERE r.uuid IN $uuids AND r.group_id = $group_id
"""
    + FACT_RETURN
)

GROUP_FACTS: Final = (
    """
MATCH (s:Entity)-[r:RELATES_TO]->(o:Entity)
WHERE r.group_id = $group_id
"""
    + FACT_RETURN
)
"""Every fact row of a group, expired or not (a small group's, held in the client with its
vectors)."""

# list_facts, three ways in: from the subjects' or the objects' uuid index when the filter
# names them, else from the group index.
_FACT_ROWS_OF_GROUP: Final = """
MATCH (s:Entity)-[r:RELATES_TO]->(o:Entity)
WHERE r.group_id = $group_id AND """
_FACT_ROWS_OF_SUBJECTS: Final = """
MATCH (s:Entity)
WHERE s.uuid IN $subject_uuids
MATCH (s)-[r:RELATES_TO]->(o:Entity)
WHERE r.group_id = $group_id AND """
_FACT_ROWS_OF_OBJECTS: Final = """
MATCH (o:Entity)
WHERE o.uuid IN $object_uuids
MATCH (s:Entity)-[r:RELATES_TO]->(o)
WHERE r.group_id = $group_id AND """


def _fact_rows_touching(parameter: str) -> str:
    """Fact rows with one of the entities ``$<parameter>`` at either end (a constant name)."""
    return f"""
MATCH (n:Entity)
WHERE n.uuid IN ${parameter}
MATCH (n)-[x:RELATES_TO]-()
WITH DISTINCT x AS r
MATCH (s:Entity)-[r]->(o:Entity)
WHERE r.group_id = $group_id AND """


_FACT_ROWS_OF_ENDS: Final = _fact_rows_touching("end_uuids")

# From the episodes: each lists the uuids of the fact rows extracted from it (entity_edges).
_FACT_ROWS_OF_EPISODES: Final = """
MATCH (ep:Episodic)
WHERE ep.uuid IN $episode_uuids AND ep.group_id = $group_id
UNWIND coalesce(ep.entity_edges, []) AS fact_uuid
MATCH (s:Entity)-[r:RELATES_TO {uuid: fact_uuid}]->(o:Entity)
WITH DISTINCT s, r, o
WHERE r.group_id = $group_id AND """

LIST_FACTS: Final = _FACT_ROWS_OF_GROUP + FACT_FILTER + FACT_RETURN + FACT_ORDER
LIST_FACTS_OF_SUBJECTS: Final = _FACT_ROWS_OF_SUBJECTS + FACT_FILTER + FACT_RETURN + FACT_ORDER
LIST_FACTS_OF_OBJECTS: Final = _FACT_ROWS_OF_OBJECTS + FACT_FILTER + FACT_RETURN + FACT_ORDER
LIST_FACTS_OF_ENDS: Final = _FACT_ROWS_OF_ENDS + FACT_FILTER + FACT_RETURN + FACT_ORDER
LIST_FACTS_OF_EPISODES: Final = _FACT_ROWS_OF_EPISODES + FACT_FILTER + FACT_RETURN + FACT_ORDER
LIMIT: Final = "LIMIT $limit\n"

NEIGHBOR_FACTS: Final = (
    _fact_rows_touching("entity_uuids") + FACT_FILTER + FACT_RETURN + FACT_ORDER + LIMIT
)

MENTIONS: Final = """
MATCH (e:Episodic)-[:MENTIONS]->(n:Entity)
WHERE e.uuid IN $uuids AND e.group_id = $group_id
RETURN e.uuid AS episode, n.uuid AS entity
ORDER BY e.uuid, n.created_at, n.uuid
"""

# Search: over-fetch ``$k`` hits from an index, keep those of the group (and, for facts, those
# passing the filter); ``raw`` is how many the index gave, so the caller knows whether a larger
# ``$k`` could find more.

FULLTEXT_FACTS: Final = (
    """
CALL db.index.fulltext.queryRelationships($index, $query, {limit: $k})
YIELD relationship AS r, score
WITH r, score, startNode(r) AS s, endNode(r) AS o
WITH count(*) AS raw,
     collect(CASE WHEN r.group_id = $group_id AND """
    + FACT_FILTER
    + """ THEN [r.uuid, score] END) AS kept
RETURN raw, kept
"""
)

FULLTEXT_NODES: Final = """
CALL db.index.fulltext.queryNodes($index, $query, {limit: $k})
YIELD node, score
WITH count(*) AS raw,
     collect(CASE WHEN node.group_id = $group_id THEN [node.uuid, score] END) AS kept
RETURN raw, kept
"""

# The index's own score is approximate (its vectors are quantized; and flat for negative
# cosines), so kept hits are re-scored exactly: vector.similarity.cosine gives
# (1 + cosine) / 2. Only the best ``$rescored`` of the kept hits by the index's score are
# re-scored (each re-score reads a vector from the store: 1,000 of them were about a third of
# a fact search's time at 1M facts); the caller asks for several times its limit, so the
# index's small errors cannot push a hit of the exact top out.
VECTOR_FACTS: Final = (
    """
CALL db.index.vector.queryRelationships($index, $k, $embedding)
YIELD relationship AS r, score
WITH r, score, startNode(r) AS s, endNode(r) AS o
ORDER BY score DESC
WITH count(*) AS raw,
     collect(CASE WHEN r.group_id = $group_id AND """
    + FACT_FILTER
    + """ THEN r END) AS passing
RETURN raw,
       [r IN passing[..$rescored]
        | [r.uuid, vector.similarity.cosine(r.fact_embedding, $embedding)]] AS kept
"""
)


def _small_or_indexed(count: str, exact: str, index: str) -> str:
    """The start of a vector search statement: count the group's vectors up to ``$cap``
    (``count`` returns ``held``); a group holding fewer is scored exactly (``exact`` returns
    ``exact``, the best ``$limit`` as ``[uuid, score]`` pairs), a larger one through the index
    (``index`` returns ``raw`` and ``kept``, and maybe ``seen``). Fixed texts only.

    The exact block seeks the group's rows by ``small_group``, which is the group id for a
    small group and null otherwise (a seek for null finds nothing): a filter on ``held``
    alone was planned after the seek, so a large group's every row was read from the group
    index before the filter dropped them (600,000 fact rows, hundreds of ms a search)."""
    scoped = exact.replace("= $group_id", "= small_group")
    if scoped.count("small_group") != 1:
        raise AssertionError(f"expected one group seek in: {exact}")
    return f"""
CALL () {{{count}}}
CALL (held) {{
WITH CASE WHEN held < $cap THEN $group_id END AS small_group{scoped}}}
CALL (held) {{
WITH held WHERE held >= $cap{index}}}
"""


_COUNT_FACT_VECTORS: Final = """
MATCH ()-[r:RELATES_TO]->()
WHERE r.group_id = $group_id AND r.fact_embedding IS NOT NULL
WITH r LIMIT $cap
RETURN count(r) AS held
"""

_EXACT_FACTS_TAIL: Final = (
    FACT_FILTER
    + """ AND r.fact_embedding IS NOT NULL
WITH r, vector.similarity.cosine(r.fact_embedding, $embedding) AS score
ORDER BY score DESC, r.uuid
LIMIT $limit
RETURN collect([r.uuid, score]) AS exact
"""
)

SEARCH_FACT_VECTORS: Final = (
    _small_or_indexed(_COUNT_FACT_VECTORS, _FACT_ROWS_OF_GROUP + _EXACT_FACTS_TAIL, VECTOR_FACTS)
    + "RETURN held, exact, raw, kept\n"
)
"""Vector search over a group's facts in one statement: exactly for a group holding fewer
than ``$cap`` fact vectors, else through the index (over-fetching ``$k``; the caller fetches
more with :data:`VECTOR_FACTS` when too few of the hits pass the filter)."""


def _scoped_fact_rows(where: FactFilter) -> str | None:
    """The match of the fact rows a filter naming episodes, subjects, objects or entities
    reaches, from the most selective index; ``None`` for other filters."""
    if where.episode_uuids is not None:
        return _FACT_ROWS_OF_EPISODES
    if where.subject_uuids is not None:
        return _FACT_ROWS_OF_SUBJECTS
    if where.object_uuids is not None:
        return _FACT_ROWS_OF_OBJECTS
    if where.entity_uuids is not None:
        return _FACT_ROWS_OF_ENDS
    return None


def scoped_fact_vectors_statement(where: FactFilter) -> str | None:
    """For a filter naming entities, subjects, objects or episodes, the statement scoring
    exactly the fact rows they reach (few, in any group); ``None`` for other filters."""
    start = _scoped_fact_rows(where)
    if start is None:
        return None
    return "CALL () {" + start + _EXACT_FACTS_TAIL + "}\nRETURN exact\n"


def passing_facts_statement(where: FactFilter) -> str:
    """The uuids of the group's fact rows passing the filter (from the most selective index
    for ``where``), without reading their vectors: the vector cache scores them."""
    start = _scoped_fact_rows(where) or _FACT_ROWS_OF_GROUP
    return (
        "CALL () {" + start + FACT_FILTER + "\nRETURN collect(r.uuid) AS passing}\nRETURN passing\n"
    )


def _node_vector_statements(label: str, embedding: str) -> tuple[str, str]:
    """Vector search over the ``embedding`` property of ``label`` nodes: through the index
    (over-fetching, the group checked on the hits), and one block of
    :func:`_small_or_indexed` (exactly over a small group, else through the index). Called
    below with fixed names only."""
    index = f"""
CALL db.index.vector.queryNodes($index, $k, $embedding)
YIELD node, score
WITH node, score ORDER BY score DESC
WITH count(*) AS raw, collect(CASE WHEN node.group_id = $group_id THEN node END) AS passing
RETURN raw,
       [n IN passing[..$rescored]
        | [n.uuid, vector.similarity.cosine(n.{embedding}, $embedding)]] AS kept
"""
    exact = f"""
MATCH (n:{label})
WHERE n.group_id = $group_id AND n.{embedding} IS NOT NULL
WITH n, vector.similarity.cosine(n.{embedding}, $embedding) AS score
ORDER BY score DESC, n.uuid
LIMIT $limit
RETURN collect([n.uuid, score]) AS exact
"""
    count = f"""
MATCH (n:{label})
WHERE n.group_id = $group_id AND n.{embedding} IS NOT NULL
WITH n LIMIT $cap
RETURN count(n) AS held
"""
    return index, _small_or_indexed(count, exact, index)


VECTOR_NODES, _ENTITY_BLOCK = _node_vector_statements("Entity", "name_embedding")
SEARCH_ENTITY_VECTORS: Final = _ENTITY_BLOCK + "RETURN held, exact, raw, kept\n"
"""Vector search over a group's entities in one statement (as :data:`SEARCH_FACT_VECTORS`)."""

VECTOR_EPISODES, _TURN_BLOCK = _node_vector_statements("Episodic", "content_embedding")

# Episodes by their nearest sentence: each episode once with the best score of its sentences
# (so ``kept`` and ``$limit`` count episodes; ``seen`` counts the group's sentences among the
# index hits).
VECTOR_SENTENCES: Final = """
CALL db.index.vector.queryNodes($index, $k, $embedding)
YIELD node
WITH count(*) AS raw, collect(CASE WHEN node.group_id = $group_id THEN node END) AS sentences
CALL (sentences) {
    UNWIND sentences AS s
    WITH s.episode_uuid AS uuid, max(vector.similarity.cosine(s.embedding, $embedding)) AS score
    RETURN collect([uuid, score]) AS kept
}
RETURN raw, kept, size(sentences) AS seen
"""

# The sentence block counts against ``$sentence_cap``: a group's turns and sentences are
# told large apart.
_SENTENCE_BLOCK: Final = _small_or_indexed(
    """
MATCH (s:Sentence)
WHERE s.group_id = $group_id AND s.embedding IS NOT NULL
WITH s LIMIT $cap
RETURN count(s) AS held
""",
    """
MATCH (s:Sentence)
WHERE s.group_id = $group_id AND s.embedding IS NOT NULL
WITH s.episode_uuid AS uuid, max(vector.similarity.cosine(s.embedding, $embedding)) AS score
ORDER BY score DESC, uuid
LIMIT $limit
RETURN collect([uuid, score]) AS exact
""",
    re.sub(r"\$k\b", "$sentence_k", VECTOR_SENTENCES.replace("$index", "$sentence_index")),
).replace("$cap", "$sentence_cap")

SEARCH_EPISODE_VECTORS: Final = (
    _TURN_BLOCK
    + "WITH held AS turn_held, exact AS turn_exact, raw AS turn_raw, kept AS turn_kept\n"
    + _SENTENCE_BLOCK
    + "RETURN turn_held, turn_exact, turn_raw, turn_kept, held, exact, raw, kept, seen\n"
)
"""Vector search over a group's episodes by their turn vectors and their sentences' vectors,
both in one statement (each block as in :data:`SEARCH_FACT_VECTORS`)."""

# What cached vectors of a group are valid for (:mod:`.vector_cache`): its vector revision and
# its counts of turns, sentences and entities, each counted up to ``$cap`` (a group holding
# more is never cached). The counts read the group indexes only.
_STAMP_COLUMNS: Final = """
OPTIONAL MATCH (m:ChronomemMeta {key: $revision_key})
WITH m.value AS revision
CALL () {
    MATCH (n:Episodic) WHERE n.group_id = $group_id WITH n LIMIT $cap RETURN count(n) AS turns
}
CALL () {
    MATCH (s:Sentence) WHERE s.group_id = $group_id WITH s LIMIT $cap RETURN count(s) AS sentences
}
CALL () {
    MATCH (n:Entity) WHERE n.group_id = $group_id WITH n LIMIT $cap RETURN count(n) AS entities
}
CALL () {
    MATCH ()-[r:RELATES_TO]->() WHERE r.group_id = $group_id WITH r LIMIT $cap
    RETURN count(r) AS facts
}
"""
VECTOR_STAMP: Final = _STAMP_COLUMNS + "RETURN revision, turns, sentences, entities, facts\n"

LOAD_GROUP_VECTORS: Final = (
    _STAMP_COLUMNS
    + """CALL () {
    MATCH (n:Episodic) WHERE n.group_id = $group_id AND n.content_embedding IS NOT NULL
    RETURN collect(n.uuid) AS turn_keys, collect(n.content_embedding) AS turn_vectors
}
CALL () {
    MATCH (s:Sentence) WHERE s.group_id = $group_id AND s.embedding IS NOT NULL
    RETURN collect(s.episode_uuid) AS sentence_keys, collect(s.embedding) AS sentence_vectors
}
CALL () {
    MATCH (n:Entity) WHERE n.group_id = $group_id AND n.name_embedding IS NOT NULL
    RETURN collect(n.uuid) AS entity_keys, collect(n.name_embedding) AS entity_vectors
}
CALL () {
    MATCH ()-[r:RELATES_TO]->() WHERE r.group_id = $group_id AND r.fact_embedding IS NOT NULL
    RETURN collect(r.uuid) AS fact_keys, collect(r.fact_embedding) AS fact_vectors
}
CALL () {
    MATCH (e:Episodic) WHERE e.group_id = $group_id
    RETURN collect({
        uuid: e.uuid, group_id: e.group_id, source: e.source,
        source_description: e.source_description, kind: e.kind, content: e.content,
        valid_at: toString(e.valid_at), created_at: toString(e.created_at),
        source_id: e.source_id, speaker: e.speaker, session: e.session
    }) AS episode_rows
}
RETURN revision, turns, sentences, entities, facts, turn_keys, turn_vectors, sentence_keys,
       sentence_vectors, entity_keys, entity_vectors, fact_keys, fact_vectors, episode_rows
"""
)
"""A group's stamp and every turn, sentence, entity and fact vector (read after the stamp: a write
committing in between renews the revision, so the next search reads them again)."""

# A large group's entity vectors held in the client (:class:`.vector_cache.LargeVectors`): valid
# while the group's vector revision is the one they were read after.
VECTOR_REVISION: Final = """
OPTIONAL MATCH (m:ChronomemMeta {key: $revision_key})
WITH m.value AS revision
RETURN revision
"""
LOAD_ENTITY_VECTORS: Final = """
MATCH (n:Entity)
WHERE n.group_id = $group_id AND n.name_embedding IS NOT NULL
RETURN n.uuid AS uuid, n.name_embedding AS embedding
"""

# --------------------------------------------------------------------------------------------
# Stats and settings.

COUNT_EPISODES: Final = "MATCH (e:Episodic) RETURN count(e) AS n"
COUNT_ENTITIES: Final = "MATCH (n:Entity) RETURN count(n) AS n"
COUNT_FACTS: Final = """
MATCH ()-[r:RELATES_TO]->()
RETURN count(r) AS n,
       count(CASE WHEN r.expired_at IS NULL AND (r.invalid_at IS NULL OR r.invalid_at > $now)
                  THEN 1 END) AS current
"""
COUNT_GROUP_EPISODES: Final = "MATCH (e:Episodic) WHERE e.group_id = $group_id RETURN count(e) AS n"
COUNT_GROUP_ENTITIES: Final = "MATCH (n:Entity) WHERE n.group_id = $group_id RETURN count(n) AS n"
COUNT_GROUP_FACTS: Final = """
MATCH ()-[r:RELATES_TO]->()
WHERE r.group_id = $group_id
RETURN count(r) AS n,
       count(CASE WHEN r.expired_at IS NULL AND (r.invalid_at IS NULL OR r.invalid_at > $now)
                  THEN 1 END) AS current
"""
LIST_GROUPS: Final = """
MATCH (e:Episodic) RETURN DISTINCT e.group_id AS g
UNION
MATCH (n:Entity) RETURN DISTINCT n.group_id AS g
UNION
MATCH ()-[r:RELATES_TO]->() RETURN DISTINCT r.group_id AS g
"""

GROUP_NAMES: Final = "CALL () {" + LIST_GROUPS + "} RETURN g ORDER BY g"
EPISODE_UUIDS_OF_GROUP: Final = """
MATCH (e:Episodic) WHERE e.group_id = $group_id RETURN e.uuid AS uuid ORDER BY e.created_at, e.uuid
"""
FACT_UUIDS_OF_GROUP: Final = """
MATCH ()-[r:RELATES_TO]->() WHERE r.group_id = $group_id
RETURN r.uuid AS uuid ORDER BY r.created_at, r.uuid
"""

GET_META: Final = "MATCH (m:ChronomemMeta {key: $key}) RETURN m.value AS value"
SET_META: Final = "MERGE (m:ChronomemMeta {key: $key}) SET m.value = $value"
# Gives revision settings a new value: a fresh uuid, not a counter (two concurrent writers
# incrementing could both write the same number).
# --------------------------------------------------------------------------------------------
# Erasure (one transaction): facts, then sentences and episodes (their MENTIONS go with them),
# then entities, then settings. Index entries go with the nodes and relationships.

SET_FACT_INTERVALS: Final = """
UNWIND $facts AS f
MATCH ()-[r:RELATES_TO {uuid: f.uuid}]->()
WHERE r.group_id = $group_id
SET r.valid_at = f.valid_at, r.invalid_at = f.invalid_at,
    r.valid_offset = f.valid_offset, r.invalid_offset = f.invalid_offset
"""
"""A kept row's interval recomputed by an erasure (the only rewrite of an interval)."""
ERASE_FACTS: Final = """
UNWIND $uuids AS uuid
MATCH ()-[r:RELATES_TO {uuid: uuid}]->()
WHERE r.group_id = $group_id
DELETE r
"""
UNLINK_ERASED_FACTS: Final = """
MATCH (e:Episodic)
WHERE e.group_id = $group_id AND any(x IN coalesce(e.entity_edges, []) WHERE x IN $uuids)
SET e.entity_edges = [x IN e.entity_edges WHERE NOT x IN $uuids]
"""
ERASE_SENTENCES: Final = """
MATCH (s:Sentence)
WHERE s.group_id = $group_id AND s.episode_uuid IN $uuids
DETACH DELETE s
"""
ERASE_EPISODES: Final = """
UNWIND $uuids AS uuid
MATCH (e:Episodic {uuid: uuid})
WHERE e.group_id = $group_id
DETACH DELETE e
"""
ERASE_ENTITIES: Final = """
UNWIND $uuids AS uuid
MATCH (n:Entity {uuid: uuid})
WHERE n.group_id = $group_id
OPTIONAL MATCH (n)-[r:RELATES_TO]-()
WITH n, count(r) AS left
RETURN n.uuid AS uuid, left
"""
DELETE_ENTITIES: Final = """
UNWIND $uuids AS uuid
MATCH (n:Entity {uuid: uuid})
WHERE n.group_id = $group_id
DETACH DELETE n
"""
ERASE_SETTINGS: Final = """
MATCH (m:ChronomemMeta)
WHERE m.key IN $keys
DELETE m
"""

# --------------------------------------------------------------------------------------------
# A group's write lock: a lease on the ChronomemMeta node ``write_lock:<group>`` (unique by
# key, so two writers cannot MERGE two of them). Taken when free, expired or already ours;
# its expiry is the server's clock. Renewed while held, released on exit.
# Both statements write the node before they read its owner: the write takes the node's lock,
# so the owner read is the last committed one. Read first (read committed), every writer that
# found the lock free would set itself as owner, one after the other, and all would hold it.

ACQUIRE_LOCK: Final = """
MERGE (m:ChronomemMeta {key: $key})
SET m.claim = true
REMOVE m.claim
WITH m
WHERE m.owner IS NULL OR m.owner = $owner OR m.expires < timestamp()
SET m.owner = $owner, m.expires = timestamp() + $ttl_ms
RETURN m.owner AS owner
"""
LOCK_HOLDER: Final = """
MATCH (m:ChronomemMeta {key: $key})
RETURN m.owner AS owner, m.expires - timestamp() AS left_ms
"""
RELEASE_LOCK: Final = """
MATCH (m:ChronomemMeta {key: $key})
SET m.claim = true
REMOVE m.claim
WITH m
WHERE m.owner = $owner
SET m.owner = null, m.expires = null
"""

RENEW_REVISIONS: Final = """
UNWIND $keys AS key
MERGE (m:ChronomemMeta {key: key})
SET m.value = randomUUID()
"""


def filter_params(where: FactFilter, now: datetime) -> dict[str, object]:
    """The parameters of :data:`FACT_FILTER` for ``where`` (``now`` decides ``current_only``)."""

    def listed(values: tuple[str, ...] | None) -> list[str] | None:
        return None if values is None else list(values)

    return {
        "now": now,
        "known_at": where.known_at,
        "as_of": where.as_of,
        "current_only": where.current_only,
        "valid_from": where.valid_from,
        "valid_to": where.valid_to,
        "relations": listed(where.relations),
        "subject_uuids": listed(where.subject_uuids),
        "object_uuids": listed(where.object_uuids),
        "end_uuids": listed(where.entity_uuids),
        "episode_uuids": listed(where.episode_uuids),
    }


_VECTOR_COLUMN: Final = re.compile(
    r"\b\w\.(fact_embedding|name_embedding|content_embedding) AS \1\b"
)


@functools.cache
def without_vectors(statement: str) -> str:
    """``statement`` returning null for the vector of each row (reads for search, which needs
    only text: a vector is most of what a row weighs on the wire)."""
    lighter, count = _VECTOR_COLUMN.subn(r"null AS \1", statement)
    if count != 1:
        raise AssertionError(f"expected one vector column in: {statement}")
    return lighter


def list_facts_statement(where: FactFilter, limited: bool) -> str:
    """The list_facts statement that starts from the most selective index for ``where``."""
    start = _scoped_fact_rows(where) or _FACT_ROWS_OF_GROUP
    statement = start + FACT_FILTER + FACT_RETURN + FACT_ORDER
    return statement + LIMIT if limited else statement


_PARAMETER: Final = re.compile(r"\$(\w+)")
_RETURN_LINE: Final = re.compile(r"\nRETURN (\w+(?:, \w+)*)\s*$")


def together(statements: Sequence[str]) -> str:
    """One statement running each of ``statements`` in a ``CALL`` subquery of its own, one
    after another, in one round trip. Each must give one row and end in a ``RETURN`` of plain
    column names; in the result, statement ``i``'s columns and parameters (all but
    ``$group_id``) start with ``b<i>_`` (:func:`block_params`, :func:`block_row`)."""
    blocks, columns = [], []
    for i, statement in enumerate(statements):
        end = _RETURN_LINE.search(statement)
        if end is None:
            raise AssertionError(f"expected a RETURN of plain columns at the end of: {statement}")
        names = end.group(1).split(", ")
        body = _PARAMETER.sub(functools.partial(_block_parameter, i), statement[: end.start()])
        renamed = ", ".join(f"{name} AS b{i}_{name}" for name in names)
        blocks.append(f"CALL () {{{body}\nRETURN {renamed}\n}}")
        columns += [f"b{i}_{name}" for name in names]
    return "\n".join(blocks) + "\nRETURN " + ", ".join(columns) + "\n"


def _block_parameter(i: int, found: re.Match[str]) -> str:
    """Parameter ``found`` of statement ``i`` in :func:`together`'s statement."""
    name = found.group(1)
    return found.group(0) if name == "group_id" else f"$b{i}_{name}"


def block_params(i: int, params: Mapping[str, object]) -> dict[str, object]:
    """The parameters of statement ``i`` in :func:`together`'s statement."""
    return {(k if k == "group_id" else f"b{i}_{k}"): v for k, v in params.items()}


def block_row(i: int, row: Mapping[str, Any]) -> dict[str, Any]:
    """Statement ``i``'s columns of a row of :func:`together`'s statement."""
    prefix = f"b{i}_"
    return {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}


def vector_index_statements(dimension: int) -> tuple[str, ...]:
    """The ``CREATE VECTOR INDEX`` statements for ``dimension``-long embeddings."""
    if not isinstance(dimension, int) or isinstance(dimension, bool) or not 1 <= dimension <= 4096:
        raise ValueError(f"vector dimension must be an int in 1..4096, got {dimension!r}")
    return tuple(s.replace(DIMENSION_PLACEHOLDER, str(dimension)) for s in VECTOR_INDEXES)
