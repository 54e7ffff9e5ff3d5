"""Reranking: conversation context, redundancy, named entities, corroboration, score scales."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chronomem.engine.store.protocol import GraphStore
from chronomem.query import SearchEngine, SearchRequest, score_fusion
from chronomem.query.recipes import GeneratorSpec
from chronomem.schema import SearchResult
from tests.unit.query.conftest import EMBEDDER, NOW, World, at
from tests.unit.query.recording import RecordingStore


def _chat(*lines: tuple[str, str, str]) -> World:
    """Mia and Leo's turns (id, speaker, text), a second apart, not yet written."""
    w = World("chat")
    start = at(2023, 5, 8)
    w.entity("Mia", "Person")
    w.entity("Leo", "Person")
    for i, (turn, speaker, text) in enumerate(lines):
        w.episode(turn, speaker, text, start + timedelta(seconds=i))
    return w


def _dialogue(store: GraphStore) -> World:
    """Two speakers; the answer to "what did Mia paint" is one turn after the question."""
    w = _chat(
        ("D1:1", "Leo", "Hey Mia, I saw you were painting again. What did you paint?"),
        ("D1:2", "Mia", "A sunrise over the lake near my home."),
        ("D1:3", "Leo", "Lovely. I went hiking on Sunday."),
        ("D1:4", "Mia", "Hiking sounds great, I love the mountains."),
        ("D1:5", "Leo", "Mia, do you still paint every week?"),
        ("D1:6", "Leo", "I paint fences for a living, not pictures."),
    )
    w.entity("lake", "Place")
    w.fact("Mia", "PAINTED", "lake", "Mia painted a sunrise over the lake", source="D1:2")
    w.write(store)
    return w


def _search(store: GraphStore, query: str, **fields: object) -> list[SearchResult]:
    engine = SearchEngine(store, EMBEDDER, clock=lambda: NOW)
    return engine.search(SearchRequest(query=query, group_id="chat", **fields))


def _search_without_context(store: GraphStore, query: str, **fields: object) -> list[SearchResult]:
    """The default recipe with conversation context off."""
    off = SearchEngine(store, EMBEDDER).recipe("default")
    off = off.model_copy(update={"name": "off", "context_weight": 0.0})
    engine = SearchEngine(store, EMBEDDER, recipes={"off": off}, clock=lambda: NOW)
    return engine.search(SearchRequest(query=query, group_id="chat", recipe="off", **fields))


def test_context_brings_in_the_turns_around_a_hit() -> None:
    store = RecordingStore()
    _dialogue(store)
    query = "What did Leo go hiking on?"
    without = [r.sources[0] for r in _search_without_context(store, query, kinds=("episode",))]
    assert "adjacent_episodes" not in store.calls
    with_context = [r.sources[0] for r in _search(store, query, kinds=("episode",))]
    assert without[0] == "D1:3"
    assert with_context[0] == "D1:3"
    assert "D1:2" not in without  # shares no word with the query
    assert "D1:2" in with_context  # the turn just before the hit
    assert "adjacent_episodes" in store.calls


def test_context_can_be_switched_off_by_recipe() -> None:
    store = RecordingStore()
    _dialogue(store)
    _search(store, "hiking", recipe="rrf")
    assert "adjacent_episodes" in store.calls
    store.calls.clear()
    _search_without_context(store, "hiking")
    assert "adjacent_episodes" not in store.calls


def _story(store: GraphStore) -> None:
    """Leo tells a story over two turns with Mia's reply in between."""
    _chat(
        ("D1:1", "Mia", "Good morning to you."),
        ("D1:2", "Leo", "Morning, how are things?"),
        ("D1:3", "Leo", "I finally went kayaking on the river."),
        ("D1:4", "Mia", "Oh wow, tell me more!"),
        ("D1:5", "Leo", "We paddled for three hours and saw herons."),
    ).write(store)


def _context_scores(store: GraphStore, same_speaker: float) -> dict[str, float]:
    base = SearchEngine(store, EMBEDDER).recipe("default")
    recipe = base.model_copy(update={"name": "x", "context_same_speaker": same_speaker})
    engine = SearchEngine(store, EMBEDDER, recipes={"x": recipe}, clock=lambda: NOW)
    request = SearchRequest(query="kayaking", group_id="chat", recipe="x", kinds=("episode",))
    return {r.sources[0]: r.score for r in engine.search(request)}


def test_context_favours_the_hit_speakers_own_next_turns() -> None:
    store = RecordingStore()
    _story(store)
    scores = _context_scores(store, 1.5)
    assert max(scores, key=lambda turn: scores[turn]) == "D1:3"
    # Two turns from the hit either way; Leo going on with his story gains more than the
    # greeting Mia said before it.
    assert scores["D1:5"] > scores["D1:1"]
    # No context turn gains more than one right next to the hit.
    assert scores["D1:2"] == pytest.approx(scores["D1:4"])
    neutral = _context_scores(store, 1.0)
    assert neutral["D1:5"] == pytest.approx(neutral["D1:1"])


