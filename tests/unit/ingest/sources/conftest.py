"""Shared fixtures of the source tests: where the hand-made fixture files live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources"
REPO = Path(__file__).resolve().parents[4]
LOCOMO_DEV = Path(
    os.environ.get("CHRONOMEM_LOCOMO_DEV", "/work/shared/data/locomo/locomo_dev.json")
)


@pytest.fixture
def fixtures() -> Path:
    """The folder of hand-made source fixtures."""
    return FIXTURES
