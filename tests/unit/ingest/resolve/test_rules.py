"""The resolution rules: exact/alias, first names, fuzzy, embeddings, speakers, label gates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from chronomem.engine.store.protocol import GraphStore, WriteBatch
from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.resolve import SPEAKER_LABEL, EntityResolver
from chronomem.schema import Entity

from .conftest import (
    NOW,
    CountingEmbedder,
    EntityStore,
    concept,
    org,
    person,
    place,
    resolve_and_write,
    stored,
)


def uuids(resolution_entities: Sequence[Entity]) -> list[str]:
    return [e.uuid for e in resolution_entities]


# -- rule 1: exact, aliases, case ------------------------------------------------------------


def test_case_and_possessive_variants_merge(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1", [person("Anna"), person("anna"), person("ANNA's"), person("  Anna ")], now=NOW
    )
    assert len(set(uuids(result.entities))) == 1
    (entity,) = result.new_entities
    assert entity.name == "Anna"
    assert entity.aliases == []
    assert entity.labels == ["Person"]
    assert entity.created_at == NOW


def test_stored_alias_matches(resolver: EntityResolver, store: GraphStore) -> None:
    robert = Entity(group_id="g1", name="Robert", labels=["Person"], aliases=["Bob"])
    store.write(WriteBatch(entities=[robert]))
    result = resolver.resolve("g1", [person("bob"), person("ROBERT")], now=NOW)
    assert uuids(result.entities) == [robert.uuid, robert.uuid]
    assert result.new_entities == []
    assert result.updated_entities == []


def test_organisation_variants_merge(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1",
        [org("Acme, Inc."), org("ACME"), org("The Beatles"), org("Beatles"), org("acme corp")],
        now=NOW,
    )
    acme, acme2, beatles, beatles2, acme3 = result.entities
    assert acme.uuid == acme2.uuid == acme3.uuid
    assert beatles.uuid == beatles2.uuid
    assert acme.name == "Acme, Inc."
    assert len(result.new_entities) == 2


def test_concept_matches_product(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1", [concept("Kindle"), EntityMention("kindle", "Product")], now=NOW
    )
    assert result[0].uuid == result[1].uuid


# -- rule 2: first names -----------------------------------------------------------------------


@pytest.mark.parametrize("order", [("Anna", "Anna Schmidt"), ("Anna Schmidt", "Anna")])
def test_first_name_merges_with_the_only_full_name(
    resolver: EntityResolver, order: tuple[str, str]
) -> None:
    result = resolver.resolve("g1", [person(n) for n in order], now=NOW)
    assert result[0].uuid == result[1].uuid
    (entity,) = result.new_entities
    assert entity.name == "Anna Schmidt"
    assert entity.aliases == ["Anna"]


def test_first_name_completed_across_batches(resolver: EntityResolver, store: GraphStore) -> None:
    first = resolve_and_write(resolver, store, [person("Anna")])
    second = resolve_and_write(resolver, store, [person("Anna Schmidt")])
    assert second[0].uuid == first[0].uuid
    assert second.new_entities == []
    (updated,) = second.updated_entities
    # stores keep an entity's name (GraphStore protocol): the full name becomes an alias
    assert (updated.name, updated.aliases) == ("Anna", ["Anna Schmidt"])
    assert updated.name_embedding == first[0].name_embedding
    third = resolve_and_write(resolver, store, [person("anna"), person("anna schmidt")])
    assert uuids(third.entities) == [first[0].uuid] * 2
    assert third.updated_entities == []
    assert [(e.name, e.aliases) for e in stored(store)] == [("Anna", ["Anna Schmidt"])]
    fourth = resolve_and_write(resolver, store, [person("Anna Weber"), person("Anna")])
    assert fourth[0].uuid != first[0].uuid
    assert fourth[1].uuid == first[0].uuid


def test_rename_stored_makes_the_full_name_canonical() -> None:
    store = EntityStore()  # replaces whole entities on upsert, names included
    resolver = EntityResolver(store, CountingEmbedder(), rename_stored=True)  # type: ignore[arg-type]
    first = resolve_and_write(resolver, store, [person("Anna")])  # type: ignore[arg-type]
    second = resolve_and_write(resolver, store, [person("Anna Schmidt")])  # type: ignore[arg-type]
    (updated,) = second.updated_entities
    assert updated.uuid == first[0].uuid
    assert (updated.name, updated.aliases) == ("Anna Schmidt", ["Anna"])
    assert updated.name_embedding != first[0].name_embedding  # re-embedded under its new name


def test_two_people_with_one_first_name_stay_apart(
    resolver: EntityResolver, store: GraphStore
) -> None:
    first = resolve_and_write(resolver, store, [person("Anna Schmidt"), person("Anna Weber")])
    schmidt, weber = first.entities
    assert schmidt.uuid != weber.uuid
    second = resolve_and_write(resolver, store, [person("Anna")])
    assert second[0].uuid not in {schmidt.uuid, weber.uuid}
    assert second.updated_entities == []
    assert [(e.name, e.aliases) for e in stored(store)] == [
        ("Anna", []),
        ("Anna Schmidt", []),
        ("Anna Weber", []),
    ]


def test_bare_first_name_with_two_full_names_in_one_batch(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1", [person("Anna Schmidt"), person("Anna Weber"), person("Anna")], now=NOW
    )
    assert len(set(uuids(result.entities))) == 3
    assert all(e.aliases == [] for e in result.new_entities)


def test_second_full_name_does_not_steal_a_completed_first_name(
    resolver: EntityResolver,
) -> None:
    result = resolver.resolve(
        "g1", [person("Anna"), person("Anna Schmidt"), person("Anna Weber")], now=NOW
    )
    anna, schmidt, weber = result.entities
    assert anna.uuid == schmidt.uuid != weber.uuid
    assert weber.name == "Anna Weber"


def test_titles_do_not_block_first_name_matching(resolver: EntityResolver) -> None:
    result = resolver.resolve("g1", [person("Dr. Anna Schmidt"), person("Anna")], now=NOW)
    assert result[0].uuid == result[1].uuid


# -- rule 3: fuzzy ---------------------------------------------------------------------------


def test_an_organisations_first_word_is_the_organisation(
    resolver: EntityResolver, store: GraphStore
) -> None:
    first = resolve_and_write(resolver, store, [org("Harbourline Bank")])
    second = resolve_and_write(resolver, store, [org("Harbourline")])
    assert second[0].uuid == first[0].uuid
    (updated,) = second.updated_entities
    assert (updated.name, updated.aliases) == ("Harbourline Bank", ["Harbourline"])
    # within one batch too, and never for a person or a place of that word
    third = resolver.resolve("g2", [org("Quaymark Labs"), org("Quaymark")], now=NOW)
    assert third[0].uuid == third[1].uuid
    fourth = resolve_and_write(resolver, store, [place("Harbourline")])
    assert fourth[0].uuid != first[0].uuid


def test_an_organisations_first_word_shared_by_two_stays_apart(
    resolver: EntityResolver, store: GraphStore
) -> None:
    first = resolve_and_write(resolver, store, [org("Corvid Bank"), org("Corvid Games")])
    second = resolve_and_write(resolver, store, [org("Corvid")])
    assert second[0].uuid not in {e.uuid for e in first.entities}


def test_typo_merges(resolver: EntityResolver, store: GraphStore) -> None:
    first = resolve_and_write(resolver, store, [person("Caroline"), place("Amsterdam")])
    second = resolve_and_write(resolver, store, [person("Carolin"), place("Amsterdamm")])
    assert uuids(second.entities) == uuids(first.entities)
    assert sorted(e.aliases for e in second.updated_entities) == [["Amsterdamm"], ["Carolin"]]


def test_typo_merges_within_a_batch(resolver: EntityResolver) -> None:
    result = resolver.resolve("g1", [person("Caroline"), person("Carolin")], now=NOW)
    assert result[0].uuid == result[1].uuid
    assert result[0].aliases == ["Carolin"]


def test_ann_and_dan_stay_apart(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1", [person("Ann"), person("Dan"), person("John Smith"), person("Joan Smith")], now=NOW
    )
    assert len(set(uuids(result.entities))) == 4


def test_a_typo_close_to_two_people_merges_with_neither(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1", [person("Caroline"), person("Carolina"), person("Carolin")], now=NOW
    )
    assert len(set(uuids(result.entities))) == 3


def test_numbers_keep_names_apart(resolver: EntityResolver) -> None:
    result = resolver.resolve("g1", [concept("Room 101"), concept("Room 102")], now=NOW)
    assert result[0].uuid != result[1].uuid


# -- label gates -------------------------------------------------------------------------------


def test_person_never_merges_with_place(resolver: EntityResolver, store: GraphStore) -> None:
    first = resolve_and_write(resolver, store, [person("Jordan"), place("Jordan")])
    jordan_person, jordan_country = first.entities
    assert jordan_person.uuid != jordan_country.uuid
    assert jordan_person.labels == ["Person"]
    assert jordan_country.labels == ["Place"]
    second = resolve_and_write(
        resolver, store, [place("jordan"), person("JORDAN"), place("Jordann"), person("Jordann")]
    )
    assert uuids(second.entities) == [
        jordan_country.uuid,
        jordan_person.uuid,
        jordan_country.uuid,
        jordan_person.uuid,
    ]


class SynonymEmbedder(CountingEmbedder):
    """Gives listed synonyms the same vector, so rule 4 can be tested without a model."""

    def __init__(self, synonyms: dict[str, str]) -> None:
        super().__init__()
        self.synonyms = synonyms

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        return self.inner.embed([self.synonyms.get(t, t) for t in texts])


def test_embedding_merges_non_person_names(store: GraphStore) -> None:
    embedder = SynonymEmbedder({"NYC": "New York City", "Big Apple": "New York City"})
    resolver = EntityResolver(store, embedder)
    first = resolve_and_write(resolver, store, [place("New York City")])
    second = resolve_and_write(resolver, store, [place("NYC"), place("Big Apple")])
    assert uuids(second.entities) == [first[0].uuid] * 2
    (updated,) = second.updated_entities
    assert updated.aliases == ["NYC", "Big Apple"]
    assert second.new_entities == []


def test_embedding_merges_within_a_batch(store: GraphStore) -> None:
    embedder = SynonymEmbedder({"NYC": "New York City"})
    resolver = EntityResolver(store, embedder)
    result = resolver.resolve("g1", [place("New York City"), place("NYC")], now=NOW)
    assert result[0].uuid == result[1].uuid
    (entity,) = result.new_entities
    assert (entity.name, entity.aliases) == ("New York City", ["NYC"])


def test_embedding_never_merges_people_or_across_families(store: GraphStore) -> None:
    embedder = SynonymEmbedder({"Bobby": "Robert", "Robert Inc": "Robert"})
    resolver = EntityResolver(store, embedder)
    result = resolver.resolve("g1", [person("Robert"), person("Bobby"), org("Robert Inc")], now=NOW)
    assert len(set(uuids(result.entities))) == 3


def test_embedding_threshold_is_respected(store: GraphStore) -> None:
    resolver = EntityResolver(store, CountingEmbedder(), embedding_threshold=1.0)
    result = resolver.resolve("g1", [concept("hiking trip"), concept("trip hiking")], now=NOW)
    # token-set similarity merges reorders (rule 3) regardless of the embedding threshold
    assert result[0].uuid == result[1].uuid


# -- speakers ----------------------------------------------------------------------------------


def test_speaker_name_resolves_to_the_speaker(resolver: EntityResolver, store: GraphStore) -> None:
    resolve_and_write(resolver, store, [person("Anna Schmidt"), person("Anna Weber")])
    result = resolve_and_write(resolver, store, [person("Anna", speaker=True), person("Anna")])
    speaker, plain = result.entities
    assert speaker.uuid == plain.uuid
    assert speaker.labels == ["Person", SPEAKER_LABEL]
    assert speaker.name == "Anna"
    later = resolve_and_write(resolver, store, [person("anna"), person("Anna Weber")])
    assert later[0].uuid == speaker.uuid
    assert later[1].uuid != speaker.uuid


def test_mentioned_person_becomes_the_speaker(resolver: EntityResolver) -> None:
    result = resolver.resolve("g1", [person("Melanie"), person("Melanie", speaker=True)], now=NOW)
    assert result[0].uuid == result[1].uuid
    (entity,) = result.new_entities
    assert entity.labels == ["Person", SPEAKER_LABEL]


def test_speaker_keeps_its_name_and_absorbs_full_name(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1",
        [person("Caroline", speaker=True), person("Caroline Smith"), person("Carolin")],
        now=NOW,
    )
    assert len(set(uuids(result.entities))) == 1
    (entity,) = result.new_entities
    assert entity.name == "Caroline"
    assert entity.aliases == ["Caroline Smith", "Carolin"]


def test_speakers_are_never_fuzzy_merged(resolver: EntityResolver) -> None:
    result = resolver.resolve(
        "g1", [person("Caroline", speaker=True), person("Carolin", speaker=True)], now=NOW
    )
    assert result[0].uuid != result[1].uuid


def test_speaker_wins_an_exact_tie(resolver: EntityResolver, store: GraphStore) -> None:
    other = Entity(group_id="g1", name="Sam", labels=["Person"])
    speaker = Entity(group_id="g1", name="Sam", labels=["Person", SPEAKER_LABEL])
    store.write(WriteBatch(entities=[other, speaker]))
    result = resolver.resolve("g1", [person("Sam")], now=NOW)
    assert result[0].uuid == speaker.uuid


# -- batches and determinism -------------------------------------------------------------------


def test_same_new_name_twice_gives_one_entity(resolver: EntityResolver) -> None:
    result = resolver.resolve("g1", [place("Berlin"), org("Acme"), place("Berlin")], now=NOW)
    assert result[0].uuid == result[2].uuid
    assert len(result.new_entities) == 2
    assert result.entity_for(place("Berlin")).uuid == result[0].uuid


def test_one_embedding_call_per_batch(store: GraphStore) -> None:
    embedder = CountingEmbedder()
    resolver = EntityResolver(store, embedder)
    result = resolver.resolve(
        "g1",
        [person("Anna"), place("Berlin"), org("Acme"), person("Anna Schmidt"), place("Berlin")],
        now=NOW,
    )
    assert len(embedder.calls) == 1
    assert sorted(embedder.calls[0]) == ["Acme", "Anna Schmidt", "Berlin"]
    assert all(len(e.name_embedding or []) == 384 for e in result.new_entities)


def test_no_embedding_call_when_nothing_is_new(store: GraphStore) -> None:
    embedder = CountingEmbedder()
    resolver = EntityResolver(store, embedder)
    resolve_and_write(resolver, store, [place("Berlin")])
    resolve_and_write(resolver, store, [place("berlin")])
    assert len(embedder.calls) == 1


def _shape(mentions: list[EntityMention], store: GraphStore) -> list[tuple[int, str, list[str]]]:
    result = EntityResolver(store, CountingEmbedder()).resolve("g1", mentions, now=NOW)
    first_seen: dict[str, int] = {}
    for entity in result.entities:
        first_seen.setdefault(entity.uuid, len(first_seen))
    return [(first_seen[e.uuid], e.name, e.aliases) for e in result.entities]


def test_resolution_is_deterministic(store: GraphStore) -> None:
    mentions = [
        person("Anna"), person("Anna Schmidt"), person("Carolin"), person("Caroline"),
        place("New York"), place("new york"), org("Acme Corp"), org("Acme"),
        person("Anna Weber"), person("Anna"), concept("pottery"), concept("potery class"),
    ]  # fmt: skip
    assert _shape(mentions, store) == _shape(mentions, store)


def test_mention_not_in_the_batch_is_reported(resolver: EntityResolver) -> None:
    result = resolver.resolve("g1", [person("Anna")], now=NOW)
    with pytest.raises(KeyError, match="pass every mention"):
        result.entity_for(person("Bob"))
