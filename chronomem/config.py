"""Configuration: a frozen model passed explicitly. The environment is read here and only here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from chronomem.schema.limits import TEXT_MAX_CHARS

__all__ = [
    "API_KEY_VARIABLE",
    "DEFAULT_SEARCH_WORKERS",
    "MemoryConfig",
    "api_key_from_env",
    "config_from_env",
]

DEFAULT_SEARCH_WORKERS: Final = 4
"""Threads running the candidate generators of one search, unless configured."""

NEO4J_PASSWORD_VARIABLE: Final = "NEO4J_PASSWORD"
"""The variable holding a Neo4j user's password (never given as a command-line option)."""

API_KEY_VARIABLE: Final = "CHRONOMEM_API_KEY"
"""The variable holding the API key a stdio MCP session of ``chronomem serve`` acts for."""


class MemoryConfig(BaseModel):
    """Settings of a :class:`chronomem.Memory`.

    ``batch_size``: episodes extracted, resolved and written per transaction.
    ``functional_relations``: relation -> functional? overrides of the default registry.
    ``neo4j_auth``: user and password for a Neo4j store (``None``: auth disabled).
    ``search_workers``: threads running the candidate generators of one search side by side
    (0 or 1: one after another in the caller's thread).
    ``episode_vectors``: embed every dialogue turn and text (not records) so search can find
    turns by meaning; ``False`` ingests dialogue faster (one embedding per turn fewer) and
    search finds turns by full text, their facts and their neighbours only, with lower recall
    (both measured in docs/benchmarks.md).
    ``vocabulary``: files of relations, categories and frames merged over the built-in relation
    vocabulary (docs/temporal.md, "The relation vocabulary"); also ``CHRONOMEM_VOCABULARY``
    (paths separated by the platform's path separator).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    batch_size: int = Field(default=256, ge=1, le=10_000)
    functional_relations: Mapping[str, bool] = Field(default_factory=dict)
    neo4j_auth: tuple[str, str] | None = None
    neo4j_database: str | None = None
    max_turn_chars: int = Field(
        default=20_000,
        ge=100,
        le=TEXT_MAX_CHARS,
        description="longer turns are rejected with a clear error",
    )
    search_workers: int = Field(default=DEFAULT_SEARCH_WORKERS, ge=0, le=64)
    episode_vectors: bool = True
    vocabulary: tuple[str, ...] = ()


def config_from_env(environ: Mapping[str, str] | None = None) -> MemoryConfig:
    """A config from ``CHRONOMEM_*`` and ``NEO4J_USER``/``NEO4J_PASSWORD`` variables."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if "CHRONOMEM_BATCH_SIZE" in env:
        values["batch_size"] = int(env["CHRONOMEM_BATCH_SIZE"])
    if "CHRONOMEM_SEARCH_WORKERS" in env:
        values["search_workers"] = int(env["CHRONOMEM_SEARCH_WORKERS"])
    if "CHRONOMEM_EPISODE_VECTORS" in env:
        flag = env["CHRONOMEM_EPISODE_VECTORS"].strip().lower()
        values["episode_vectors"] = flag not in ("0", "false", "no", "off")
    if env.get("CHRONOMEM_VOCABULARY"):
        values["vocabulary"] = tuple(
            p for p in env["CHRONOMEM_VOCABULARY"].split(os.pathsep) if p.strip()
        )
    if env.get("NEO4J_USER") and env.get(NEO4J_PASSWORD_VARIABLE):
        values["neo4j_auth"] = (env["NEO4J_USER"], env[NEO4J_PASSWORD_VARIABLE])
    if env.get("NEO4J_DATABASE"):
        values["neo4j_database"] = env["NEO4J_DATABASE"]
    return MemoryConfig.model_validate(values)


def api_key_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The API key in :data:`API_KEY_VARIABLE`, if one is set."""
    env = os.environ if environ is None else environ
    return env.get(API_KEY_VARIABLE) or None
