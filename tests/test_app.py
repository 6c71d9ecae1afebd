"""The app under Streamlit's AppTest: every page, both stores, the main widgets, safety.

* Every page renders without an exception on the in-memory store (bundled data and the XSS
  fixture) and on the Bolt server (``bolt`` fixture, loaded with the XSS fixture).
* Filters, the ego view, the scenario selection and the region picker change what is shown.
* A failed connection shows the message in the sidebar and the pages still work.
* Names from data reach Markdown escaped, and the network page inlines its scripts.
* The read-only console refuses writes, ``LOAD CSV``, writing procedures and slow queries,
  caps rows, and really writes nothing on the Bolt server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import socket
import warnings
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.errors import QueryRefused
from graph.store.console import check_query, run_read_only
from graph.store.settings import Neo4jSettings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "minimal"
XSS = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>")

PAGES = {
    "views/overview.py": "Overview",
    "views/concentration.py": "Donor concentration",
    "views/regional.py": "Regional balance",
    "views/network.py": "Partnership network",
    "views/scenarios.py": "Scenarios",
    "views/strategy.py": "Strategy",
    "views/prospects.py": "Prospects",
    "views/collaborations.py": "Collaborations by region",
    "views/data.py": "Data",
}


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    """Each test chooses its own store: no Neo4j settings, no data folder, empty caches."""
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "NEO4J_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("EXPLORER_DATA_DIR", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_page(page: str, *, timeout: float = 120) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.switch_page(page)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        at.run()
    return at


def assert_ok(at: AppTest, title: str):
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title][:1] == [title]


def srcdocs(at: AppTest) -> list[str]:
    """The HTML of every st.iframe on the page."""
    out = []
    for node in _walk(at.main):
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "iframe" and proto is not None:
            out.append(proto.srcdoc)
    return out


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def sidebar_text(at: AppTest) -> str:
    parts = [e.value for e in at.sidebar.error] + [e.value for e in at.sidebar.caption]
    parts += [e.value for e in at.sidebar.markdown] + [e.value for e in at.sidebar.info]
    parts += [e.value for e in at.sidebar.success]
    return "\n".join(parts)


def all_markdown(at: AppTest) -> list[str]:
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    texts += [m.value for m in at.sidebar.markdown] + [h.value for h in at.header]
    texts += (
        [h.value for h in at.subheader] + [e.value for e in at.info] + [e.value for e in at.warning]
    )
    return texts


# ------------------------------------------------------------------------- every page


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_render_on_bundled_data(page):
    at = run_page(page)
    assert_ok(at, PAGES[page])
    assert "In-memory store" in sidebar_text(at)


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_render_on_xss_fixture_with_names_escaped(page, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page(page)
    assert_ok(at, PAGES[page])
    for text in all_markdown(at):
        # a name may appear in Markdown only with its markup characters escaped (\<img ...)
        assert not re.search(r"(?<!\\)<(img|script|/script)", text), text
    for html in srcdocs(at):
        assert "<img src=x" not in html
        assert "</script><script>alert(1)" not in html
        assert "https://" not in html.split("<script>", 1)[0], "no external stylesheet"
        assert not re.search(r"<script[^>]+src=", html), "every script is inlined"


@pytest.fixture
def on_bolt(bolt, monkeypatch):
    """The app configured for the session's Bolt server, loaded with the XSS fixture."""
    from graph.store.neo4j import Neo4jStore
    from loaders.load import load

    settings = Neo4jSettings(bolt.uri, bolt.user, bolt.password, bolt.database)
    with Neo4jStore(settings) as store:
        store.clear()
        load(FIXTURE, store)
    monkeypatch.setenv("NEO4J_URI", bolt.uri)
    monkeypatch.setenv("NEO4J_USER", bolt.user)
    monkeypatch.setenv("NEO4J_PASSWORD", bolt.password)
    monkeypatch.setenv("NEO4J_DATABASE", bolt.database)
    return bolt


