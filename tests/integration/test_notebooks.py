"""The analysis notebooks run top to bottom on a fresh machine and are stored without outputs.

Each notebook is executed with nbclient in the venv's ``python3`` kernel, with ``notebooks/``
as its working directory. The LoCoMo notebook is limited to one conversation
(``CHRONOMEM_NB_LOCOMO_LIMIT=1``) so the suite stays fast; the graph notebook also runs against
a real Neo4j in its own test, on an emptied graph (the memory there records which embedder built
it, and the notebook uses the default one).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.neo4j_server import Neo4jServer

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {
    "01_quickstart.ipynb",
    "02_business_data.ipynb",
    "03_graph_exploration.ipynb",
    "04_locomo_evaluation.ipynb",
}
CELL_TIMEOUT_S = 600


def _read(path: Path) -> nbformat.NotebookNode:
    notebook: nbformat.NotebookNode = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    return notebook


def _execute(path: Path) -> nbformat.NotebookNode:
    notebook = _read(path)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def _text(notebook: nbformat.NotebookNode) -> str:
    """All stream and plain-text outputs of an executed notebook, joined."""
    parts: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.fixture
def notebook_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel inherits this environment: small LoCoMo run, no figures written to docs/,
    no Neo4j unless a test asks for one."""
    monkeypatch.setenv("CHRONOMEM_NB_LOCOMO_LIMIT", "1")
    monkeypatch.delenv("CHRONOMEM_SAVE_FIGURES", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)


def test_every_notebook_is_present() -> None:
    assert {p.name for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = _read(path)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index} has stored outputs"
            assert cell.execution_count is None, f"{path.name} cell {index} has a count"


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.usefixtures("notebook_env")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    executed = _execute(path)
    text = _text(executed)
    assert "Traceback" not in text
    if path.name == "03_graph_exploration.ipynb":
        assert "NEO4J_URI is not set" in text


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.neo4j
@pytest.mark.usefixtures("notebook_env")
def test_graph_notebook_against_neo4j(
    neo4j_server: Neo4jServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    if neo4j_server.auth is not None:
        monkeypatch.setenv("NEO4J_USER", neo4j_server.auth[0])
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.auth[1])
    executed = _execute(NOTEBOOK_DIR / "03_graph_exploration.ipynb")
    text = _text(executed)
    assert "NEO4J_URI is not set" not in text
    assert "Cypher shortest path" in text
