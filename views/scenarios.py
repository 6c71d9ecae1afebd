"""Scenarios: what if donors leave (and a new one joins)?

Choose donors to remove and optionally a new donor with an amount, sector and region: the
concentration before and after, money lost by region and project, projects left unfunded,
and the partnership network before and after. The analysis is
:func:`graph.app_support.donor_exit`.
"""

import pandas as pd
import streamlit as st

from graph import app_support as support
from graph.errors import AnalysisError
from graph.schema import SECTORS
from views import netviz, state
from views.fmt import label_of, md, num, pct, table, usd, usd_k

store, _ = state.get_store()

st.title("Scenarios")
st.caption(
    "Test the institute's dependence on its donors: remove one or more, add a new one, and see "
    "what happens to concentration, to the money for regions and projects, and to the network."
)

fl = support.donor_flows(state.flows(store))
if fl.empty:
    st.info("No funding flows in the store.")
    st.stop()
donors = (
    fl.assign(usd=pd.to_numeric(fl["amount_usd"], errors="coerce").fillna(0.0))
    .groupby(["donor_id", "donor"], as_index=False)["usd"]
    .sum()
    .sort_values(["usd", "donor"], ascending=[False, True])
)
names = dict(zip(donors["donor_id"], donors["donor"], strict=False))
known_usd = dict(zip(donors["donor_id"], donors["usd"], strict=False))

with st.container(border=True):
    remove = st.multiselect(
        "Donors that leave",
        list(donors["donor_id"]),
        default=list(donors["donor_id"][:1]),  # the largest donor: the question boards ask first
        format_func=lambda d: (
            f"{names.get(d, d)} — {usd(known_usd.get(d), unknown='amount unknown') if known_usd.get(d) else 'amount unknown'}"
        ),
        key="scn-remove",
        placeholder="Choose one or more donors",
    )
    add_new = st.toggle("Add a new donor", key="scn-add")
    add = None
    if add_new:
        regions = state.table(store, "Region")
        projects = state.table(store, "Project")
        c = st.columns([2, 1, 1, 1])
        name = c[0].text_input("Name", value="New donor", key="scn-name", max_chars=120)
        amount = c[1].number_input(
            "Amount (USD k)", min_value=0.0, value=250.0, step=50.0, key="scn-usd"
        )
        sector = c[2].selectbox("Sector", list(SECTORS), format_func=label_of, key="scn-sector")
        rids = list(regions["id"]) if len(regions) else []
        rnames = dict(zip(regions.get("id", []), regions.get("name", []), strict=False))
        region = c[3].selectbox(
            "Region",
            [None] + rids,
            format_func=lambda r: "not stated" if r is None else rnames.get(r, r),
            key="scn-region",
        )
        ptitles = dict(zip(projects.get("id", []), projects.get("title", []), strict=False))
        project = st.selectbox(
            "For a project (optional)",
            [None] + sorted(ptitles, key=lambda p: str(ptitles[p])),
            format_func=lambda p: "no particular project" if p is None else str(ptitles.get(p, p)),
            key="scn-project",
        )
        add = {
            "name": name,
            "usd": amount * 1000.0,
            "sector": sector,
            "region": region,
            "project_id": project,
        }

if not remove and not add:
    st.info("Choose at least one donor that leaves, or add a new donor, to see a scenario.")
    st.stop()


@st.cache_data(show_spinner="Working out the scenario…", ttl=state.SERVER_TTL)
def _scenario(key, _store, remove, add_items):
    return support.donor_exit(_store, list(remove), add=dict(add_items) if add_items else None)


try:
    r = _scenario(
        state.store_key(store), store, tuple(remove), tuple(sorted(add.items())) if add else None
    )
except AnalysisError as e:
    st.error(f"Cannot compute this scenario: {md(e)}")
    st.stop()

b, a = r["before"], r["after"]
st.subheader("Concentration before and after")


def _hhi(x):
    if x is None:
        return "n/a"
    lo, hi = x["low"]["hhi"], x["high"]["hhi"]
    return num(lo) if abs(lo - hi) < 1e-9 else f"{num(lo)} – {num(hi)}"


c = st.columns(4)
c[0].metric("HHI before", _hhi(b))
delta = None
if a is not None and b is not None:
    d = a["high"]["hhi"] - b["high"]["hhi"]
    delta = f"{'+' if d >= 0 else '−'}{num(abs(d))}"
c[1].metric("HHI after", _hhi(a), delta=delta, delta_color="inverse")
c[2].metric("Known donor money before", usd(r["total_before"]))
change = r["total_after"] - r["total_before"]
c[3].metric(
    "Known donor money after",
    usd(r["total_after"]),
    delta=(("+" if change > 0 else "-") + usd(abs(change))) if abs(change) > 0.5 else "no change",
    delta_color="normal" if abs(change) > 0.5 else "off",
)
if a is None:
    st.warning("No donor money with a known amount would be left.")
