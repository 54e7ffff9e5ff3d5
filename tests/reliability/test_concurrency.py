"""Concurrency: searches run while a write is under way and always see whole batches; a second
process that opens an embedded memory for writing gets a clear MemoryLockedError (never a
corrupted file), while read-only opens work alongside."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import neo4j
import pytest
from neo4j import Driver

from benchmarks.soak import synthetic_queries, synthetic_turns
from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.errors import MemoryLockedError, NotFoundError, StoreError
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory
from tests.reliability.conftest import BACKENDS, open_memory, run_prefix
from tests.reliability.snapshot import snapshot

REPO_ROOT = Path(__file__).resolve().parents[2]
BATCH = 8
CLI = "from chronomem.cli import main; main()"


@pytest.mark.parametrize("backend", BACKENDS)
def test_searches_during_an_ingest_see_whole_batches_and_raise_nothing(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    group = f"{run_prefix()}-concurrent"
    config = MemoryConfig(batch_size=BATCH)
    with open_memory(backend, request, tmp_path / "m", spacy_extractor, config) as mem:
        total = 48 if mem.store.capabilities.server else 160  # a round trip per call
        mem.add_dialogue(synthetic_turns(2 * BATCH), group_id=group)
        done = threading.Event()
        errors: list[BaseException] = []
        seen: list[list[int]] = []

        def ingest() -> None:
            try:
                for start in range(2 * BATCH, total, 2 * BATCH):
                    mem.add_dialogue(synthetic_turns(2 * BATCH, start=start), group_id=group)
            except BaseException as exc:
                errors.append(exc)
            finally:
                done.set()

        def read(worker: int) -> None:
            rng = random.Random(worker)
            counts: list[int] = []
            queries = synthetic_queries(200, seed=worker)
            try:
                while not done.is_set():
                    counts.append(mem.stats(group).episodes)
                    for hit in mem.search(rng.choice(queries), group_id=group, limit=10):
                        assert hit.group_id == group
                        if hit.kind == "fact":  # its provenance is stored already
                            found = mem.store.get_episodes(group, hit.episodes)
                            assert len(found) == len(hit.episodes), hit
                    try:
                        rows = mem.history(rng.choice(["Alice", "Bob", "Carol"]), group_id=group)
                    except NotFoundError:
                        rows = []
                    assert all(r.group_id == group for r in rows)
                seen.append(counts)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=ingest)]
        threads += [threading.Thread(target=read, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not errors, errors
        assert len(seen) == 3
        for counts in seen:
            assert counts == sorted(counts), "a reader saw the memory shrink"
            assert all(n % BATCH == 0 for n in counts), counts
        concurrent = mem.stats(group).model_dump()
        concurrent_snapshot = snapshot(mem, group)
    assert concurrent_snapshot.duplicates() == []
    # The same turns written with nobody reading: the same episodes, entities and statements
    # (fact rows are not compared: see test_same_input_gives_the_same_intervals).
    with Memory.open(
        tmp_path / "alone", embedder=HashingEmbedder(), extractor=spacy_extractor, config=config
    ) as alone:
        alone.add_dialogue(synthetic_turns(total), group_id=group)
        reference = snapshot(alone, group)
        assert alone.stats(group).episodes == concurrent["episodes"]
    assert reference.episodes == concurrent_snapshot.episodes
    assert reference.entities == concurrent_snapshot.entities
    assert reference.said() == concurrent_snapshot.said()


HOLDER = """
import sys
from benchmarks.soak import synthetic_turns
from chronomem.engine.embed import HashingEmbedder
from chronomem.memory import Memory

with Memory.open(sys.argv[1], embedder=HashingEmbedder()) as mem:
    mem.add_dialogue(synthetic_turns(8), group_id="g")
    print("ready", flush=True)
    sys.stdin.read()  # hold the memory open until the parent closes stdin
