"""Questions are matched to the relations they ask about, by the extractor's cue words."""

from __future__ import annotations

from pathlib import Path

from chronomem import Memory
from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.protocol import Extractor
from chronomem.query.relationcues import relations_asked


def test_questions_name_their_relations() -> None:
    assert relations_asked("Where does Alice live?") == {"LIVES_IN"}
    assert "LIVES_IN" in relations_asked("Where did she move after Paris?")
    assert "WORKS_AT" in relations_asked("Which company does Bob work for?")
    assert relations_asked("What did Melanie say about the weather?") == frozenset()
    assert relations_asked("Does Nadia still smoke?") == {"SMOKE"}  # a habit of the vocabulary


def test_current_value_outranks_the_one_it_replaced(
    tmp_path: Path, spacy_extractor: Extractor
) -> None:
    turns = [
        {"speaker": "Alice", "text": "I live in Paris.", "time": "2023-01-10T09:00:00Z"},
        {"speaker": "Alice", "text": "I work at Acme.", "time": "2023-01-10T09:01:00Z"},
        {"speaker": "Alice", "text": "I moved to Berlin.", "time": "2023-06-05T09:00:00Z"},
    ]
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder(), extractor=spacy_extractor) as m:
        m.add_dialogue(turns)
        facts = [h for h in m.search("Where does Alice live?", limit=5) if h.kind == "fact"]
    assert [(f.relation, f.object) for f in facts[:2]] == [
        ("LIVES_IN", "Berlin"),
        ("LIVES_IN", "Paris"),
    ]
    assert facts[0].invalid_at is None
    assert facts[1].invalid_at == facts[0].valid_at


def test_a_state_that_ended_with_nothing_after_it_is_answered_by_its_ending(
    tmp_path: Path, spacy_extractor: Extractor
) -> None:
    turns = [
        {"speaker": "Nadia", "text": "I smoke about a pack a day.", "time": "2021-01-15T22:00Z"},
        {"speaker": "Yara", "text": "please stop", "time": "2021-01-15T22:01:00Z"},
        {"speaker": "Nadia", "text": "Quit smoking in March!", "time": "2024-07-09T20:00:00Z"},
    ]
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder(), extractor=spacy_extractor) as m:
        m.add_dialogue(turns)
        hits = m.search("Does Nadia smoke?", limit=5)
    smoke = [h for h in hits if h.kind == "fact" and h.relation == "SMOKE"]
    assert smoke
    assert smoke[0].invalid_at is not None  # the habit ended in March
    ending = next(i for i, h in enumerate(hits) if h.kind == "episode" and "Quit" in h.text)
    assert ending <= hits.index(smoke[0])  # the message that ended it answers "now"
