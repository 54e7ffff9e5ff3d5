"""Properties over random batches: re-resolving is stable, groups stay apart, no label mixing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.resolve import EntityResolver
from chronomem.ingest.resolve.names import entity_families, label_family

from .conftest import NOW, CountingEmbedder, EntityStore, resolve_and_write

NAMES = [
    "Anna", "Anna Schmidt", "Anna Weber", "anna's", "Caroline", "Carolin", "Carolina",
    "Jordan", "Ann", "Dan", "New York", "new york city", "Acme", "Acme Inc.", "Berlin",
]  # fmt: skip
LABELS = ["Person", "Place", "Organization", "Concept"]

mentions = st.lists(
    st.builds(
        EntityMention,
        name=st.sampled_from(NAMES),
        label=st.sampled_from(LABELS),
        is_speaker=st.sampled_from([False, False, False, True]),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(mentions, min_size=1, max_size=3))
def test_resolving_again_changes_nothing(batches: list[list[EntityMention]]) -> None:
    store = EntityStore()
    resolver = EntityResolver(store, CountingEmbedder())  # type: ignore[arg-type]
    first = [resolve_and_write(resolver, store, b) for b in batches]  # type: ignore[arg-type]
    count = len(store.entities)
    fresh = EntityResolver(store, CountingEmbedder())  # type: ignore[arg-type]
    for batch, earlier in zip(batches, first, strict=True):
        again = fresh.resolve("g1", batch, now=NOW)
        assert again.new_entities == []
        assert again.updated_entities == []
        assert [e.uuid for e in again.entities] == [e.uuid for e in earlier.entities]
    assert len(store.entities) == count


@settings(max_examples=60, deadline=None)
@given(batch=mentions)
def test_every_mention_resolves_within_its_label_family(batch: list[EntityMention]) -> None:
    store = EntityStore()
    result = EntityResolver(store, CountingEmbedder()).resolve("g1", batch, now=NOW)  # type: ignore[arg-type]
    for mention, entity in zip(batch, result.entities, strict=True):
        assert label_family(mention.label) in entity_families(entity.labels)
        assert entity.group_id == "g1"
        assert entity.name_embedding is not None
    written = {e.uuid for e in result.to_write}
    assert {e.uuid for e in result.entities} <= written
    assert len(written) == len(result.to_write)  # each entity once
