"""The relation vocabulary: the shipped file loads, user files merge over it, errors say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from chronomem.engine.temporal import DEFAULT_FUNCTIONAL_RELATIONS
from chronomem.errors import ConfigurationError
from chronomem.language.vocabulary import default_vocabulary, gerund_of, load_vocabulary


def test_shipped_vocabulary_declares_the_everyday_states() -> None:
    vocabulary = default_vocabulary()
    for relation in ("LIVES_IN", "WORKS_AT", "HAS_JOB_TITLE", "PARTNER_OF", "HAS_DIET"):
        assert vocabulary.relations[relation].functional
    for relation in ("HAS_PET", "DRIVES", "SPEAKS", "ALLERGIC_TO"):
        assert not vocabulary.relations[relation].functional
    assert vocabulary.relations["SIBLING_OF"].kind == "lasting"
    assert vocabulary.relations["VISITED"].kind == "event"


def test_functional_relations_of_the_resolver_come_from_the_vocabulary() -> None:
    assert default_vocabulary().functional() <= DEFAULT_FUNCTIONAL_RELATIONS


@pytest.mark.parametrize(
    ("words", "category"),
    [(["tesla", "model"], "vehicle"), (["pixel", "8"], "phone"), (["corgi"], "pet"),
     (["pescatarian"], "diet"), (["university", "of", "leeds"], "school")],
)  # fmt: skip
def test_categories_recognise_names_and_nouns(words: list[str], category: str) -> None:
    assert category in default_vocabulary().categories_of(words)


def test_frames_are_found_by_verb_and_particle() -> None:
    vocabulary = default_vocabulary()
    assert any(f.relation == "LIVES_IN" for f in vocabulary.frames_for("relocate"))
    assert any(
        f.relation == "WORKS_AT" and f.effect == "end" for f in vocabulary.frames_for("lay off")
    )
    assert any(e.relation == "PARTNER_OF" for e in vocabulary.slot_endings_for("break up"))


@pytest.mark.parametrize(
    ("question", "relation"),
    [("Where is Femi based these days?", "LIVES_IN"), ("Who is Oskar's employer?", "WORKS_AT"),
     ("What pets does Ines have?", "HAS_PET"), ("Who is Rhea engaged to?", "ENGAGED_TO"),
     ("What does Bo do for a living?", "HAS_JOB_TITLE"), ("What exercise does Kai do?", "SWIM"),
     ("Who is the principal of Ada's school?", "HAS_PRINCIPAL")],
)  # fmt: skip
def test_question_words_name_the_relation(question: str, relation: str) -> None:
    words = [w.strip("?'s").lower() for w in question.split()]
    assert relation in default_vocabulary().relations_asked(words)


def test_a_user_file_adds_relations_and_frames(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "relations:\n"
        "  COACHES: {cardinality: one, kind: state, object: [Organization], asks: [coach]}\n"
        "frames:\n"
        "  - {verbs: [coach], via: [dobj, at], object: [Organization], relation: COACHES}\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(extra)
    assert vocabulary.relations["COACHES"].functional
    assert [f.relation for f in vocabulary.frames_for("coach")] == ["COACHES"]
    assert "LIVES_IN" in vocabulary.relations  # the built-in entries stay
    assert "COACHES" not in default_vocabulary().relations  # the default is not changed


@pytest.mark.parametrize(
    ("text", "message"),
    [("relations:\n  LIVES_IN: {cardinality: sometimes}\n", "relations.LIVES_IN"),
     ("frames:\n  - {verbs: [go], via: [to], relation: 'not a name!'}\n", "frames[0].relation"),
     ("people: []\n", "unknown section"),
     ("frames: [\n", "not valid YAML")],
)  # fmt: skip
def test_a_bad_user_file_says_what_and_where(tmp_path: Path, text: str, message: str) -> None:
    extra = tmp_path / "bad.yaml"
    extra.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_vocabulary(extra)


@pytest.mark.parametrize(
    ("verb", "gerund"),
    [("run", "running"), ("swim", "swimming"), ("knit", "knitting"), ("smoke", "smoking"),
     ("cook", "cooking"), ("row", "rowing"), ("ski", "skiing"), ("box", "boxing"),
     ("sing", "singing"), ("paint", "painting")],
)  # fmt: skip
def test_habits_are_named_by_their_gerund(verb: str, gerund: str) -> None:
    assert gerund_of(verb) == gerund
