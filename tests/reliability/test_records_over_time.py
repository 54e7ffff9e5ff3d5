"""Business records that change over time (issue 18), on every backend.

Exact value changes, snapshot sources (a missing row, an emptied cell, a shrinking list cell
end what held) and renames under a stable key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chronomem.ingest.sources.mapping import RecordMapping
from chronomem.memory import Memory
from chronomem.schema import NAME_RELATION
from tests.reliability.conftest import run_prefix


@pytest.fixture
def mem(fake_memory: Memory) -> Memory:
    return fake_memory


@pytest.fixture
def group() -> str:
    return f"{run_prefix()}-records"


def _mapping(kind: str = "change_log") -> RecordMapping:
    return RecordMapping.from_dict(
        {
            "source": "hr.directory",
            "kind": kind,
            "entity": {"key": "id", "name": "name", "label": "Person"},
            "time": {"column": "at"},
            "attributes": [
                {"column": "title", "relation": "HAS_JOB_TITLE", "label": "JobTitle"},
                {
                    "column": "tags",
                    "relation": "HAS_TAG",
                    "label": "Tag",
                    "functional": False,
                    "separator": ";",
                },
            ],
            "references": [{"column": "manager", "relation": "REPORTS_TO", "label": "Person"}],
        }
    )


def _row(key: str, name: str, title: str, tags: str, manager: str, at: str) -> dict[str, object]:
    return {"id": key, "name": name, "title": title, "tags": tags, "manager": manager, "at": at}


def _current(
    mem: Memory, subject: str, relation: str, group: str, as_of: str | None = None
) -> set[str]:
    return {
        f.text for f in mem.facts(subject=subject, relation=relation, group_id=group, as_of=as_of)
    }


def test_a_similar_value_is_a_change_not_a_repeat(mem: Memory, group: str) -> None:
    mapping = _mapping()
    mem.add_records(
        [_row("E-1", "Ann Lee", "Payroll Specialist", "", "", "2024-01-31")],
        mapping=mapping,
        group_id=group,
    )
    mem.add_records(
        [_row("E-1", "Ann Lee", "Payroll Manager", "", "", "2024-04-30")],
        mapping=mapping,
        group_id=group,
    )
    mem.add_records(
        [
            _row("E-2", "Bo Park", "Account Executive", "", "", "2024-01-31"),
            _row("E-2", "Bo Park", "Senior Account Executive", "", "", "2024-06-30"),
        ],
        mapping=mapping,
        group_id=group,
    )
    assert _current(mem, "Ann Lee", "HAS_JOB_TITLE", group) == {
        "Ann Lee has job title Payroll Manager"
    }
    assert _current(mem, "Ann Lee", "HAS_JOB_TITLE", group, "2024-02-15T00:00:00Z") == {
        "Ann Lee has job title Payroll Specialist"
    }
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group) == {
        "Bo Park has job title Senior Account Executive"
    }
    # equal after normalisation is a repeat: one row, two sources
    mem.add_records(
        [_row("E-1", "Ann Lee", "payroll  manager", "", "", "2024-05-31")],
        mapping=mapping,
        group_id=group,
    )
    rows = mem.facts(subject="Ann Lee", relation="HAS_JOB_TITLE", group_id=group)
    assert [r.text for r in rows] == ["Ann Lee has job title Payroll Manager"]


def test_change_log_keeps_what_a_file_does_not_mention(mem: Memory, group: str) -> None:
    mapping = _mapping()
    mem.add_records(
        [
            _row("E-1", "Ann Lee", "Analyst", "vip", "Dana Kim", "2024-01-31"),
            _row("E-2", "Bo Park", "Analyst", "", "", "2024-01-31"),
        ],
        mapping=mapping,
        group_id=group,
    )
    mem.add_records(
        [_row("E-1", "Ann Lee", "Analyst", "", "", "2024-02-29")], mapping=mapping, group_id=group
    )
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group) == {"Bo Park has job title Analyst"}
    assert _current(mem, "Ann Lee", "REPORTS_TO", group) == {"Ann Lee reports to Dana Kim"}
    assert _current(mem, "Ann Lee", "HAS_TAG", group) == {"Ann Lee has tag vip"}


_JAN = [
    _row("E-1", "Ann Lee", "Analyst", "beta;vip", "Dana Kim", "2024-01-31"),
    _row("E-2", "Bo Park", "Analyst", "", "Dana Kim", "2024-01-31"),
]
_FEB = [_row("E-1", "Ann Lee", "Analyst", "vip", "", "2024-02-29")]
_MAR = [_row("E-1", "Ann Lee", "Senior Analyst", "", "Eve Moss", "2024-03-31")]


def _state(
    mem: Memory, group: str, people: tuple[str, ...] = ("Ann Lee", "Bo Park")
) -> set[tuple[str, str | None, str | None]]:
    rows = [r for p in people for r in mem.facts(subject=p, group_id=group, include_ended=True)]
    return {(r.text, str(r.valid_at), str(r.invalid_at)) for r in rows}


def test_snapshot_ends_missing_rows_emptied_cells_and_dropped_list_values(
    mem: Memory, group: str
) -> None:
    mapping = _mapping("snapshot")
    for snapshot in (_JAN, _FEB, _MAR):
        mem.add_records(snapshot, mapping=mapping, group_id=group)
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group) == set()  # missing row
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group, "2024-03-01T00:00:00Z") == set()
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group, "2024-02-15T00:00:00Z") == {
        "Bo Park has job title Analyst"
    }
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group, "2024-01-31T12:00:00Z") == {
        "Bo Park has job title Analyst"
    }
    assert _current(mem, "Ann Lee", "REPORTS_TO", group, "2024-03-01T00:00:00Z") == set()  # emptied
    assert _current(mem, "Ann Lee", "REPORTS_TO", group) == {"Ann Lee reports to Eve Moss"}
    assert _current(mem, "Ann Lee", "HAS_TAG", group, "2024-03-01T00:00:00Z") == {
        "Ann Lee has tag vip"
    }
    assert _current(mem, "Ann Lee", "HAS_TAG", group) == set()  # list shrank to empty
    assert _current(mem, "Ann Lee", "HAS_JOB_TITLE", group) == {
        "Ann Lee has job title Senior Analyst"
    }


@pytest.mark.parametrize("order", [(2, 1, 0), (1, 2, 0), (0, 2, 1), (2, 0, 1)])
def test_snapshot_arrival_order_does_not_change_the_final_state(
    mem: Memory, order: tuple[int, ...], group: str
) -> None:
    mapping = _mapping("snapshot")
    files = (_JAN, _FEB, _MAR)
    for index in (0, 1, 2):
        mem.add_records(files[index], mapping=mapping, group_id=f"{group}-in-order")
    for index in order:
        mem.add_records(files[index], mapping=mapping, group_id=group)
    assert _state(mem, group) == _state(mem, f"{group}-in-order")


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_renamed_key_answers_to_both_names_and_takes_the_latest(
    mem: Memory, group: str, order: tuple[int, int]
) -> None:
    mapping = _mapping()
    files = (
        [_row("E-5", "Emily Carter", "Designer", "", "", "2023-02-01")],
        [_row("E-5", "Emily Nakamura", "Lead Designer", "", "", "2024-10-01")],
    )
    for index in order:  # arrival order does not matter
        mem.add_records(files[index], mapping=mapping, group_id=group)
    for name in ("Emily Carter", "Emily Nakamura"):
        assert _current(mem, name, "HAS_JOB_TITLE", group) == {
            "Emily Nakamura has job title Lead Designer"
        }
        assert mem.entity(name, group_id=group).name == "Emily Nakamura"
    entity = mem.entity("Emily Carter", group_id=group)
    assert "Emily Carter" in entity.aliases
    hits = mem.search("Nakamura", group_id=group, limit=3)
    named = [h.text.partition(": ")[0] for h in hits if h.kind == "entity"]  # name: summary
    assert "Emily Nakamura" in named


def test_a_rename_inside_one_file_takes_the_latest_row(mem: Memory, group: str) -> None:
    mem.add_records(
        [
            _row("E-6", "Ann Lee", "Analyst", "", "", "2024-01-01"),
            _row("E-6", "Ann Moss", "Analyst", "", "", "2024-05-01"),
            _row("E-6", "Ann Lee", "Analyst", "", "", "2023-06-01"),
        ],
        mapping=_mapping(),
        group_id=group,
    )
    assert mem.entity("Ann Lee", group_id=group).name == "Ann Moss"
    history = [h.text for h in mem.history("Ann Moss", relation="HAS_JOB_TITLE", group_id=group)]
    assert history == ["Ann Lee has job title Analyst"]  # one fact, stated under both names
    names = mem.history("Ann Moss", relation=NAME_RELATION, group_id=group)
    assert [(n.text, str(n.valid_at), str(n.invalid_at)) for n in names] == [
        ("person E-6 is named Ann Lee", "2023-06-01 00:00:00+00:00", "2024-05-01 00:00:00+00:00"),
        ("person E-6 is named Ann Moss", "2024-05-01 00:00:00+00:00", "None"),
    ]


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_a_rename_is_in_the_entity_history(mem: Memory, group: str, order: tuple[int, ...]) -> None:
    """The name a key has is a fact of its own: the new name ends the old one where the
    first row with the new name starts, whatever order the files arrive in, and the history
    under either name shows the change."""
    files = (
        [_row("E-5", "Emily Carter", "Designer", "", "", "2023-02-01")],
        [_row("E-5", "Emily Nakamura", "Lead Designer", "", "", "2024-10-01")],
        [_row("E-5", "Emily Carter", "Designer", "", "", "2023-06-01")],  # the same name again
    )
    for index in order:
        mem.add_records(files[index], mapping=_mapping(), group_id=group)
    for name in ("Emily Carter", "Emily Nakamura"):
        timeline = [
            (h.text, h.valid_at, h.invalid_at)
            for h in mem.history(name, group_id=group)
            if h.kind == "fact"
        ]
        names = [t for t in timeline if " is named " in t[0]]
        assert [(text, str(start), str(end)) for text, start, end in names] == [
            (
                "person E-5 is named Emily Carter",
                "2023-02-01 00:00:00+00:00",
                "2024-10-01 00:00:00+00:00",
            ),
            ("person E-5 is named Emily Nakamura", "2024-10-01 00:00:00+00:00", "None"),
        ]
    before = mem.facts(
        subject="Emily Nakamura", relation=NAME_RELATION, group_id=group, as_of="2024-01-01"
    )
    assert [f.text for f in before] == ["person E-5 is named Emily Carter"]
    now = mem.facts(subject="Emily Carter", relation=NAME_RELATION, group_id=group)
    assert [f.text for f in now] == ["person E-5 is named Emily Nakamura"]
    # one row per name, every row that gave it among its sources; each names what it states
    rows = mem.history("Emily Carter", relation=NAME_RELATION, group_id=group)
    assert [(n.subject, n.object) for n in rows] == [
        ("Emily Nakamura", "Emily Carter"),
        ("Emily Nakamura", "Emily Nakamura"),
    ]
    assert len(before[0].episodes) == 2


def test_the_mapping_reference_examples_run() -> None:
    readme = (Path(__file__).parents[2] / "examples" / "crm" / "README.md").read_text("utf-8")
    section = readme.split("## Full exports, emptied cells and renames", 1)[1]
    blocks = [part.split("```", 1)[0] for part in section.split("```python\n")[1:]]
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, "examples/crm/README.md", "exec"), {"__name__": "crm_readme"})


def test_a_late_snapshot_between_two_stored_ones_moves_their_ending(
    mem: Memory, group: str
) -> None:
    """January lists a value, March (stored) does not: it ended in March. February arrives
    last with another value or without it: the old value ended in February, the new one (if
    any) in March, and nothing holds in between that the in-order memory does not have."""
    mapping = _mapping("snapshot")
    jan = [_row("E-2", "Bo Park", "Analyst", "x;y", "Dana Kim", "2024-01-31")]
    feb = [
        _row("E-2", "Bo Park", "Senior Analyst", "y", "", "2024-02-29"),
        _row("E-9", "Cy Ode", "Clerk", "", "", "2024-02-29"),
    ]
    mar = [_row("E-9", "Cy Ode", "Clerk", "", "", "2024-03-31")]
    for files, target in (((jan, feb, mar), f"{group}-in-order"), ((jan, mar, feb), group)):
        for rows in files:
            mem.add_records(rows, mapping=mapping, group_id=target)
    people = ("Bo Park", "Cy Ode")
    assert _state(mem, group, people) == _state(mem, f"{group}-in-order", people)
    at = {m: f"2024-{m}-15T00:00:00Z" for m in ("03", "04")}
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group, at["03"]) == {
        "Bo Park has job title Senior Analyst"
    }
    assert _current(mem, "Bo Park", "HAS_TAG", group, at["03"]) == {"Bo Park has tag y"}
    assert _current(mem, "Bo Park", "REPORTS_TO", group, at["03"]) == set()
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group, at["04"]) == set()
    assert _current(mem, "Bo Park", "HAS_TAG", group, at["04"]) == set()


def _undeclared() -> RecordMapping:
    """The mapping without ``kind``: each file is read by its shape."""
    return RecordMapping.from_dict(
        _mapping().model_dump(exclude={"kind"}, exclude_none=True, exclude_defaults=True)
    )


def test_an_undeclared_file_with_one_time_is_a_full_export(mem: Memory, group: str) -> None:
    mapping = _undeclared()
    for snapshot in (_JAN, _FEB, _MAR):
        mem.add_records(snapshot, mapping=mapping, group_id=group)
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group) == set()  # missing row
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group, "2024-02-15T00:00:00Z") == {
        "Bo Park has job title Analyst"
    }
    assert _current(mem, "Ann Lee", "REPORTS_TO", group, "2024-03-01T00:00:00Z") == set()
    assert _current(mem, "Ann Lee", "HAS_TAG", group) == set()


def test_an_undeclared_change_log_keeps_what_a_row_does_not_say(mem: Memory, group: str) -> None:
    """Rows at different times are changes: an empty cell is "not known yet", a key absent
    from a later file is not gone."""
    mapping = _undeclared()
    mem.add_records(
        [
            _row("E-1", "Ann Lee", "Analyst", "vip", "Dana Kim", "2024-01-31"),
            _row("E-2", "Bo Park", "Analyst", "", "", "2024-02-02"),
        ],
        mapping=mapping,
        group_id=group,
    )
    mem.add_records(
        [
            _row("E-1", "Ann Lee", "Senior Analyst", "", "", "2024-03-01"),
            _row("E-3", "Cy Ode", "Clerk", "", "", "2024-03-05"),
        ],
        mapping=mapping,
        group_id=group,
    )
    mem.add_records(  # one row: a change, as the source has had no export
        [_row("E-3", "Cy Ode", "Senior Clerk", "", "", "2024-04-01")],
        mapping=mapping,
        group_id=group,
    )
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group) == {"Bo Park has job title Analyst"}
    assert _current(mem, "Ann Lee", "REPORTS_TO", group) == {"Ann Lee reports to Dana Kim"}
    assert _current(mem, "Ann Lee", "HAS_TAG", group) == {"Ann Lee has tag vip"}
    assert _current(mem, "Ann Lee", "HAS_JOB_TITLE", group) == {
        "Ann Lee has job title Senior Analyst"
    }


def test_a_declared_change_log_is_never_read_as_an_export(mem: Memory, group: str) -> None:
    mapping = _mapping("change_log")
    for snapshot in (_JAN, _FEB, _MAR):
        mem.add_records(snapshot, mapping=mapping, group_id=group)
    assert _current(mem, "Bo Park", "HAS_JOB_TITLE", group) == {"Bo Park has job title Analyst"}
    assert _current(mem, "Ann Lee", "HAS_TAG", group) == {
        "Ann Lee has tag beta",
        "Ann Lee has tag vip",
    }


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_one_row_file_is_an_export_of_a_source_that_has_exports(
    mem: Memory, group: str, order: tuple[int, int]
) -> None:
    """A price list of two products, then one of a single product (the other delisted), in
    either arrival order."""
    mapping = _undeclared()
    files = (
        [
            _row("P-1", "Mango Lassi", "Drinks", "", "", "2024-04-01"),
            _row("P-2", "Kefir", "Drinks", "", "", "2024-04-01"),
        ],
        [_row("P-2", "Kefir", "Dairy", "", "", "2024-10-01")],
    )
    for index in order:
        mem.add_records(files[index], mapping=mapping, group_id=group)
    assert _current(mem, "Mango Lassi", "HAS_JOB_TITLE", group) == set()
    assert _current(mem, "Mango Lassi", "HAS_JOB_TITLE", group, "2024-06-01T00:00:00Z") == {
        "Mango Lassi has job title Drinks"
    }
    assert _current(mem, "Kefir", "HAS_JOB_TITLE", group) == {"Kefir has job title Dairy"}


_MONTHS = ("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30")
_TITLES = ("Analyst", "Senior Analyst", "Lead Analyst", "Lead Analyst")


def _exports(mem: Memory, group: str) -> None:
    """Four monthly exports: Ann's title changes twice, Bo's and Cy's rows never change."""
    for month, title in zip(_MONTHS, _TITLES, strict=True):
        mem.add_records(
            [
                _row("E-1", "Ann Lee", title, "", "", month),
                _row("E-2", "Bo Park", "Payroll Clerk", "", "", month),
                _row("E-3", "Cy Ode", "Payroll Clerk", "", "", month),
            ],
            mapping=_undeclared(),
            group_id=group,
        )


