"""Both stores, the same answers: the in-memory store and a real Bolt server.

The Bolt server is the one ``NEO4J_URI`` names, or ArcadeDB started by the ``bolt`` fixture.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from graph.analyses import main_recipient
from graph.errors import AuthenticationFailed, StoreUnavailable
from graph.store import Filters
from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from graph.store.settings import Neo4jSettings
from loaders.load import DATA_DIR, load
from tests.conftest import neo_settings

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bolt


@pytest.fixture
def store(either_store):
    """Each store in turn, empty."""
    return either_store


def test_bundled_dataset_gives_the_same_graph_in_both_stores(neo):
    mem = MemoryStore()
    load(DATA_DIR, mem)
    load(DATA_DIR, neo)
    a, b = mem.snapshot(), neo.snapshot()
    assert a["nodes"].keys() == b["nodes"].keys()
    assert a["relationships"].keys() == b["relationships"].keys()
    assert a == b
    assert mem.counts() == neo.counts()


def test_reload_creates_nothing(store):
    first = load(FIXTURE, store)
    assert first.created["nodes"] > 0 and first.created["relationships"] > 0
    before = store.snapshot()
    second = load(FIXTURE, store)
    assert second.created == {"nodes": 0, "relationships": 0}
    assert second.existing == first.created
    assert store.snapshot() == before
    history = store.load_history()
    assert list(history["status"]) == ["complete"]
    assert len(store.incomplete_loads()) == 0


def test_two_flows_between_the_same_pair_stay_two(store):
    load(FIXTURE, store)
    flows = store.funding_flows()
    pair = flows[(flows.donor_id == "evil") & (flows.recipient_id == "iite")]
    assert sorted(pair.flow_id) == ["f1", "f2"]
    assert sorted(pair.amount) == [250, 500]


def test_flows_are_listed_in_flow_id_order_whatever_order_they_were_written_in(neo):
    """The embedded store keeps its flows in id order at every write and lists them so,
    with no sort of its own; a server sorts what it sends. Both give one listing."""
    from graph.store.batch import GraphBatch

    def flows(ids):
        rels = [{"id": i, "start": "evil", "end": "iite", "props": {"year": 2025}} for i in ids]
        return GraphBatch(rels={("FUNDS", "Organization", "Organization"): rels})

    listed = []
    for s in (MemoryStore(), neo):
        load(FIXTURE, s)
        s.write(flows(["f9", "f10", "f0"]))
        s.write(flows(["f5", "f1"]))  # f1 known: written again, in its place
        s.remove_ids(["f3"])
        listed.append(s.funding_flows())
    assert list(listed[0]["flow_id"]) == ["f0", "f1", "f10", "f2", "f4", "f5", "f9"]
    pd.testing.assert_frame_equal(listed[0], listed[1], check_dtype=False)


def test_names_with_cypher_and_html_round_trip(store):
    load(FIXTURE, store)
    orgs = store.node_table("Organization").set_index("id")
    assert orgs.loc["evil", "name"] == "<img src=x onerror=alert(1)>"
    assert orgs.loc["cypher", "name"] == 'Acme"}) DETACH DELETE n // {braces} MATCH'
    assert orgs.loc["script", "name"] == "</script><script>alert(1)</script>"
    assert store.node_table("Project").set_index("id").loc["p1", "description"] == (
        "Line one\nline two, with comma"
    )
    assert len(orgs) == 5  # nothing was deleted by the name


FILTERS = [
    ("Organization", Filters(sector="un_system")),
    ("Organization", Filters(region="focus:eeca")),
    ("Organization", Filters(country="KAZ")),
    ("Project", Filters(year_from=2025, year_to=2025)),
    ("Project", Filters(year_to=2022)),
    ("Project", Filters(region="focus:eeca")),
    ("Project", Filters(country="MUS")),
    ("Project", Filters(sector="private_company")),
    ("Event", Filters(year_from=2025)),
    ("Event", Filters(country="RUS")),
    ("Event", Filters(region="focus:eeca", sector="foundation")),
    ("Network", Filters(country="KAZ")),
    ("Network", Filters(sector="university")),
    ("Country", Filters(region="unesco:africa")),
]


def test_filters_answer_the_same_on_both_stores(neo):
    mem = MemoryStore()
    load(FIXTURE, mem)
    load(FIXTURE, neo)
    for label, f in FILTERS:
        a = list(mem.nodes(label, f)["id"])
        b = list(neo.nodes(label, f)["id"])
        assert a == b, (label, f)
    for f in (
        Filters(),
        Filters(year_from=2025),
        Filters(sector="foundation"),
        Filters(region="focus:eeca"),
    ):
        a, b = mem.funding_flows(f), neo.funding_flows(f)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_filter_meanings(store):
    load(FIXTURE, store)
    ids = lambda label, **kw: list(store.nodes(label, Filters(**kw))["id"])  # noqa: E731
    assert ids("Organization", region="focus:eeca") == ["evil", "iite", "unit"]
    assert ids("Project", year_to=2022) == ["p1"]
    assert ids("Project", region="focus:eeca") == ["p1"]
    assert ids("Event", country="RUS") == ["e2"]  # took part, held in KAZ
    assert ids("Country", region="unesco:africa") == ["MUS"]
    assert list(store.funding_flows(Filters(year_from=2025))["flow_id"]) == ["f2", "f3", "f4"]


def test_neighbourhood_is_the_same_on_both_stores(neo):
    mem = MemoryStore()
    load(FIXTURE, mem)
    load(FIXTURE, neo)
    for depth in (0, 1, 2):
        n1, r1 = mem.neighbourhood("Organization", "evil", depth)
        n2, r2 = neo.neighbourhood("Organization", "evil", depth)
        pd.testing.assert_frame_equal(n1, n2, check_dtype=False)
        pd.testing.assert_frame_equal(r1, r2, check_dtype=False)
    nodes, rels = mem.neighbourhood("Organization", "evil", 1)
    assert set(nodes["id"]) == {"evil", "KAZ", "iite", "p1", "n1"}
    assert mem.neighbourhood("Organization", "nobody", 2)[0].empty


def test_wrong_password_is_a_clear_error(bolt):
    s = neo_settings(bolt)
    bad = Neo4jSettings(uri=s.uri, user=s.user, password=s.password + "x", database=s.database)
    t0 = time.monotonic()
    with pytest.raises(AuthenticationFailed, match="refused user"):
        Neo4jStore(bad)
    assert time.monotonic() - t0 < 15


def test_server_down_is_a_clear_error():
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable, match="no Bolt server is answering at bolt://127.0.0.1:9"):
        Neo4jStore(Neo4jSettings(uri="bolt://127.0.0.1:9", timeout=2))
    assert time.monotonic() - t0 < 10


def _big_folder(tmp_path: Path, n: int) -> Path:
    """The minimal fixture plus ``n`` generated organizations: a load that takes a while."""
    import shutil

    dst = tmp_path / "big"
    shutil.copytree(FIXTURE, dst)
    with (dst / "organizations.csv").open("a", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"gen{i},Generated {i},,ngo,ngo,KAZ,,,s1,Test sentence.\n")
    return dst


def test_killed_load_leaves_no_partial_graph_and_rerun_completes(neo, bolt, tmp_path):
    folder = _big_folder(tmp_path, 20000)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = textwrap.dedent(
        f"""
        from graph.store.neo4j import Neo4jStore
        from graph.store.settings import Neo4jSettings
        from loaders.load import load
        s = Neo4jSettings(uri={bolt.uri!r}, user={bolt.user!r}, password={bolt.password!r},
                          database={bolt.database!r}, timeout=10)
        load({str(folder)!r}, Neo4jStore(s))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            h = neo.load_history()
            if len(h) and (h["status"] == "started").any():
                break
            assert proc.poll() is None, "the load finished before it could be interrupted"
            time.sleep(0.05)
        else:
            pytest.fail("the load never started")
        time.sleep(0.3)  # well inside the transaction
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # Either nothing of the load is visible, or the whole of it; and the marker says so.
    orgs = len(neo.node_table("Organization"))
    assert orgs in (0, 20005)
    unfinished = neo.incomplete_loads()
    assert len(unfinished) == 1 and unfinished["source"][0] == str(folder)
    report = load(folder, neo)
    assert len(neo.node_table("Organization")) == 20005
    assert len(neo.incomplete_loads()) == 0
    assert report.created["nodes"] + report.existing["nodes"] == 20005 + 2 + 1 + 2 + 3 + 2 + 1


