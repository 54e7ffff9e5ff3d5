"""Root conftest: registers the Neo4j fixtures plugin (plugins must be declared at the root)."""

pytest_plugins = ["tests.neo4j_server"]
