"""SearchRequest: the query as searched."""

from __future__ import annotations

from chronomem.query import SearchRequest


def test_without_a_speaker_the_query_is_searched_as_asked() -> None:
    request = SearchRequest(query="Where do I live?")
    assert request.search_text == "Where do I live?"


def test_a_speakers_first_person_is_searched_as_their_name() -> None:
    request = SearchRequest(query="Where is my  sister? I'm lost", speaker=" Alice ")
    assert request.speaker == "Alice"
    assert request.query == "Where is my sister? I'm lost"  # what was asked is kept
    assert request.search_text == "Where is Alice's sister? Alice is lost"


def test_a_blank_speaker_is_no_speaker() -> None:
    assert SearchRequest(query="Where do I live?", speaker="  ").speaker is None