"""


@pytest.mark.model
def test_second_writer_process_gets_memory_locked_error(tmp_path: Path) -> None:
    path = tmp_path / "memory"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(MemoryLockedError) as locked:
            Memory.open(path, embedder=HashingEmbedder())
        message = str(locked.value)
        assert f"this memory is open in process {holder.pid}" in message
        assert "read_only=True" in message

        # A CLI write says the same in one line; a CLI read opens read-only and works.
        turns = tmp_path / "turns.jsonl"
        turns.write_text(
            '{"speaker": "Ann", "text": "Hi.", "time": "2024-01-01T00:00:00Z"}\n',
            encoding="utf-8",
        )
        read = subprocess.run(
            [sys.executable, "-c", CLI, "stats", "--store", str(path), "--json"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert read.returncode == 0, read.stderr
        assert json.loads(read.stdout)["episodes"] == 8
        cli = subprocess.run(
            [sys.executable, "-c", CLI, "ingest", "dialogue", str(turns), "--store", str(path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert cli.returncode == 1
        assert "Traceback" not in cli.stderr
        assert cli.stderr.strip().startswith("error: ")
        assert "is open in process" in cli.stderr

        # Reading alongside works and sees what the holder wrote.
        with Memory.open(path, embedder=HashingEmbedder(), read_only=True) as reader:
            assert reader.stats("g").episodes == 8
            assert isinstance(reader.search("Where does Alice work?", group_id="g"), list)
            with pytest.raises(StoreError, match="read_only=True"):
                reader.add_dialogue(synthetic_turns(1, start=100), group_id="g")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    assert holder.returncode == 0, holder.stderr.read() if holder.stderr else ""

    # Once the holder is gone the memory opens for writing, intact.
    with Memory.open(path, embedder=HashingEmbedder()) as mem:
        assert mem.stats("g").episodes == 8


def test_second_open_in_the_same_process_is_locked_too(tmp_path: Path) -> None:
    with (
        Memory.open(tmp_path / "m", embedder=HashingEmbedder()),
        pytest.raises(MemoryLockedError),
    ):
        Memory.open(tmp_path / "m", embedder=HashingEmbedder())
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder()):  # released on close
        pass


def test_read_only_open_of_a_missing_memory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no memory here"):
        Memory.open(tmp_path / "nothing", embedder=HashingEmbedder(), read_only=True)
    assert not (tmp_path / "nothing").exists()


RACER = """
import json, sys, time
from pathlib import Path
from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.memory import Memory

uri, group, turns_file, go = sys.argv[1:5]
auth = json.loads(sys.argv[5])
config = MemoryConfig(batch_size=3, neo4j_auth=tuple(auth) if auth else None)
turns = json.loads(Path(turns_file).read_text())
extractor = FunctionExtractor()
with Memory.open(uri, embedder=HashingEmbedder(), extractor=extractor, config=config) as mem:
    print("ready", flush=True)
    while not Path(go).exists():  # every racer starts at once
        time.sleep(0.01)
    mem.add_dialogue(turns, group_id=group)
"""

_PEOPLE = ("Caroline", "Melanie", "Oscar", "Priya", "Tomas", "Zofia")
_PLACES = ("Lisbon", "Porto", "Madrid", "Seville", "Bilbao")
_FIRMS = ("Acme", "Globex", "Initech", "Umbrella")


def _race_turns() -> list[dict[str, str]]:
    """48 turns of six people moving and changing jobs, in the function extractor's English."""
    turns = []
    for n in range(48):
        who = _PEOPLE[n % len(_PEOPLE)]
        text = (
            f"I moved to {_PLACES[n % len(_PLACES)]}."
            if n % 2
            else f"I work at {_FIRMS[n % len(_FIRMS)]}. {_PEOPLE[(n + 1) % 6]} lives in "
            f"{_PLACES[(n + 2) % len(_PLACES)]}."
        )
        turns.append(
            {
                "speaker": who,
                "text": text,
                "time": f"2024-01-{1 + n // 2:02d}T{n % 2 + 8:02d}:00:00Z",
                "id": f"t{n}",
            }
        )
    return turns


