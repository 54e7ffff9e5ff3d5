"""The README and the user-facing examples: every CLI command is documented, every README
example runs, and users are shown only the public surface.

The public surface is ``chronomem`` itself (its ``__all__``) and the modules in
:data:`PUBLIC_MODULES`, which README.md lists; README.md, docs/, examples/ and the notebooks
import nothing else from chronomem.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import chronomem
from chronomem.cli import cli
from chronomem.demo import DEMO_TURNS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LOCOMO_FIXTURE = ROOT / "tests" / "unit" / "bench" / "locomo_fixture.json"

#: The modules besides ``chronomem`` that users may import (README.md names them).
PUBLIC_MODULES = frozenset({"chronomem.bench", "chronomem.demo"})

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _section(text: str, title: str) -> str:
    """The body of the markdown section ``## title``, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _blocks(text: str, language: str) -> list[str]:
    return [body for lang, body in _FENCE.findall(text) if lang == language]


# -- the public surface --------------------------------------------------------------------------


def _python_sources() -> Iterator[tuple[str, str]]:
    """(where, Python source) of every README/docs/examples code block, example script and
    notebook code cell."""
    for path in [README, *sorted((ROOT / "docs").glob("*.md")), *(ROOT / "examples").rglob("*.md")]:
        for index, block in enumerate(_blocks(path.read_text(encoding="utf-8"), "python")):
            yield f"{path.relative_to(ROOT)} python block {index}", block
    for path in sorted((ROOT / "examples").rglob("*.py")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).splitlines()
                code = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
                yield f"{path.relative_to(ROOT)} cell {index}", code


def _chronomem_imports(source: str) -> Iterator[str]:
    """Each chronomem import of ``source``: ``chronomem.x`` for a module, ``chronomem:Name``
    for a name imported from the package itself."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "chronomem":
                    yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "chronomem":
                yield from (f"chronomem:{alias.name}" for alias in node.names)
            elif node.module.startswith("chronomem."):
                yield node.module


def _allowed(imported: str) -> bool:
    if imported.startswith("chronomem:"):
        return imported.removeprefix("chronomem:") in chronomem.__all__
    return imported == "chronomem" or imported in PUBLIC_MODULES


def test_the_checks_see_the_imports() -> None:
    found = {i for _, source in _python_sources() for i in _chronomem_imports(source)}
    assert {"chronomem:Memory", "chronomem:AsyncMemory", "chronomem.bench"} <= found
    assert not _allowed("chronomem.ingest.extract")
    assert not _allowed("chronomem:plots")  # a module through the package: a deep path too
    assert list(_chronomem_imports("import chronomem.query.engine as e")) == [
        "chronomem.query.engine"
    ]


def test_users_are_shown_only_the_public_surface() -> None:
    deep = [
        f"{where}: {imported}"
        for where, source in _python_sources()
        for imported in _chronomem_imports(source)
        if not _allowed(imported)
    ]
    assert deep == [], "import these from chronomem, or add them to PUBLIC_MODULES and README"


def test_readme_names_the_public_modules() -> None:
    python = _section(README.read_text(encoding="utf-8"), "Python")
    for module in sorted(PUBLIC_MODULES):
        assert f"`{module}`" in python, f"README.md's Python section does not name {module}"


# -- the command line --------------------------------------------------------------------------


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name)


def _readme_command_lines() -> list[list[str]]:
    """The ``chronomem ...`` lines of README.md's "Command line" block, as argument lists
    (comments dropped; a usage bracket such as ``[--store DIR]`` is left out)."""
    (block,) = _blocks(_section(README.read_text(encoding="utf-8"), "Command line"), "bash")
    lines = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] != ["chronomem"]:
            continue
        kept, optional = [], False
        for word in words[1:]:
            optional = optional or word.startswith("[")
            if not optional:
                kept.append(word)
            optional = optional and not word.endswith("]")
        lines.append(kept)
    return lines


def test_every_cli_command_is_in_the_readme() -> None:
    commands = sorted(_command_paths(cli))
    assert ("ingest", "dialogue") in commands
    assert ("bench", "locomo") in commands
    lines = _readme_command_lines()
    missing = [path for path in commands if not any(tuple(a[: len(path)]) == path for a in lines)]
    assert missing == [], "README.md's Command line section does not show these commands"


NOT_RUN_INLINE = {
    ("serve",): "runs until stopped: tests/server/test_readme_server.py starts it",
    ("keys", "revoke"): "needs the id of a key created earlier: tests/server/test_keys.py",
    ("reindex",): "rebuilds a Neo4j store's indexes only: test_readme_neo4j_reindex_runs",
}
"""README command lines the line-by-line run below leaves to their own tests, and why."""


def _neo4j_target(args: list[str]) -> int | None:
    """Index of a ``neo4j://``/``bolt://`` argument of ``args``, if any."""
    return next((i for i, a in enumerate(args) if a.startswith(("neo4j://", "bolt://"))), None)


