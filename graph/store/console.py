"""A read-only Cypher console for staff: guard, run with a time limit, cap the rows.

Three lines of defence, because a READ transaction is not enough on every server (ArcadeDB,
for one, runs a write inside a READ transaction):

1. :func:`check_query` reads the text itself — comments and string literals removed — and
   refuses writing clauses (``CREATE``, ``MERGE``, ``SET``, ``DELETE``, ``REMOVE``,
   ``DROP``, ``FOREACH``...), ``LOAD CSV``, ``CALL … IN TRANSACTIONS``, any procedure that
   is not on a short list of schema look-ups, anything under ``apoc.``, ``dbms.`` or
   ``gds.``, administration commands, and more than one statement.
2. :func:`run_read_only` runs what passes in an explicit transaction in a READ session
   with a transaction timeout, and always rolls it back (a read needs no commit); if the
   server reports that the query wrote anything (``query_type`` with a ``w``, or update
   counters), the query is refused.
3. Rows are capped (``limit``) and the time limit is also enforced on the client, so a
   server that ignores the timeout still gives the console back.

Examples
--------
>>> check_query("MATCH (o:Organization) RETURN o.name LIMIT 5")
'MATCH (o:Organization) RETURN o.name LIMIT 5'
>>> check_query("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
...
graph.errors.QueryRefused: refused: DETACH DELETE changes the data, and the console is read-only
>>> check_query("LOAD CSV FROM 'file:///x.csv' AS row RETURN row")
Traceback (most recent call last):
...
graph.errors.QueryRefused: refused: LOAD CSV reads files and is not allowed in the console
>>> check_query("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})")
Traceback (most recent call last):
...
graph.errors.QueryRefused: refused: procedures and functions under apoc. are not allowed in the console
>>> check_query("MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n  // DELETE")
"MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n  // DELETE"
"""

from __future__ import annotations

import concurrent.futures
import re
import time
from dataclasses import dataclass

import pandas as pd

from graph.errors import QueryRefused, StoreError
from graph.store import cypher

__all__ = [
    "EXAMPLES",
    "ALLOWED_PROCEDURES",
    "ConsoleResult",
    "check_query",
    "run_read_only",
]

#: Clauses that change data or schema.
_WRITES = (
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "REMOVE",
    "DROP",
    "FOREACH",
    "DETACH",
    "INSERT",
)
#: Administration and session commands.
_ADMIN = (
    "GRANT",
    "REVOKE",
    "DENY",
    "ALTER",
    "RENAME",
    "START",
    "STOP",
    "TERMINATE",
    "ENABLE",
    "DISABLE",
    "USE",
)
#: Words a query may start with.
_STARTS = ("MATCH", "OPTIONAL", "WITH", "RETURN", "UNWIND", "CALL", "EXPLAIN", "PROFILE", "SHOW")

#: Procedures the console may call: schema look-ups that read nothing but names.
ALLOWED_PROCEDURES = (
    "db.labels",
    "db.relationshiptypes",
    "db.propertykeys",
    "db.schema.visualization",
    "db.schema.nodetypeproperties",
    "db.schema.reltypeproperties",
)

#: Example queries shown in the console (all read-only; the text lives in :mod:`graph.store.cypher`).
EXAMPLES = cypher.CONSOLE_EXAMPLES


@dataclass
class ConsoleResult:
    """What a console query returned."""

    table: pd.DataFrame
    truncated: bool
    seconds: float
    limit: int

    @property
    def message(self) -> str:
        """One line: rows, cap, time."""
        n = len(self.table)
        text = f"{n:,} row{'s' if n != 1 else ''} in {self.seconds:.2f} s"
        if self.truncated:
            text += f"; stopped at the cap of {self.limit:,} rows (add LIMIT or narrow the query)"
        return text