_State = tuple[int, list[str], list[str], list[tuple[str, list[str]]]]


def _state(mem: Memory, group: str) -> _State:
    """Episodes, entity names, the statements believed, and the valid-time state of
    ``group``: at every instant a believed fact starts or ends, which facts hold."""
    dump = mem.store.dump(group)
    names = sorted(e.name for e in dump.entities)
    rows = [f for f in dump.facts if f.expired_at is None]
    statements = sorted({f"{f.relation} {f.fact}" for f in rows})
    instants = sorted({t for f in rows for t in (f.valid_at, f.invalid_at) if t is not None})
    holding = [
        (_iso(t), sorted({f"{f.relation} {f.fact}" for f in rows if f.holds_at(t)}))
        for t in instants
    ]
    return (len(dump.episodes), names, statements, holding)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


@pytest.mark.neo4j
@pytest.mark.parametrize("split", ["same-turns", "disjoint-quarters"])
def test_neo4j_writers_racing_on_one_group_end_like_one_sequential_ingest(
    split: str, tmp_path: Path, neo4j_uri: str, neo4j_auth: tuple[str, str] | None
) -> None:
    """Issue 17 item 1: four processes adding one conversation to one Neo4j group ended with
    four times the entities ("Caroline" four times). Writers of a group now take turns under
    a lock the database holds, so the group ends as one sequential ingest leaves it."""
    turns = _race_turns()
    raced, sequential = f"{run_prefix()}-race", f"{run_prefix()}-seq"
    parts = [turns] * 4 if split == "same-turns" else [turns[i::4] for i in range(4)]
    go = tmp_path / "go"
    racers = []
    for number, part in enumerate(parts):
        path = tmp_path / f"turns-{number}.json"
        path.write_text(json.dumps(part), encoding="utf-8")
        args = [neo4j_uri, raced, str(path), str(go), json.dumps(neo4j_auth)]
        racers.append(
            subprocess.Popen(
                [sys.executable, "-c", RACER, *args],
                cwd=REPO_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for racer in racers:  # every racer connected and waiting
        assert racer.stdout is not None
        assert racer.stdout.readline().strip() == "ready"
    go.touch()
    for racer in racers:
        _, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, err
    config = MemoryConfig(batch_size=3, neo4j_auth=neo4j_auth)
    with Memory.open(
        neo4j_uri, embedder=HashingEmbedder(), extractor=FunctionExtractor(), config=config
    ) as mem:
        mem.add_dialogue(turns, group_id=sequential)
        raced_state, sequential_state = _state(mem, raced), _state(mem, sequential)
    names = raced_state[1]
    assert names.count("Caroline") == 1
    assert len(names) == len(set(names))
    if split == "same-turns":  # every racer but the first adds nothing
        assert raced_state == sequential_state
    else:
        # No duplicate: the same episodes, entities and believed statements. The valid-time
        # state may still differ with the order the quarters arrived in: a limit of the
        # temporal resolver reported with issue 17, not a race.
        assert raced_state[:3] == sequential_state[:3]


@pytest.mark.neo4j
def test_neo4j_refuses_a_second_episode_with_one_source_id(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None, neo4j_driver: Driver
) -> None:
    """The lock makes writers take turns; a uniqueness constraint makes a duplicate episode
    impossible even for a writer that skips the lock."""
    group = f"{run_prefix()}-unique"
    config = MemoryConfig(neo4j_auth=neo4j_auth)
    with Memory.open(
        neo4j_uri, embedder=HashingEmbedder(), extractor=FunctionExtractor(), config=config
    ) as mem:
        mem.add_dialogue(_race_turns()[:1], group_id=group)
    (stored,) = neo4j_driver.execute_query(
        "MATCH (e:Episodic {group_id: $g}) RETURN e.source_key AS key", g=group
    ).records
    assert stored["key"]
    with pytest.raises(neo4j.exceptions.ConstraintError):
        neo4j_driver.execute_query(
            "CREATE (:Episodic {group_id: $g, source_key: $key})", g=group, key=stored["key"]
        )
