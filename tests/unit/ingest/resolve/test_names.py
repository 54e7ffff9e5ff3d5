"""Name cleaning, matching keys and label families."""

from __future__ import annotations

import pytest

from chronomem.errors import InputError
from chronomem.ingest.resolve import SPEAKER_LABEL, clean_name, label_family, name_key
from chronomem.ingest.resolve.names import entity_families


@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("  Anna   Schmidt ", "Anna Schmidt"),
        ("Anna's", "Anna"),
        ("Anna’s", "Anna"),
        ("James'", "James"),
        ('"Acme"', "Acme"),
        ("(Berlin)", "Berlin"),
        ("The Beatles", "The Beatles"),
    ],
)
def test_clean_name_gives_the_display_form(raw: str, display: str) -> None:
    assert clean_name(raw) == display


def test_clean_name_rejects_blank_names() -> None:
    with pytest.raises(InputError, match="blank"):
        clean_name("   ")


def test_clean_name_keeps_a_name_made_of_punctuation() -> None:
    assert clean_name("?!") == "?!"


@pytest.mark.parametrize(
    ("raw", "family", "key"),
    [
        ("ANNA", "person", "anna"),
        ("Anna's", "person", "anna"),
        ("José  Núñez", "person", "jose nunez"),
        ("Dr. Anna Schmidt", "person", "anna schmidt"),
        ("Jean-Luc Picard", "person", "jean luc picard"),
        ("O'Brien", "person", "obrien"),
        ("The Beatles", "organization", "beatles"),
        ("Acme, Inc.", "organization", "acme"),
        ("Acme Corp", "organization", "acme"),
        ("Marks & Spencer", "organization", "marks and spencer"),
        ("The", "concept", "the"),
        ("Dr", "person", "dr"),
        ("Acme Inc", "concept", "acme inc"),  # legal suffixes only for organisations
        ("Ｄｒ. Zoë\u00a0ﬁnn", "person", "zoe finn"),  # built on the stores' key (NFKC)
    ],
)
def test_name_key_normalises_per_family(raw: str, family: str, key: str) -> None:
    assert name_key(raw, family) == key


@pytest.mark.parametrize(
    ("label", "family"),
    [
        ("Person", "person"),
        ("person", "person"),
        ("Place", "place"),
        ("Organization", "organization"),
        ("Concept", "concept"),
        ("Product", "concept"),
        ("", "concept"),
        ("Customer", "customer"),
    ],
)
def test_label_family(label: str, family: str) -> None:
    assert label_family(label) == family


def test_speaker_label_is_not_a_family() -> None:
    assert entity_families(["Person", SPEAKER_LABEL]) == {"person"}
    assert entity_families([]) == {"concept"}
