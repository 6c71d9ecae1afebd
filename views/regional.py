"""Regional balance: a world map of projects, partners, money or events per country, and the
regions of a chosen scheme against target shares.

The figures are :func:`graph.analyses.regional.country_picture`, :func:`graph.analyses.regional.regional_picture`
and :func:`graph.analyses.regional.regional_balance`. The map is drawn from the bundled geometry in
``data/geo/`` (no tiles, nothing fetched); countries the geometry lacks show as markers, and
any country that cannot be placed at all is listed under the map.
"""

import pandas as pd
import streamlit as st

from graph.analyses import regional
from graph.errors import AnalysisError, EmptySelection
from graph.reports import figures as support
from views import charts, geo, state
from views.fmt import figure_row, md, num, pct, plural, points, scheme_name, table, usd, usd_k

store, _ = state.get_store()

st.title("Regional balance")
st.caption(
    "Where the work goes: projects, partners, money for projects and events per country and "
    "region, against the shares the institute aims for. A project is where it targets: a "
    "country, a region, and each country of a region it targets; partners are counted where "
    "they are based; events where they are held or draw people from. Collaborations by region "
    "uses the same rules."
)

#: What the regions can be balanced on (graph.analyses.regional.MEASURES), in words.
MEASURE_NAMES = {
    "projects": "Projects",
    "partners": "Partners based there",
    "money": "Money (known, USD)",
    "events": "Events",
}
#: The same inside a sentence.
MEASURE_WORDS = {"projects": "projects", "partners": "partners based there", "money": "known money"}


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
        list(geo.MEASURES),
        format_func=geo.CHOICES.get,
        key="geo-measure",
        horizontal=False,
    )
with c2:
    if len(years) >= 2:
        yr = st.slider(
            "Years active", min(years), max(years), (min(years), max(years)), key="geo-years"
        )
        if tuple(yr) == (min(years), max(years)):
            yr = (None, None)  # every year: the institute's current portfolio (see below)
    else:
        yr = (None, None)
    st.caption(
        "A project counts in each country it targets. Money is the known USD of flows tied to a "
        "project, split over its targets by their stated shares (else evenly); most documents "
        "give money per donor, not per project, so the money map is sparse. Partners are the "
        "organizations taking part in a project, network, event or funding flow, counted where "
        "they are based."
    )

scope = state.scope()
st.info(
    md(state.whose(store, scope, yr[0], yr[1]))
    + (
        " With every year shown, a project with nothing dated in the last four years is "
        "historical; pick years to look back. The sidebar switches to the wider network."
        if scope == "institute"
        else " The sidebar switches back to the institute's own portfolio."
    ),
    icon=":material/filter_alt:",
)
metrics = state.countries(store, yr[0], yr[1], scope)
placed = metrics[metrics["country"].notna()]
if not (placed[measure] > 0).any():
    st.info(
        {
            "money_usd": "No known money is tied to a country, so there is no money map: the "
            "documents give most money per donor (core contributions, pooled funds), not per "
            "project, and money reaches a country only through a project that targets it. "
            "Colour the map by projects, partners or events instead.",
            "projects": "No project targets a country in these years.",
            "partners": "No partner has a country stated.",
            "events": "No event in these years has a place.",
        }.get(measure, "Nothing to map."),
        icon=":material/map:",
    )
    unmapped = markers = metrics.iloc[0:0]
else:
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
nowhere = metrics[metrics["country"].isna()]
if len(nowhere):
    row = nowhere.iloc[0]
    notes.append(
        f"Not tied to one country: part or all of {plural(int(row['projects']), 'project')} "
        f"(targets that are whole regions, or none), {usd(row['money_usd'])} of money (not tied "
        f"to a project, or for such targets), {plural(int(row['partners']), 'partner')} with no "
        f"country stated and {plural(int(row['events']), 'event')} with no place."
    )
if notes:
    st.caption(" ".join(notes))

