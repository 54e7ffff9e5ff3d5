"""Extraction: candidate entities and facts from episodes.

The default is offline (spaCy + rules); an LLM extractor for any OpenAI-compatible endpoint is
an optional plug-in (``Memory.open(..., extractor=LLMExtractor(LLMExtractorConfig(...)))``).
Importing this package does not import spaCy; the pipeline loads on first use. A
:class:`FunctionExtractor` runs a plain function instead (tests, rules of one's own).
"""

from chronomem.ingest.extract.fake import ExtractFunction, FunctionExtractor, simple_rules
from chronomem.ingest.extract.llm import LLMExtractor, LLMExtractorConfig
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction, Extractor
from chronomem.ingest.extract.spacy_extractor import SpacyExtractor

__all__ = [
    "CandidateFact",
    "EntityMention",
    "ExtractFunction",
    "Extraction",
    "Extractor",
    "FunctionExtractor",
    "LLMExtractor",
    "LLMExtractorConfig",
    "SpacyExtractor",
    "simple_rules",
]
