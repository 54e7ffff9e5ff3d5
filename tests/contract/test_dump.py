"""``groups()`` and ``dump()``: everything of a group comes back, expired rows included."""

from __future__ import annotations

from chronomem.engine.store import GraphStore
from tests.contract.samples import paris_then_berlin


def test_dump_returns_everything_written_including_expired_rows(
    store: GraphStore, group: str
) -> None:
    written = paris_then_berlin(group)
    store.write(written)

    dumped = store.dump(group)

    assert sorted(dumped.episodes, key=lambda e: e.uuid) == sorted(
        written.episodes, key=lambda e: e.uuid
    )
    assert {e.uuid: e for e in dumped.entities} == {e.uuid: e for e in written.entities}
    assert {f.uuid: f for f in dumped.facts} == {f.uuid: f for f in written.facts}
    assert sorted(dumped.mentions) == sorted(written.mentions)
    assert group in store.groups()


def test_dump_of_an_unknown_group_is_empty(store: GraphStore, group: str) -> None:
    assert not store.dump(group)
    assert group not in store.groups()
