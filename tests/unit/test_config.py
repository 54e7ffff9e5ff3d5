"""Configuration is a frozen model; the environment is read in one place."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chronomem.config import MemoryConfig, config_from_env


def test_config_is_frozen() -> None:
    config = MemoryConfig()
    with pytest.raises(ValidationError):
        config.batch_size = 3  # type: ignore[misc]


def test_config_from_env_reads_only_known_variables() -> None:
    config = config_from_env(
        {"CHRONOMEM_BATCH_SIZE": "32", "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "pw", "X": "y"}
    )
    assert config.batch_size == 32
    assert config.neo4j_auth == ("neo4j", "pw")
    assert config_from_env({}).neo4j_auth is None


def test_search_workers_come_from_the_environment_and_are_bounded() -> None:
    assert config_from_env({}).search_workers == 4
    assert config_from_env({"CHRONOMEM_SEARCH_WORKERS": "0"}).search_workers == 0
    with pytest.raises(ValidationError):
        config_from_env({"CHRONOMEM_SEARCH_WORKERS": "-1"})


def test_episode_vectors_are_on_unless_switched_off() -> None:
    assert config_from_env({}).episode_vectors
    assert config_from_env({"CHRONOMEM_EPISODE_VECTORS": "1"}).episode_vectors
    assert not config_from_env({"CHRONOMEM_EPISODE_VECTORS": "off"}).episode_vectors
    assert not config_from_env({"CHRONOMEM_EPISODE_VECTORS": "0"}).episode_vectors
