"""A server store keeps aggregates between analyses only while its data stands still
(:mod:`graph.store.keeping`), on the real Bolt server: a load by another process moves the
write clock and the next analysis reads anew; a write by another tool is seen once the
kept objects are older than ``keep_seconds``, or at once with the default of 0.
"""

from __future__ import annotations

import shutil

import pytest
from neo4j import GraphDatabase

from graph.analyses.funding import donor_totals
from graph.store.keeping import KeptReads
from graph.store.neo4j import Neo4jStore
from loaders.load import load
from tests.conftest import neo_settings
from tests.examples import MINIMAL

pytestmark = pytest.mark.bolt


def _evil(store) -> float:
    t = donor_totals(store)
    return float(t.loc[t["donor_id"] == "evil", "amount_usd"].iloc[0])


def _raw_write(bolt, usd: float) -> None:
    """Another tool's write: straight Cypher, no tick of the write clock."""
    with GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password)) as driver:
        driver.execute_query(
            "MATCH ()-[r:FUNDS {id: 'f1'}]->() SET r.amount_usd = $usd",
            usd=usd,
            database_=bolt.database,
        )


def _changed_copy(tmp_path, amount: str):
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    funding = folder / "funding.csv"
    old = "f1,evil,iite,p1,2024,500,USD,,"
    funding.write_text(
        funding.read_text().replace(old, f"f1,evil,iite,p1,2024,{amount},USD,{amount},")
    )
    return folder


def test_kept_sums_last_until_another_load_moves_the_write_clock(neo, bolt, tmp_path):
    load(MINIMAL, neo)
    with Neo4jStore(neo_settings(bolt, keep_seconds=600)) as reader:
        assert _evil(reader) == 750.0
        _raw_write(bolt, 9999.0)  # not through a load: the clock stands still
        assert _evil(reader) == 750.0  # what was kept, for up to keep_seconds
        load(
            _changed_copy(tmp_path, "600"), neo, replace=True
        )  # another process's load ticks the clock
        assert _evil(reader) == 850.0
        _raw_write(bolt, 1.0)
        reader.forget_reads()  # the app's "Refresh data"
        assert _evil(reader) == 251.0


def test_a_store_that_keeps_nothing_reads_every_write_at_once(neo, bolt):
    load(MINIMAL, neo)
    assert neo.settings.keep_seconds == 0
    assert _evil(neo) == 750.0
    _raw_write(bolt, 9999.0)
    assert _evil(neo) == 10249.0


def test_a_store_forgets_what_it_kept_when_it_writes_itself(bolt, tmp_path):
    with Neo4jStore(neo_settings(bolt, keep_seconds=600)) as store:
        store.clear()
        try:
            load(MINIMAL, store)
            assert _evil(store) == 750.0
            load(_changed_copy(tmp_path, "700"), store, replace=True)
            assert _evil(store) == 950.0
        finally:
            store.clear()


def test_kept_objects_expire_and_are_bounded():
    now = [0.0]
    kept = KeptReads(seconds=60, entries=2, now=lambda: now[0])

    def clock():
        return 1

    assert kept.get("a", lambda: "a1", clock) == "a1"
    now[0] = 59.0
    assert kept.get("a", lambda: "a2", clock) == "a1"
    now[0] = 61.0  # older than 60 s: read anew
    assert kept.get("a", lambda: "a3", clock) == "a3"
    kept.get("b", lambda: "b", clock)
    kept.get("c", lambda: "c", clock)  # a third entry pushes out the least recently used
    assert kept.get("a", lambda: "a4", clock) == "a4"
