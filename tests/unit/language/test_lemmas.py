"""Lemmas from Penn tags and the model's lemma tables."""

from __future__ import annotations

import pytest

from chronomem.ingest.extract.spacy_model import load_pipeline
from chronomem.language.lemmas import Lemmatizer


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return load_pipeline().lemmatizer


@pytest.mark.model
@pytest.mark.parametrize(
    ("word", "tag", "lemma"),
    [
        ("went", "VBD", "go"),
        ("moved", "VBD", "move"),
        ("born", "VBN", "bear"),
        ("left", "VBD", "leave"),
        ("studies", "VBZ", "study"),
        ("sing", "VB", "sing"),
        ("sing", "VBP", "sing"),
        ("'m", "VBP", "be"),
        ("’re", "VBP", "be"),
        ("children", "NNS", "child"),
        ("kids", "NNS", "kid"),
        ("happier", "JJR", "happy"),
        ("google", "NNP", "google"),
        ("quickly", "RB", "quickly"),
    ],
)
def test_lemma(lemmatizer: Lemmatizer, word: str, tag: str, lemma: str) -> None:
    assert lemmatizer.lemma(word, tag) == lemma


def test_rules_and_index_without_the_model() -> None:
    small = Lemmatizer(
        exceptions={"verb": {"went": ["go"]}},
        rules={"verb": [["ing", ""], ["ing", "e"]], "noun": [["s", ""]]},
        index={"verb": ["make", "paint"], "noun": ["cat"]},
    )
    assert small.lemma("went", "VBD") == "go"
    assert small.lemma("making", "VBG") == "make"  # "mak" is not a known word, "make" is
    assert small.lemma("painting", "VBG") == "paint"
    assert small.lemma("cats", "NNS") == "cat"
    assert small.lemma("zorbing", "VBG") == "zorb"  # unknown: the first rule's form
    assert small.lemma("cats", "NNS") == "cat"  # cached
