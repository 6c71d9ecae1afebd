"""Scenarios: what if donors leave (and a new one joins)?

Choose donors to remove and optionally a new donor with an amount, sector and country: the
concentration before and after, money lost by region and project, projects left without a
funder, and the partnership network before and after. The analysis is
:func:`graph.analyses.scenarios.donor_exit` (with ``add=`` for the new donor, see
:func:`graph.analyses.scenarios.add_donor`).
"""

import pandas as pd
import streamlit as st

from graph.errors import AnalysisError
from graph.reports import figures as support
from graph.schema import SECTORS
from views import netviz, state
from views.fmt import figure_row, label_of, md, num, pct, scheme_name, span, table, usd, usd_k

store, _ = state.get_store()

st.title("Scenarios")
st.caption(
    "Test the institute's dependence on its donors: remove one or more, add a new one, and see "
    "what happens to concentration, to the money for regions and projects, and to the network."
)

totals, pools = state.donors(store)
if totals.empty:
    st.info("No funding flows in the store.")
    st.stop()
names = dict(zip(totals["donor_id"], totals["donor"], strict=True))
known_usd = dict(zip(totals["donor_id"], totals["amount_usd"], strict=True))
pool_of = {m: p for p, ms in pools.items() for m in ms}
# every donor with a flow, largest first, and every member of a pooled fund
candidates = list(totals["donor_id"]) + sorted(set(pool_of) - set(totals["donor_id"]))


def _donor_label(d):
    amount = usd(known_usd[d]) if known_usd.get(d) else "amount unknown"
    via = f"; also in {names.get(pool_of[d], pool_of[d])}" if d in pool_of else ""
    return f"{names.get(d, d)} — {amount}{via}"


with st.container(border=True):
    remove = st.multiselect(
        "Donors that leave",
        candidates,
        default=candidates[:1],  # the largest donor: the question boards ask first
        format_func=_donor_label,
        key="scn-remove",
        placeholder="Choose one or more donors",
    )
    add_new = st.toggle("Add a new donor", key="scn-add")
    add = None
    cnames = state.names(store, "Country")
    if add_new:
        c = st.columns([2, 1, 1, 1])
        name = c[0].text_input("Name", value="New donor", key="scn-name", max_chars=120)
        amount = c[1].number_input(
            "Amount (USD k)", min_value=0.0, value=250.0, step=50.0, key="scn-usd"
        )
        sector = c[2].selectbox(
            "Sector", [s for s in SECTORS if s != "pool"], format_func=label_of, key="scn-sector"
        )
        country = c[3].selectbox(
            "Based in",
            [None] + sorted(cnames, key=lambda i: str(cnames[i])),
            format_func=lambda i: "not stated" if i is None else cnames.get(i, i),
            key="scn-country",
        )
        ptitles = state.names(store, "Project")
        project = st.selectbox(
            "For a project (optional)",
            [None] + sorted(ptitles, key=lambda p: str(ptitles[p])),
            format_func=lambda p: "no particular project" if p is None else str(ptitles.get(p, p)),
            key="scn-project",
        )
        if amount > 0:
            add = {
                "name": name or "New donor",
                "amount": amount * 1000.0,
                "sector": sector,
                "country": country,
                "project": project,
            }

if not remove and not add:
    st.info("Choose at least one donor that leaves, or add a new donor, to see a scenario.")
    st.stop()


def scenario(scheme="focus"):
    return state.scenario(
        store,
        tuple(remove),
        tuple(sorted(add.items())) if add else None,
        scheme,
    )


try:
    r = scenario()
except AnalysisError as e:
    st.error(f"Cannot compute this scenario: {md(e)}")
    st.stop()

drawn, pos = state.network(store)
drawn_names = dict(zip(drawn.nodes["key"], drawn.nodes["name"], strict=True))


def _name(label, i):
    return drawn_names.get(f"{label}:{i}", i)


b, a = r["concentration_before"], r["concentration_after"]
st.subheader("Concentration before and after")


def _hhi(x):
    return "no known money" if x is None else span(x["low"]["hhi"], x["high"]["hhi"], num)


c = figure_row()
c.metric("HHI before", _hhi(b))
delta = None
if a is not None and b is not None:
    d = a["high"]["hhi"] - b["high"]["hhi"]
    delta = f"{'+' if d >= 0 else '-'}{num(abs(d))}"  # ASCII: Streamlit reads the sign
c.metric(
    "HHI after",
    _hhi(a),
    delta=delta,
    delta_color="inverse",
    help="The change is that of the higher figure of each range",
)
c.metric("Known donor money before", usd(r["money_before"]))
change = r["money_after"] - r["money_before"]
c.metric(
    "Known donor money after",
    usd(r["money_after"]),
    delta=(("+" if change > 0 else "-") + usd(abs(change))) if abs(change) > 0.5 else "no change",
    delta_color="normal" if abs(change) > 0.5 else "off",
    delta_arrow="auto" if abs(change) > 0.5 else "off",
)
if a is None:
    st.warning("No donor money with a known amount would be left.")
else:
    band_b = b["bands"]["2023"] if b else "not measurable"
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
                "before (low)": f(b["low"][key_]) if b else "no known money",
                "before (high)": f(b["high"][key_]) if b else "no known money",
                "after (low)": f(a["low"][key_]),
                "after (high)": f(a["high"][key_]),
            }
        )
    table(pd.DataFrame(rows), "scenario_concentration", key="dl-scn-conc")
    st.caption(md(r["note"]))
