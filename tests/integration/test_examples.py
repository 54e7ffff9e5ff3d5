"""The examples run as documented and give the right answers."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from chronomem import IngestReport

ROOT = Path(__file__).resolve().parents[2]
AGENT_LOOP = ROOT / "examples" / "agent_loop.py"
CRM_README = ROOT / "examples" / "crm" / "README.md"


def _agent_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("agent_loop_example", AGENT_LOOP)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


CONTEXT = """Facts:
- [2023-01-10 → 2023-05-01, ended] Sam lives in Paris. (source T0)
- [2023-01-10 → now] Sam lives in Paris and Sam works at Acme as a designer. (source T0)
- [2023-05-01 → now] Big news: Sam moved to Berlin last month! (source T2)
Conversation:
- [2023-06-05 08:16] Sam: I moved to Lisbon? (source T3)
Entities:
- Berlin (Place)"""


def test_scripted_llm_answers_from_the_newest_current_fact() -> None:
    agent = _agent_module()
    facts = agent.parse_facts(CONTEXT)
    assert [f.current for f in facts] == [False, True, True]
    assert agent.scripted_llm("Where do I live now?", CONTEXT) == (
        "You live in Berlin (since 2023-05-01)."
    )
    assert agent.scripted_llm("Where do I work?", CONTEXT).startswith("You work at Acme ")
    assert agent.scripted_llm("I like tea.", CONTEXT) == "Noted."
    assert "don't know" in agent.scripted_llm("Where do I live?", "Facts:\n")


def _answers(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(AGENT_LOOP), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return re.findall(r"agent: (.*)", done.stdout)


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("flags", [(), ("--async",)], ids=["sync", "async"])
def test_agent_loop_follows_the_move_and_the_job_change(flags: tuple[str, ...]) -> None:
    answers = _answers(*flags)
    assert len(answers) == 7
    assert "Paris" in answers[1]
    assert "Berlin" in answers[3]
    assert "Paris" not in answers[3]
    assert "Globex" in answers[5]
    assert "Berlin" in answers[6]


@pytest.mark.model
def test_crm_readme_snippet_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", CRM_README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the CRM README has no python example"
    crm = tmp_path / "examples" / "crm"
    crm.mkdir(parents=True)
    for name in ("customers.csv", "mapping.yaml"):
        (crm / name).write_bytes((CRM_README.parent / name).read_bytes())
    monkeypatch.chdir(tmp_path)  # the snippet writes ./memory
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(CRM_README), "exec"), namespace)
    report = namespace["report"]
    assert isinstance(report, IngestReport)
    assert report.episodes_added == 52
    printed = capsys.readouterr().out
    assert all(f"has plan {plan}" in printed for plan in ("Starter", "Pro", "Enterprise"))
