"""Shared app state: the one store per process, the sidebar, cached query results.

``st.cache_resource`` holds the store (and so the one driver) and the network layout;
``st.cache_data`` holds query results keyed by the store's identity. Session state only
holds UI selections. A load into the store clears the data cache (:func:`data_changed`).
"""

from __future__ import annotations

import os

import streamlit as st

from graph.analyses import cliff
from graph.analyses.funding import donor_totals, pool_members
from graph.analyses.network import PARTNERSHIP_LABELS, centrality
from graph.analyses.summary import loaded_summary
from graph.errors import StoreError
from graph.reports import figures as support
from graph.store import Filters, Neo4jSettings, display_name
from loaders.load import open_store
from views.fmt import md, safe_uri

__all__ = [
    "settings",
    "get_store",
    "sidebar",
    "store_key",
    "data_changed",
    "summary",
    "flows",
    "concentration",
    "trend",
    "breakdown",
    "headline",
    "donors",
    "funding_cliff",
    "ending",
    "network",
    "table",
    "names",
    "nodes",
]

#: How long cached query results live (seconds), so a shared server's changes show up.
SERVER_TTL = 120
#: Seconds a console query may run, and the most rows it returns.
CONSOLE_TIMEOUT = float(os.environ.get("EXPLORER_CONSOLE_TIMEOUT", "10"))
CONSOLE_LIMIT = int(os.environ.get("EXPLORER_CONSOLE_LIMIT", "1000"))


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


@st.cache_resource(show_spinner="Connecting to the graph server…")
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
    """The store for this process; on a failed connection, the in-memory store and the error.

    Returns
    -------
    store : GraphStore
    error : str or None
        Why the configured server could not be used.
    """
    s = settings()
    data_dir = os.environ.get("EXPLORER_DATA_DIR")
    if s is None:
        return _memory(data_dir), None
    store, error = _server(s)
    if store is None:
        return _memory(data_dir), error
    return store, None


def store_key(store) -> str:
    """What cached results are keyed by: the store's kind, place and identity."""
    return f"{store.kind}|{store.describe()}|{id(store)}"


def data_changed() -> None:
    """Forget cached results (after a load)."""
    st.cache_data.clear()
    _network.clear()


def sidebar():
    """Draw the shared sidebar (which store, where) and return the store."""
    store, error = get_store()
    s = settings()
    with st.sidebar:
        st.markdown("### :material/hub: Partner graph explorer")
        if store.kind == "neo4j" and s is not None:
            st.success("Connected to Neo4j", icon=":material/cable:")
            st.caption(f"Server: `{safe_uri(s.uri)}`  \nDatabase: `{s.database}`")
        else:
            st.info("In-memory store", icon=":material/memory:")
            folder = os.environ.get("EXPLORER_DATA_DIR") or "data/"
            st.caption(f"Loaded from `{folder}` — no server needed.")
        if error:
            st.error(
                f"Could not use the configured Neo4j server. {md(error)}", icon=":material/warning:"
            )
            st.caption("Showing the bundled data in memory instead.")
            if st.button("Retry connection", key="retry-connection"):
                _server.clear()
                st.rerun()
        if st.button("Refresh data", key="refresh-data", help="Read the store again"):
            data_changed()
            st.rerun()
    return store


# ----------------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _summary(key: str, _store):
    return loaded_summary(_store)


def summary(store):
    """:func:`graph.analyses.summary.loaded_summary` of the store, cached."""
    return _summary(store_key(store), store)


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _flows(key: str, _store, year_from, year_to):
    return _store.funding_flows(Filters(year_from=year_from, year_to=year_to))


def flows(store, year_from=None, year_to=None):
    """Funding flows, cached."""
    return _flows(store_key(store), store, year_from, year_to)


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _institute(key: str, _store):
    rid = support.recipient_of(_store)
    names = (support.recipient_name(_store, rid), support.recipient_name(_store, rid, short=False))
    return rid, *names, [r for r in support.recipients(_store) if r != rid]


def institute(store):
    """The institute's id, short and long name, and the other recipients, cached."""
    return _institute(store_key(store), store)


def _resolve(store, recipient):
    """The institute's id for :data:`graph.reports.figures.INSTITUTE` (cache keys need plain data)."""
    return institute(store)[0] if recipient is support.INSTITUTE else recipient


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _view(key: str, _store, year, recipient):
    f = Filters(year_from=year, year_to=year)
    return support.concentration_view(_store, f, recipient=recipient)


