"""The Bolt step of the benchmarks: the project's load against the same server's best case.

A fresh ArcadeDB (the test suite's :class:`tests.bolt_server.BoltServer`, or the server of
``NEO4J_URI``) gets:

1. the project's load of the folder (validation, constraints, ``MERGE`` in one transaction);
2. the same load again (unchanged data: should create nothing, and cost less);
3. the best case: the same nodes and relationships, already built, written with one
   ``UNWIND … MERGE`` per batch of rows and no validation, one transaction per batch, and
   (the store emptied before each) all in one transaction, as the project's all-or-nothing
   load does, and with ``UNWIND … CREATE`` for the relationships, as the project's first
   load writes new ones;

then the analyses of :data:`bench.steps.ANALYSES` on the loaded store. The ``CREATE`` best
case runs first, so the project's load meets a server that has warmed up; the ``MERGE``
best cases run last, and the figures so far are printed after each step.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.steps import ANALYSES, analyses, rss_mb, timed
from graph.store import cypher
from graph.store.batch import build_batch
from graph.store.neo4j import BATCH_SIZE, Neo4jStore
from graph.store.settings import KEEP_SECONDS, Neo4jSettings
from loaders.load import check, load

#: Seconds each ``MERGE`` best case may run before its rate is taken from the rows it wrote.
MERGE_BUDGET = 150.0


@contextlib.contextmanager
def _serving():
    """Settings of the server to use while the block runs: that of ``NEO4J_URI``, or else a
    fresh ArcadeDB, stopped when the block ends (also on the SIGTERM the bench sends to a
    step that runs out of time)."""
    from tests.bolt_server import BoltServer, bolt_settings_from_env

    env = bolt_settings_from_env()
    if env is not None:
        uri, user, password, database = env
        yield Neo4jSettings(uri=uri, user=user, password=password, database=database)
        return
    signal.signal(signal.SIGTERM, _stop)
    with BoltServer() as s:
        yield Neo4jSettings(
            uri=s.uri, user=s.user, password=s.password, database=s.database, timeout=30
        )


def best_case(
    store: Neo4jStore,
    batch,
    *,
    one_transaction: bool = False,
    create: bool = False,
    budget: float | None = None,
) -> tuple[float, int]:
    """Seconds to write ``batch`` with plain ``UNWIND … MERGE`` statements, nothing checked,
    and how many rows were written in them: one transaction per batch of rows (retried by
    the driver on a transient conflict), the most this server takes in; or, with
    ``one_transaction``, all batches in one transaction, the most it takes in all or
    nothing (which is what the project's load promises). With ``create``, relationships
    are written with ``UNWIND … CREATE`` (they are all new), as the project's first load
    writes them. With ``budget`` (seconds), no batch is started after it has run out: the
    rows written so far give the rate (an open transaction is rolled back). On a server
    whose ``MERGE`` of a tie compares it with every tie of its ends, that rate only falls
    as more is written, so the rate of the part written is the best the whole would do."""
    statements = [(cypher.merge_nodes(label), rows) for label, rows in batch.nodes.items()]
    rels = cypher.create_rels if create else cypher.merge_rels
    statements += [(rels(t, a, b), rows) for (t, a, b), rows in batch.rels.items()]
    chunks = [
        (query, rows[i : i + BATCH_SIZE])
        for query, rows in statements
        for i in range(0, len(rows), BATCH_SIZE)
    ]
    t0 = time.perf_counter()
    done = 0

    def more() -> bool:
        return budget is None or time.perf_counter() - t0 < budget

    with store.driver.session(database=store.settings.database) as session:
        if one_transaction:
            with session.begin_transaction() as tx:
                for query, chunk in chunks:
                    if not more():
                        break
                    tx.run(query, rows=chunk).consume()
                    done += len(chunk)
                else:
                    tx.commit()
        else:
            for query, chunk in chunks:
                if not more():
                    break
                session.execute_write(lambda tx, q=query, c=chunk: tx.run(q, rows=c).consume())
                done += len(chunk)
    return time.perf_counter() - t0, done


def _reader(settings: Neo4jSettings) -> dict:
    """The analyses on the loaded server, timed in a process of their own (as the app
    reads: nothing of the load in its memory), with that process's peak memory."""
    from tests.bolt_server import bolt_env

    env = bolt_env(settings)
    done = subprocess.run(
        [sys.executable, "-m", "bench.bolt"], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def read_only() -> dict:
    """The analyses on the server of ``NEO4J_URI`` (cold, then in sequence) and this
    process's peak memory: the app side of a Bolt store."""
    figures = [n for n in ANALYSES if n != "funding_flows"]  # aggregates: what the app reads
    # as the app reads: aggregates kept between analyses while the write clock stands still
    with _serving() as settings, Neo4jStore(replace(settings, keep_seconds=KEEP_SECONDS)) as store:
        out = {
            "analyses": analyses(store, names=figures),
            "in_sequence": analyses(store, cold=False, names=figures),
        }
        out["reader_rss_mb"] = rss_mb()
        # the flows one by one last: the only read whose answer grows with the flows
        out["analyses"] |= analyses(store, names=("funding_flows",))
    return {**out, "listing_rss_mb": rss_mb()}


def _stop(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # leaves the block that stops the server


def bolt(folder: Path, report=lambda figures: None) -> dict:
    """The Bolt figures of ``folder``; ``report(figures so far)`` after each step, so a step
    stopped for time keeps what it measured."""
    out: dict = {}
    with _serving() as settings, Neo4jStore(settings) as store:
        records, problems = check(folder)
        assert not problems
        batch = build_batch(records)
        del records
        counts = batch.counts()
        out["rows"] = counts["nodes"] + counts["relationships"]
        # The CREATE best case first: it warms the server up for the project's load,
        # which is then measured on equal terms. The MERGE best cases come last: at
        # M they are the slowest (a MERGE compares with every tie between its ends).
        store.clear()
        store.ensure_constraints()
        out["best_create_seconds"], _ = best_case(store, batch, one_transaction=True, create=True)
        report(out)
        store.clear()
        out["load_seconds"] = timed(lambda: load(folder, store))[1]
        report(out)
        out["reload_seconds"] = timed(lambda: load(folder, store))[1]
        report(out)
        out.update(_reader(settings))
        report(out)
        for key, one in (("best_one_tx", True), ("best", False)):
            store.clear()
            store.ensure_constraints()
            seconds, rows = best_case(store, batch, one_transaction=one, budget=MERGE_BUDGET)
            out[f"{key}_seconds"], out[f"{key}_rows"] = seconds, rows
            report(out)
        store.clear()
    return out


def reader_alone(folder: Path) -> dict:
    """Only the app side: ``folder`` loaded into a fresh server, then the analyses timed in
    a process of their own with its peak memory (:func:`read_only`). The bench runs it on
    M's flows over S's donors and projects, to show what grows with the flows alone."""
    with _serving() as settings:
        with Neo4jStore(settings) as store:
            store.clear()
            load(folder, store)
        return _reader(settings)


if __name__ == "__main__":
    print(json.dumps(read_only()))
