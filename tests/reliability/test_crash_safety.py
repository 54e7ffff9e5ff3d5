"""Crash safety: a writer killed mid-ingest (or a Neo4j server killed under it) loses at most
the batch in flight, leaves nothing half-written, and re-running the ingest completes it with
no duplicates."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.soak import synthetic_turns
from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.protocol import WriteBatch
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory
from chronomem.schema import Entity, Episode, Fact
from tests.reliability.conftest import BACKENDS, open_memory, run_prefix
from tests.reliability.local_neo4j import PrivateNeo4j, private_neo4j
from tests.reliability.snapshot import GraphSnapshot, check_invariants, snapshot

BATCH = 8
GROUP = "crash"
REPO_ROOT = Path(__file__).resolve().parents[2]

# The writer: ingests `total` synthetic turns in transactions of BATCH episodes and appends the
# number of episodes committed to the marker file after every batch (progress is reported
# after the commit). With `retry`, a StoreError (the server went away) is retried on the same
# Memory object until the ingest completes; each failure is logged to the marker as "error".
WRITER = """
import sys, time
from benchmarks.soak import synthetic_turns
from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.memory import Memory
from chronomem.engine.store.protocol import WriteBatch
from chronomem.errors import StoreError

target, marker, total, retry = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
done = 0

def progress(n):
    global done
    done += n
    with open(marker, "a") as f:
        f.write(f"{done}\\n")

with Memory.open(target, embedder=HashingEmbedder(), config=MemoryConfig(batch_size=8)) as mem:
    mem.extractor.extract([])
    with open(marker, "a") as f:
        f.write("ready\\n")
    deadline = time.monotonic() + 240
    while True:
        try:
            report = mem.add_dialogue(synthetic_turns(total), group_id="crash", progress=progress)
            break
        except StoreError as exc:
            if not retry or time.monotonic() > deadline:
                raise
            with open(marker, "a") as f:
                f.write(f"error {type(exc).__name__}: {str(exc)[:200]!r}\\n")
            done = 0
            time.sleep(1)
with open(marker, "a") as f:
    f.write("finished\\n")
