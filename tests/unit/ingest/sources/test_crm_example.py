"""The shipped CRM example: its mapping fits its data and tells the documented stories."""

from __future__ import annotations

from collections import Counter

from chronomem.ingest.sources import RecordMapping, read_records, records_to_candidates

from .conftest import REPO

CRM = REPO / "examples" / "crm"


def test_example_loads_and_has_the_documented_shape() -> None:
    mapping = RecordMapping.from_yaml(CRM / "mapping.yaml")
    records = read_records(CRM / "customers.csv", mapping)
    assert 40 <= len(records) <= 80
    assert len({r.key for r in records}) == 12
    span = records[-1].time - records[0].time
    assert 600 <= span.days <= 750
    assert all(mapping.cardinalities().values())


def test_example_changes_plans_and_managers_and_has_one_churn() -> None:
    mapping = RecordMapping.from_yaml(CRM / "mapping.yaml")
    pairs = records_to_candidates(CRM / "customers.csv", mapping, group_id="crm")
    facts = [f for _, extraction in pairs for f in extraction.facts]
    plans = [
        f.object.name
        for f in facts
        if f.subject.name == "Brightwater Analytics" and f.relation == "HAS_PLAN"
    ]
    assert list(dict.fromkeys(plans)) == ["Starter", "Pro", "Enterprise"]
    managers: dict[str, set[str]] = {}
    for f in facts:
        if f.relation == "MANAGED_BY":
            managers.setdefault(f.subject.name, set()).add(f.object.name)
    assert sum(len(names) > 1 for names in managers.values()) >= 5
    churned = Counter(
        f.subject.name for f in facts if f.relation == "HAS_STATUS" and f.object.name == "churned"
    )
    assert list(churned) == ["Corvid Games"]