def test_a_result_covering_only_turns_already_shown_sinks(store: GraphStore) -> None:
    _dialogue(store)
    results = _search(store, "Mia painted a sunrise over the lake", limit=3)
    sources = [tuple(r.sources) for r in results]
    # The fact and its episode both come from D1:2: the second of them must not take the
    # second place while other turns match too.
    assert sources[0] == ("D1:2",)
    assert sources[1] != ("D1:2",)


def test_turns_spoken_by_the_named_person_rank_first(store: GraphStore) -> None:
    _dialogue(store)
    results = _search(store, "Has Mia been hiking?", kinds=("episode",))
    assert results[0].text == "Mia: Hiking sounds great, I love the mountains."


def test_a_fact_and_its_episode_corroborate_each_other(store: GraphStore) -> None:
    _dialogue(store)
    engine = SearchEngine(store, EMBEDDER, clock=lambda: NOW)
    base = engine.recipe("default")
    alone = base.model_copy(update={"name": "alone", "corroboration": 0.0})
    engine = SearchEngine(store, EMBEDDER, recipes={"alone": alone}, clock=lambda: NOW)

    def score(recipe: str) -> float:
        request = SearchRequest(query="sunrise lake", group_id="chat", recipe=recipe)
        return next(r.score for r in engine.search(request) if r.kind == "fact")

    assert score("default") > score("alone")


def test_score_fusion_shares_a_scale_between_lists() -> None:
    separate = score_fusion([[("fact", 2.0)], [("episode", 8.0)]])
    shared = score_fusion([[("fact", 2.0)], [("episode", 8.0)]], scales=["text", "text"])
    assert separate == {"fact": 1.0, "episode": 1.0}
    assert shared == {"fact": pytest.approx(0.25), "episode": 1.0}
    with pytest.raises(ValueError, match="scales"):
        score_fusion([[("a", 1.0)]], scales=["x", "y"])


def test_episode_vectors_find_turns_on_stores_that_keep_them(store: GraphStore) -> None:
    w = World("chat")
    for i, (speaker, text) in enumerate([("Mia", "A sunrise over the lake."), ("Leo", "Nice.")]):
        uuid = w.episode(f"D1:{i + 1}", speaker, text, at(2023, 5, 8) + timedelta(seconds=i))
        if store.capabilities.episode_vectors:
            vector = EMBEDDER.embed([f"{speaker}: {text}"])[0].tolist()
            w.batch.episodes[-1] = w.batch.episodes[-1].model_copy(
                update={"content_embedding": vector}
            )
        assert w.batch.episodes[-1].uuid == uuid
    w.write(store)
    base = SearchEngine(store, EMBEDDER).recipe("default")
    dense = base.model_copy(
        update={"name": "dense", "generators": (GeneratorSpec(name="episode_vector"),)}
    )
    engine = SearchEngine(store, EMBEDDER, recipes={"dense": dense}, clock=lambda: NOW)
    request = SearchRequest(query="Mia: A sunrise over the lake.", group_id="chat", recipe="dense")
    found = [r.sources[0] for r in engine.search(request)]
    if store.capabilities.episode_vectors:
        assert found[0] == "D1:1"
    else:
        assert found == []


def test_feedback_finds_turns_in_the_words_of_the_best_hits(store: GraphStore) -> None:
    w = World("chat")
    lines = [
        ("D1:1", "Mia", "I paint a sunrise over the lake."),
        ("D1:2", "Mia", "To paint that lake at sunrise took all morning."),
        ("D1:3", "Leo", "The sunrise on the lake was gorgeous from our cabin."),
        ("D1:4", "Leo", "We ate pancakes for breakfast."),
    ]
    for i, (turn, speaker, text) in enumerate(lines):
        w.episode(turn, speaker, text, at(2023, 5, 8) + timedelta(days=i))
    w.write(store)
    base = SearchEngine(store, EMBEDDER).recipe("default")

    def found(*names: str) -> list[str]:
        generators = tuple(
            GeneratorSpec.model_validate({"name": n, "scale": "text"}) for n in names
        )
        recipe = base.model_copy(
            update={"name": "x", "generators": generators, "context_weight": 0.0}
        )
        engine = SearchEngine(store, EMBEDDER, recipes={"x": recipe}, clock=lambda: NOW)
        request = SearchRequest(query="What did they paint?", group_id="chat", recipe="x")
        return [r.sources[0] for r in engine.search(request)]

    plain = found("episode_text")
    assert set(plain) == {"D1:1", "D1:2"}
    # "sunrise" and "lake" are in both hits: the turn that says them without "paint" is found.
    with_feedback = found("episode_text", "episode_feedback")
    assert "D1:3" in with_feedback
    assert "D1:4" not in with_feedback
