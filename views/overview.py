"""Overview: headline figures, what changed since the previous year, links to the pages.

Donor figures are for money received by the institute (as in the text report and on the
Donor concentration page by default); :func:`graph.reports.figures.headline` finds it.
"""

import pandas as pd
import streamlit as st

from views import state
from views.fmt import figure_row, fits_headline, md, num, pct, plural, span, table, usd

store, _ = state.get_store()
head, changes = state.headline(store)
conc = head["concentration"]
cov = head["coverage"]
who = md(head["recipient_name"])

st.title("Overview")
st.caption(
    "Who funds the institute, who it works with and where — from the records in the store. "
    "Amounts that the documents do not give stay unknown; every figure says how much is known."
)

c = figure_row()
c.metric(
    "Donors",
    num(cov["donors"]),
    help=f"Organizations named as giving money to {who} (own funds left out)",
)
c.metric("Partners", num(head["partners"]), help="Organizations in projects, networks or events")
c.metric("Projects", num(head["projects"]))
c.metric(
    "Countries reached", num(head["countries"]), help="Targeted by a project or hosting an event"
)
if head["external_projects"]:
    st.caption(
        f"Published data about other funders is loaded too ({num(head['external_projects'])} "
        "projects with their funding): it is not counted in any figure here; the Prospects "
        "page uses it."
    )

c = figure_row()
c.metric(
    "Known donor funding",
    usd(cov["donor_usd"]),
    help=f"Money received by {who} whose amount a document states, own funds left out",
)
share = cov["flows_with_amount"] / cov["flows"] if cov["flows"] else 0
c.metric(
    "Donor flows with an amount",
    pct(share, 0),
    delta=f"{cov['flows_with_amount']:,} of {cov['flows']:,}",
    delta_color="off",
    delta_arrow="off",
    help="How much of the picture is known: the rest name a donor but no amount",
)
if conc is None:
    c.metric("Donor concentration (HHI)", "not measurable")
else:
    lo, hi = conc["low"], conc["high"]
    c.metric(
        "Donor concentration (HHI)",
        span(lo["hhi"], hi["hhi"], num),
        delta=conc["bands"]["2023"],
        delta_color="off",
        delta_arrow="off",
        help="Herfindahl–Hirschman index, 0–10,000; under the 2023 US merger guidelines above 1,800 is highly concentrated",
    )
    top = conc["top_donors"].iloc[0] if len(conc["top_donors"]) else None
    if top is not None:
        short = state.names(store, "Organization", "acronym").get(top["donor_id"])
        name = short if isinstance(short, str) and short else str(top["donor"])
        if fits_headline(name):
            c.metric(
                "Largest donor",
                name,
                delta=f"{pct(top['share'], 0)} of known money",
                delta_color="off",
                delta_arrow="off",
                help=str(top["donor"]),
            )
        else:  # a long name as the figure would take a line of its own: named beneath it
            c.metric(
                "Largest donor's share",
                pct(top["share"], 0),
                delta=name,
                delta_color="off",
                delta_arrow="off",
                help="Of known money",
            )
cols = st.columns(2)
cols[0].caption(
    f"Money received by {who}: "
    f"{cov['flows_with_amount']:,} of {plural(cov['flows'], 'donor flow')} state an amount "
    f"({pct(share, 0)}); {plural(cov['donors_without_amount'], 'donor')} gave money or support "
    "of unknown value"
    + (
        f", {cov['donors_without_amount_in_pools']:,} of them members of a pooled fund whose "
        "figure may hold their money; the rest is in no figure."
        if cov.get("donors_without_amount_in_pools")
        else ", which is in no figure."
    )
)
if conc is None:
    cols[1].caption("No amount is known, so concentration cannot be measured.")
