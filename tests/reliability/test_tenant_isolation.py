"""Tenant isolation: no read ever returns anything of another group.

Seven groups with ids that differ by one character a tokenizer may drop or fold ("t-1",
"t.1", "t:1", "t_1", "T-1", "tx1", "t-1-x") hold the same people and companies with different
facts, plus one marker company each. Hypothesis then asks every read of one group (or of a
group that does not exist) about names and words of all groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from benchmarks.soak import synthetic_turns
from chronomem.errors import NotFoundError
from chronomem.ingest.sources import RecordMapping
from chronomem.memory import Memory
from tests.reliability.conftest import run_prefix
from tests.reliability.snapshot import all_uuids

SUFFIXES = ("t-1", "t.1", "t:1", "t_1", "T-1", "tx1", "t-1-x")
SHARED_NAMES = ("Alice", "Bob", "Carol", "Dan", "Acme", "Berlin", "Dana Kim", "Nobody")

MAPPING = RecordMapping.from_dict(
    {
        "source": "crm",
        "entity": {"key": "id", "name": "company", "label": "Customer"},
        "time": {"column": "updated_at"},
        "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
        "references": [{"column": "manager", "relation": "MANAGED_BY", "label": "Person"}],
    }
)


def marker(index: int) -> str:
    return f"Zorblax{index} Holdings"


@dataclass
class Tenants:
    """The groups written, and what each holds."""

    groups: list[str]
    uuids: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def tenants(module_memory: Memory) -> Tenants:
    mem = module_memory
    prefix = run_prefix()
    result = Tenants(groups=[f"{prefix}{suffix}" for suffix in SUFFIXES])
    for index, group in enumerate(result.groups):
        mem.add_dialogue(synthetic_turns(6, start=index * 7, seed=index), group_id=group)
        rows = [
            {"id": "C-1", "company": marker(index), "plan": f"Plan{index}",
             "manager": "Dana Kim", "updated_at": "2024-01-10"},
            {"id": "C-2", "company": "Acme", "plan": "Pro", "manager": "Dana Kim",
             "updated_at": "2024-02-10"},
        ]  # fmt: skip
        mem.add_records(rows, mapping=MAPPING, group_id=group)
        result.uuids[group] = {
            u for kind in ("episode", "entity", "fact") for u in all_uuids(mem, group, kind)
        }
        result.names[group] = {e.name for e in mem.store.find_entities(group)}
        result.stats[group] = mem.stats(group).model_dump()
    return result


def _markers_of_others(tenants: Tenants, group: str) -> list[str]:
    return [marker(i) for i, g in enumerate(tenants.groups) if g != group]


def test_groups_hold_what_was_written(tenants: Tenants, module_memory: Memory) -> None:
    for index, group in enumerate(tenants.groups):
        assert marker(index) in tenants.names[group]
        assert not set(_markers_of_others(tenants, group)) & tenants.names[group]
        assert module_memory.stats(group).episodes == 8
        # A name every group holds is found in this group, and only this group's entity.
        hits = module_memory.search("Dana Kim", group_id=group, limit=20)
        assert any(h.kind == "entity" and h.text.startswith("Dana Kim") for h in hits), hits
        assert all(h.group_id == group for h in hits)


def test_every_read_stays_in_its_group(tenants: Tenants, module_memory: Memory) -> None:
    mem = module_memory
    server = mem.store.capabilities.server  # a round trip per call: fewer examples
    absent = f"{tenants.groups[0]}-absent"
    all_names = sorted({n for names in tenants.names.values() for n in names} | set(SHARED_NAMES))
    common = [*SHARED_NAMES, *(marker(i) for i in range(len(tenants.groups)))]
    words = st.sampled_from([*all_names, "plan", "works", "lives in", "Zorblax", "Holdings"])
    queries = st.one_of(
        words,
        st.lists(words, min_size=1, max_size=4).map(" ".join),
        st.text(max_size=30),
    )

    @settings(max_examples=25 if server else 100, deadline=None)
    @given(
        group=st.sampled_from([*tenants.groups, absent]),
        query=queries,
        name=st.one_of(st.sampled_from(common), st.sampled_from(all_names)),
        other=st.one_of(st.sampled_from(common), st.sampled_from(all_names)),
    )
    def check(group: str, query: str, name: str, other: str) -> None:
        mine = tenants.uuids.get(group, set())
        names = tenants.names.get(group, set())
        foreign = _markers_of_others(tenants, group)

        for hit in mem.search(query, group_id=group, limit=20):
            assert hit.group_id == group, hit
            assert hit.uuid in mine, hit
        text = mem.context(query, group_id=group, max_tokens=800)
        assert not [m for m in foreign if m in text], text

        if name not in names:
            with pytest.raises(NotFoundError) as missing:
                mem.entity(name, group_id=group)
            hinted = str(missing.value).partition("did you mean ")[2]
            assert not [m for m in foreign if m in hinted], str(missing.value)
            event("entity not in this group")
            return
        entity = mem.entity(name, group_id=group)
        event("entity found")
        assert entity.group_id == group
        assert entity.uuid in mine
        reads = [
            *mem.facts(subject=name, group_id=group, include_ended=True),
            *mem.history(name, group_id=group),
            *mem.neighbors(name, depth=2, group_id=group),
        ]
        try:
            for path in mem.paths(name, other, max_hops=3, group_id=group):
                reads.extend(path)
        except NotFoundError:
            assert other not in names
        for row in reads:
            assert row.group_id == group, row
            assert row.uuid in mine, row
            assert row.subject in names, row
            assert row.object in names, row

    check()
    for group in tenants.groups:  # reads wrote nothing anywhere
        assert mem.stats(group).model_dump() == tenants.stats[group]
    assert mem.stats(absent).episodes == 0
