"""Benchmarks that are not part of the library: run them from the repository root with
``.venv/bin/python -m benchmarks.<name> --help``. Figures and the commands that made them are in
docs/benchmarks.md. (``chronomem bench locomo`` is the one benchmark the CLI ships;
``python -m chronomem.bench neo4j-scale`` is chronomem's search on Neo4j at scale, beside
graphiti-core's.)

- :mod:`benchmarks.scale`: search latency against store size (synthetic facts, to 1M).
- :mod:`benchmarks.soak`: ingest and search at once for minutes, memory and errors watched.
- :mod:`benchmarks.storecalls`: every store call of a search, counted and timed.
- :mod:`benchmarks.embedded_store`: the embedded store's full-text and vector primitives.
- :mod:`benchmarks.extraction`: an extractor's throughput on a dialogue file.
- :mod:`benchmarks.graphiti_latency`: chronomem's and graphiti-core's search on one Neo4j graph
  (with :mod:`chronomem.bench.graphiti`, graphiti-core offline).
"""
