"""The embedded backend: a memory in a local directory (SQLite + FTS5 + in-memory vectors)."""

from chronomem.engine.store.embedded.store import DB_FILE, LOCK_FILE, EmbeddedStore
from chronomem.engine.store.embedded.tables import SCHEMA_VERSION

__all__ = ["DB_FILE", "LOCK_FILE", "SCHEMA_VERSION", "EmbeddedStore"]
