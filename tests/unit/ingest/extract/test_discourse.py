"""Who "you" and "she" are in a conversation."""

from __future__ import annotations

from chronomem.ingest.extract.discourse import PeopleWindow, addressees, is_participant
from tests.unit.ingest.extract.dialogues import episodes_of


def test_addressee_is_the_most_recent_other_speaker() -> None:
    episodes = episodes_of(["A: hi", "B: hi", "A: so", "A: and", "C: hey", "A: yo"])
    assert addressees(episodes) == ["B", "A", "B", "B", "A", "C"]


def test_first_turns_address_the_next_speaker() -> None:
    episodes = episodes_of(["A: hi", "A: anyone?", "B: yes"])
    assert addressees(episodes) == ["B", "B", "A"]


def test_monologue_has_no_addressee() -> None:
    assert addressees(episodes_of(["A: hi", "A: hello"])) == [None, None]


def test_conversations_are_kept_apart() -> None:
    first = episodes_of(["A: hi"], session="1")
    second = episodes_of(["B: hi"], session="2")
    third = episodes_of(["C: hi"], session="1", source="other")
    assert addressees([*first, *second, *third]) == [None, None, None]


def test_participant_names_and_nicknames() -> None:
    assert is_participant("Mel", ["Caroline", "Melanie"])
    assert is_participant("caroline", ["Caroline", "Melanie"])
    assert is_participant("Jon", ["Jon Smith"])
    assert not is_participant("Anna", ["Caroline", "Melanie"])
    assert not is_participant("Me", ["Melanie"])  # too short to be a nickname


def test_window_resolves_an_unambiguous_recent_person() -> None:
    window = PeopleWindow(participants=["Caroline", "Melanie"])
    window.start_turn("Caroline")
    window.add_sentence([("Anna", "Person"), ("Melanie", "Person")])
    assert window.resolve() == ("Anna", "Person")
    window.add_sentence([("Anna", "Person"), ("Maria", "Person")])
    assert window.resolve() is None  # ambiguous
    assert window.resolve([("Tom", "Person")]) == ("Tom", "Person")  # same sentence first


def test_window_forgets_old_turns() -> None:
    window = PeopleWindow()
    window.start_turn("A")
    window.add_sentence([("Anna", "Person")])
    for _ in range(4):
        window.start_turn("A")
    assert window.resolve() is None