"""


def _start_writer(target: str, marker: Path, total: int, *, retry: bool) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, target, str(marker), str(total), "1" if retry else "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _committed(marker: Path) -> int:
    """The highest committed count the writer reported so far."""
    if not marker.exists():
        return 0
    counts = [int(line) for line in marker.read_text().split() if line.isdigit()]
    return max(counts, default=0)


def _wait_for(marker: Path, proc: subprocess.Popen[str], episodes: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        committed = _committed(marker)
        if committed >= episodes:
            return committed
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the writer exited early ({proc.returncode}):\n{err[-3000:]}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the writer committed {_committed(marker)} episodes in {timeout} s")


def _reference(tmp: Path, turns: int, extractor: Extractor) -> tuple[GraphSnapshot, dict[str, int]]:
    """What an uninterrupted ingest of the first ``turns`` turns stores."""
    with Memory.open(
        tmp, embedder=HashingEmbedder(), extractor=extractor, config=MemoryConfig(batch_size=BATCH)
    ) as mem:
        mem.add_dialogue(synthetic_turns(turns), group_id=GROUP)
        return snapshot(mem, GROUP), mem.stats(GROUP).model_dump()


def _assert_same_content(got: GraphSnapshot, want: GraphSnapshot) -> None:
    """Same episodes, entities and statements (who-relation-what, and the turns behind it).

    Fact rows themselves are not compared: how the temporal resolver splits, merges and closes
    intervals still depends on random uuids (see test_same_input_gives_the_same_intervals),
    so two clean runs of the same input can differ there too.
    """
    assert got.episodes == want.episodes
    assert got.entities == want.entities
    assert got.said() == want.said()
    assert got.duplicates() == []


def _sqlite_checks(memory_dir: Path) -> None:
    with sqlite3.connect(memory_dir / "memory.db") as conn:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        # SQLite 3.40 reports "NULL value in T.C" for NOT NULL columns of WITHOUT ROWID tables
        # that hold no NULL (fixed in 3.41): check those columns directly instead.
        for problem in list(problems):
            if problem.startswith("NULL value in "):
                table, column = problem.removeprefix("NULL value in ").split(".")
                nulls = conn.execute(f"SELECT count(*) FROM {table} WHERE {column} IS NULL")
                if nulls.fetchone()[0] == 0:
                    problems.remove(problem)
        assert problems in ([], ["ok"]), problems
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in ("facts_fts", "entities_fts", "episodes_fts"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")


def test_sigkilled_embedded_writer_loses_only_the_batch_in_flight(
    tmp_path: Path, spacy_extractor: Extractor
) -> None:
    total = 240
    memory_dir = tmp_path / "memory"
    marker = tmp_path / "marker"
    writer = _start_writer(str(memory_dir), marker, total, retry=False)
    try:
        # Watch it from a read-only open while it writes: a reader only ever sees whole batches.
        _wait_for(marker, writer, BATCH, timeout=120)
        seen: list[int] = []
        with Memory.open(memory_dir, embedder=HashingEmbedder(), read_only=True) as reader:
            while _committed(marker) < 6 * BATCH:
                seen.append(reader.stats(GROUP).episodes)
                time.sleep(0.02)
        assert seen, seen
        assert all(n % BATCH == 0 for n in seen), seen
        time.sleep(random.uniform(0.0, 0.3))  # land anywhere in the next batch, commit included
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL, "the writer finished before it was killed"

    # It opens (the dead process's lock is gone) and holds whole batches only.
    with Memory.open(
        memory_dir,
        embedder=HashingEmbedder(),
        extractor=spacy_extractor,
        config=MemoryConfig(batch_size=BATCH),
    ) as mem:
        committed = mem.stats(GROUP).episodes
        assert committed >= 6 * BATCH
        assert committed % BATCH == 0
        assert check_invariants(mem, GROUP, batch_size=BATCH, total=total) == []
        crashed = snapshot(mem, GROUP)
        assert crashed.duplicates() == []
    prefix, _ = _reference(tmp_path / "prefix", committed, spacy_extractor)
    _assert_same_content(crashed, prefix)
    _sqlite_checks(memory_dir)

    # Re-running the same ingest completes it, adding only what was lost.
    with Memory.open(
        memory_dir,
        embedder=HashingEmbedder(),
        extractor=spacy_extractor,
        config=MemoryConfig(batch_size=BATCH),
    ) as mem:
        report = mem.add_dialogue(synthetic_turns(total), group_id=GROUP)
        assert (report.episodes_skipped, report.episodes_added) == (committed, total - committed)
        assert check_invariants(mem, GROUP, batch_size=BATCH, total=total) == []
        resumed, resumed_stats = snapshot(mem, GROUP), mem.stats(GROUP).model_dump()
        assert resumed.duplicates() == []
        again = mem.add_dialogue(synthetic_turns(total), group_id=GROUP)
        assert again.episodes_added == 0
        assert again.facts_added == 0
        assert mem.stats(GROUP).model_dump() == resumed_stats
    full, full_stats = _reference(tmp_path / "full", total, spacy_extractor)
    for count in ("episodes", "entities", "groups"):
        assert resumed_stats[count] == full_stats[count]
    _assert_same_content(resumed, full)
    _sqlite_checks(memory_dir)


def test_same_input_gives_the_same_intervals(tmp_path: Path, spacy_extractor: Extractor) -> None:
    # Two values of a functional relation stated for the same instant ("last year"), in one
    # batch: the same input must leave the same one open every time (the later statement).
    turns = [
        {"speaker": "Alice", "text": "I moved to Paris last year.", "time": "2024-03-01T09:00:00Z"},
        {"speaker": "Alice", "text": "I moved to Rome last year.", "time": "2024-03-02T09:00:00Z"},
    ]
    open_values = set()
    for run in range(8):
        with Memory.open(
            tmp_path / str(run), embedder=HashingEmbedder(), extractor=spacy_extractor
        ) as mem:
            mem.add_dialogue(turns, group_id=GROUP)
            current = mem.facts(subject="Alice", relation="LIVES_IN", group_id=GROUP)
            open_values.add(tuple(sorted(str(r.object) for r in current)))
    assert open_values == {("Rome",)}


def _fact_round_trip(mem: Memory, group: str) -> tuple[Fact, Fact]:
    t = [datetime(2024, 1, day, tzinfo=UTC) for day in (1, 2, 3)]
    alice = Entity(group_id=group, name="Alice", labels=["Person"])
    acme = Entity(group_id=group, name="Acme", labels=["Organization"])
    said = Episode(group_id=group, content="I work at Acme.", reference_time=t[0], source_id="e1")
    written = Fact(
        group_id=group,
        subject_uuid=alice.uuid,
        relation="WORKS_AT",
        object_uuid=acme.uuid,
        fact="Alice works at Acme.",
        valid_at=t[0],
        invalid_at=t[2],
        episodes=[said.uuid],
        sources=["e1"],
        observed_at=[t[0], t[1]],
        confidence=0.75,
        lineage="lineage-1",
    )
    mem.store.write(WriteBatch(episodes=[said], entities=[alice, acme], facts=[written]))
    (read,) = mem.store.get_facts(group, [written.uuid])
    return written, read


@pytest.mark.parametrize("backend", BACKENDS)
def test_fact_rows_come_back_as_written(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        written, read = _fact_round_trip(mem, f"{run_prefix()}-roundtrip")
    for name in ("valid_at", "invalid_at", "episodes", "sources", "confidence", "lineage"):
        assert getattr(read, name) == getattr(written, name), name
    assert read.observed_at == written.observed_at


# -- Neo4j ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def killable_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateNeo4j]:
    """A Neo4j of this test's own (own home and ports), so killing it disturbs no one."""
    with private_neo4j(tmp_path_factory.mktemp("neo4j-home")) as server:
        yield server


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_killed_under_a_retrying_writer_ends_complete_without_duplicates(
    tmp_path: Path, killable_neo4j: PrivateNeo4j, spacy_extractor: Extractor
) -> None:
    total = 48
    marker = tmp_path / "marker"
    writer = _start_writer(killable_neo4j.uri, marker, total, retry=True)
    try:
        _wait_for(marker, writer, 2 * BATCH, timeout=180)
        time.sleep(random.uniform(0.0, 0.5))
        before = killable_neo4j.pid()
        assert before is not None
        killable_neo4j.kill()  # kill -9: no clean shutdown
        assert _committed(marker) < total, "the ingest finished before the server was killed"
        killable_neo4j.start()
        assert killable_neo4j.pid() not in (None, before)
        # Right after recovery, whatever is stored is whole batches (the writer may be
        # writing again already: the checks read facts before episodes).
        with Memory.open(killable_neo4j.uri, embedder=HashingEmbedder()) as mem:
            assert check_invariants(mem, GROUP, batch_size=BATCH, total=total) == []
        _, err = writer.communicate(timeout=240)
    finally:
        if writer.poll() is None:
            writer.kill()
    log = marker.read_text()
    assert writer.returncode == 0, f"the writer failed:\n{err[-3000:]}\n{log}"
    assert "finished" in log
    # The driver retries a transaction while the server restarts; whatever it gives up on
    # reaches the writer as a StoreUnavailableError (or StoreError), never a driver error.
    errors = [line for line in log.splitlines() if line.startswith("error")]
    assert all(e.startswith(("error StoreUnavailableError", "error StoreError")) for e in errors)

    with Memory.open(
        killable_neo4j.uri,
        embedder=HashingEmbedder(),
        extractor=spacy_extractor,
        config=MemoryConfig(batch_size=BATCH),
    ) as mem:
        assert check_invariants(mem, GROUP, batch_size=BATCH, total=total) == []
        got, got_stats = snapshot(mem, GROUP), mem.stats(GROUP).model_dump()
        again = mem.add_dialogue(synthetic_turns(total), group_id=GROUP)
        assert again.episodes_added == 0
        assert again.facts_added == 0
    assert got.episodes == {t["id"] for t in synthetic_turns(total)}
    # The same turns ingested without trouble, into the embedded store.
    want, _ = _reference(tmp_path / "full", total, spacy_extractor)
    _assert_same_content(got, want)
    assert got_stats["episodes"] == total
