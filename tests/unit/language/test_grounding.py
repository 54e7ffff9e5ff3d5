"""First-person grounding: "I" and "my" become the speaker's name, nothing else changes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronomem.language.grounding import FIRST_PERSON, ground_first_person
from tests.strategies import TURN_TEXTS


@pytest.mark.parametrize(
    ("said", "grounded"),
    [
        ("I moved from my home country.", "Caroline moved from Caroline's home country."),
        ("i think it's mine", "Caroline think it's Caroline's"),
        ("I'm here, I am fine.", "Caroline is here, Caroline is fine."),
        (
            "I\u2019ve been, I'll go, I'd say",
            "Caroline has been, Caroline will go, Caroline would say",
        ),
        ("Tell me. My turn, myself.", "Tell Caroline. Caroline's turn, Caroline."),
        ("i.e. I-95, meet a mime", "i.e. I-95, meet a mime"),  # not pronouns
        ("You and your sister", "You and your sister"),  # second person is left as said
    ],
)
def test_first_person_becomes_the_speaker(said: str, grounded: str) -> None:
    assert ground_first_person(said, "Caroline") == grounded


def test_a_blank_speaker_changes_nothing() -> None:
    assert ground_first_person("I went", "  ") == "I went"


@settings(max_examples=300, deadline=None)
@given(text=TURN_TEXTS, speaker=st.sampled_from(["Ann", "Jo Ann", "O'Brien", "\\1 $x"]))
def test_grounding_only_swaps_first_person_words(text: str, speaker: str) -> None:
    grounded = ground_first_person(text, speaker)
    pronouns = {"i", "me", "my", "mine", "myself", "i'm", "i\u2019ve"}
    kept = [w for w in text.split() if w.casefold().strip("()") not in pronouns]
    assert [w for w in grounded.split() if w in kept] == kept  # other words stay, in order
    assert not any(w.strip("()") in {"I", "me", "my", "mine", "myself"} for w in grounded.split())
    assert ground_first_person(grounded, speaker) == grounded  # nothing left to ground


def test_the_table_is_the_first_person_singular() -> None:
    assert set(FIRST_PERSON) == {"i", "me", "my", "mine", "myself"}
    assert all(form.format("Ann").startswith("Ann") for form in FIRST_PERSON.values())
