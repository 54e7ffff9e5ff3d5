"""chronomem on the current Neo4j release (tools/neo4j-local with CHRONOMEM_NEO4J_VERSION=current:
Neo4j 2026.09, Lucene 10, Java 21 or newer), beside the 5.26 LTS the rest of the suite runs on.

The whole suite was run on that release too (docs/neo4j-cluster.md, "Neo4j versions"); these
tests keep the paths that differ between the two in CI: the build and start of the newer
server, its vector indexes (a new index provider) searched for a large group and compared with
exact search, and a memory's write, search and closing of a stale fact. Skipped where no Java
21 or newer can be found: a newer Neo4j cannot run there."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from neo4j import GraphDatabase

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store import FactFilter
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.memory import Memory
from tests.reliability.local_neo4j import PrivateNeo4j, free_port, private_neo4j
from tests.unit.engine.store.neo4j.conftest import spread

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

NO_JAVA = "needs Java 21 or newer and none was found"


def test_an_unknown_version_is_refused_with_what_to_give(tmp_path: Path) -> None:
    done = PrivateNeo4j(tmp_path, free_port(), free_port(), "latest; rm -rf /").run("build")
    assert done.returncode == 1
    assert "must be 'current' or a Neo4j version such as 2025.10.1" in done.stderr


def test_a_java_too_old_for_the_version_is_refused_naming_both(tmp_path: Path) -> None:
    old = next(
        (
            str(java)
            for java in sorted(Path("/usr/lib/jvm").glob("*17*/bin/java"))
            if os.access(java, os.X_OK)
        ),
        None,
    )
    if old is None:
        pytest.skip("no Java 17 in /usr/lib/jvm to refuse")
    done = PrivateNeo4j(tmp_path, free_port(), free_port(), "current", old).run("start")
    assert done.returncode == 1
    assert "Neo4j 2026.09.0 needs Java 21 or newer" in done.stderr
    assert f"JAVA={old} is Java 17" in done.stderr


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateNeo4j]:
    if shutil.which("mvn") is None:
        pytest.skip("Maven is not installed")
    home = tmp_path_factory.mktemp("neo4j-current")
    built = PrivateNeo4j(home, free_port(), free_port(), "current").run("build")
    if built.returncode != 0 and NO_JAVA in built.stderr:
        pytest.skip(built.stderr.strip())
    assert built.returncode == 0, built.stdout + built.stderr
    with private_neo4j(home, version="current") as server:
        yield server


def _providers(uri: str) -> dict[str, str]:
    with GraphDatabase.driver(uri, auth=None) as driver:
        records, _, _ = driver.execute_query(
            "SHOW VECTOR INDEXES YIELD name, indexProvider RETURN name, indexProvider"
        )
    return {r["name"]: r["indexProvider"] for r in records}


def test_a_large_groups_search_through_the_new_index_finds_what_exact_search_finds(
    current: PrivateNeo4j,
) -> None:
    embedder = HashingEmbedder()
    group = "current-large"
    weather = ("rainy", "sunny", "cold")
    texts = [f"Hub visited place {i} on a {weather[i % 3]} day" for i in range(300)]
    batch = spread(group, embedder.embed(texts))
    dimension = embedder.dimension
    with (
        Neo4jStore(current.uri, dimension=dimension, exact_max=10, vector_cache_mb=0) as indexed,
        Neo4jStore(current.uri, dimension=dimension, exact_max=10**9, vector_cache_mb=0) as exact,
    ):
        indexed.write(batch)
        providers = _providers(current.uri)
        assert providers["edge_fact_embedding"] != "vector-2.0"  # the new release's provider
        questions = embedder.embed(["a rainy day at place 7", "sunny visits", "place 250"])
        found = 0
        for question in questions:
            through_index = indexed.vector(group, question, "fact", 10, FactFilter())
            scored = exact.vector(group, question, "fact", 10, FactFilter())
            assert len(through_index) == 10
            # Found: as near as the exact tenth (hashing vectors tie; ties may differ).
            tenth = scored[-1][1]
            found += sum(score >= tenth - 1e-6 for _, score in through_index)
            best = dict(scored)
            for uuid, score in through_index:  # scores are exact cosines on both paths
                if uuid in best:
                    assert np.isclose(score, best[uuid], atol=1e-6)
        assert found >= 29  # recall@10 over three questions


def test_a_memory_on_the_current_release_closes_a_stale_fact(current: PrivateNeo4j) -> None:
    group = "current-memory"
    with Memory.open(current.uri, embedder=HashingEmbedder()) as mem:
        mem.add_dialogue(
            [
                {"speaker": "Alice", "text": "I live in Paris.", "time": "2026-01-05T09:00:00Z"},
                {"speaker": "Alice", "text": "I moved to Dublin.", "time": "2026-03-02T09:00:00Z"},
            ],
            group_id=group,
        )
        facts = mem.search("Where does Alice live?", group_id=group, kinds=("fact",))
        by_place = {hit.object: hit for hit in facts}
        assert by_place["Dublin"].invalid_at is None
        assert by_place["Paris"].invalid_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        before = mem.search("Where does Alice live?", group_id=group, as_of="2026-02-01T00:00:00Z")
        assert any("Paris" in hit.text for hit in before)