def test_missing_database_is_a_clear_error(bolt):
    from graph.errors import DatabaseNotFound

    s = neo_settings(bolt)
    with pytest.raises(DatabaseNotFound, match="has no database 'no_such_db'"):
        Neo4jStore(
            Neo4jSettings(uri=s.uri, user=s.user, password=s.password, database="no_such_db")
        )


def test_cli_load_twice_reports_created_then_existing(bolt, neo, capsys, monkeypatch):
    from loaders.__main__ import main as cli

    monkeypatch.delenv("NEO4J_URI", raising=False)
    args = ["load", str(FIXTURE), "--uri", bolt.uri, "--user", bolt.user]
    # "=" form: a generated password may start with "-", which argparse would read as an option
    args += [f"--password={bolt.password}", "--database", bolt.database]
    assert cli(args) == 0
    first = capsys.readouterr().out
    assert (
        "Created 16 nodes and 25 relationships; 0 nodes and 0 relationships were already there."
        in first
    )
    assert "  Organization: 5 created, 0 already there" in first
    assert bolt.password not in first
    assert cli(args) == 0
    second = capsys.readouterr().out
    assert (
        "Created 0 nodes and 0 relationships; 16 nodes and 25 relationships were already there."
        in second
    )


def test_a_reload_of_the_same_records_writes_nothing_unless_another_load_came_between(
    store, tmp_path
):
    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    funding = other / "funding.csv"
    funding.write_text(
        funding.read_text(encoding="utf-8").replace(",500,", ",900,"), encoding="utf-8"
    )
    first = load(FIXTURE, store)
    again = load(FIXTURE, store)
    assert again.created == {"nodes": 0, "relationships": 0}
    assert again.existing == first.created
    clash = load(other, store)  # another source says 900 for f1: kept, reported
    assert [c.what() for c in clash.conflicts] == [
        f"funding flow f1: {f} is 500 from {FIXTURE}; this load has 900 (kept as it was)"
        for f in ("amount", "amount_usd")
    ]
    assert store.funding_flows().set_index("flow_id").at["f1", "amount"] == 500
    load(other, store, replace=True)  # the user says the other source is right
    assert store.funding_flows().set_index("flow_id").at["f1", "amount"] == 900
    load(FIXTURE, store, replace=True)  # not the newest load any more: written again
    assert store.funding_flows().set_index("flow_id").at["f1", "amount"] == 500
    # new ids are created, known ones merged: never a second relationship with one id
    text = funding.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("f1,"))
    funding.write_text(text + line.replace("f1,", "f99,", 1) + "\n", encoding="utf-8")
    report = load(other, store, replace=True)
    assert report.rels_created.get("FUNDS") == 1
    ids = store.rel_table("FUNDS")["id"]
    assert ids.is_unique and store.counts()["relationships"]["FUNDS"] == len(ids)
    assert store.funding_flows().set_index("flow_id").at["f99", "amount"] == 900


