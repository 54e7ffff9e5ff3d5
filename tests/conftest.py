"""Shared fixtures. Neo4j fixtures come from the plugin tests/neo4j_server.py.

Tests that load a real model carry the ``model`` marker: those that use a fixture of
:data:`MODEL_FIXTURES` get it here, the others are marked by hand. A run that deselects them
(``-m "not model"``) fails if spaCy or ONNX Runtime was imported all the same.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory

settings.register_profile(
    "chronomem", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile("chronomem")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

MODEL_FIXTURES = frozenset({"spacy_extractor", "minilm"})
"""Fixtures that load a real model: a test using one (directly or through another fixture)
is marked ``model``."""
MODEL_LIBRARIES = ("spacy", "onnxruntime")


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With the model tests deselected, no model library may have been imported."""
    if "not model" not in (session.config.option.markexpr or ""):
        return
    loaded = [name for name in MODEL_LIBRARIES if name in sys.modules]
    if loaded:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"FAILED: {', '.join(loaded)} imported in a run without the model tests; "
                "mark the test that loads it with @pytest.mark.model",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def spacy_extractor() -> Extractor:
    """The offline extractor, loaded once per test session."""
    from chronomem.ingest.extract import SpacyExtractor

    extractor = SpacyExtractor()
    extractor.extract([])  # warm up: load the pipeline now, not inside a timed test
    return extractor


@pytest.fixture
def extractor() -> Extractor:
    """The function-backed extractor with its few rules: nothing to load."""
    return FunctionExtractor()


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
