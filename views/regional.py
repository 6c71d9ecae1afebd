"""Regional balance: a world map of money, projects or partners per country, and the regions
of a chosen scheme against target shares.

The map is drawn from the bundled geometry in ``data/geo/`` (no tiles, nothing fetched);
countries the geometry lacks show as markers, and any country that cannot be placed at all
is listed under the map.
"""

import pandas as pd
import streamlit as st

from graph import app_support as support
from graph.balance import balance_score
from graph.errors import AnalysisError
from graph.store import Filters
from views import geo, state
from views.fmt import md, num, pct, table, usd, usd_k

store, _ = state.get_store()

st.title("Regional balance")
st.caption(
    "Where the work goes: money for projects, projects, partners and events per country and "
    "region, against the shares the institute aims for."
)

SCHEME_NAMES = {
    "focus": "Institute focus regions",
    "unesco": "UNESCO regions",
    "m49": "UN M49 regions",
    "m49_subregion": "UN M49 sub-regions",
}
MEASURE_NAMES = {
    "projects": "Projects",
    "partners": "Partners",
    "usd": "Money (known, USD)",
    "events": "Events",
    "organizations": "Organizations based there",
}


@st.cache_data(show_spinner=False, ttl=state.SERVER_TTL)
def _countries(key, _store, year_from, year_to):
    return support.country_metrics(_store, Filters(year_from=year_from, year_to=year_to))


@st.cache_data(show_spinner=False, ttl=state.SERVER_TTL)
def _regions(key, _store, scheme, measure, targets, year_from, year_to):
    return support.region_table(
        _store,
        scheme,
        measure=measure,
        targets=dict(targets) if targets else None,
        filters=Filters(year_from=year_from, year_to=year_to),
    )


projects = state.table(store, "Project")
years = sorted(
    {
        int(y)
        for col in ("start_year", "end_year")
        if col in projects
        for y in projects[col].dropna()
    }
)
c1, c2 = st.columns([1, 2])
with c1:
    measure = st.radio(
        "Colour the map by",
        list(MEASURE_NAMES),
        format_func=MEASURE_NAMES.get,
        key="geo-measure",
        horizontal=False,
    )
with c2:
    if len(years) >= 2:
        yr = st.slider(
            "Years active", min(years), max(years), (min(years), max(years)), key="geo-years"
        )
    else:
        yr = (None, None)
    st.caption(
        "Money counts only flows tied to a project, split over the project's target countries "
        "(by stated shares, else evenly). Most documents give money per donor, not per project, "
        "so the money map is sparse; projects and partners show the reach better."
    )

metrics = _countries(state.store_key(store), store, yr[0], yr[1])
chart, unmapped, markers = geo.world_map(metrics, measure)
st.altair_chart(chart, width="stretch")
notes = []
if len(markers):
    notes.append(
        "Shown as dots (too small for the map's outlines): "
        + ", ".join(md(c) for c in sorted(markers["country"].astype(str)))
        + "."
    )
if len(unmapped):
    notes.append(
        "Not on the map at all: "
        + ", ".join(md(c) for c in sorted(unmapped["country"].astype(str)))
        + "."
    )
if notes:
    st.caption(" ".join(notes))

with st.expander("Countries table"):
    t = metrics[
        (metrics[["usd", "projects", "partners", "organizations", "events"]] > 0).any(axis=1)
    ].copy()
    t["USD k"] = t["usd"].map(usd_k)
    t = t.sort_values(["projects", "partners", "country"], ascending=[False, False, True])
    table(
        t[["iso3", "country", "USD k", "projects", "partners", "organizations", "events"]],
        "countries",
        money=["USD k"],
    )

st.divider()
st.subheader("Regions against target shares")
schemes = support.region_schemes(store)
if not schemes:
    st.info("The store holds no regions.")
    st.stop()
c1, c2 = st.columns([1, 1])
with c1:
    scheme = st.selectbox(
        "Region scheme", schemes, format_func=lambda s: SCHEME_NAMES.get(s, s), key="geo-scheme"
    )