def test_the_routing_scheme_reads_and_writes_through_the_routing_table(bolt):
    uri = bolt.uri.replace("bolt://", "neo4j://", 1)
    if not uri.startswith("neo4j"):
        pytest.skip(f"the server's URI {bolt.uri} has no routing variant")
    with Neo4jStore(neo_settings(bolt, uri=uri)) as routed:
        routed.clear()
        load(FIXTURE, routed)
        mem = MemoryStore()
        load(FIXTURE, mem)
        assert routed.counts() == mem.counts()
        pd.testing.assert_frame_equal(
            routed.funding_totals(("donor", "year")), mem.funding_totals(("donor", "year"))
        )
        routed.clear()


def _queries_sent(neo, monkeypatch) -> list:
    """The list each query the server store ``neo`` sends from now on is appended to."""
    asked: list = []
    run = neo._run
    monkeypatch.setattr(neo, "_run", lambda q, *a, **k: asked.append(q) or run(q, *a, **k))
    return asked


def test_a_server_store_reads_an_aggregate_once_inside_a_reading_block(neo, monkeypatch):
    """Outside ``reading()`` every call asks the server (its data may change under the
    app); inside, one aggregate is asked for once, whatever order its keys come in, and the
    answer is the same as asking each time."""
    load(FIXTURE, neo)
    asked = _queries_sent(neo, monkeypatch)
    first = neo.funding_totals(("project", "donor"))
    neo.funding_totals(("project", "donor"))
    outside = len(asked)
    asked.clear()
    with neo.reading():
        inside = neo.funding_totals(("project", "donor"))
        neo.funding_totals(("donor", "project"))
        neo.funding_totals(("target_region", "donor"))  # needs the same sums
    assert outside == 2
    assert sum("sum(r.amount_usd)" in q for q in asked) == 1  # the sums, once
    pd.testing.assert_frame_equal(inside, first)
    asked.clear()
    neo.funding_totals(("project", "donor"))
    assert len(asked) == 1  # the block is over: asked again