@pytest.mark.bolt
@pytest.mark.parametrize("page", list(PAGES))
def test_pages_render_on_bolt_server(page, on_bolt):
    at = run_page(page)
    assert_ok(at, PAGES[page])
    side = sidebar_text(at)
    assert "Connected to Neo4j" in side
    assert on_bolt.database in side
    assert on_bolt.password not in side or not on_bolt.password


@pytest.mark.bolt
def test_server_store_dropped_from_the_cache_is_closed(on_bolt):
    """The retry button and a cleared cache drop the server store; its driver is closed
    then, not left open for the garbage collector."""
    from graph.errors import StoreError
    from views.state import get_store

    at = run_page("views/overview.py")
    assert_ok(at, "Overview")
    store, error = get_store()  # the one the page used: cached for every session
    assert error is None and store.kind == "neo4j"
    store.ping()
    st.cache_resource.clear()
    with pytest.raises(StoreError):
        store.ping()
    fresh, _ = get_store()
    assert fresh is not store
    fresh.ping()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failed_connection_shows_message_and_app_stays_usable(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pw")
    monkeypatch.setenv("NEO4J_TIMEOUT", "1")
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/overview.py")
    assert_ok(at, "Overview")
    errors = [e.value for e in at.sidebar.error]
    assert errors and "Could not use the configured Neo4j server" in errors[0]
    assert "s3cret-pw" not in "\n".join(errors)
    assert "bundled data" in sidebar_text(at)
    at.switch_page("views/concentration.py").run()
    assert_ok(at, "Donor concentration")


# ------------------------------------------------------------------------------ widgets


def _caption_with(at, word):
    return [c.value for c in at.caption if word in c.value]


def test_network_filters_and_ego_view_change_the_drawing(monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/network.py")
    assert_ok(at, "Partnership network")
    whole = _caption_with(at, "ties drawn")[0]
    html_before = srcdocs(at)[0]
    # the chosen node's facts read as words: the loads it came from, not a Python tuple
    facts = next(d.value for d in at.dataframe if list(d.value.columns) == ["field", "value"])
    loaded = facts.set_index("field")["value"].get("Loaded from")
    assert loaded and not loaded.startswith(("(", "[")), loaded
    assert "vis.Network" in html_before and "data-drawn" in html_before

    at.selectbox(key="net-country").set_value("KAZ").run()
    assert_ok(at, "Partnership network")
    assert "match the filters" in _caption_with(at, "ties drawn")[0]
    html_filtered = srcdocs(at)[0]
    assert html_filtered != html_before  # dimmed colours changed

    # positions stay put: the x/y of every node are the same with and without the filter
    def xy(html):
        return sorted(re.findall(r'"x": (-?[\d.]+), "y": (-?[\d.]+)', html))

    assert xy(html_filtered) == xy(html_before)

    at.selectbox(key="net-country").set_value(None).run()
    at.selectbox(key="net-ego").set_value("Organization:script").run()
    assert_ok(at, "Partnership network")
    ego = _caption_with(at, "ties drawn")[0]
    assert ego != whole
    assert int(ego.split()[0]) < int(whole.split()[0])

    at.radio(key="net-colour").set_value("kind").run()
    at.radio(key="net-size").set_value("centrality").run()
    assert_ok(at, "Partnership network")
    assert "betweenness centrality" in srcdocs(at)[0]


def test_scenario_selection_changes_concentration(monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/scenarios.py")
    assert_ok(at, "Scenarios")
    at.multiselect(key="scn-remove").set_value(["evil"]).run()
    assert_ok(at, "Scenarios")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["HHI before"] != metrics["HHI after"]
    assert metrics["HHI after"] == "10,000"  # one donor with a known amount is left
    tables = [t.value for t in at.dataframe]
    assert any('Project "One"' in set(map(str, t.get("project", []))) for t in tables)

    at.multiselect(key="scn-remove").set_value([]).run()
    at.toggle(key="scn-add").set_value(True).run()
    at.number_input(key="scn-usd").set_value(1.0).run()
    assert_ok(at, "Scenarios")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["HHI after"] != metrics["HHI before"]


def test_scenarios_count_the_money_the_institute_receives(monkeypatch, tmp_path):
    """A donor that also gives to another organization (as a donor agency's data does): the
    Scenarios page's money before is the institute's, the figure the Overview and Donor
    concentration give, not every recipient's."""
    import shutil

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    with open(tmp_path / "funding.csv", "a", encoding="utf-8") as f:
        f.write(
            "f5,cypher,script,,2025,900,USD,900,,cash,extrabudgetary,,false,s1,Test sentence.\n"
        )
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    at = run_page("views/overview.py")
    assert_ok(at, "Overview")
    known = {m.label: m.value for m in at.metric}["Known donor funding"]
    at = run_page("views/scenarios.py")
    assert_ok(at, "Scenarios")
    before = {m.label: m.value for m in at.metric}["Known donor money before"]
    assert known == before == "USD 762", (known, before)  # 750 + 12, not the gift of 900


def test_region_picker_changes_collaborations(monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/collaborations.py")
    assert_ok(at, "Collaborations by region")
    at.radio(key="collab-kind").set_value("Country").run()
    at.selectbox(key="collab-country").set_value("KAZ").run()
    kaz = {m.label: m.value for m in at.metric}
    at.selectbox(key="collab-country").set_value("MUS").run()
    mus = {m.label: m.value for m in at.metric}
    assert kaz != mus
    assert kaz["Projects"] == "1" and mus["Projects"] == "1"
    assert kaz["Organizations"] == "3"
    at.radio(key="collab-kind").set_value("Region").run()
    at.selectbox(key="collab-region").set_value("unesco:africa").run()
    assert_ok(at, "Collaborations by region")
    assert {m.label: m.value for m in at.metric}["Projects"] == "1"
    # the console needs a server; the in-memory store says so
    assert any("needs a Neo4j connection" in i.value for i in at.info)


def test_concentration_period_and_regional_measure(monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/concentration.py")
    assert_ok(at, "Donor concentration")
    all_years = {m.label: m.value for m in at.metric}
    assert all_years["HHI (0–10,000)"] == "9,690"
    assert "HHI by channel" in all_years
    core = next(m for m in at.metric if m.label == "Core money")
    assert core.value.startswith("USD") and core.delta.endswith(" of known")
    at.get("button_group")[0].set_value("2024").run()
    assert {m.label: m.value for m in at.metric}["HHI (0–10,000)"] == "10,000"
    assert any(b.label == "Board report (PDF)" for b in at.get("download_button"))

    at = run_page("views/regional.py")
    assert_ok(at, "Regional balance")
    at.radio(key="geo-measure").set_value("partners").run()
    assert_ok(at, "Regional balance")
    assert any("Mauritius" in c.value for c in at.caption), "small states are listed as markers"


def _coverage_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Coverage of money received"))


def test_concentration_counts_the_institutes_money_like_the_report():
    """Bundled data: the board's page counts the money received by the institute (IITE, as
    ``python -m graph report`` does) unless every recipient is chosen."""
    from graph.analyses.funding import coverage
    from graph.analyses.scenarios import main_recipient
    from views.state import get_store

    at = run_page("views/concentration.py")
    assert_ok(at, "Donor concentration")
    store, _ = get_store()
    assert main_recipient(store) == "iite"
    ours, everyone = coverage(store, recipient="iite"), coverage(store)
    assert (ours["flows_with_amount"], ours["flows"]) == (8, 23)
    assert (everyone["flows_with_amount"], everyone["flows"]) == (8, 27)

    assert at.button_group(key="conc-recipient").value == "institute"
    assert "money received by IITE: 8 of 23 donor flows" in _coverage_caption(at)
    assert any(
        c.value.startswith("Figures for money received by UNESCO Institute for Information")
        for c in at.caption
    )
    assert any("money received by IITE, as chosen above" in c.value for c in at.caption), "report"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Top three (CR3)"] == "81–100 %"  # short enough for the metric

    at.button_group(key="conc-recipient").set_value("every").run()
    assert_ok(at, "Donor concentration")
    assert "every recipient in the data: 8 of 27 donor flows" in _coverage_caption(at)
    assert any("the institute and 2 other organizations" in c.value for c in at.caption)

    at.button_group(key="conc-recipient").set_value("institute").run()
    assert "8 of 23 donor flows" in _coverage_caption(at)


def test_overview_headline_matches_the_text_report():
    from graph.reports.findings import findings, render_report
    from graph.text import num, span
    from views.state import get_store

    at = run_page("views/overview.py")
    assert_ok(at, "Overview")
    f = findings(get_store()[0])
    lo, hi = f.concentration["low"], f.concentration["high"]
    metrics = {m.label: m for m in at.metric}
    hhi = metrics["Donor concentration (HHI)"].value
    assert metrics["Largest donor"].value == "UNESCO"  # named beside the HHI
    assert metrics["Largest donor"].delta == "61 % of known money"
    assert metrics["Donor flows with an amount"].value == "35 %"  # coverage as a figure
    assert metrics["Donor flows with an amount"].delta == "8 of 23"
    assert hhi == span(lo["hhi"], hi["hhi"], num) == "4,050 – 4,443"  # the page's style
    assert f"HHI {span(lo['hhi'], hi['hhi'], num, sep='–')} of 10,000" in render_report(f)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Money received by IITE: 8 of 23 donor flows") for c in captions)
    assert any("known donor money received by IITE" in c for c in captions)
    # like with like: the part-year channels are shown, not subtracted from a whole year
    changes = {m.label: m for m in at.metric}
    assert changes["Known funding (USD)"].value == "USD 837.2 k"
    assert changes["Known funding (USD)"].delta == "+USD 31.3 k"
    part = changes["Known funding for part of the year (USD)"]
    assert part.value == "USD 1.23 M" and part.delta == "2024: USD 1.51 M"
    assert any("first 7 months" in c and "not subtracted" in c for c in captions)


def test_board_report_states_its_recipient_and_follows_the_choice():
    from graph.reports import board as board_report
    from views.state import get_store

    store, _ = get_store()
    now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    rep = board_report.build(store, now=now)
    assert rep.recipient == "iite" and rep.filename("pdf") == "board-report-2026-01-02.pdf"
    assert "money received by <b>UNESCO Institute for Information Technologies" in rep.html
    assert "8 of 23 donor flows" in rep.html and "8 of 27" not in rep.html
    assert "<dt>Recipient</dt><dd>Only money received by UNESCO Institute" in rep.html
    everyone = board_report.build(store, recipient=None, now=now)
    assert "8 of 27 donor flows" in everyone.html
    assert "money received by <b>every recipient in the data</b>" in everyone.html
    assert everyone.filename("html") == "board-report-all-recipients-2026-01-02.html"
    assert rep.pdf.startswith(b"%PDF-") and everyone.pdf != rep.pdf
    # the page's buttons build the files when clicked, for the chosen recipient
    from views.state import board_download, board_filename

    assert board_download(store, "iite", "pdf")().startswith(b"%PDF-")
    html = board_download(store, None, "html")().decode("utf-8")
    assert "money received by <b>every recipient in the data</b>" in html
    assert board_filename(None, "pdf").startswith("board-report-all-recipients-")


def test_funding_cliff_window_changes_what_ends(monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/concentration.py")
    assert_ok(at, "Donor concentration")
    assert at.number_input(key="cliff-months").value == 12
    assert str(at.date_input(key="cliff-date").value) == "2025-08-15"

    def ending():
        said = [m.value for m in at.markdown if "agreement" in m.value and "Between" in m.value]
        projects = [t.value for t in at.dataframe if "ends (year)" in t.value.columns]
        donors = [t.value for t in at.dataframe if "last one ends (year)" in t.value.columns]
        return said[0], projects, donors

    said, projects, donors = ending()
    assert "**0 agreements** end" in said and not projects and not donors
    # the whole cliff is there whatever the window: p1 ends in 2026, p2 states no end year
    cliff = next(t.value for t in at.dataframe if "agreements end" in t.value.columns)
    assert list(cliff["agreements end"]) == ["2026", "not stated"]
    assert "project ids" not in cliff.columns  # titles, not ids, where a person reads
    assert any(b.label == "CSV" for b in at.get("download_button"))

    at.number_input(key="cliff-months").set_value(24).run()
    assert_ok(at, "Donor concentration")
    said, projects, donors = ending()
    assert "**1 agreement** end" in said and "15 August 2027" in said
    assert list(projects[0]["project"]) == ['Project "One"']
    assert list(donors[0]["donor"]) == [XSS[0]]  # shown as data, never as markup

    at.date_input(key="cliff-date").set_value(dt.date(2027, 1, 1)).run()
    said, projects, donors = ending()
    assert "**0 agreements** end" in said and not projects


def test_data_page_validates_an_upload(monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/data.py")
    assert_ok(at, "Data")
    tables = [t.value for t in at.dataframe]
    history = next(t for t in tables if "outcome" in t.columns)  # the load history, in words
    assert list(history.columns) == [
        "when",
        "what",
        "outcome",
        "records",
        "new records",
        "ties",
        "new ties",
        "updated",
        "conflicts",
        "removed",
    ]
    assert history["outcome"].tolist() == ["finished"] and "load_id" not in history.columns
    assert any("last until the app restarts" in i.value for i in at.info)
    sources = next(t for t in tables if "document" in t.columns)
    assert "file" not in sources.columns and "id" not in sources.columns  # no file hashes


# ------------------------------------------------------------------------------ console


def test_console_guard_refuses_writes_and_files():
    for q in (
        "CREATE (n:Organization {id: 'x'})",
        "MATCH (n) SET n.x = 1 RETURN n",
        "MATCH (n) DETACH DELETE n",
        "MATCH (n) REMOVE n.name",
        "MERGE (n:Organization {id: 'x'}) RETURN n",
        "DROP CONSTRAINT organization_id",
        "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
        "CALL apoc.create.node(['X'], {}) YIELD node RETURN node",
        "CALL dbms.security.createUser('a', 'b')",
        "CALL db.createLabel('X')",
        "MATCH (n) CALL { WITH n CREATE (m) } RETURN n",
        "UNWIND range(1, 3) AS x CALL { WITH x RETURN x } IN TRANSACTIONS RETURN x",
        "MATCH (n) RETURN n; MATCH (m) DELETE m",
        "FOREACH (x IN [1] | CREATE (n))",
    ):
        with pytest.raises(QueryRefused, match="refused"):
            check_query(q)
    for q in (
        "MATCH (n:Organization) RETURN n.name AS name ORDER BY name",
        "MATCH (n) WHERE n.name CONTAINS 'CREATE' RETURN n // SET",
        "CALL db.labels() YIELD label RETURN label",
        "EXPLAIN MATCH (n) RETURN n",
    ):
        assert check_query(q) == q


@pytest.mark.bolt
def test_console_on_bolt_server_reads_caps_and_refuses(bolt):
    from graph.store.neo4j import Neo4jStore
    from loaders.load import load

    settings = Neo4jSettings(bolt.uri, bolt.user, bolt.password, bolt.database)
    with Neo4jStore(settings) as store:
        store.clear()
        load(FIXTURE, store)
        before = store.counts()
        r = run_read_only(store, "MATCH (o:Organization) RETURN o.name AS name ORDER BY name")
        assert set(XSS) <= set(r.table["name"])
        capped = run_read_only(store, "UNWIND range(1, 500) AS x RETURN x", limit=50)
        assert len(capped.table) == 50 and capped.truncated and "cap" in capped.message
        for q in (
            "CREATE (n:Organization {id: 'intruder', name: 'x'})",
            "LOAD CSV FROM 'file:///x' AS r RETURN r",
        ):
            with pytest.raises(QueryRefused):
                run_read_only(store, q)
        with pytest.raises(QueryRefused, match="longer than"):
            run_read_only(
                store,
                "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b "
                "WITH a, b WHERE (a * b) % 7919 = 1 RETURN count(*) AS n",
                timeout=0.5,
            )
        with pytest.raises(QueryRefused, match="could not run"):
            run_read_only(store, "MATCH (n RETURN n")
        assert store.counts() == before
        assert "intruder" not in set(store.node_table("Organization")["id"])


@pytest.mark.bolt
def test_console_rolls_back_a_write_that_slips_past_the_text_check(bolt, monkeypatch):
    """Defence in depth: ArcadeDB runs writes in READ transactions, so even if the text
    check were fooled, the console's transaction is rolled back and nothing is kept."""
    import graph.store.console as console
    from graph.store.neo4j import Neo4jStore
    from loaders.load import load

    settings = Neo4jSettings(bolt.uri, bolt.user, bolt.password, bolt.database)
    monkeypatch.setattr(console, "check_query", lambda q: q)
    with Neo4jStore(settings) as store:
        store.clear()
        load(FIXTURE, store)
        before = store.counts()
        # if the server says it writes, it is refused; rolled back either way
        with contextlib.suppress(QueryRefused):
            console.run_read_only(
                store, "CREATE (n:Organization {id: 'intruder'}) RETURN n.id AS id"
            )
        assert store.counts() == before
        assert "intruder" not in set(store.node_table("Organization")["id"])


@pytest.mark.bolt
def test_console_page_on_bolt_server(on_bolt):
    at = run_page("views/collaborations.py")
    assert_ok(at, "Collaborations by region")
    at.text_area(key="console-query").set_value(
        "MATCH (o:Organization) RETURN o.name AS name"
    ).run()
    at.button(key="console-run").click().run()
    assert_ok(at, "Collaborations by region")
    assert any("rows in" in c.value for c in at.caption)
    at.text_area(key="console-query").set_value("MATCH (n) DETACH DELETE n").run()
    at.button(key="console-run").click().run()
    assert any("changes the data" in e.value for e in at.error)


def test_network_drawing_is_capped_with_a_notice_and_inlines_vis():
    import networkx as nx
    import numpy as np
    import pandas as pd

    from graph.analyses.adjacency import from_networkx
    from graph.analyses.drawing import PartnerDrawing
    from views.netviz import MAX_NODES, build_network_html

    n = MAX_NODES + 100
    keys = [f"Organization:{i}" for i in range(n)]
    a = from_networkx(nx.path_graph(keys))
    nodes = pd.DataFrame(
        {
            "key": keys,
            "label": "Organization",
            "id": [str(i) for i in range(n)],
            "name": [XSS[i % 2] for i in range(n)],
            "sector": "ngo",
            "countries": "",
            "first_year": np.nan,
            "last_year": np.nan,
            "usd": np.arange(n, dtype=float),
            "degree": a.degrees(),
            "source_id": None,
            "quote": XSS[1],
            "short": [XSS[i % 2] for i in range(n)],
        }
    )
    ties = pd.DataFrame({"u": range(n - 1), "v": range(1, n), "type": "PARTNER_IN", "count": 1})
    g = PartnerDrawing(adjacency=a, nodes=nodes, ties=ties)
    pos = np.c_[np.arange(n, dtype=float), np.zeros(n)]
    html, info = build_network_html(g, pos)
    assert info["capped"] and info["total"] == MAX_NODES + 100
    assert info["shown"] + info["groups"] == MAX_NODES  # the groups take slots of their own
    assert (info["groups"], info["grouped"]) == (1, 101)  # one sector: one group of the rest
    assert (
        f"Showing the {MAX_NODES - 1:,} of {MAX_NODES + 100:,} nodes with the most known money"
        in html
    )
    assert "101 other organizations (NGO)" in html
    assert "<img src=x" not in html and "</script><script>alert(1)" not in html
    assert "https://" not in html.split("<script>", 1)[0]
    assert not re.search(r"<script[^>]+src=", html)
    assert "vis.Network" in html and len(html) > 400_000  # vis-network inlined


# ------------------------------------------------------------- data page: upload round trip

STANDARDS = ROOT / "tests" / "fixtures"


def _upload(at: AppTest, *paths: Path) -> AppTest:
    files = [(p.name, p.read_bytes(), "application/octet-stream") for p in paths]
    at.file_uploader(key="upload-files").set_value(files).run()
    return at


def test_data_page_round_trip_of_iati_and_360giving(monkeypatch, tmp_path):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/data.py")
    _upload(at, STANDARDS / "iati" / "activities-2.03.xml", STANDARDS / "giving360" / "grants.csv")
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric][:3] == ["2", "67", "0"]  # files, records, problems
    warned = " ".join(w.value for w in at.warning)
    # a missing KES rate, a mixed-currency budget, a split grant, UNESCO under its IATI id
    assert "4 notices" in warned
    notes = next(t.value for t in at.dataframe if "problem" in t.value.columns)
    assert any("no exchange rate to USD for KES on 2023-09-30" in m for m in notes["problem"])
    at.button(key="upload-load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success][-1].startswith("Loaded. Created 26 nodes")
    done = next(t.value for t in at.dataframe if "unchanged" in t.value.columns)
    flows = done.set_index("what").loc["funding flow"]
    assert (flows["new"], flows["updated"], flows["unchanged"]) == (13, 0, 0)

    # The loaded graph is the one the loaders give on their own.
    from graph.store.memory import MemoryStore
    from loaders.load import load
    from views.state import get_store

    store, _ = get_store()
    both = tmp_path / "both"
    both.mkdir()
    for p in (STANDARDS / "iati" / "activities-2.03.xml", STANDARDS / "giving360" / "grants.csv"):
        (both / p.name).write_bytes(p.read_bytes())
    alone = MemoryStore()
    load(FIXTURE, alone)
    load(both, alone)  # one load, as the upload was
    assert store.snapshot() == alone.snapshot()

    # Uploading the same files again: nothing new.
    at2 = run_page("views/data.py")
    _upload(at2, STANDARDS / "iati" / "activities-2.03.xml", STANDARDS / "giving360" / "grants.csv")
    at2.button(key="upload-load").click().run()
    assert "Created 0 nodes and 0 relationships" in [s.value for s in at2.success][-1]


def test_data_page_rejects_a_bad_iati_file_and_writes_nothing(monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(FIXTURE))
    at = run_page("views/data.py")
    from views.state import get_store

    before = get_store()[0].snapshot()
    _upload(at, STANDARDS / "iati" / "bad" / "values.xml")
    assert not at.exception
    assert [m.value for m in at.metric][2] == "1"  # a reversal (-500) is allowed; 12,000 is not
    report = next(t.value for t in at.dataframe if "problem" in t.value.columns)
    assert list(report["value"]) == ["12,000"]
    at.toggle(key="upload-strict").set_value(True).run()
    assert [m.value for m in at.metric][2] == "2"
    report = next(t.value for t in at.dataframe if "problem" in t.value.columns)
    assert list(report["value"]) == ["-500", "12,000"]
    assert list(report["item"]) == ["XM-EX-VAL-1", "XM-EX-VAL-1"]
    assert not [b for b in at.button if b.key == "upload-load"]
    assert get_store()[0].snapshot() == before


def test_page_figures_carry_exactly_their_typed_fields():
    from graph.reports import figures
    from loaders.load import load_memory

    store = load_memory()
    for typ, value in (
        (figures.ConcentrationView, figures.concentration_view(store)),
        (figures.Headline, figures.headline(store)),
        (figures.YearChanges, figures.year_changes(store)),
    ):
        assert set(value) == set(typ.__annotations__), typ.__name__


def test_long_tables_send_the_first_rows_to_the_page_and_say_so():
    def page():
        import pandas as pd

        from views.fmt import table

        table(pd.DataFrame({"n": range(2500)}), "long", cap=2000)

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 2000
    assert "Showing the first 2,000 of 2,500 rows; the CSV has them all." in at.caption[0].value
    assert [b.label for b in at.get("download_button")] == ["CSV"]


# ------------------------------------------------------------------------- server loss


@pytest.mark.bolt
def test_a_server_that_goes_away_is_said_once_with_a_retry_and_the_bundled_data(
    monkeypatch, caplog
):
    """Issue 12: the sidebar tells the truth, each page says once that the server is not
    answering and offers a retry and the bundled data, and nothing is logged as an error."""
    import logging

    from graph.store.neo4j import Neo4jStore
    from loaders.load import load
    from tests.bolt_server import BoltServer

    with BoltServer() as server:
        s = server.settings()
        with Neo4jStore(Neo4jSettings(s.uri, s.user, s.password, s.database)) as store:
            load(FIXTURE, store)
        for k, v in (("URI", s.uri), ("USER", s.user), ("PASSWORD", s.password)):
            monkeypatch.setenv(f"NEO4J_{k}", v)
        monkeypatch.setenv("NEO4J_DATABASE", s.database)
        monkeypatch.setenv("NEO4J_TIMEOUT", "2")
        at = run_page("views/overview.py")
        assert_ok(at, "Overview")
        assert any("Connected to Neo4j" in x.value for x in at.sidebar.success)
        server.stop()
    caplog.set_level(logging.ERROR)
    for page, title in (
        ("views/overview.py", "Overview"),
        ("views/concentration.py", "Donor concentration"),
    ):
        at.switch_page(page).run()
        assert_ok(at, title)
        said = [e.value for e in at.main.error]
        assert len(said) == 1 and "not answering" in said[0], said
        assert any("not answering" in e.value for e in at.sidebar.error)
        assert not any("Connected" in x.value for x in at.sidebar.success)
        assert {b.label for b in at.main.button} >= {
            "Try the server again",
            "Use the bundled data for now",
        }
    next(b for b in at.main.button if b.label == "Use the bundled data for now").click().run()
    assert_ok(at, "Donor concentration")
    assert any("In-memory store" in x.value for x in at.sidebar.info)
    assert not at.main.error
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_a_donor_agencys_billions_read_in_millions(monkeypatch, tmp_path):
    """A generated portfolio with its amounts a hundred times larger (billions, as a donor
    agency's published data has): the headline reads bn, the tables whose money reaches a
    billion USD are in USD millions."""
    import pandas as pd

    from loaders.generate import generate

    generate(tmp_path, flows=1000, seed=1)
    flows = pd.read_csv(tmp_path / "funding.csv", dtype=str, keep_default_na=False)
    for c in ("amount", "amount_usd"):
        known = flows[c] != ""
        flows.loc[known, c] = (pd.to_numeric(flows.loc[known, c]) * 100).map(repr)
    flows.to_csv(tmp_path / "funding.csv", index=False)
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    at = run_page("views/overview.py")
    assert_ok(at, "Overview")
    known = {m.label: m.value for m in at.metric}["Known donor funding"]
    assert re.fullmatch(r"USD \d+(\.\d+)? bn", known), known
    at = run_page("views/concentration.py")
    assert_ok(at, "Donor concentration")
    headings = [list(df.value.columns) for df in at.dataframe]
    top = next(h for h in headings if "donor" in h and "share" in h)
    assert "USD M" in top and "USD k" not in top
    largest = next(df.value for df in at.dataframe if list(df.value.columns) == top)
    assert largest["USD M"].max() > 1000  # a billion and more, in millions
    at = run_page("views/strategy.py")
    assert_ok(at, "Strategy")
    specs = [
        n.proto.spec
        for n in _walk(at.main)
        if getattr(n, "type", None) == "vega_lite_chart" and hasattr(n, "proto")
    ]
    assert specs and any("USD millions a year" in s for s in specs)
    assert not any("USD thousands" in s for s in specs)
    # sentences and cells of words give such amounts to three significant digits: no
    # amount of a billion and more written out in full (USD 1,081,237,756,155)
    words = [m.value for m in at.markdown] + [c.value for c in at.caption]
    words += [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]
    assert any(re.search(r"USD \d+(\.\d+)? (bn|tn)", w) for w in words)
    assert not [w for w in words if re.search(r"\d{1,3}(,\d{3}){3,}", w)]
    at = run_page("views/regional.py")
    assert_ok(at, "Regional balance")
    at.radio(key="geo-measure").set_value("money_usd").run()
    maps = [n.proto.spec for n in _walk(at.main) if getattr(n, "type", None) == "vega_lite_chart"]
    assert any("Money, USD M" in m for m in maps) and not any("USD k" in m for m in maps)
