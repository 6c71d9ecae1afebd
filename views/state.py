"""Shared app state: the one store per process, the sidebar, cached query results.

``st.cache_resource`` holds the store (and so the one driver); ``st.cache_data`` holds
query results keyed by the store's identity and the filters. Session state only holds UI
selections.
"""

from __future__ import annotations

import os

import streamlit as st

from graph.errors import StoreError
from graph.settings import Neo4jSettings, open_store

__all__ = ["settings", "get_store", "sidebar", "store_error"]


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


@st.cache_resource(show_spinner="Opening the graph store…")
def _open(s: Neo4jSettings | None, data_dir: str | None):
    return open_store(s, data_dir=data_dir)


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
        return _open(None, data_dir), None
    try:
        return _open(s, data_dir), None
    except StoreError as e:
        return _open(None, data_dir), str(e)


def store_error() -> str | None:
    """The connection error shown in the sidebar, if any."""
    return st.session_state.get("_store_error")


def sidebar():
    """Draw the shared sidebar (which store, where) and return the store."""
    store, error = get_store()
    st.session_state["_store_error"] = error
    with st.sidebar:
        st.markdown("**Partner graph explorer**")
        if error:
            st.error(f"Could not use the configured Neo4j server: {error}")
            st.caption("Showing the bundled data in memory instead.")
        st.caption(f"Data: {store.describe()}")
    return store
