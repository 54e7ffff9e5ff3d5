"""The state-change machinery on every backend: scoped endings and retractions made concrete
against the subject's stored facts (:meth:`Writer._expand_scoped`), endings of values said
with the value that ended (``follows``), and profiles kept as ``Entity.summary``.

Every case drives the whole write path (a :class:`Memory` over the backend under test) with a
:class:`FunctionExtractor` reading a tiny script, so no model is loaded: each turn's text is
``<op> <RELATION> <value>[ @<date>]``, where ``op`` is ``start``, ``end`` (this value),
``end-object`` (every state about the value: "I sold the Mazda"), ``end-slot`` (the current
value of the relation: "I retired"), ``retract`` or ``retract-object``; several statements in
one turn are separated by `` & `` and share one sentence (as "a nurse at St Mary's" does).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from chronomem import FunctionExtractor, HashingEmbedder, Memory
from chronomem.engine.store import GraphStore
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention
from chronomem.language.vocabulary import Scope
from chronomem.schema import Episode, parse_time, utcnow
from tests.contract.samples import DIMENSION

SPEAKER = "Ann"
LABELS = {
    "LIVES_IN": "Place",
    "WORKS_AT": "Organization",
    "HAS_JOB_TITLE": "Concept",
    "DRIVES": "Product",
    "OWNS": "Product",
    "PARTNER_OF": "Person",
    "HAS_PET": "Animal",
}
_OPS: dict[str, tuple[bool, bool, Scope]] = {
    "start": (False, False, "fact"),
    "end": (True, False, "fact"),
    "end-object": (True, False, "object"),
    "end-slot": (True, False, "slot"),
    "retract": (False, True, "fact"),
    "retract-object": (False, True, "object"),
}


def scripted(episode: Episode) -> Iterator[CandidateFact]:
    """The statements of a scripted turn (see the module docstring)."""
    sentence = f"{episode.speaker}: {episode.content}"
    for statement in episode.content.split(" & "):
        said, _, date = statement.partition(" @")
        op, relation, value = said.split(" ", 2)
        ends, retracts, scope = _OPS[op]
        moment = parse_time(date, field="date") if date else None
        yield CandidateFact(
            episode_uuid=episode.uuid,
            subject=EntityMention(episode.speaker or "", "Person", is_speaker=True),
            relation=relation,
            object=EntityMention(value, LABELS.get(relation, "Concept")),
            fact=sentence,
            valid_at=None if ends else moment,
            invalid_at=moment if ends else None,
            ends=ends,
            retracts=retracts,
            scope=scope,
        )


@pytest.fixture
def memory(store: GraphStore) -> Memory:
    """A memory over the backend under test (the store fixture closes it)."""
    return Memory(store, embedder=HashingEmbedder(DIMENSION), extractor=FunctionExtractor(scripted))


def say(memory: Memory, group: str, *turns: tuple[str, str]) -> None:
    """Each ``(time, text)`` as one of Ann's turns, in its own call (one write each)."""
    for when, text in turns:
        memory.add_dialogue([{"speaker": SPEAKER, "text": text, "time": when}], group_id=group)


def values(memory: Memory, group: str, relation: str, as_of: str | None = None) -> list[str]:
    rows = memory.facts(subject=SPEAKER, relation=relation, group_id=group, as_of=as_of)
    return sorted(r.object or "" for r in rows)


def ended_at(memory: Memory, group: str, relation: str, value: str) -> list[datetime | None]:
    return [
        r.invalid_at
        for r in memory.history(SPEAKER, relation=relation, group_id=group)
        if r.object == value and r.relation == relation
    ]


T1 = "2023-01-10T09:00:00Z"
T2 = "2023-06-01T09:00:00Z"
T3 = "2024-02-01T09:00:00Z"
BETWEEN = "2023-03-01T00:00:00Z"


# -- scoped endings -------------------------------------------------------------------------


def test_selling_the_car_ends_driving_it(memory: Memory, group: str) -> None:
    """An ending about a value ("sold the Mazda") ends every state about it, whatever the
    relation, when the name said is part of the stored one."""
    say(memory, group, (T1, "start DRIVES Mazda 3"), (T2, "end-object OWNS Mazda"))
    assert values(memory, group, "DRIVES") == []
    assert values(memory, group, "DRIVES", as_of=BETWEEN) == ["Mazda 3"]
    assert ended_at(memory, group, "DRIVES", "Mazda 3") == [parse_time(T2, field="t")]


def test_my_car_is_the_car_they_have(memory: Memory, group: str) -> None:
    """A category word ("my car") names the value of that category the subject has."""
    say(
        memory,
        group,
        (T1, "start DRIVES Honda Civic & start LIVES_IN Leeds"),
        (T2, "end-object OWNS car"),
    )
    assert values(memory, group, "DRIVES") == []
    assert values(memory, group, "LIVES_IN") == ["Leeds"]


