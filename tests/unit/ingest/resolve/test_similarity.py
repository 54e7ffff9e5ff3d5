"""Fuzzy similarity guards and the cdist shortlist."""

from __future__ import annotations

import pytest

from chronomem.ingest.resolve.similarity import fuzzy_score, numbers_of, shortlist

T = 90.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("carolin", "caroline"),
        ("anna schmit", "anna schmidt"),
        ("starbuck", "starbucks"),
    ],
)
def test_person_typos_merge(a: str, b: str) -> None:
    assert fuzzy_score(a, b, "person", T) is not None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ann", "dan"),
        ("ann", "anne"),  # too short to tell a typo from another name
        ("john smith", "joan smith"),  # whole-name ratio is 90, but John is not Joan
        ("anna", "anna schmidt"),  # first names are rule 2's business, not fuzzy matching
        ("alexandra", "alexander"),
        ("katherine", "catherine"),  # different initial
    ],
)
def test_person_guards_keep_names_apart(a: str, b: str) -> None:
    assert fuzzy_score(a, b, "person", T) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("museum of modern art", "modern art museum"),
        ("googel maps", "google maps"),
        ("microsft", "microsoft"),
        ("university of oxford", "oxford university"),
    ],
)
def test_other_families_merge_reorders_and_typos(a: str, b: str) -> None:
    assert fuzzy_score(a, b, "organization", T) is not None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("paris", "paris texas"),  # a subset, but much shorter
        ("apple", "apple tv"),
        ("room 101", "room 102"),
        ("iphone 14", "iphone 15"),
        ("acme corp", "acme group"),
        ("york", "new york"),
        ("berlin", "dublin"),
    ],
)
def test_other_families_keep_names_apart(a: str, b: str) -> None:
    assert fuzzy_score(a, b, "place", T) is None


def test_numbers_of() -> None:
    assert numbers_of("room 101 b2") == ("101", "b2")
    assert numbers_of("room") == ()


def test_shortlist_keeps_every_pair_the_person_rule_accepts() -> None:
    choices = ["caroline", "carolina", "dan", "anna schmidt", "caroline smith"]
    queries = ["carolin", "ann", "anna schmit"]
    hits = shortlist(queries, choices, "person", T)
    for query, row in zip(queries, hits, strict=True):
        accepted = {j for j, c in enumerate(choices) if fuzzy_score(query, c, "person", T)}
        assert accepted <= set(row)
        assert row == sorted(row)
    assert hits[0] == [0, 1]


def test_shortlist_for_other_families_finds_reordered_names() -> None:
    hits = shortlist(["oxford university"], ["university of oxford", "cambridge"], "place", T)
    assert hits == [[0]]


def test_shortlist_handles_empty_inputs() -> None:
    assert shortlist([], ["a"], "place", T) == []
    assert shortlist(["a"], [], "place", T) == [[]]
