"""Injection: names, relation words and queries full of Cypher, Lucene, FTS5 and SQL syntax are
data, never code. Writing them stores exactly them; reading with them returns normally and
changes nothing."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from chronomem.errors import NotFoundError
from chronomem.ingest.resolve.names import clean_name
from chronomem.ingest.sources import RecordMapping
from chronomem.memory import Memory
from tests.reliability.conftest import run_prefix
from tests.reliability.snapshot import GraphSnapshot, snapshot

HOSTILE = (
    *("'", '"', "`", "\\", "{", "}", "[", "]", "(", ")", ";", "//", "/*", "*/", "--", "%", "_"),
    "MATCH (n) DETACH DELETE n",
    "'}) MATCH (n) DETACH DELETE n //",
    "`) DETACH DELETE n //",
    '") RETURN 1 UNION MATCH (n) RETURN n //',
    "{group_id: 'other'}",
    "$group_id",
    "CALL db.index.fulltext.drop('facts')",
    "LOAD CSV FROM 'file:///etc/passwd' AS line",
    "'; DROP TABLE facts; --",
    '" OR 1=1 --',
    "') OR ('1'='1",
    *("NEAR(a b)", "NEAR/3", "AND", "OR", "NOT", "a*", "*", "^start", "col:value"),
    *("group_id:*", "name:Alice", "Alice~2", "?", "+must", "-not", "&&", "||", "!"),
    *("/regex.*/", '"unclosed', "<>", "=", "\x00", "\u202e", "\U0001f642", "e\u0301"),
)

_plain = st.characters(codec="utf-8", exclude_characters="\x00")  # no surrogates, no NUL
hostile_text = (
    st.lists(
        st.one_of(st.sampled_from(HOSTILE), st.text(alphabet=_plain, min_size=1, max_size=6)),
        min_size=1,
        max_size=4,
    )
    .map(" ".join)
    .filter(lambda text: "\x00" not in text)  # NUL in names: see test_bad_input
)
"""Text a tenant might write: operators of every query language, mixed with anything."""

hostile_query = st.one_of(hostile_text, st.sampled_from(HOSTILE), st.text(max_size=40))
"""Query text: also NUL, lone surrogates and control characters."""

MAPPING = RecordMapping.from_dict(
    {
        "source": "crm",
        "entity": {"key": "id", "name": "company", "label": "Customer"},
        "time": {"column": "updated_at"},
        "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
        "references": [{"column": "manager", "relation": "MANAGED_BY", "label": "Person"}],
    }
)

_groups = itertools.count()
FIRST = ("Apple", "Birch", "Cedar")
SECOND = ("North", "Quartz", "Violet")


def _centre_refusal(mem: Memory, text: str, group: str) -> NotFoundError | None:
    try:
        mem.search(text, group_id=group, centre=text)
    except NotFoundError as exc:
        return exc
    return None


def test_hostile_names_are_stored_verbatim_and_searches_change_nothing(
    module_memory: Memory,
) -> None:
    mem = module_memory
    server = mem.store.capabilities.server  # a round trip per call: fewer examples
    prefix = run_prefix()

    @settings(max_examples=5 if server else 25, deadline=None)
    @given(
        names=st.lists(hostile_text, min_size=1, max_size=3),
        queries=st.lists(hostile_query, min_size=1, max_size=3),
    )
    def check(names: list[str], queries: list[str]) -> None:
        group = f"{prefix}-{next(_groups)}"
        # Distinct words around each hostile name keep entity resolution from merging them.
        rows = [
            {"id": f"C-{i}", "company": f"{FIRST[i]} {name} Holdings",
             "plan": f"{SECOND[i]} {name} plan", "manager": f"{FIRST[i]} {name} {SECOND[i]}",
             "updated_at": f"2024-01-{i + 1:02d}"}
            for i, name in enumerate(names)
        ]  # fmt: skip
        mem.add_records(rows, mapping=MAPPING, group_id=group)
        said = queries[0].replace("\x00", "")  # NUL is refused at input (test_bad_input)
        mem.add_dialogue(
            [
                {"speaker": "Alice", "text": f"I work at {name}. {name} likes {said}.",
                 "time": f"2024-02-{i + 1:02d}T10:00:00Z"}
                for i, name in enumerate(names)
            ],
            group_id=group,
        )  # fmt: skip
        before, stats = snapshot(mem, group), mem.stats(group)
        entities = mem.store.find_entities(group)
        stored = {n for entity in entities for n in (entity.name, *entity.aliases)}
        # Stored as written (up to whitespace folding: test_record_values_are_stored_verbatim
        # covers edge punctuation; similar names may become aliases of one entity, see
        # test_records_with_different_keys_stay_different_entities).
        for row in rows:
            company = clean_name(row["company"])
            assert company in stored, (company, stored)
            found = mem.entity(company, group_id=group)
            assert company in (found.name, *found.aliases)
            assert clean_name(row["plan"]) in stored
        facts = mem.facts(group_id=group, relation="HAS_PLAN", include_ended=True)
        objects = {
            n for f in facts for e in entities if e.name == f.object for n in (e.name, *e.aliases)
        }
        assert objects >= {clean_name(r["plan"]) for r in rows}

        for text in [*queries, *names]:
            for hit in mem.search(text, group_id=group, limit=20):
                assert hit.group_id == group
            mem.search(text, group_id=group, relations=(text,), labels=(text,))
            refused = _centre_refusal(mem, text, group)  # an unknown centre is refused, clearly
            assert refused is None or "is neither the uuid nor the name" in str(refused)
            assert isinstance(mem.context(text, group_id=group, max_tokens=300), str)
            if text:
                relation = text.upper()
                listed = mem.facts(group_id=group, relation=text)
                assert all(row.relation == relation for row in listed)
            try:
                mem.history(text, group_id=group)
                mem.neighbors(text, depth=2, group_id=group)
                mem.paths(text, names[0], group_id=group)
            except NotFoundError:
                pass
        assert snapshot(mem, group) == before
        assert mem.stats(group) == stats
        written[group] = before

    written: dict[str, GraphSnapshot] = {}
    check()
    # What later examples searched for never touched the groups written before them.
    for group, held in written.items():
        assert snapshot(mem, group) == held


def test_record_values_are_stored_verbatim(module_memory: Memory) -> None:
    group = f"{run_prefix()}-verbatim"
    values = ["Macy's", "Yahoo!", "(untitled)", "'quoted'"]
    rows = [
        {"id": f"C-{i}", "company": value, "plan": value, "manager": "Dana",
         "updated_at": "2024-01-01"}
        for i, value in enumerate(values)
    ]  # fmt: skip
    module_memory.add_records(rows, mapping=MAPPING, group_id=group)
    stored = {entity.name for entity in module_memory.store.find_entities(group)}
    assert set(values) <= stored


def test_records_with_different_keys_stay_different_entities(module_memory: Memory) -> None:
    group = f"{run_prefix()}-keys"
    rows = [
        {"id": "C-0", "company": "Apple MATCH (n) DETACH DELETE n Holdings", "plan": "Pro",
         "manager": "Dana", "updated_at": "2024-01-01"},
        {"id": "C-1", "company": "Birch MATCH (n) DETACH DELETE n Holdings", "plan": "Basic",
         "manager": "Dana", "updated_at": "2024-01-02"},
    ]  # fmt: skip
    module_memory.add_records(rows, mapping=MAPPING, group_id=group)
    customers = module_memory.store.find_entities(group, labels=["Customer"])
    assert sorted(e.name for e in customers) == [r["company"] for r in rows]
    current = module_memory.facts(group_id=group, relation="HAS_PLAN")
    assert sorted(str(f.object) for f in current) == ["Basic", "Pro"]
