"""Fixtures for extractor tests: hand-written dialogues run through the real spaCy extractor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from chronomem.ingest.extract.protocol import Extraction, Extractor
from tests.unit.ingest.extract.dialogues import REFERENCE, episodes_of

Converse = Callable[..., list[Extraction]]


@pytest.fixture
def converse(spacy_extractor: Extractor) -> Converse:
    """Run ``"Speaker: text"`` lines through the extractor."""

    def run(*lines: str, start: datetime = REFERENCE) -> list[Extraction]:
        return spacy_extractor.extract(episodes_of(lines, start=start))

    return run