def _strip(query: str) -> str:
    """The query with comments, string literals and quoted names blanked out."""
    out = []
    i = 0
    text = query
    # walk left to right so that // inside a string is not a comment and vice versa
    pattern = re.compile(
        r"(?P<s>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<c>//[^\n]*|/\*.*?\*/)|(?P<b>`(?:[^`]|``)*`)",
        re.S,
    )
    for m in pattern.finditer(text):
        out.append(text[i : m.start()])
        out.append(" '' " if m.group("s") else " _q " if m.group("b") else " ")
        i = m.end()
    out.append(text[i:])
    stripped = "".join(out)
    if "'" in stripped.replace("''", "") or '"' in stripped or "/*" in stripped or "`" in stripped:
        raise QueryRefused("refused: the query has an unclosed quote or comment")
    return stripped


def _check_namespaces(words: list[str]) -> None:
    for w in words:
        low = w.lower()
        for ns in ("apoc.", "dbms.", "gds.", "db.create", "db.index", "db.clear"):
            if low.startswith(ns) or f".{ns}" in low:
                raise QueryRefused(
                    f"refused: procedures and functions under {ns} are not allowed in the console"
                    if ns.endswith(".")
                    else f"refused: {w} is not allowed in the console"
                )


#: Two-word clauses the console refuses: (first, second) → why.
_PAIRS = {
    ("LOAD", "CSV"): "refused: LOAD CSV reads files and is not allowed in the console",
    ("DETACH", "DELETE"): "refused: DETACH DELETE changes the data, and the console is read-only",
}
_IN_TRANSACTIONS = "refused: CALL … IN TRANSACTIONS is for batched writes; the console only reads"


def _check_clauses(words: list[str], upper: list[str]) -> None:
    for i, w in enumerate(upper):
        pair = (w, upper[i + 1]) if i + 1 < len(upper) else None
        if pair in _PAIRS:
            raise QueryRefused(_PAIRS[pair])
        if "." not in words[i] and w in _WRITES:
            raise QueryRefused(f"refused: {w} changes the data, and the console is read-only")
        if "." not in words[i] and w in _ADMIN:
            raise QueryRefused(f"refused: {w} is an administration command; the console only reads")
        if i > 0 and (upper[i - 1], w) == ("IN", "TRANSACTIONS"):
            raise QueryRefused(_IN_TRANSACTIONS)


def _check_start(words: list[str], upper: list[str]) -> None:
    if upper[0] not in _STARTS:
        raise QueryRefused(
            f"refused: a console query starts with {', '.join(_STARTS)}; this one starts with {words[0]}"
        )
    if upper[0] == "SHOW" and (
        len(upper) < 2 or upper[1] not in ("CONSTRAINTS", "INDEXES", "INDEX")
    ):
        raise QueryRefused("refused: only SHOW CONSTRAINTS and SHOW INDEXES are allowed")


def _check_procedures(body: str) -> None:
    for m in re.finditer(r"\bCALL\s*([A-Za-z_][A-Za-z0-9_.]*)?\s*([({])?", body, re.I):
        name = m.group(1)
        if name is None:
            continue  # CALL { subquery }: its clauses were checked above
        if name.lower() not in ALLOWED_PROCEDURES:
            raise QueryRefused(
                f"refused: the procedure {name} is not on the console's list "
                f"({', '.join(ALLOWED_PROCEDURES)}); procedures can write"
            )


def check_query(query: str) -> str:
    """Return ``query`` if the console may run it, else raise :class:`QueryRefused`.

    Parameters
    ----------
    query : str
        Cypher text.

    Raises
    ------
    QueryRefused
        With a message that says what was refused and why.
    """
    if not isinstance(query, str) or not query.strip():
        raise QueryRefused("refused: the query is empty")
    if len(query) > 20_000:
        raise QueryRefused("refused: the query is longer than 20,000 characters")
    body = _strip(query).strip().rstrip(";").strip()
    if ";" in body:
        raise QueryRefused("refused: one statement at a time (the query contains ';')")
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", body)
    upper = [w.upper() for w in words]
    if not upper:
        raise QueryRefused("refused: no Cypher clause found")
    _check_namespaces(words)
    _check_clauses(words, upper)
    _check_start(words, upper)
    _check_procedures(body)
    return query


