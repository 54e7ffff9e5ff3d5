"""A declarative mapping from the columns of a table to entities and facts.

Example (YAML)::

    source: crm
    kind: change_log                  # or snapshot (each file is the whole table as of its
                                      # time); without it each file is read by its shape
    entity: {key: customer_id, name: company, label: Customer}
    time: {column: updated_at}        # or {valid_from: start, valid_to: end}
    timezone: Europe/Berlin           # zone of timestamps written without one
    attributes:
      - {column: plan, relation: HAS_PLAN, label: Plan}
    references:
      - {column: account_manager, relation: MANAGED_BY, label: Person}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chronomem.errors import MappingError
from chronomem.ingest.sources.problems import describe_validation_error

__all__ = [
    "EntityColumns",
    "RecordMapping",
    "RelationColumn",
    "SourceKind",
    "TimeColumns",
    "relation_phrase",
]

SourceKind = Literal["auto", "change_log", "snapshot"]
"""What a file of a source says. ``change_log``: each row states values as of its time; a
missing row or an empty cell says nothing. ``snapshot``: each file is the whole table as of its
time (its latest record time): a key missing from it, an emptied cell and a value dropped from a
list cell end what held before. ``auto`` (the default): each file by its shape, see
:func:`~chronomem.ingest.snapshot.file_kind`: a file whose rows all carry one record time (two
rows or more, each key once) is an export, a snapshot as of that time; any other file, and every
file of a ``valid_from`` mapping, is a change log."""

RELATION_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
_LABEL_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_VERBS = frozenset(
    {
        *("has", "have", "had", "is", "are", "was", "were", "works", "lives", "uses", "owns"),
        *("belongs", "manages", "likes", "buys", "sells", "pays", "reports", "prefers", "holds"),
        *("contains", "subscribes", "serves", "runs", "leads", "knows"),
    }
)
_PREPOSITIONS = frozenset(
    {"in", "at", "on", "of", "from", "for", "with", "to", "by", "into", "under", "near"}
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _column_name(value: str) -> str:
    if not value.strip():
        raise ValueError("column name is blank; give the column's header as it appears in the data")
    return value


def _label(value: str) -> str:
    if not _LABEL_PATTERN.match(value):
        hint = re.sub(r"[^A-Za-z0-9]+", " ", value).title().replace(" ", "")
        raise ValueError(
            f"label {value!r} must start with a letter and hold only letters, digits and '_'"
            + (f" (e.g. {hint!r})" if hint and _LABEL_PATTERN.match(hint) else "")
        )
    return value


class EntityColumns(_Frozen):
    """Which column identifies a record's entity, which names it, and its label."""

    key: str
    name: str | None = Field(default=None, description="defaults to the key column")
    label: str

    @field_validator("key", "name")
    @classmethod
    def _columns(cls, value: str | None) -> str | None:
        return _check_optional(value)

    @field_validator("label")
    @classmethod
    def _labels(cls, value: str) -> str:
        return _label(value)

    @property
    def name_column(self) -> str:
        """The column holding the entity's display name."""
        return self.name or self.key


class TimeColumns(_Frozen):
    """When a record holds: one ``column`` (record time) or ``valid_from`` [+ ``valid_to``]."""

    column: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None

    @field_validator("column", "valid_from", "valid_to")
    @classmethod
    def _columns(cls, value: str | None) -> str | None:
        return _check_optional(value)

    @model_validator(mode="after")
    def _one_kind(self) -> TimeColumns:
        if self.column is not None and (self.valid_from or self.valid_to):
            raise ValueError(
                "give either 'column' (the record time) or 'valid_from'/'valid_to', not both"
            )
        if self.column is None and self.valid_from is None:
            raise ValueError(
                "give 'column' (the record time) or 'valid_from' (and optionally 'valid_to')"
            )
        return self

    @property
    def start_column(self) -> str:
        """The column whose value is the record time (``column`` or ``valid_from``)."""
        return self.column or self.valid_from or ""


