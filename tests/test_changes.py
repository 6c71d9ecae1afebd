"""Loads that change data say what changed (issue 12, item 7), in both stores.

A new version of a source's files updates what changed (an emptied value clears the stored
one) and says how; ``sync`` removes the source's records the files no longer hold and
nothing of other sources; a record another source loaded with other values is kept and
reported; retraction takes a source or ids out on purpose; loads running at once get
through one after the other; a load that never finished is closed by the next complete load
of its source, or by ``python -m loaders history --close``.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

from graph.store.changes import SOURCES
from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from loaders.load import load
from tests.conftest import neo_settings

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"

pytestmark = pytest.mark.bolt


@pytest.fixture
def store(either_store):
    """Each store in turn, empty."""
    return either_store


def copy(tmp_path: Path, name: str) -> Path:
    """A copy of the minimal records to change."""
    out = tmp_path / name
    shutil.copytree(FIXTURE, out)
    return out


def edit(folder: Path, file: str, change) -> None:
    """Rewrite one CSV of ``folder`` through ``change(frame) -> frame`` (text kept as text)."""
    path = folder / file
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(t).to_csv(path, index=False)


def only(folder: Path, *files: str) -> None:
    """Keep only ``files`` in ``folder``."""
    for p in folder.iterdir():
        if p.name not in files:
            p.unlink()


def flow(store, flow_id: str) -> dict:
    return store.funding_flows().set_index("flow_id").loc[flow_id].to_dict()


def org(store, org_id: str) -> dict:
    t = store.node_table("Organization").set_index("id")
    return {k: v for k, v in t.loc[org_id].to_dict().items() if v is not None and v == v}


def test_a_new_version_of_a_source_updates_what_changed_and_says_how(store, tmp_path):
    v1 = copy(tmp_path, "v1")
    first = load(v1, store, source="partners")
    assert first.created == {"nodes": 16, "relationships": 25} and not first.changes
    edit(v1, "funding.csv", lambda t: t.assign(amount=t["amount"].replace("500", "900")))
    edit(v1, "organizations.csv", lambda t: t.assign(city=t["city"].replace("Moscow", "")))
    again = load(v1, store, source="partners")
    assert again.created == {"nodes": 0, "relationships": 0}
    assert again.nodes_updated == {"Organization": 1}
    assert again.rels_updated == {"FUNDS": 1}
    assert (again.updated, again.unchanged, again.conflicting) == (2, 39, 0)
    assert again.diff().splitlines() == [
        "Changed:",
        "  organization iite: city 'Moscow' → empty",
        "  funding flow f1: amount 500 → 900",
        "  funding flow f1: amount_usd 500 → 900",
    ]
    assert "2 updated, 39 unchanged" in again.summary()
    assert flow(store, "f1")["amount"] == 900
    assert "city" not in org(store, "iite")  # the emptied value is cleared, not kept
    assert org(store, "iite")["name"].startswith("UNESCO Institute")
    # the same files once more: nothing to do
    assert load(v1, store, source="partners").updated == 0


def test_a_sync_removes_what_the_source_no_longer_holds_and_keeps_what_others_tie_to(
    store, tmp_path
):
    v1 = copy(tmp_path, "v1")
    load(v1, store, source="partners")
    # another source adds one flow to an organization of the first
    extra = copy(tmp_path, "extra")
    only(extra, "funding.csv")
    edit(extra, "funding.csv", lambda t: t[t["flow_id"] == "f4"].assign(flow_id="x9"))
    assert load(extra, store, source="extra").rels_created == {"FUNDS": 1}
    # the new version of the first drops flow f2 and organization "script" with its rows
    edit(v1, "funding.csv", lambda t: t[~t["flow_id"].isin(["f2", "f4"])])
    edit(v1, "organizations.csv", lambda t: t[t["org_id"] != "script"])
    edit(v1, "partnerships.csv", lambda t: t[t["org_id"] != "script"])
    before = store.counts()
    plain = load(v1, store, source="partners")  # without sync: nothing is removed
    assert not plain.removed and store.counts() == before
    synced = load(v1, store, source="partners", sync=True)
    assert synced.removed == {"FUNDS": 2, "PARTNER_IN": 1, "BASED_IN": 1}
    assert synced.kept == {"Organization": 1}  # the other source's flow x9 still ties to it
    assert "kept 1 node that records of other sources still tie to" in synced.summary()
    ids = set(store.funding_flows()["flow_id"])
    assert ids == {"f1", "f3", "x9"}  # nothing of the other source removed
    assert "script" in set(store.node_table("Organization")["id"])
    # once the other source goes, a sync of the first takes the organization out
    store.retract(source="extra")
    assert load(v1, store, source="partners", sync=True).removed == {"Organization": 1}
    assert "script" not in set(store.node_table("Organization")["id"])


def test_the_same_id_from_another_source_with_other_values_is_reported_not_overwritten(
    store, tmp_path
):
    load(FIXTURE, store, source="partners")
    other = copy(tmp_path, "other")
    only(other, "organizations.csv", "funding.csv")
    edit(other, "organizations.csv", lambda t: t.assign(city=t["city"].replace("Moscow", "Kazan")))
    report = load(other, store, source="registry")
    assert report.conflicting == 1 and report.updated == 0
    assert [c.what() for c in report.conflicts] == [
        "organization iite: city is 'Moscow' from partners; this load has 'Kazan' (kept as it was)"
    ]
    assert "1 record that another source loaded with other values kept those values" in (
        report.summary()
    )
    assert org(store, "iite")["city"] == "Moscow"
    # records with the same values are shared: each remembers both sources
    sources = store.node_table("Organization").set_index("id")[SOURCES]
    assert tuple(sources["evil"]) == ("partners", "registry")
    assert tuple(sources["iite"]) == ("partners",)  # in conflict: not joined
    replaced = load(other, store, source="registry", replace=True)
    assert replaced.updated >= 1 and org(store, "iite")["city"] == "Kazan"


def test_retraction_takes_a_source_or_ids_out_and_leaves_what_others_loaded(store, tmp_path):
    load(FIXTURE, store, source="a")
    load(FIXTURE, store, source="b")  # the very same records from a second source
    counts = store.counts()
    gone = store.retract(source="a")
    assert gone.removed == {} and store.counts() == counts  # b still holds every record
    assert set(map(tuple, store.node_table("Project")[SOURCES])) == {("b",)}
    by_id = store.retract(ids=["f1", "script"])
    # script goes with its flow f4, its partnership and where it is based
    assert by_id.removed == {"FUNDS": 2, "Organization": 1, "PARTNER_IN": 1, "BASED_IN": 1}
    assert set(store.funding_flows()["flow_id"]) == {"f2", "f3"}
    store.retract(source="b")
    left = store.counts()
    assert sum(left["nodes"].values()) == 0 and left["relationships"] == {}
    history = store.load_history()
    assert list(history.sort_values("started_ns")["status"]) == [
        "complete",
        "complete",
        "retracted",
        "retracted",
        "retracted",
    ]


def test_a_load_that_never_finished_is_closed_by_the_next_complete_load_of_its_source(
    store, tmp_path
):
    # what a killed load leaves behind: its "started" marker (and nothing of its records)
    store.mark_load("deadbeef", {"source": "partners", "status": "started", "started_ns": 1})
    store.mark_load("cafe", {"source": "other", "status": "started", "started_ns": 2})
    assert len(store.incomplete_loads()) == 2
    report = load(FIXTURE, store, source="partners")
    assert report.closed == ["deadbeef"]
    assert "Closed 1 earlier load of this source that never finished." in report.summary()
    assert list(store.incomplete_loads()["load_id"]) == ["cafe"]  # another source's: kept


def test_moving_a_flow_to_another_donor_moves_it(store, tmp_path):
    v1 = copy(tmp_path, "v1")
    load(v1, store, source="partners")
    edit(
        v1,
        "funding.csv",
        lambda t: t.assign(donor_id=t["donor_id"].mask(t["flow_id"] == "f1", "cypher")),
    )
    report = load(v1, store, source="partners")
    assert "funding flow f1: start 'evil' → 'cypher'" in report.diff()
    assert flow(store, "f1")["donor_id"] == "cypher"
    ids = store.rel_table("FUNDS")["id"]
    assert ids.is_unique and len(ids) == 4


def test_loads_at_the_same_time_get_through_one_after_the_other(bolt, neo):
    """Four loads of the same records as four sources, at once, on a real server: each gets
    through (a clash is tried again with waits), no relationship is written twice, and every
    record remembers all four sources."""
    neo.ensure_constraints()
    reports, errors = {}, {}

    def run(name):
        try:
            with Neo4jStore(neo_settings(bolt, timeout=30)) as s:
                reports[name] = load(FIXTURE, s, source=name)
        except Exception as e:  # noqa: BLE001 - the test reports any failure
            errors[name] = e

    threads = [threading.Thread(target=run, args=(f"s{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(r.created["nodes"] for r in reports.values()) == 16
    ids = neo.rel_table("FUNDS")["id"]
    assert ids.is_unique and len(ids) == 4
    for label in ("Organization", "Project"):
        assert {len(s) for s in neo.node_table(label)[SOURCES]} == {4}
    assert {len(s) for s in neo.rel_table("FUNDS")[SOURCES]} == {4}


def test_memory_loads_at_the_same_time_do_not_lose_each_other(tmp_path):
    mem = MemoryStore()
    threads = [
        threading.Thread(target=load, args=(FIXTURE, mem), kwargs={"source": f"s{i}"})
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {len(s) for s in mem.node_table("Organization")[SOURCES]} == {4}


def test_the_cli_loads_a_new_version_syncs_retracts_and_lists_the_history(
    bolt, neo, tmp_path, capsys, monkeypatch
):
    from loaders.__main__ import main as cli

    monkeypatch.delenv("NEO4J_URI", raising=False)
    server = ["--uri", bolt.uri, "--user", bolt.user, f"--password={bolt.password}"]
    server += ["--database", bolt.database]
    v1 = copy(tmp_path, "v1")
    assert cli(["load", str(v1), "--source", "partners", *server]) == 0
    assert "as source 'partners'" in capsys.readouterr().out
    edit(
        v1,
        "funding.csv",
        lambda t: t[t["flow_id"] != "f2"].assign(amount=t["amount"].replace("500", "900")),
    )
    assert cli(["load", str(v1), "--source", "partners", "--sync", "--diff", *server]) == 0
    out = capsys.readouterr().out
    assert "funding flow f1: amount 500 → 900" in out
    assert "Removed 1 record of this source that the files no longer hold." in out
    assert cli(["retract", "--source", "partners", *server]) == 0
    out = capsys.readouterr().out
    assert "Retracted source 'partners'" in out and "FUNDS: 3 removed" in out
    neo.mark_load("deadbeef", {"source": "gone", "status": "started", "started_ns": 1})
    assert cli(["history", "--close", *server]) == 0
    out = capsys.readouterr().out
    assert "Closed 1 unfinished load(s)." in out
    assert "records taken out" in out and "did not finish; closed by hand" in out
    assert "<NA>" not in out
    assert neo.incomplete_loads().empty