def _prepare(cwd: Path) -> None:
    """The files the README's command lines name, made in ``cwd``: chat.jsonl (the demo
    dialogue), examples/crm (a copy), locomo10.json (the tiny LoCoMo fixture)."""
    (cwd / "chat.jsonl").write_text(
        "".join(json.dumps(turn) + "\n" for turn in DEMO_TURNS), encoding="utf-8"
    )
    crm = cwd / "examples" / "crm"
    crm.mkdir(parents=True)
    for name in ("customers.csv", "mapping.yaml"):
        (crm / name).write_bytes((ROOT / "examples" / "crm" / name).read_bytes())
    (cwd / "locomo10.json").write_bytes(LOCOMO_FIXTURE.read_bytes())


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


@pytest.mark.model
@pytest.mark.slow
def test_every_readme_command_line_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line in order, in a fresh directory. ``./old-memory`` (the memory an older version
    built) is made first by ingesting chat.jsonl into it; the line exporting to a Neo4j URI
    runs here against an embedded directory instead (test_readme_neo4j_export_runs runs it
    against Neo4j)."""
    monkeypatch.chdir(tmp_path)
    _prepare(tmp_path)
    _run(["ingest", "dialogue", "chat.jsonl", "--store", "./old-memory", "--group", "earlier"])
    outputs = {}
    for args in _readme_command_lines():
        if any(tuple(args[: len(path)]) == path for path in NOT_RUN_INLINE):
            continue
        neo4j = _neo4j_target(args)
        if neo4j is not None:
            args = [*args[:neo4j], "./neo4j-stand-in", *args[neo4j + 1 :]]
        outputs[" ".join(args[:2])] = _run(args)
    hits = json.loads(outputs["search Where does Alice live?"])
    assert any(h["object"] == "Berlin" for h in hits)
    assert (tmp_path / "alice.png").stat().st_size > 0
    assert (tmp_path / "recall.png").stat().st_size > 0
    stats = json.loads(outputs["stats --store"])
    assert stats["episodes"] >= len(DEMO_TURNS)


@pytest.mark.model
@pytest.mark.neo4j
def test_readme_neo4j_export_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, neo4j_uri: str
) -> None:
    """The README's dialogue ingest and its export to Neo4j, against the test server: the
    group gets a unique id (the database is shared) and the URI is the server's."""
    from chronomem import Memory

    monkeypatch.chdir(tmp_path)
    _prepare(tmp_path)
    group = f"readme-{uuid.uuid4().hex}"
    lines = _readme_command_lines()
    ingest = next(a for a in lines if a[:2] == ["ingest", "dialogue"])
    export = next(a for a in lines if a[0] == "export" and _neo4j_target(a) is not None)
    _run([group if a == "user-42" else a for a in ingest])
    target = _neo4j_target(export)
    assert target is not None
    _run([*export[:target], neo4j_uri, *export[target + 1 :]])
    with Memory.open(neo4j_uri) as mem:
        assert mem.stats(group).episodes == len(DEMO_TURNS)


@pytest.mark.neo4j
def test_readme_neo4j_reindex_runs(neo4j_uri: str) -> None:
    """The README's reindex line, against the test server."""
    (line,) = [a for a in _readme_command_lines() if a[0] == "reindex"]
    target = _neo4j_target(line)
    assert target is not None
    assert "rebuilt the vector indexes" in _run([*line[:target], neo4j_uri, *line[target + 1 :]])


@pytest.mark.model
def test_readme_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README.md's Python block, run in a fresh directory with the real extractor and
    embedder."""
    (block,) = _blocks(_section(README.read_text(encoding="utf-8"), "Python"), "python")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    assert "Berlin" in printed
    assert "Paris" in printed  # the as-of answer
    assert (tmp_path / "memory").is_dir()


def test_readme_testing_example_runs_without_models(capsys: pytest.CaptureFixture[str]) -> None:
    """README.md's example of the fakes: no model, no database, and the move is understood."""
    section = _section(
        README.read_text(encoding="utf-8"), "Testing an agent without models or a database"
    )
    (block,) = _blocks(section, "python")
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out.splitlines() == [
        "['Bergen']",
        "['Oslo']",
        "lives in Bergen (since 2024-09-01)",
        "lives in Oslo (since 2024-02-01)",
    ]
