"""The Neo4j scale benchmark (``python -m chronomem.bench neo4j-scale``) on a tiny database: it
loads once, measures chronomem (and graphiti-core when installed) on a large and a small group,
and its vector search finds what exact search finds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from chronomem.bench.__main__ import main as bench_main
from chronomem.bench.neo4j_scale import Group, index_recall, load
from chronomem.bench.synthetic import SyntheticMemory, TopicEmbedder, synthetic_queries
from chronomem.engine.store.inmemory import InMemoryStore
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import ScoredId
from chronomem.errors import ConfigurationError
from chronomem.memory import Memory
from chronomem.schema import Entity, Fact

ARGS = ["--sizes", "240", "--small-groups", "2", "--small-facts", "20", "--rounds", "1"]


@pytest.mark.neo4j
def test_the_benchmark_runs_and_reports_recall(
    neo4j_uri: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    graphiti = importlib.util.find_spec("graphiti_core") is not None
    args = ["neo4j-scale", "--store", neo4j_uri, *ARGS]
    plot = tmp_path / "scale.png"
    first = [*args, "--queries", "3", "--json", "--plot", str(plot), "--fetch", "5,60"]
    assert bench_main(first) == 0
    captured = capsys.readouterr()
    assert "loading 240 facts" in captured.err
    assert "240/240" in captured.err
    rows = json.loads(captured.out)
    assert [(r["size"], r["group"]) for r in rows] == [(240, "large group"), (240, "small group")]
    for row in rows:
        assert row["recall@10"] == {"fact": 1.0, "entity": 1.0}  # exact on groups this small
        for search in ("default", "fast", "graphiti") if graphiti else ("default", "fast"):
            assert row[search]["p50_ms"] > 0
            assert row[search]["statements"] >= 1
        assert ("graphiti" in row) == graphiti
    assert rows[0]["group_size"].endswith("200 fact rows")
    curve = rows[0]["fetch"]  # the large group's recall and time by hits fetched
    assert list(curve) == ["5", "60"]
    for point in curve.values():
        assert point["fact"] == point["entity"] == 1.0  # exact below the threshold
        assert point["fact_ms"] > 0
        assert point["entity_ms"] > 0
    assert "fetch" not in rows[1]
    assert plot.stat().st_size > 0
    assert bench_main([*args, "--queries", "2", "--no-graphiti"]) == 0  # loaded: not rewritten
    out = capsys.readouterr().out
    assert "| 240 | large group" in out
    assert "graphiti-core is not installed" not in out  # asked not to time it: no excuse given
    assert "| 240 | large group | fact 1.0, entity 1.0 | 0.0 |" in out
    assert "hits fetched" not in out  # no --fetch: no curve


def test_a_wrong_benchmark_or_store_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main(["nope"]) == 2
    assert "neo4j-scale" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench_main(["neo4j-scale", "--store", "/tmp/not-neo4j"])
    assert "must be a neo4j:// or bolt:// URI" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--sizes", "10k", "--sizes must be comma-separated integers, not '10k'"),
        ("--fetch", "200,x", "--fetch must be comma-separated integers, not '200,x'"),
        ("--fetch", "200,0", "--fetch values must be >= 1"),
        ("--sizes", "-5", "--sizes values must be >= 1"),
    ],
)
def test_a_wrong_list_of_integers_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], flag: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench_main(["neo4j-scale", flag, value])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


class _Lossy(InMemoryStore):
    """An in-memory store whose vector search loses the best hit of every other search (an
    approximate index), and which refuses to return a group's vectors in bulk."""

    def __init__(self) -> None:
        super().__init__(dimension=TopicEmbedder().dimension)
        self.asked = 0

    def vector(self, *args: Any, **kwargs: Any) -> list[ScoredId]:
        hits = super().vector(*args, **kwargs)
        self.asked += 1
        return hits[1:] if self.asked % 2 else hits

    def list_facts(self, *args: Any, vectors: bool = True, **kwargs: Any) -> list[Fact]:
        assert not vectors, "the recall check must not read the group's vectors"
        return super().list_facts(*args, vectors=vectors, **kwargs)

    def find_entities(self, *args: Any, vectors: bool = True, **kwargs: Any) -> list[Entity]:
        assert not vectors, "the recall check must not read the group's vectors"
        return super().find_entities(*args, vectors=vectors, **kwargs)


