"""Hand-written dialogues for the extractor tests, and ways to look at what comes out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from chronomem.ingest.extract.protocol import CandidateFact, Extraction
from chronomem.schema import Episode

# Monday 8 May 2023, 13:56 UTC.
REFERENCE = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def episodes_of(
    lines: Sequence[str], *, session: str = "1", source: str = "chat", start: datetime = REFERENCE
) -> list[Episode]:
    """``"Speaker: text"`` lines as message episodes one second apart."""
    out: list[Episode] = []
    for index, line in enumerate(lines):
        speaker, _, text = line.partition(":")
        out.append(
            Episode(
                group_id="test",
                source=source,
                session=session,
                speaker=speaker.strip(),
                content=text.strip(),
                reference_time=start + timedelta(seconds=index),
            )
        )
    return out


def triples(extraction: Extraction) -> set[tuple[str, str, str]]:
    """The (subject, relation, object) names of an extraction's positive facts."""
    return {
        (f.subject.name, f.relation, f.object.name)
        for f in extraction.facts
        if not f.ends and not f.retracts
    }


def find(extraction: Extraction, relation: str, obj: str) -> CandidateFact:
    """The one fact with this relation and object name."""
    found = [f for f in extraction.facts if f.relation == relation and f.object.name == obj]
    assert len(found) == 1, (relation, obj, extraction.facts)
    return found[0]
