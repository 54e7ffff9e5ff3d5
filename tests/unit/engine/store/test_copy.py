"""``copy_group``: one group of a store copied into another, row for row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from chronomem.engine.store import GraphStore, WriteBatch
from chronomem.engine.store.copy import REEMBED_CHUNK, CopyCounts, copy_group
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.errors import InputError
from chronomem.schema import Episode
from tests.contract.samples import DIMENSION, paris_then_berlin, unit

GROUP = "g1"
OTHER = "g2"


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[GraphStore, GraphStore]]:
    """A source holding two groups and an empty destination."""
    source = EmbeddedStore(tmp_path / "source", dimension=DIMENSION)
    destination = EmbeddedStore(tmp_path / "destination", dimension=DIMENSION)
    source.write(paris_then_berlin(GROUP))
    source.write(paris_then_berlin(OTHER))
    yield source, destination
    source.close()
    destination.close()


def _same_rows(a: WriteBatch, b: WriteBatch) -> None:
    assert {e.uuid: e for e in a.episodes} == {e.uuid: e for e in b.episodes}
    assert {e.uuid: e for e in a.entities} == {e.uuid: e for e in b.entities}
    assert {f.uuid: f for f in a.facts} == {f.uuid: f for f in b.facts}
    assert sorted(a.mentions) == sorted(b.mentions)


def test_a_group_is_copied_row_for_row_and_alone(stores: tuple[GraphStore, GraphStore]) -> None:
    source, destination = stores

    counts = copy_group(source, destination, GROUP)

    assert counts == CopyCounts(groups=1, episodes=2, entities=3, facts=3)
    _same_rows(destination.dump(GROUP), source.dump(GROUP))
    assert destination.groups() == [GROUP]


def test_copying_again_changes_nothing(stores: tuple[GraphStore, GraphStore]) -> None:
    source, destination = stores
    copy_group(source, destination, GROUP)
    first = destination.dump(GROUP)

    copy_group(source, destination, GROUP, chunk=1)

    _same_rows(destination.dump(GROUP), first)
    assert destination.stats(GROUP).facts == 3


def test_small_chunks_copy_the_same_rows_and_report_each_step(
    stores: tuple[GraphStore, GraphStore],
) -> None:
    source, destination = stores
    seen: list[int] = []

    copy_group(source, destination, GROUP, chunk=2, progress=seen.append)

    _same_rows(destination.dump(GROUP), source.dump(GROUP))
    assert seen == [2, 1]  # fact rows only: without reembed episodes are not reported


def test_reembed_replaces_the_episode_vectors_in_small_steps(
    stores: tuple[GraphStore, GraphStore],
) -> None:
    source, destination = stores
    steps: list[int] = []

    def reembed(episodes: Sequence[Episode]) -> list[Episode]:
        steps.append(len(episodes))
        return [e.model_copy(update={"content_embedding": unit(1.0)}) for e in episodes]

    seen: list[int] = []
    counts = copy_group(
        source, destination, GROUP, chunk=10 * REEMBED_CHUNK, reembed=reembed, progress=seen.append
    )

    assert steps == [2]
    assert seen == [2, 3]  # the episodes embedded, then the fact rows
    assert counts.episodes == 2
    copied = destination.get_episodes(GROUP, [e.uuid for e in source.dump(GROUP).episodes])
    assert len(copied) == 2
    assert all(e.content_embedding == pytest.approx(unit(1.0)) for e in copied)
    assert all(e.content_embedding is None for e in source.dump(GROUP).episodes)
    assert {f.uuid: f for f in destination.dump(GROUP).facts} == {
        f.uuid: f for f in source.dump(GROUP).facts
    }


def test_counts_add_up_and_read_as_a_dict() -> None:
    total = CopyCounts(groups=1, episodes=2, entities=3, facts=4) + CopyCounts(1, 1, 1, 1)
    assert total.as_dict() == {"groups": 2, "episodes": 3, "entities": 4, "facts": 5}


def test_a_chunk_below_one_is_refused(stores: tuple[GraphStore, GraphStore]) -> None:
    source, destination = stores
    with pytest.raises(InputError, match="chunk must be at least 1"):
        copy_group(source, destination, GROUP, chunk=0)
    assert destination.groups() == []
