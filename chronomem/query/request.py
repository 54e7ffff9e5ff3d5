"""What a search asks for: the query text, its scope, its filters and the recipe to use."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chronomem.engine.store.protocol import FactFilter
from chronomem.language.grounding import ground_first_person
from chronomem.query.recipes import DEFAULT as DEFAULT_RECIPE
from chronomem.schema import (
    DEFAULT_GROUP,
    GROUP_ID_PATTERN,
    NAME_MAX_CHARS,
    AwareTime,
    ResultKind,
    length_problem,
)

__all__ = ["MAX_QUERY_CHARS", "MAX_SEARCH_TEXT_CHARS", "SearchRequest"]

#: Longer query texts are cut to this many characters before they are searched.
MAX_QUERY_CHARS: Final = 2_000
#: The query as searched, with the speaker's name for their "I", is cut to this many
#: characters: a query of many "I"s must not multiply into megabytes.
MAX_SEARCH_TEXT_CHARS: Final = 2 * MAX_QUERY_CHARS


class SearchRequest(BaseModel):
    """One search. Every field but ``query`` is optional.

    - ``group_id``: the tenant searched; nothing of another group is ever returned.
    - ``as_of``: valid time: only facts that held at that instant (and episodes that had
      happened by then). ``known_at``: transaction time: what the memory believed then.
    - ``valid_from``/``valid_to``: only facts whose validity overlaps ``[valid_from, valid_to)``
      (and episodes that happened in it).
    - ``labels``: only entities carrying one of these labels, and facts with such an entity at
      one end. ``relations``: only facts with one of these relations.
    - ``centre``: an entity name or uuid; results near it in the graph rank higher.
    - ``kinds``: which result kinds to return (default: the recipe's).
    - ``recipe``: the name of a search recipe (see :mod:`chronomem.query.recipes`).
    - ``speaker``: who asks. Their first person in the query ("Where do I live?") means them,
      and is searched as their name, the way their turns are embedded
      (:func:`~chronomem.language.grounding.ground_first_person`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    query: str
    group_id: str = Field(default=DEFAULT_GROUP, pattern=GROUP_ID_PATTERN)
    limit: int = Field(default=10, ge=1, le=1_000)
    as_of: AwareTime | None = None
    known_at: AwareTime | None = None
    valid_from: AwareTime | None = None
    valid_to: AwareTime | None = None
    labels: tuple[str, ...] | None = None
    relations: tuple[str, ...] | None = None
    centre: str | None = None
    kinds: tuple[ResultKind, ...] | None = None
    recipe: str = DEFAULT_RECIPE.name
    speaker: str | None = None

    @field_validator("query")
    @classmethod
    def _clean_query(cls, value: str) -> str:
        # Control characters (NUL included) carry no meaning in a query and upset some backends.
        cleaned = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in value)
        return " ".join(cleaned.split())[:MAX_QUERY_CHARS]

    @property
    def search_text(self) -> str:
        """The query as searched: with ``speaker``, its first person replaced by their name."""
        if self.speaker is None:
            return self.query
        return ground_first_person(self.query, self.speaker)[:MAX_SEARCH_TEXT_CHARS]

    @field_validator("relations")
    @classmethod
    def _upper_relations(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        return tuple(dict.fromkeys(r.strip().upper().replace(" ", "_") for r in value if r))

    @field_validator("labels", "kinds")
    @classmethod
    def _dedupe(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(dict.fromkeys(value))

    @field_validator("centre", "speaker")
    @classmethod
    def _blank_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # checked before anything else reads it: a speaker replaces every "I" of the query
        problem = length_problem(value, NAME_MAX_CHARS)
        if problem is not None:
            raise ValueError(problem)
        return " ".join(value.split()) or None

    @model_validator(mode="after")
    def _check_range(self) -> SearchRequest:
        if (
            self.valid_from is not None
            and self.valid_to is not None
            and self.valid_from >= self.valid_to
        ):
            raise ValueError(
                f"valid_from ({self.valid_from.isoformat()}) must be before valid_to "
                f"({self.valid_to.isoformat()})"
            )
        return self

    def fact_filter(self) -> FactFilter:
        """The store filter for fact reads of this request."""
        return FactFilter(
            as_of=self.as_of,
            known_at=self.known_at,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            relations=self.relations,
        )

    def episode_allowed(self, reference_time: datetime, created_at: datetime) -> bool:
        """Whether an episode passes the time filters (it must have happened, and be known)."""
        if self.as_of is not None and reference_time > self.as_of:
            return False
        if self.known_at is not None and created_at > self.known_at:
            return False
        if self.valid_from is not None and reference_time < self.valid_from:
            return False
        return self.valid_to is None or reference_time < self.valid_to