with st.expander("Countries table"):
    t = metrics[metrics["country"].notna()]
    t = t[(t[["money_usd", "projects", "partners", "events"]] > 0).any(axis=1)]
    t = t.sort_values(["projects", "partners", "name"], ascending=[False, False, True])
    table(
        pd.DataFrame(
            {
                "country": t["name"],
                "USD k": t["money_usd"].map(usd_k),
                "projects": t["projects"],
                "partners based there": t["partners"],
                "events": t["events"],
            }
        ),
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
    scheme = st.selectbox("Region scheme", schemes, format_func=scheme_name, key="geo-scheme")
with c2:
    rmeasure = st.selectbox(
        "Measure",
        [m for m in MEASURE_NAMES if m in regional.MEASURES],
        format_func=MEASURE_NAMES.get,
        key="geo-rmeasure",
    )
names = regional.scheme_regions(store, scheme)
defaults = regional.DEFAULT_TARGETS if scheme == "focus" else {}
missing = [r for r in defaults if r != regional.OTHER and r not in names]
if missing:  # the default targets name regions this store does not hold
    defaults = {}
rows = {**names, regional.OTHER: "all other regions"}
st.caption(
    "Set the share each region should have (in %). They must add up to 100; leave all at 0 to "
    "compare without targets. With a share for 'all other regions', every region given 0 counts "
    "there. "
    + (
        "The defaults are a proposal from the Director's report, not figures from the documents."
        if defaults
        else (
            "The default targets name regions this store does not hold "
            f"({', '.join(regional.DEFAULT_TARGET_NAMES.get(r, r) for r in missing)}), so "
            "none are set."
            if missing
            else "This scheme has no default targets."
        )
    )
)
if defaults:
    with st.expander("Why these default targets"):
        st.write(regional.TARGETS_REASONING)
editor = pd.DataFrame(
    {
        "region_id": list(rows),
        "region": list(rows.values()),
        "target %": [round(100 * defaults.get(r, 0.0), 1) for r in rows],
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
            f"The targets add up to {total_target:.1f} %, not 100 %: showing the regions without "
            "targets."
        )
    else:
        targets = tuple(
            (r, float(v) / total_target)
            for r, v in zip(edited["region_id"], edited["target %"], strict=True)
            if v > 0
        )

what = MEASURE_WORDS.get(rmeasure, rmeasure)
try:
    res = state.balance(store, scheme, rmeasure, targets, yr[0], yr[1], scope)
except EmptySelection as e:
    st.info(f"Nothing to balance: {md(e)}")
    res = None
except AnalysisError as e:
    st.error(f"Cannot compare with these targets: {md(e)}")
    st.stop()

if res is not None:
    rt = res["table"]
    value = rt["actual"].map(usd_k) if rmeasure == "money" else rt["actual"]
    heading = {"money": "USD k", "projects": "projects (split)"}.get(rmeasure, rmeasure)
    shown = pd.DataFrame({"region": rt["name"], heading: value, "share": rt["actual_share"]})
    if res["targets"] is not None:
        shown["target share"] = rt["target_share"]
        shown["gap, points"] = rt["gap"].map(points)
    table(
        shown,
        f"regions_{scheme}",
        money=["USD k"] if rmeasure == "money" else [],
        shares=["share", "target share"],
        column_config={
            heading: st.column_config.NumberColumn(heading, format="%,.1f"),
        },
    )
    if len(rt) and rt["actual_share"].notna().any():
        st.altair_chart(
            charts.share_vs_target(
                pd.DataFrame(
                    {
                        "region": rt["name"],
                        "share": rt["actual_share"],
                        "target": rt["target_share"] if res["targets"] is not None else None,
                        "gap": rt["gap"].map(points) if res["targets"] is not None else "",
                    }
                )
            ),
            width="stretch",
        )
        st.caption(
            "Each region's share of the "
            + what
            + (
                " (bar) against its target (black tick); the gap is in percentage points."
                if res["targets"] is not None
                else " (no targets set)."
            )
        )
    c = figure_row()
    c.metric(
        "Evenness over regions",
        num(res["evenness"], 2, unknown="one region only"),
        help="0 = all in one region, 1 = all equal; not defined when the work is in one region",
    )
    if res["score"] is not None:
        c.metric("Balance score", pct(res["score"], 0), help="100 % = exactly on target")
        c.metric(
            "Off target",
            pct(res["distance_to_targets"], 0),
            help="Share that would have to move between regions",
        )
        below = rt[rt["gap"] < -0.005]
        if len(below):
            worst = below.sort_values("gap").iloc[0]
            st.markdown(
                f"**In plain words.** {pct(res['distance_to_targets'], 0)} of the {what} would "
                "have to move between regions to meet the targets. Furthest below target: "
                f"**{md(worst['name'])}** ({pct(worst['actual_share'], 0)} against "
                f"{pct(worst['target_share'], 0)}, {points(worst['gap'])})."
            )
    st.caption(
        md(res["note"])
        + (
            f" Left out of the shares: {pct(res['unassigned_share'], 0)} of the {what}."
            if res["unassigned"] > 0
            else ""
        )
    )

with st.expander("Every measure per region"):
    pic = state.regions(store, scheme, yr[0], yr[1], scope)
    table(
        pd.DataFrame(
            {
                "region": pic["name"],
                "USD k": pic["money_usd"].map(usd_k),
                "projects": pic["projects"],
                "projects (split)": pic["projects_weighted"],
                "partners based there": pic["partners"],
                "events": pic["events"],
            }
        ),
        f"regional_picture_{scheme}",
        money=["USD k"],
        key="dl-regional-picture",
        column_config={
            "projects (split)": st.column_config.NumberColumn("projects (split)", format="%.2f")
        },
    )
    st.caption(
        "'projects' counts a project once in every region it reaches; 'projects (split)' shares "
        "it out over its targets, so the column adds up to the number of projects — that is what "
        "the balance above uses. A region nested in a larger one of the scheme counts in the "
        "larger one; 'Unassigned' is what no region of this scheme holds."
    )
