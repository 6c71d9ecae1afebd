"""Shared app state: the one store per process, the sidebar, cached query results.

``st.cache_resource`` holds the store (and so the one driver) and the network layout;
``st.cache_data`` holds query results keyed by the store's identity. Session state only
holds UI selections. A load into the store clears the data cache (:func:`data_changed`).
"""

from __future__ import annotations

import os

import streamlit as st

from graph.analyses import cliff, drawing, layout, regional, scenarios
from graph.analyses.collaborations import collaborations as collaborations_of
from graph.analyses.funding import coverage as funding_coverage
from graph.analyses.funding import donor_totals, funding_years, pool_members
from graph.analyses.institute import (
    INSTITUTE,
    InstituteMarker,
    recipient_name,
    recipient_of,
    recipients,
)
from graph.analyses.network import PARTNERSHIP_LABELS, centrality
from graph.analyses.portfolio import SCOPE_NAMES, SCOPES, portfolio
from graph.analyses.summary import facts_citing, loaded_summary
from graph.errors import StoreError
from graph.reports import board, figures, loads
from graph.store import Filters, MemoryStore, Neo4jSettings, Neo4jStore, display_names
from loaders.load import open_store
from views.fmt import md, safe_uri

__all__ = [
    "settings",
    "get_store",
    "sidebar",
    "server_down",
    "offer_fallback",
    "BUNDLED_KEY",
    "scope",
    "whose",
    "store_key",
    "data_changed",
    "summary",
    "history",
    "flow_years",
    "concentration",
    "channels",
    "coverage",
    "trend",
    "breakdown",
    "headline",
    "donors",
    "funding_cliff",
    "ending",
    "network",
    "betweenness",
    "node_details",
    "table",
    "names",
    "facts",
    "nodes",
    "collaborations",
    "countries",
    "regions",
    "balance",
    "scenario",
    "board_download",
    "board_filename",
    "matching",
]

#: How long cached query results live (seconds), so a shared server's changes show up.
SERVER_TTL = 120


def settings() -> Neo4jSettings | None:
    """Neo4j settings from the environment, else from ``[neo4j]`` in secrets, else None."""
    s = Neo4jSettings.from_env()
    if s is not None:
        return s
    try:
        section = st.secrets.get("neo4j") if "neo4j" in st.secrets else None
    except Exception:  # no secrets file at all
        section = None
    return Neo4jSettings.from_mapping(dict(section)) if section else None


@st.cache_resource(show_spinner="Loading the bundled data…")
def _memory(data_dir: str | None):
    return open_store(None, data_dir=data_dir)


def _release_server(entry) -> None:
    """Close the driver of a server store Streamlit drops from its cache (the retry
    button, a cleared cache): its connections are not left for the garbage collector."""
    store, _error = entry
    if store is not None:
        store.close()


@st.cache_resource(show_spinner="Connecting to the graph server…", on_release=_release_server)
def _server(s: Neo4jSettings):
    """The server store, or the reason it cannot be used (cached, so a dead server costs
    one timeout, not one per click; the sidebar's retry button clears it)."""
    try:
        return open_store(s), None
    except StoreError as e:
        text = str(e).replace(s.uri, safe_uri(s.uri))
        if s.password:
            text = text.replace(s.password, "***")
        return None, text


def get_store():
    """The store for this session; on a failed connection, the in-memory store and the
    error. A session that chose the bundled data (after the server stopped answering) gets
    the in-memory store.

    Returns
    -------
    store : GraphStore
    error : str or None
        Why the configured server could not be used.
    """
    s = settings()
    data_dir = os.environ.get("EXPLORER_DATA_DIR")
    if s is None or st.session_state.get(BUNDLED_KEY):
        return _memory(data_dir), None
    store, error = _server(s)
    if store is None:
        return _memory(data_dir), error
    return store, None


#: The session's choice to use the bundled data while the server is away.
BUNDLED_KEY = "use-bundled-data"


def server_down(store) -> str | None:
    """Why the server store does not answer right now (None when it does, or for the
    in-memory store): the sidebar asks on every run, so it never says "connected" to a
    server that has gone."""
    if getattr(store, "kind", "") != "neo4j":
        return None
    try:
        store.ping()
    except StoreError as e:
        s = settings()
        text = str(e)
        if s is not None:
            text = text.replace(s.uri, safe_uri(s.uri))
            if s.password:
                text = text.replace(s.password, "***")
        return text
    return None


