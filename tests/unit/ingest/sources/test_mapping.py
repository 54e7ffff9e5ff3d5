"""RecordMapping: loading, validation messages, cardinalities and fact wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chronomem.errors import MappingError
from chronomem.ingest.sources import RecordMapping, relation_phrase


def base(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "crm",
        "entity": {"key": "id", "name": "company", "label": "Customer"},
        "time": {"column": "updated_at"},
        "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
        "references": [
            {"column": "am", "relation": "MANAGED_BY", "label": "Person", "functional": True}
        ],
    }
    data.update(changes)
    return data


def test_loads_from_yaml(fixtures: Path) -> None:
    mapping = RecordMapping.from_yaml(fixtures / "accounts_mapping.yaml")
    assert mapping.source == "accounts"
    assert mapping.entity.name_column == "company"
    assert mapping.timezone == "Europe/Berlin"
    assert mapping.columns() == ["account_id", "company", "updated_at", "plan", "tags", "manager"]
    assert mapping.cardinalities() == {"HAS_PLAN": True, "HAS_TAG": False, "MANAGED_BY": True}


def test_mapping_is_frozen() -> None:
    mapping = RecordMapping.from_dict(base())
    with pytest.raises(ValueError, match="frozen"):
        mapping.source = "other"  # type: ignore[misc]


def test_defaults_name_to_key_and_zone_to_utc() -> None:
    mapping = RecordMapping.from_dict(base(entity={"key": "id", "label": "Customer"}))
    assert mapping.entity.name_column == "id"
    assert mapping.timezone == "UTC"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"attributes": [{"column": "plan", "relation": "has plan", "label": "Plan"}]},
            "relation 'has plan' must be UPPER_SNAKE_CASE.*e.g. 'HAS_PLAN'",
        ),
        (
            {"attributes": [{"column": "plan", "relation": "1PLAN", "label": "Plan"}]},
            "relation '1PLAN' must be UPPER_SNAKE_CASE",
        ),
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"time": {}}, "give 'column'"),
        ({"time": {"column": "t", "valid_from": "f"}}, "not both"),
        ({"time": {"valid_to": "end"}}, "give 'column'"),
        ({"attributes": [], "references": []}, "at least one column"),
        ({"entity": {"key": " ", "label": "Customer"}}, "column name is blank"),
        ({"entity": {"key": "id", "label": "Key Account"}}, "e.g. 'KeyAccount'"),
        ({"colour": "red"}, "colour"),
        (
            {
                "attributes": [
                    {"column": "a", "relation": "HAS_X", "label": "X"},
                    {"column": "b", "relation": "HAS_X", "label": "X", "functional": False},
                ]
            },
            "both functional and not",
        ),
        (
            {
                "attributes": [
                    {"column": "t", "relation": "HAS_TAG", "label": "T", "separator": ";"}
                ]
            },
            "needs 'functional: false'",
        ),
    ],
)
def test_invalid_mappings_explain_the_fix(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        RecordMapping.from_dict(base(**changes))


def test_yaml_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("source: crm\nentity: [oops\n", encoding="utf-8")
    with pytest.raises(MappingError, match=rf"{path}: invalid YAML"):
        RecordMapping.from_yaml(path)
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(MappingError, match=rf"{path}: a records mapping must be"):
        RecordMapping.from_yaml(path)
    path.write_text("source: crm\n", encoding="utf-8")
    with pytest.raises(MappingError, match=rf"{path}: invalid records mapping: entity"):
        RecordMapping.from_yaml(path)
    with pytest.raises(MappingError, match="no such mapping file"):
        RecordMapping.from_yaml(tmp_path / "absent.yaml")


def test_missing_columns_are_named_with_the_columns_that_exist() -> None:
    mapping = RecordMapping.from_dict(base())
    with pytest.raises(MappingError) as info:
        mapping.check_columns(["id", "company", "updated_at", "plan"], "crm.csv")
    message = str(info.value)
    assert message.startswith("crm.csv: mapping 'crm' needs column 'am'")
    assert "'id', 'company', 'updated_at', 'plan'" in message


@pytest.mark.parametrize(
    ("relation", "words"),
    [
        ("HAS_PLAN", "has plan"),
        ("MANAGED_BY", "is managed by"),
        ("LOCATED_IN", "is located in"),
        ("IN_INDUSTRY", "is in industry"),
        ("WORKS_AT", "works at"),
        ("STATUS", "has status"),
    ],
)
def test_relation_phrases(relation: str, words: str) -> None:
    assert relation_phrase(relation) == words


def test_an_explicit_phrase_words_the_fact() -> None:
    mapping = RecordMapping.from_dict(
        base(
            references=[
                {
                    "column": "am",
                    "relation": "AM",
                    "label": "Person",
                    "phrase": "is looked after by",
                }
            ]
        )
    )
    assert mapping.references[0].statement("Acme", "Dana") == "Acme is looked after by Dana"