def test_retiring_ends_the_job_and_the_title_said_with_it(memory: Memory, group: str) -> None:
    """A slot ending ("I retired") ends the current value of the relation, whatever it is;
    the title stated in the same sentence as the job ends with it."""
    say(
        memory,
        group,
        (T1, "start WORKS_AT St Mary's Hospital & start HAS_JOB_TITLE nurse"),
        (T2, "end-slot WORKS_AT job"),
    )
    assert values(memory, group, "WORKS_AT") == []
    assert values(memory, group, "HAS_JOB_TITLE") == []
    assert values(memory, group, "WORKS_AT", as_of=BETWEEN) == ["St Mary's Hospital"]
    assert values(memory, group, "HAS_JOB_TITLE", as_of=BETWEEN) == ["nurse"]
    assert ended_at(memory, group, "HAS_JOB_TITLE", "nurse") == [parse_time(T2, field="t")]


def test_an_ending_never_closes_what_started_after_it(memory: Memory, group: str) -> None:
    """An ending dated before a value started (told late) closes the value that held then,
    never the one that started after it."""
    say(
        memory,
        group,
        (T1, "start LIVES_IN Leeds @2020-01-01T00:00:00Z"),
        (T2, "start LIVES_IN Bristol"),
        (T3, "end-slot LIVES_IN home @2023-02-01T00:00:00Z"),
    )
    assert values(memory, group, "LIVES_IN") == ["Bristol"]
    assert ended_at(memory, group, "LIVES_IN", "Leeds") == [
        parse_time("2023-02-01T00:00:00Z", field="t")
    ]
    assert values(memory, group, "LIVES_IN", as_of="2023-04-01T00:00:00Z") == []


def test_an_object_ending_of_something_not_held_is_kept_as_said(memory: Memory, group: str) -> None:
    """An ending of a vocabulary relation that matches no stored fact is kept as stated: the
    value held until then (start unknown)."""
    say(memory, group, (T1, "start LIVES_IN Leeds"), (T2, "end-object OWNS Vespa"))
    assert values(memory, group, "LIVES_IN") == ["Leeds"]
    assert ended_at(memory, group, "OWNS", "Vespa") == [parse_time(T2, field="t")]


def test_a_start_and_its_ending_in_one_batch(memory: Memory, group: str) -> None:
    """The ending is made concrete against the statements of its own batch too."""
    memory.add_dialogue(
        [
            {"speaker": SPEAKER, "text": "start DRIVES Mazda 3", "time": T1},
            {"speaker": SPEAKER, "text": "end-object OWNS Mazda", "time": T2},
        ],
        group_id=group,
    )
    assert values(memory, group, "DRIVES") == []
    assert ended_at(memory, group, "DRIVES", "Mazda 3") == [parse_time(T2, field="t")]


def test_a_slot_ending_ends_its_family_and_nothing_else(memory: Memory, group: str) -> None:
    """ "I got rid of my car" (a slot ending of OWNS) ends DRIVES too (its family), and leaves
    the subject's other states alone."""
    say(
        memory,
        group,
        (T1, "start DRIVES Volvo XC60 & start HAS_PET Rex & start LIVES_IN Leeds"),
        (T2, "end-slot OWNS vehicle"),
    )
    assert values(memory, group, "DRIVES") == []
    assert values(memory, group, "HAS_PET") == ["Rex"]
    assert values(memory, group, "LIVES_IN") == ["Leeds"]


def test_a_pet_that_died_ends_only_that_pet(memory: Memory, group: str) -> None:
    say(
        memory,
        group,
        (T1, "start HAS_PET Mochi & start HAS_PET Biscuit"),
        (T2, "end-object HAS_PET Mochi"),
    )
    assert values(memory, group, "HAS_PET") == ["Biscuit"]
    assert values(memory, group, "HAS_PET", as_of=BETWEEN) == ["Biscuit", "Mochi"]


def test_splitting_up_ends_the_partner_whoever_it_is(memory: Memory, group: str) -> None:
    say(memory, group, (T1, "start PARTNER_OF Luke"), (T2, "end-slot PARTNER_OF partner"))
    assert values(memory, group, "PARTNER_OF") == []
    assert ended_at(memory, group, "PARTNER_OF", "Luke") == [parse_time(T2, field="t")]


# -- retractions ------------------------------------------------------------------------------


def test_a_cancelled_plan_leaves_the_current_job_open(memory: Memory, group: str) -> None:
    """ "I'm joining Deloitte next month" then "the offer got pulled": the planned job is
    expired, and the job it would have closed holds on, with no end."""
    say(
        memory,
        group,
        (T1, "start WORKS_AT KPMG"),
        (T2, "start WORKS_AT Deloitte @2023-07-01T00:00:00Z"),
    )
    assert values(memory, group, "WORKS_AT", as_of="2023-08-01T00:00:00Z") == ["Deloitte"]
    say(memory, group, (T3, "retract-object WORKS_AT Deloitte"))
    assert values(memory, group, "WORKS_AT") == ["KPMG"]
    assert ended_at(memory, group, "WORKS_AT", "KPMG") == [None]
    assert ended_at(memory, group, "WORKS_AT", "Deloitte") == []


