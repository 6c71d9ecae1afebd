"""Shared pytest fixtures.

``bolt`` gives the connection settings of a real Bolt server: the one named by ``NEO4J_URI``
(and ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) when that is set, otherwise an
ArcadeDB server started once per test session from the installed ``arcadedb-embedded`` wheel.
Nothing here skips: if the server cannot be started, every test that uses it errors with the
reason and the tail of the server log.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.store.neo4j import Neo4jStore
from graph.store.settings import Neo4jSettings
from tests.bolt_server import BoltServer, BoltSettings, bolt_settings_from_env


@pytest.fixture(scope="session")
def bolt() -> Iterator[BoltSettings]:
    """Connection settings of the session's Bolt server.

    Yields
    ------
    BoltSettings
        ``uri``, ``user``, ``password`` and ``database`` of the server.
    """
    from_env = bolt_settings_from_env()
    if from_env is not None:
        yield BoltSettings(*from_env)
        return
    with BoltServer() as server:
        yield server.settings()


def neo_settings(bolt: BoltSettings, **overrides) -> Neo4jSettings:
    """The project's store settings for the session's Bolt server (``overrides`` win)."""
    values = dict(
        uri=bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database, timeout=10
    )
    values.update(overrides)
    return Neo4jSettings(**values)


@pytest.fixture
def neo(bolt) -> Iterator[Neo4jStore]:
    """An empty :class:`~graph.store.neo4j.Neo4jStore` on the session's Bolt server, emptied
    again afterwards."""
    store = Neo4jStore(neo_settings(bolt))
    store.clear()
    yield store
    store.clear()
    store.close()


@pytest.fixture(params=["memory", "neo4j"])
def either_store(request):
    """Each store in turn, empty: the embedded store, then the session's Bolt server."""
    if request.param == "memory":
        from graph.store.memory import MemoryStore

        yield MemoryStore()
    else:
        yield request.getfixturevalue("neo")