def test_a_row_restated_by_many_exports_is_one_hit(mem: Memory, group: str) -> None:
    _exports(mem, group)
    for query in ("What is Bo Park's title?", "Who are the payroll clerks?"):
        texts = [h.text for h in mem.search(query, group_id=group, limit=5)]
        assert len(texts) == len(set(texts)), texts  # no repeated fact or episode
    hits = mem.search("Bo Park payroll clerk", group_id=group, limit=5)
    wanted = "Bo Park has job title Payroll Clerk"
    facts = [h for h in hits if h.kind == "fact" and h.text == wanted]
    assert len(facts) == 1
    assert len(facts[0].sources) == len(_MONTHS)  # one fact, one source per export


def test_search_prefers_the_current_value_unless_asked_about_the_past(
    mem: Memory, group: str
) -> None:
    _exports(mem, group)
    titles = [
        h.text
        for h in mem.search("What is Ann Lee's job title?", group_id=group, limit=5)
        if h.kind == "fact" and h.relation == "HAS_JOB_TITLE" and "Ann Lee" in h.text
    ]
    assert titles[0] == "Ann Lee has job title Lead Analyst", titles
    past = [
        h.text
        for h in mem.search(
            "What is Ann Lee's job title?", group_id=group, limit=5, as_of="2024-03-15T00:00:00Z"
        )
        if h.kind == "fact" and h.relation == "HAS_JOB_TITLE" and "Ann Lee" in h.text
    ]
    assert past[0] == "Ann Lee has job title Senior Analyst", past