with c2:
    rmeasure = st.selectbox(
        "Measure",
        ["projects", "partners", "events", "usd"],
        format_func=MEASURE_NAMES.get,
        key="geo-rmeasure",
    )
_, names = support.country_regions(store, scheme)
st.caption(
    "Set the share each region should have (in %). They must add up to 100; leave all at 0 to "
    "compare without targets. The defaults give Priority Africa the largest share."
)
default = {}
if names:
    africa = [r for r in names if "africa" in r.lower()]
    rest = [r for r in names if r not in africa]
    if africa:
        for r in africa:
            default[r] = round(40.0 / len(africa), 1)
        for r in rest:
            default[r] = round(60.0 / len(rest), 1) if rest else 0.0
    else:
        for r in names:
            default[r] = round(100.0 / len(names), 1)
    diff = round(100.0 - sum(default.values()), 1)
    if default:
        first = next(iter(default))
        default[first] = round(default[first] + diff, 1)
editor = pd.DataFrame(
    {
        "region_id": list(names),
        "region": [names[r] for r in names],
        "target %": [default.get(r, 0.0) for r in names],
    }
)
edited = st.data_editor(
    editor,
    hide_index=True,
    width="stretch",
    disabled=["region_id", "region"],
    column_config={
        "region_id": None,
        "target %": st.column_config.NumberColumn(
            "target %", min_value=0.0, max_value=100.0, step=0.5, format="%.1f"
        ),
    },
    key=f"targets-{scheme}",
)
total_target = float(edited["target %"].sum())
targets = None
if total_target > 0:
    if abs(total_target - 100) > 0.05:
        st.warning(
            f"The targets add up to {total_target:.1f} %, not 100 %: showing the regions without targets."
        )
    else:
        targets = tuple(
            (r, float(v) / total_target)
            for r, v in zip(edited["region_id"], edited["target %"], strict=False)
        )

try:
    res = _regions(state.store_key(store), store, scheme, rmeasure, targets, yr[0], yr[1])
except AnalysisError as e:
    st.error(f"Cannot compare with these targets: {md(e)}")
    st.stop()
rt = res["table"].copy()
rt["USD k"] = rt["usd"].map(usd_k)
cols = ["region", rmeasure if rmeasure != "usd" else "USD k", "share"]
if "target_share" in rt:
    cols += ["target_share", "gap"]
others = [c for c in ["projects", "partners", "events", "USD k"] if c not in cols]
table(
    rt[cols + others], f"regions_{scheme}", money=["USD k"], shares=["share", "target_share", "gap"]
)

total = rt[rmeasure].sum()
if total > 0:
    values = dict(zip(rt["region_id"], rt[rmeasure], strict=False))
    b = balance_score(values, dict(targets) if targets else None)
    c = st.columns(3)
    c[0].metric(
        "Evenness over regions", num(b["evenness"], 2), help="0 = all in one region, 1 = all equal"
    )
    if b["score"] is not None:
        c[1].metric("Balance score", pct(b["score"], 0), help="100 % = exactly on target")
        c[2].metric(
            "Off target", pct(b["distance_to_targets"], 0), help="Share that would have to move"
        )
        below = rt[rt.get("gap", pd.Series(dtype=float)) < -0.005] if "gap" in rt else rt.iloc[0:0]
        if len(below):
            worst = below.sort_values("gap").iloc[0]
            st.markdown(
                f"**In plain words.** {pct(b['distance_to_targets'], 0)} of the "
                f"{MEASURE_NAMES[rmeasure].lower()} would have to move between regions to meet the "
                f"targets. Furthest below target: **{md(worst['region'])}** "
                f"({pct(worst['share'], 0)} against {pct(worst['target_share'], 0)})."
            )
else:
    what = "money tied to projects" if rmeasure == "usd" else MEASURE_NAMES[rmeasure].lower()
    st.info(f"No {what} in any region of this scheme for these years.")
if len(res["unassigned"]):
    st.caption(
        "Countries with activity outside every region of this scheme: "
        + ", ".join(md(c) for c in sorted(res["unassigned"]["country"].astype(str)))
        + "."
    )
if rmeasure == "usd":
    st.caption(f"Known money placed in regions: {usd(rt['usd'].sum())}.")
