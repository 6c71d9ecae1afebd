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