def _directory() -> RecordMapping:
    """An HR table whose rows are Employees (a label the chat's extractor never gives)."""
    return RecordMapping.from_dict(
        {
            "source": "hr.homes",
            "entity": {"key": "id", "name": "name", "label": "Employee"},
            "time": {"column": "at"},
            "references": [{"column": "city", "relation": "LIVES_IN", "label": "Place"}],
        }
    )


@pytest.mark.parametrize("dialogue_first", [False, True])
def test_records_and_chat_about_one_person_share_the_entity_and_the_slot(
    mem: Memory, group: str, dialogue_first: bool
) -> None:
    chat = [{"speaker": "Bo", "text": "Ann Lee moved to Bergen.", "time": "2024-06-01T09:00:00Z"}]
    if dialogue_first:
        chat[0]["time"] = "2023-06-01T09:00:00Z"
        mem.add_dialogue(chat, group_id=group)
    mem.add_records(
        [{"id": "E-1", "name": "Ann Lee", "city": "Oslo", "at": "2024-01-31"}],
        mapping=_directory(),
        group_id=group,
    )
    if not dialogue_first:
        mem.add_dialogue(chat, group_id=group)
    assert len(mem.store.find_entities(group, ["Ann Lee"])) == 1
    now = {f.object for f in mem.facts(subject="Ann Lee", relation="LIVES_IN", group_id=group)}
    assert now == ({"Oslo"} if dialogue_first else {"Bergen"})
    between = "2024-03-01T00:00:00Z" if not dialogue_first else "2023-12-01T00:00:00Z"
    then = mem.facts(subject="Ann Lee", relation="LIVES_IN", group_id=group, as_of=between)
    assert {f.object for f in then} == ({"Bergen"} if dialogue_first else {"Oslo"})


