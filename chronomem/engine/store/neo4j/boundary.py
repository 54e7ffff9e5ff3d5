"""Map neo4j driver errors to chronomem errors, at the edge of the Neo4j backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from neo4j import exceptions as neo

from chronomem.errors import (
    ConfigurationError,
    IntegrityError,
    StoreError,
    StoreUnavailableError,
)

__all__ = ["START_HINT", "translate_errors", "unavailable"]

START_HINT = (
    "start a server (`make neo4j-start`, or tools/neo4j-local/neo4j-local start for a local "
    "Neo4j 5.26 on bolt://127.0.0.1:7687) or fix the URI"
)


def unavailable(uri: str, cause: BaseException) -> StoreUnavailableError:
    """The error for a Neo4j server that cannot be reached at ``uri``."""
    return StoreUnavailableError(f"cannot reach Neo4j at {uri}: {cause}; {START_HINT}")


@contextmanager
def translate_errors(uri: str, action: str) -> Iterator[None]:
    """Re-raise driver errors raised while doing ``action`` as chronomem errors."""
    try:
        yield
    except (neo.ServiceUnavailable, neo.SessionExpired) as exc:
        raise unavailable(uri, exc) from exc
    except neo.AuthError as exc:
        raise ConfigurationError(
            f"Neo4j at {uri} rejected the credentials while {action}: {exc.message}; "
            "pass auth=(user, password) matching the server (the local server has auth off: "
            "auth=None)"
        ) from exc
    except neo.ConstraintError as exc:
        raise IntegrityError(f"Neo4j refused a write while {action}: {exc.message}") from exc
    except neo.Neo4jError as exc:
        raise StoreError(f"Neo4j failed while {action}: [{exc.code}] {exc.message}") from exc
    except neo.ConfigurationError as exc:
        raise ConfigurationError(f"bad Neo4j driver configuration for {uri}: {exc}") from exc
    except neo.DriverError as exc:
        raise StoreError(f"Neo4j driver failed while {action}: {exc}") from exc
