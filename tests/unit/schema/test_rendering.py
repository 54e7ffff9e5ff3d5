"""The one ``speaker: text`` rendering, and the places that use it agree on it."""

from __future__ import annotations

from chronomem.bench.locomo import turn_document
from chronomem.engine.episode_text import embedding_text, sentence_parts
from chronomem.ingest.sources.turns import Turn
from chronomem.query.results import episode_result
from chronomem.schema import Episode, parse_time, speaker_line


def test_speaker_line_names_the_speaker_or_gives_the_text_alone() -> None:
    assert speaker_line("Mia", "Hi there.") == "Mia: Hi there."
    assert speaker_line(None, "Hi there.") == "Hi there."
    assert speaker_line("", "Hi there.") == "Hi there."


def test_results_embeddings_and_baselines_render_a_turn_alike() -> None:
    episode = Episode(
        group_id="g",
        content="We met. It rained.",
        reference_time=parse_time("2024-01-01"),
        speaker="Mia",
    )
    line = "Mia: We met. It rained."
    assert episode_result(episode, 1.0).text == line
    assert embedding_text(episode) == line  # no first person to ground here
    turn = Turn(speaker="Mia", text="We met. It rained.", time="2024-01-01T00:00:00+00:00")
    assert turn_document(turn) == line
    # the sentence parts label the speaker ("Mia:") and start after the separator
    assert sentence_parts(episode, line) == [((0, 4), (5, 12)), ((0, 4), (13, 23))]
