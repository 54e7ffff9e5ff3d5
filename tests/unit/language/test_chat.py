"""Chat text made readable for the parser (:mod:`chronomem.language.chat`)."""

from __future__ import annotations

import pytest

from chronomem.language.chat import normalize_chat, people_named

_ENGLISH = frozenset(
    {"got", "into", "proposed", "said", "yes", "moved", "to", "working", "moving", "the", "i"}
)


def _known(word: str) -> bool:
    return word in _ENGLISH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Got poached by Nubank 😎 first day today", "Got poached by Nubank. first day today"),
        ("so sorry Kate ❤️", "so sorry Kate"),
        ("Ugh 😩. fine", "Ugh. fine"),
        ("finaly moved rn", "finally moved right now"),
        ("workin at the amazon warehouse", "working at the amazon warehouse"),
        ("movin to Leeds", "moving to Leeds"),
        ("Devika's at Plaid now", "Devika is at Plaid now"),
        ("Chloe's engaged to Tobias", "Chloe is engaged to Tobias"),
        ("Monterrey's been home for years", "Monterrey has been home for years"),
        ("Chloe's car is red", "Chloe's car is red"),
        ("She's at work", "She's at work"),
        ("GOT INTO TSINGHUA!!!! start in May", "Got into Tsinghua!!!! start in May"),
        ("THEO PROPOSED!!! I SAID YES", "Theo proposed!!! I said yes"),
        ("I love the BBC and NASA", "I love the BBC and NASA"),
    ],
)
def test_chat_is_made_readable(text: str, expected: str) -> None:
    assert normalize_chat(text, known_word=_known) == expected


def test_a_word_that_is_english_keeps_its_g_dropped_form() -> None:
    # "cabin" ends in "in" but is a word of its own: never "cabing"
    assert normalize_chat("a cabin", known_word=lambda w: w in {"cabin", "a"}) == "a cabin"


def test_people_named_by_kin_role_and_company() -> None:
    texts = [
        "My brother Rory is coming down.",
        "my roommate Devika has been interviewing",
        "Chloe's dating a guy named Reza.",
        "Vik and I broke up",
        "I've been seeing someone new, her name is Jordan.",
        "We moved to Leeds. It rains.",
        "My manager is Greta.",
    ]
    assert people_named(texts) == {"Rory", "Devika", "Chloe", "Reza", "Vik", "Jordan", "Greta"}


def test_pronouns_are_never_names() -> None:
    assert people_named(["He's dating my sister", "She and I split up"]) == set()