def offer_fallback(reason: str, *, where=st) -> None:
    """One clear message that the server is away, with a retry and the bundled data."""
    where.error(
        f"The graph server is not answering: {md(reason)} The figures cannot be read from it "
        "until it is back.",
        icon=":material/cloud_off:",
    )
    c = where.columns(2)
    if c[0].button("Try the server again", key=f"retry-{id(where)}", icon=":material/refresh:"):
        _server.clear()
        data_changed()
        st.rerun()
    if c[1].button(
        "Use the bundled data for now", key=f"bundled-{id(where)}", icon=":material/dataset:"
    ):
        st.session_state[BUNDLED_KEY] = True
        data_changed()
        st.rerun()


def offer_retry(reason: str) -> None:
    """One clear message that the server was busy with other clients' writes, and a retry."""
    st.warning(
        "The graph server was busy with other people's changes and could not answer this page "
        f"just now ({md(reason)}). Nothing is wrong with the data; try again in a moment.",
        icon=":material/hourglass_top:",
    )
    if st.button("Try again", key="retry-busy", icon=":material/refresh:"):
        data_changed()
        st.rerun()


def store_key(store) -> str:
    """What cached results are keyed by: the store's kind, place and identity."""
    return f"{store.kind}|{store.describe()}|{id(store)}"


#: How a cached function's arguments are hashed: a store by its identity (it is not data),
#: filters by their values, the institute marker by name.
HASH_FUNCS = {
    MemoryStore: store_key,
    Neo4jStore: store_key,
    Filters: lambda f: repr(sorted(f.params().items())),
    InstituteMarker: repr,
}
#: Keyword arguments of every cached query: results live SERVER_TTL seconds, so a shared
#: server's changes show up.
CACHED = {"show_spinner": False, "ttl": SERVER_TTL, "hash_funcs": HASH_FUNCS}


def data_changed() -> None:
    """Forget cached results (after a load)."""
    st.cache_data.clear()
    network.clear()
    betweenness.clear()


def sidebar():
    """Draw the shared sidebar (which store, where) and return the store."""
    store, error = get_store()
    s = settings()
    down = server_down(store)
    with st.sidebar:
        st.markdown("### :material/hub: Partner graph explorer")
        if store.kind == "neo4j" and s is not None and down:
            st.error("The Neo4j server is not answering", icon=":material/cloud_off:")
            st.caption(f"Server: `{safe_uri(s.uri)}`  \nDatabase: `{s.database}`")
        elif store.kind == "neo4j" and s is not None:
            st.success("Connected to Neo4j", icon=":material/cable:")
            st.caption(f"Server: `{safe_uri(s.uri)}`  \nDatabase: `{s.database}`")
        else:
            st.info("In-memory store", icon=":material/memory:")
            folder = os.environ.get("EXPLORER_DATA_DIR") or "data/"
            st.caption(f"Loaded from `{folder}` — no server needed.")
            if s is not None and st.session_state.get(BUNDLED_KEY):
                st.caption(f"Chosen while the server at `{safe_uri(s.uri)}` was not answering.")
                if st.button("Go back to the server", key="back-to-server"):
                    st.session_state[BUNDLED_KEY] = False
                    _server.clear()
                    data_changed()
                    st.rerun()
        if error:
            st.error(
                f"Could not use the configured Neo4j server. {md(error)}", icon=":material/warning:"
            )
            st.caption("Showing the bundled data in memory instead.")
            if st.button("Retry connection", key="retry-connection"):
                _server.clear()
                st.rerun()
        st.radio(
            "Count",
            SCOPES,
            format_func=lambda k: SCOPE_NAMES[k].capitalize(),
            key="scope",
            help="What Regional balance, Collaborations by region and the funding cliff "
            "count: the projects, events and partners the institute itself is part of "
            "(its current portfolio), or everything in the data, partners' own projects and "
            "old ones included.",
        )
        if st.button("Refresh data", key="refresh-data", help="Read the store again"):
            store.forget_reads()  # what a server store keeps between analyses too
            data_changed()
            st.rerun()
    return store, down


def scope() -> str:
    """Whose portfolio the figures count, as picked in the sidebar (default the institute's)."""
    picked = st.session_state.get("scope")
    return picked if picked in SCOPES else SCOPES[0]


@st.cache_data(**CACHED)
def whose(store, scope: str, year_from=None, year_to=None) -> str:
    """The sentence saying whose portfolio the figures count
    (:meth:`graph.analyses.portfolio.Portfolio.says`)."""
    return portfolio(store, scope, Filters(year_from=year_from, year_to=year_to)).says()