else:
    first = conc["top_donors"].iloc[0]["donor"] if len(conc["top_donors"]) else "—"
    cols[1].caption(
        f"**{conc['bands']['2023'].capitalize()}** under the 2023 US merger guidelines "
        "(above 1,800 = highly concentrated). "
        f"The largest donor, {md(first)}, gives {pct(hi['cr1'], 0)} of the known donor money "
        f"received by {who}."
        + (
            " A range, because pooled money cannot be traced to single donors."
            if conc["pooled"]
            else ""
        )
    )

st.divider()
st.subheader("What changed since the previous year")
if changes["year"] is None:
    st.info("No dated funding or events in the store yet.")
else:
    rows = changes["rows"].copy()
    y, p = changes["year"], changes["previous"]
    money_rows = rows[rows["measure"].str.contains("USD")]
    cols = st.columns(2) + st.columns(max(1, len(rows) - len(money_rows)))
    ordered = pd.concat([money_rows, rows.drop(money_rows.index)])
    for col, rec in zip(cols, ordered.to_dict("records"), strict=False):
        money = "USD" in rec["measure"]
        fmt = (lambda v: usd(v)) if money else (lambda v: num(v))
        delta = rec["change"]
        note = rec.get("note") or ""
        if pd.isna(delta):  # not alike: shown, never subtracted
            col.metric(
                rec["measure"],
                fmt(rec["latest"]),
                delta=f"{p}: {fmt(rec['previous'])}",
                delta_color="off",
                delta_arrow="off",
                help=f"Not compared: {note}." if note else None,
            )
            continue
        col.metric(
            rec["measure"],
            fmt(rec["latest"]),
            delta=(("+" if delta > 0 else "-") + fmt(abs(delta))) if delta else "no change",
            delta_color="normal" if delta else "off",
            delta_arrow="auto" if delta else "off",
            help=f"{note.capitalize()}." if note else None,
        )
    part = rows.loc[rows["change"].isna(), "note"].tolist()
    st.caption(
        f"{y} against {p}; money received by {who}. Money is compared like with like: only the "
        "channels whose flows cover the whole year in both years"
        + (
            f"; the documents give {md(part[0])} for part of a year only, so that money is shown "
            "for each year but not subtracted"
            if part
            else ""
        )
        + ". 'Donors named' grows when a document lists a donor without an amount."
    )

st.divider()
st.subheader("Go deeper")
links = [
    (
        "views/concentration.py",
        "Donor concentration",
        ":material/bar_chart:",
        "indices, trend, Lorenz curve, top donors — for the board",
    ),
    (
        "views/regional.py",
        "Regional balance",
        ":material/public:",
        "world map and regions against target shares",
    ),
    (
        "views/network.py",
        "Partnership network",
        ":material/hub:",
        "who works with whom; filters and ego view",
    ),
    (
        "views/scenarios.py",
        "Scenarios",
        ":material/alt_route:",
        "what if a donor leaves or a new one joins",
    ),
    (
        "views/strategy.py",
        "Strategy",
        ":material/trending_up:",
        "the strategy period: secured and expected money, limits, what it takes",
    ),
    (
        "views/prospects.py",
        "Prospects",
        ":material/travel_explore:",
        "funders of the institute's themes in published data, not yet its donors",
    ),
    (
        "views/collaborations.py",
        "Collaborations by region",
        ":material/handshake:",
        "partners, projects, events per region or country",
    ),
    (
        "views/data.py",
        "Data",
        ":material/database:",
        "upload, validate and load records; provenance; load history",
    ),
]
cols = st.columns(3)
for i, (path, title, icon, what) in enumerate(links):
    with cols[i % 3]:
        st.page_link(path, label=title, icon=icon)
        st.caption(what)

with st.expander("What the store holds"):
    s = state.summary(store)
    left, right = st.columns(2)
    with left:
        st.markdown("**Organizations by sector**")
        table(s["by_sector"], "organizations_by_sector", ints=["organizations"])
    with right:
        st.markdown("**Records by kind**")
        table(s["by_kind"], "records_by_kind", ints=["count"])
    st.caption(f"Coverage of money received by {who}: " + md(cov["statement"]))
