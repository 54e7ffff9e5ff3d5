"""The Neo4j backend: a :class:`~chronomem.engine.store.protocol.GraphStore` on Neo4j 5.26,
in graphiti-core's schema. All of its Cypher lives in :mod:`.cypher`."""

from chronomem.engine.store.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]