def test_a_retraction_then_a_reassertion_ends_current(memory: Memory, group: str) -> None:
    say(memory, group, (T1, "start LIVES_IN Berlin"), (T2, "retract LIVES_IN Berlin"))
    retracted = utcnow()
    assert values(memory, group, "LIVES_IN") == []
    say(memory, group, (T3, "start LIVES_IN Berlin"))
    assert values(memory, group, "LIVES_IN") == ["Berlin"]
    then = memory.facts(subject=SPEAKER, relation="LIVES_IN", group_id=group, known_at=retracted)
    assert then == []  # what the memory believed between the retraction and the re-assertion


def test_retracting_a_move_restores_the_home_before_it(memory: Memory, group: str) -> None:
    """ "Actually I never moved to Lyon": the move is expired in transaction time, so the home
    it closed holds again; nothing is said to have changed in the world."""
    say(
        memory,
        group,
        (T1, "start LIVES_IN Porto"),
        (T2, "start LIVES_IN Lyon"),
        (T3, "retract-object LIVES_IN Lyon"),
    )
    assert values(memory, group, "LIVES_IN") == ["Porto"]
    assert ended_at(memory, group, "LIVES_IN", "Lyon") == []


# -- profiles -------------------------------------------------------------------------------


def test_the_summary_follows_every_change(memory: Memory, group: str) -> None:
    """The entity's summary is its profile now, after each write: a move, an ending, a
    retraction; the profile as of a past time is computed from the fact rows."""
    say(memory, group, (T1, "start LIVES_IN Porto & start WORKS_AT Acme Robotics"))
    assert memory.entity(SPEAKER, group_id=group).summary == (
        "lives in Porto (since 2023-01-10); works at Acme Robotics (since 2023-01-10)"
    )
    say(memory, group, (T2, "start LIVES_IN Lyon"), (T3, "end-slot WORKS_AT job"))
    assert memory.entity(SPEAKER, group_id=group).summary == "lives in Lyon (since 2023-06-01)"
    say(memory, group, (T3, "retract-object LIVES_IN Lyon"))
    assert memory.entity(SPEAKER, group_id=group).summary == "lives in Porto (since 2023-01-10)"
    past = memory.profile(SPEAKER, group_id=group, as_of=BETWEEN)
    assert [(e.relation, e.value) for e in past.entries] == [
        ("LIVES_IN", "Porto"),
        ("WORKS_AT", "Acme Robotics"),
    ]
    assert past.get("works_at") is not None
    assert (
        memory.profile(SPEAKER, group_id=group).text()
        == memory.entity(SPEAKER, group_id=group).summary
    )


def test_many_valued_relations_stay_out_of_the_profile(memory: Memory, group: str) -> None:
    say(memory, group, (T1, "start HAS_PET Miso & start LIVES_IN Oslo"))
    profile = memory.profile(SPEAKER, group_id=group)
    assert [e.relation for e in profile.entries] == ["LIVES_IN"]


def test_forgetting_the_turn_behind_a_value_takes_it_out_of_the_summary(
    memory: Memory, group: str
) -> None:
    memory.add_dialogue(
        [
            {"speaker": SPEAKER, "text": "start LIVES_IN Oslo", "time": T1, "id": "a"},
            {"speaker": SPEAKER, "text": "start WORKS_AT Nordlys", "time": T2, "id": "b"},
        ],
        group_id=group,
    )
    assert "Nordlys" in memory.entity(SPEAKER, group_id=group).summary
    memory.forget_episode("b", group_id=group)
    assert memory.entity(SPEAKER, group_id=group).summary == "lives in Oslo (since 2023-01-10)"


def test_a_profile_is_kept_per_group(memory: Memory, group: str, other_group: str) -> None:
    say(memory, group, (T1, "start LIVES_IN Oslo"))
    say(memory, other_group, (T1, "start LIVES_IN Rome"))
    say(memory, other_group, (T2, "start LIVES_IN Milan"))
    assert memory.entity(SPEAKER, group_id=group).summary == "lives in Oslo (since 2023-01-10)"
    assert memory.profile(SPEAKER, group_id=other_group).text() == (
        "lives in Milan (since 2023-06-01)"
    )


def test_known_at_gives_the_profile_the_memory_believed(memory: Memory, group: str) -> None:
    say(memory, group, (T1, "start LIVES_IN Porto"), (T2, "start LIVES_IN Lyon"))
    before = utcnow()
    say(memory, group, (T3, "retract-object LIVES_IN Lyon"))
    believed = memory.profile(SPEAKER, group_id=group, known_at=before)
    assert [e.value for e in believed.entries] == ["Lyon"]
    assert [e.value for e in memory.profile(SPEAKER, group_id=group).entries] == ["Porto"]
