"""Which texts are worth running NER on."""

from __future__ import annotations

import pytest

from chronomem.ingest.extract.ner_gate import NerGate

GATE = NerGate(["the", "that", "it", "what", "so"])


@pytest.mark.parametrize(
    "text",
    [
        "I met Anna yesterday.",
        "Paris was amazing!",
        "we went to see the LGBTQ parade",
        "Wow. Google hired me!",
        "Thanks, Caroline!",
    ],
)
def test_texts_with_possible_names_pass(text: str) -> None:
    assert GATE(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "i went home",
        "I'm so happy! It was great. I've been busy.",
        "Wow, that's cool! Having fun? Honestly yes.",
        "The kids loved it. Thanks!",
    ],
)
def test_texts_without_names_are_skipped(text: str) -> None:
    assert not GATE(text)
