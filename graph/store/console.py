"""A read-only Cypher console for staff: three layers of defence, a time limit that stops
the work on the server, and capped results.

A READ transaction is not enough on every server (ArcadeDB runs a write inside one), and a
text guard alone cannot match a server's lexer, so a query must pass all three:

1. **The server's own rules.** The console connects as its own user
   (``EXPLORER_CONSOLE_USER``, :class:`~graph.store.settings.ConsoleSettings`): on Neo4j give
   it the ``reader`` role, and the server itself refuses any write. Queries run in a READ
   session, in a transaction that is always rolled back.
2. **The server's own parser.** Before a query runs, the console asks the server for its
   plan (``EXPLAIN``) and refuses any step that writes, reads a file or calls a procedure
   not on the list (:func:`graph.store.guard.plan_refusal`); on a server whose query types
   can be trusted (Neo4j: ``EXPLAIN RETURN 1`` is read-only, ``r``), anything but a read.
3. **The text guard** (:func:`graph.store.guard.check_query`): a Cypher lexer that ends
   comments on every line terminator the server accepts and compares names with whitespace
   removed.

**Time.** The transaction carries the time limit (Neo4j enforces it) and the query a tag
of its own (a leading comment). Past the limit the console finds its transaction on the
server (``SHOW TRANSACTIONS``) and ends it (``TERMINATE TRANSACTIONS``: Neo4j 5 and
ArcadeDB both run these, and a user may end its own), then closes its connection, so the
server stops working on it and the thread waiting for it ends. Operators should also set
the server's own limit (``db.transaction.timeout`` on Neo4j, ``arcadedb.command.timeout``
on ArcadeDB; see the README).

**Load.** Each query gets a driver of its own (so an abandoned query never holds the app's
connections), at most ``EXPLORER_CONSOLE_SLOTS`` run at once in one process, and results
stop at a number of rows and of characters, with each value cut at
:data:`MAX_VALUE_CHARS`.

Examples
--------
>>> check_query("MATCH (o:Organization) RETURN o.name LIMIT 5")
'MATCH (o:Organization) RETURN o.name LIMIT 5'
>>> cut("x" * 20, 8)
'xxxxxxxx… (cut at 8 characters)'
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import secrets
import threading
import time
from dataclasses import dataclass

import pandas as pd

from graph.errors import QueryRefused, StoreError
from graph.store import cypher
from graph.store.guard import (
    ALLOWED_PROCEDURES,
    check_query,
    plan_refusal,
    plan_steps,
    tokens,
)
from graph.store.settings import ConsoleSettings
from graph.text import plural

__all__ = [
    "EXAMPLES",
    "ALLOWED_PROCEDURES",
    "MAX_VALUE_CHARS",
    "ConsoleResult",
    "check_query",
    "cut",
    "run_read_only",
    "busy",
]

#: Example queries the read-only console offers (typed by the user, not sent by the project:
#: the project's own statements are in :mod:`graph.store.cypher`).
EXAMPLES = {
    "Organizations by sector": (
        "MATCH (o:Organization)\nRETURN o.sector AS sector, count(*) AS organizations\n"
        "ORDER BY organizations DESC"
    ),
    "Known funding by donor": (
        "MATCH (d:Organization)-[f:FUNDS]->(:Organization)\nWHERE f.amount_usd IS NOT NULL\n"
        "RETURN d.name AS donor, sum(f.amount_usd) AS usd, count(f) AS flows\nORDER BY usd DESC"
    ),
    "Partners of projects in a country": (
        "MATCH (o:Organization)-[p:PARTNER_IN]->(pr:Project)-[:TARGETS]->(c:Country {id: 'KAZ'})\n"
        "RETURN pr.title AS project, o.name AS partner, p.role AS role\nORDER BY project, partner"
    ),
    "Who works with whom (shared projects)": (
        "MATCH (a:Organization)-[:PARTNER_IN]->(p:Project)<-[:PARTNER_IN]-(b:Organization)\n"
        "WHERE a.id < b.id\nRETURN a.name AS organization, b.name AS with, count(p) AS projects\n"
        "ORDER BY projects DESC LIMIT 50"
    ),
    "Events by country": (
        "MATCH (e:Event)-[:HELD_IN]->(c:Country)\n"
        "RETURN c.name AS country, count(e) AS events ORDER BY events DESC"
    ),
    "Labels in the database": "CALL db.labels() YIELD label RETURN label ORDER BY label",
}
#: The longest text one value of a result shows.
MAX_VALUE_CHARS = 10_000
#: The comment that tags a console query, so the console can find it on the server.
TAG = "explorer-console"


@dataclass
class ConsoleResult:
    """What a console query returned."""

    table: pd.DataFrame
    truncated: bool
    seconds: float
    limit: int
    reason: str = ""

    @property
    def message(self) -> str:
        """One line: rows, cap, time."""
        n = len(self.table)
        text = f"{plural(n, 'row')} in {self.seconds:.2f} s"
        if self.truncated:
            text += f"; {self.reason or f'stopped at the cap of {self.limit:,} rows'}"
            text += " (add LIMIT or narrow the query)"
        return text


def cut(text: str, n: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut at ``n`` characters, saying so."""
    return text if len(text) <= n else f"{text[:n]}… (cut at {n:,} characters)"