def _plain(v):
    """A value from the driver as something a table shows."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return str(v)


def _refusal(e, timeout: float) -> QueryRefused:
    """The console's word for a server error."""
    code = getattr(e, "code", "") or ""
    msg = getattr(e, "message", None) or str(e)
    if "Timeout" in code or "timeout" in msg.lower() or "terminated" in msg.lower():
        return QueryRefused(f"refused: the query ran longer than the {timeout:g} s limit")
    if "AccessMode" in code or "write" in msg.lower() and "read" in msg.lower():
        return QueryRefused("refused: the server will not write in a read-only session")
    return QueryRefused(f"the server could not run the query: {msg}")


def _writes(summary) -> bool:
    """Whether the server's summary says the query wrote."""
    qtype = str(getattr(summary, "query_type", "") or "")
    counters = getattr(summary, "counters", None)
    return "w" in qtype or qtype == "s" or (counters is not None and counters.contains_updates)


def _read_rows(tx, query: str, params, limit: int, deadline: float, timeout: float):
    """Run ``query`` in ``tx``: the keys, up to ``limit`` rows as plain values, and whether
    rows were left unread; refused when it runs past ``deadline`` or the server says it wrote."""
    result = tx.run(query, params or {})
    keys = list(result.keys())
    rows = []
    truncated = False
    for rec in result:
        if len(rows) >= limit:
            truncated = True
            break
        rows.append([_plain(rec[k]) for k in keys])
        if time.monotonic() > deadline:
            raise QueryRefused(f"refused: the query ran longer than the {timeout:g} s limit")
    if _writes(result.consume()):
        raise QueryRefused("refused: the server reports that this query writes; it was rolled back")
    return keys, rows, truncated


def run_read_only(
    store,
    query: str,
    params: dict | None = None,
    *,
    limit: int = 1000,
    timeout: float = 10.0,
) -> ConsoleResult:
    """Run a console query on a Neo4j store: checked, read-only, timed, capped.

    Parameters
    ----------
    store : graph.store.neo4j.Neo4jStore
    query : str
    params : dict, optional
        Query parameters (``$name``).
    limit : int
        At most this many rows are returned; the rest is not read.
    timeout : float
        Seconds the query may run (sent to the server and enforced here too).

    Raises
    ------
    QueryRefused
        The text was refused, the server reported a write (rolled back), the server
        refused it, or it ran longer than ``timeout``.
    """
    check_query(query)
    driver = getattr(store, "driver", None)
    if driver is None or getattr(store, "kind", "") != "neo4j":
        raise QueryRefused(
            "the Cypher console needs a Neo4j connection; the in-memory store has no Cypher"
        )
    from neo4j import READ_ACCESS
    from neo4j import exceptions as nx_exc

    database = store.settings.database

    def run():
        deadline = time.monotonic() + timeout
        with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            # an explicit transaction: no automatic retries of a slow query, and it is
            # always rolled back — a read needs no commit, and a write is undone
            tx = session.begin_transaction(timeout=timeout)
            try:
                return _read_rows(tx, query, params, limit, deadline, timeout)
            finally:
                if not tx.closed():
                    tx.rollback()

    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    try:
        keys, rows, truncated = future.result(timeout=timeout + 2)
    except concurrent.futures.TimeoutError as e:
        raise QueryRefused(
            f"refused: the query ran longer than the {timeout:g} s limit and was abandoned"
        ) from e
    except QueryRefused:
        raise
    except nx_exc.Neo4jError as e:
        raise _refusal(e, timeout) from e
    except (nx_exc.DriverError, OSError) as e:
        raise StoreError(f"lost the connection to the server: {e}") from e
    finally:
        pool.shutdown(wait=False)
    return ConsoleResult(
        table=pd.DataFrame(rows, columns=keys),
        truncated=truncated,
        seconds=time.monotonic() - started,
        limit=limit,
    )