# ----------------------------------------------------------------------- cached reads
# One cached function per query; the store is hashed by HASH_FUNCS.


@st.cache_data(**CACHED)
def summary(store):
    """:func:`graph.analyses.summary.loaded_summary` of the store."""
    return loaded_summary(store)


@st.cache_data(**CACHED)
def history(store):
    """:func:`graph.reports.loads.load_history` of the store."""
    return loads.load_history(store)


@st.cache_data(**CACHED)
def flow_years(store):
    """:func:`graph.analyses.funding.funding_years`."""
    return funding_years(store)


@st.cache_data(**CACHED)
def institute(store):
    """The institute's id, short and long name, and the other recipients."""
    rid = recipient_of(store)
    short, long = recipient_name(store, rid), recipient_name(store, rid, short=False)
    return rid, short, long, [r for r in recipients(store) if r != rid]


@st.cache_data(**CACHED)
def concentration(store, year=None, *, recipient=INSTITUTE):
    """:func:`graph.reports.figures.concentration_view` for one year (or all), for money
    received by ``recipient``; None when no amount is known."""
    f = Filters(year_from=year, year_to=year)
    return figures.concentration_view(store, f, recipient=recipient_of(store, recipient))


@st.cache_data(**CACHED)
def coverage(store, year=None, *, recipient=INSTITUTE):
    """:func:`graph.analyses.funding.coverage` for one year (None = all)."""
    f = Filters(year_from=year, year_to=year)
    return funding_coverage(store, f, recipient=recipient_of(store, recipient))


@st.cache_data(**CACHED)
def channels(store, year=None, *, recipient=INSTITUTE):
    """:func:`graph.reports.figures.channel_view` for one year (None = all)."""
    f = Filters(year_from=year, year_to=year)
    return figures.channel_view(store, f, recipient=recipient_of(store, recipient))


@st.cache_data(**CACHED)
def trend(store, *, recipient=INSTITUTE):
    """:func:`graph.reports.figures.trend_table`."""
    return figures.trend_table(store, recipient=recipient_of(store, recipient))


@st.cache_data(**CACHED)
def breakdown(store, by, year=None, *, scheme="focus", recipient=INSTITUTE):
    """:func:`graph.reports.figures.breakdown_table`."""
    f = Filters(year_from=year, year_to=year)
    return figures.breakdown_table(
        store, by, f, recipient=recipient_of(store, recipient), scheme=scheme
    )


@st.cache_data(**CACHED)
def headline(store):
    """:func:`graph.reports.figures.headline` and :func:`~graph.reports.figures.year_changes`."""
    return figures.headline(store), figures.year_changes(store)


@st.cache_data(**CACHED)
def table(store, label: str, *, rel: bool = False):
    """A node table (or with ``rel=True`` a relationship table)."""
    return store.rel_table(label) if rel else store.node_table(label)


@st.cache_data(**CACHED)
def names(store, label: str, column: str | None = None) -> dict:
    """Node id → the name a person reads (name, title or id) of every node of ``label``; with
    ``column``, id → that property instead."""
    t = store.node_table(label)
    if column is None:
        return dict(zip(t["id"].tolist(), display_names(t), strict=True)) if len(t) else {}
    return dict(zip(t.get("id", []), t.get(column, []), strict=False))


@st.cache_data(**CACHED)
def facts(store, source_id: str):
    """:func:`graph.analyses.summary.facts_citing`."""
    return facts_citing(store, source_id)


@st.cache_data(**CACHED)
def nodes(store, label: str, filters: Filters | None = None):
    """Filtered nodes of a label."""
    return store.nodes(label, filters or Filters())


@st.cache_data(**CACHED)
def donors(store):
    """:func:`graph.analyses.funding.donor_totals` and
    :func:`graph.analyses.funding.pool_members`."""
    return donor_totals(store), pool_members(store)


@st.cache_data(**CACHED)
def funding_cliff(store, *, include_completed: bool = False, scope: str = "institute"):
    """:func:`graph.analyses.cliff.funding_cliff`."""
    return cliff.funding_cliff(store, include_completed=include_completed, scope=scope)