new = r["added"]
if new is not None:
    st.markdown(
        f"**The new donor.** {md(new['name'])} gives {usd(new['amount'])} a year as a "
        f"{md(label_of(new['sector']))} donor"
        + (f" based in {md(cnames.get(new['country'], new['country']))}" if new["country"] else "")
        + "."
    )
    div = pd.DataFrame(
        [
            {
                "donor money by": "sector",
                "effective groups before": num(new["sector_before"]["effective_number"], 2),
                "after": num(new["sector_after"]["effective_number"], 2),
            },
            {
                "donor money by": "region (UNESCO regions)",
                "effective groups before": num(new["region_before"]["effective_number"], 2),
                "after": num(new["region_after"]["effective_number"], 2),
            },
        ]
    )
    table(div, "scenario_new_donor_diversity", key="dl-scn-diversity")
    st.caption(
        "Effective groups = exp(Shannon entropy) of known donor money over sectors or donor "
        "regions: how many equally funded groups the money is as diverse as. Higher is more "
        "diverse."
    )

st.subheader("Money lost")
st.markdown(
    f"Known money the leaving donors take: **{usd(r['money_lost'])}**"
    + (
        f", of which {usd(r['lost_from_pools'])} is their even share of pooled funds"
        if r["lost_from_pools"] > 0.5
        else ""
    )
    + "."
)


def _losses(lost, what, name):
    """A table of money before and lost per region or project (USD k), with its CSV."""
    table(
        pd.DataFrame(
            {
                what: lost["name"],
                "before, USD k": lost["before"].map(usd_k),
                "lost, USD k": lost["lost"].map(usd_k),
            }
        ),
        name,
        money=["before, USD k", "lost, USD k"],
        key=f"dl-{name}",
    )


c1, c2 = st.columns(2)
with c1:
    st.markdown("**By target region**")
    schemes = support.region_schemes(store) or ["focus"]
    scheme = st.selectbox("Region scheme", schemes, format_func=scheme_name, key="scn-scheme")
    lr = (r if scheme == "focus" else scenario(scheme))["lost_by_region"]
    lr = lr[lr["before"] > 0]
    if len(lr):
        _losses(lr, "region", "scenario_lost_by_region")
        st.caption(
            "Money for projects is split over their target regions (by stated shares, else "
            "evenly). 'Unassigned' is money not tied to a project, or to a region of this scheme."
        )
    else:
        st.caption("No known money in this selection.")
with c2:
    st.markdown("**By project**")
    lp = r["lost_by_project"]
    lp = lp[lp["lost"] > 0]
    if len(lp):
        _losses(lp, "project", "scenario_lost_by_project")
    else:
        st.caption(
            "No known money tied to a named project is lost (most documents give money per "
            "donor, not per project)."
        )

st.subheader("Projects left without a funder")
if len(r["unfunded"]):
    table(
        r["unfunded"][["title", "donors"]].rename(columns={"title": "project"}),
        "scenario_unfunded_projects",
        key="dl-scn-unfunded",
    )
    st.caption(
        "Every donor recorded for these projects (by a funding flow or a donor role) leaves, so "
        "they are treated as stopping and drop out of the network after."
    )
else:
    st.write("No project loses all its recorded funders.")

st.subheader("The network before and after")
c = figure_row()
groups = r["components_after"] - r["components_before"]
c.metric(
    "Connected groups",
    f"{r['components_after']:,}",
    delta=f"{groups:+,}" if groups else "no change",
    delta_color="inverse" if groups else "off",
    delta_arrow="auto" if groups else "off",
    help="Parts of the network with no tie between them; more means it falls apart",
)
institute = _name("Organization", r["institute"]) if r["institute"] else "the institute"
c.metric(
    "Partners cut off",
    f"{len(r['partners_cut_off']):,}",
    help=f"Organizations that would no longer be linked to {institute} by any path",
)
c.metric(
    "New brokers",
    f"{len(r['new_brokers']):,}",
    help="Organizations that would become the only link between parts of the network",
)
if r["partners_cut_off"]:
    cut = r["partners_cut_off"]
    st.caption(
        f"No longer linked to {md(institute)}: "
        + ", ".join(md(_name("Organization", i)) for i in cut[:20])
        + (f" and {len(cut) - 20:,} more" if len(cut) > 20 else "")
        + "."
    )
if r["new_brokers"]:
    st.caption(
        "New brokers — the network would fall apart without them: "
        + ", ".join(md(_name("Organization", i)) for i in r["new_brokers"])
        + "."
    )

source_titles = state.names(store, "Source")
view = st.segmented_control("Show", ["After", "Before"], default="After", key="scn-view")
removed = {f"Organization:{d}" for d in r["removed"]}
stopped = {f"Project:{p}" for p in r["projects_unfunded"]}
if view == "Before":
    page, _info = netviz.build_network_html(
        drawn,
        pos,
        marked=removed | stopped,
        heading="Before: leaving donors and stopping projects outlined in red",
        sources=source_titles,
        places=state.names(store, "Country"),
        height=520,
    )
else:
    page, _info = netviz.build_network_html(
        drawn,
        pos,
        visible=set(drawn_names) - removed - stopped,
        heading="After the donors leave",
        sources=source_titles,
        places=state.names(store, "Country"),
        height=520,
    )
st.iframe(page, height=600)
