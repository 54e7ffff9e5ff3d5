"""Offline extraction: candidate entities and facts from episodes (spaCy + rules).

Importing this package does not import spaCy; the pipeline loads on first use.
"""

from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction, Extractor
from chronomem.ingest.extract.spacy_extractor import SpacyExtractor

__all__ = ["CandidateFact", "EntityMention", "Extraction", "Extractor", "SpacyExtractor"]