def test_a_server_store_reads_a_node_table_once_inside_a_reading_block(neo, monkeypatch):
    """Nodes that pass the filters are kept for the reading, as the sums are (regional
    balance asks for the organizations and the projects twice each), and each caller gets
    a copy of its own."""
    load(FIXTURE, neo)
    asked = _queries_sent(neo, monkeypatch)
    f = Filters(year_from=2025)
    with neo.reading():
        first = neo.nodes("Project", f)
        first["id"] = "changed by its caller"
        again = neo.nodes("Project", f)
        neo.nodes("Project")  # other filters: another read
    assert sum("MATCH (n:Project)" in q for q in asked) == 2
    assert "changed by its caller" not in set(again["id"])
    pd.testing.assert_frame_equal(again, neo.nodes("Project", f))


def test_a_projects_donors_and_money_are_one_pass_over_the_ties_on_a_server(neo, monkeypatch):
    """The server's pass that collects each project's donors adds up the same flows by
    project too and keeps those sums for the reading (the funding cliff asks for both):
    one pass over the funding ties, not two, and the sums the embedded store gives."""
    mem = MemoryStore()
    load(FIXTURE, mem)
    load(FIXTURE, neo)
    asked = _queries_sent(neo, monkeypatch)
    for f in (Filters(), Filters(year_from=2025), Filters(sector="foundation")):
        asked.clear()
        with neo.reading():
            neo.funding_pairs("project", "donor", f)
            sums = neo.funding_totals(("project",), f)
        assert sum("FUNDS" in q for q in asked) == 1, asked
        pd.testing.assert_frame_equal(sums, mem.funding_totals(("project",), f))
        assert len(sums), f
    asked.clear()
    with neo.reading():  # other flow types: their own pass, their own sums
        neo.funding_pairs("project", "donor")
        neo.funding_totals(("project",), flow_types=("income", "commitment"))
    assert sum("FUNDS" in q for q in asked) == 2


def _missing_none(row) -> tuple:
    """A row as a tuple, a missing value (None, or NaN from a categorical) as None."""
    return tuple(None if pd.isna(v) else v for v in row)


