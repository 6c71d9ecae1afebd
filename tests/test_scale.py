"""The scale machinery: the portfolio generator, the memory store's columnar funding core and
the layout of big graphs. Correctness only; the figures are the benchmarks' (``python -m
bench``), never timed here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from graph.analyses import coverage, donor_concentration, donor_totals, funding_cliff
from graph.analyses.layout import LAYOUT_EXACT_UP_TO, graph_layout
from graph.analyses.network import partnership_graph
from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from loaders.generate import generate
from loaders.load import check, load, load_rows
from loaders.readers import read_path
from tests.bolt_server import bolt_env
from tests.conftest import neo_settings

ROOT = Path(__file__).resolve().parent.parent


def test_the_generator_is_deterministic_and_writes_valid_records(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    sizes = generate(a, flows=500, seed=3)
    generate(b, flows=500, seed=3)
    for f in sorted(a.glob("*.csv")):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name
    generate(b, flows=500, seed=4)
    assert (a / "funding.csv").read_bytes() != (b / "funding.csv").read_bytes()
    records, problems = check(a)
    assert problems == []
    assert records.count("funding") == sizes["funding"] == 500
    (flows,) = records.frames["funding"]  # a funding CSV is checked as columns
    quotes = set(flows["quote"])
    assert quotes == {"Generated record (synthetic test data)."}


def test_the_generator_has_skewed_donors_several_currencies_and_unknown_amounts(tmp_path):
    generate(tmp_path, flows=2000, seed=1)
    flows = pd.read_csv(tmp_path / "funding.csv", dtype=str, keep_default_na=False)
    usd = pd.to_numeric(flows["amount_usd"], errors="coerce")
    by_donor = usd.groupby(flows["donor_id"]).sum().sort_values(ascending=False)
    assert by_donor.iloc[:3].sum() > 0.3 * by_donor.sum()  # a few donors give much
    assert {"USD", "EUR", "GBP"} <= set(flows["currency"])
    assert (flows["amount"] == "").sum() > 0
    assert set(flows["kind"]) == {"cash", "in_kind"}


def test_generate_on_the_command_line(tmp_path):
    out = tmp_path / "p"
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "generate", "--flows", "50", "--seed", "2", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "50 funding" in done.stdout
    assert len(pd.read_csv(out / "funding.csv")) == 50


def test_funding_flows_are_a_table_not_graph_edges(tmp_path):
    generate(tmp_path, flows=300, seed=5)
    store = MemoryStore()
    load(tmp_path, store)
    assert len(store.flows) == 300
    assert all(d["type"] != "FUNDS" for *_, d in store.graph.edges(keys=True, data=True))
    assert store.counts()["relationships"]["FUNDS"] == 300
    assert len(store.rel_table("FUNDS")) == 300
    load(tmp_path, store)  # a re-load changes nothing
    assert len(store.flows) == 300


def test_a_generated_portfolio_gives_the_same_answers_on_both_stores(neo, tmp_path):
    generate(tmp_path, flows=400, seed=6)
    mem = MemoryStore()
    load(tmp_path, mem)
    load(tmp_path, neo)
    for by in (("donor",), ("year", "channel"), ("project", "donor"), ("target_region",)):
        pd.testing.assert_frame_equal(mem.funding_totals(by), neo.funding_totals(by))
    assert coverage(mem) == coverage(neo)
    pd.testing.assert_frame_equal(donor_totals(mem), donor_totals(neo))
    a, b = donor_concentration(mem), donor_concentration(neo)
    assert a["high"] == b["high"] and a["low"] == b["low"]
    pd.testing.assert_frame_equal(funding_cliff(mem), funding_cliff(neo))


@pytest.mark.parametrize("extra", [5, 400])
def test_a_big_graph_is_laid_out_whole_and_the_same_every_time(extra):
    g = nx.barabasi_albert_graph(LAYOUT_EXACT_UP_TO + extra, 2, seed=1)
    g.add_nodes_from(["lone-1", "lone-2"])
    pos = graph_layout(g)
    assert set(pos) == set(g.nodes)
    assert pos == graph_layout(g)
    assert len(set(pos.values())) > 0.99 * len(pos)  # nodes do not sit on top of each other


def test_relationships_are_counted_per_pair_the_same_on_both_stores(neo, tmp_path):
    generate(tmp_path, flows=300, seed=8)
    mem = MemoryStore()
    load(tmp_path, mem)
    load(tmp_path, neo)
    for rel in ("FUNDS", "PARTNER_IN", "TARGETS"):
        a, b = mem.rel_pairs(rel), neo.rel_pairs(rel)
        pd.testing.assert_frame_equal(a, b)
        assert a["count"].sum() == len(mem.rel_table(rel))
    g_mem, g_neo = partnership_graph(mem), partnership_graph(neo)
    assert sorted(g_mem.edges(data="weight")) == sorted(g_neo.edges(data="weight"))


def test_a_load_reports_its_progress_on_both_stores(neo, tmp_path):
    generate(tmp_path, flows=2500, seed=9)
    for store in (MemoryStore(), neo):
        seen: list[tuple[int, int]] = []
        load_rows(
            *read_path(tmp_path), store, source="p", progress=lambda d, t, s=seen: s.append((d, t))
        )
        total = seen[0][1]
        assert seen[0] == (0, total) and seen[-1] == (total, total)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)
        if store is neo:  # sent in batches: progress in between
            assert len(seen) > 3


def test_the_load_command_prints_progress(bolt, tmp_path):
    generate(tmp_path / "p", flows=1500, seed=10)
    env = bolt_env(bolt)
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "load", str(tmp_path / "p")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "written" in done.stderr and "rows/s" in done.stderr
    with Neo4jStore(neo_settings(bolt)) as s:
        assert s.counts()["relationships"]["FUNDS"] == 1500
        s.clear()


def test_a_nodes_details_list_each_flow_or_sum_them_per_pair(tmp_path, monkeypatch):
    from graph.analyses import drawing

    generate(tmp_path, flows=600, seed=8)
    store = MemoryStore()
    load(tmp_path, store)
    d = drawing.partner_drawing(store)
    flows = store.rel_table("FUNDS")
    flows = flows[flows["start"] != flows["end"]]
    top = pd.concat([flows["start"], flows["end"]]).value_counts().index[0]
    mine = flows[(flows["start"] == top) | (flows["end"] == top)]
    assert len(mine) > 5
    monkeypatch.setattr(drawing, "FLOWS_LISTED_UP_TO", len(mine))
    each = drawing.node_details(store, d, f"Organization:{top}")
    listed = each.ties[each.ties["type"] == "FUNDS"]
    assert not each.summed and len(listed) == len(mine)
    assert listed["quote"].notna().all() and listed["source_id"].notna().all()
    monkeypatch.setattr(drawing, "FLOWS_LISTED_UP_TO", 5)
    summed = drawing.node_details(store, d, f"Organization:{top}")
    funds = summed.ties[summed.ties["type"] == "FUNDS"]
    assert summed.summed and funds["flows"].sum() == len(mine)  # every flow counted once
    other = mine["end"].where(mine["start"] == top, mine["start"])
    per_pair = pd.to_numeric(mine["amount_usd"], errors="coerce").groupby(
        [mine["start"], mine["end"]]
    )
    assert len(funds) == per_pair.ngroups
    money = per_pair.sum(min_count=1)  # a pair with no stated amount has none
    assert sorted(funds["amount_usd"].round(2).fillna(-1)) == sorted(money.round(2).fillna(-1))
    assert set(funds["other"]) == {f"Organization:{o}" for o in other}
    rest = [t[t["type"] != "FUNDS"].reset_index(drop=True) for t in (each.ties, summed.ties)]
    pd.testing.assert_frame_equal(*rest, check_dtype=False)


def test_the_drawing_groups_what_it_cannot_show_and_counts_the_ties(tmp_path):
    from graph.analyses.drawing import partner_drawing
    from graph.analyses.layout import positions
    from views.netviz import build_network_html

    generate(tmp_path, flows=2000, seed=9)
    store = MemoryStore()
    load(tmp_path, store)
    d = partner_drawing(store)
    pos = positions(d.adjacency)
    html, info = build_network_html(d, pos, size_by="money", max_nodes=60)
    assert info["capped"] and info["shown"] + info["groups"] <= 60
    assert info["shown"] + info["grouped"] == len(d.nodes)
    assert info["groups"] >= 2 and "grey groups (hexagons)" in html
    kept = d.nodes.sort_values("usd", ascending=False).head(info["shown"])
    assert all(n[:20] in html for n in kept["name"].head(10))  # the richest are drawn
    _, by_ties = build_network_html(d, pos, size_by="none", max_nodes=60)
    assert by_ties["kept_by"] == "the most ties"
