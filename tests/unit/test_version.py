"""The version is written once, in ``chronomem/__init__.py``; the package metadata reads it."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import chronomem

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_takes_the_version_from_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"]
    assert "version" in config["project"]["dynamic"]
    dynamic = config["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "chronomem.__version__"}


def test_the_installed_metadata_has_the_package_version() -> None:
    assert importlib.metadata.version("chronomem") == chronomem.__version__