def _plain(v):
    """A value from the driver as something a table shows (long text cut)."""
    if v is None or isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, str):
        return cut(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v[:1000]]
    return cut(str(v))


def _size(v) -> int:
    """About how many characters ``v`` shows as."""
    if isinstance(v, str):
        return len(v)
    if isinstance(v, dict):
        return sum(len(str(k)) + _size(x) for k, x in v.items())
    if isinstance(v, list):
        return sum(_size(x) for x in v) + len(v)
    return 8


# ------------------------------------------------------------------------ the slots

_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _slots(n: int) -> threading.BoundedSemaphore:
    with _SLOTS_LOCK:
        if n not in _SLOTS:
            _SLOTS[n] = threading.BoundedSemaphore(n)
        return _SLOTS[n]


def busy(settings: ConsoleSettings | None = None) -> bool:
    """Whether every console slot of this process is taken."""
    s = settings or ConsoleSettings.from_env()
    slot = _slots(s.slots)
    if slot.acquire(blocking=False):
        slot.release()
        return False
    return True


# ------------------------------------------------------------------------ the server


def _trusts_query_types(session) -> bool:
    """Whether the server's query types can be believed: ``EXPLAIN RETURN 1`` is a read
    (``r``) on Neo4j; ArcadeDB calls every plan a write."""
    summary = session.run("EXPLAIN RETURN 1").consume()
    return str(getattr(summary, "query_type", "") or "") == "r"


def _body(query: str) -> str:
    """The query without a leading ``EXPLAIN`` or ``PROFILE`` (what the plan check asks the
    server about)."""
    toks = tokens(query)
    if len(toks) > 1 and toks[0].kind == "word" and toks[0].text.upper() in ("EXPLAIN", "PROFILE"):
        return query[toks[1].at :]
    return query


def _check_plan(session, query: str) -> bool:
    """Ask the server for the plan of ``query`` and refuse what it shows; return whether the
    server's query types can be trusted."""
    trusted = _trusts_query_types(session)
    summary = session.run("EXPLAIN " + _body(query)).consume()
    qtype = str(getattr(summary, "query_type", "") or "")
    if trusted and qtype != "r":
        raise QueryRefused(
            f"refused: the server's parser says this query is not read-only (type {qtype!r})"
        )
    why = plan_refusal(plan_steps(getattr(summary, "plan", None)))
    if why:
        raise QueryRefused(why)
    return trusted


def _read_rows(tx, query, params, s: ConsoleSettings, trusted: bool):
    """Run ``query`` in ``tx``: the keys, the rows as plain values, whether rows were left
    unread and why; refused when the server says it wrote."""
    result = tx.run(query, params or {})
    keys = list(result.keys())
    rows, size, reason = [], 0, ""
    for rec in result:
        if len(rows) >= s.limit:
            reason = f"stopped at the cap of {s.limit:,} rows"
            break
        row = [_plain(v) for v in rec.values()]
        size += sum(_size(v) for v in row)
        if size > s.max_bytes:
            reason = f"stopped at the cap of {s.max_bytes:,} characters of values"
            break
        rows.append(row)
    summary = result.consume()
    qtype = str(getattr(summary, "query_type", "") or "")
    counters = getattr(summary, "counters", None)
    if (trusted and "w" in qtype) or (counters is not None and counters.contains_updates):
        raise QueryRefused("refused: the server reports that this query writes; it was rolled back")
    return keys, rows, reason


def _terminate(driver, database: str, tag: str) -> int:
    """End the console's tagged transactions on the server; how many were found."""
    with driver.session(database=database) as session:
        ids = [
            r["transactionId"]
            for r in session.run(cypher.CONSOLE_TRANSACTIONS, tag=tag)
            if r["transactionId"]
        ]
        if ids:
            session.run(cypher.TERMINATE_TRANSACTIONS, ids=ids).consume()
    return len(ids)


def _refusal(e, timeout: float) -> QueryRefused:
    """The console's word for a server error."""
    code = getattr(e, "code", "") or ""
    msg = getattr(e, "message", None) or str(e)
    low = msg.lower()
    if "Timeout" in code or "timed out" in low or "timeout" in low or "Terminated" in code:
        return QueryRefused(
            f"refused: the query ran longer than the {timeout:g} s limit and was stopped"
        )
    if "AccessMode" in code or "Forbidden" in code or ("write" in low and "read" in low):
        return QueryRefused("refused: the server will not write for the console's user")
    if "Transient" in code or "deadlock" in low or "queryMaxConcurrent" in msg:
        return QueryRefused("the server is busy with other queries; try again in a moment")
    return QueryRefused(f"the server could not run the query: {cut(msg, 500)}")