def concentration(store, year=None, *, recipient=support.INSTITUTE):
    """:func:`graph.reports.figures.concentration_view` for one year (or all), for money received
    by ``recipient``; None when no amount is known. Cached."""
    return _view(store_key(store), store, year, _resolve(store, recipient))


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _trend(key: str, _store, recipient):
    return support.trend_table(_store, recipient=recipient)


def trend(store, *, recipient=support.INSTITUTE):
    """:func:`graph.reports.figures.trend_table`, cached."""
    return _trend(store_key(store), store, _resolve(store, recipient))


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _breakdown(key: str, _store, by, year, scheme, recipient):
    f = Filters(year_from=year, year_to=year)
    return support.breakdown_table(_store, by, f, recipient=recipient, scheme=scheme)


def breakdown(store, by, year=None, *, scheme="focus", recipient=support.INSTITUTE):
    """:func:`graph.reports.figures.breakdown_table`, cached."""
    return _breakdown(store_key(store), store, by, year, scheme, _resolve(store, recipient))


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _headline(key: str, _store):
    return support.headline(_store), support.year_changes(_store)


def headline(store):
    """:func:`graph.reports.figures.headline` and :func:`~graph.reports.figures.year_changes`, cached."""
    return _headline(store_key(store), store)


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _table(key: str, _store, kind: str, label: str):
    return _store.node_table(label) if kind == "node" else _store.rel_table(label)


def table(store, label: str, *, rel: bool = False):
    """A node table (or with ``rel=True`` a relationship table), cached."""
    return _table(store_key(store), store, "rel" if rel else "node", label)


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _names(key: str, _store, label: str, column: str | None):
    t = _store.node_table(label)
    if column is None:
        return {r["id"]: display_name(r) for r in t.to_dict("records")}
    return dict(zip(t.get("id", []), t.get(column, []), strict=False))


def names(store, label: str, column: str | None = None) -> dict:
    """Node id → the name a person reads (name, title or id) of every node of ``label``; with
    ``column``, id → that property instead. Cached."""
    return _names(store_key(store), store, label, column)


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _nodes(key: str, _store, label: str, fields: tuple):
    return _store.nodes(label, Filters(**dict(fields)))


def nodes(store, label: str, filters: Filters | None = None):
    """Filtered nodes of a label, cached."""
    f = filters or Filters()
    return _nodes(store_key(store), store, label, tuple(sorted(f.params().items())))


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _donors(key: str, _store):
    return donor_totals(_store), pool_members(_store)


def donors(store):
    """:func:`graph.analyses.funding.donor_totals` and :func:`graph.analyses.funding.pool_members`, cached."""
    return _donors(store_key(store), store)


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _cliff(key: str, _store, include_completed: bool):
    return cliff.funding_cliff(_store, include_completed=include_completed)


def funding_cliff(store, *, include_completed: bool = False):
    """:func:`graph.analyses.cliff.funding_cliff`, cached."""
    return _cliff(store_key(store), store, include_completed)


@st.cache_data(show_spinner=False, ttl=SERVER_TTL)
def _ending(key: str, _store, as_of, months: int):
    end = cliff.months_after(as_of, months)
    return (
        end,
        cliff.ending_within(_store, as_of=as_of, until=end),
        cliff.donors_ending(_store, by=end, since=as_of),
    )


def ending(store, as_of, months: int):
    """What ends within ``months`` of ``as_of``: the window's last day
    (:func:`graph.analyses.cliff.months_after`), the projects (:func:`graph.analyses.cliff.ending_within`)
    and the donors whose agreements all end in it (:func:`graph.analyses.cliff.donors_ending`)."""
    return _ending(store_key(store), store, as_of, months)


#: Above this many nodes, betweenness in the drawing is estimated from this many sources.
EXACT_CENTRALITY_UP_TO = 1500
CENTRALITY_SAMPLE = 300


@st.cache_resource(show_spinner="Laying out the network…", ttl=SERVER_TTL)
def _network(key: str, _store):
    g = support.partner_graph(_store)
    pos = support.graph_layout(g)
    big = g.number_of_nodes() > EXACT_CENTRALITY_UP_TO
    cent = centrality(_store, labels=PARTNERSHIP_LABELS, sample=CENTRALITY_SAMPLE if big else None)
    return g, pos, cent


def network(store):
    """The partnership graph for the drawing (:func:`graph.reports.figures.partner_graph`),
    its fixed layout and :func:`graph.analyses.network.centrality` of every node, cached per store."""
    return _network(store_key(store), store)