def test_index_recall_compares_with_the_exact_store_without_reading_the_group() -> None:
    """The recall check asks the exact store for the exact top 10 (never reading the group's
    vectors into this process): a search missing one of ten in every other query has recall
    0.95, and the exact store itself scores 1.0."""
    memory = SyntheticMemory(facts=400, seed=3, group_id="g", embedder=TopicEmbedder())
    group = Group(memory, 0.0)
    lossy, exact = _Lossy(), InMemoryStore(dimension=TopicEmbedder().dimension)
    for batch in memory.batches():
        lossy.write(batch)
        exact.write(batch)
    queries = synthetic_queries(memory, 4)
    assert index_recall(lossy, group, queries, exact) == {"fact": 0.95, "entity": 0.95}
    assert index_recall(exact, group, queries, exact) == {"fact": 1.0, "entity": 1.0}


@pytest.mark.neo4j
def test_index_after_drops_the_vector_indexes_to_load_and_builds_them_once(
    neo4j_uri: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--index-after``: the vector indexes are dropped before a load and built once after it
    (with a progress bar); a second run finds the groups loaded and drops nothing."""
    calls: list[str] = []
    for name in ("drop_vector_indexes", "build_vector_indexes"):
        real = getattr(Neo4jStore, name)

        def spied(store: Neo4jStore, *args: Any, _real: Any = real, _name: str = name) -> Any:
            calls.append(_name)
            return _real(store, *args)

        monkeypatch.setattr(Neo4jStore, name, spied)
    args = ["neo4j-scale", "--store", neo4j_uri, "--sizes", "250", "--small-groups", "2"]
    args += ["--small-facts", "20", "--rounds", "1", "--queries", "2", "--no-graphiti"]
    with Memory.open(neo4j_uri, embedder=TopicEmbedder()) as mem:  # a server used before
        for group in mem.groups():
            if group.startswith("scale-250-"):
                mem.forget_group(group)
    assert bench_main([*args, "--index-after", "--json"]) == 0
    captured = capsys.readouterr()
    assert calls == ["drop_vector_indexes", "build_vector_indexes"]
    assert "building the vector indexes" in captured.err
    assert "100.0/100" in captured.err
    rows = json.loads(captured.out)
    assert rows[0]["load_s"] > 0
    assert rows[0]["index_s"] > 0
    assert rows[0]["recall@10"] == {"fact": 1.0, "entity": 1.0}
    calls.clear()
    assert bench_main([*args, "--index-after", "--json"]) == 0  # loaded: kept, only awaited
    assert calls == ["build_vector_indexes"]
    assert json.loads(capsys.readouterr().out)[0]["load_s"] == 0


def test_a_loaded_group_has_its_embedder_on_record_as_memorys_writes_leave_it(
    tmp_path: Path,
) -> None:
    """The loader writes straight to the store; it still records the group's embedder, so a
    search checks it once (and another embedder is refused) as on a memory written through
    ``Memory``."""
    store = str(tmp_path / "m")
    with Memory.open(store, embedder=TopicEmbedder()) as mem:
        loaded = load(mem, "scale-g", 40, 3, TopicEmbedder())
        assert loaded.loaded_s > 0
        again = load(mem, "scale-g", 40, 3, TopicEmbedder())  # there already: not rewritten
        assert again.loaded_s == 0.0
        assert mem.search("where", group_id="scale-g", limit=3, recipe="fast")
    with (
        Memory.open(store, embedder=TopicEmbedder(topics=64)) as other,
        pytest.raises(ConfigurationError, match="built with the embedder 'topic-synthetic"),
    ):
        other.search("where", group_id="scale-g")
