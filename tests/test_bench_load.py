"""Load benchmark: rows per second and peak memory, against a baseline from the same run.

Prints its figures (run with ``-s`` to see them, or read the captured output in the report).
Nothing here asserts on time: only that the loads did what they should.

The baseline for the Bolt store is the plainest possible write of the same nodes through the
official driver (one ``UNWIND … CREATE`` per 1,000 rows, no validation, no MERGE); the ratio
says what validation, idempotent MERGE and the all-or-nothing transaction cost on top.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from graph.store.settings import Neo4jSettings
from loaders.load import load

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
N = 5000

pytestmark = pytest.mark.bench


def _portfolio(tmp_path: Path, n: int) -> Path:
    """The minimal fixture plus ``n`` organizations, each with one funding flow."""
    dst = tmp_path / "portfolio"
    shutil.copytree(FIXTURE, dst)
    with (dst / "organizations.csv").open("a", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"gen{i},Generated donor {i},,ngo,ngo,KAZ,,,s1,Test sentence.\n")
    with (dst / "funding.csv").open("a", encoding="utf-8") as f:
        for i in range(n):
            f.write(
                f"g{i},gen{i},iite,p1,2025,{100 + i},USD,,,cash,extrabudgetary,,false,s1,Test.\n"
            )
    return dst


def _timed(fn):
    """Result, seconds, and peak Python memory (MB) of a second, traced run.

    Tracing slows Python down several times, so the time comes from an untraced run.
    """
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def test_load_throughput(tmp_path, bolt, capsys):
    folder = _portfolio(tmp_path, N)
    rows = 2 * N + 40
    settings = Neo4jSettings(
        uri=bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database, timeout=10
    )

    mem, mem_s, mem_mb = _timed(lambda: (s := MemoryStore(), load(folder, s))[0])
    assert mem.counts()["relationships"]["FUNDS"] == N + 4

    store = Neo4jStore(settings)
    store.clear()
    report, neo_s, neo_mb = _timed(lambda: load(folder, store))
    assert report.created["relationships"] >= N
    t0 = time.perf_counter()
    again = load(folder, store)
    again_s = time.perf_counter() - t0
    assert again.created == {"nodes": 0, "relationships": 0}
    store.clear()

    # Baseline: bare driver writes of the same organizations, in the same run.
    names = [{"id": f"base{i}", "name": f"Generated donor {i}"} for i in range(N)]
    with GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password)) as driver:
        t0 = time.perf_counter()
        for i in range(0, N, 1000):
            driver.execute_query(
                "UNWIND $rows AS row CREATE (n:BenchBaseline) SET n = row",
                rows=names[i : i + 1000],
                database_=bolt.database,
            )
        base_s = time.perf_counter() - t0
        driver.execute_query("MATCH (n:BenchBaseline) DETACH DELETE n", database_=bolt.database)
    store.close()

    with capsys.disabled():
        print()
        print(f"load benchmark: {rows:,} rows ({N:,} organizations + {N:,} funding flows)")
        print(
            f"  in-memory store : {mem_s:6.2f} s  {rows / mem_s:9,.0f} rows/s  peak {mem_mb:6.1f} MB"
        )
        print(
            f"  Bolt store      : {neo_s:6.2f} s  {rows / neo_s:9,.0f} rows/s  peak {neo_mb:6.1f} MB"
            " (Python side)"
        )
        print(f"  Bolt re-load    : {again_s:6.2f} s  (creates nothing)")
        print(
            f"  baseline        : {base_s:6.2f} s  {N / base_s:9,.0f} rows/s  (bare CREATE of {N:,} nodes)"
        )
        print(f"  ratio Bolt load / baseline per row: {(neo_s / rows) / (base_s / N):.2f}")
