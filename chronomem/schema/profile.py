"""An entity's profile: the value each of its one-value relations holds, and since when.

A profile is derived, never stated: :mod:`chronomem.engine.profile` computes it from the
bi-temporal fact rows (now, or at any ``as_of``/``known_at``), and its one-line text is kept as
:attr:`~chronomem.schema.Entity.summary`. ``Alice: lives in Bristol (since 2024-03-01); works
at Google (since 2023-01-05)``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chronomem.schema.models import GROUP_ID_PATTERN
from chronomem.schema.time import AwareTime

__all__ = ["Profile", "ProfileEntry"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProfileEntry(_Model):
    """The value of one relation: the fact row that holds it, and when it became true."""

    relation: str
    value: str = Field(description="the object's name")
    value_uuid: str
    since: AwareTime | None = Field(description="when it became true (valid time); None: unknown")
    until: AwareTime | None = Field(
        default=None, description="when it is known to stop (valid time), if it is"
    )
    fact: str = Field(description="the statement behind it")
    fact_uuid: str
    sources: list[str] = Field(default_factory=list)

    def text(self) -> str:
        """``lives in Bristol (since 2024-03-01)``: the relation's name in lower case (a label,
        not a sentence: ``PARTNER_OF`` reads "partner of"), the value, the start if known."""
        since = f" (since {self.since.date().isoformat()})" if self.since is not None else ""
        return f"{self.relation.lower().replace('_', ' ')} {self.value}{since}"


class Profile(_Model):
    """The value each one-value relation of an entity holds at one time (valid time ``as_of``,
    or now; transaction time ``known_at``, or what the memory believes now), with the date it
    became true. Relations with no value then are left out."""

    entity: str = Field(description="the entity's name")
    entity_uuid: str
    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    as_of: AwareTime | None = None
    known_at: AwareTime | None = None
    entries: list[ProfileEntry] = Field(default_factory=list)

    def text(self) -> str:
        """The entries on one line (the entity's summary): ``lives in Bristol (since
        2024-03-01); works at Google (since 2023-01-05)``; "" when there are none."""
        return "; ".join(entry.text() for entry in self.entries)

    def get(self, relation: str) -> ProfileEntry | None:
        """The entry of ``relation`` (any case), or None."""
        wanted = relation.upper()
        return next((e for e in self.entries if e.relation == wanted), None)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON shape of the CLI's ``--json`` output."""
        return self.model_dump(mode="json")
