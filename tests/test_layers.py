"""The layout's rule, checked: each layer imports only from the layers below it.

Layers, bottom up (docs/architecture.md draws the same):

0. ground: ``chronomem.schema``, ``chronomem.errors``, ``chronomem.config``
1. language: ``chronomem.language`` (read by both ingest and query)
2. engine: ``chronomem.engine`` (store, embedder, temporal resolver)
3. ingest and query, side by side: neither imports the other
4. facade: ``chronomem.memory``, ``chronomem.async_memory``, ``chronomem.demo``,
   ``chronomem.plots``, ``chronomem.http_api`` and ``chronomem.client`` (the HTTP API's
   bodies and its client), and the package's ``__init__`` (these may import each other)
5. the LoCoMo harness the CLI ships: ``chronomem.bench``
6. the command line: ``chronomem.cli``, and beside it the server ``chronomem.server``

``benchmarks/`` (outside the package) may import anything of ours; nothing of ours imports it.
Every import counts, at module level or inside a function: a lazy import does not dodge a layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "chronomem"

LAYERS: dict[str, int] = {
    "chronomem.schema": 0,
    "chronomem.errors": 0,
    "chronomem.config": 0,
    "chronomem.language": 1,
    "chronomem.engine": 2,
    "chronomem.ingest": 3,
    "chronomem.query": 3,
    "chronomem.memory": 4,
    "chronomem.async_memory": 4,
    "chronomem.demo": 4,
    "chronomem.plots": 4,
    "chronomem.progress": 4,
    "chronomem.http_api": 4,
    "chronomem.client": 4,
    "chronomem": 4,  # the package's __init__: the public surface, re-exports the facade
    "chronomem.bench": 5,
    "chronomem.cli": 6,
    "chronomem.__main__": 6,  # ``python -m chronomem``: runs the command line
    "chronomem.server": 6,  # ``chronomem serve``: beside the command line, which starts it
}


def part_of(module: str) -> str:
    """The layer entry ``module`` belongs to (its longest listed prefix)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return prefix
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and the docs")


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports_of(source: str) -> list[tuple[int, str]]:
    """Every ``chronomem`` or ``benchmarks`` module ``source`` imports, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"line {node.lineno}: use absolute imports"
            names = [node.module or ""]
            # "from chronomem.language import cues" imports the module chronomem.language.cues
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("chronomem", "benchmarks"):
                found.append((node.lineno, name))
    return found


def upward_imports(source: str, module: str, label: str) -> list[str]:
    """The imports of ``source`` (the text of ``module``, shown as ``label``) that break the
    layering, one line each."""
    own = part_of(module)
    broken: dict[int, str] = {}
    for line, name in imports_of(source):
        where = f"{label}:{line}"
        if name.split(".")[0] == "benchmarks":
            broken[line] = f"{where}: imports {name}, which is outside the package"
            continue
        target = part_of(name)
        if target == own:
            continue
        upward = LAYERS[target] > LAYERS[own]
        sideways = LAYERS[target] == LAYERS[own] == LAYERS["chronomem.ingest"]
        if upward or sideways:
            broken[line] = (
                f"{where}: {own} (layer {LAYERS[own]}) imports {name} (layer {LAYERS[target]})"
            )
    return list(broken.values())


def test_every_module_belongs_to_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        part_of(module_name(path))


def test_no_import_runs_up_a_layer() -> None:
    broken = [
        line
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in upward_imports(
            path.read_text(encoding="utf-8"), module_name(path), str(path.relative_to(ROOT))
        )
    ]
    assert broken == [], "\n".join(broken)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("chronomem.engine.probe", "from chronomem.query import SearchEngine\n"),  # upward
        ("chronomem.query.probe", "from chronomem.ingest.extract import cues\n"),  # sideways
        ("chronomem.language.probe", "def f() -> None:\n    from chronomem.engine import embed\n"),
        ("chronomem.memory", "import chronomem.cli\n"),
        ("chronomem.ingest.probe", "from benchmarks.scale import main\n"),
    ],
)
def test_the_checker_catches_a_wrong_import(module: str, source: str) -> None:
    assert len(upward_imports(source, module, "probe.py")) == 1


def test_the_checker_accepts_downward_and_facade_imports() -> None:
    source = "from chronomem.engine.embed import Embedder\nfrom chronomem.memory import Memory\n"
    assert upward_imports(source, "chronomem.async_memory", "probe.py") == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_the_architecture_doc_names_every_layer(layer: str) -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    if layer != "chronomem":
        assert f"`{layer.replace('.', '/')}" in doc, f"docs/architecture.md does not name {layer}"