else:
    band_b = b["bands"]["2023"] if b else "n/a"
    st.markdown(
        f"**In plain words.** Funding would be **{a['bands']['2023']}** (now {band_b}); the largest "
        f"remaining donor would give {pct(a['high']['cr1'], 0)} of known money, as if from about "
        f"{num(a['low']['effective_order2'], 1)} equal donors."
    )
    rows = []
    for key_, label in (
        ("n_donors", "Donors"),
        ("hhi", "HHI"),
        ("cr1", "CR1"),
        ("cr3", "CR3"),
        ("effective_order2", "Effective donors"),
    ):
        f = (
            (lambda v: pct(v))
            if key_.startswith("cr")
            else (lambda v, k=key_: num(v, 1 if "eff" in k else 0))
        )
        rows.append(
            {
                "figure": label,
                "before (low)": f(b["low"][key_]) if b else "n/a",
                "before (high)": f(b["high"][key_]) if b else "n/a",
                "after (low)": f(a["low"][key_]),
                "after (high)": f(a["high"][key_]),
            }
        )
    table(pd.DataFrame(rows), "scenario_concentration", key="dl-scn-conc")

st.subheader("Money lost")
c1, c2 = st.columns(2)
with c1:
    st.markdown("**By region**")
    lr = r["lost_by_region"]
    if len(lr):
        scheme = st.selectbox("Region scheme", sorted(set(lr["scheme"].dropna())), key="scn-scheme")
        part = lr[lr["scheme"] == scheme]
        table(
            part.assign(**{"USD k": part["usd_lost"].map(usd_k)})[["region", "USD k"]],
            "scenario_lost_by_region",
            money=["USD k"],
            key="dl-scn-region",
        )
    else:
        st.caption("None of the money lost is tied to a project with target countries or regions.")
    if r["lost_unplaced"] > 0:
        st.caption(
            f"{usd(r['lost_unplaced'])} lost is not tied to any project, so it has no region."
        )
with c2:
    st.markdown("**By project**")
    lp = r["lost_by_project"]
    if len(lp):
        table(
            lp.assign(**{"USD k": lp["usd_lost"].map(usd_k)})[["project", "USD k"]],
            "scenario_lost_by_project",
            money=["USD k"],
            key="dl-scn-project",
        )
    else:
        st.caption("No known money for a named project is lost.")
st.markdown(f"Known money lost in all: **{usd(r['lost_total'])}**.")

st.subheader("Projects left without a funder")
if len(r["unfunded"]):
    table(
        r["unfunded"][["project", "donors_lost"]],
        "scenario_unfunded_projects",
        key="dl-scn-unfunded",
    )
    st.caption("Every funding flow recorded for these projects came from the donors that leave.")
else:
    st.write("No project loses all its recorded funders.")

st.subheader("The network before and after")
net = r["network"]
c = st.columns(3)
groups = net["components_after"] - net["components_before"]
c[0].metric(
    "Connected groups",
    f"{net['components_after']:,}",
    delta=f"{groups:+,}" if groups else "no change",
    delta_color="inverse" if groups else "off",
    help="Parts of the network with no tie between them; more means it falls apart",
)
c[1].metric(
    "Nodes",
    f"{net['nodes_after']:,}",
    delta=f"{net['nodes_after'] - net['nodes_before']:+,}",
    delta_color="off",
)
c[2].metric("Newly isolated", f"{len(net['isolated_after']):,}")
if net["isolated_after"]:
    st.caption("Left with no tie at all: " + ", ".join(md(x) for x in net["isolated_after"][:20]))
n = max(len(net["brokers_before"]), len(net["brokers_after"]))
if n:
    st.markdown("**Brokers** — who links otherwise separate groups (betweenness centrality)")

    def _col(items):
        return [f"{name} ({v:.2f})" for name, v in items] + [""] * (n - len(items))

    st.dataframe(
        pd.DataFrame({"before": _col(net["brokers_before"]), "after": _col(net["brokers_after"])}),
        hide_index=True,
        width="stretch",
    )

g, pos, cent = state.network(store)
sources = state.table(store, "Source")
view = st.segmented_control("Show", ["After", "Before"], default="After", key="scn-view")
removed = set(r["removed_nodes"])
if view == "Before":
    page, _info = netviz.build_network_html(
        g,
        pos,
        centrality=cent,
        marked=removed,
        heading="Before: leaving donors outlined in red",
        sources=dict(zip(sources.get("id", []), sources.get("title", []), strict=False)),
        height=520,
    )
else:
    page, _info = netviz.build_network_html(
        g,
        pos,
        centrality=cent,
        visible=set(g.nodes) - removed,
        heading="After the donors leave",
        sources=dict(zip(sources.get("id", []), sources.get("title", []), strict=False)),
        height=520,
    )
st.iframe(page, height=600)
