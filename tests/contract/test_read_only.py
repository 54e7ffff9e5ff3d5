"""A store opened with ``read_only=True`` reads everything and refuses every write, before
touching the database, on every backend whose memory can be opened again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chronomem.engine.store import GraphStore, WriteBatch
from chronomem.engine.store.protocol import Erasure, FactFilter
from chronomem.errors import StoreError
from tests.contract.conftest import StoreFactory
from tests.contract.samples import entity, episode, paris_then_berlin, query, unit

Write = Callable[[GraphStore, str, WriteBatch], object]

_WRITES: dict[str, Write] = {
    "write": lambda s, g, b: s.write(b),
    "write-empty": lambda s, g, b: s.write(WriteBatch()),
    "erase": lambda s, g, b: s.erase(Erasure(group_id=g, episodes=[b.episodes[0].uuid])),
    "set_meta": lambda s, g, b: s.set_meta(f"test-setting:{g}", "changed"),
    "lock_group": lambda s, g, b: s.lock_group(g, timeout=1.0).__enter__(),
}


def _writer_and_reader(
    store_factory: StoreFactory, read_only_factory: StoreFactory, group: str
) -> tuple[GraphStore, GraphStore]:
    writer = store_factory()
    if not writer.capabilities.reopenable:
        pytest.skip("this store cannot be opened again, read-only or not")
    writer.write(paris_then_berlin(group))
    writer.set_meta(f"test-setting:{group}", "kept")
    return writer, read_only_factory()


def test_a_read_only_store_reads_what_the_writer_wrote(
    store_factory: StoreFactory, read_only_factory: StoreFactory, group: str
) -> None:
    writer, reader = _writer_and_reader(store_factory, read_only_factory, group)
    assert reader.dump(group) == writer.dump(group)
    assert reader.stats(group) == writer.stats(group)
    assert reader.get_meta(f"test-setting:{group}") == "kept"
    assert [e.name for e in reader.find_entities(group, ["alice"])] == ["Alice"]
    assert len(reader.list_facts(group, FactFilter())) == 2
    assert reader.fulltext(group, "Berlin", "episode", 5, FactFilter())
    assert reader.vector(group, query(unit(1)), "fact", 5, FactFilter())
    assert group in reader.groups()


@pytest.mark.parametrize("name", sorted(_WRITES))
def test_a_read_only_store_refuses_every_write(
    name: str, store_factory: StoreFactory, read_only_factory: StoreFactory, group: str
) -> None:
    writer, reader = _writer_and_reader(store_factory, read_only_factory, group)
    before = writer.dump(group)
    new = episode(group, "Alice moved to Rome", source_id="t3")
    rome = entity(group, "Rome")
    attempt = WriteBatch(episodes=[new, *before.episodes], entities=[rome])
    with pytest.raises(StoreError, match=r"opened with read_only=True; open it without to write"):
        _WRITES[name](reader, group, attempt)
    assert writer.dump(group) == before
    assert writer.get_meta(f"test-setting:{group}") == "kept"
    with writer.lock_group(group, timeout=5.0):  # no lock was left behind
        pass