def run_read_only(
    store,
    query: str,
    params: dict | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = None,
    settings: ConsoleSettings | None = None,
) -> ConsoleResult:
    """Run a console query on a Neo4j store: checked by text and by the server's plan, read
    only, stopped on the server at its time limit, capped.

    Parameters
    ----------
    store : graph.store.neo4j.Neo4jStore
        Where the server is (its URI and database); the console connects as the user of
        ``settings``.
    query : str
    params : dict, optional
        Query parameters (``$name``).
    limit, timeout : optional
        Rows and seconds (default: ``settings``).
    settings : ConsoleSettings, optional
        Default: the environment (:meth:`ConsoleSettings.from_env`).

    Raises
    ------
    QueryRefused
        The text or the plan was refused, the server refused it or reported a write (rolled
        back), it ran past the time limit (and was stopped on the server), or every console
        slot is taken.
    StoreError
        The server could not be reached.
    """
    s = settings or ConsoleSettings.from_env()
    if limit is not None or timeout is not None:
        s = ConsoleSettings(
            s.user, s.password, timeout or s.timeout, limit or s.limit, s.max_bytes, s.slots
        )
    check_query(query)
    server = getattr(store, "settings", None)
    if server is None or getattr(store, "kind", "") != "neo4j":
        raise QueryRefused(
            "the Cypher console needs a Neo4j connection; the in-memory store has no Cypher"
        )
    slot = _slots(s.slots)
    if not slot.acquire(blocking=False):
        raise QueryRefused(
            f"the console is busy: {s.slots} queries are running in this app; try again in a moment"
        )
    try:
        return _run(server, query, params, s)
    finally:
        slot.release()


def _run(server, query, params, s: ConsoleSettings) -> ConsoleResult:
    from neo4j import READ_ACCESS, GraphDatabase
    from neo4j import exceptions as nx_exc

    user = s.user or server.user
    password = s.password if s.user else server.password
    tag = secrets.token_hex(8)
    tagged = f"/* {TAG} {tag} */ {query}"
    try:
        driver = GraphDatabase.driver(
            server.uri,
            auth=(user, password),
            connection_timeout=server.timeout,
            connection_acquisition_timeout=server.timeout,
            max_connection_pool_size=3,
        )
    except (ValueError, nx_exc.ConfigurationError) as e:
        raise StoreError(f"the console cannot use {server.uri}: {e}") from e

    def work():
        with driver.session(database=server.database, default_access_mode=READ_ACCESS) as ses:
            trusted = _check_plan(ses, query)
            tx = ses.begin_transaction(
                timeout=s.timeout, metadata={"app": "partner-graph-explorer", "console": tag}
            )
            try:
                return _read_rows(tx, tagged, params, s, trusted)
            finally:
                if not tx.closed():
                    tx.rollback()

    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="console")
    future = pool.submit(work)
    try:
        keys, rows, reason = future.result(timeout=s.timeout + 1)
    except concurrent.futures.TimeoutError as e:
        # the connection is closed below whether or not the server could be told
        with contextlib.suppress(nx_exc.Neo4jError, nx_exc.DriverError, OSError):
            _terminate(driver, server.database, tag)
        # the waiting thread's read fails, and it ends; closing under that read can fail
        # inside the driver itself (a BufferError from its outbox, seen once in CI): the
        # connection is being dropped either way, and the answer is still the refusal
        with contextlib.suppress(Exception):
            driver.close()
        with contextlib.suppress(Exception):  # it ended with the closed connection
            future.result(timeout=5)
        raise QueryRefused(
            f"refused: the query ran longer than the {s.timeout:g} s limit and was stopped on "
            "the server"
        ) from e
    except QueryRefused:
        raise
    except nx_exc.AuthError as e:
        raise StoreError(
            f"the server refused the console's user '{user}'; check EXPLORER_CONSOLE_USER and "
            "EXPLORER_CONSOLE_PASSWORD"
        ) from e
    except nx_exc.Neo4jError as e:
        raise _refusal(e, s.timeout) from e
    except (nx_exc.DriverError, OSError) as e:
        raise StoreError(f"lost the connection to the server: {e}") from e
    finally:
        pool.shutdown(wait=False)
        driver.close()
    return ConsoleResult(
        table=pd.DataFrame(rows, columns=keys),
        truncated=bool(reason),
        seconds=time.monotonic() - started,
        limit=s.limit,
        reason=reason,
    )