@st.cache_data(**CACHED)
def ending(store, as_of, months: int, scope: str = "institute"):
    """What ends within ``months`` of ``as_of``: the window's last day
    (:func:`graph.analyses.cliff.months_after`), the projects
    (:func:`graph.analyses.cliff.ending_within`) and the donors whose agreements all end in
    it (:func:`graph.analyses.cliff.donors_ending`)."""
    end = cliff.months_after(as_of, months)
    return (
        end,
        cliff.ending_within(store, as_of=as_of, until=end, scope=scope),
        cliff.donors_ending(store, by=end, since=as_of, scope=scope),
    )


@st.cache_data(**CACHED)
def collaborations(store, region=None, country=None, scope: str = "institute"):
    """:func:`graph.analyses.collaborations.collaborations` of a region or country."""
    return collaborations_of(store, Filters(region=region, country=country), scope=scope)


@st.cache_data(**CACHED)
def countries(store, year_from=None, year_to=None, scope: str = "institute"):
    """:func:`graph.analyses.regional.country_picture` of the years."""
    f = Filters(year_from=year_from, year_to=year_to)
    return regional.country_picture(store, f, scope=scope)


@st.cache_data(**CACHED)
def regions(store, scheme, year_from=None, year_to=None, scope: str = "institute"):
    """:func:`graph.analyses.regional.regional_picture` under ``scheme``."""
    f = Filters(year_from=year_from, year_to=year_to)
    return regional.regional_picture(store, f, scheme=scheme, scope=scope)


@st.cache_data(**CACHED)
def balance(store, scheme, measure, targets, year_from=None, year_to=None, scope="institute"):
    """:func:`graph.analyses.regional.regional_balance`; ``targets`` as sorted pairs."""
    return regional.regional_balance(
        store,
        Filters(year_from=year_from, year_to=year_to),
        scheme=scheme,
        measure=measure,
        targets=dict(targets) if targets else False,
        scope=scope,
    )


@st.cache_data(**(CACHED | {"show_spinner": "Working out the scenario…"}))
def scenario(store, remove, add_items, scheme):
    """:func:`graph.analyses.scenarios.donor_exit` of the money the institute receives (as
    the donor list the page offers, and the Donor concentration page by default: money
    donors give to other organizations in a donor agency's data is not the institute's
    dependence); ``remove`` and ``add_items`` as tuples."""
    return scenarios.donor_exit(
        store,
        list(remove),
        scheme=scheme,
        add=dict(add_items) if add_items else None,
        recipient=recipient_of(store),
    )


def board_download(store, recipient, ext: str, year: int | None = None, plan=None):
    """A function building the board report (:func:`graph.reports.board.build`, money
    received by ``recipient`` in ``year``, all years when None) and returning its ``"html"``
    or ``"pdf"`` bytes. The download button calls it when it is clicked, off the page's
    run: visiting the page does not build a report nobody asked for (seconds for a big
    portfolio). ``plan`` (a projection and its limit checks) adds the report's projection
    sections."""

    def build() -> bytes:
        rep = board.build(store, recipient=recipient, year=year, plan=plan)
        return rep.html.encode("utf-8") if ext == "html" else rep.pdf

    return build


def board_filename(recipient, ext: str, year: int | None = None) -> str:
    """:func:`graph.reports.board.report_filename` for today."""
    return board.report_filename(ext, recipient, year=year)


@st.cache_resource(show_spinner="Laying out the network…", ttl=SERVER_TTL, hash_funcs=HASH_FUNCS)
def network(store):
    """The partnership network for the drawing
    (:func:`graph.analyses.drawing.partner_drawing`) and its fixed layout
    (:func:`graph.analyses.layout.positions`), cached per store."""
    d = drawing.partner_drawing(store)
    return d, layout.positions(d.adjacency)


@st.cache_resource(
    show_spinner="Finding the brokers of the network…", ttl=SERVER_TTL, hash_funcs=HASH_FUNCS
)
def betweenness(store):
    """:func:`graph.analyses.network.centrality` of every node of the network, cached per
    store; computed only when a page sizes the drawing by it."""
    return centrality(store, labels=PARTNERSHIP_LABELS)


@st.cache_data(**CACHED)
def matching(store, filters: Filters):
    """:func:`graph.analyses.drawing.matching_keys` of the drawn network (:func:`network`)."""
    return drawing.matching_keys(store, network(store)[0], filters)


@st.cache_data(**CACHED)
def node_details(store, key: str):
    """:func:`graph.analyses.drawing.node_details` of one node of the drawn network."""
    return drawing.node_details(store, network(store)[0], key)