class RelationColumn(_Frozen):
    """A column whose value becomes the object of a fact ``entity -[relation]-> value``.

    ``label`` is the value entity's type (Plan, Person...). ``functional``: the entity has
    one value at a time, so a new value ends the old one. ``phrase`` words the fact text
    ("is managed by"; derived from the relation by default). ``separator`` splits a cell
    into several values (for non-functional relations, e.g. tags "a;b").
    """

    column: str
    relation: str
    label: str
    functional: bool = True
    phrase: str | None = None
    separator: str | None = None

    @field_validator("column")
    @classmethod
    def _columns(cls, value: str) -> str:
        return _column_name(value)

    @field_validator("label")
    @classmethod
    def _labels(cls, value: str) -> str:
        return _label(value)

    @field_validator("relation")
    @classmethod
    def _relation_name(cls, value: str) -> str:
        if not RELATION_PATTERN.match(value):
            hint = re.sub(r"[^A-Za-z0-9]+", "_", value.strip()).strip("_").upper()[:64]
            suggestion = f" (e.g. {hint!r})" if RELATION_PATTERN.match(hint) else ""
            raise ValueError(
                f"relation {value!r} must be UPPER_SNAKE_CASE: a capital letter, then capitals, "
                f"digits or '_', at most 64 characters{suggestion}"
            )
        return value

    @field_validator("separator")
    @classmethod
    def _separator(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("separator is empty; give e.g. ';' or remove it")
        return value

    @model_validator(mode="after")
    def _split_only_multi(self) -> RelationColumn:
        if self.separator is not None and self.functional:
            raise ValueError(
                f"column {self.column!r}: 'separator' splits a cell into several values, which "
                "needs 'functional: false'"
            )
        return self

    def statement(self, subject: str, value: str) -> str:
        """The fact text, e.g. "Acme Ltd has plan Pro"."""
        return f"{subject} {self.phrase or relation_phrase(self.relation)} {value}"


class RecordMapping(_Frozen):
    """How the rows of one table become episodes, entities and candidate facts."""

    source: str = Field(min_length=1, description="the table's name, the episodes' source")
    kind: SourceKind = Field(
        default="auto",
        description="change_log (rows are changes), snapshot (full export) or auto (by shape)",
    )
    entity: EntityColumns
    time: TimeColumns
    timezone: str = Field(default="UTC", description="IANA zone of timestamps without a zone")
    attributes: tuple[RelationColumn, ...] = ()
    references: tuple[RelationColumn, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}; give an IANA name such as 'UTC' or 'Europe/Berlin'"
            ) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RecordMapping:
        if not self.attributes and not self.references:
            raise ValueError("map at least one column under 'attributes' or 'references'")
        functional: dict[str, bool] = {}
        for column in self.relation_columns:
            known = functional.setdefault(column.relation, column.functional)
            if known != column.functional:
                raise ValueError(
                    f"relation {column.relation!r} is declared both functional and not; "
                    "give it the same 'functional' value everywhere"
                )
        return self

    @property
    def relation_columns(self) -> tuple[RelationColumn, ...]:
        """Attributes then references."""
        return self.attributes + self.references

    @property
    def tz(self) -> tzinfo:
        """The zone given to timestamps written without one."""
        return ZoneInfo(self.timezone)

    def columns(self) -> list[str]:
        """Every column the mapping reads, without repeats, in mapping order."""
        names = [self.entity.key, self.entity.name_column, self.time.start_column]
        if self.time.valid_to is not None:
            names.append(self.time.valid_to)
        names.extend(column.column for column in self.relation_columns)
        return list(dict.fromkeys(names))

    def cardinalities(self) -> dict[str, bool]:
        """Relation name -> functional (one value at a time) for every mapped relation."""
        return {column.relation: column.functional for column in self.relation_columns}

    def check_columns(self, available: list[str], origin: str) -> None:
        """Raise :class:`MappingError` if a mapped column is not among ``available``."""
        missing = [name for name in self.columns() if name not in available]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise MappingError(
                f"{origin}: mapping {self.source!r} needs column{plural} "
                f"{', '.join(map(repr, missing))}, which the data does not have; "
                f"its columns are: {', '.join(map(repr, available)) or '(none)'}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "mapping") -> RecordMapping:
        """A mapping from plain data; problems raise :class:`MappingError`."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise MappingError(
                f"{origin}: invalid records mapping: {describe_validation_error(exc)}"
            ) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> RecordMapping:
        """A mapping read from a YAML file; problems raise :class:`MappingError`."""
        file = Path(path)
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise MappingError(f"{file}: no such mapping file; check the path") from None
        except yaml.YAMLError as exc:
            raise MappingError(f"{file}: invalid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise MappingError(f"{file}: a records mapping must be a YAML mapping (key: value)")
        return cls.from_dict(data, origin=str(file))


def relation_phrase(relation: str) -> str:
    """Words for a relation in a fact text: HAS_PLAN "has plan", MANAGED_BY "is managed by",
    STATUS "has status", WORKS_AT "works at"."""
    words = relation.lower().split("_")
    words = [word for word in words if word]
    if words[0] in _VERBS:
        return " ".join(words)
    if words[0] in _PREPOSITIONS or words[0].endswith("ed"):
        return "is " + " ".join(words)
    return "has " + " ".join(words)


def _check_optional(value: str | None) -> str | None:
    return None if value is None else _column_name(value)
