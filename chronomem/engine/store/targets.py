"""What a ``--store`` value names: a Neo4j server (by its URI scheme), the in-memory store, or
else a directory; and what a Neo4j URI holds besides the server's address (a user, a password,
a database). Read by the factory, the Neo4j store and the command line, none of which needs the
Neo4j driver for it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import unquote, urlsplit, urlunsplit

from chronomem.errors import ConfigurationError

__all__ = ["INMEMORY_URI", "NEO4J_SCHEMES", "Neo4jTarget", "is_neo4j_uri", "parse_neo4j_uri"]

NEO4J_SCHEMES: Final = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
"""The URI schemes of a Neo4j server (the driver's); anything else names a directory."""

INMEMORY_URI = "memory://"
"""The target that opens a new, empty :class:`~chronomem.engine.store.inmemory.InMemoryStore`."""

DATABASE_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
"""A database name a URI path may hold: Neo4j's names (letters, digits, dots, dashes and
underscores, at most 63 characters); the server refuses a name it does not hold."""


def is_neo4j_uri(target: str | Path) -> bool:
    """Whether ``target`` names a Neo4j server rather than a directory."""
    return isinstance(target, str) and target.lower().startswith(
        tuple(f"{scheme}://" for scheme in NEO4J_SCHEMES)
    )


@dataclass(frozen=True)
class Neo4jTarget:
    """A Neo4j URI taken apart: ``address`` (scheme, host, port and routing context, what the
    driver is given), the ``database`` named by its path, the ``user`` and ``password`` of its
    user-info part (percent-decoded), each ``None`` when the URI has none."""

    address: str
    database: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The URI as messages show it: the address, the user and the database, never the
        password."""
        parts = urlsplit(self.address)
        netloc = parts.netloc if self.user is None else f"{self.user}@{parts.netloc}"
        path = "" if self.database is None else f"/{self.database}"
        return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


def parse_neo4j_uri(uri: str) -> Neo4jTarget:
    """``scheme://[user[:password]@]host[:port][/database][?routing context]`` taken apart.

    Raises :class:`ConfigurationError` for another scheme, a path of more than one name, a
    database name Neo4j cannot hold, or a fragment."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in NEO4J_SCHEMES or not uri.lower().startswith(f"{scheme}://"):
        raise ConfigurationError(
            f"cannot use Neo4j URI {_without_password(uri)!r}: the scheme must be one of "
            f"{', '.join(sorted(NEO4J_SCHEMES))}, e.g. 'bolt://127.0.0.1:7687'"
        )
    shown = _without_password(uri)
    if parts.fragment:
        raise ConfigurationError(f"cannot use Neo4j URI {shown!r}: remove the '#...' part")
    path = parts.path.strip("/")
    database: str | None = None
    if path:
        if "/" in path or not DATABASE_NAME.fullmatch(unquote(path)):
            raise ConfigurationError(
                f"cannot use Neo4j URI {shown!r}: its path must be one database name "
                "(letters, digits, '.', '-' or '_', at most 63 characters), as in "
                "'neo4j://host:7687/mydatabase'"
            )
        database = unquote(path)
    host = parts.netloc.rpartition("@")[2]
    if not host:
        raise ConfigurationError(
            f"cannot use Neo4j URI {shown!r}: it names no server, e.g. 'bolt://127.0.0.1:7687'"
        )
    user = None if parts.username is None else unquote(parts.username)
    password = None if parts.password is None else unquote(parts.password)
    if user == "":
        raise ConfigurationError(
            f"cannot use Neo4j URI {shown!r}: the part before '@' names no user; write "
            "'neo4j://USER@host' or leave the user out"
        )
    address = urlunsplit((scheme, host, "", parts.query, ""))
    return Neo4jTarget(address=address, database=database, user=user, password=password)


def _without_password(uri: str) -> str:
    """``uri`` with the password of its user-info part (if any) replaced by ``***``."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return uri
    netloc, slash, tail = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return uri
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}{slash}{tail}"
