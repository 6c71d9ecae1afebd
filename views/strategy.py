"""Strategy: from where the institute stands to where it is going.

For a planning period (the strategy period 2026–2029 by default): the money secured and
expected each year with its band (a fan chart), by channel; the projected concentration and
regional balance against the board's limits and targets; what it takes in new money to
bring them within; and the renewals and prospects it rests on, edited here, kept for the
session and downloadable as the CSV files the Data page loads. The analyses are
:mod:`graph.analyses.projection`, :mod:`graph.analyses.what_it_takes` and
:mod:`graph.analyses.limits`; the words and tables are :mod:`graph.reports.planning`'s.
"""

import streamlit as st

from graph.errors import AnalysisError
from graph.reports import planning as words
from views import charts, planning, state
from views.fmt import chart_unit, csv_bytes, md, plural, table, usd_k

store, _ = state.get_store()

st.title("Strategy")
st.caption(
    "Where the institute's funding is heading over a planning period: what is secured, what "
    "renewals and new agreements may add, how concentrated and how balanced across regions "
    "it would be, and what it takes to meet the board's limits. Renewals and prospects are "
    "assumptions you give below, not facts of the documents."
)

c = st.columns([2, 2, 3])
c[0].slider(
    "Planning period",
    2020,
    2040,
    value=planning.period(),
    key="w-plan-period",
    on_change=planning.remember,
    args=("w-plan-period", "plan-period"),
)
c[1].number_input(
    "Required a year (USD)",
    min_value=0,
    max_value=10**10,
    value=int(planning.required() or 0),
    step=50_000,
    key="w-plan-required",
    on_change=planning.remember,
    args=("w-plan-required", "plan-required"),
    help="The money a year must bring, e.g. core staff costs; the gap is this less the "
    "expected money. Leave 0 for none.",
)
p, problems = planning.current(store)
checks = planning.limit_checks(store, p)
bad = {k: v for k, v in problems.items() if v}
if bad:
    st.warning(
        "Some renewals or prospects have problems (see Assumptions): the projection uses "
        "the last version of those tables without any.",
        icon=":material/warning:",
    )
c[2].markdown(md(words.projection_said(p)))

tabs = st.tabs(["Projection", "Concentration and balance", "What it takes", "Assumptions"])

with tabs[0]:
    fan = words.fan_frame(p)
    parts = ("secured", "expected", "low", "high")
    shown = fan.assign(**{k: fan[k].map(usd_k) for k in parts})
    required = usd_k(planning.required())
    per, unit = chart_unit(*(shown[k] for k in parts), required)
    shown = shown.assign(**{k: shown[k] / per for k in parts})
    st.subheader("Money a year: secured, expected and its band")
    if not (fan["high"] > 0).any():
        st.info(
            "No money is secured or assumed for these years, so there is nothing to draw "
            "yet. Add renewals and prospects under Assumptions (Suggest renewals starts "
            "one for each donor and channel with known money).",
            icon=":material/info:",
        )
    else:
        st.altair_chart(
            charts.fan(shown, required=required and required / per, unit=unit), width="stretch"
        )
        st.caption(
            "Grey bars: secured (funding flows dated in the year). Line: expected (secured "
            "plus each renewal and prospect times its chance). Band: 10th to 90th percentile "
            "of how they can turn out, each independent of the others."
            + (" Dashed: the required level." if planning.required() else "")
        )
    yt = words.year_table(p)
    table(yt, "projection-by-year")
    ch = words.channel_frame(p)
    if len(ch) and ch["usd"].sum() > 0:
        st.subheader("By channel")
        usd_ks = ch["usd"].map(usd_k)
        per, unit = chart_unit(usd_ks)
        st.altair_chart(
            charts.stacked_channels(ch.assign(usd=usd_ks / per), unit=unit), width="stretch"
        )
        st.caption("Solid: secured. Pale: what renewals and prospects are expected to add.")
    at = words.assumption_table(p)
    if len(at):
        st.subheader("What the projection assumes")
        table(at, "projection-assumptions")

