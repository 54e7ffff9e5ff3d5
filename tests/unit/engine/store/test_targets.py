"""A Neo4j URI taken apart: the address the driver is given, the database of its path, the
user and password of its user-info part; the password never shows in what is printed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronomem.engine.store.targets import parse_neo4j_uri
from chronomem.errors import ConfigurationError


@pytest.mark.parametrize(
    ("uri", "address", "database", "user", "password"),
    [
        ("bolt://127.0.0.1:7687", "bolt://127.0.0.1:7687", None, None, None),
        ("neo4j://db.example.com", "neo4j://db.example.com", None, None, None),
        ("neo4j://db.example.com:7687/", "neo4j://db.example.com:7687", None, None, None),
        ("neo4j+s://x.databases.net/memory", "neo4j+s://x.databases.net", "memory", None, None),
        ("NEO4J://host:1/Sales-2024", "neo4j://host:1", "Sales-2024", None, None),
        ("neo4j://ann@host:7687/neo4j", "neo4j://host:7687", "neo4j", "ann", None),
        ("bolt://ann:s%40cret:x@host", "bolt://host", None, "ann", "s@cret:x"),
        ("neo4j://host:7687/db?policy=eu", "neo4j://host:7687?policy=eu", "db", None, None),
        ("bolt://[::1]:7687/a.b_c", "bolt://[::1]:7687", "a.b_c", None, None),
    ],
)
def test_a_uri_is_taken_apart(
    uri: str, address: str, database: str | None, user: str | None, password: str | None
) -> None:
    target = parse_neo4j_uri(uri)
    assert (target.address, target.database, target.user, target.password) == (
        address,
        database,
        user,
        password,
    )


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("http://127.0.0.1:7474", "the scheme must be one of"),
        ("neo4j://host/a/b", "one database name"),
        ("neo4j://host/-x", "one database name"),
        ("neo4j://host/" + "d" * 64, "one database name"),
        ("neo4j://host/my%20db", "one database name"),
        ("neo4j://host/db#part", "'#...'"),
        ("neo4j:///db", "names no server"),
        ("neo4j://:pw@host", "names no user"),
    ],
)
def test_a_uri_neo4j_cannot_use_is_refused_with_how_to_fix_it(uri: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=r".") as caught:
        parse_neo4j_uri(uri)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    "uri", ["neo4j://ann:hunter22@host/db#x", "http://ann:hunter22@host", "neo4j://ann:hunter22@"]
)
def test_errors_never_show_the_password(uri: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_neo4j_uri(uri)
    assert "hunter22" not in str(caught.value)


_NAME = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)


@given(
    user=st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=8),
    password=st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=6),
    database=st.none() | _NAME,
)
def test_shown_keeps_everything_but_the_password(
    user: str, password: str, database: str | None
) -> None:
    path = "" if database is None else f"/{database}"
    target = parse_neo4j_uri(f"neo4j+s://{user}:{password}@host.example:7687{path}")
    assert target.shown == f"neo4j+s://{user}@host.example:7687{path}"
    assert "password" not in repr(target)
    assert parse_neo4j_uri(target.shown).database == database
