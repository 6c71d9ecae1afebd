"""The read-only console under attack, on a Bolt server configured as loosely as a real one:
``LOAD CSV`` may read ``file:`` URLs (a default ArcadeDB allows them) and the server sets no
time limit of its own. Every attack of :data:`tests.attacks.CONSOLE` is refused; nothing is
read from disk; node, relationship, label, type and property-key counts stay as they were;
a query past its time limit is stopped on the server, which is idle again within seconds.

With ``NEO4J_URI`` set, the same tests run against that server.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from graph.errors import QueryRefused
from graph.store import ConsoleSettings
from graph.store import console as console_mod
from graph.store.console import check_query, run_read_only
from graph.store.neo4j import Neo4jStore
from graph.store.settings import Neo4jSettings
from loaders.load import load
from tests.attacks import CONSOLE, CONSOLE_PLAN, CONSOLE_READS
from tests.bolt_server import BoltServer, bolt_settings_from_env

pytestmark = pytest.mark.bolt

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"
CANARY = "CANARY-7f3c-never-shown"


@pytest.fixture(scope="module")
def loose(tmp_path_factory):
    """A Bolt server that lets LOAD CSV read files and sets no command time limit, the
    bundled-test fixture loaded, and a canary file on disk: ``(store, canary URL, server)``
    (``server`` is None on an external ``NEO4J_URI`` server)."""
    canary = tmp_path_factory.mktemp("canary") / "secret.csv"
    canary.write_text(f"{CANARY},1\n{CANARY},2\n", encoding="utf-8")
    url = canary.resolve().as_uri()
    env = bolt_settings_from_env()
    if env is not None:
        store = Neo4jStore(Neo4jSettings(*env[:3], database=env[3], timeout=10))
        store.clear()
        load(FIXTURE, store)
        yield store, url, None
        store.clear()
        store.close()
        return
    with BoltServer(allow_file_urls=True) as server:
        s = server.settings()
        store = Neo4jStore(Neo4jSettings(s.uri, s.user, s.password, s.database, timeout=10))
        load(FIXTURE, store)
        # the slow query of the time-limit test: 400 nodes, 64 million triples
        store._write("UNWIND range(1, 400) AS i CREATE (:Thing {id: i})")
        yield store, url, server
        store.close()


def _state(store) -> dict:
    """Everything an attack could change: counts, labels, types, property keys."""
    rows = store._read("CALL db.labels() YIELD label RETURN collect(label) AS labels")
    types = store._read(
        "CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS t"
    )
    keys = store._read("CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey) AS k")
    props = store._read("MATCH (n) RETURN count(n) AS n, sum(size(keys(n))) AS p")[0]
    return {
        "counts": store.counts(),
        "labels": sorted(rows[0]["labels"]),
        "types": sorted(types[0]["t"]),
        "keys": sorted(keys[0]["k"]),
        "properties": props["p"],
    }


def test_a_default_server_would_read_the_file(loose):
    """The server really lets LOAD CSV read the canary: the attacks below are real."""
    store, url, _server = loose
    rows = store._read(f"LOAD CSV FROM '{url}' AS r RETURN r[0] AS v")
    assert rows and rows[0]["v"] == CANARY


@pytest.mark.parametrize(("what", "query"), CONSOLE, ids=[w for w, _ in CONSOLE])
def test_every_attack_is_refused_and_changes_nothing(loose, what, query):
    store, url, _server = loose
    before = _state(store)
    with pytest.raises(QueryRefused) as refused:
        run_read_only(store, query.replace("{canary}", url), timeout=5)
    assert CANARY not in str(refused.value), what
    assert _state(store) == before, what


def test_at_least_forty_attacks_beyond_the_reviews():
    assert len(CONSOLE) >= 8 + 40


@pytest.mark.parametrize(("what", "query"), CONSOLE_PLAN, ids=[w for w, _ in CONSOLE_PLAN])
def test_the_servers_plan_refuses_what_the_text_guard_would_miss(loose, monkeypatch, what, query):
    """Defence in depth: with the text guard switched off, the server's own parser (its
    EXPLAIN plan) still stops the query before it runs."""
    store, url, _server = loose
    monkeypatch.setattr(console_mod, "check_query", lambda q: q)
    before = _state(store)
    with pytest.raises(QueryRefused, match="plan|not read-only|could not run"):
        console_mod.run_read_only(store, query.replace("{canary}", url), timeout=5)
    assert _state(store) == before, what


@pytest.mark.parametrize("query", CONSOLE_READS)
def test_ordinary_reads_still_run(loose, query):
    store, _url, _server = loose
    assert check_query(query) == query
    result = run_read_only(store, query, timeout=10)
    assert result.seconds >= 0


def _busy(server, seconds=1.5) -> float:
    """The server process's CPU use (cores) over ``seconds``."""
    import psutil

    proc = psutil.Process(server.process.pid)
    a = proc.cpu_times()
    time.sleep(seconds)
    b = proc.cpu_times()
    return (b.user + b.system - a.user - a.system) / seconds