with tabs[1]:
    st.subheader("Board limits, now and projected")
    table(words.limits_table(checks, p.period), "board-limits")
    cc = words.concentration_frame(p)
    if cc["hhi"].notna().any():
        left, right = st.columns(2)
        with left:
            hhi_max = planning.threshold("hhi", 2500)
            st.markdown("**Donor concentration (HHI)**")
            st.altair_chart(
                charts.band_vs_limit(
                    cc, "hhi", title="HHI", limit=hhi_max, limit_text=f"limit {hhi_max:,.0f}"
                ),
                width="stretch",
            )
        with right:
            top = planning.threshold("top_donor_share", 0.4)
            st.markdown("**Largest donor's share of voluntary money**")
            st.altair_chart(
                charts.band_vs_limit(
                    cc,
                    "cr1_voluntary",
                    title="Share",
                    limit=top,
                    limit_text=f"limit {top:.0%}",
                    fmt=".0%",
                ),
                width="stretch",
            )
        table(words.concentration_table(p), "projected-concentration")
    else:
        st.info("No money is known or assumed in the period, so no concentration to project.")
    st.subheader("Regional balance against the targets")
    measure = st.radio(
        "Share of",
        ["agreements", "money"],
        format_func={"agreements": "agreements in force", "money": "money"}.get,
        horizontal=True,
        key="plan-measure",
    )
    rf = words.region_frame(p, measure)
    if rf["share"].notna().any():
        st.altair_chart(charts.region_shares(rf), width="stretch")
        table(words.region_table(p, measure), f"projected-regions-{measure}")
    else:
        st.info(
            "No region is known for this measure in the period: give renewals and prospects "
            "a region (Assumptions) to see where the money would go."
        )

with tabs[2]:
    st.subheader("What it takes")
    st.caption(
        "The least new money a year that brings the HHI under a level and each focus region "
        "to its target less a tolerance, in one year, over the secured or the expected "
        "money; the new money comes from new donors of a given size. Solved in closed form "
        "and checked by running the projection again with the money added."
    )
    c = st.columns(5)
    years = list(range(p.period[0], p.period[1] + 1))
    year = c[0].selectbox("Year", years, index=len(years) - 1, key="takes-year")
    hhi_max = c[1].number_input(
        "HHI under", 100, 10_000, int(planning.threshold("hhi", 2500)), 100, key="takes-hhi"
    )
    tol = c[2].number_input(
        "Tolerance (points)",
        0,
        50,
        int(round(100 * planning.threshold("region_share", 0.10))),
        key="takes-tolerance",
    )
    base = c[3].radio("Over", ["secured", "expected"], index=1, key="takes-base", horizontal=True)
    size = c[4].number_input(
        "New donor size (USD a year)",
        0,
        10**9,
        0,
        50_000,
        key="takes-size",
        help="0: the median of the expected donors in that year.",
    )
    try:
        w, again = planning.takes(
            p,
            year=year,
            hhi_max=float(hhi_max),
            tolerance=tol / 100,
            base=base,
            donor_size=float(size) or None,
        )
    except AnalysisError:
        w = again = None
        st.info(
            f"No donor's money is known or expected in {year} to take a typical size from: "
            "give a new donor size above (USD a year), or add renewals and prospects.",
            icon=":material/info:",
        )
    if w is not None:
        st.markdown(md(words.what_it_takes_said(w)))
        if len(w.table):
            table(words.what_it_takes_table(w, planning.region_names(store)), "what-it-takes")
    if again is not None:
        st.caption(
            "Checked: with this money added, the projection of "
            f"{year} gives HHI {words.concentration_table(again)['HHI (band)'].iloc[0]}."
        )

with tabs[3]:
    names = state.names(store, "Organization")
    projects = state.names(store, "Project")
    regions = planning.region_names(store)
    config = planning.editor_config(names, projects, regions)
    for kind, what in (("renewals", "Renewals"), ("prospects", "Prospects")):
        st.subheader(what)
        st.caption(planning.EDITOR_HELP[kind])
        widget = planning.editor_key(kind)
        st.data_editor(
            planning.editor_base(store, kind),
            key=widget,
            on_change=planning.edited,
            args=(kind, widget),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config=config[kind],
            placeholder="",
        )
        for prob in problems[kind]:
            st.error(md(str(prob)), icon=":material/error:")
        b = st.columns([1, 1, 1, 3])
        b[0].download_button(
            f"{kind}.csv",
            data=csv_bytes(planning.assumptions(store, kind).dropna(how="all")),
            file_name=f"{kind}.csv",
            mime="text/csv",
            key=f"dl-plan-{kind}",
            icon=":material/download:",
            help="Load it on the Data page to keep these as records.",
        )
        if kind == "renewals" and b[1].button("Suggest renewals", key="plan-suggest"):
            planning.suggest(store)
            st.rerun()
        if b[2].button("Clear", key=f"plan-clear-{kind}"):
            planning.reset(kind)
            st.rerun()
    n = sum(len(planning.assumptions(store, k).dropna(how="all")) for k in planning.COLUMNS)
    st.caption(
        f"{plural(n, 'assumption')} in this session. They stay until the session ends; "
        "download them to keep them."
    )
