"""Every backend implements the GraphStore protocol with the protocol's exact signatures."""

from __future__ import annotations

import importlib
import inspect
import typing

import pytest

from chronomem.engine.store import GraphStore

BACKEND_CLASSES = [
    pytest.param("chronomem.engine.store.inmemory", "InMemoryStore", id="inmemory"),
    pytest.param("chronomem.engine.store.embedded", "EmbeddedStore", id="embedded"),
    pytest.param("chronomem.engine.store.neo4j", "Neo4jStore", id="neo4j", marks=pytest.mark.neo4j),
]

PROTOCOL_MEMBERS = sorted(
    name
    for name, value in vars(GraphStore).items()
    if not name.startswith("_") and (callable(value) or isinstance(value, property))
)


def test_protocol_has_the_expected_members() -> None:
    assert "write" in PROTOCOL_MEMBERS
    assert "capabilities" in PROTOCOL_MEMBERS
    assert len(PROTOCOL_MEMBERS) >= 10


@pytest.mark.parametrize(("module", "name"), BACKEND_CLASSES)
def test_backend_signatures_match_the_protocol(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    for member in PROTOCOL_MEMBERS:
        expected = inspect.getattr_static(GraphStore, member)
        actual = inspect.getattr_static(cls, member, None)
        assert actual is not None, f"{name} lacks {member}"
        if isinstance(expected, property):
            assert isinstance(actual, property), f"{name}.{member} must be a property"
            continue
        want, got = inspect.signature(expected), inspect.signature(actual)
        assert [(p.name, p.kind, p.default) for p in got.parameters.values()] == [
            (p.name, p.kind, p.default) for p in want.parameters.values()
        ], f"{name}.{member}{got} differs from the protocol's {want}"
        assert typing.get_type_hints(actual) == typing.get_type_hints(expected), member


@pytest.mark.parametrize(("module", "name"), BACKEND_CLASSES)
def test_backend_is_a_runtime_graph_store(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    missing = [m for m in PROTOCOL_MEMBERS if not hasattr(cls, m)]
    assert missing == []