def test_a_question_through_a_reference_finds_the_other_tables_fact(
    mem: Memory, group: str
) -> None:
    """Products reference suppliers by name; "the country of the supplier of X" is a fact of
    the supplier, found through X's current (or then-current) supplier."""
    suppliers = RecordMapping.from_dict(
        {
            "source": "purchasing.suppliers",
            "entity": {"key": "id", "name": "supplier", "label": "Supplier"},
            "time": {"column": "at"},
            "attributes": [{"column": "country", "relation": "BASED_IN", "label": "Country"}],
        }
    )
    products = RecordMapping.from_dict(
        {
            "source": "purchasing.products",
            "entity": {"key": "sku", "name": "product", "label": "Product"},
            "time": {"column": "at"},
            "references": [{"column": "supplier", "relation": "SUPPLIED_BY", "label": "Supplier"}],
        }
    )
    mem.add_records(
        [
            {"id": "S-1", "supplier": "Nordkap Gear", "country": "Norway", "at": "2023-01-10"},
            {"id": "S-2", "supplier": "Vento Outdoor", "country": "Italy", "at": "2023-01-11"},
        ],
        mapping=suppliers,
        group_id=group,
    )
    mem.add_records(
        [
            {
                "sku": "T-3",
                "product": "Alpine Tent",
                "supplier": "Nordkap Gear",
                "at": "2023-02-01",
            },
            {
                "sku": "B-4",
                "product": "Summit Pack",
                "supplier": "Vento Outdoor",
                "at": "2023-02-02",
            },
            {
                "sku": "T-3",
                "product": "Alpine Tent",
                "supplier": "Vento Outdoor",
                "at": "2024-08-15",
            },
        ],
        mapping=products,
        group_id=group,
    )
    question = "In which country is the supplier of the Alpine Tent based?"
    now = [h.text for h in mem.search(question, group_id=group, limit=3)]
    assert "Vento Outdoor is based in Italy" in now, now
    then = mem.search(question, group_id=group, limit=3, as_of="2023-06-01T00:00:00Z")
    assert "Nordkap Gear is based in Norway" in [h.text for h in then], then


