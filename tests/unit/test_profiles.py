"""Profiles (issue 14, item 8): the value of each one-value relation of an entity with the date
it became true, computed from the bi-temporal rows (:mod:`chronomem.engine.profile`), kept as
``Entity.summary`` through direct facts, records and erasure, shown by ``context()``, the
async twin and the command line. The cross-backend cases are in
tests/contract/test_state_machinery.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronomem import (
    AsyncMemory,
    FunctionExtractor,
    HashingEmbedder,
    Memory,
    NotFoundError,
    RecordMapping,
)
from chronomem.cli import cli
from chronomem.engine.profile import build_profile, summary_of
from chronomem.query.context import build_context
from chronomem.schema import Entity, Fact, Profile, ProfileEntry, SearchResult, parse_time

G = "profiles"


def _at(text: str) -> datetime:
    return parse_time(text, field="t")


@pytest.fixture
def mem() -> Iterator[Memory]:
    with Memory.open("memory://", embedder=HashingEmbedder(), extractor=FunctionExtractor()) as m:
        yield m


# -- the computation --------------------------------------------------------------------------


def _row(subject: Entity, relation: str, obj: Entity, **fields: Any) -> Fact:
    return Fact(
        group_id=G,
        subject_uuid=subject.uuid,
        relation=relation,
        object_uuid=obj.uuid,
        fact=f"{subject.name} {relation} {obj.name}",
        **fields,
    )


def test_build_profile_takes_what_holds_then_latest_start_first() -> None:
    ann, oslo, rome, acme, miso = (Entity(group_id=G, name=n) for n in
                                   ("Ann", "Oslo", "Rome", "Acme", "Miso"))  # fmt: skip
    names = {e.uuid: e.name for e in (oslo, rome, acme, miso)}
    rows = [
        _row(ann, "LIVES_IN", oslo, valid_at=_at("2020-01-01T00:00:00Z")),
        _row(ann, "LIVES_IN", rome, valid_at=_at("2022-01-01T00:00:00Z")),  # both open: latest
        _row(ann, "WORKS_AT", acme, valid_at=_at("2030-01-01T00:00:00Z")),  # not yet
        _row(ann, "HAS_PET", miso, valid_at=_at("2020-01-01T00:00:00Z")),  # many-valued
        _row(rome, "LIVES_IN", oslo),  # another subject
    ]
    functional = {"LIVES_IN", "WORKS_AT"}
    now = _at("2025-01-01T00:00:00Z")
    profile = build_profile(ann, rows, names, functional, at=now)
    assert profile.text() == "lives in Rome (since 2022-01-01)"
    early = build_profile(ann, rows, names, functional, at=_at("2021-01-01T00:00:00Z"))
    assert [e.value for e in early.entries] == ["Oslo"]
    later = build_profile(ann, rows, names, functional, at=_at("2031-01-01T00:00:00Z"))
    assert later.text() == "lives in Rome (since 2022-01-01); works at Acme (since 2030-01-01)"
    ordered = build_profile(
        ann, rows, names, functional, at=_at("2031-01-01T00:00:00Z"), order=("WORKS_AT",)
    )
    assert [e.relation for e in ordered.entries] == ["WORKS_AT", "LIVES_IN"]


def test_a_summary_keeps_whole_entries_within_its_limit() -> None:
    ann, oslo, acme = (Entity(group_id=G, name=n) for n in ("Ann", "Oslo", "Acme"))
    rows = [_row(ann, "LIVES_IN", oslo), _row(ann, "WORKS_AT", acme)]
    names = {oslo.uuid: "Oslo", acme.uuid: "Acme"}
    profile = build_profile(
        ann, rows, names, {"LIVES_IN", "WORKS_AT"}, at=_at("2030-01-01T00:00:00Z")
    )
    assert summary_of(profile) == "lives in Oslo; works at Acme"
    assert summary_of(profile, limit=20) == "lives in Oslo"
    assert summary_of(profile, limit=5) == ""


def test_build_profile_reads_transaction_time() -> None:
    ann, oslo = Entity(group_id=G, name="Ann"), Entity(group_id=G, name="Oslo")
    row = _row(
        ann,
        "LIVES_IN",
        oslo,
        created_at=_at("2024-01-01T00:00:00Z"),
        expired_at=_at("2024-06-01T00:00:00Z"),
    )
    names = {oslo.uuid: "Oslo"}
    now = _at("2025-01-01T00:00:00Z")
    assert build_profile(ann, [row], names, {"LIVES_IN"}, at=now).entries == []
    believed = build_profile(
        ann, [row], names, {"LIVES_IN"}, at=now, known_at=_at("2024-03-01T00:00:00Z")
    )
    assert [e.value for e in believed.entries] == ["Oslo"]
    assert believed.entries[0].since is None
    assert believed.text() == "lives in Oslo"


# -- kept by every write ------------------------------------------------------------------------


def test_direct_facts_keep_the_summary(mem: Memory) -> None:
    mem.add_fact("Bo", "LIVES_IN", "Oslo", valid_at="2020-01-01T00:00:00Z", group_id=G)
    mem.add_fact("Bo", "WORKS_AT", "Acme", valid_at="2021-01-01T00:00:00Z", group_id=G)
    mem.add_fact("Bo", "LIVES_IN", "Rome", valid_at="2023-01-01T00:00:00Z", group_id=G)
    assert mem.entity("Bo", group_id=G).summary == (
        "lives in Rome (since 2023-01-01); works at Acme (since 2021-01-01)"
    )
    mem.invalidate_fact("Bo", "WORKS_AT", "Acme", invalid_at="2024-01-01T00:00:00Z", group_id=G)
    assert mem.entity("Bo", group_id=G).summary == "lives in Rome (since 2023-01-01)"
    mem.retract_fact("Bo", "LIVES_IN", "Rome", group_id=G)
    assert mem.entity("Bo", group_id=G).summary == "lives in Oslo (since 2020-01-01)"
    then = mem.profile("Bo", group_id=G, as_of="2022-01-01T00:00:00Z")
    assert then.as_of == _at("2022-01-01T00:00:00Z")
    assert then.text() == "lives in Oslo (since 2020-01-01); works at Acme (since 2021-01-01)"
    entry = then.get("works_at")
    assert entry is not None
    assert entry.until == _at("2024-01-01T00:00:00Z")


def test_forgetting_the_value_takes_it_out_of_the_summary(mem: Memory) -> None:
    mem.add_fact("Bo", "LIVES_IN", "Oslo", valid_at="2020-01-01T00:00:00Z", group_id=G)
    mem.add_fact("Bo", "PARTNER_OF", "Cy", valid_at="2021-01-01T00:00:00Z", group_id=G)
    assert "Cy" in mem.entity("Bo", group_id=G).summary
    receipt = mem.forget_entity("Cy", group_id=G)
    assert receipt.entities_updated == 0  # no alias went: the summary is derived
    assert mem.entity("Bo", group_id=G).summary == "lives in Oslo (since 2020-01-01)"


def test_a_groups_own_one_value_relations_are_in_its_profiles(mem: Memory) -> None:
    mapping = RecordMapping.model_validate(
        {
            "source": "crm",
            "entity": {"key": "id", "name": "name", "label": "Customer"},
            "time": {"column": "at"},
            "attributes": [{"column": "tier", "relation": "HAS_TIER", "label": "Tier"}],
        }
    )
    rows = [
        {"id": "C1", "name": "Kestrel", "tier": "Silver", "at": "2023-01-02T00:00:00Z"},
        {"id": "C1", "name": "Kestrel", "tier": "Gold", "at": "2023-05-02T00:00:00Z"},
    ]
    mem.add_records(rows, mapping=mapping, group_id=G)
    assert mem.registry_for(G).is_functional("HAS_TIER")
    assert mem.entity("Kestrel", group_id=G).summary == "has tier Gold (since 2023-05-02)"
    mem.add_fact("Kestrel", "HAS_TIER", "Bronze", group_id="elsewhere")
    mem.add_fact("Kestrel", "HAS_TIER", "Iron", group_id="elsewhere")
    # the declaration belongs to the group that made it: elsewhere HAS_TIER holds many values
    assert mem.profile("Kestrel", group_id="elsewhere").entries == []


def test_a_renamed_record_entity_is_named_anew_in_the_summaries(mem: Memory) -> None:
    mapping = RecordMapping.model_validate(
        {
            "source": "staff",
            "entity": {"key": "id", "name": "name", "label": "Employee"},
            "time": {"column": "at"},
            "references": [{"column": "team", "relation": "IN_TEAM", "label": "Team"}],
        }
    )  # fmt: skip
    teams = RecordMapping.model_validate(
        {
            "source": "teams",
            "entity": {"key": "id", "name": "name", "label": "Team"},
            "time": {"column": "at"},
            "attributes": [{"column": "floor", "relation": "ON_FLOOR", "label": "Floor"}],
        }
    )
    mem.add_records(
        [{"id": "T1", "name": "Platform", "floor": "3", "at": "2023-01-01T00:00:00Z"}],
        mapping=teams,
        group_id=G,
    )
    mem.add_records(
        [{"id": "E1", "name": "Dee", "team": "Platform", "at": "2023-02-01T00:00:00Z"}],
        mapping=mapping,
        group_id=G,
    )
    assert mem.entity("Dee", group_id=G).summary == "in team Platform (since 2023-02-01)"
    mem.add_records(
        [{"id": "T1", "name": "Core Platform", "floor": "3", "at": "2023-03-01T00:00:00Z"}],
        mapping=teams,
        group_id=G,
    )
    assert mem.entity("Dee", group_id=G).summary == "in team Core Platform (since 2023-02-01)"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["add", "end", "retract"]),
            st.sampled_from(["LIVES_IN", "WORKS_AT", "LIKES"]),
            st.sampled_from(["Oslo", "Rome", "Acme"]),
            st.integers(0, 40),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_summary_is_always_the_profile_now(
    steps: list[tuple[str, str, str, int]],
) -> None:
    """Whatever is stated, ended or retracted, in any order, the summary kept by the writes is
    the profile computed now, which is the newest current value of each one-value relation."""
    start = _at("2020-01-01T00:00:00Z")
    with Memory.open("memory://", embedder=HashingEmbedder()) as m:
        m.add_fact("Bo", "LIKES", "tea", valid_at=start, group_id=G)
        for op, relation, value, months in steps:
            when = start + timedelta(days=30 * months)
            if op == "add":
                m.add_fact("Bo", relation, value, valid_at=when, group_id=G)
            elif op == "end":
                m.invalidate_fact("Bo", relation, value, invalid_at=when, group_id=G)
            else:
                with contextlib.suppress(NotFoundError):  # nothing current to retract
                    m.retract_fact("Bo", relation, value, group_id=G)
        profile = m.profile("Bo", group_id=G)
        assert m.entity("Bo", group_id=G).summary == profile.text()
        for relation in ("LIVES_IN", "WORKS_AT"):
            current = m.facts(subject="Bo", relation=relation, group_id=G)
            entry = profile.get(relation)
            if not current:
                assert entry is None
            else:
                assert entry is not None
                assert entry.value == max(current, key=lambda r: r.valid_at or start).object
        assert profile.get("LIKES") is None


# -- shown ----------------------------------------------------------------------------------------


def test_context_starts_with_the_profiles_of_the_entities_named(mem: Memory) -> None:
    mem.add_dialogue(
        [
            {"speaker": "Ann", "text": "I live in Oslo.", "time": "2023-01-10T09:00:00Z"},
            {"speaker": "Ann", "text": "I work at Acme.", "time": "2023-02-10T09:00:00Z"},
            {"speaker": "Ann", "text": "I moved to Bergen.", "time": "2023-09-01T09:00:00Z"},
        ],
        group_id=G,
    )
    block = mem.context("Where does Ann live?", group_id=G)
    lines = block.splitlines()
    assert lines[:2] == [
        "Profiles:",
        "- Ann: lives in Bergen (since 2023-09-01); works at Acme (since 2023-02-10)",
    ]
    assert "- Ann (Person, Speaker): " not in block  # the profile is not repeated below
    past = mem.context("Where did Ann live?", group_id=G, as_of="2023-03-01T00:00:00Z")
    assert past.splitlines()[1] == (
        "- Ann: lives in Oslo (since 2023-01-10); works at Acme (since 2023-02-10)"
    )
    asked = mem.context("Where do I live?", group_id=G, speaker="Ann")
    assert asked.splitlines()[1].startswith("- Ann: lives in Bergen")
    assert not mem.context("Where is Oslo?", group_id=G).startswith("Profiles:")


def test_build_context_keeps_profiles_within_the_budget() -> None:
    entry = ProfileEntry(
        relation="LIVES_IN",
        value="Oslo",
        value_uuid="o",
        since=_at("2020-01-01T00:00:00Z"),
        fact="Ann lives in Oslo",
        fact_uuid="f",
    )
    profile = Profile(entity="Ann", entity_uuid="a", group_id=G, entries=[entry] * 40)
    hit = SearchResult(kind="entity", uuid="a", text="Ann: lives in Oslo", score=1.0, group_id=G)
    block = build_context([hit], max_tokens=60, profiles=[profile])
    assert len(block) <= 60 * 4
    assert block.startswith("Profiles:\n- Ann: lives in Oslo (since 2020-01-01); lives in")
    assert block.endswith("...")


def test_the_async_twin_gives_the_same_profile(mem: Memory) -> None:
    mem.add_fact("Bo", "LIVES_IN", "Oslo", valid_at="2020-01-01T00:00:00Z", group_id=G)

    async def read() -> Profile:
        return await AsyncMemory(mem).profile("Bo", group_id=G)

    assert asyncio.run(read()) == mem.profile("Bo", group_id=G)


def test_the_cli_shows_the_profile(tmp_path: Path) -> None:
    store = str(tmp_path / "memory")
    with Memory.open(store, embedder=HashingEmbedder(), extractor=FunctionExtractor()) as m:
        m.add_dialogue(
            [
                {"speaker": "Ann", "text": "I live in Oslo.", "time": "2024-02-01T08:00:00Z"},
                {"speaker": "Ann", "text": "I work at Acme.", "time": "2024-03-01T08:00:00Z"},
                {
                    "speaker": "Ann",
                    "text": "I moved to Bergen.",
                    "time": "2024-09-01T08:00:00+00:00",
                },
            ],
            group_id=G,
        )
    runner = CliRunner()
    shown = runner.invoke(cli, ["entity", "Ann", "--store", store, "--group", G])
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[1:] == [
        "  LIVES_IN         Bergen  [since 2024-09-01]",
        "  WORKS_AT         Acme  [since 2024-03-01]",
    ]
    then = runner.invoke(
        cli,
        ["entity", "Ann", "--store", store, "--group", G, "--as-of", "2024-05-01T00:00:00Z",
         "--json"],
    )  # fmt: skip
    assert then.exit_code == 0, then.output
    data = json.loads(then.stdout)
    assert data["entity"]["summary"] == (
        "lives in Bergen (since 2024-09-01); works at Acme (since 2024-03-01)"
    )
    assert [(e["relation"], e["value"]) for e in data["profile"]["entries"]] == [
        ("LIVES_IN", "Oslo"),
        ("WORKS_AT", "Acme"),
    ]
    assert data["profile"]["entries"][0]["until"] == "2024-09-01T08:00:00+00:00"
    history = runner.invoke(cli, ["history", "Ann", "--store", store, "--group", G])
    assert history.exit_code == 0, history.output
    assert history.output.splitlines()[0] == (
        "Ann: lives in Bergen (since 2024-09-01); works at Acme (since 2024-03-01)"
    )
    missing = runner.invoke(cli, ["entity", "Anne", "--store", store, "--group", G])
    assert isinstance(missing.exception, NotFoundError)
    assert "did you mean 'Ann'" in str(missing.exception)
