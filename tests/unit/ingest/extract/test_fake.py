"""FunctionExtractor: an Extractor from a plain function, and its few default rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from chronomem.ingest.extract import (
    CandidateFact,
    EntityMention,
    Extractor,
    FunctionExtractor,
    simple_rules,
)
from chronomem.schema import Episode

WHEN = datetime(2024, 1, 1, tzinfo=UTC)


def _turn(text: str, speaker: str | None = "Alice") -> Episode:
    return Episode(content=text, speaker=speaker, reference_time=WHEN)


def _triples(extractor: FunctionExtractor, text: str) -> list[tuple[str, str, str, str]]:
    (extraction,) = extractor.extract([_turn(text)])
    return [(f.subject.name, f.relation, f.object.name, f.fact) for f in extraction.facts]


def test_it_is_an_extractor_named_after_its_function() -> None:
    assert isinstance(FunctionExtractor(), Extractor)
    assert FunctionExtractor().name == "function:simple_rules"
    assert FunctionExtractor(simple_rules, name="rules-v2").name == "rules-v2"
    assert FunctionExtractor().extract([]) == []


def test_the_default_rules_read_the_first_person_as_the_speaker() -> None:
    extractor = FunctionExtractor()
    assert _triples(extractor, "I live in Paris.") == [
        ("Alice", "LIVES_IN", "Paris", "Alice lives in Paris")
    ]
    assert _triples(extractor, "I moved to New York in May.") == [
        ("Alice", "LIVES_IN", "New York", "Alice lives in New York")
    ]
    assert _triples(extractor, "Bob works at Acme Corp and Carol is married to Bob.") == [
        ("Bob", "WORKS_AT", "Acme Corp", "Bob works at Acme Corp"),
        ("Carol", "MARRIED_TO", "Bob", "Carol is married to Bob"),
    ]
    assert _triples(extractor, "We moved to Berlin.") == []  # "we" names nobody
    assert _triples(extractor, "the weather is nice") == []


def test_mentions_are_the_speaker_and_the_ends_of_each_fact_once() -> None:
    (extraction,) = FunctionExtractor().extract([_turn("I live in Paris. I love Paris.")])
    assert extraction.entities == [
        EntityMention("Alice", "Person", is_speaker=True),
        EntityMention("Paris", "Place"),
    ]
    (fact,) = extraction.facts
    assert fact.subject.is_speaker
    assert (fact.valid_at, fact.invalid_at, fact.ends) == (None, None, False)


def test_any_function_can_extract_and_its_facts_belong_to_the_episode() -> None:
    def mine(episode: Episode) -> Iterator[EntityMention | CandidateFact]:
        yield EntityMention("Rex", "Animal")
        if "bark" in episode.content:
            yield CandidateFact(
                episode_uuid="wrong",
                subject=EntityMention("Rex", "Animal"),
                relation="BARKS_AT",
                object=EntityMention("the mailman", "Person"),
                fact="Rex barks at the mailman",
            )

    turns = [_turn("Rex, bark!", speaker=None), _turn("quiet", speaker="Bob")]
    barking, quiet = FunctionExtractor(mine).extract(turns)
    assert barking.episode_uuid == turns[0].uuid
    assert [f.episode_uuid for f in barking.facts] == [turns[0].uuid]
    assert [m.name for m in barking.entities] == ["Rex", "the mailman"]
    assert [m.name for m in quiet.entities] == ["Bob", "Rex"]
    assert quiet.facts == []
