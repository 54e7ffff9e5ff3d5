"""A user's own vocabulary file reaches the extractor and the temporal rules."""

from __future__ import annotations

from pathlib import Path

from chronomem import HashingEmbedder, Memory, MemoryConfig
from chronomem.config import config_from_env


def test_a_user_relation_is_extracted_and_holds_one_value_at_a_time(tmp_path: Path) -> None:
    extra = tmp_path / "coaching.yaml"
    extra.write_text(
        "relations:\n"
        "  COACHES: {cardinality: one, kind: state, object: [Organization, Concept],"
        " asks: [coach, coaches]}\n"
        "frames:\n"
        "  - {verbs: [coach], via: [dobj, at, for], object: [Organization, Concept],"
        " relation: COACHES}\n",
        encoding="utf-8",
    )
    config = MemoryConfig(vocabulary=(str(extra),))
    with Memory.open("memory://", embedder=HashingEmbedder(), config=config) as mem:
        mem.add_dialogue(
            [
                {
                    "speaker": "Ines",
                    "text": "I coach the Harbour Hawks.",
                    "time": "2022-01-10T10:00:00+00:00",
                },
                {
                    "speaker": "Ines",
                    "text": "These days I coach the Valley Otters.",
                    "time": "2024-01-10T10:00:00+00:00",
                },
            ],
            group_id="club",
        )
        now = [f.object for f in mem.facts(subject="Ines", relation="COACHES", group_id="club")]
        then = [
            f.object
            for f in mem.facts(
                subject="Ines", relation="COACHES", group_id="club", as_of="2023-01-01T00:00:00Z"
            )
        ]
    assert any("Otters" in (o or "") for o in now)
    assert not any("Hawks" in (o or "") for o in now)
    assert any("Hawks" in (o or "") for o in then)


def test_the_vocabulary_files_come_from_the_environment(tmp_path: Path) -> None:
    config = config_from_env({"CHRONOMEM_VOCABULARY": f"{tmp_path / 'a.yaml'}"})
    assert config.vocabulary == (str(tmp_path / "a.yaml"),)