def test_forgetting_the_record_that_gave_an_alias_forgets_the_alias(
    mem: Memory, group: str
) -> None:
    """Erasure: the older name a forgotten record gave a kept person (an alias) goes with the
    record; nothing of the erased text is left in any alias."""
    mem.add_records(
        [
            _row("E-7", "Emily Carter", "Lead Designer", "", "", "2024-10-01"),
            _row("E-7", "Emily Quixotrel", "Designer", "", "", "2023-02-01"),
        ],
        mapping=_mapping(),
        group_id=group,
    )
    assert "Emily Quixotrel" in mem.entity("Emily Carter", group_id=group).aliases
    (erased,) = [e for e in mem.store.dump(group).episodes if "Quixotrel" in e.content]
    receipt = mem.forget_episode(erased.uuid, group_id=group)
    assert receipt.entities_updated == 1
    assert "Quixotrel" not in str(receipt.as_dict())
    assert "Emily Quixotrel" not in mem.entity("Emily Carter", group_id=group).aliases
    for entity in mem.store.dump(group).entities:
        assert not any("quixotrel" in alias.lower() for alias in entity.aliases)
    assert [h for h in mem.search("Quixotrel", group_id=group) if "Quixotrel" in h.text] == []
    assert _current(mem, "Emily Carter", "HAS_JOB_TITLE", group) == {
        "Emily Carter has job title Lead Designer"
    }


