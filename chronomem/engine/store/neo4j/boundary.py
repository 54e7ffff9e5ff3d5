"""Map neo4j driver errors to chronomem errors, at the edge of the Neo4j backend."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from neo4j import exceptions as neo

from chronomem.errors import (
    ConfigurationError,
    IntegrityError,
    StoreError,
    StoreUnavailableError,
)

__all__ = ["start_hint", "translate_errors", "unavailable"]

_LOCAL_SERVER = ("127.0.0.1", 7687)  # where tools/neo4j-local/neo4j-local starts its server
_LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
_NO_VECTOR_INDEX = re.compile(r"no such vector schema index: (\w+)")


def start_hint(uri: str) -> str:
    """How to get a server answering at ``uri``: the address it names, and the local
    development server only when ``uri`` is where that server listens."""
    parts = urlsplit(uri)
    try:
        port = parts.port or _LOCAL_SERVER[1]
    except ValueError:  # a port that is not a number: the URI is what needs fixing
        return f"fix the URI {uri!r}"
    host = parts.hostname or "?"
    where = f"{host}:{port}"
    hint = f"start the Neo4j server that should listen on {where}, or fix the URI"
    if host in _LOCAL_NAMES and port == _LOCAL_SERVER[1]:
        hint += (
            " (`make neo4j-start` or tools/neo4j-local/neo4j-local start runs a local "
            f"Neo4j 5.26 on {where})"
        )
    return hint


def unavailable(uri: str, cause: BaseException) -> StoreUnavailableError:
    """The error for a Neo4j server that cannot be reached at ``uri``."""
    return StoreUnavailableError(f"cannot reach Neo4j at {uri}: {cause}; {start_hint(uri)}")


@contextmanager
def translate_errors(uri: str, action: str, database: str | None = None) -> Iterator[None]:
    """Re-raise driver errors raised while doing ``action`` (on ``database``, ``None``: the
    server's default one) as chronomem errors."""
    try:
        yield
    except (neo.ServiceUnavailable, neo.SessionExpired) as exc:
        raise unavailable(uri, exc) from exc
    except neo.AuthError as exc:
        raise ConfigurationError(
            f"Neo4j at {uri} rejected the credentials while {action}: {exc.message}; "
            "give the server's user and password: auth=(user, password), the URI's "
            "'neo4j://USER@host' with NEO4J_PASSWORD, or --user (the local development server "
            "has auth off: auth=None)"
        ) from exc
    except neo.ConstraintError as exc:
        raise IntegrityError(f"Neo4j refused a write while {action}: {exc.message}") from exc
    except neo.Neo4jError as exc:
        if exc.code == _DATABASE_NOT_FOUND:
            named = "its default database" if database is None else f"database {database!r}"
            raise ConfigurationError(
                f"Neo4j at {uri} has no {named} ({exc.message}); check the database name in "
                "the URI's path (neo4j://host:7687/NAME), database= or --database (Community "
                "edition holds one database, 'neo4j'; `SHOW DATABASES` lists them)"
            ) from exc
        missing = _NO_VECTOR_INDEX.search(exc.message or "")
        if missing is not None:
            raise StoreError(
                f"Neo4j has no vector index {missing.group(1)} (dropped, for a bulk load?) "
                f"while {action}; build it: Neo4jStore.build_vector_indexes(), `chronomem "
                "reindex --store URI`, or open the store again (it creates missing indexes)"
            ) from exc
        raise StoreError(f"Neo4j failed while {action}: [{exc.code}] {exc.message}") from exc
    except neo.ConfigurationError as exc:
        raise ConfigurationError(f"bad Neo4j driver configuration for {uri}: {exc}") from exc
    except neo.DriverError as exc:
        raise StoreError(f"Neo4j driver failed while {action}: {exc}") from exc
