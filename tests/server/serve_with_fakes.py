"""The ``chronomem`` command with the test fakes (hashing embedder, rules extractor) in place
of the models, for the tests that start ``chronomem serve`` as a real process:
``python -m tests.server.serve_with_fakes serve --store DIR ...``."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.ingest.extract.protocol import Extraction
from chronomem.memory import Memory
from chronomem.schema import Episode

DELAY_VARIABLE: Final = "CHRONOMEM_TEST_SECONDS_PER_TURN"
"""Seconds the fake extractor spends per turn, so a test can count on a write lasting (a model
takes milliseconds a turn; the rules fake none, so on an idle machine a write ends at once)."""

_open = Memory.open


class _PacedExtractor(FunctionExtractor):
    def __init__(self, seconds_per_turn: float) -> None:
        super().__init__()
        self._seconds = seconds_per_turn

    def extract(self, episodes: Sequence[Episode]) -> list[Extraction]:
        time.sleep(self._seconds * len(episodes))
        return super().extract(episodes)


def _open_with_fakes(target: str | Path, **options: Any) -> Memory:
    options.setdefault("embedder", HashingEmbedder())
    options.setdefault("extractor", _PacedExtractor(float(os.environ.get(DELAY_VARIABLE, "0"))))
    return _open(target, **options)


if __name__ == "__main__":
    setattr(Memory, "open", staticmethod(_open_with_fakes))  # noqa: B010
    from chronomem.cli import main

    main()