def test_funding_pairs_are_the_same_on_both_stores(neo):
    mem = MemoryStore()
    load(FIXTURE, mem)
    load(FIXTURE, neo)
    for a, b in (("project", "donor"), ("donor", "year"), ("recipient", "channel")):
        for f in (Filters(), Filters(year_from=2025)):
            got = [sorted(map(_missing_none, s.funding_pairs(a, b, f).to_numpy()), key=str)
                   for s in (mem, neo)]  # fmt: skip
            want = mem.funding_totals((a, b), f)
            want = want[want[b].notna()][[a, b]].to_numpy().tolist()
            assert got[0] == got[1] == sorted(map(tuple, want), key=str), (a, b, f)
            assert got[0], (a, b, f)


def test_partners_in_role_are_the_same_on_both_stores(neo):
    mem = MemoryStore()
    load(FIXTURE, mem)
    load(FIXTURE, neo)
    roles = set(mem.rel_table("PARTNER_IN")["role"].dropna())
    assert roles
    for role in sorted(roles) + ["nobody has this role"]:
        a, b = (
            sorted(map(tuple, s.partners_in_role(role).to_numpy().tolist())) for s in (mem, neo)
        )
        assert a == b, role


def test_the_ties_of_one_node_are_the_same_on_both_stores(neo):
    from graph.analyses.network import PARTNERSHIP_RELS

    mem = MemoryStore()
    load(FIXTURE, mem)
    load(FIXTURE, neo)
    inst = main_recipient(mem)
    picks = [("Organization", inst), ("Organization", "nobody")]
    picks += [("Project", mem.node_table("Project")["id"].iloc[0])]
    picks += [("Event", mem.node_table("Event")["id"].iloc[0])]
    for label, i in picks:
        a, b = (s.ties_of(label, i, PARTNERSHIP_RELS) for s in (mem, neo))
        assert list(a.columns[:6]) == list(b.columns[:6])
        cols = ["type", "id", "start_label", "start", "end_label", "end", "quote", "source_id"]
        if len(a):
            assert a[cols].astype(str).values.tolist() == b[cols].astype(str).values.tolist()
        assert len(a) == len(b), (label, i)
        touching = [
            t
            for t in PARTNERSHIP_RELS
            for r in mem.rel_table(t).itertuples()
            if (r.start_label, r.start) == (label, i) or (r.end_label, r.end) == (label, i)
        ]
        assert len(a) == len(touching), (label, i)


def test_who_takes_part_in_money_is_the_same_on_both_stores(neo):
    """``GraphStore.in_money``: a server tests each organization for one funding tie, the
    embedded store reads its flows' codes; both name the donors and recipients of the sums
    (every flow type), and published data loaded as external stays out."""
    from graph.schema import FLOW_TYPES

    mem = MemoryStore()
    published = ROOT / "tests" / "fixtures" / "real" / "iati" / "CD.xml"
    for s in (mem, neo):
        load(FIXTURE, s)
        load(published, s, external=True)
    own = mem.funding_totals(("donor", "recipient"), flow_types=FLOW_TYPES)
    want = set(own["donor"]) | set(own["recipient"])
    ext = mem.funding_totals(("donor", "recipient"), Filters(external=True), flow_types=FLOW_TYPES)
    only_published = (set(ext["donor"]) | set(ext["recipient"])) - want - {None}
    assert only_published  # the published file brings organizations of its own
    assert mem.in_money() == neo.in_money() == want
    partner_only = set(mem.node_table("Organization")["id"]) - want - only_published
    assert partner_only  # the fixture's organizations with no flow are not named


