"""Partnership network: the interactive graph of organizations, projects, networks and events.

Colour by sector or kind, size by money or centrality, filters (region, country, sector,
years, kind of tie) that highlight without moving anything, an ego view of one organization
to depth k, a search box and node details with provenance. The drawing is one offline HTML
page (see :mod:`views.netviz`) and can be downloaded as it is.
"""

import pandas as pd
import streamlit as st

from graph.analyses import layout
from graph.store import Filters
from views import netviz, state
from views.fmt import label_of, md, table
from views.netviz import TIE_KINDS

store, _ = state.get_store()
g, pos, cent = state.network(store)

st.title("Partnership network")
st.caption(
    "Who works with whom. Circles are organizations, squares projects, triangles networks, "
    "diamonds events. Filters highlight what matches and leave every node where it is."
)

if g.number_of_nodes() == 0:
    st.info("The store holds no organizations, projects, networks or events yet.")
    st.stop()

nodes = pd.DataFrame(
    [
        {
            "node": n,
            "label": d["label"],
            "id": d["id"],
            "name": d["name"],
            "sector": d.get("sector"),
            "countries": ", ".join(sorted(d["countries"])),
        }
        for n, d in g.nodes(data=True)
    ]
)
orgs = nodes[nodes["label"] == "Organization"].sort_values("name")
sectors = sorted({s for s in orgs["sector"].dropna()})
years = sorted(
    {
        y
        for _, d in g.nodes(data=True)
        if d.get("years")
        for y in range(d["years"][0], d["years"][1] + 1)
    }
)

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
    region_ids = list(region_names)
    region = c[0].selectbox(
        "Region",
        [None] + region_ids,
        format_func=lambda r: (
            "All regions" if r is None else f"{region_names.get(r, r)} ({r.split(':')[0]})"
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
    if len(years) >= 2:
        yr = c[3].slider("Years", min(years), max(years), (min(years), max(years)), key="net-years")
    else:
        yr = None

with st.container(border=True):
    c = st.columns([2, 1, 1])
    ego_options = [None] + list(orgs["node"])
    names = dict(zip(nodes["node"], nodes["name"], strict=False))
    ego = c[0].selectbox(
        "Ego view: one organization and its neighbourhood",
        ego_options,
        format_func=lambda n: "Whole network" if n is None else names.get(n, n),
        key="net-ego",
    )
    depth = c[1].slider("Depth (steps)", 1, 4, 1, key="net-depth", disabled=ego is None)
    c[2].caption("Type a name in the search box above the drawing to find and select a node.")


years_set = yr is not None and (yr[0] != min(years) or yr[1] != max(years))
chosen = Filters(
    year_from=yr[0] if years_set else None,
    year_to=yr[1] if years_set else None,
    region=region,
    country=country,
    sector=sector,
)
highlight = state.matching(store, chosen)
visible = {n for n, d in g.nodes(data=True) if d["label"] in set(kinds or [])}
if ego is not None:
    visible = layout.ego_nodes(g, ego, depth=depth)  # every kind within reach
if hide and highlight is not None:
    visible = visible & highlight

source_titles = state.names(store, "Source")
page, info = netviz.build_network_html(
    g,
    pos,
    centrality=cent,
    colour_by=colour_by,
    size_by=size_by,
    highlight=highlight,
    visible=visible,
    ties=set(ties),
    sources=source_titles,
    heading="Partnership network" if ego is None else f"Around {names.get(ego, ego)}",
)
if info["capped"]:
    st.info(
        f"The network has {info['total']:,} nodes, more than one drawing can show. It shows the "
        f"{info['shown']:,} with {info['kept_by']} and groups the other {info['grouped']:,} into "
        f"{info['groups']:,} grey hexagons, one per kind and sector, each tie to a group counted. "
        "Narrow the filters or use the ego view to see them one by one.",
        icon=":material/hub:",
    )
st.iframe(page, height=700)
lit = len(highlight) if highlight is not None else info["shown"]
st.caption(
    f"{info['shown']:,} nodes and {info['edges']:,} ties drawn"
    + (f"; {lit:,} match the filters" if highlight is not None else "")
    + ". Drag to pan, scroll to zoom, click a node for its details."
    + (
        f" Betweenness centrality is {cent.attrs['betweenness']}."
        if cent.attrs.get("betweenness", "exact") != "exact"
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
shown_nodes = nodes[nodes["node"].isin(visible)] if len(visible) else nodes
choices = list(shown_nodes.sort_values(["label", "name"])["node"])
if ego in choices:
    first = ego
else:  # the best-connected node shown
    degree = dict(zip(netviz.node_keys(cent), cent["degree"], strict=True))
    first = max(choices, key=lambda n: (degree.get(n, 0.0), n))
pick = st.selectbox(
    "Choose a node",
    choices,
    format_func=lambda n: f"{names.get(n, n)} ({g.nodes[n]['label'].lower()})",
    key="net-pick",
    index=choices.index(first),
)
if pick:
    d = g.nodes[pick]
    props = d.get("props", {})
    st.markdown(f"#### {md(d['name'])}")
    facts = {
        k: (int(v) if isinstance(v, float) and v.is_integer() else v)
        for k, v in props.items()
        if k not in ("quote", "source_id", "id")
    }
    c1, c2 = st.columns([1, 1])
    with c1:
        st.dataframe(
            pd.DataFrame({"field": list(facts), "value": [str(v) for v in facts.values()]}),
            hide_index=True,
            width="stretch",
        )
    with c2:
        src = props.get("source_id")
        st.markdown(f"**Source:** {md(source_titles.get(src, src or 'not given'))}")
        if props.get("quote"):
            st.markdown("**What the document says:**")
            st.text(props["quote"])
    ties_rows = []
    order = {t: i for i, t in enumerate(TIE_KINDS)}
    edges = sorted(g.edges(pick, data=True), key=lambda x: order.get(x[2]["type"], len(order)))
    summed = False
    for u, v, e in edges:
        other = v if u == pick else u
        ep = e.get("props", {})
        tie = TIE_KINDS.get(e["type"], e["type"])
        if "flows" in ep:  # a donor–recipient pair standing for its flows
            summed = True
            first, last = ep.get("years", (None, None))
            ties_rows.append(
                {
                    "tie": f"{tie} ({ep['flows']:,} flows)",
                    "with": names.get(other, other),
                    "year": (f"{first}–{last}" if first != last else str(first))
                    if first is not None
                    else "not stated",
                    "amount_usd": ep.get("amount_usd"),
                    "role": None,
                    "source": "each flow's own",
                    "quote": f"{ep['flows']:,} flows, each citing its own sentence in the "
                    "funding records",
                }
            )
            continue
        ties_rows.append(
            {
                "tie": tie,
                "with": names.get(other, other),
                "year": ep.get("year"),
                "amount_usd": ep.get("amount_usd"),
                "role": ep.get("role"),
                "source": source_titles.get(ep.get("source_id"), ep.get("source_id")),
                "quote": ep.get("quote"),
            }
        )
    if ties_rows:
        st.markdown(
            "**Ties, each with the sentence it comes from**"
            + (
                " (funding is summed per donor and recipient: the portfolio has too many "
                "flows to list one by one here)"
                if summed
                else ""
            )
        )
        table(pd.DataFrame(ties_rows), f"ties_{d['id']}", key="dl-ties")
