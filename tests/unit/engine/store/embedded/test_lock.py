"""One writing process per memory: the lock file, MemoryLockedError, and read-only access."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import LOCK_FILE, EmbeddedStore
from chronomem.errors import MemoryLockedError, StoreError
from chronomem.schema import Entity, Fact

HOLDER = textwrap.dedent(
    """
    import sys
    from chronomem.engine.store.embedded import EmbeddedStore
    store = EmbeddedStore(sys.argv[1])
    print("open", flush=True)
    sys.stdin.readline()
    store.close()
    print("closed", flush=True)
    """
)


@pytest.fixture
def other_process(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another Python process holding the memory at tmp_path/'m' open until told to close."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "m")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "open"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def _release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "closed"
    proc.wait(timeout=10)


def test_second_process_gets_memory_locked_error(
    tmp_path: Path, other_process: subprocess.Popen[str]
) -> None:
    with pytest.raises(MemoryLockedError) as info:
        EmbeddedStore(tmp_path / "m")
    message = str(info.value)
    assert str(tmp_path / "m") in message
    assert str(other_process.pid) in message
    assert "read_only=True" in message


def test_lock_is_released_when_the_holder_closes(
    tmp_path: Path, other_process: subprocess.Popen[str]
) -> None:
    _release(other_process)
    with EmbeddedStore(tmp_path / "m") as store:
        assert store.stats().entities == 0


def test_lock_is_released_when_the_holder_dies(
    tmp_path: Path, other_process: subprocess.Popen[str]
) -> None:
    other_process.kill()
    other_process.wait(timeout=10)
    with EmbeddedStore(tmp_path / "m") as store:
        assert store.stats().facts == 0


def test_read_only_opens_alongside_the_writer(
    tmp_path: Path, other_process: subprocess.Popen[str]
) -> None:
    with EmbeddedStore(tmp_path / "m", read_only=True) as reader:
        assert reader.stats().episodes == 0


def test_second_open_in_the_same_process_is_refused(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "m"), pytest.raises(MemoryLockedError):
        EmbeddedStore(tmp_path / "m")


def test_lock_file_lives_in_the_memory_directory(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "m"):
        assert (tmp_path / "m" / LOCK_FILE).exists()
    with EmbeddedStore(tmp_path / "m"):  # reopening after close works
        pass


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "m").close()
    with EmbeddedStore(tmp_path / "m", read_only=True) as reader:
        with pytest.raises(StoreError, match="read_only"):
            reader.write(WriteBatch(entities=[Entity(name="A")]))
        with pytest.raises(StoreError, match="read_only"):
            reader.set_meta("k", "v")


def test_read_only_needs_an_existing_memory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no memory here"):
        EmbeddedStore(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


def _unit(*weights: float) -> list[float]:
    vector = np.zeros(384, dtype=np.float32)
    vector[: len(weights)] = weights
    values: list[float] = (vector / np.linalg.norm(vector)).tolist()
    return values


def test_read_only_sees_later_writes_of_the_writer(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "m") as writer:
        a = Entity(group_id="g", name="A", name_embedding=_unit(1))
        b = Entity(group_id="g", name="B")
        f1 = Fact(
            group_id="g",
            subject_uuid=a.uuid,
            relation="R",
            object_uuid=b.uuid,
            fact="one",
            fact_embedding=_unit(1, 0.2),
        )
        writer.write(WriteBatch(entities=[a, b], facts=[f1]))
        with EmbeddedStore(tmp_path / "m", read_only=True) as reader:
            q = np.asarray(_unit(1), dtype=np.float32)
            assert _ids(reader.vector("g", q, "entity", 5, FactFilter())) == [a.uuid]
            assert _ids(reader.vector("g", q, "fact", 5, FactFilter())) == [f1.uuid]

            moved = b.model_copy(update={"name_embedding": _unit(1, 0.1)})
            f2 = Fact(
                group_id="g",
                subject_uuid=a.uuid,
                relation="R",
                object_uuid=b.uuid,
                fact="two",
                fact_embedding=_unit(1, 0.1),
            )
            writer.write(WriteBatch(entities=[moved], facts=[f2]))

            assert {e.name for e in reader.find_entities("g")} == {"A", "B"}
            assert _ids(reader.vector("g", q, "entity", 5, FactFilter())) == [a.uuid, b.uuid]
            assert _ids(reader.vector("g", q, "fact", 5, FactFilter())) == [f2.uuid, f1.uuid]


def _ids(hits: list[tuple[str, float]]) -> list[str]:
    return [uuid for uuid, _ in hits]
