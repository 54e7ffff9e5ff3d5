"""The offline extractor on hand-written dialogues (real spaCy model, loaded once per session)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronomem.ingest.extract import SpacyExtractor
from chronomem.ingest.extract.protocol import Extractor
from chronomem.ingest.extract.relations import RELATION_PATTERN
from chronomem.schema import Episode
from tests.unit.ingest.extract.conftest import Converse
from tests.unit.ingest.extract.dialogues import REFERENCE, episodes_of, find, triples

pytestmark = pytest.mark.model


def day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def test_implements_the_extractor_protocol(spacy_extractor: Extractor) -> None:
    assert isinstance(spacy_extractor, Extractor)
    assert spacy_extractor.name == "spacy-rules-v1"
    assert spacy_extractor.extract([]) == []


def test_one_extraction_per_episode_in_order(converse: Converse) -> None:
    lines = ["Caroline: Hi!", "Melanie: I live in Denver.", "Caroline: Cool."]
    episodes = episodes_of(lines)
    out = SpacyExtractor().extract(episodes)
    assert [x.episode_uuid for x in out] == [e.uuid for e in episodes]


def test_named_entities_are_typed(converse: Converse) -> None:
    (x,) = converse("Caroline: Yesterday I met Barack Obama at Microsoft in Seattle.")
    labels = {(m.name, m.label) for m in x.entities}
    assert ("Barack Obama", "Person") in labels
    assert ("Microsoft", "Organization") in labels
    assert ("Seattle", "Place") in labels
    assert not any(m.name.lower() == "yesterday" for m in x.entities)


def test_speaker_is_a_person_mention(converse: Converse) -> None:
    (x,) = converse("Caroline: Hello there.")
    speakers = [m for m in x.entities if m.is_speaker]
    assert [(m.name, m.label) for m in speakers] == [("Caroline", "Person")]


def test_first_person_is_the_speaker(converse: Converse) -> None:
    (x,) = converse("Caroline: I live in Boston.")
    assert ("Caroline", "LIVES_IN", "Boston") in triples(x)
    fact = find(x, "LIVES_IN", "Boston")
    assert fact.subject.is_speaker
    assert fact.fact == "Caroline lives in Boston."


def test_second_person_is_the_most_recent_other_speaker(converse: Converse) -> None:
    out = converse(
        "Caroline: I'm moving soon.",
        "Melanie: Hi Caroline.",
        "Caroline: You work at Google, right.",
    )
    assert ("Melanie", "WORKS_AT", "Google") in triples(out[2])
    assert "Melanie" in find(out[2], "WORKS_AT", "Google").fact


def test_second_person_in_the_first_turn_is_the_next_speaker(converse: Converse) -> None:
    out = converse("Caroline: You are a great painter.", "Melanie: Thanks!")
    assert ("Melanie", "HAS_JOB_TITLE", "painter") in triples(out[0])


def test_third_person_pronoun_is_the_last_person_mentioned(converse: Converse) -> None:
    out = converse(
        "Caroline: I talked to Anna yesterday.",
        "Melanie: Oh nice.",
        "Caroline: She works at Microsoft now.",
    )
    assert ("Anna", "WORKS_AT", "Microsoft") in triples(out[2])
    assert find(out[2], "WORKS_AT", "Microsoft").fact.startswith("Anna works")


def test_ambiguous_third_person_pronoun_gives_no_fact(converse: Converse) -> None:
    out = converse("Caroline: Anna and Maria came over.", "Caroline: She works at Microsoft.")
    assert not any(f.relation == "WORKS_AT" for f in out[1].facts)


def test_participants_are_not_third_person_referents(converse: Converse) -> None:
    out = converse(
        "Caroline: Hey Melanie!", "Caroline: She works at Microsoft.", "Melanie: Hi Caroline."
    )
    assert not any(f.relation == "WORKS_AT" for f in out[1].facts)


def test_possessive_kinship_with_a_name(converse: Converse) -> None:
    (x,) = converse("Caroline: My sister Anna works at Google in Berlin.")
    facts = triples(x)
    assert ("Caroline", "SIBLING_OF", "Anna") in facts
    assert ("Anna", "WORKS_AT", "Google") in facts
    assert find(x, "SIBLING_OF", "Anna").fact == "Caroline's sister Anna works at Google in Berlin."


def test_possessive_without_a_name_uses_a_placeholder(converse: Converse) -> None:
    (x,) = converse("Melanie: My husband is a doctor.")
    facts = triples(x)
    assert ("Melanie", "HAS_HUSBAND", "Melanie's husband") in facts
    assert ("Melanie's husband", "HAS_JOB_TITLE", "doctor") in facts


def test_named_pet(converse: Converse) -> None:
    (x,) = converse("Melanie: My dog Max loves the park.")
    assert ("Melanie", "HAS_PET", "Max") in triples(x)
    assert ("Max", "Animal") in {(m.name, m.label) for m in x.entities}
    assert ("Max", "Person") not in {(m.name, m.label) for m in x.entities}


@pytest.mark.parametrize(
    ("line", "relation", "obj"),
    [
        ("Caroline: I work at Google.", "WORKS_AT", "Google"),
        ("Caroline: I got a job at Microsoft.", "WORKS_AT", "Microsoft"),
        ("Caroline: I live in Boston.", "LIVES_IN", "Boston"),
        ("Caroline: I moved to Berlin.", "LIVES_IN", "Berlin"),
        ("Caroline: I study at Harvard.", "STUDIES_AT", "Harvard"),
        ("Caroline: I was born in Sweden.", "BORN_IN", "Sweden"),
        ("Caroline: I went to Paris.", "VISITED", "Paris"),
        ("Caroline: I got married to John.", "MARRIED_TO", "John"),
        ("Caroline: I'm a nurse.", "HAS_JOB_TITLE", "nurse"),
        ("Caroline: I love jazz and blues.", "LIKES", "blues"),
        ("Caroline: I bought a car.", "OWNS", "car"),
        ("Caroline: I'm from Sweden.", "IS_FROM", "Sweden"),
        ("Caroline: I'm keen on counseling.", "INTERESTED_IN", "counseling"),
    ],
)
def test_relation_patterns(converse: Converse, line: str, relation: str, obj: str) -> None:
    (x,) = converse(line)
    assert ("Caroline", relation, obj) in triples(x)


def test_unnamed_relatives_and_pets_get_placeholders(converse: Converse) -> None:
    (x,) = converse("Ann: I have two sisters and a dog. I have a boyfriend.")
    facts = triples(x)
    assert ("Ann", "SIBLING_OF", "Ann's sisters") in facts
    assert ("Ann", "HAS_PET", "Ann's dog") in facts
    assert ("Ann", "HAS_BOYFRIEND", "Ann's boyfriend") in facts  # not the functional PARTNER_OF
    assert ("Ann's dog", "Animal") in {(m.name, m.label) for m in x.entities}


def test_objects_that_are_not_named_become_concepts(converse: Converse) -> None:
    (x,) = converse("Caroline: I went to a LGBTQ support group yesterday.")
    fact = find(x, "ATTENDED", "LGBTQ support group")
    assert fact.object.label == "Concept"
    assert ("LGBTQ support group", "Concept") in {(m.name, m.label) for m in x.entities}


def test_generic_verbs_fall_back_to_the_lemma(converse: Converse) -> None:
    (x,) = converse("Melanie: I painted a sunrise last year.")
    fact = find(x, "PAINT", "sunrise")
    assert fact.valid_at == day(2022, 1, 1)


def test_vague_objects_are_dropped(converse: Converse) -> None:
    (x,) = converse("Melanie: I did a lot of stuff and some things.")
    assert x.facts == []


def test_relative_date_resolves_against_the_episode_time(converse: Converse) -> None:
    (x,) = converse("Caroline: I went to a support group yesterday.")
    fact = find(x, "ATTENDED", "support group")
    assert fact.valid_at == day(2023, 5, 7)
    assert fact.invalid_at is None


def test_no_time_mention_leaves_the_interval_open(converse: Converse) -> None:
    (x,) = converse("Caroline: I live in Boston.")
    fact = find(x, "LIVES_IN", "Boston")
    assert (fact.valid_at, fact.invalid_at) == (None, None)


def test_each_clause_takes_its_own_time_mention(converse: Converse) -> None:
    (x,) = converse("Caroline: I went to Paris yesterday and I met Anna there last week.")
    assert find(x, "VISITED", "Paris").valid_at == day(2023, 5, 7)
    assert find(x, "MEET", "Anna").valid_at == day(2023, 5, 1)


def test_clause_without_a_time_mention_takes_the_sentence_one(converse: Converse) -> None:
    (x,) = converse("Caroline: I went to Paris yesterday and met Anna.")
    assert find(x, "MEET", "Anna").valid_at == day(2023, 5, 7)


def test_since_opens_an_interval(converse: Converse) -> None:
    (x,) = converse("Caroline: I've lived in Paris since 2019.")
    assert find(x, "LIVES_IN", "Paris").valid_at == day(2019, 1, 1)


@pytest.mark.parametrize(
    ("line", "relation", "obj"),
    [
        ("Caroline: I quit my job at Acme.", "WORKS_AT", "Acme"),
        ("Caroline: I left Google.", "WORKS_AT", "Google"),
        ("Caroline: I no longer work at Google.", "WORKS_AT", "Google"),
        ("Caroline: I don't live in Berlin anymore.", "LIVES_IN", "Berlin"),
        ("Caroline: I broke up with Tom.", "PARTNER_OF", "Tom"),
        ("Caroline: I sold my car.", "OWNS", "car"),
        ("Caroline: I moved out of Boston.", "LIVES_IN", "Boston"),
        ("Caroline: I retired from IBM.", "WORKS_AT", "IBM"),
        ("Caroline: I used to live in Paris.", "LIVES_IN", "Paris"),
    ],
)
def test_ending_cues(converse: Converse, line: str, relation: str, obj: str) -> None:
    (x,) = converse(line)
    fact = find(x, relation, obj)
    assert fact.ends
    assert not fact.retracts
    assert (fact.subject.name, relation, obj) not in triples(x)


def test_ending_takes_its_time_as_the_end(converse: Converse) -> None:
    (x,) = converse("Caroline: I quit my job at Acme yesterday.")
    fact = find(x, "WORKS_AT", "Acme")
    assert fact.ends
    assert (fact.valid_at, fact.invalid_at) == (None, day(2023, 5, 7))


def test_moving_from_one_place_to_another(converse: Converse) -> None:
    (x,) = converse("Melanie: I moved from Boston to Denver last year.")
    old, new = find(x, "LIVES_IN", "Boston"), find(x, "LIVES_IN", "Denver")
    assert old.ends
    assert old.invalid_at == day(2022, 1, 1)
    assert not new.ends
    assert new.valid_at == day(2022, 1, 1)


def test_leaving_for_a_place_is_not_an_ending(converse: Converse) -> None:
    (x,) = converse("Caroline: I left for Paris.")
    assert not any(f.ends for f in x.facts)


def test_ending_does_not_also_state_the_relation(converse: Converse) -> None:
    (x,) = converse("Caroline: I broke up with my boyfriend Tom.")
    assert [(f.relation, f.object.name, f.ends) for f in x.facts] == [("PARTNER_OF", "Tom", True)]


@pytest.mark.parametrize(
    "line",
    [
        "Caroline: I don't like jazz.",
        "Caroline: I never worked at Google.",
        "Caroline: I'm not a nurse.",
        "Caroline: I didn't go to Paris.",
    ],
)
def test_negation_yields_no_positive_fact(converse: Converse, line: str) -> None:
    (x,) = converse(line)
    assert not [f for f in x.facts if not f.ends and not f.retracts]


@pytest.mark.parametrize(
    "line",
    [
        "Caroline: Do you work at Google?",
        "Caroline: If I move to Berlin, I will tell you.",
        "Caroline: I would love to visit Paris.",
        "Caroline: I want to move to Berlin.",
        "Caroline: I hope she works at Google.",
    ],
)
def test_questions_wishes_and_conditions_yield_no_fact(converse: Converse, line: str) -> None:
    (x,) = converse(line)
    assert not [f for f in x.facts if f.relation in ("WORKS_AT", "LIVES_IN", "VISITED")]


@pytest.mark.parametrize(
    "line",
    [
        "Caroline: Actually, I never moved to Berlin.",
        "Caroline: I was wrong, I don't live in Berlin.",
        "Caroline: Correction: I don't live in Berlin.",
    ],
)
def test_retraction_cues(converse: Converse, line: str) -> None:
    (x,) = converse(line)
    fact = find(x, "LIVES_IN", "Berlin")
    assert fact.retracts
    assert not fact.ends


def test_first_and_second_person_are_rewritten_in_the_statement(converse: Converse) -> None:
    out = converse("Melanie: Hi!", "Caroline: I'm sure your sister Anna loves my paintings.")
    fact = find(out[1], "LIKES", "paintings")
    assert fact.fact == "Caroline is sure Melanie's sister Anna loves Caroline's paintings."


def test_a_hyphenated_verb_is_not_inflected(converse: Converse) -> None:
    (x,) = converse("Caroline: I co-own a bakery with my sister and I live in Leith.")
    assert x.facts
    assert not [f for f in x.facts if "coes" in f.fact], [f.fact for f in x.facts]


def test_he_is_contracted_reads_as_is_once_rewritten(converse: Converse) -> None:
    (x,) = converse("Caroline: Oskar and I got engaged! he's my fiance now, wild")
    fact = find(x, "ENGAGED_TO", "Oskar")
    assert "Oskar is Caroline's fiance" in fact.fact, fact.fact


def test_plural_first_person_is_the_speaker_with_less_confidence(converse: Converse) -> None:
    (x,) = converse("Melanie: We went to Paris.", "Melanie: I went to Rome.")[0:1]
    fact = find(x, "VISITED", "Paris")
    assert fact.subject.name == "Melanie"
    assert fact.confidence < 0.8
    assert fact.fact == "Melanie: We went to Paris."


def test_shared_photo_caption_becomes_a_fact(converse: Converse) -> None:
    (x,) = converse(
        "Caroline: Look at this! [shares a photo: a photo of a dog walking past a wall]"
    )
    fact = find(x, "SHARED_PHOTO_OF", "dog")
    assert fact.subject.name == "Caroline"
    assert fact.fact == "Caroline shared a photo of a dog walking past a wall"


def test_caption_is_not_parsed_as_dialogue(converse: Converse) -> None:
    (x,) = converse("Caroline: [shares a photo: a photo of a man who works at Google]")
    assert [f.relation for f in x.facts] == ["SHARED_PHOTO_OF"]


def test_episode_without_speaker(spacy_extractor: Extractor) -> None:
    episode = Episode(content="Anna works at Google. I live in Paris.", reference_time=REFERENCE)
    (x,) = spacy_extractor.extract([episode])
    assert ("Anna", "WORKS_AT", "Google") in triples(x)
    assert not any(f.relation == "LIVES_IN" for f in x.facts)  # nobody to say "I"
    assert not any(m.is_speaker for m in x.entities)


def test_empty_and_odd_texts(converse: Converse) -> None:
    out = converse(
        "Caroline: ",
        "Melanie: 🙂🙂",
        "Caroline: ... ?!",
        "Melanie: [shares a photo: ]",
        "Caroline: Thank you!",
    )
    assert len(out) == 5
    assert all(not x.facts for x in out)


def test_every_fact_is_well_formed(converse: Converse) -> None:
    out = converse(
        "Caroline: My sister Anna works at Google in Berlin and loves jazz.",
        "Melanie: I quit my job at Acme yesterday, and we moved to Denver last year!",
        "Caroline: She said you painted a lake sunrise in 2022. [shares a photo: a cake]",
    )
    assert all(x.facts for x in out)  # every turn states something, so the checks below run
    for x in out:
        for fact in x.facts:
            assert RELATION_PATTERN.match(fact.relation)
            assert 0.0 <= fact.confidence <= 1.0
            assert fact.fact.strip()
            assert fact.subject in x.entities or fact.subject.name in {m.name for m in x.entities}
            assert fact.object.name in {m.name for m in x.entities}


def test_deterministic(spacy_extractor: Extractor) -> None:
    lines = [
        "Caroline: My sister Anna works at Google.",
        "Melanie: She told me you moved to Berlin last May!",
        "Caroline: I love painting. [shares a photo: a photo of a sunset over a lake]",
    ]
    episodes = episodes_of(lines)
    first = spacy_extractor.extract(episodes)
    again = spacy_extractor.extract(episodes)
    fresh = SpacyExtractor().extract(episodes)
    assert any(x.facts for x in first)
    assert first == again == fresh


@settings(max_examples=60)
@given(
    st.lists(
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=0, max_size=80)
        | st.sampled_from(
            [
                "I 3xplore?? the w0rld!! at Acme-Corp_Ltd",
                "I love the Über-Café & naïve résumés",
                "I _underscore_ things with Bob's 123abc",
                "I ÷÷÷ at Google",
                "I 死 in Tokyo",
            ]
        ),
        min_size=1,
        max_size=4,
    )
)
def test_relation_names_are_always_valid(spacy_extractor: Extractor, texts: list[str]) -> None:
    episodes = [
        Episode(content=t, speaker="Ann", reference_time=REFERENCE, session="s") for t in texts
    ]
    for x in spacy_extractor.extract(episodes):
        for fact in x.facts:
            assert RELATION_PATTERN.match(fact.relation), fact.relation
            assert 0.0 <= fact.confidence <= 1.0