def test_a_question_through_the_link_it_names_finds_the_fact_one_hop_away(
    mem: Memory, group: str
) -> None:
    """ "The headquarters of the company Carla works for": Carla has employers (the link the
    question names) but no headquarters; the current employer's headquarters answers."""
    facts = [
        ("Carla", "WORKS_AT", "Brightline", "2021-03-01T00:00:00Z"),
        ("Brightline", "HEADQUARTERED_IN", "Lisbon", "2021-03-02T00:00:00Z"),
        ("Carla", "WORKS_AT", "Quorra Systems", "2024-06-01T00:00:00Z"),
        ("Quorra Systems", "HEADQUARTERED_IN", "Tallinn", "2024-06-02T00:00:00Z"),
    ]
    for subject, relation, obj, at in facts:
        mem.add_fact(subject, relation, obj, valid_at=at, group_id=group)
    question = "In which city is the headquarters of the company Carla works for?"
    now = [h.text for h in mem.search(question, group_id=group, limit=2, kinds=["fact"])]
    assert any("Tallinn" in text for text in now), now
    assert not any("Lisbon" in text for text in now), now
    then = mem.search(
        question, group_id=group, limit=2, kinds=["fact"], as_of="2023-01-01T00:00:00Z"
    )
    assert any("Lisbon" in h.text for h in then), then
