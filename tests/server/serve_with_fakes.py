"""The ``chronomem`` command with the test fakes (hashing embedder, rules extractor) in place
of the models, for the tests that start ``chronomem serve`` as a real process:
``python -m tests.server.serve_with_fakes serve --store DIR ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.memory import Memory

_open = Memory.open


def _open_with_fakes(target: str | Path, **options: Any) -> Memory:
    options.setdefault("embedder", HashingEmbedder())
    options.setdefault("extractor", FunctionExtractor())
    return _open(target, **options)


if __name__ == "__main__":
    setattr(Memory, "open", staticmethod(_open_with_fakes))  # noqa: B010
    from chronomem.cli import main

    main()
