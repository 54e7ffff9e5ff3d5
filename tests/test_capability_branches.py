"""Tests branch on what a store can do (``StoreCapabilities``), never on which backend it is.

A fixture may build a backend from its name (``conftest.py`` files do); a test or a helper
deciding what to check from a backend's name or class may not: the in-memory store, or any
new backend, would then be tested for less than the others.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from chronomem.engine.store import StoreCapabilities

TESTS = Path(__file__).resolve().parent
BACKEND_NAMES = frozenset({"embedded", "neo4j", "inmemory", "memory"})
BACKEND_CLASSES = frozenset({"EmbeddedStore", "Neo4jStore", "InMemoryStore"})


def _branches_on_a_backend(condition: ast.expr) -> bool:
    for node in ast.walk(condition):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Constant) and s.value in BACKEND_NAMES for s in sides):
                return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and any(isinstance(n, ast.Name) and n.id in BACKEND_CLASSES for n in ast.walk(node))
        ):
            return True
    return False


def _problems(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=where)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "name"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "capabilities"
        ):
            found.append(f"{where}:{node.lineno}: reads capabilities.name")
        if isinstance(node, ast.If | ast.IfExp | ast.While) and _branches_on_a_backend(node.test):
            found.append(f"{where}:{node.lineno}: branches on a backend")
    return found


def test_capabilities_do_not_name_the_backend() -> None:
    fields = {f.name for f in dataclasses.fields(StoreCapabilities)}
    assert "name" not in fields
    assert {"server", "entity_revisions", "episode_vectors"} <= fields


def test_no_test_branches_on_a_backends_name_or_class() -> None:
    checked = [p for p in TESTS.rglob("*.py") if p.name != "conftest.py"]
    assert len(checked) > 50
    problems = [
        problem
        for path in sorted(checked)
        for problem in _problems(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)))
    ]
    assert problems == []


@pytest.mark.parametrize(
    "source",
    [
        "if store.capabilities.name == 'neo4j':\n    pass",
        "n = 5 if backend == 'neo4j' else 25",
        "if isinstance(mem.store, Neo4jStore):\n    pass",
        "while 'embedded' != backend:\n    break",
    ],
)
def test_the_check_sees_a_branch_on_a_backend(source: str) -> None:
    assert _problems(source, "sample.py") != []
    assert _problems("if store.capabilities.server:\n    pass", "sample.py") == []
