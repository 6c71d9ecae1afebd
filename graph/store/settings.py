"""Connection settings, listed as data and each documented, and choosing a store.

=================  =========================================  =========
setting            meaning                                    default
=================  =========================================  =========
``NEO4J_URI``      Bolt URI, e.g. ``bolt://localhost:7687``;   (none: in-memory store)
                   unset means the embedded in-memory store
``NEO4J_USER``     user name                                   ``neo4j``
``NEO4J_PASSWORD`` password                                    (empty)
``NEO4J_DATABASE`` database name                               ``neo4j``
``NEO4J_TIMEOUT``  seconds to wait for the server              ``5``
``NEO4J_KEEP_``    seconds aggregates read from the server     ``120``
``SECONDS``        are kept for the next analyses while its
                   write clock stands still (0: read anew;
                   see :mod:`graph.store.keeping`)
``NEO4J_READ_``    reads an analysis may have in flight at    ``2``
``SESSIONS``       once, each on a session of its own (1:
                   one after the other; see
                   :func:`graph.store.reading.side_by_side`)
=================  =========================================  =========

The read-only console's own settings (:data:`CONSOLE_SETTINGS`, :class:`ConsoleSettings`):
its user (a reader role on Neo4j, so the server itself refuses writes), its time limit,
its row and byte caps and how many console queries may run at once in one app process.

Examples
--------
>>> s = Neo4jSettings.from_mapping({"NEO4J_URI": "bolt://127.0.0.1:7687",
...                                 "NEO4J_PASSWORD": "secret"})
>>> s.uri, s.user, s.database, s.keep_seconds, s.read_sessions
('bolt://127.0.0.1:7687', 'neo4j', 'neo4j', 120.0, 2)
>>> "secret" in repr(s)
False
>>> Neo4jSettings.from_mapping({}) is None
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "KEEP_SECONDS",
    "READ_SESSIONS",
    "SETTINGS",
    "CONSOLE_SETTINGS",
    "Neo4jSettings",
    "ConsoleSettings",
]

#: Seconds a server store keeps aggregates between analyses when the environment or the
#: secrets do not say (``NEO4J_KEEP_SECONDS``): as long as the app's cached results live.
KEEP_SECONDS = 120.0

#: Reads an analysis may have in flight on a server at once (``NEO4J_READ_SESSIONS``).
READ_SESSIONS = 2

#: Every setting: name, default, meaning.
SETTINGS = (
    ("NEO4J_URI", None, "Bolt URI of a Neo4j 5 (or Bolt-compatible) server; unset = in-memory"),
    ("NEO4J_USER", "neo4j", "user name"),
    ("NEO4J_PASSWORD", "", "password"),
    ("NEO4J_DATABASE", "neo4j", "database name"),
    ("NEO4J_TIMEOUT", "5", "seconds to wait for the server before giving up"),
    (
        "NEO4J_KEEP_SECONDS",
        f"{KEEP_SECONDS:g}",
        "seconds the app keeps aggregates read from the server (the portfolio, funding sums) "
        "for the next analyses while the server's write clock stands still; 0 = read anew",
    ),
    (
        "NEO4J_READ_SESSIONS",
        str(READ_SESSIONS),
        "reads an analysis may have in flight at once, each on a session of its own "
        "(independent aggregates read side by side); 1 = one after the other",
    ),
)


#: The console's settings: name, default, meaning.
CONSOLE_SETTINGS = (
    (
        "EXPLORER_CONSOLE_USER",
        None,
        "user the console connects as; give it a reader role on Neo4j (unset: the app's own "
        "user, which the console page says)",
    ),
    ("EXPLORER_CONSOLE_PASSWORD", "", "that user's password"),
    ("EXPLORER_CONSOLE_TIMEOUT", "10", "seconds a console query may run, then it is stopped"),
    ("EXPLORER_CONSOLE_LIMIT", "1000", "most rows a console query returns"),
    ("EXPLORER_CONSOLE_MAX_BYTES", "2000000", "most characters of values a console query returns"),
    ("EXPLORER_CONSOLE_SLOTS", "2", "console queries that may run at once in one app process"),
)


@dataclass(frozen=True)
class ConsoleSettings:
    """The read-only console's user, limits and caps (:data:`CONSOLE_SETTINGS`); the
    password never shows in ``repr``.

    >>> c = ConsoleSettings.from_mapping({"EXPLORER_CONSOLE_TIMEOUT": "3"})
    >>> c.timeout, c.limit, c.user is None
    (3.0, 1000, True)
    """

    user: str | None = None
    password: str = field(default="", repr=False)
    timeout: float = 10.0
    limit: int = 1000
    max_bytes: int = 2_000_000
    slots: int = 2

    @classmethod
    def from_mapping(cls, m: Mapping) -> ConsoleSettings:
        """Settings from a mapping of the names in :data:`CONSOLE_SETTINGS`."""
        low = {str(k).upper(): v for k, v in m.items()}
        defaults = {name: default for name, default, _ in CONSOLE_SETTINGS}

        def get(name):
            v = low.get(name)
            return defaults[name] if v in (None, "") else v

        return cls(
            user=get("EXPLORER_CONSOLE_USER") or None,
            password=str(get("EXPLORER_CONSOLE_PASSWORD") or ""),
            timeout=float(get("EXPLORER_CONSOLE_TIMEOUT")),
            limit=int(get("EXPLORER_CONSOLE_LIMIT")),
            max_bytes=int(get("EXPLORER_CONSOLE_MAX_BYTES")),
            slots=max(1, int(get("EXPLORER_CONSOLE_SLOTS"))),
        )

    @classmethod
    def from_env(cls) -> ConsoleSettings:
        """Settings from the environment."""
        return cls.from_mapping({k: v for k, v in os.environ.items() if k.startswith("EXPLORER_")})


@dataclass(frozen=True)
class Neo4jSettings:
    """Where the Neo4j store is. The password never shows in ``repr``."""

    uri: str
    user: str = "neo4j"
    password: str = field(default="", repr=False)
    database: str = "neo4j"
    timeout: float = 5.0
    keep_seconds: float = 0.0
    read_sessions: int = READ_SESSIONS

    @classmethod
    def from_mapping(cls, m: Mapping) -> Neo4jSettings | None:
        """Settings from a mapping of the names in :data:`SETTINGS` (case-insensitive
        ``uri``, ``user``... also work, as in a ``[neo4j]`` secrets section); ``None`` when
        no URI is given."""
        low = {str(k).lower().removeprefix("neo4j_"): v for k, v in m.items()}
        if not low.get("uri"):
            return None
        return cls(
            uri=str(low["uri"]),
            user=str(low.get("user") or "neo4j"),
            password=str(low.get("password") or ""),
            database=str(low.get("database") or "neo4j"),
            timeout=float(low.get("timeout") or 5),
            keep_seconds=float(
                KEEP_SECONDS if low.get("keep_seconds") in (None, "") else low["keep_seconds"]
            ),
            read_sessions=max(1, int(low.get("read_sessions") or READ_SESSIONS)),
        )

    @classmethod
    def from_env(cls) -> Neo4jSettings | None:
        """Settings from the environment, or ``None`` when ``NEO4J_URI`` is unset."""
        return cls.from_mapping({k: v for k, v in os.environ.items() if k.startswith("NEO4J_")})

    def describe(self) -> str:
        """Server and database, without credentials."""
        return f"Neo4j at {self.uri}, database '{self.database}'"
