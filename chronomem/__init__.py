"""chronomem: a temporal knowledge-graph memory engine for LLM agents.

>>> from chronomem import Memory
>>> mem = Memory.open("./memory")                   # embedded; or "neo4j://127.0.0.1:7687"
>>> mem.add_dialogue(turns, group_id="user-42")     # turns: speaker, text, time
>>> mem.search("Where does Alice work?", group_id="user-42", as_of="2024-06-01")
"""

from chronomem.async_memory import AsyncMemory
from chronomem.client import AsyncClient, Client, RemoteError
from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.inmemory import InMemoryStore
from chronomem.engine.temporal import RelationRegistry
from chronomem.errors import (
    ChronomemError,
    ConfigurationError,
    ExtractionError,
    InputError,
    IntegrityError,
    LimitError,
    MappingError,
    MemoryLockedError,
    NotFoundError,
    SourceFormatError,
    StoreError,
    StoreUnavailableError,
    TimeError,
)
from chronomem.ingest.extract import FunctionExtractor, LLMExtractor, LLMExtractorConfig
from chronomem.ingest.pipeline import IngestReport
from chronomem.ingest.sources import RecordMapping, Turn
from chronomem.memory import Memory
from chronomem.plots import plot_timeline
from chronomem.query import personalised_pagerank
from chronomem.schema import Entity, Episode, Fact, Profile, ProfileEntry, SearchResult, Stats

__version__ = "0.1.0"

__all__ = [
    "AsyncClient",
    "AsyncMemory",
    "ChronomemError",
    "Client",
    "ConfigurationError",
    "Entity",
    "Episode",
    "ExtractionError",
    "Fact",
    "FunctionExtractor",
    "HashingEmbedder",
    "InMemoryStore",
    "IngestReport",
    "InputError",
    "IntegrityError",
    "LLMExtractor",
    "LLMExtractorConfig",
    "LimitError",
    "MappingError",
    "Memory",
    "MemoryConfig",
    "MemoryLockedError",
    "NotFoundError",
    "Profile",
    "ProfileEntry",
    "RecordMapping",
    "RelationRegistry",
    "RemoteError",
    "SearchResult",
    "SourceFormatError",
    "Stats",
    "StoreError",
    "StoreUnavailableError",
    "TimeError",
    "Turn",
    "__version__",
    "personalised_pagerank",
    "plot_timeline",
]
