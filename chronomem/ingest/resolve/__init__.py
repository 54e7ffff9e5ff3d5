"""Entity resolution: mentions from extraction become the group's stored entities.

See :mod:`chronomem.ingest.resolve.resolver` for the rules.
"""

from chronomem.ingest.resolve.names import SPEAKER_LABEL, clean_name, label_family, name_key
from chronomem.ingest.resolve.resolver import EntityResolver, Resolution

__all__ = [
    "SPEAKER_LABEL",
    "EntityResolver",
    "Resolution",
    "clean_name",
    "label_family",
    "name_key",
]
