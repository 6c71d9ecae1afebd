"""Collaborations by region — the programme staff's page.

Pick a region or a country: the partners, projects, events and networks there, and who
works with whom, each table downloadable as CSV. With a Neo4j connection, a read-only
Cypher console (guarded by :mod:`graph.store.console`) with example queries.
"""

import threading

import pandas as pd
import streamlit as st

from graph.errors import QueryRefused, StoreError
from graph.store import ConsoleSettings, Filters, console
from views import state
from views.fmt import SCHEME_NAMES, figure_row, label_of, md, plural, scheme_name, table

store, _ = state.get_store()

st.title("Collaborations by region")
st.caption(
    "Pick a region or a country to see who the institute works with there, on what, and with whom."
)

rnames = state.names(store, "Region")
rscheme = state.names(store, "Region", "scheme")
cnames = state.names(store, "Country")

c1, c2 = st.columns([1, 2])
kind = c1.radio("Look at", ["Region", "Country"], horizontal=True, key="collab-kind")
if kind == "Region":
    order = sorted(
        rnames,
        key=lambda r: (
            list(SCHEME_NAMES).index(rscheme.get(r)) if rscheme.get(r) in SCHEME_NAMES else 9,
            rnames[r],
        ),
    )
    if not order:
        st.info("The store holds no regions.")
        st.stop()
    place = c2.selectbox(
        "Region",
        order,
        format_func=lambda r: f"{rnames.get(r, r)} — {scheme_name(rscheme.get(r), one=True)}",
        key="collab-region",
    )
    filters = Filters(region=place)
    place_name = rnames.get(place, place)
else:
    order = sorted(cnames, key=lambda i: cnames[i])
    if not order:
        st.info("The store holds no countries.")
        st.stop()
    place = c2.selectbox(
        "Country",
        order,
        format_func=lambda i: str(cnames.get(i, i)),
        key="collab-country",
        index=order.index("KAZ") if "KAZ" in order else 0,
    )
    filters = Filters(country=place)
    place_name = cnames.get(place, place)


scope = state.scope()
res = state.collaborations(store, filters.region, filters.country, scope)
p, e, n, o = res["projects"], res["events"], res["networks"], res["partners"]
c = figure_row()
c.metric(
    "Organizations",
    f"{len(o):,}",
    help="Working there: in its projects, events or networks",
)
c.metric("Partners based there", f"{res['based_there']:,}")
c.metric("Projects", f"{len(p):,}")
c.metric("Events", f"{len(e):,}")
c.metric("Networks", f"{len(n):,}")
st.caption(
    f"In {md(place_name)}: projects that target it (a country, a region, or a region it lies "
    "in: a region target counts for each of its countries), events held there or drawing people "
    "from it, networks with a member based there, and the organizations in them. Partners based "
    "there are those that take part in something, pools left out: the count Regional balance "
    "uses. "
    + md(state.whose(store, scope))
    + " The sidebar switches between the institute's own portfolio and the wider network."
)


def _cols(df, wanted):
    return df[[c for c in wanted if c in df.columns]]


def _worded(df):
    """Codes and country codes in a table as words (sector, status, kind; country names)."""
    out = df.copy()
    for c in ("sector", "status", "kind", "scope"):
        if c in out:
            out[c] = out[c].map(label_of)
    if "country" in out:
        out["country"] = out["country"].map(
            lambda v: "" if v is None or v != v else cnames.get(v, v)
        )
    if "online" in out:
        out["online"] = out["online"].map(
            lambda v: "" if v is None or v != v else ("yes" if v in (True, "true", 1) else "no")
        )
    return out


tabs = st.tabs(["Partners", "Projects", "Events", "Networks", "Who works with whom"])
slug = "".join(ch if ch.isalnum() else "_" for ch in str(place))
with tabs[0]:
    if len(o):
        table(
            _cols(_worded(o), ["name", "sector", "country", "what"]),
            f"partners_{slug}",
            key="dl-partners",
        )
    else:
        st.info("No partners here.")
with tabs[1]:
    if len(p):
        table(
            _cols(_worded(p), ["title", "status", "start_year", "end_year", "budget_usd"]),
            f"projects_{slug}",
            key="dl-projects",
            column_config={
                "start_year": st.column_config.NumberColumn("start", format="%d"),
                "end_year": st.column_config.NumberColumn("end", format="%d"),
                "budget_usd": st.column_config.NumberColumn("budget, USD", format="%,.0f"),
            },
        )
    else:
        st.info("No projects target this place.")
with tabs[2]:
    if len(e):
        table(
            _cols(
                _worded(e.sort_values("date", na_position="last") if "date" in e else e),
                ["title", "kind", "date", "city", "country", "participants", "online"],
            ),
            f"events_{slug}",
            key="dl-events",
            column_config={
                "participants": st.column_config.NumberColumn("participants", format="%,d")
            },
        )
    else:
        st.info("No events here.")
with tabs[3]:
    if len(n):
        table(_cols(_worded(n), ["name", "scope"]), f"networks_{slug}", key="dl-networks")
    else:
        st.info("No networks with a member based here.")
with tabs[4]:
    pairs = res["pairs"]
    if len(pairs):
        st.caption(
            f"{plural(len(pairs), 'pair')} of organizations that share a project, an event or a "
            "network here, most shared first."
        )
        table(pairs, f"who_works_with_whom_{slug}", key="dl-pairs")
    else:
        st.info("No two organizations share a project, event or network here.")

st.divider()
st.subheader("Cypher console (read-only)")
if store.kind != "neo4j":
    st.info(
        "The console needs a Neo4j connection (set NEO4J_URI, or a [neo4j] section in "
        ".streamlit/secrets.toml). The in-memory store has no Cypher."
    )
    st.stop()

console_settings = ConsoleSettings.from_env()
st.caption(
    "Ask the graph directly. Reads only: the server's own parser checks each query before it "
    "runs, and writes, files, procedures that are not schema look-ups and administration "
    f"commands are refused; a query gets {console_settings.timeout:g} seconds (then it is "
    f"stopped on the server) and at most {console_settings.limit:,} rows."
)
if console_settings.user is None:
    st.caption(
        "The console connects as the app's own user. An operator should give it a user of "
        "its own with a read-only role (EXPLORER_CONSOLE_USER), so that the server itself "
        "refuses writes."
    )
example = st.selectbox("Example queries", list(console.EXAMPLES), key="console-example")
if st.session_state.get("_console_example") != example:
    st.session_state["_console_example"] = example
    st.session_state["console-query"] = console.EXAMPLES[example]
query = st.text_area("Query", key="console-query", height=140)
if st.button("Run query", type="primary", key="console-run"):
    mine = st.session_state.setdefault("_console_lock", threading.Lock())
    if not mine.acquire(blocking=False):
        st.warning("Your previous query is still running; wait for it to finish.")
        st.stop()
    try:
        result = console.run_read_only(store, query, settings=console_settings)
    except QueryRefused as err:
        st.error(md(str(err).capitalize()), icon=":material/block:")
    except StoreError as err:
        st.error(f"The server could not answer: {md(err)}", icon=":material/warning:")
    else:
        st.caption(result.message)
        df = result.table
        for col in df.columns:
            if df[col].map(lambda v: isinstance(v, (dict, list))).any():
                df[col] = df[col].map(str)
        table(pd.DataFrame(df), "console_result", key="dl-console")
    finally:
        mine.release()
