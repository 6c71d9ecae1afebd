"""Partnership network: the interactive graph of organizations, projects, networks and events.

Colour by sector or kind, size by money or centrality, filters (region, country, sector,
years, kind of tie) that highlight without moving anything, an ego view of one organization
to depth k, a search box and node details with provenance. The drawing is one offline HTML
page (see :mod:`views.netviz`) and can be downloaded as it is.
"""

import pandas as pd
import streamlit as st

from graph.analyses.drawing import FLOWS_LISTED_UP_TO
from graph.store import Filters
from views import netviz, state
from views.fmt import SHOWN_ROWS, fact_rows, label_of, md, scheme_name, table, usd
from views.netviz import TIE_KINDS, TIE_WAYS

store, _ = state.get_store()
drawn, pos = state.network(store)
nodes = drawn.nodes

st.title("Partnership network")
st.caption(
    "Who works with whom. Circles are organizations, squares projects, triangles networks, "
    "diamonds events. Filters highlight what matches and leave every node where it is."
)

if nodes.empty:
    st.info("The store holds no organizations, projects, networks or events yet.")
    st.stop()

orgs = nodes[nodes["label"] == "Organization"].sort_values(["name", "key"])
sectors = sorted({s for s in orgs["sector"].dropna()})
span = drawn.years()

with st.container(border=True):
    c = st.columns([1, 1, 1, 1])
    colour_by = c[0].radio("Colour by", ["sector", "kind"], horizontal=True, key="net-colour")
    size_by = c[1].radio(
        "Size by",
        ["money", "centrality", "none"],
        horizontal=True,
        key="net-size",
        help="Money: known USD given or received. Centrality: betweenness (brokers between groups).",
    )
    hide = c[2].toggle(
        "Hide the rest",
        value=False,
        key="net-hide",
        help="Hide what does not match the filters; otherwise it is drawn pale",
    )
    kinds = st.pills(
        "Show",
        list(netviz.KIND_WORDS),
        default=["Organization", "Project", "Network"],
        selection_mode="multi",
        format_func=lambda k: netviz.KIND_WORDS[k] + "s",
        key="net-kinds",
    )
    ties = st.pills(
        "Kinds of tie",
        list(TIE_KINDS),
        default=list(TIE_KINDS),
        selection_mode="multi",
        format_func=TIE_KINDS.get,
        key="net-ties",
    )
    c = st.columns([1, 1, 1, 1])
    region_names = state.names(store, "Region")
    region_schemes = state.names(store, "Region", "scheme")
    region_ids = list(region_names)
    region = c[0].selectbox(
        "Region",
        [None] + region_ids,
        format_func=lambda r: (
            "All regions"
            if r is None
            else f"{region_names.get(r, r)} — {scheme_name(region_schemes.get(r), one=True)}"
        ),
        key="net-region",
    )
    country_names = state.names(store, "Country")
    country = c[1].selectbox(
        "Country",
        [None] + sorted(country_names, key=lambda i: country_names[i]),
        format_func=lambda i: "All countries" if i is None else country_names.get(i, i),
        key="net-country",
    )
    sector = c[2].selectbox(
        "Sector",
        [None] + sectors,
        format_func=lambda s: "All sectors" if s is None else label_of(s),
        key="net-sector",
    )
    if span is not None and span[0] < span[1]:
        yr = c[3].slider("Years", span[0], span[1], span, key="net-years")
    else:
        yr = None

with st.container(border=True):
    c = st.columns([2, 1, 1])
    ego_options = [None] + orgs["key"].tolist()
    names = dict(zip(nodes["key"], nodes["name"], strict=True))
    ego = c[0].selectbox(
        "Ego view: one organization and its neighbourhood",
        ego_options,
        format_func=lambda n: "Whole network" if n is None else names.get(n, n),
        key="net-ego",
    )
    depth = c[1].slider("Depth (steps)", 1, 4, 1, key="net-depth", disabled=ego is None)
    c[2].caption("Type a name in the search box above the drawing to find and select a node.")


years_set = yr is not None and tuple(yr) != span
chosen = Filters(
    year_from=yr[0] if years_set else None,
    year_to=yr[1] if years_set else None,
    region=region,
    country=country,
    sector=sector,
)
highlight = state.matching(store, chosen)
visible = set(nodes["key"][nodes["label"].isin(kinds or [])])
if ego is not None:
    visible = drawn.around(ego, depth=depth)  # every kind within reach
if hide and highlight is not None:
    visible = visible & highlight