SLOW = "MATCH (a:Thing), (b:Thing), (c:Thing) WHERE a.id * b.id + c.id = -1 RETURN count(*) AS n"


def test_a_query_past_its_limit_is_stopped_on_the_server(loose):
    """The server sets no limit of its own: the console ends its transaction there
    (TERMINATE TRANSACTIONS) and closes its connection, so the server stops working and
    no thread of the console is left behind."""
    store, _url, server = loose
    threads = {t.name for t in threading.enumerate()}
    started = time.monotonic()
    with pytest.raises(QueryRefused, match="longer than the 2 s limit and was stopped"):
        run_read_only(store, SLOW, timeout=2)
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10  # ended on the server within seconds
    while True:
        left = store._read(
            "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
            "WHERE currentQuery CONTAINS $tag RETURN transactionId",
            tag="/* explorer-console",
        )
        if not left:
            break
        assert time.monotonic() < deadline, left
        time.sleep(0.25)
    if server is not None:  # an external server's CPU is not ours to read
        deadline = time.monotonic() + 10
        while _busy(server) > 0.3:
            assert time.monotonic() < deadline, "the server is still busy with the query"
    time.sleep(0.5)
    assert not {t.name for t in threading.enumerate() if t.name.startswith("console")} - threads


def test_one_slot_per_query_and_a_cap_per_process(loose):
    store, _url, _server = loose
    one = ConsoleSettings(timeout=3, slots=1)
    errors = []

    def slow():
        try:
            run_read_only(store, SLOW, settings=one)
        except QueryRefused as e:
            errors.append(str(e))

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)
    assert console_mod.busy(one)
    with pytest.raises(QueryRefused, match="the console is busy"):
        run_read_only(store, "RETURN 1 AS one", settings=one)
    t.join(20)
    assert errors and "longer than" in errors[0]
    assert not console_mod.busy(one)
    assert len(run_read_only(store, "RETURN 1 AS one", settings=one).table) == 1


def test_results_are_capped_in_rows_and_in_characters(loose):
    store, _url, _server = loose
    rows = run_read_only(store, "UNWIND range(1, 500) AS x RETURN x", limit=50)
    assert len(rows.table) == 50 and rows.truncated and "50 rows" in rows.message
    big = run_read_only(
        store, "RETURN reduce(s = '', x IN range(1, 3000) | s + 'xxxxxxxxxx') AS big"
    )
    value = big.table["big"][0]
    assert len(value) < 10_100 and value.endswith("(cut at 10,000 characters)")
    chars = ConsoleSettings(max_bytes=50_000)
    many = run_read_only(
        store,
        "UNWIND range(1, 100) AS i RETURN reduce(s = '', x IN range(1, 200) | s + 'xxxxxxxxxx') AS v",
        settings=chars,
    )
    assert many.truncated and len(many.table) < 100 and "characters" in many.message
