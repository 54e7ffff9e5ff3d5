"""Shared fixtures. Neo4j fixtures come from the plugin tests/neo4j_server.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory

settings.register_profile(
    "chronomem", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile("chronomem")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def spacy_extractor() -> Extractor:
    """The offline extractor, loaded once per test session."""
    from chronomem.ingest.extract import SpacyExtractor

    extractor = SpacyExtractor()
    extractor.extract([])  # warm up: load the pipeline now, not inside a timed test
    return extractor


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def memory(tmp_path: Path, spacy_extractor: Extractor) -> Iterator[Memory]:
    """An embedded memory with the real extractor and the fast hashing embedder."""
    with Memory.open(
        tmp_path / "memory", embedder=HashingEmbedder(), extractor=spacy_extractor
    ) as mem:
        yield mem


@pytest.fixture(scope="session")
def locomo_path() -> Path:
    path = SHARED_DATA / "locomo" / "locomo_dev.json"
    if not path.exists():
        pytest.skip(f"LoCoMo data not found at {path}")
    return path
