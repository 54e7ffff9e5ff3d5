"""Place names written in lower case (chronomem.language.places)."""

from __future__ import annotations

import pytest

from chronomem.language.places import place_name


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("gothenburg", "Gothenburg"),
        ("NORWICH", "Norwich"),
        ("krakow", "Kraków"),  # without its accent
        ("new york", "New York"),  # the short English name of a big city
        ("vietnam", "Vietnam"),
        ("  sao   paulo ", "São Paulo"),
    ],
)
def test_countries_and_large_cities_are_known_in_any_case(said: str, name: str) -> None:
    assert place_name(said) == name


@pytest.mark.parametrize("word", ["hope", "march", "galway town", "the country", "zzyzx"])
def test_small_places_and_plain_words_are_not(word: str) -> None:
    assert place_name(word) is None