source_titles = state.names(store, "Source")
cent = state.betweenness(store) if size_by == "centrality" else None
page, info = netviz.build_network_html(
    drawn,
    pos,
    centrality=cent,
    colour_by=colour_by,
    size_by=size_by,
    highlight=highlight,
    visible=visible,
    ties=set(ties),
    sources=source_titles,
    places=state.names(store, "Country"),
    heading="Partnership network" if ego is None else f"Around {names.get(ego, ego)}",
    centre=ego,
)
# above the drawing cap the drawing itself says what it left out and grouped (its
# heading, also in the downloaded file): not said a second time here
st.iframe(page, height=700)
lit = len(highlight) if highlight is not None else info["shown"]
st.caption(
    f"{info['shown']:,} nodes and {info['edges']:,} ties drawn"
    + (f"; {lit:,} match the filters" if highlight is not None else "")
    + ". Drag to pan, scroll to zoom, click a node for its details."
    + (
        f" The first view fits the largest connected group; zoom out for the other "
        f"{info['outside']:,}, which have no tie to it."
        if info.get("outside")
        else ""
    )
    + " Labels of the main nodes show first; the rest appear as you zoom in."
    + (
        f" Betweenness centrality is {cent.attrs['betweenness']}."
        if cent is not None and cent.attrs.get("betweenness", "exact") != "exact"
        else ""
    )
)
st.download_button(
    "This network as a self-contained HTML file",
    page.encode("utf-8"),
    file_name="partnership-network.html",
    mime="text/html",
    key="net-download",
    icon=":material/download:",
)

st.subheader("Node details and provenance")
shown_nodes = nodes[nodes["key"].isin(visible)] if len(visible) else nodes
choices = shown_nodes.sort_values(["label", "name", "key"])["key"].tolist()
if ego in choices:
    first = ego
else:  # the best-connected node shown
    best = shown_nodes.sort_values(["degree", "key"], ascending=False)
    first = best["key"].iloc[0]
labels = dict(zip(nodes["key"], nodes["label"], strict=True))
if st.session_state.get("_net-last-ego") != ego:  # a new ego view shows its organization
    st.session_state["_net-last-ego"] = ego
    st.session_state.pop("net-pick", None)
pick = st.selectbox(
    "Choose a node",
    choices,
    format_func=lambda n: f"{names.get(n, n)} ({labels[n].lower()})",
    key="net-pick",
    index=choices.index(first),
)
if pick:
    d = state.node_details(store, pick)
    st.markdown(f"#### {md(d.name)}")
    everything = {k.partition(":")[2]: v for k, v in names.items()}
    c1, c2 = st.columns([1, 1])
    with c1:
        st.dataframe(
            fact_rows(d.facts, names=everything, countries=state.names(store, "Country")),
            hide_index=True,
            width="stretch",
        )
    with c2:
        st.markdown(f"**Source:** {md(source_titles.get(d.source_id, d.source_id or 'not given'))}")
        if d.quote:
            st.markdown("**What the document says:**")
            st.text(d.quote)
    t = d.ties
    if len(t):
        order = {k: i for i, k in enumerate(TIE_KINDS)}
        t = t.assign(_o=t["type"].map(order).fillna(len(order))).sort_values("_o", kind="stable")
        many = (t["type"] == "FUNDS") & d.summed  # a pair standing for its flows
        words = pd.Series(
            [
                TIE_WAYS.get(k, (TIE_KINDS.get(k, k),) * 2)[0 if out else 1]
                for k, out in zip(t["type"], t["outgoing"], strict=True)
            ],
            index=t.index,
        )
        ties_rows = pd.DataFrame(
            {
                "this node": words.where(
                    ~many, words + " (" + t["flows"].map("{:,}".format) + " flows)"
                ),
                "the other": t["other_name"],
                "year": t["year"].where(t["year"].notna(), "not stated"),
                "amount": [usd(x) if pd.notna(x) else "not stated" for x in t["amount_usd"]],
                "role": t["role"].map(lambda r: "" if pd.isna(r) else label_of(r)),
                "source": [
                    "each flow's own" if m else source_titles.get(s, s)
                    for m, s in zip(many, t["source_id"], strict=True)
                ],
                "quote": [
                    f"{n:,} flows, each citing its own sentence in the funding records" if m else q
                    for m, n, q in zip(many, t["flows"], t["quote"], strict=True)
                ],
            }
        )
        st.markdown(
            "**Ties, each with the sentence it comes from** (read each row as: this node — "
            "what it does — the other)"
            + (
                f" (funding is summed per donor and recipient: this node has more than "
                f"{FLOWS_LISTED_UP_TO:,} flows, too many to list one by one here)"
                if d.summed
                else ""
            )
        )
        table(ties_rows, f"ties_{pick.partition(':')[2]}", key="dl-ties", cap=SHOWN_ROWS)
