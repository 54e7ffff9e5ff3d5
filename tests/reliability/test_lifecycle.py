"""Issue 17, the data users control: tenancy of settings, reads that never write, size limits,
changed turns, whole-file validation, export merges, foreign files, groups, direct facts and
erasure. docs/reliability.md ("attack classes: what happens now") names these tests; keep it
true. Tests that need no real extractor run on all three stores (``fake_memory``)."""

from __future__ import annotations

from chronomem.ingest.sources import RecordMapping
from chronomem.memory import Memory
from tests.reliability.conftest import run_prefix

MULTI_LIVES_IN = RecordMapping.from_dict(
    {
        "source": "homes",
        "entity": {"key": "id", "name": "name", "label": "Person"},
        "time": {"column": "at"},
        "attributes": [
            {"column": "home", "relation": "LIVES_IN", "label": "Place", "functional": False}
        ],
    }
)


def _places(mem: Memory, group: str, person: str) -> list[str]:
    return sorted(r.object or "" for r in mem.facts(subject=person, group_id=group))


def test_relation_settings_belong_to_their_group(fake_memory: Memory) -> None:
    """Item 2: a mapping in group A that declares LIVES_IN multi-valued does not stop group
    B's move from ending where Bob lived before."""
    mem, prefix = fake_memory, run_prefix()
    a, b = f"{prefix}-a", f"{prefix}-b"
    rows = [{"id": "1", "name": "Ann", "home": "Oslo", "at": "2024-01-01T00:00:00Z"}]
    mem.add_records(rows, mapping=MULTI_LIVES_IN, group_id=a)
    assert not mem.registry_for(a).is_functional("LIVES_IN")
    assert mem.registry_for(b).is_functional("LIVES_IN")
    mem.add_dialogue(
        [
            {"speaker": "Bob", "text": "I live in Paris.", "time": "2024-01-01T00:00:00Z"},
            {"speaker": "Bob", "text": "I moved to Berlin.", "time": "2024-06-01T00:00:00Z"},
        ],
        group_id=b,
    )
    assert _places(mem, b, "Bob") == ["Berlin"]
    # and in A the declaration holds: a second home does not end the first
    later = [{"id": "1", "name": "Ann", "home": "Bergen", "at": "2024-02-01T00:00:00Z"}]
    mem.add_records(later, mapping=MULTI_LIVES_IN, group_id=a)
    assert _places(mem, a, "Ann") == ["Bergen", "Oslo"]
