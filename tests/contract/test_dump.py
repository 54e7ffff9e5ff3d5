"""``groups()`` and ``dump()``: everything of a group comes back, expired rows included."""

from __future__ import annotations

from chronomem.engine.store import GraphStore, WriteBatch
from tests.contract.samples import angled, at, entity, episode, fact


def test_dump_returns_everything_written_including_expired_rows(
    store: GraphStore, group: str
) -> None:
    ep1 = episode(group, "Alice lives in Paris", source_id="t1")
    ep2 = episode(group, "Alice moved to Berlin", source_id="t2", reference_time=at(2024, 6))
    alice, paris, berlin = (entity(group, n) for n in ("Alice", "Paris", "Berlin"))
    old = fact(group, alice, paris, "Alice lives in Paris", "LIVES_IN", valid_at=at(2024),
               created_at=at(2024), expired_at=at(2024, 6), episodes=[ep1.uuid],
               fact_embedding=angled(10))  # fmt: skip
    revised = old.model_copy(
        update={"uuid": "revised-" + old.uuid, "invalid_at": at(2024, 6), "expired_at": None,
                "created_at": at(2024, 6)}
    )  # fmt: skip
    new = fact(group, alice, berlin, "Alice moved to Berlin", "LIVES_IN", valid_at=at(2024, 6),
               episodes=[ep2.uuid], observed_at=[at(2024, 6)])  # fmt: skip
    written = WriteBatch(
        episodes=[ep1, ep2],
        entities=[alice, paris, berlin],
        facts=[old, revised, new],
        mentions=[(ep1.uuid, alice.uuid), (ep1.uuid, paris.uuid), (ep2.uuid, berlin.uuid)],
    )
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