def test_the_projects_an_organization_gives_or_receives_money_for_are_the_same_on_both_stores(
    neo,
):
    """``GraphStore.money_projects``: the embedded store reads one mask over its flows'
    codes, a server sums; both give the projects of the organization's own flows (any
    flow type, either end) as a plain listing finds them, published data left out."""
    mem = MemoryStore()
    published = ROOT / "tests" / "fixtures" / "real" / "iati" / "CD.xml"
    for s in (mem, neo):
        load(FIXTURE, s)
        load(published, s, external=True)
    flows = mem.funding_flows()  # the data's own flows, every type
    assert set(mem.funding_flows(Filters(external=True))["project_id"].dropna())
    for org in sorted(set(flows["donor_id"]) | set(flows["recipient_id"])):
        mine = flows[(flows["donor_id"] == org) | (flows["recipient_id"] == org)]
        want = frozenset(mine["project_id"].dropna())
        assert mem.money_projects(org) == neo.money_projects(org) == want, org
    assert mem.money_projects("no-such-org") == neo.money_projects("no-such-org") == frozenset()


def test_links_of_the_flows_are_their_pairs_repeats_and_all(neo):
    """``GraphStore.funding_links``: the embedded store hands each flow's ends (a pair
    once per flow whose second end is known), a server its distinct pairs; both hold
    the pairs :meth:`funding_pairs` finds, and nothing else."""
    from graph.schema import FLOW_TYPES

    mem = MemoryStore()
    for s in (mem, neo):
        load(DATA_DIR, s)
    repeated, flows = 0, mem.funding_flows()
    for a, b in (("project", "donor"), ("project", "recipient"), ("donor", "year")):
        want = mem.funding_pairs(a, b, flow_types=FLOW_TYPES).astype(object)
        want = set(map(tuple, want.where(want.notna(), None).to_numpy().tolist()))
        per_flow = flows[flows[FLOW_KEY_COLUMNS[b]].notna()]
        for s in (mem, neo):
            links = s.funding_links(a, b, flow_types=FLOW_TYPES).astype(object)
            got = list(map(tuple, links.where(links.notna(), None).to_numpy().tolist()))
            assert set(got) == want, (s, a, b)
        assert len(mem.funding_links(a, b, flow_types=FLOW_TYPES)) == len(per_flow)
        repeated += len(per_flow) - len(want)
    assert repeated  # the data has pairs of more than one flow, and they stay


#: The column of :meth:`GraphStore.funding_flows` each flow key is read from.
FLOW_KEY_COLUMNS = {"donor": "donor_id", "recipient": "recipient_id", "year": "year"}


def test_a_portfolio_reads_its_partners_only_when_a_figure_counts_them(neo, monkeypatch):
    """The funding cliff and the donors ending never count partners: on a server their
    portfolio skips the pass that collects each project's donors and recipients and the
    partner pairs. A figure that counts partners reads them once, beside the rest, and
    both ways give the embedded store's partners."""
    from graph.analyses import donors_ending, funding_cliff, regional_balance
    from graph.analyses.portfolio import portfolio
    from graph.store import cypher
    from graph.store.neo4j import PARTY_FACTS

    mem = MemoryStore()
    load(DATA_DIR, mem)
    load(DATA_DIR, neo)
    asked = _queries_sent(neo, monkeypatch)

    def sent(query):
        return sum(q == cypher.packed(query, PARTY_FACTS) for q in asked)

    for figure in (funding_cliff, lambda s: donors_ending(s, by="2026-12-31")):
        neo.forget_reads()
        asked.clear()
        figure(neo)
        assert not sent(cypher.PROJECT_PARTIES)
        assert not any("[r:PARTNER_IN]->(b)" in q for q in asked)  # the pairs: not read
    neo.forget_reads()
    asked.clear()
    regional_balance(neo)
    assert sent(cypher.PROJECT_PARTIES) == 1
    want = portfolio(mem).partners
    assert want  # the bundled institute has partners
    neo.forget_reads()
    assert portfolio(neo).partners == want  # read when first counted
    neo.forget_reads()
    assert portfolio(neo, partners=True).partners == want  # read beside the rest
